namespace LvsPS.Engine.Tests;

/// <summary>
/// ARP spoofing (issue 8, item 6): the director learns a real server's MAC only from a reply to its own outstanding
/// request; forged gratuitous ARP, other hosts' requests and replies nobody asked for change nothing and are counted;
/// a known MAC is checked by unicast probes its owner answers; a static MAC is never replaced; a real change is logged
/// and shown on the real server.
/// </summary>
public class EngineArpSpoofingTests
{
    private static readonly byte[] AttackerMac = LabMac(0x00, 0x66);
    private static readonly byte[] NewNicMac = LabMac(0x00, 0x33);
    private static readonly byte[] Bcast = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    /// <summary>"rs1 is-at attacker" as a broadcast reply (the frame of the issue).</summary>
    private static byte[] ForgedBroadcastReply(byte[] mac, uint ip = Rs1)
    {
        var f = new byte[42];
        Frames.BuildArp(f, 2, Bcast, mac, ip, Bcast, ip);
        return f;
    }

    /// <summary>"rs1 is-at attacker" as a gratuitous request (sender and target rs1).</summary>
    private static byte[] ForgedGratuitousRequest(byte[] mac, uint ip = Rs1)
    {
        var f = new byte[42];
        Frames.BuildArp(f, 1, Bcast, mac, ip, new byte[6], ip);
        return f;
    }

    /// <summary>A reply to the director's address and MAC, as an answer to its request would be.</summary>
    private static byte[] ReplyToDirector(byte[] mac, uint ip = Rs1) => TestFrames.ArpReply(mac, ip, DirectorMac, DirectorIp);

