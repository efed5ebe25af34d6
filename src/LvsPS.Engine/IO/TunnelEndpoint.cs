using System.Runtime.InteropServices;
using SharpPcap;
using SharpPcap.LibPcap;

namespace LvsPS.Engine.IO;

/// <summary>
/// `lvsd tunnel-endpoint`: an IP-in-IP decapsulator for real servers whose kernel has no ipip link type (this
/// machine's does not). It captures IPv4 protocol-4 packets addressed to the real server on its Ethernet interface
/// and writes the inner packet into a TUN device, where the kernel receives it as if tunl0 had decapsulated it.
/// The real server then answers the client directly, as LVS-TUN real servers do. Used by the lab only.
/// </summary>
internal static class TunnelEndpoint
{
    private const int O_RDWR = 2;
    private const uint TUNSETIFF = 0x400454ca;
    private const short IFF_TUN = 0x0001;
    private const short IFF_NO_PI = 0x1000;

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, uint request, byte[] ifreq);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nint count);

    /// <summary>Creates (or attaches to) TUN device <paramref name="name"/>; returns its file descriptor.</summary>
    public static int OpenTun(string name)
    {
        int fd = open("/dev/net/tun", O_RDWR);
        if (fd < 0)
            throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ResourceUnavailable,
                $"Cannot open /dev/net/tun (errno {Marshal.GetLastWin32Error()}).");
        var ifreq = new byte[40];
        var n = System.Text.Encoding.ASCII.GetBytes(name);
        Array.Copy(n, ifreq, Math.Min(n.Length, 15));
        BitConverter.GetBytes((short)(IFF_TUN | IFF_NO_PI)).CopyTo(ifreq, 16);
        if (ioctl(fd, TUNSETIFF, ifreq) < 0)
            throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ResourceUnavailable,
                $"TUNSETIFF {name} failed (errno {Marshal.GetLastWin32Error()}).");
        return fd;
    }

    public static int Run(string iface, string address, string tunName)
    {
        int fd = OpenTun(tunName);
        // Decapsulated packets come in on the TUN device from clients routed via eth0: reverse-path filtering must
        // be off for them, as for tunl0 on a kernel LVS-TUN real server.
        foreach (var conf in new[] { "all", tunName })
        {
            try { File.WriteAllText($"/proc/sys/net/ipv4/conf/{conf}/rp_filter", "0"); }
            catch (IOException) { }
        }
        var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == iface)
            ?? throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound, $"No interface '{iface}'.");
        device.Open(new DeviceConfiguration { Mode = DeviceModes.None, Immediate = true, Snaplen = 65535, BufferSize = 8 << 20, ReadTimeout = 100 });
        device.Filter = $"ip proto 4 and dst host {address}";
        var buffer = new byte[65536];
        ulong count = 0;
        device.OnPacketArrival += (_, e) =>
        {
            var f = e.Data;
            if (f.Length < Frames.EthHeader + 40) return;
            var outer = f.Slice(Frames.EthHeader);
            int ihl = (outer[0] & 0x0f) * 4;
            int total = Frames.U16(outer, 2);
            if (ihl < 20 || total > outer.Length || total < ihl + 20) return;
            var inner = outer.Slice(ihl, total - ihl);
            if ((inner[0] >> 4) != 4) return;
            inner.CopyTo(buffer);
            write(fd, buffer, inner.Length);
            count++;
        };
        using var done = new ManualResetEventSlim();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; done.Set(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; done.Set(); });
        device.StartCapture();
        DirectorLog.Shared.Notice(LvsLogSource.DataPath, $"tunnel endpoint: {iface} {address} -> {tunName}");
        done.Wait();
        device.StopCapture();
        device.Close();
        DirectorLog.Shared.Notice(LvsLogSource.DataPath, $"tunnel endpoint: {count} packet(s) decapsulated");
        return 0;
    }
}
