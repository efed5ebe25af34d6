namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// SCTP services on a kernel director: the ipvsadm command lines (--sctp-service, which has no short form) and the
/// listings and connection entries ipvsadm prints for them, read back as they were written.
/// </summary>
public sealed class IpvsadmSctpTests
{
    private static IPAddress A(string s) => IPAddress.Parse(s);

    private static ServiceSpec Svc(string vip = "10.0.0.101", ushort port = 3868) =>
        new() { Address = A(vip), Port = port, Protocol = LvsProtocol.Sctp, Scheduler = LvsScheduler.Rr };

    private static RealServerSpec Rs(string addr = "10.0.0.3", ushort port = 3868, LvsForwarding fwd = LvsForwarding.Route) =>
        new() { Address = A(addr), Port = port, Forwarding = fwd, Weight = 1 };

    // --- commands ---------------------------------------------------------------------------------------------

    [Fact]
    public void ServiceCommandsUseSctpService()
    {
        Assert.Equal(new[] { "-A", "--sctp-service", "10.0.0.101:3868", "-s", "rr" }, IpvsadmCommandBuilder.AddService(Svc()).Arguments);
        Assert.Equal("ipvsadm '-A' '--sctp-service' '10.0.0.101:3868' '-s' 'rr'", IpvsadmCommandBuilder.AddService(Svc()).CommandLine);
        Assert.Equal(new[] { "-E", "--sctp-service", "10.0.0.101:3868", "-s", "rr" }, IpvsadmCommandBuilder.EditService(Svc()).Arguments);
        Assert.Equal(new[] { "-D", "--sctp-service", "10.0.0.101:3868" }, IpvsadmCommandBuilder.DeleteService(Svc()).Arguments);
        Assert.Equal(new[] { "-Z", "--sctp-service", "10.0.0.101:3868" }, IpvsadmCommandBuilder.Zero(Svc()).Arguments);
        Assert.Equal(new[] { "-A", "--sctp-service", "[2001:db8::101]:3868", "-s", "rr" },
            IpvsadmCommandBuilder.AddService(Svc("2001:db8::101")).Arguments);
    }

    [Fact]
    public void RealServerCommandsUseSctpService()
    {
        Assert.Equal(new[] { "-a", "--sctp-service", "10.0.0.101:3868", "-r", "10.0.0.3:3868", "-g", "-w", "1" },
            IpvsadmCommandBuilder.AddRealServer(Svc(), Rs()).Arguments);
        Assert.Equal(new[] { "-e", "--sctp-service", "10.0.0.101:3868", "-r", "10.0.0.4:3869", "-m", "-w", "1" },
            IpvsadmCommandBuilder.EditRealServer(Svc(), Rs("10.0.0.4", 3869, LvsForwarding.Masq)).Arguments);
        Assert.Equal(new[] { "-d", "--sctp-service", "10.0.0.101:3868", "-r", "10.0.0.3:3868" },
            IpvsadmCommandBuilder.DeleteRealServer(Svc(), Rs()).Arguments);
    }

    [Fact]
    public void OtherProtocolsAreStillRefused()
    {
        var e = Assert.Throws<LvsException>(() => IpvsadmCommandBuilder.AddService(new ServiceSpec { Address = A("10.0.0.1"), Port = 80, Protocol = (LvsProtocol)1 }));
        Assert.Equal(LvsErrorIds.InvalidProtocol, e.ErrorId);
        Assert.Contains("Tcp, Udp or Sctp", e.Message);
    }

    // --- listings ---------------------------------------------------------------------------------------------

    private static List<LvsService> Table()
    {
        var tcp = new LvsService { Protocol = LvsProtocol.Tcp, VirtualAddress = A("10.0.0.101"), Port = 3868, Scheduler = LvsScheduler.Wlc };
        tcp.RealServers.Add(new LvsRealServer { RealAddress = A("10.0.0.3"), RealPort = 3868, Forwarding = LvsForwarding.Route, Weight = 1, ActiveConnections = 4 });
        var sctp = new LvsService
        {
            Protocol = LvsProtocol.Sctp, VirtualAddress = A("10.0.0.101"), Port = 3868, Scheduler = LvsScheduler.Rr,
            PersistentTimeout = 300,
            Statistics = new LvsStatistics { Connections = 17, InPackets = 1234, InBytes = 99999 },
        };
        sctp.RealServers.Add(new LvsRealServer
        {
            RealAddress = A("10.0.0.4"), RealPort = 3868, Forwarding = LvsForwarding.Route, Weight = 2, ActiveConnections = 1, InactiveConnections = 3,
            UpperThreshold = 10, LowerThreshold = 5, Statistics = new LvsStatistics { Connections = 17, InPackets = 1234, InBytes = 99999 },
        });
        sctp.RealServers.Add(new LvsRealServer { RealAddress = A("10.0.0.5"), RealPort = 3868, Forwarding = LvsForwarding.Masq, Weight = 1 });
        foreach (var s in new[] { tcp, sctp })
            foreach (var r in s.RealServers)
            {
                r.Protocol = s.Protocol;
                r.VirtualAddress = s.VirtualAddress;
                r.Port = s.Port;
            }
        return new List<LvsService> { tcp, sctp };
    }

