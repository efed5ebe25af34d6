using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// The kernel director's traffic trace (tcpdump over SSH): the BPF filter and the shell lines it runs (every value
/// quoted), tcpdump's lines parsed and the client's frame paired with the director's forwarded one (DR, TUN, NAT),
/// and a director without tcpdump refusing with TcpdumpNotFound.
/// </summary>
public sealed class KernelTrafficTraceTests
{
    // Lines as tcpdump -n -e -l -S -tt prints them on the kernel lab's director (eth0, DR to rs1/rs2).
    private const string DirectorMac = "52:54:00:ab:00:02";
    private const string ClientSyn = "1764648171.102345 62:11:aa:00:00:05 > 52:54:00:ab:00:02, ethertype IPv4 (0x0800), length 74: 10.171.1.5.41234 > 10.171.0.100.80: Flags [S], seq 3405691582, win 64240, options [mss 1460,sackOK,TS val 4213 ecr 0,nop,wscale 7], length 0";
    private const string ForwardedSyn = "1764648171.102371 52:54:00:ab:00:02 > 62:11:aa:00:00:21, ethertype IPv4 (0x0800), length 74: 10.171.1.5.41234 > 10.171.0.100.80: Flags [S], seq 3405691582, win 64240, options [mss 1460,sackOK,TS val 4213 ecr 0,nop,wscale 7], length 0";
    private const string ClientAck = "1764648171.103001 62:11:aa:00:00:05 > 52:54:00:ab:00:02, ethertype IPv4 (0x0800), length 66: 10.171.1.5.41234 > 10.171.0.100.80: Flags [.], ack 1100, win 502, options [nop,nop,TS val 4214 ecr 99], length 0";
    private const string ForwardedAck = "1764648171.103020 52:54:00:ab:00:02 > 62:11:aa:00:00:21, ethertype IPv4 (0x0800), length 66: 10.171.1.5.41234 > 10.171.0.100.80: Flags [.], ack 1100, win 502, options [nop,nop,TS val 4214 ecr 99], length 0";
    private const string Tunnelled = "1764648172.000100 52:54:00:ab:00:02 > 62:11:aa:00:00:22, ethertype IPv4 (0x0800), length 94: 10.171.0.2 > 10.171.0.22: 10.171.1.5.41240 > 10.171.0.100.80: Flags [S], seq 17, win 64240, options [mss 1460], length 0 (ipip-proto-4)";

    private static LvsService Service(LvsForwarding forwarding, params string[] reals)
    {
        var s = new LvsService { Protocol = LvsProtocol.Tcp, VirtualAddress = IPAddress.Parse("10.171.0.100"), Port = 80 };
        foreach (var r in reals) s.RealServers.Add(new LvsRealServer(s) { RealAddress = IPAddress.Parse(r), RealPort = forwarding == LvsForwarding.Masq ? (ushort)8080 : (ushort)80, Forwarding = forwarding });
        return s;
    }

    private static TcpdumpTraceContext Context(LvsService s)
    {
        var c = new TcpdumpTraceContext { Director = "kt", DirectorMac = DirectorMac, Services = { s } };
        c.Neighbours["62:11:aa:00:00:21"] = IPAddress.Parse("10.171.0.21");
        c.Neighbours["62:11:aa:00:00:22"] = IPAddress.Parse("10.171.0.22");
        return c;
    }

    [Fact]
    public void DirectRouting_TheForwardedFrame_PairedWithTheClients_IsOneRecord_NamingTheRealServerByItsMac()
    {
        var p = new TcpdumpTrace.Pairer(Context(Service(LvsForwarding.Route, "10.171.0.21", "10.171.0.22")), new TrafficTraceSpec());

        Assert.Null(p.Add(ClientSyn));
        var r = p.Add(ForwardedSyn)!;
        Assert.Null(p.Add(ClientAck));
        var ack = p.Add(ForwardedAck)!;

        Assert.Equal(("kt", 0L, "10.171.1.5", 41234, "10.171.0.100", 80), (r.Director, r.Sequence, r.ClientAddress.ToString(), r.ClientPort, r.VirtualAddress.ToString(), r.Port));
        Assert.Equal(("10.171.0.21", "62:11:aa:00:00:21", LvsForwarding.Route, LvsTrafficAction.Forwarded), (r.RealAddress!.ToString(), r.DestinationMac, r.Forwarding, r.Action));
        Assert.Equal(("S", 60, LvsProtocol.Tcp), (r.TcpFlags, r.Length, r.Protocol));
        Assert.Equal(new DateTime(2025, 12, 2, 4, 2, 51, DateTimeKind.Utc).AddTicks(1023710), r.Time.ToUniversalTime());
        Assert.Equal((1L, "."), (ack.Sequence, ack.TcpFlags));
    }

    [Fact]
    public void TheFilterByRealServer_KeepsOnlyItsFrames()
    {
        var spec = new TrafficTraceSpec { RealAddress = IPAddress.Parse("10.171.0.22") };
        var p = new TcpdumpTrace.Pairer(Context(Service(LvsForwarding.Route, "10.171.0.21", "10.171.0.22")), spec);
        Assert.Null(p.Add(ClientSyn));
        Assert.Null(p.Add(ForwardedSyn));
        var t = p.Add(Tunnelled)!;
        Assert.Equal("10.171.0.22", t.RealAddress!.ToString());
    }

