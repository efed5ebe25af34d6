using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace LvsPS.Engine.Host;

/// <summary>
/// One lvsd per director name: an exclusive flock(2) on RunDirectory/NAME.lock, taken before lvsd touches its socket,
/// pid or state file and held for the life of the process. The kernel releases it when the process ends, however it
/// ends (SIGKILL included), so a stale lock cannot exist; a live holder that answers nothing (hung, stopped) still
/// holds it. The descriptor is close-on-exec, so the commands lvsd runs (notify scripts, MISC_CHECK) do not inherit
/// the lock. The file holds the holder's pid (for the error message and Stop-LvsDirector). Only a free lock file is
/// deleted (DirectorLauncher.Forget, under the lock); a lock taken on a file that was unlinked meanwhile is given up and
/// taken again on the file now at the path, so two processes never hold two files of one name.
/// </summary>
internal sealed class InstanceLock : IDisposable
{
    private int _fd;

    private InstanceLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// Takes the lock of director <paramref name="name"/> or throws DirectorAlreadyRunning naming the pid that holds it.
    /// </summary>
    public static InstanceLock Acquire(string name)
    {
        for (int round = 0; ; round++)
        {
            var taken = AcquireOnce(name);
            if (!IsUnlinked(taken._fd) || round >= 10) return taken;
            taken.Dispose(); // the file was deleted (Forget) after we opened it: lock the one at the path now
        }
    }

    /// <summary>True when the file open on <paramref name="fd"/> no longer has a name (deleted after it was opened).</summary>
    private static bool IsUnlinked(int fd)
    {
        try { return File.ResolveLinkTarget($"/proc/self/fd/{fd}", false)?.FullName.EndsWith(" (deleted)", StringComparison.Ordinal) ?? false; }
        catch (IOException) { return false; }
    }

    private static InstanceLock AcquireOnce(string name)
    {
        var path = DirectorPaths.Lock(name);
        int fd = Libc.open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, Libc.Mode0600);
        if (fd < 0)
            throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.ResourceUnavailable,
                $"lvsd cannot open its lock file '{path}' (errno {Marshal.GetLastPInvokeError()}).", path);
        // A few tries: a launcher probing the lock (a shared lock for an instant) must not pass for a running lvsd.
        int rc = -1, errno = 0;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            rc = Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB);
            errno = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (rc == 0 || (errno != Libc.EWOULDBLOCK && errno != Libc.EINTR)) break;
            Thread.Sleep(50);
        }
        if (rc < 0)
        {
            var holder = ReadPid(fd);
            Libc.close(fd);
            if (errno != Libc.EWOULDBLOCK)
                throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.ResourceUnavailable,
                    $"lvsd cannot lock '{path}' (errno {errno}).", path);
            throw new LvsException(LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists,
                $"A director named '{name}' is already running: {(holder is null ? "another lvsd" : $"lvsd pid {holder}")} holds {path}.", name);
        }
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        Libc.ftruncate(fd, 0);
        Libc.pwrite(fd, pid, pid.Length, 0);
        return new InstanceLock(fd, path);
    }

    private static int? ReadPid(int fd)
    {
        var buffer = new byte[32];
        nint n = Libc.pread(fd, buffer, buffer.Length, 0);
        return n > 0 && int.TryParse(Encoding.ASCII.GetString(buffer, 0, (int)n).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid : null;
    }

    /// <summary>Releases the lock (lvsd does so only as it exits; the kernel would anyway).</summary>
    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = -1;
    }
}
