namespace LvsPS.Management.Lab.Guest;

/// <summary>
/// Writes a cpio archive in the "newc" format the Linux kernel unpacks as an initramfs (Documentation/
/// filesystems/ramfs-rootfs-initramfs.rst: 110-byte ASCII header "070701" + 13 eight-digit hex fields, the
/// NUL-terminated name, data, each padded to 4 bytes, ended by the entry "TRAILER!!!"). Owner root, the mode given.
/// Several archives may be concatenated: the kernel unpacks them in order, so a lab's small archive adds its files
/// to the cached root image.
/// </summary>
internal sealed class CpioWriter : IDisposable
{
    private const int S_IFDIR = 0x4000;
    private const int S_IFREG = 0x8000;
    private readonly Stream _out;
    private int _ino = 1;

    public CpioWriter(Stream output) => _out = output;

    public void Directory(string path, int mode = 0x1ED /* 0755 */) => Entry(path, S_IFDIR | mode, Array.Empty<byte>(), 2);

    public void File(string path, string text, int mode = 0x1A4 /* 0644 */) => File(path, new UTF8Encoding(false).GetBytes(text), mode);

    public void File(string path, byte[] data, int mode = 0x1A4) => Entry(path, S_IFREG | mode, data, 1);

    private void Entry(string path, int mode, byte[] data, int links)
    {
        var name = Encoding.UTF8.GetBytes(path.TrimStart('/'));
        var header = new StringBuilder("070701");
        foreach (var field in new long[]
                 {
                     _ino++, mode, 0 /* uid */, 0 /* gid */, links, 0 /* mtime */, data.Length,
                     0, 0, 0, 0 /* dev, rdev */, name.Length + 1, 0 /* check */,
                 })
            header.Append(field.ToString("x8"));
        Write(Encoding.ASCII.GetBytes(header.ToString()));
        Write(name);
        Write(new byte[] { 0 });
        Pad();
        Write(data);
        Pad();
    }

    private long _written;

    private void Write(byte[] b)
    {
        _out.Write(b);
        _written += b.Length;
    }

    private void Pad()
    {
        while (_written % 4 != 0) Write(new byte[] { 0 });
    }

    public void Dispose()
    {
        Entry("TRAILER!!!", 0, Array.Empty<byte>(), 1);
        _out.Flush();
    }
}
