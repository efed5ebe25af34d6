namespace LvsPS.Engine.Tests;

/// <summary>
/// Persistent services (ipvsadm -p/-M) with persistence templates as ip_vs_sched_persist makes them:
/// template = (proto, client &amp; mask, port 0, VIP, port), shown with client port 0 and state NONE, counted in
/// PersistConn, re-armed to the full persistence timeout whenever it places a connection.
/// </summary>
public class EnginePersistenceTests
{
    private const uint OtherClient = 0x0AFA00C9;   // 10.250.0.201 (same /24 as Client)
    private const uint FarClient = 0x0AFA01C8;     // 10.250.1.200

    private static ServiceSpec PSpec(uint timeout = 300, string? mask = null, ushort port = 80,
        LvsProtocol protocol = LvsProtocol.Tcp, LvsScheduler scheduler = LvsScheduler.Rr)
    {
        var s = Spec(port, scheduler, protocol);
        s.PersistentTimeout = timeout;
        s.PersistenceNetmask = mask is null ? null : IPAddress.Parse(mask);
        return s;
    }

    /// <summary>rs1 and rs2, weight 1 each; the list is [rs2, rs1], so rr picks rs2 first.</summary>
    private static EngineHarness TwoServers(ServiceSpec spec)
    {
        var h = Resolved(spec, (Rs1, 1), (Rs2, 1));
        h.Sink.Clear();
        return h;
    }

    /// <summary><see cref="EstablishedOnRs2"/>, then Rs2 deleted (its connection and template stay, pointing at it).</summary>
    private static EngineHarness EstablishedOnRs2ThenDeleted()
    {
        var h = EstablishedOnRs2();
        h.Engine.DeleteRealServer(PSpec(300), Real(Rs2));
        return h;
    }

    /// <summary>Two servers behind a 300 s persistent service; the client's connection from port 40000 is established on Rs2.</summary>
    private static EngineHarness EstablishedOnRs2()
    {
        var h = TwoServers(PSpec(300));
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        h.Forward(h.Tcp(40000, Frames.Ack));
        return h;
    }

    private static uint? SynFrom(EngineHarness h, uint client, ushort clientPort, ushort port = 80) =>
        RealServerOf(h.Forward(h.Tcp(clientPort, Frames.Syn, 0, port, client: client)));

    private static List<LvsConnection> Templates(EngineHarness h) =>
        h.Engine.ListConnections().Where(c => c.ClientPort == 0).ToList();

    private static LvsConnection Template(EngineHarness h, uint clientNet, ushort port = 80) =>
        Templates(h).Single(c => c.ClientAddress.Equals(Ip(clientNet)) && c.Port == port);

    private static void AssertCounts(EngineHarness h, uint rs, int active, int inactive, int persistent, ushort port = 80, LvsProtocol protocol = LvsProtocol.Tcp)
    {
        var r = h.RealServer(rs, port, protocol);
        Assert.Equal((active, inactive, persistent), (r.ActiveConnections, r.InactiveConnections, r.PersistentConnections));
    }

    private static void Tick(EngineHarness h, double seconds) => h.TickAfter(seconds);

    // ------------------------------------------------------------------ templates

    [Fact]
    public void FirstConnection_CreatesATemplate_ShownWithPort0AndStateNone()
    {
        var h = TwoServers(PSpec(300));

        Assert.Equal(Rs2, SynFrom(h, Client, 40000));

        var all = h.Engine.ListConnections();
        Assert.Equal(2, all.Count);
        Assert.Equal(2, h.Engine.ConnectionCount);
        var t = Template(h, Client);
        Assert.Equal(LvsProtocol.Tcp, t.Protocol);
        Assert.Equal((ushort)0, t.ClientPort);
        Assert.Equal(Ip(Vip), t.VirtualAddress);
        Assert.Equal((ushort)80, t.Port);
        Assert.Equal(Ip(Rs2), t.RealAddress);
        Assert.Equal((ushort)80, t.RealPort);
        Assert.Equal(LvsConnectionState.None, t.State);
        Assert.Equal(300, t.ExpiresInSeconds);
        Assert.Equal(0UL, t.Packets);
        var c = h.Connection(40000);
        Assert.Equal(LvsConnectionState.SynRecv, c.State);
        Assert.Equal(Ip(Rs2), c.RealAddress);

        // The template is counted in PersistConn only, not in ActiveConn/InActConn nor in the Conns statistic.
        AssertCounts(h, Rs2, 1, 0, 1);
        AssertCounts(h, Rs1, 0, 0, 0);
        Assert.Equal(1, h.Service().ActiveConnections);
        Assert.Equal(0, h.Service().InactiveConnections);
        Assert.Equal(1UL, h.Service().Statistics.Connections);
        Assert.Equal(1UL, h.RealServer(Rs2).Statistics.Connections);
        Assert.Equal(1UL, h.Service().Statistics.InPackets);
    }