    private static (EngineHarness H, List<string> Log) TwoResolved()
    {
        var h = new EngineHarness();
        var log = new List<string>();
        // each line with the room and severity the engine gave it
        h.Engine.Log = (src, sev, m) => log.Add($"{src}/{sev}: {m}");
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);
        h.Sink.Clear();
        return (h, log);
    }

    /// <summary>Where eight new connections go, by destination MAC.</summary>
    private static List<string> NewConnectionMacs(EngineHarness h, ushort firstPort)
    {
        var macs = new List<string>();
        for (ushort p = firstPort; p < firstPort + 8; p++)
            macs.Add(Frames.MacToString(h.Forward(h.Tcp(p, Frames.Syn))!.AsSpan(0, 6)));
        return macs;
    }

    private static IEnumerable<byte[]> RequestsFor(EngineHarness h, uint ip) =>
        h.Sink.Arp.Where(f => Frames.U16(f, 20) == 1 && Frames.U32(f, 38) == ip && Frames.U32(f, 28) == DirectorIp);

    public static IEnumerable<object[]> Forgeries() => new[]
    {
        new object[] { "broadcast reply", ForgedBroadcastReply(AttackerMac) },
        new object[] { "gratuitous request", ForgedGratuitousRequest(AttackerMac) },
        new object[] { "unsolicited reply to the director", ReplyToDirector(AttackerMac) },
        new object[] { "request for another host", TestFrames.ArpRequest(AttackerMac, Rs1, 0x0AFA00FE) },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void ForgedArp_DoesNotMoveNewConnections_AndIsCounted(string what, byte[] forged)
    {
        var (h, log) = TwoResolved();

        h.Process(forged);

        Assert.True(h.RealServer(Rs1).MacAddress == "02:4c:56:00:00:03", what);
        Assert.Equal(LvsMacSource.Arp, h.RealServer(Rs1).MacSource);
        Assert.Equal(0, h.RealServer(Rs1).MacChanges);
        var macs = NewConnectionMacs(h, 41000);
        Assert.DoesNotContain("02:4c:56:00:00:66", macs);
        Assert.Equal(4, macs.Count(m => m == "02:4c:56:00:00:03"));
        Assert.Equal(1UL, h.Engine.DropCount(DropReason.ArpUnsolicited));
        Assert.Equal(1UL, h.Engine.GetStatus().DropsByReason["ArpUnsolicited"]);
        Assert.Contains(log, l => l.StartsWith("DataPath/Warning: arp: ", StringComparison.Ordinal) && l.Contains("10.250.0.3") && l.Contains("02:4c:56:00:00:66") && l.Contains("ignored"));
    }

    [Fact]
    public void ForgedClaim_MakesTheDirectorProbeTheKnownMac_NotTheClaimant()
    {
        var (h, _) = TwoResolved();

        h.Process(ForgedBroadcastReply(AttackerMac));

        // A unicast request to the MAC the director has: the real rs1 answers it, the attacker never sees it.
        var probe = Assert.Single(RequestsFor(h, Rs1));
        Assert.Equal(Rs1Mac, probe[..6]);
        // The attacker answering as if asked is still not a reply to that probe (it came from another MAC).
        h.Process(ReplyToDirector(AttackerMac));
        h.Resolve(Rs1);
        h.Process(ReplyToDirector(AttackerMac));
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);
        Assert.Equal(0, h.RealServer(Rs1).MacChanges);
        Assert.Equal(3UL, h.Engine.DropCount(DropReason.ArpUnsolicited));
    }

    [Fact]
    public void AFloodOfForgeries_IsOneLogLinePerMinute_AndOneProbeRoundAtATime()
    {
        var (h, log) = TwoResolved();

        for (int i = 0; i < 100; i++) h.Process(ForgedBroadcastReply(AttackerMac));

        Assert.Equal(100UL, h.Engine.DropCount(DropReason.ArpUnsolicited));
        Assert.Single(log, l => l.Contains("ignored"));
        Assert.Single(RequestsFor(h, Rs1));
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);
    }

    [Fact]
    public void ReplyWithoutAnOutstandingRequest_IsNotLearnt_EvenForAnUnresolvedServer()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Resolve(Rs1); // answers the request sent on add
        // Nothing outstanding now: a reply from another MAC (before any refresh) changes nothing.
        h.Process(ReplyToDirector(AttackerMac));
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);

        // The real server's own request for its gateway does not teach its MAC (only replies to the director do).
        var h2 = new EngineHarness();
        h2.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h2.Process(TestFrames.ArpRequest(Rs1Mac, Rs1, 0x0AFA00FE));
        Assert.Equal("", h2.RealServer(Rs1).MacAddress);
        Assert.Equal(LvsMacSource.None, h2.RealServer(Rs1).MacSource);
        h2.Resolve(Rs1);
        Assert.Equal("02:4c:56:00:00:03", h2.RealServer(Rs1).MacAddress);
    }

    [Fact]
    public void ReplyToAnotherAddress_OrFromTheInsideLink_IsNotAReplyToTheDirector()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));

        h.Process(TestFrames.ArpReply(AttackerMac, Rs1, DirectorMac, 0x0AFA00FE)); // to another IP
        h.Process(TestFrames.ArpReply(AttackerMac, Rs1, LabMac(0, 0x77), DirectorIp)); // to another MAC
        h.Engine.ProcessFrame(ReplyToDirector(AttackerMac), 1); // on a link it was not asked on

        Assert.Equal("", h.RealServer(Rs1).MacAddress);
        h.Resolve(Rs1);
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);
    }

    [Fact]
    public void ARealMacChange_IsFoundByTheProbes_LoggedAndShown()
    {
        var (h, log) = TwoResolved();
        var before = DateTime.UtcNow;

        // rs1's NIC is replaced: it announces itself; the old MAC no longer answers.
        h.Process(ForgedGratuitousRequest(NewNicMac));
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);
        h.TickAfter(1);
        h.TickAfter(1);
        Assert.Equal(3, RequestsFor(h, Rs1).Count(f => f.AsSpan(0, 6).SequenceEqual(Rs1Mac)));
        h.Sink.Clear();
        h.TickAfter(1); // three unicast probes unanswered: now broadcast
        Assert.Equal(Bcast, Assert.Single(RequestsFor(h, Rs1))[..6]);
        h.Process(ReplyToDirector(NewNicMac));

        var rs1 = h.RealServer(Rs1);
        Assert.Equal("02:4c:56:00:00:33", rs1.MacAddress);
        Assert.Equal(1, rs1.MacChanges);
        Assert.Equal("02:4c:56:00:00:03", rs1.PreviousMacAddress);
        Assert.NotNull(rs1.MacChangedAt);
        Assert.InRange(rs1.MacChangedAt!.Value, before, DateTime.UtcNow);
        Assert.Contains(log, l => l.Contains("10.250.0.3") && l.Contains("02:4c:56:00:00:03") && l.Contains("02:4c:56:00:00:33"));
        Assert.Contains("02:4c:56:00:00:33", NewConnectionMacs(h, 42000));
        Assert.Equal(0, h.RealServer(Rs2).MacChanges);
    }

    [Fact]
    public void TheRefresh_ProbesTheKnownMacByUnicast_AndItsAnswerKeepsIt()
    {
        var (h, _) = TwoResolved();
        h.TickAfter(1); // first tick: the refresh round
        var probes = RequestsFor(h, Rs1).ToList();
        Assert.Equal(Rs1Mac, Assert.Single(probes)[..6]);
        h.Resolve(Rs1);
        h.Sink.Clear();
        h.TickAfter(1);
        Assert.Empty(RequestsFor(h, Rs1)); // answered: no more probes until the next refresh
        h.TickAfter(30);
        Assert.Single(RequestsFor(h, Rs1));
    }

    private static RealServerSpec WithMac(uint rs, string? mac) => new() { Address = Ip(rs), Weight = 1, MacAddress = mac };

    [Fact]
    public void StaticMac_IsUsed_NeverAskedFor_AndNeverReplaced()
    {
        var h = new EngineHarness();
        var log = new List<string>();
        h.Engine.Log = (_, _, m) => log.Add(m);
        var spec = h.AddService(80, LvsScheduler.Rr);
        h.Sink.Clear();

        h.Engine.AddRealServer(spec, WithMac(Rs1, "02:4C:56:00:00:03"));

        Assert.Empty(h.Sink.Sent); // no ARP request for it
        var rs1 = h.RealServer(Rs1);
        Assert.Equal("02:4c:56:00:00:03", rs1.MacAddress);
        Assert.Equal(LvsMacSource.Static, rs1.MacSource);
        Assert.Contains(log, l => l.Contains("static MAC 02:4c:56:00:00:03"));
        Assert.Equal(Rs1, h.Syn(40000));

        foreach (var forged in Forgeries()) h.Process((byte[])forged[1]);
        h.Process(ReplyToDirector(AttackerMac));
        for (int i = 0; i < 35; i++) h.TickAfter(1);

        Assert.DoesNotContain(h.Sink.Arp, f => Frames.U16(f, 20) == 1 && Frames.U32(f, 38) == Rs1);
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);
        Assert.Equal(0, h.RealServer(Rs1).MacChanges);
        Assert.All(Enumerable.Range(0, 8).Select(i => h.Syn((ushort)(40100 + i))), r => Assert.Equal(Rs1, r));
    }

    [Fact]
    public void StaticMac_IsSavedInTheState_AndRestored()
    {
        var h = new EngineHarness();
        var spec = Spec(80);
        spec.RealServers = new() { WithMac(Rs1, "02:4c:56:00:00:03"), WithMac(Rs2, null) };
        h.Engine.AddService(spec);

        var state = h.Engine.ExportState();
        var saved = state.Services.Single().RealServers;
        Assert.Equal("02:4c:56:00:00:03", saved.Single(r => r.Address.Equals(Ip(Rs1))).MacAddress);
        Assert.Null(saved.Single(r => r.Address.Equals(Ip(Rs2))).MacAddress);
        Assert.Contains("\"macAddress\":\"02:4c:56:00:00:03\"", h.State());
        AssertRestoresThroughJson(state);
    }

    [Fact]
    public void StaticMac_ChangedAndCleared_ByEdit()
    {
        var h = new EngineHarness();
        var spec = h.AddService(80, LvsScheduler.Rr);
        h.Engine.AddRealServer(spec, WithMac(Rs1, "02:4c:56:00:00:03"));

        h.Engine.EditRealServer(spec, WithMac(Rs1, "02-4c-56-00-00-33"));
        Assert.Equal("02:4c:56:00:00:33", h.RealServer(Rs1).MacAddress);
        Assert.Equal(LvsMacSource.Static, h.RealServer(Rs1).MacSource);

        // Cleared: learnt by ARP from now on; until answered it has none.
        h.Sink.Clear();
        h.Engine.EditRealServer(spec, WithMac(Rs1, null));
        Assert.Equal(LvsMacSource.None, h.RealServer(Rs1).MacSource);
        Assert.Equal(Bcast, Assert.Single(RequestsFor(h, Rs1))[..6]);
        h.Resolve(Rs1);
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1).MacAddress);
        Assert.Equal(LvsMacSource.Arp, h.RealServer(Rs1).MacSource);
        Assert.Null(h.Engine.ExportState().Services[0].RealServers[0].MacAddress);
    }

    [Fact]
    public void StaticMacInOneService_IsNotReplacedByWhatAnotherServiceLearns()
    {
        var h = new EngineHarness();
        var web = h.AddService(80, LvsScheduler.Rr);
        h.Engine.AddRealServer(web, WithMac(Rs1, "02:4c:56:00:00:33"));
        h.AddService(443, LvsScheduler.Rr, (Rs1, 1));

        h.Resolve(Rs1);

        Assert.Equal("02:4c:56:00:00:33", h.RealServer(Rs1, 80).MacAddress);
        Assert.Equal("02:4c:56:00:00:03", h.RealServer(Rs1, 443).MacAddress);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01")]
    [InlineData("ff:ff:ff:ff:ff:ff")]
    [InlineData("00:00:00:00:00:00")]
    [InlineData("02:4c:56:00:00")]
    [InlineData("02:4c:56:00:00:zz")]
    [InlineData("02:4c:56:00:00:003")]
    public void BadStaticMac_IsRefused_AndNothingChanges(string mac)
    {
        var h = new EngineHarness();
        var spec = h.AddService(80, LvsScheduler.Rr, (Rs2, 1));

        h.AssertRefused(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, () => h.Engine.AddRealServer(spec, WithMac(Rs1, mac)));
        h.AssertRefused(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, () => h.Engine.EditRealServer(spec, WithMac(Rs2, mac)));
        var e = Assert.Throws<LvsException>(() => SpecValidator.MacAddress(mac));
        Assert.Contains(mac, e.Message);
    }
}
