using System.Runtime.InteropServices;

namespace LvsPS.Engine.IO;

/// <summary>
/// The Linux AF_PACKET interface <see cref="PacketLink"/> uses (linux/if_packet.h, x86-64 and arm64 layouts), and
/// libpcap's BPF compiler (pcap_open_dead + pcap_compile: libpcap stays for the filter language).
/// </summary>
internal static unsafe class PacketNative
{
    public const int AF_PACKET = 17, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    public const ushort ETH_P_ALL = 0x0003;
    public const int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_ATTACH_FILTER = 26;
    public const int SOL_PACKET = 263;
    public const int PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_VERSION = 10, PACKET_FANOUT = 18,
        PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    public const int TPACKET_V2 = 1, TPACKET_V3 = 2;
    public const int PACKET_FANOUT_HASH = 0, PACKET_FANOUT_FLAG_DEFRAG = 0x8000;
    public const uint TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1, TP_STATUS_COPY = 1 << 1, TP_STATUS_VLAN_VALID = 1 << 4;
    public const byte PACKET_OUTGOING = 4;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_LOCKED = 0x2000;
    public const short POLLIN = 1, POLLERR = 8;
    public const int EINTR = 4, EAGAIN = 11, ENOBUFS = 105;

    /// <summary>struct tpacket_req (V2) and tpacket_req3 (V3: the last three fields).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketReq3
    {
        public uint BlockSize, BlockCount, FrameSize, FrameCount, RetireBlockTimeoutMs, SizeofPriv, FeatureReqWord;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol; // network byte order
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public ulong Addr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public void* Name;
        public int NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
        private int _pad;
        public uint Length; // mmsghdr.msg_len (struct mmsghdr is 64 bytes)
    }

    /// <summary>struct bpf_program (libpcap) and struct sock_fprog (the kernel): a length and the instructions.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BpfProgram
    {
        public uint Length;
        public void* Instructions;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public void* Filter;
    }

    public static ushort Htons(ushort v) => (ushort)((v << 8) | (v >> 8));

    [DllImport("libc", SetLastError = true)] public static extern int socket(int domain, int type, int protocol);
    [DllImport("libc", SetLastError = true)] public static extern int bind(int fd, SockaddrLl* addr, int length);
    [DllImport("libc", SetLastError = true)] public static extern int setsockopt(int fd, int level, int name, void* value, int length);
    [DllImport("libc", SetLastError = true)] public static extern int getsockopt(int fd, int level, int name, void* value, int* length);
    [DllImport("libc", SetLastError = true)] public static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);
    [DllImport("libc", SetLastError = true)] public static extern int munmap(nint addr, nuint length);
    [DllImport("libc", SetLastError = true)] public static extern nint send(int fd, void* buffer, nuint length, int flags);
    [DllImport("libc", SetLastError = true)] public static extern int sendmmsg(int fd, MMsgHdr* messages, uint count, int flags);
    [DllImport("libc", SetLastError = true)] public static extern int poll(PollFd* fds, nuint count, int timeoutMs);
    [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] public static extern uint if_nametoindex(string name);

    public static int SetInt(int fd, int level, int name, int value) => setsockopt(fd, level, name, &value, sizeof(int));

    /// <summary>Compiles a libpcap filter expression for Ethernet frames into classic BPF the kernel takes.</summary>
    public static byte[] CompileFilter(string expression)
    {
        nint dead = Pcap.pcap_open_dead(1 /* DLT_EN10MB */, 65535);
        if (dead == 0) throw new PacketLinkException("pcap_open_dead failed");
        try
        {
            BpfProgram prog;
            if (Pcap.pcap_compile(dead, &prog, expression, 1, 0xffffffff /* PCAP_NETMASK_UNKNOWN */) != 0)
                throw new PacketLinkException($"the filter '{expression}' does not compile: {Marshal.PtrToStringAnsi(Pcap.pcap_geterr(dead))}");
            try { return new ReadOnlySpan<byte>(prog.Instructions, (int)prog.Length * 8).ToArray(); }
            finally { Pcap.pcap_freecode(&prog); }
        }
        finally { Pcap.pcap_close(dead); }
    }

    /// <summary>Attaches (or atomically replaces) the socket's classic BPF filter.</summary>
    public static int AttachFilter(int fd, byte[] instructions)
    {
        fixed (byte* p = instructions)
        {
            var fprog = new SockFprog { Length = (ushort)(instructions.Length / 8), Filter = p };
            return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(SockFprog));
        }
    }

    private static class Pcap
    {
        static Pcap() => PcapLibrary.EnsureResolver();

        [DllImport("pcap")] public static extern nint pcap_open_dead(int linktype, int snaplen);
        [DllImport("pcap")] public static extern int pcap_compile(nint p, BpfProgram* program, string expression, int optimize, uint netmask);
        [DllImport("pcap")] public static extern void pcap_freecode(BpfProgram* program);
        [DllImport("pcap")] public static extern nint pcap_geterr(nint p);
        [DllImport("pcap")] public static extern void pcap_close(nint p);
    }
}

/// <summary>Resolves "pcap" to the libpcap this system has (one resolver per assembly: PcapLink and PacketLink share it).</summary>
internal static class PcapLibrary
{
    private static int _set;

    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _set, 1) != 0) return;
        NativeLibrary.SetDllImportResolver(typeof(PcapLibrary).Assembly, (name, asm, path) =>
        {
            if (name != "pcap") return IntPtr.Zero;
            foreach (var n in new[] { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so" })
                if (NativeLibrary.TryLoad(n, out var h)) return h;
            return IntPtr.Zero;
        });
    }
}

/// <summary>The AF_PACKET link could not be set up (lvsd falls back to libpcap).</summary>
internal sealed class PacketLinkException(string message) : Exception(message);