    [Fact]
    public void Tunnel_TheOuterHeader_NamesTheDirectorAndTheRealServer()
    {
        var r = new TcpdumpTrace.Pairer(Context(Service(LvsForwarding.Tunnel, "10.171.0.22")), new TrafficTraceSpec()).Add(Tunnelled)!;
        Assert.Equal((LvsForwarding.Tunnel, "10.171.0.2", "10.171.0.22", "10.171.0.22"), (r.Forwarding, r.OuterSource!.ToString(), r.OuterDestination!.ToString(), r.RealAddress!.ToString()));
        Assert.Equal(("10.171.1.5", "10.171.0.100", 80, "62:11:aa:00:00:22", 60), (r.ClientAddress.ToString(), r.VirtualAddress.ToString(), r.Port, r.DestinationMac, r.Length));
    }

    [Fact]
    public void Nat_TheRewrittenDestination_IsTheRealServer_TheVipComesFromTheClientsFrame()
    {
        var p = new TcpdumpTrace.Pairer(Context(Service(LvsForwarding.Masq, "10.171.2.11")), new TrafficTraceSpec());
        Assert.Null(p.Add(ClientSyn));
        var r = p.Add(ForwardedSyn.Replace("10.171.0.100.80:", "10.171.2.11.8080:"))!;
        Assert.Equal((LvsForwarding.Masq, "10.171.2.11", 8080, "10.171.0.100", 80), (r.Forwarding, r.RealAddress!.ToString(), r.RealPort, r.VirtualAddress.ToString(), r.Port));
        Assert.Null(r.DestinationMac);
    }

    [Theory]
    [InlineData("listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes")]
    [InlineData("1764648171.1 52:54:00:ab:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.171.0.21 tell 10.171.0.2, length 28")]
    [InlineData("")]
    public void LinesThatAreNoIpv4FrameWithPorts_AreSkipped(string line) => Assert.Null(TcpdumpTrace.ParseLine(line));

    [Fact]
    public void TheFilter_CoversTheVip_TheNatAndTunnelRealServers_AndTheClient()
    {
        var s = Service(LvsForwarding.Route, "10.171.0.21");
        s.RealServers.Add(new LvsRealServer(s) { RealAddress = IPAddress.Parse("10.171.2.11"), RealPort = 8080, Forwarding = LvsForwarding.Masq });
        s.RealServers.Add(new LvsRealServer(s) { RealAddress = IPAddress.Parse("10.171.0.22"), RealPort = 80, Forwarding = LvsForwarding.Tunnel });
        var f = TcpdumpTrace.BuildFilter(new TrafficTraceSpec { ClientAddress = IPAddress.Parse("10.171.1.0"), ClientPrefixLength = 24 }, new[] { s });
        Assert.Equal("ip and ((((tcp and dst host 10.171.0.100 and dst port 80) or (tcp and dst host 10.171.2.11 and dst port 8080)) and src net 10.171.1.0/24) or (ip proto 4 and dst host 10.171.0.22))", f);
    }

    [Fact]
    public void TheStartLine_QuotesTheInterfaceFilterAndFile_AndBoundsCountAndTime()
    {
        var line = TcpdumpTrace.StartCommand("eth0'; reboot", "ip and tcp", "/tmp/lvsps-trace-x", 25, 140);
        Assert.Contains("-i 'eth0'\"'\"'; reboot' -n -e -l -S -tt -U -c 140 'ip and tcp'", line);
        Assert.Contains("timeout 25 sh -c", line);
        Assert.Contains("f='/tmp/lvsps-trace-x'", line);
        Assert.Contains("exit 127", line);
        Assert.Contains("kill 4242 $t", TcpdumpTrace.StopCommand("/tmp/lvsps-trace-x", 4242));
    }

    [Fact]
    public void ADirectorWithoutTcpdump_RefusesWithTcpdumpNotFound_NamingTheRemedy()
    {
        var d = new KernelDirector("edge", "lvs1.example", c =>
            c.Contains("tcpdump", StringComparison.Ordinal) && c.Contains("timeout", StringComparison.Ordinal) ? new RemoteResult { Command = c, ExitStatus = 127 }
            : c.Contains("/sys/class/net", StringComparison.Ordinal) ? new RemoteResult { Command = c, Output = "dev eth0\nmac 52:54:00:ab:00:02\n" }
            : c.Contains("ipvsadm", StringComparison.Ordinal) ? new RemoteResult { Command = c, Output = "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" }
            : new RemoteResult { Command = c });

        var e = Assert.Throws<LvsException>(() => d.StartTrafficTrace(new TrafficTraceSpec { VirtualAddress = IPAddress.Parse("10.171.0.100") }));

        Assert.Equal((LvsErrorIds.TcpdumpNotFound, LvsErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
        Assert.Contains("edge", e.Message);
        Assert.Contains("apt-get install tcpdump", e.Message);
        Assert.Throws<LvsException>(() => d.ReadTrafficTrace(1, 0, 10));
    }
}