    [Fact]
    public void SameClient_EveryNewConnection_GoesToTheTemplatesServer_WithoutAskingTheScheduler()
    {
        var h = TwoServers(PSpec(300));

        for (ushort p = 40000; p < 40010; p++)
            Assert.Equal(Rs2, SynFrom(h, Client, p));

        Assert.Single(Templates(h));
        Assert.Equal(11, h.Engine.ConnectionCount);
        AssertCounts(h, Rs2, 10, 0, 1);
        AssertCounts(h, Rs1, 0, 0, 0);
        Assert.Equal(10UL, h.Service().Statistics.Connections);

        // rr was asked once so far (for the first connection): the next client gets the next server, then rr goes on.
        Assert.Equal(Rs1, SynFrom(h, OtherClient, 50000));
        Assert.Equal(Rs2, SynFrom(h, FarClient, 50000));
        Assert.Equal(Rs1, SynFrom(h, OtherClient, 50001));
        Assert.Equal(3, Templates(h).Count);
        AssertCounts(h, Rs1, 2, 0, 1);
        AssertCounts(h, Rs2, 11, 0, 2);
    }

    [Fact]
    public void NonPersistentService_MakesNoTemplates()
    {
        var h = TwoServers(PSpec(0));

        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        Assert.Equal(Rs1, SynFrom(h, Client, 40001));

        Assert.Empty(Templates(h));
        AssertCounts(h, Rs2, 1, 0, 0);
        AssertCounts(h, Rs1, 1, 0, 0);
    }

    [Fact]
    public void Netmask_ClientsOfOneNetwork_ShareATemplate_KeyedByTheMaskedAddress()
    {
        var h = TwoServers(PSpec(300, "255.255.255.0"));

        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        Assert.Equal(Rs2, SynFrom(h, OtherClient, 40000));       // same /24
        Assert.Equal(Rs2, SynFrom(h, 0x0AFA0007, 33333));         // 10.250.0.7, same /24
        Assert.Equal(Rs1, SynFrom(h, FarClient, 40000));          // 10.250.1.0/24: scheduled
        Assert.Equal(Rs1, SynFrom(h, FarClient + 5, 40000));

        var templates = Templates(h);
        Assert.Equal(2, templates.Count);
        Assert.Equal(Ip(Rs2), Template(h, 0x0AFA0000).RealAddress);   // 10.250.0.0
        Assert.Equal(Ip(Rs1), Template(h, 0x0AFA0100).RealAddress);   // 10.250.1.0
        AssertCounts(h, Rs2, 3, 0, 1);
        AssertCounts(h, Rs1, 2, 0, 1);
        // The connections themselves keep the real client address.
        Assert.Contains(h.Engine.ListConnections(), c => c.ClientAddress.Equals(Ip(OtherClient)) && c.ClientPort == 40000);
    }

    [Fact]
    public void DefaultNetmask_IsPerClientAddress()
    {
        var h = TwoServers(PSpec(300));

        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        Assert.Equal(Rs1, SynFrom(h, OtherClient, 40000));
        Assert.Equal(Rs2, SynFrom(h, Client, 40001));
        Assert.Equal(Rs1, SynFrom(h, OtherClient, 40001));

        Assert.Equal(new[] { Ip(Client), Ip(OtherClient) }.OrderBy(a => a.ToString()),
            Templates(h).Select(t => t.ClientAddress).OrderBy(a => a.ToString()));
    }

