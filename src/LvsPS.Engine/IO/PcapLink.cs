using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using SharpPcap;
using SharpPcap.LibPcap;

namespace LvsPS.Engine.IO;

/// <summary>
/// The engine's Ethernet port: a libpcap handle in immediate mode with a BPF filter that admits ARP and
/// frames for the virtual addresses, and drops the engine's own transmissions.
/// </summary>
internal sealed class PcapLink : IEngineLink
{
    public LinkKind Kind => LinkKind.Pcap;
    public int ReceiveThreads => 1;
    private readonly LibPcapLiveDevice _device;
    private readonly byte[] _buffer = new byte[65536];
    private IFrameProcessor? _processor;

    private PcapLink(LibPcapLiveDevice device, int mtu)
    {
        _device = device;
        Mtu = mtu;
    }

    public string Interface => _device.Name;
    public byte[] Mac { get; private set; } = new byte[6];
    public IPAddress? Address { get; private set; }
    /// <summary>The prefix length of <see cref="Address"/> (0 = unknown).</summary>
    public int PrefixLength { get; private set; }
    public int Mtu { get; }

    public static PcapLink Open(string interfaceName, int bufferBytes = 32 << 20)
    {
        var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == interfaceName)
            ?? throw new InvalidOperationException($"The interface '{interfaceName}' was not found by libpcap in this network namespace.");
        int mtu = 1500;
        try { mtu = int.Parse(File.ReadAllText($"/sys/class/net/{interfaceName}/mtu").Trim()); } catch (Exception) { /* keep 1500 */ }
        var link = new PcapLink(device, mtu);
        device.Open(new DeviceConfiguration
        {
            Mode = DeviceModes.None,
            Immediate = true,                  // without it each frame waits for the read timeout
            Snaplen = mtu + 18,                // Ethernet header, VLAN tag and FCS room
            BufferSize = bufferBytes,
            ReadTimeout = 100,
        });
        var mac = device.MacAddress ?? ReadSysMac(interfaceName);
        link.Mac = mac.GetAddressBytes();
        var v4 = device.Addresses.FirstOrDefault(a => a.Addr?.ipAddress is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetwork });
        link.Address = v4?.Addr?.ipAddress;
        link.PrefixLength = v4?.Netmask?.ipAddress is { } mask ? System.Numerics.BitOperations.PopCount(Frames.ToUInt32(mask)) : 0;
        link.SetVirtualAddresses(Array.Empty<uint>());
        return link;
    }

    private static PhysicalAddress ReadSysMac(string name) =>
        PhysicalAddress.Parse(File.ReadAllText($"/sys/class/net/{name}/address").Trim().Replace(':', '-').ToUpperInvariant());

    /// <summary>
    /// BPF: ARP, IPv4 to one of the VIPs, IPv4 from a one-armed NAT real server; never the frames this engine sent
    /// itself.
    /// </summary>
    public static string BuildFilter(IReadOnlyList<uint> vips, ReadOnlySpan<byte> ownMac, IReadOnlyList<uint>? natSources = null,
        IReadOnlyList<(uint Net, int PrefixLength)>? markNets = null)
    {
        string mac = Frames.MacToString(ownMac);
        var dst = vips.Select(v => "dst host " + Frames.ToAddress(v))
            .Concat((markNets ?? Array.Empty<(uint, int)>()).Select(n => $"dst net {Frames.ToAddress(n.Net)}/{n.PrefixLength}")).ToList();
        string ip = dst.Count == 0 ? "" : " or (ip and (" + string.Join(" or ", dst) + "))";
        string nat = natSources is null || natSources.Count == 0 ? "" : " or (ip and (" + string.Join(" or ", natSources.Select(v => "src host " + Frames.ToAddress(v))) + "))";
        return $"(arp{ip}{nat}) and not ether src {mac}";
    }

    /// <summary>The inside link sees the real servers' replies: ARP and IPv4, never our own frames.</summary>
    public static string BuildInsideFilter(ReadOnlySpan<byte> ownMac) => $"(arp or ip) and not ether src {Frames.MacToString(ownMac)}";

    public void SetVirtualAddresses(IReadOnlyList<uint> vips, IReadOnlyList<uint>? natSources = null,
        IReadOnlyList<(uint Net, int PrefixLength)>? markNets = null) => _device.Filter = BuildFilter(vips, Mac, natSources, markNets);

    public void UseInsideFilter() => _device.Filter = BuildInsideFilter(Mac);

    private int _linkIndex;

    /// <summary>How long the receive loop keeps polling the ring after a frame before it sleeps in poll() (µs).</summary>
    public static int SpinMicroseconds { get; set; } =
        int.TryParse(Environment.GetEnvironmentVariable("LVSPS_SPIN_US"), out var us) ? us : 0;

    private static readonly PcapLink?[] Links = new PcapLink?[2];
    private Thread? _thread;
    private volatile bool _stop;

    /// <summary>Starts receiving: every captured frame goes to <paramref name="processor"/> as link <paramref name="linkIndex"/>.</summary>
    public void Start(IFrameProcessor processor, int linkIndex = 0)
    {
        _processor = processor;
        _linkIndex = linkIndex;
        if (Environment.GetEnvironmentVariable("LVSPS_SHARPPCAP_LOOP") == "1")
        {
            _device.OnPacketArrival += OnPacketArrival;
            _device.StartCapture();
            return;
        }
        // Our own loop: pcap_dispatch straight into an unmanaged callback (no per-frame header object), and
        // poll() on the capture fd only when the ring is empty.
        Links[linkIndex] = this;
        var handle = _device.Handle.DangerousGetHandle();
        var err = new byte[256];
        Native.pcap_setnonblock(handle, 1, err);
        int fd = Native.pcap_get_selectable_fd(handle);
        _thread = new Thread(() => ReceiveLoop(handle, fd)) { IsBackground = true, Name = "lvsd-rx" + linkIndex };
        _thread.Start();
    }

    private unsafe void ReceiveLoop(IntPtr handle, int fd)
    {
        var pfd = new PollFd { Fd = fd, Events = 1 /* POLLIN */ };
        long spinTicks = System.Diagnostics.Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        long spinUntil = 0;
        while (!_stop)
        {
            int n = Native.pcap_dispatch(handle, -1, &OnFrame, (byte*)(nint)_linkIndex);
            if (n > 0)
            {
                spinUntil = System.Diagnostics.Stopwatch.GetTimestamp() + spinTicks;
                continue;
            }
            if (n < 0)
            {
                if (_stop) break;
                Thread.Sleep(10);
                continue;
            }
            if (spinTicks > 0 && System.Diagnostics.Stopwatch.GetTimestamp() < spinUntil)
            {
                Thread.SpinWait(16);
                continue;
            }
            Native.poll(&pfd, 1, 100);
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(System.Runtime.CompilerServices.CallConvCdecl) })]
    private static unsafe void OnFrame(byte* user, byte* header, byte* bytes)
    {
        try
        {
            var link = Links[(int)(nint)user];
            if (link is null) return;
            int caplen = (int)*(uint*)(header + 16); // struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; ... }
            if (caplen > link._buffer.Length) return;
            new ReadOnlySpan<byte>(bytes, caplen).CopyTo(link._buffer);
            link._processor!.ProcessFrame(link._buffer.AsSpan(0, caplen), link._linkIndex);
        }
        catch (Exception e)
        {
            DirectorLog.Shared.Write(0, LvsLogSeverity.Error, LvsLogSource.DataPath, $"rx: {e.GetType().Name}: {e.Message}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private void OnPacketArrival(object sender, PacketCapture e)
    {
        var data = e.Data;
        if (data.Length > _buffer.Length) return;
        data.CopyTo(_buffer);
        _processor!.ProcessFrame(_buffer.AsSpan(0, data.Length), _linkIndex);
    }

    public void Send(ReadOnlySpan<byte> frame) => _device.SendPacket(frame, null);

    /// <summary>libpcap's counters read with a correct struct (SharpPcap 6.3.1 reads pointer-sized fields on 64-bit Linux).</summary>
    public (ulong Received, ulong Dropped, ulong InterfaceDropped) ReadStatistics()
    {
        var st = new PcapStat();
        try
        {
            if (Native.pcap_stats(_device.Handle.DangerousGetHandle(), ref st) == 0)
                return (st.Received, st.Dropped, st.InterfaceDropped);
        }
        catch (Exception) { /* not opened or no libpcap symbol */ }
        return (0, 0, 0);
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join(TimeSpan.FromSeconds(2));
        Links[_linkIndex] = null;
        try { if (_device.Started) _device.StopCapture(); } catch (Exception) { }
        try { _device.Close(); } catch (Exception) { }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PcapStat
    {
        public uint Received;
        public uint Dropped;
        public uint InterfaceDropped;
    }

    private static class Native
    {
        static Native() => PcapLibrary.EnsureResolver();

        [DllImport("pcap")]
        public static extern int pcap_stats(IntPtr handle, ref PcapStat stats);

        [DllImport("pcap")]
        public static extern int pcap_setnonblock(IntPtr handle, int nonblock, byte[] errbuf);

        [DllImport("pcap")]
        public static extern int pcap_get_selectable_fd(IntPtr handle);

        [DllImport("pcap")]
        public static extern unsafe int pcap_dispatch(IntPtr handle, int count, delegate* unmanaged[Cdecl]<byte*, byte*, byte*, void> callback, byte* user);

        [DllImport("libc")]
        public static extern unsafe int poll(PollFd* fds, nuint count, int timeout);
    }
}
