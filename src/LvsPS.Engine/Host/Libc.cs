using System.Runtime.InteropServices;

namespace LvsPS.Engine.Host;

/// <summary>The libc calls the host needs for its lock file and for durable state-file writes (Linux; these values are the same on x86-64 and arm64).</summary>
internal static class Libc
{
    public const int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_CLOEXEC = 0x80000;
    public const int Mode0600 = 0x180;
    public const int LOCK_EX = 2, LOCK_NB = 4;
    public const int EINTR = 4, EWOULDBLOCK = 11;

    [DllImport("libc", SetLastError = true)]
    public static extern int open(string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int flock(int fd, int operation);

    [DllImport("libc", SetLastError = true)]
    public static extern int ftruncate(int fd, long length);

    [DllImport("libc", SetLastError = true)]
    public static extern nint pwrite(int fd, byte[] buffer, nint count, long offset);

    [DllImport("libc", SetLastError = true)]
    public static extern nint pread(int fd, byte[] buffer, nint count, long offset);

    [DllImport("libc", SetLastError = true)]
    public static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int link(string oldPath, string newPath);

    [DllImport("libc", SetLastError = true)]
    public static extern uint geteuid();
}