    [Fact]
    public void TemplatesArePerService()
    {
        var h = new EngineHarness();
        h.AddService(PSpec(300, port: 80), (Rs1, 1), (Rs2, 1));
        h.AddService(PSpec(300, port: 443), (Rs1, 1), (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);

        Assert.Equal(Rs2, SynFrom(h, Client, 40000, 80));
        Assert.Equal(Rs2, SynFrom(h, Client, 40001, 443)); // its own rr, its own template
        Assert.Equal(Rs2, SynFrom(h, Client, 40002, 80));
        Assert.Equal(Rs1, SynFrom(h, OtherClient, 40000, 443));

        Assert.Equal(3, Templates(h).Count);
        Assert.Equal(Ip(Rs2), Template(h, Client, 80).RealAddress);
        Assert.Equal(Ip(Rs2), Template(h, Client, 443).RealAddress);
        AssertCounts(h, Rs2, 2, 0, 1, 80);
        AssertCounts(h, Rs2, 1, 0, 1, 443);
        AssertCounts(h, Rs1, 1, 0, 1, 443);
    }

    [Fact]
    public void UdpService_DatagramsFromManyPorts_StickToOneServer()
    {
        var h = Resolved(PSpec(120, port: 53, protocol: LvsProtocol.Udp), (Rs1, 1), (Rs2, 1));

        for (ushort p = 5000; p < 5005; p++)
            Assert.Equal(Rs2, RealServerOf(h.Forward(h.Udp(p))));
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Udp(5000, client: OtherClient))));

        var t = Template(h, Client, 53);
        Assert.Equal(LvsProtocol.Udp, t.Protocol);
        Assert.Equal(LvsConnectionState.None, t.State);
        Assert.Equal(120, t.ExpiresInSeconds);
        AssertCounts(h, Rs2, 0, 5, 1, 53, LvsProtocol.Udp);
        AssertCounts(h, Rs1, 0, 1, 1, 53, LvsProtocol.Udp);
    }

    [Fact]
    public void PortReusedAfterTimeWait_GoesBackToTheSameServer()
    {
        // Without persistence rr moves on (NewSyn_OnAFinishedEntry_IsRescheduled); the template keeps the client.
        var h = TwoServers(PSpec(300));
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        Assert.Equal(LvsConnectionState.TimeWait, h.Connection(40000).State);

        Assert.Equal(Rs2, SynFrom(h, Client, 40000));

        Assert.Equal(LvsConnectionState.SynRecv, h.Connection(40000).State);
        Assert.Single(Templates(h));
        Assert.Equal(2, h.Engine.ConnectionCount);
        AssertCounts(h, Rs2, 1, 0, 1);
        Assert.Equal(2UL, h.RealServer(Rs2).Statistics.Connections);
    }

    // ------------------------------------------------------------------ timers

    [Fact]
    public void PacketsOfExistingConnections_DoNotReArmTheTemplate_ANewConnectionDoes()
    {
        var h = EstablishedOnRs2();

        h.AdvanceSeconds(200);
        Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Ack, 100)));
        Assert.Equal(100, Template(h, Client).ExpiresInSeconds);
        Assert.Equal(900, h.Connection(40000).ExpiresInSeconds);

        Assert.Equal(Rs2, SynFrom(h, Client, 40001));
        Assert.Equal(300, Template(h, Client).ExpiresInSeconds); // full persistence timeout again

        h.AdvanceSeconds(250);
        Assert.Equal(50, Template(h, Client).ExpiresInSeconds);
    }

    [Fact]
    public void TemplateOutlivesItsConnections_ThenExpires_AndTheClientIsScheduledAfresh()
    {
        var h = EstablishedOnRs2();
        h.Forward(h.Tcp(40000, Frames.Rst));          // CLOSE: 10 s

        Tick(h, 10);
        Assert.Single(h.Engine.ListConnections());     // only the template is left
        AssertCounts(h, Rs2, 0, 0, 1);
        Assert.Equal(290, Template(h, Client).ExpiresInSeconds);

        Tick(h, 289.999);
        Assert.Single(Templates(h));
        Assert.Equal(1, Template(h, Client).ExpiresInSeconds);

        Tick(h, 0.001);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0, h.Engine.ConnectionCount);
        AssertCounts(h, Rs2, 0, 0, 0);

        // No template: rr decides, and it had stopped on rs2.
        Assert.Equal(Rs1, SynFrom(h, Client, 40001));
        Assert.Equal(Ip(Rs1), Template(h, Client).RealAddress);
        AssertCounts(h, Rs1, 1, 0, 1);
    }

    [Fact]
    public void UsingTheTemplateBeforeItExpires_KeepsTheClientOnItsServer()
    {
        var h = EstablishedOnRs2();
        h.Forward(h.Tcp(40000, Frames.Rst));

        ushort port = 40001;
        for (int i = 0; i < 5; i++)
        {
            Tick(h, 299);
            Assert.Equal(Rs2, SynFrom(h, Client, port));
            h.Forward(h.Tcp(port, Frames.Ack));
            h.Forward(h.Tcp(port, Frames.Rst));
            port++;
        }

        Assert.Single(Templates(h));
        Assert.Equal(6UL, h.RealServer(Rs2).Statistics.Connections);
        Assert.Equal(0UL, h.RealServer(Rs1).Statistics.Connections);
    }

    [Fact]
    public void TemplateStillControllingAConnection_IsKeptAtExpiry_AndGoesOnceTheConnectionIsGone()
    {
        var h = TwoServers(PSpec(300));
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        h.Forward(h.Tcp(40000, Frames.Ack));          // ESTABLISHED: 900 s, far longer than the template

        for (int t = 1; t <= 4; t++)
        {
            Tick(h, 100);
            Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
        }
        // 400 s: the template's 300 s ran out while it still controlled the connection.
        var tpl = Template(h, Client);
        Assert.True(tpl.ExpiresInSeconds > 0, "re-armed, not expired");
        AssertCounts(h, Rs2, 1, 0, 1);

        // The client is still bound to rs2 (a new connection does not go to rs1, rr's next pick).
        Assert.Equal(Rs2, SynFrom(h, Client, 40001));
        h.Forward(h.Tcp(40001, Frames.Rst));           // SYN_RECV + RST stays SYN_RECV (60 s)

        // The long connection ends: FIN_WAIT (120 s).
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        Tick(h, 120);
        Assert.Single(h.Engine.ListConnections());
        AssertCounts(h, Rs2, 0, 0, 1);

        // From now on nothing is controlled: the template goes within one persistence timeout.
        for (int i = 0; i < 300 && Templates(h).Count > 0; i++) Tick(h, 1);
        Assert.Empty(h.Engine.ListConnections());
        AssertCounts(h, Rs2, 0, 0, 0);
    }

    [Fact]
    public void TemplateStillControllingAConnection_IsReArmedFor60Seconds_AsTheKernelDoes()
    {
        var h = EstablishedOnRs2();

        Tick(h, 300);

        Assert.Equal(60, Template(h, Client).ExpiresInSeconds);
        // ip_vs_conn_put(ct) in ip_vs_sched_persist re-arms with ct->timeout, now 60 s.
        Assert.Equal(Rs2, SynFrom(h, Client, 40001));
        Assert.Equal(60, Template(h, Client).ExpiresInSeconds);
    }

    // ------------------------------------------------------------------ destinations

    [Fact]
    public void QuiescedServer_KeepsItsPersistentClients_NewClientsGoElsewhere()
    {
        var h = TwoServers(PSpec(300));
        var s = PSpec(300);
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));

        h.Engine.EditRealServer(s, Real(Rs2, 0));

        // expire_quiescent_template=0: the template still places the client on the weight-0 server.
        Assert.Equal(Rs2, SynFrom(h, Client, 40001));
        Assert.Equal(Rs2, SynFrom(h, Client, 40002));
        Assert.Equal(Rs1, SynFrom(h, OtherClient, 40000));
        Assert.Equal(Rs1, SynFrom(h, FarClient, 40000));
        AssertCounts(h, Rs2, 3, 0, 1);
        AssertCounts(h, Rs1, 2, 0, 2);
        Assert.Equal(300, Template(h, Client).ExpiresInSeconds);
    }

    [Fact]
    public void QuiescedOnlyServer_PersistentClientStillServed_NewClientGetsIcmp()
    {
        var h = new EngineHarness();
        var s = h.AddService(PSpec(300), (Rs1, 1));
        h.Resolve(Rs1);
        Assert.Equal(Rs1, SynFrom(h, Client, 40000));
        h.Engine.EditRealServer(s, Real(Rs1, 0));
        h.Sink.Clear();

        Assert.Equal(Rs1, SynFrom(h, Client, 40001));

        var icmp = h.Forward(h.Tcp(40000, Frames.Syn, client: OtherClient));
        Assert.NotNull(icmp);
        Assert.Equal(ClientMac, icmp![..6]);
        Assert.Equal(1, icmp[23]);                       // ICMP
        Assert.Equal(1UL, h.Engine.IcmpUnreachableSent);
        Assert.DoesNotContain(Templates(h), t => t.ClientAddress.Equals(Ip(OtherClient)));
        AssertCounts(h, Rs1, 2, 0, 1);
    }

    [Fact]
    public void DeletedServer_ItsTemplateIsExpiredOnUse_AndTheClientRescheduled()
    {
        var h = EstablishedOnRs2ThenDeleted();

        // Packets of the old connection are dropped (expire_nodest_conn=0) ...
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
        // ... but a new connection is not sent to the deleted server: the template is invalid, rr picks rs1.
        Assert.Equal(Rs1, SynFrom(h, Client, 40001));

        var templates = Templates(h);
        var t = Assert.Single(templates);
        Assert.Equal(Ip(Rs1), t.RealAddress);
        Assert.Equal(300, t.ExpiresInSeconds);
        AssertCounts(h, Rs1, 1, 0, 1);
        Assert.Equal(Rs1, SynFrom(h, Client, 40002));
        AssertCounts(h, Rs1, 2, 0, 1);
    }

    [Fact]
    public void DeletedServer_AddedBackBeforeTheClientReturns_TheTemplateIsValidAgain()
    {
        var h = EstablishedOnRs2ThenDeleted();
        h.Engine.AddRealServer(PSpec(300), Real(Rs2));
        h.Resolve(Rs2);

        // ip_vs_trash_get_dest brought the same destination back, so the template still points at a live one.
        Assert.Equal(Rs2, SynFrom(h, Client, 40001));
        Assert.Equal(Rs2, RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 10))));
        Assert.Single(Templates(h));
        AssertCounts(h, Rs2, 2, 0, 1);
    }

    [Fact]
    public void DeletedServer_TemplatesAndConnectionsExpire_CountersReturnToZero()
    {
        var h = EstablishedOnRs2ThenDeleted();

        for (int i = 0; i < 20; i++) Tick(h, 100);

        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0, h.Engine.ConnectionCount);
        // Added back after everything expired: a fresh destination with no counts.
        h.Engine.AddRealServer(PSpec(300), Real(Rs2));
        AssertCounts(h, Rs2, 0, 0, 0);
    }

    [Fact]
    public void NoServerAvailable_IcmpAndNoTemplate()
    {
        var h = new EngineHarness();
        h.AddService(PSpec(300));
        h.Sink.Clear();

        var icmp = h.Forward(h.Tcp(40000, Frames.Syn));

        Assert.NotNull(icmp);
        Assert.Equal(1UL, h.Engine.IcmpUnreachableSent);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0, h.Engine.ConnectionCount);
    }

    [Fact]
    public void DeleteService_RemovesItsTemplates()
    {
        var h = new EngineHarness();
        var web = h.AddService(PSpec(300, port: 80), (Rs1, 1));
        h.AddService(PSpec(300, port: 443), (Rs1, 1));
        h.Resolve(Rs1);
        SynFrom(h, Client, 40000, 80);
        SynFrom(h, Client, 40000, 443);
        Assert.Equal(4, h.Engine.ConnectionCount);

        h.Engine.DeleteService(web);

        Assert.Equal(2, h.Engine.ConnectionCount);
        Assert.All(h.Engine.ListConnections(), c => Assert.Equal((ushort)443, c.Port));
        AssertCounts(h, Rs1, 1, 0, 1, 443);
    }

    // ------------------------------------------------------------------ editing the service

    [Fact]
    public void EditService_TurnsPersistenceOn_ForNewConnections()
    {
        var h = TwoServers(PSpec(0));
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));

        h.Engine.EditService(PSpec(600, "255.255.255.0"));

        Assert.Equal((600u, IPAddress.Parse("255.255.255.0")), (h.Service().PersistentTimeout, h.Service().PersistenceNetmask));
        Assert.Equal(Rs1, SynFrom(h, Client, 40001));
        Assert.Equal(Rs1, SynFrom(h, OtherClient, 40002));
        Assert.Equal(600, Template(h, 0x0AFA0000).ExpiresInSeconds);
        Assert.Single(Templates(h));
    }

    [Fact]
    public void EditService_TurnsPersistenceOff_NewConnectionsAreScheduledAgain_OldTemplatesJustExpire()
    {
        var h = TwoServers(PSpec(300));
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));

        h.Engine.EditService(PSpec(0));

        Assert.Equal(0u, h.Service().PersistentTimeout);
        Assert.Null(h.Service().PersistenceNetmask);
        Assert.Equal(Rs1, SynFrom(h, Client, 40001));
        Assert.Equal(Rs2, SynFrom(h, Client, 40002));
        Assert.Single(Templates(h));

        h.Forward(h.Tcp(40000, Frames.Rst));
        h.Forward(h.Tcp(40002, Frames.Rst));
        for (int i = 0; i < 10; i++) Tick(h, 60);
        Assert.Empty(h.Engine.ListConnections());
        AssertCounts(h, Rs2, 0, 0, 0);
        AssertCounts(h, Rs1, 0, 0, 0);
    }

    [Fact]
    public void ListServicesAndExportState_ShowPersistence_AndTheStateRestores()
    {
        var h = new EngineHarness();
        h.AddService(PSpec(3600, "255.255.0.0"), (Rs1, 1));
        h.AddService(PSpec(60, port: 443), (Rs2, 1));
        h.AddService(PSpec(0, port: 8080), (Rs3, 1));

        var web = h.Service(80);
        Assert.Equal(3600u, web.PersistentTimeout);
        Assert.Equal(IPAddress.Parse("255.255.0.0"), web.PersistenceNetmask);
        Assert.Equal(60u, h.Service(443).PersistentTimeout);
        Assert.Null(h.Service(443).PersistenceNetmask); // /32 is the default
        Assert.Equal(0u, h.Service(8080).PersistentTimeout);

        var state = h.Engine.ExportState();
        var exported = state.Services.Single(s => s.Port == 80);
        Assert.Equal(3600u, exported.PersistentTimeout);
        Assert.Equal(IPAddress.Parse("255.255.0.0"), exported.PersistenceNetmask);

        AssertRestoresThroughJson(state);
    }

    // ------------------------------------------------------------------ validation

    private static void AssertRefused(EngineHarness h, Action call) =>
        h.AssertRefused(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument, call);

    private static EngineHarness Configured()
    {
        var h = Resolved(PSpec(300), (Rs1, 1), (Rs2, 1));
        SynFrom(h, Client, 40000);
        return h;
    }

    [Theory]
    [InlineData(2678401u)]
    [InlineData(4000000000u)]
    [InlineData(uint.MaxValue)]
    public void PersistentTimeout_OverOneMonth_IsRefused(uint timeout)
    {
        var h = Configured();
        var add = PSpec(timeout, port: 8080);
        AssertRefused(h, () => h.Engine.AddService(add));
        var edit = PSpec(timeout);
        AssertRefused(h, () => h.Engine.EditService(edit));
        Assert.Equal(300u, h.Service().PersistentTimeout);
    }

    [Fact]
    public void PersistentTimeout_OneMonth_IsAccepted()
    {
        var h = Configured();
        h.Engine.AddService(PSpec(2678400, port: 8080));
        Assert.Equal(2678400u, h.Service(8080).PersistentTimeout);
        h.Engine.EditService(PSpec(2678400));
        Assert.Equal(2678400u, h.Service().PersistentTimeout);
        Assert.Equal(Rs2, SynFrom(h, Client, 40001));
        // As in ip_vs_sched_persist, a template keeps the timeout it was made with (ct->timeout = svc->timeout at
        // creation); only templates made after the edit get the month.
        Assert.Equal(300, Template(h, Client).ExpiresInSeconds);
    }

    [Theory]
    [InlineData("255.0.255.0")]
    [InlineData("255.255.255.1")]
    [InlineData("0.255.255.255")]
    [InlineData("255.255.254.255")]
    [InlineData("1.0.0.0")]
    [InlineData("ffff:ffff:ffff:ffff::")]
    public void NonContiguousOrNonIPv4Netmask_IsRefused(string mask)
    {
        var h = Configured();
        var add = PSpec(300, mask, port: 8080);
        AssertRefused(h, () => h.Engine.AddService(add));
        var edit = PSpec(300, mask);
        AssertRefused(h, () => h.Engine.EditService(edit));
    }

    [Fact]
    public void RefusedEditService_DoesNotChangeTheSchedulerEither()
    {
        var h = Configured();
        var edit = PSpec(300, "255.0.255.0", scheduler: LvsScheduler.Wlc);
        AssertRefused(h, () => h.Engine.EditService(edit));
        Assert.Equal(LvsScheduler.Rr, h.Service().Scheduler);
    }

    [Theory]
    [InlineData("255.255.255.255")]
    [InlineData("255.255.255.0")]
    [InlineData("255.255.0.0")]
    [InlineData("128.0.0.0")]
    [InlineData("255.255.255.254")]
    public void ContiguousNetmasks_AreAccepted(string mask)
    {
        var h = Configured();
        h.Engine.AddService(PSpec(300, mask, port: 8080));
        Assert.Equal(300u, h.Service(8080).PersistentTimeout);
    }

    [Fact]
    public void AllZeroNetmask_OneTemplateForEveryClient()
    {
        var h = Resolved(PSpec(300, "0.0.0.0"), (Rs1, 1), (Rs2, 1));

        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        Assert.Equal(Rs2, SynFrom(h, FarClient, 40000));
        Assert.Equal(Rs2, SynFrom(h, 0x0B000001, 40000));  // 11.0.0.1

        Assert.Equal(Ip(0), Assert.Single(Templates(h)).ClientAddress);
    }

    // ------------------------------------------------------------------ client port 0


    [Fact]
    public void ClientPort0_AfterTheTemplate_DoesNotTurnTheTemplateIntoAConnection()
    {
        var h = TwoServers(PSpec(300));
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));
        h.Forward(h.Tcp(40000, Frames.Ack));                  // ESTABLISHED, ActiveConn 1

        // Segments from source port 0 (a broken stack, a scanner) while the client's template exists.
        h.Forward(h.Tcp(0, Frames.Syn));
        h.Forward(h.Tcp(0, Frames.Ack));
        h.Forward(h.Tcp(0, Frames.Fin | Frames.Ack));

        // ASSURED: its connection got ESTABLISHED (ip_vs_control_assure_ct)
        var templates = h.Engine.ListConnections().Where(c => c.State == LvsConnectionState.Assured).ToList();
        var t = Assert.Single(templates);                      // still a template: state ASSURED ...
        Assert.Equal(300, t.ExpiresInSeconds);                 // ... and the persistence timer, not a TCP one
        var r = h.RealServer(Rs2);
        Assert.Equal(1, r.PersistentConnections);
        Assert.True(r.ActiveConnections >= 1, $"the established connection is still active (ActiveConn {r.ActiveConnections})");
        Assert.True(r.InactiveConnections >= 0, $"InActConn {r.InactiveConnections}");
        Assert.Equal(r.ActiveConnections + r.InactiveConnections, h.Engine.ConnectionCount - 1);

        // Once everything has expired every counter is back to zero.
        for (int i = 0; i < 30; i++) Tick(h, 100);
        Assert.Empty(h.Engine.ListConnections());
        r = h.RealServer(Rs2);
        Assert.Equal((0, 0, 0), (r.ActiveConnections, r.InactiveConnections, r.PersistentConnections));
    }

    [Fact]
    public void ClientPort0_BeforeTheTemplate_ItsConnectionIsNotUsedAsTheTemplate()
    {
        var h = TwoServers(PSpec(300));
        Assert.Equal(Rs2, SynFrom(h, Client, 0));               // makes the template and a port-0 connection
        Assert.Equal(60, h.Engine.ListConnections().Single(c => c.State == LvsConnectionState.SynRecv).ExpiresInSeconds);

        h.AdvanceSeconds(10);
        Assert.Equal(Rs2, SynFrom(h, Client, 40000));

        // The new connection re-arms the template, not the port-0 connection (SYN_RECV: 60 s, 50 s left).
        var port0 = h.Engine.ListConnections().Where(c => c.ClientPort == 0 && c.State == LvsConnectionState.SynRecv).ToList();
        Assert.Equal(50, Assert.Single(port0).ExpiresInSeconds);
        Assert.Equal(300, Assert.Single(h.Engine.ListConnections(), c => c.State == LvsConnectionState.None).ExpiresInSeconds);
    }
}
