using static LvsPS.Engine.Tests.NatHarness;
using static LvsPS.Engine.Tests.PacketKit;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The packet path's one IPv4 parse (<see cref="Ipv4Packet"/>): the header check's three outcomes, the fields the
/// forwarding, NAT-reply, tunnel and ICMP paths read from it, and how a failed check is counted on each link.
/// </summary>
public class Ipv4PacketTests
{
    [Fact]
    public void ATcpSegment_IsParsedWithItsAddressesPortsAndFlags()
    {
        var frame = Frame(Tcp(40000, Frames.Syn | Frames.Ack, 100) with { DontFragment = true });

        Assert.Equal(Ipv4Check.Ok, Ipv4Packet.Parse(frame, out var p));
        Assert.Equal(20, p.Ihl);
        Assert.Equal(20 + 20 + 100, p.TotalLength);
        Assert.Equal(Frames.ProtoTcp, p.Protocol);
        Assert.Equal(Client, p.Source);
        Assert.Equal(Vip, p.Destination);
        Assert.True(p.HasPorts);
        Assert.Equal(40000, p.SourcePort);
        Assert.Equal(80, p.DestinationPort);
        Assert.Equal(Frames.Syn | Frames.Ack, p.TcpFlags);
        Assert.True(p.DontFragment);
        Assert.False(p.IsFragment);
        Assert.Equal(34, p.L4Offset);
        Assert.Equal(120, p.L4.Length);
    }

    [Fact]
    public void IPv4Options_MoveTheTransportHeader()
    {
        var frame = Frame(Udp(5353, 53, 10) with { Options = new byte[] { 1, 1, 1, 0, 1, 1, 1, 0 } });

        Assert.Equal(Ipv4Check.Ok, Ipv4Packet.Parse(frame, out var p));
        Assert.Equal(28, p.Ihl);
        Assert.Equal(14 + 28, p.L4Offset);
        Assert.Equal(5353, p.SourcePort);
        Assert.Equal(53, p.DestinationPort);
        Assert.Equal(0, p.TcpFlags);
        Assert.Equal(8 + 10, p.L4.Length);
    }

