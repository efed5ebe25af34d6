using LvsPS.Engine.DataPath;
using System.Buffers.Binary;

namespace LvsPS.Engine.Tests;

/// <summary>Builds well-formed frames for tests and benchmarks (checksums included).</summary>
internal static class TestFrames
{
    public static byte[] Tcp(byte[] srcMac, byte[] dstMac, uint saddr, uint daddr, ushort sport, ushort dport, byte flags, int payload)
    {
        var f = EthernetIPv4(srcMac, dstMac, saddr, daddr, Frames.ProtoTcp, 20 + payload, id: 0, flagsAndOffset: 0x4000 /* DF */);
        var tcp = f.AsSpan(Frames.EthHeader + 20);
        Frames.W16(tcp, 0, sport);
        Frames.W16(tcp, 2, dport);
        Frames.W32(tcp, 4, 1000);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        Frames.W16(tcp, 14, 65535);
        return f;
    }

    /// <summary>
    /// An Ethernet frame with an IPv4 header (no options, TTL 64, checksum set) and room for
    /// <paramref name="l4Length"/> bytes of transport header and payload.
    /// </summary>
    public static byte[] EthernetIPv4(byte[] srcMac, byte[] dstMac, uint saddr, uint daddr, byte protocol, int l4Length,
        ushort id, ushort flagsAndOffset)
    {
        int ipLen = 20 + l4Length;
        var f = new byte[Frames.EthHeader + ipLen];
        dstMac.CopyTo(f, 0);
        srcMac.CopyTo(f, 6);
        Frames.W16(f, 12, Frames.EtherTypeIPv4);
        var ip = f.AsSpan(Frames.EthHeader);
        ip[0] = 0x45;
        Frames.W16(ip, 2, (ushort)ipLen);
        Frames.W16(ip, 4, id);
        Frames.W16(ip, 6, flagsAndOffset);
        ip[8] = 64;
        ip[9] = protocol;
        Frames.W32(ip, 12, saddr);
        Frames.W32(ip, 16, daddr);
        Frames.W16(ip, 10, DirectorEngine.Checksum(ip.Slice(0, 20)));
        return f;
    }

    public static void SetSourcePort(byte[] frame, ushort port) =>
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Frames.EthHeader + 20, 2), port);

    public static byte[] ArpRequest(byte[] senderMac, uint senderIp, uint targetIp)
    {
        var f = new byte[42];
        Frames.BuildArp(f, 1, Frames.Broadcast, senderMac, senderIp, Frames.ZeroMac, targetIp);
        return f;
    }

    public static byte[] ArpReply(byte[] senderMac, uint senderIp, byte[] targetMac, uint targetIp)
    {
        var f = new byte[42];
        Frames.BuildArp(f, 2, targetMac, senderMac, senderIp, targetMac, targetIp);
        return f;
    }
}
