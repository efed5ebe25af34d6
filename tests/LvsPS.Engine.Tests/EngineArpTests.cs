namespace LvsPS.Engine.Tests;

public class EngineArpTests
{
    private static byte[] ExpectedArp(ushort op, byte[] ethDst, byte[] senderMac, uint senderIp, byte[] targetMac, uint targetIp)
    {
        // Written out field by field (not with Frames.BuildArp) so the test does not trust the code under test.
        var f = new List<byte>();
        f.AddRange(ethDst);
        f.AddRange(senderMac);
        f.AddRange(new byte[] { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, (byte)(op >> 8), (byte)op });
        f.AddRange(senderMac);
        f.AddRange(Be(senderIp));
        f.AddRange(targetMac);
        f.AddRange(Be(targetIp));
        return f.ToArray();
    }

    private static byte[] Be(uint v) => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v };

    private static readonly byte[] Bcast = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    private static readonly byte[] Zero6 = new byte[6];


    /// <summary>TCP 80 added and deleted again (its VIP is gone), the sink cleared.</summary>
    private static EngineHarness VipRemoved()
    {
        var h = new EngineHarness();
        h.Engine.DeleteService(h.AddService(80, LvsScheduler.Rr));
        h.Sink.Clear();
        return h;
    }

    [Fact]
    public void WhoHasVip_IsAnsweredWithTheDirectorMac()
    {
        var h = EmptyService();

        h.Process(TestFrames.ArpRequest(ClientMac, Client, Vip));

        var reply = Assert.Single(h.Sink.Sent);
        Assert.Equal(ExpectedArp(2, ClientMac, DirectorMac, Vip, ClientMac, Client), reply);
        Assert.Equal(1UL, h.Engine.ArpRepliesSent);
    }

    [Fact]
    public void WhoHasVip_PaddedTo60Bytes_IsAnswered()
    {
        var h = EmptyService();

        h.Process(FrameKit.Pad(TestFrames.ArpRequest(ClientMac, Client, Vip), 60));

        var reply = Assert.Single(h.Sink.Sent);
        Assert.Equal(42, reply.Length);
        Assert.Equal(ExpectedArp(2, ClientMac, DirectorMac, Vip, ClientMac, Client), reply);
    }

    [Fact]
    public void WhoHasVip_OnEveryServiceVip()
    {
        var h = new EngineHarness();
        h.AddService(Spec(80, LvsScheduler.Rr, vip: Vip));
        h.AddService(Spec(443, LvsScheduler.Rr, vip: Vip2));
        h.Sink.Clear();

        h.Process(TestFrames.ArpRequest(ClientMac, Client, Vip2));

        Assert.Equal(ExpectedArp(2, ClientMac, DirectorMac, Vip2, ClientMac, Client), Assert.Single(h.Sink.Sent));
    }

    [Theory]
    [InlineData(0x0AFA0001u)] // the director's own interface address: the kernel answers that, not the engine
    [InlineData(0x0AFA0003u)] // a real server
    [InlineData(0x0AFA0099u)] // nobody
    public void WhoHasOtherAddress_GetsNoReply(uint target)
    {
        var h = EmptyService();

        h.Process(TestFrames.ArpRequest(ClientMac, Client, target));

        Assert.Empty(h.Sink.Sent);
        Assert.Equal(0UL, h.Engine.ArpRepliesSent);
    }

    [Fact]
    public void WhoHasVip_WithoutAnyService_GetsNoReply()
    {
        var h = new EngineHarness();
        h.Process(TestFrames.ArpRequest(ClientMac, Client, Vip));
        Assert.Empty(h.Sink.Sent);
    }

    [Fact]
    public void WhoHasVip_AfterTheServiceIsDeleted_GetsNoReply()
    {
        var h = VipRemoved();

        h.Process(TestFrames.ArpRequest(ClientMac, Client, Vip));

        Assert.Empty(h.Sink.Sent);
    }

    [Fact]
    public void ArpReplyForVip_IsNotAnswered()
    {
        var h = EmptyService();

        h.Process(TestFrames.ArpReply(ClientMac, Client, DirectorMac, Vip));

        Assert.Empty(h.Sink.Sent);
    }

    [Fact]
    public void GratuitousArp_WhenTheVipFirstAppears_ThenOnTheNextTwoTicks()
    {
        var h = new EngineHarness();
        var vips = new List<IReadOnlyList<uint>>();
        h.Engine.VirtualAddressesChanged += (v, _) => vips.Add(v);

        h.Engine.AddService(Spec(80));

        var garp = ExpectedArp(1, Bcast, DirectorMac, Vip, Zero6, Vip);
        Assert.Equal(garp, Assert.Single(h.Sink.Sent));
        Assert.Equal(new[] { Vip }, h.Engine.VirtualAddresses);
        Assert.Equal(new[] { Vip }, Assert.Single(vips));

        // A second service on the same VIP does not announce it again.
        h.Sink.Clear();
        h.Engine.AddService(Spec(443));
        Assert.Empty(h.Sink.Arp);

        for (int tick = 1; tick <= 2; tick++)
        {
            h.Sink.Clear();
            h.TickAfter(1);
            Assert.Single(h.Sink.Sent, f => f.AsSpan().SequenceEqual(garp));
        }

        h.Sink.Clear();
        h.TickAfter(1);
        Assert.DoesNotContain(h.Sink.Sent, f => f.AsSpan().SequenceEqual(garp));
    }

    [Fact]
    public void GratuitousArp_ForASecondVip()
    {
        var h = new EngineHarness();
        h.Engine.AddService(Spec(80, vip: Vip));
        h.Sink.Clear();

        h.Engine.AddService(Spec(80, vip: Vip2));

        Assert.Equal(ExpectedArp(1, Bcast, DirectorMac, Vip2, Zero6, Vip2), Assert.Single(h.Sink.Sent));
        Assert.Equal(new[] { Vip, Vip2 }, h.Engine.VirtualAddresses);
    }

    [Fact]
    public void GratuitousArp_StopsWhenTheVipIsRemoved()
    {
        var h = VipRemoved();

        h.TickAfter(1);
        h.TickAfter(1);

        // The director no longer owns the VIP: announcing it would pull traffic away from whoever does now.
        Assert.DoesNotContain(h.Sink.Arp, f => Frames.U32(f, 14 + 14) == Vip);
    }

    [Fact]
    public void ArpRequestForEachRealServer_OnAdd()
    {
        var h = new EngineHarness();
        var s = h.AddService(80, LvsScheduler.Rr);
        h.Sink.Clear();

        h.Engine.AddRealServer(s, Real(Rs1));
        h.Engine.AddRealServer(s, Real(Rs2));

        Assert.Equal(new[]
        {
            ExpectedArp(1, Bcast, DirectorMac, DirectorIp, Zero6, Rs1),
            ExpectedArp(1, Bcast, DirectorMac, DirectorIp, Zero6, Rs2),
        }, h.Sink.Sent);
    }

    [Fact]
    public void ArpRequestForEachRealServer_WhenAddedWithTheService()
    {
        var h = new EngineHarness();
        var spec = Spec(80);
        spec.RealServers = new() { Real(Rs2), Real(Rs1) }; // newest first

        h.Engine.AddService(spec);

        var requests = h.Sink.Arp.Where(f => Frames.U16(f, 20) == 1 && Frames.U32(f, 28) == DirectorIp).Select(f => Frames.U32(f, 38)).ToList();
        Assert.Equal(new[] { Rs1, Rs2 }, requests.OrderBy(x => x));
    }

    [Fact]
    public void ArpRequest_RepeatedOnTickWhileUnresolved_OnlyForUnresolved()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.Engine.Tick(); // first tick: full refresh of every real server
        h.Resolve(Rs1);

        for (int i = 0; i < 3; i++)
        {
            h.Sink.Clear();
            h.TickAfter(1);
            var requests = h.Sink.Arp.Where(f => Frames.U32(f, 28) == DirectorIp).ToArray(); // not the repeated GARPs
            Assert.Equal(new[] { ExpectedArp(1, Bcast, DirectorMac, DirectorIp, Zero6, Rs2) }, requests);
        }

        h.Resolve(Rs2);
        h.Sink.Clear();
        h.TickAfter(1);
        Assert.Empty(h.Sink.Sent);

        // Every 30 s the director refreshes every real server, resolved or not.
        h.TickAfter(30);
        Assert.Equal(new[] { Rs1, Rs2 }, h.Sink.Arp.Where(f => Frames.U32(f, 28) == DirectorIp).Select(f => Frames.U32(f, 38)).OrderBy(x => x));
    }

    [Fact]
    public void ArpRequest_OneRequestPerAddress_WhenARealServerIsInTwoServices()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.AddService(443, LvsScheduler.Rr, (Rs1, 1));
        h.Sink.Clear();
        h.AdvanceSeconds(1);

        h.Engine.Tick();

        Assert.Single(h.Sink.Arp, f => Frames.U16(f, 20) == 1 && Frames.U32(f, 38) == Rs1);
    }

    [Fact]
    public void RealServerArpReply_TeachesItsMac()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        Assert.Equal("", h.RealServer(Rs1).MacAddress);

        h.Process(TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp));

        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);
        Assert.Equal("", h.RealServer(Rs2).MacAddress);
        Assert.DoesNotContain(h.Sink.Sent, f => Frames.U16(f, 12) != Frames.EtherTypeArp); // nothing but ARP was sent
    }

    [Fact]
    public void RealServerOwnArpRequest_DoesNotTeachItsMac_AndIsNotAnswered()
    {
        // Only a reply to the director's own request teaches a MAC (anyone can send a request from rs1's address).
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Sink.Clear();

        h.Process(TestFrames.ArpRequest(Rs1Mac, Rs1, 0x0AFA00FE)); // rs1 asks for its gateway

        Assert.Equal("", h.RealServer(Rs1).MacAddress);
        Assert.Empty(h.Sink.Sent);
    }

    [Fact]
    public void LearnedMac_FollowsAChange_AndIsSharedByEveryServiceOfTheHost()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.AddService(443, LvsScheduler.Rr, (Rs1, 1));
        h.Resolve(Rs1);
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1, 443).MacAddress);

        // The old MAC stops answering the refresh's unicast probes; the broadcast request that follows finds the new one.
        var moved = LabMac(0x01, 0x03);
        for (int i = 0; i < 4; i++) h.TickAfter(1);
        h.Process(TestFrames.ArpReply(moved, Rs1, DirectorMac, DirectorIp));
        Assert.Equal("02:4c:56:00:01:03", h.RealServer(Rs1, 80).MacAddress);
        Assert.Equal("02:4c:56:00:01:03", h.RealServer(Rs1, 443).MacAddress);

        // A service added later starts with the known MAC and sends no ARP request for it.
        h.Sink.Clear();
        h.AddService(8080, LvsScheduler.Rr, (Rs1, 1));
        Assert.Equal("02:4c:56:00:01:03", h.RealServer(Rs1, 8080).MacAddress);
        Assert.DoesNotContain(h.Sink.Arp, f => Frames.U16(f, 20) == 1 && Frames.U32(f, 38) == Rs1);
    }

    [Fact]
    public void MalformedArp_IsIgnoredWithoutThrowing()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Sink.Clear();

        var req = TestFrames.ArpRequest(ClientMac, Client, Vip);
        h.Process(req.AsSpan(0, 41).ToArray());           // truncated
        var badHw = (byte[])req.Clone(); badHw[15] = 6;     // hardware type 6 (IEEE 802)
        h.Process(badHw);
        var badLen = (byte[])req.Clone(); badLen[18] = 8;   // hardware length 8
        h.Process(badLen);
        var badProto = (byte[])req.Clone(); badProto[16] = 0x86; badProto[17] = 0xdd;
        h.Process(badProto);

        Assert.Empty(h.Sink.Sent);
        Assert.Equal("", h.RealServer(Rs1).MacAddress);
    }
}