    [Fact]
    public void ATrailingEthernetPad_IsNotPartOfThePacket()
    {
        var frame = Frame(Udp(5353, 53, 0));
        var padded = frame.Concat(new byte[20]).ToArray();

        Assert.Equal(Ipv4Check.Ok, Ipv4Packet.Parse(padded, out var p));
        Assert.Equal(28, p.TotalLength);
        Assert.Equal(8, p.L4.Length);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(33)]
    public void ShorterThanAnIPv4Header_IsNotIPv4(int length)
    {
        Assert.Equal(Ipv4Check.NotIPv4, Ipv4Packet.Parse(Frame(Tcp(40000, Frames.Syn)).AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(0)]
    [InlineData(15)]
    public void AnotherVersion_IsNotIPv4(int version)
    {
        var frame = Frame(Tcp(40000, Frames.Syn));
        frame[14] = (byte)(version << 4 | 5);
        Assert.Equal(Ipv4Check.NotIPv4, Ipv4Packet.Parse(frame, out _));
    }

    [Theory]
    [InlineData(4, 40)]   // IHL under 20 bytes
    [InlineData(5, 19)]   // total length under the header
    [InlineData(5, 41)]   // total length beyond the frame
    [InlineData(15, 40)]  // 60-byte header, total 40
    public void ImpossibleLengths_AreBadLength(int ihlWords, int total)
    {
        var frame = Frame(Tcp(40000, Frames.Syn));
        frame[14] = (byte)(0x40 | ihlWords);
        Frames.W16(frame, 16, (ushort)total);
        FrameKit.FixIpChecksum(frame); // the lengths are wrong, not the checksum
        Assert.Equal(Ipv4Check.BadLength, Ipv4Packet.Parse(frame, out _));
    }

    [Theory]
    [InlineData(0x2000)] // more fragments
    [InlineData(0x0001)] // an offset
    public void Fragments_ParseButHaveNoPorts(int flagsAndOffset)
    {
        var frame = Frame(Tcp(40000, Frames.Syn) with { DontFragment = false });
        Frames.W16(frame, 14 + 6, (ushort)flagsAndOffset);
        FrameKit.FixIpChecksum(frame);

        Assert.Equal(Ipv4Check.Ok, Ipv4Packet.Parse(frame, out var p));
        Assert.True(p.IsFragment);
        Assert.False(p.HasPorts);
        Assert.Equal(0, p.SourcePort);
    }

    [Theory]
    [InlineData(1)]   // ICMP
    [InlineData(47)]  // GRE
    public void OtherProtocols_HaveNoPorts(byte protocol)
    {
        var frame = Frame(Tcp(40000, Frames.Syn));
        frame[14 + 9] = protocol;
        FrameKit.FixIpChecksum(frame);

        Assert.Equal(Ipv4Check.Ok, Ipv4Packet.Parse(frame, out var p));
        Assert.Equal(protocol, p.Protocol);
        Assert.False(p.HasPorts);
    }

    [Fact]
    public void ATransportHeaderCutShort_HasNoPorts()
    {
        var frame = Frame(Udp(5353, 53, 0));
        Frames.W16(frame, 16, 20 + 7); // a 7-byte UDP header
        FrameKit.FixIpChecksum(frame);

        Assert.Equal(Ipv4Check.Ok, Ipv4Packet.Parse(frame, out var p));
        Assert.False(p.HasPorts);
    }

    // ------------------------------------------------------------------ how a failed check is counted

    private static NatHarness WithANatConnection()
    {
        var n = new NatHarness();
        n.Service(80, LvsProtocol.Tcp, (1, 8080));
        Assert.NotNull(n.FromClient(Frame(Tcp(40000, Frames.Syn))));
        return n;
    }

    private static byte[] BadVersion(byte[] frame) { frame[14] = 0x65; return frame; }

    private static byte[] BadLength(byte[] frame) { Frames.W16(frame, 16, (ushort)(frame.Length - 14 + 1)); return frame; }

    [Fact]
    public void OnTheOutsideLink_EveryFailedCheckIsADrop()
    {
        var n = WithANatConnection();
        ulong dropped = n.Engine.FramesDropped;

        n.Engine.ProcessFrame(BadVersion(Frame(Tcp(40001, Frames.Syn))), 0);
        n.Engine.ProcessFrame(BadLength(Frame(Tcp(40001, Frames.Syn))), 0);

        Assert.Equal(dropped + 2, n.Engine.FramesDropped);
    }

    [Fact]
    public void OnTheInsideLink_OnlyABadLengthIsADrop_AndOnlyWhileThereAreNatConnections()
    {
        var idle = new NatHarness();
        idle.Service(80, LvsProtocol.Tcp, (1, 8080));
        idle.Engine.ProcessFrame(BadLength(Frame(idle.Reply(1, 8080, 40000, Frames.Ack))), 1);
        Assert.Equal(0UL, idle.Engine.FramesDropped);

        var n = WithANatConnection();
        ulong dropped = n.Engine.FramesDropped;
        n.Engine.ProcessFrame(BadVersion(Frame(n.Reply(1, 8080, 40000, Frames.Ack))), 1);
        Assert.Equal(dropped, n.Engine.FramesDropped);
        n.Engine.ProcessFrame(BadLength(Frame(n.Reply(1, 8080, 40000, Frames.Ack))), 1);
        Assert.Equal(dropped + 1, n.Engine.FramesDropped);
        Assert.Empty(n.Outside.Sent);
    }

    [Fact]
    public void TheEngineIsTheLinksFrameProcessor()
    {
        var n = WithANatConnection();
        IFrameProcessor processor = n.Engine;
        int before = n.Outside.Sent.Count;

        processor.ProcessFrame(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack)), 1);

        Assert.Equal(before + 1, n.Outside.Sent.Count);
    }
}
