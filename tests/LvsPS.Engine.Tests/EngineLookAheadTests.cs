using LvsPS.Engine.Tests.Fuzz;
using LvsPS.Ipvs.Connections;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The engine's side of the receive loop's look-ahead (DirectorEngine.LookAhead.cs): a hint names the bucket of the
/// connection a frame belongs to, names none for what is no client's transport frame, never throws on any bytes, and
/// changes nothing; the loop is asked to give hints only from <see cref="DirectorEngine.LookAheadMinEntries"/> on.
/// </summary>
public class EngineLookAheadTests
{
    private static DirectorEngine Engine(CountingSink sink, int bits = 12)
    {
        long now = 1_000_000;
        var e = new DirectorEngine("ahead", (byte[])DirectorMac.Clone(), DirectorIp, sink, bits, () => now);
        e.SetDefense(new DefenseSpec { MaxConnections = 1 << 20, DropEntry = LvsDefenseMode.Off, SecureTcp = LvsDefenseMode.Off });
        foreach (var (port, proto) in new[] { ((ushort)80, LvsProtocol.Tcp), ((ushort)53, LvsProtocol.Udp) })
        {
            var spec = Spec(port, LvsScheduler.Rr, proto);
            e.AddService(spec);
            e.AddRealServer(spec, Real(Rs1));
        }
        e.ProcessFrame(TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp));
        return e;
    }

    [Fact]
    public void AHint_IsTheBucketOfTheFramesConnection_AndChangesNothing()
    {
        var sink = new CountingSink();
        var e = Engine(sink);
        var table = new ConnectionTable(12); // the same size, so the same bucket for a key
        var syn = TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 80, Frames.Syn, 0);
        var dgram = FrameKit.Udp(ClientMac, DirectorMac, Client, Vip, 5353, 53, 100);
        e.ProcessFrame((byte[])syn.Clone());
        ulong received = e.FramesReceived;
        int sent = sink.Count;
        var synBefore = (byte[])syn.Clone();

        Assert.Equal(table.BucketOf(new ConnKey(Frames.ProtoTcp, Client, 40000, Vip, 80)), e.PrefetchFlow(syn, 0));
        Assert.Equal(table.BucketOf(new ConnKey(Frames.ProtoUdp, Client, 5353, Vip, 53)), e.PrefetchFlow(dgram, 0));
        IFrameProcessor p = e;
        p.PrefetchConnection(e.PrefetchFlow(syn, 0));
        p.PrefetchNextConnection(e.PrefetchFlow(syn, 0));

        Assert.Equal(synBefore, syn);
        Assert.Equal(received, e.FramesReceived);
        Assert.Equal(sent, sink.Count);
        Assert.Equal(1, e.ConnectionCount);
    }

    [Fact]
    public void WhatIsNoClientsTransportFrame_GetsNoHint()
    {
        var e = Engine(new CountingSink());
        var syn = TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 80, Frames.Syn, 0);
        Assert.Equal(-1, e.PrefetchFlow(syn, 1)); // the inside link carries NAT replies, keyed otherwise
        Assert.Equal(-1, e.PrefetchFlow(TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp), 0));
        Assert.Equal(-1, e.PrefetchFlow(syn.AsSpan(0, Frames.EthHeader + 23), 0)); // no room for the ports
        var ipv6 = (byte[])syn.Clone(); ipv6[12] = 0x86; ipv6[13] = 0xdd;
        Assert.Equal(-1, e.PrefetchFlow(ipv6, 0));
        var version6 = (byte[])syn.Clone(); version6[14] = 0x65;
        Assert.Equal(-1, e.PrefetchFlow(version6, 0));
        var shortIhl = (byte[])syn.Clone(); shortIhl[14] = 0x44;
        Assert.Equal(-1, e.PrefetchFlow(shortIhl, 0));
        var longIhl = (byte[])syn.Clone(); longIhl[14] = 0x4f; // 60-byte header: the ports would lie past the frame
        Assert.Equal(-1, e.PrefetchFlow(FrameKit.Pad(longIhl, Frames.EthHeader + 60), 0));
        var icmp = (byte[])syn.Clone(); icmp[23] = 1;
        Assert.Equal(-1, e.PrefetchFlow(icmp, 0));
    }

    [Fact]
    public void AnyBytesAtAll_AreSafe_AndAHintIsMinusOneOrABucket()
    {
        var e = Engine(new CountingSink());
        var r = new Random(2024);
        for (int i = 0; i < 20_000; i++)
        {
            var f = FrameGenerator.Next(r).Bytes;
            var cut = f.AsSpan(0, r.Next(f.Length + 1));
            int hint = e.PrefetchFlow(cut, r.Next(2));
            Assert.InRange(hint, -1, 4095);
            if (hint >= 0) ((IFrameProcessor)e).PrefetchConnection(hint);
        }
        Assert.Equal(0UL, e.FramesForwarded);
    }

    [Fact]
    public void TheLoopIsAskedForHints_OnlyFromLookAheadMinEntriesOn()
    {
        var e = Engine(new CountingSink(), bits: 16);
        IFrameProcessor p = e;
        // a new client address every 50,000 ports
        void Syn(int i) => e.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, Client + (uint)(i / 50_000), Vip, (ushort)(1024 + i % 50_000), 80, Frames.Syn, 0));
        Assert.False(p.WantsLookAhead);
        for (int i = 0; i < DirectorEngine.LookAheadMinEntries - 1; i++) Syn(i);
        Assert.Equal(DirectorEngine.LookAheadMinEntries - 1, e.ConnectionCount);
        Assert.False(p.WantsLookAhead);
        Syn(DirectorEngine.LookAheadMinEntries - 1);
        Assert.True(p.WantsLookAhead);
    }
}
