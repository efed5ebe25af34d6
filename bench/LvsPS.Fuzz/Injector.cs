// `LvsPS.Fuzz inject`: the fuzzer's frames onto a real segment, for the lab test (tests/pester/Fuzz.Tests.ps1). Run
// inside a lab namespace (ip netns exec lvs-<lab>-client ...): it opens an AF_PACKET socket on the given interface
// and sends the generator's outside-link frames, retargeted from the fuzz lab's addresses (10.250.0.0/24, the
// EngineHarness MACs) to the lab's: same host numbers in the lab's /24, the lab's director, client and rs1 MACs, and
// every frame from the client's own MAC.
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using LvsPS.Engine.DataPath;
using LvsPS.Engine.Tests;
using LvsPS.Engine.Tests.Fuzz;

internal static class Injector
{
    private const int AF_PACKET = 17, SOCK_RAW = 3;
    private const ushort ETH_P_ALL = 0x0003;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public ulong Addr;
    }

    [DllImport("libc", SetLastError = true)] private static extern int socket(int domain, int type, int protocol);
    [DllImport("libc", SetLastError = true)] private static extern int bind(int fd, ref SockaddrLl addr, int len);
    [DllImport("libc", SetLastError = true)] private static extern nint send(int fd, byte[] buf, nint len, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] private static extern uint if_nametoindex(string name);

    /// <summary>inject IFACE COUNT SEED LAB-SUBNET-PREFIX DIRECTOR-MAC CLIENT-MAC RS1-MAC [FRAMES-PER-MS]</summary>
    public static int Run(string[] a)
    {
        if (a.Length < 8)
        {
            Console.Error.WriteLine("usage: LvsPS.Fuzz inject IFACE COUNT SEED PREFIX(e.g. 10.236.7) DIRECTOR-MAC CLIENT-MAC RS1-MAC [FRAMES-PER-MS]");
            return 2;
        }
        string iface = a[1];
        long count = long.Parse(a[2], CultureInfo.InvariantCulture);
        int seed = int.Parse(a[3], CultureInfo.InvariantCulture);
        var prefix = IPAddress.Parse(a[4] + ".0").GetAddressBytes();
        byte[] directorMac = Mac(a[5]), clientMac = Mac(a[6]), rs1Mac = Mac(a[7]);
        int perMs = a.Length > 8 ? int.Parse(a[8], CultureInfo.InvariantCulture) : 20;

        uint index = if_nametoindex(iface);
        if (index == 0) { Console.Error.WriteLine($"no interface {iface}"); return 1; }
        int fd = socket(AF_PACKET, SOCK_RAW, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(ETH_P_ALL)); // htons
        if (fd < 0) { Console.Error.WriteLine($"socket: errno {Marshal.GetLastPInvokeError()}"); return 1; }
        var sll = new SockaddrLl { Family = AF_PACKET, Protocol = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(ETH_P_ALL), IfIndex = (int)index };
        if (bind(fd, ref sll, Marshal.SizeOf<SockaddrLl>()) != 0) { Console.Error.WriteLine($"bind: errno {Marshal.GetLastPInvokeError()}"); return 1; }

        var r = new Random(seed);
        long sent = 0, failed = 0, made = 0, spoofs = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (sent < count)
        {
            var f = FrameGenerator.Next(r);
            made++;
            if (f.Link != 0 || f.Bytes.Length < 14) continue; // the lab has one link; a frame shorter than Ethernet cannot be sent
            if (ForgesALabHost(f.Bytes)) { spoofs++; continue; }
            var b = Retarget(f.Bytes, prefix, directorMac, clientMac, rs1Mac);
            if (b.Length > 1514) Array.Resize(ref b, 1514);
            if (send(fd, b, b.Length, 0) < 0) failed++;
            else sent++;
            if (sent % perMs == 0) Thread.Sleep(1);
        }
        close(fd);
        Console.WriteLine(FormattableString.Invariant($"sent {sent} frames ({failed} refused by the socket, {made} generated, {spoofs} forged ARP for a lab host left out) in {watch.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    /// <summary>
    /// An ARP frame that claims a lab host's address for another MAC (a real server's or the director's address at
    /// all, since the injector knows not all their MACs; the client's with a MAC not its own). Forged ARP poisons
    /// lvsd's MAC of a real server (LvsPS issue 8, item 6, ARP spoofing, has its own tests) and the real servers' own
    /// neighbour tables (their answers to the client then go nowhere): neither is what this injection measures.
    /// </summary>
    private static bool ForgesALabHost(byte[] f) =>
        f.Length >= 42 && Frames.U16(f, 12) == Frames.EtherTypeArp
        && (Frames.U32(f, 28) is LabAddresses.DirectorIp or LabAddresses.Rs1 or LabAddresses.Rs2 or LabAddresses.Rs3
            || (Frames.U32(f, 28) == LabAddresses.Client && !f.AsSpan(22, 6).SequenceEqual(LabAddresses.ClientMac)));

    private static byte[] Mac(string s) => s.Split(':').Select(x => byte.Parse(x, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The fuzz lab's MACs and 10.250.0.x addresses replaced by the lab's; an IP header checksum that was right stays right.</summary>
    private static byte[] Retarget(byte[] frame, byte[] prefix, byte[] directorMac, byte[] clientMac, byte[] rs1Mac)
    {
        var b = (byte[])frame.Clone();
        void MapMac(int o)
        {
            if (o + 6 > b.Length) return;
            var m = b.AsSpan(o, 6);
            if (m.SequenceEqual(LabAddresses.DirectorMac)) directorMac.CopyTo(m);
            else if (m.SequenceEqual(LabAddresses.ClientMac)) clientMac.CopyTo(m);
            else if (m.SequenceEqual(LabAddresses.Rs1Mac)) rs1Mac.CopyTo(m);
        }
        void MapIp(int o)
        {
            if (o + 4 > b.Length) return;
            if (b[o] == 10 && b[o + 1] == 250 && b[o + 2] == 0) prefix.AsSpan(0, 3).CopyTo(b.AsSpan(o));
        }
        MapMac(0);
        // The Ethernet source is always the client's: a frame from another station's MAC would move that station in
        // the bridge's forwarding table (an attack on the switch, not on lvsd). ARP's sender field stays fuzzed.
        clientMac.CopyTo(b, 6);
        ushort type = Frames.U16(b, 12);
        if (type == Frames.EtherTypeArp) { MapMac(22); MapIp(28); MapMac(32); MapIp(38); return b; }
        if (type != Frames.EtherTypeIPv4 || b.Length < 34) return b;
        int ihl = (b[14] & 15) * 4;
        bool sumOk = ihl >= 20 && b.Length >= 14 + ihl && DirectorEngine.Checksum(b.AsSpan(14, ihl)) == 0;
        MapIp(26);
        MapIp(30);
        if (sumOk)
        {
            Frames.W16(b, 24, 0);
            Frames.W16(b, 24, DirectorEngine.Checksum(b.AsSpan(14, ihl)));
        }
        return b;
    }
}
