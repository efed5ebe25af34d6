using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace LvsPS.Engine.DataPath;

/// <summary>Offsets and helpers for the frames the engine reads and writes (Ethernet II, ARP, IPv4, TCP, UDP, SCTP).</summary>
internal static class Frames
{
    public const int EthHeader = 14;
    public const ushort EtherTypeIPv4 = 0x0800;
    public const ushort EtherTypeArp = 0x0806;
    public const int ArpLength = 28;
    public const byte ProtoTcp = 6;
    public const byte ProtoUdp = 17;
    public const byte ProtoSctp = 132;
    /// <summary>SCTP common header: ports at 0 and 2, verification tag at 4, CRC32c at 8; the first chunk at 12.</summary>
    public const int SctpHeader = 12;

    // TCP flag bits.
    public const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Ack = 0x10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort U16(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt16BigEndian(s.Slice(o, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint U32(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt32BigEndian(s.Slice(o, 4));

    public static void W16(Span<byte> s, int o, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(s.Slice(o, 2), v);
    public static void W32(Span<byte> s, int o, uint v) => BinaryPrimitives.WriteUInt32BigEndian(s.Slice(o, 4), v);

    public static uint ToUInt32(System.Net.IPAddress a)
    {
        Span<byte> b = stackalloc byte[4];
        if (!a.TryWriteBytes(b, out var n) || n != 4) throw new ArgumentException($"'{a}' is not an IPv4 address.");
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    public static System.Net.IPAddress ToAddress(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return new System.Net.IPAddress(b);
    }

    public static string MacToString(ReadOnlySpan<byte> mac) =>
        mac.Length < 6 ? "" : LvsPS.Ipvs.Specs.SpecValidator.MacText(mac);

    /// <summary>Writes an ARP frame (request or reply) into <paramref name="f"/> (42 bytes).</summary>
    public static int BuildArp(Span<byte> f, ushort op, ReadOnlySpan<byte> ethDst, ReadOnlySpan<byte> senderMac, uint senderIp,
        ReadOnlySpan<byte> targetMac, uint targetIp)
    {
        ethDst.CopyTo(f);
        senderMac.CopyTo(f.Slice(6));
        W16(f, 12, EtherTypeArp);
        var a = f.Slice(EthHeader);
        W16(a, 0, 1);          // hardware type Ethernet
        W16(a, 2, EtherTypeIPv4);
        a[4] = 6;
        a[5] = 4;
        W16(a, 6, op);
        senderMac.CopyTo(a.Slice(8));
        W32(a, 14, senderIp);
        targetMac.CopyTo(a.Slice(18));
        W32(a, 24, targetIp);
        return EthHeader + ArpLength;
    }

    public static readonly byte[] Broadcast = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    public static readonly byte[] ZeroMac = new byte[6];
}