    [Fact]
    public void ListingsWithSctpServicesRoundTrip()
    {
        var table = Table();
        string list = IpvsadmFormatter.FormatList(table);
        Assert.Contains("SCTP 10.0.0.101:3868 rr persistent 300", list);
        var listing = IpvsadmOutputParser.ParseListing(list);
        Assert.Empty(listing.Skipped);
        Assert.Equal(2, listing.Services.Count);
        Assert.Equal(list, IpvsadmFormatter.FormatList(listing.Services));

        string all = list + IpvsadmFormatter.FormatStats(table) + IpvsadmFormatter.FormatThresholds(table);
        var merged = IpvsadmOutputParser.ParseServices(all, "kd");
        var sctp = merged.Single(s => s.Protocol == LvsProtocol.Sctp);
        Assert.Equal((A("10.0.0.101"), (ushort)3868, 300u, 17UL), (sctp.VirtualAddress, sctp.Port, sctp.PersistentTimeout, sctp.Statistics.Connections));
        var rs = sctp.RealServers.Single(r => r.RealAddress.Equals(A("10.0.0.4")));
        Assert.Equal((LvsProtocol.Sctp, 2, 10, 5, 1234UL, "kd"), (rs.Protocol, rs.Weight, rs.UpperThreshold, rs.LowerThreshold, rs.Statistics.InPackets, rs.Director));
        // the TCP service on the same address and port keeps its own numbers
        var tcp = merged.Single(s => s.Protocol == LvsProtocol.Tcp);
        Assert.Equal(0UL, tcp.Statistics.Connections);
        Assert.Equal(4, Assert.Single(tcp.RealServers).ActiveConnections);
    }

    [Fact]
    public void SaveOfSctpServicesMatchesTheCommands()
    {
        string saved = IpvsadmFormatter.FormatSave(Table());
        Assert.Contains("-A --sctp-service 10.0.0.101:3868 -s rr -p 300\n", saved);
        Assert.Contains("-a --sctp-service 10.0.0.101:3868 -r 10.0.0.4:3868 -g -w 2", saved);
    }

    // --- connections ------------------------------------------------------------------------------------------

    public static IEnumerable<object[]> SctpStates() => new[]
    {
        LvsConnectionState.None, LvsConnectionState.Established,
        LvsConnectionState.SctpInit1, LvsConnectionState.SctpInit, LvsConnectionState.SctpCookieSent, LvsConnectionState.SctpCookieReplied,
        LvsConnectionState.SctpCookieWait, LvsConnectionState.SctpCookie, LvsConnectionState.SctpCookieEchoed,
        LvsConnectionState.SctpShutdownSent, LvsConnectionState.SctpShutdownReceived, LvsConnectionState.SctpShutdownAckSent,
        LvsConnectionState.SctpRejected, LvsConnectionState.SctpClosed,
    }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(SctpStates))]
    public void SctpConnectionEntriesRoundTrip(LvsConnectionState state)
    {
        var c = new LvsConnection
        {
            Protocol = LvsProtocol.Sctp, ClientAddress = A("10.1.2.3"), ClientPort = 40000, VirtualAddress = A("10.0.0.101"), Port = 3868,
            RealAddress = A("10.0.0.4"), RealPort = 3868, State = state, ExpiresInSeconds = 125,
        };
        string text = IpvsadmFormatter.FormatConnections(new[] { c });
        Assert.Contains("SCTP 02:05  " + IpvsadmFormatter.StateName(state), text);
        var back = Assert.Single(IpvsadmOutputParser.ParseConnections(text, "kd"));
        Assert.Equal((LvsProtocol.Sctp, state, 125, (ushort)40000, (ushort)3868, "kd"),
            (back.Protocol, back.State, back.ExpiresInSeconds, back.ClientPort, back.Port, back.Director));
        Assert.Equal(text, IpvsadmFormatter.FormatConnections(new[] { back }));
    }

    [Fact]
    public void EveryPrintedStateNameReadsBack()
    {
        foreach (var s in Enum.GetValues<LvsConnectionState>())
            Assert.Equal(s, IpvsadmOutputParser.ParseState(IpvsadmFormatter.StateName(s)));
        Assert.Equal(LvsConnectionState.None, IpvsadmOutputParser.ParseState("NO-SUCH-STATE"));
    }

    [Fact]
    public void ACapturedSctpEntryIsRead()
    {
        const string text =
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "SCTP 14:59  ESTABLISHED 10.1.2.3:36412     10.0.0.101:3868    10.0.0.4:3868\n" +
            "SCTP 00:03  C-ECHOED    10.1.2.9:36413     10.0.0.101:3868    10.0.0.5:3868\n";
        var conns = IpvsadmOutputParser.ParseConnections(text);
        Assert.Equal(new[] { (LvsProtocol.Sctp, LvsConnectionState.Established, 899), (LvsProtocol.Sctp, LvsConnectionState.SctpCookieEchoed, 3) },
            conns.Select(c => (c.Protocol, c.State, c.ExpiresInSeconds)));
    }
}
