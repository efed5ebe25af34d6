using static LvsPS.Management.Tests.Kernel.IpvsadmTestKit;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>The exact ipvsadm command lines for every control operation, and the refusals before anything runs.</summary>
public sealed class IpvsadmCommandBuilderTests
{
    private static ServiceSpec Svc(string vip = "10.0.0.101", ushort port = 80, LvsProtocol proto = LvsProtocol.Tcp, LvsScheduler sched = LvsScheduler.Rr) =>
        new() { Address = IPAddress.Parse(vip), Port = port, Protocol = proto, Scheduler = sched };

    private static RealServerSpec Rs(string addr = "10.0.0.3", ushort port = 80, LvsForwarding fwd = LvsForwarding.Route, int weight = 1) =>
        new() { Address = IPAddress.Parse(addr), Port = port, Forwarding = fwd, Weight = weight };

    [Fact]
    public void AddService_Plain()
    {
        var c = IpvsadmCommandBuilder.AddService(Svc());
        Assert.Equal(new[] { "-A", "-t", "10.0.0.101:80", "-s", "rr" }, c.Arguments);
        Assert.Equal("ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'rr'", c.CommandLine);
        Assert.Equal(IpvsadmOutputKind.None, c.Output);
    }

    [Fact]
    public void AddService_UdpPersistentMaskAndFlags()
    {
        var s = Svc("192.168.1.100", 53, LvsProtocol.Udp, LvsScheduler.Sh);
        s.PersistentTimeout = 360;
        s.PersistenceNetmask = IPAddress.Parse("255.255.255.0");
        s.SchedulerFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port;
        Assert.Equal("ipvsadm '-A' '-u' '192.168.1.100:53' '-s' 'sh' '-p' '360' '-M' '255.255.255.0' '-b' 'sh-fallback,sh-port'",
            IpvsadmCommandBuilder.AddService(s).CommandLine);
    }

    [Fact]
    public void AddService_DefaultMaskAndMaskWithoutPersistenceAreLeftOut()
    {
        var s = Svc(sched: LvsScheduler.Wlc);
        s.PersistentTimeout = 60;
        s.PersistenceNetmask = IPAddress.Broadcast;
        Assert.Equal("ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'wlc' '-p' '60'", IpvsadmCommandBuilder.AddService(s).CommandLine);
        var t = Svc();
        t.PersistenceNetmask = IPAddress.Parse("255.255.0.0");
        Assert.Equal("ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'rr'", IpvsadmCommandBuilder.AddService(t).CommandLine);
    }

    [Fact]
    public void AddService_MhFlagsAndFlag3()
    {
        var s = Svc(sched: LvsScheduler.Mh);
        s.SchedulerFlags = LvsSchedulerFlags.Port;
        Assert.Equal("ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'mh' '-b' 'mh-port'", IpvsadmCommandBuilder.AddService(s).CommandLine);
        var t = Svc(sched: LvsScheduler.Wrr);
        t.SchedulerFlags = LvsSchedulerFlags.Flag3;
        Assert.Equal("ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'wrr' '-b' 'flag-3'", IpvsadmCommandBuilder.AddService(t).CommandLine);
    }

    [Fact]
    public void AddService_Ipv6_BracketsAndPrefixMask()
    {
        var s = Svc("2001:db8::101", 443, sched: LvsScheduler.Lc);
        s.PersistentTimeout = 300;
        s.PersistenceNetmask = IPAddress.Parse("ffff:ffff:ffff:ffff::");
        Assert.Equal("ipvsadm '-A' '-t' '[2001:db8::101]:443' '-s' 'lc' '-p' '300' '-M' '64'", IpvsadmCommandBuilder.AddService(s).CommandLine);
    }

    [Fact]
    public void AddService_WithRealServers_AddsOldestFirstAfterTheService()
    {
        var s = Svc();
        // Newest first, as ServiceSpec lists them (New-LvsService reverses the order given).
        s.RealServers = new List<RealServerSpec> { Rs("10.0.0.4"), Rs("10.0.0.3", weight: 2) };
        Assert.Equal(new[]
        {
            "ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'rr'",
            "ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-g' '-w' '2'",
            "ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.4:80' '-g' '-w' '1'",
        }, Lines(IpvsadmCommandBuilder.AddServiceWithRealServers(s)));
    }

    [Fact]
    public void EditAndDeleteService()
    {
        var s = Svc(sched: LvsScheduler.Wlc);
        s.PersistentTimeout = 900;
        Assert.Equal(new[] { "ipvsadm '-E' '-t' '10.0.0.101:80' '-s' 'wlc' '-p' '900'" }, Lines(new[] { IpvsadmCommandBuilder.EditService(s) }));
        Assert.Equal(new[] { "ipvsadm '-D' '-t' '10.0.0.101:80'" }, Lines(new[] { IpvsadmCommandBuilder.DeleteService(s) }));
        Assert.Equal(new[] { "ipvsadm '-D' '-u' '10.0.0.101:53'" },
            Lines(new[] { IpvsadmCommandBuilder.DeleteService(Svc(port: 53, proto: LvsProtocol.Udp)) }));
    }

    [Fact]
    public void AddRealServer_EveryForwardingMethod()
    {
        var s = Svc();
        Assert.Equal("ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-g' '-w' '1'", IpvsadmCommandBuilder.AddRealServer(s, Rs()).CommandLine);
        // Direct routing and tunnels use the service port whatever port was named (ipvsadm forces it too).
        Assert.Equal("ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-g' '-w' '0'", IpvsadmCommandBuilder.AddRealServer(s, Rs(port: 8080, weight: 0)).CommandLine);
        Assert.Equal("ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-i' '-w' '3'", IpvsadmCommandBuilder.AddRealServer(s, Rs(port: 8080, fwd: LvsForwarding.Tunnel, weight: 3)).CommandLine);
        Assert.Equal("ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:8080' '-m' '-w' '65535'", IpvsadmCommandBuilder.AddRealServer(s, Rs(port: 8080, fwd: LvsForwarding.Masq, weight: 65535)).CommandLine);
        Assert.Equal("ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-m' '-w' '1'", IpvsadmCommandBuilder.AddRealServer(s, Rs(port: 0, fwd: LvsForwarding.Masq)).CommandLine);
        // Local is what the kernel lists for a local address; it is added as -g, as ipvsadm -S saves it.
        Assert.Equal("ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-g' '-w' '1'", IpvsadmCommandBuilder.AddRealServer(s, Rs(fwd: LvsForwarding.Local)).CommandLine);
    }

    [Fact]
    public void AddAndEditRealServer_Thresholds()
    {
        var rs = Rs();
        rs.UpperThreshold = 1000;
        rs.LowerThreshold = 750;
        Assert.Equal(new[] { "ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-g' '-w' '1' '-x' '1000' '-y' '750'" },
            Lines(new[] { IpvsadmCommandBuilder.AddRealServer(Svc(), rs) }));
        rs.LowerThreshold = 0;
        Assert.Equal(new[] { "ipvsadm '-e' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-g' '-w' '1' '-x' '1000'" },
            Lines(new[] { IpvsadmCommandBuilder.EditRealServer(Svc(), rs) }));
    }

    [Fact]
    public void DeleteRealServer_PortZeroMeansServicePort()
    {
        Assert.Equal(new[] { "ipvsadm '-d' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80'" },
            Lines(new[] { IpvsadmCommandBuilder.DeleteRealServer(Svc(), Rs(port: 0)) }));
        Assert.Equal(new[] { "ipvsadm '-d' '-u' '10.0.0.101:53' '-r' '10.0.0.3:5353'" },
            Lines(new[] { IpvsadmCommandBuilder.DeleteRealServer(Svc(port: 53, proto: LvsProtocol.Udp), Rs(port: 5353)) }));
        Assert.Equal("ipvsadm '-d' '-t' '[2001:db8::1]:80' '-r' '[2001:db8::3]:80'",
            IpvsadmCommandBuilder.DeleteRealServer(Svc("2001:db8::1"), Rs("2001:db8::3")).CommandLine);
    }

    [Fact]
    public void ZeroClearTimeoutsAndListings()
    {
        Assert.Equal(new[] { "ipvsadm '-Z'" }, Lines(new[] { IpvsadmCommandBuilder.Zero(null) }));
        Assert.Equal(new[] { "ipvsadm '-Z' '-t' '10.0.0.101:80'" }, Lines(new[] { IpvsadmCommandBuilder.Zero(Svc()) }));
        Assert.Equal(new[] { "ipvsadm '-C'" }, Lines(new[] { IpvsadmCommandBuilder.Clear() }));
        Assert.Equal(new[] { "ipvsadm '--set' '900' '0' '300'", "ipvsadm '-L' '--timeout'" },
            Lines(new[] { IpvsadmCommandBuilder.SetTimeouts(new TimeoutSpec { Tcp = 900, TcpFin = 0, Udp = 300 }), IpvsadmCommandBuilder.GetTimeouts() }));
        Assert.Equal(new[] { "ipvsadm '-L' '--timeout'" }, Lines(new[] { IpvsadmCommandBuilder.GetTimeouts() }));
        Assert.Equal(new[] { "ipvsadm '-L' '-n' '-c'" }, Lines(new[] { IpvsadmCommandBuilder.ListConnections() }));
        Assert.Equal(new[] { "ipvsadm '--version'" }, Lines(new[] { IpvsadmCommandBuilder.Version() }));
        var list = IpvsadmCommandBuilder.ListServices();
        Assert.Equal(new[]
        {
            "ipvsadm '-L' '-n' '--exact'",
            "ipvsadm '-L' '-n' '--stats' '--exact'",
            "ipvsadm '-L' '-n' '--rate' '--exact'",
            "ipvsadm '-L' '-n' '--thresholds'",
            "ipvsadm '-L' '-n' '--persistent-conn'",
        }, list.Select(c => c.CommandLine));
        Assert.All(list, c => Assert.Equal(IpvsadmOutputKind.Listing, c.Output));
        Assert.Equal("ipvsadm '-L' '-n' '--exact' && ipvsadm '-L' '-n' '--stats' '--exact' && ipvsadm '-L' '-n' '--rate' '--exact' && ipvsadm '-L' '-n' '--thresholds' && ipvsadm '-L' '-n' '--persistent-conn'",
            IpvsadmCommandBuilder.JoinCommandLines(list));
    }

    [Fact]
    public void AbsoluteProgramPathIsUsedAsIs()
    {
        Assert.Equal(new[] { "/usr/sbin/ipvsadm '-C'" }, Lines(new[] { IpvsadmCommandBuilder.Clear("/usr/sbin/ipvsadm") }));
    }

    [Theory]
    [InlineData("ipvsadm; rm -rf /")]
    [InlineData("ipvsadm $(id)")]
    [InlineData("/usr/sbin/ipvsadm`id`")]
    [InlineData("sh")]
    [InlineData("/usr/sbin/../bin/ipvsadm")]
    [InlineData("usr/sbin/ipvsadm")]
    [InlineData("")]
    public void HostileProgramNamesAreRefused(string program)
    {
        AssertRefused(LvsErrorIds.InvalidArgument, () => IpvsadmCommandBuilder.Clear(program));
    }

    [Theory]
    [InlineData("x'; rm -rf / #", "'x'\"'\"'; rm -rf / #'")]
    [InlineData("$(reboot)", "'$(reboot)'")]
    [InlineData("a b\nc", "'a b\nc'")]
    public void EveryArgumentIsSingleQuoted(string hostile, string quoted)
    {
        Assert.Equal("ipvsadm '-L' " + quoted, IpvsadmCommandBuilder.ToCommandLine("ipvsadm", new[] { "-L", hostile }));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("127.0.0.1")]
    [InlineData("224.0.0.18")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("ff02::1")]
    public void NonUnicastAddressesAreRefused(string address)
    {
        AssertRefused(LvsErrorIds.InvalidAddress, () => IpvsadmCommandBuilder.AddService(Svc(address)));
        AssertRefused(LvsErrorIds.InvalidAddress, () => IpvsadmCommandBuilder.AddRealServer(Svc(address.Contains(':') ? "2001:db8::1" : "10.0.0.1"), Rs(address)));
    }

    [Fact]
    public void ScopedIpv6AddressIsRefused()
    {
        var s = new ServiceSpec { Address = new IPAddress(IPAddress.Parse("fe80::1").GetAddressBytes(), 2), Port = 80 };
        AssertRefused(LvsErrorIds.InvalidAddress, () => IpvsadmCommandBuilder.AddService(s));
    }

    [Fact]
    public void MixedAddressFamiliesOnlyForTunnels()
    {
        AssertRefused(LvsErrorIds.InvalidAddress, () => IpvsadmCommandBuilder.AddRealServer(Svc(), Rs("2001:db8::3")));
        Assert.Equal("ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '[2001:db8::3]:80' '-i' '-w' '1'",
            IpvsadmCommandBuilder.AddRealServer(Svc(), Rs("2001:db8::3", fwd: LvsForwarding.Tunnel)).CommandLine);
    }

    [Fact]
    public void BadValuesAreRefusedWithTheEnginesErrorIds()
    {
        // Port 0 without persistence: ipvsadm says "Zero port specified for non-persistent service".
        AssertRefused(LvsErrorIds.InvalidPort, () => IpvsadmCommandBuilder.AddService(Svc(port: 0)));
        AssertRefused(LvsErrorIds.InvalidPort, () => IpvsadmCommandBuilder.EditService(Svc(port: 0)));
        AssertRefused(LvsErrorIds.InvalidWeight, () => IpvsadmCommandBuilder.AddRealServer(Svc(), Rs(weight: -1)));
        AssertRefused(LvsErrorIds.InvalidWeight, () => IpvsadmCommandBuilder.AddRealServer(Svc(), Rs(weight: 65536)));
        AssertRefused(LvsErrorIds.InvalidProtocol, () => IpvsadmCommandBuilder.AddService(new ServiceSpec { Address = IPAddress.Parse("10.0.0.1"), Port = 80, Protocol = (LvsProtocol)1 }));
        // SCTP (132) is a protocol ipvsadm knows (--sctp-service), so it is no longer refused.
        Assert.Equal("ipvsadm '-A' '--sctp-service' '10.0.0.1:80' '-s' 'wlc'",
            IpvsadmCommandBuilder.AddService(new ServiceSpec { Address = IPAddress.Parse("10.0.0.1"), Port = 80, Protocol = (LvsProtocol)132 }).CommandLine);
        AssertRefused(LvsErrorIds.InvalidScheduler, () => IpvsadmCommandBuilder.AddService(Svc(sched: (LvsScheduler)99)));
        AssertRefused(LvsErrorIds.ForwardingNotImplemented, () => IpvsadmCommandBuilder.AddRealServer(Svc(), Rs(fwd: (LvsForwarding)9)));
        // flag-1 goes with rr, as the kernel takes it; bits outside flag-1..3 are refused.
        var rr = Svc();
        rr.SchedulerFlags = (LvsSchedulerFlags)0x100;
        AssertRefused(LvsErrorIds.InvalidSchedulerFlags, () => IpvsadmCommandBuilder.AddService(rr));
        var p = Svc();
        p.PersistentTimeout = 2678401;
        AssertRefused(LvsErrorIds.InvalidPersistence, () => IpvsadmCommandBuilder.AddService(p));
        var m = Svc();
        m.PersistentTimeout = 60;
        m.PersistenceNetmask = IPAddress.Parse("255.0.255.0");
        AssertRefused(LvsErrorIds.InvalidPersistence, () => IpvsadmCommandBuilder.AddService(m));
        m.PersistenceNetmask = IPAddress.Parse("ffff::");
        AssertRefused(LvsErrorIds.InvalidPersistence, () => IpvsadmCommandBuilder.AddService(m));
        var th = Rs();
        th.UpperThreshold = 10;
        th.LowerThreshold = 11;
        AssertRefused(LvsErrorIds.InvalidThreshold, () => IpvsadmCommandBuilder.AddRealServer(Svc(), th));
        // The kernel refuses a lower threshold without an upper one (ip_vs_add_dest: l_threshold > u_threshold).
        th.UpperThreshold = 0;
        th.LowerThreshold = 5;
        AssertRefused(LvsErrorIds.InvalidThreshold, () => IpvsadmCommandBuilder.AddRealServer(Svc(), th));
        th.LowerThreshold = -1;
        AssertRefused(LvsErrorIds.InvalidThreshold, () => IpvsadmCommandBuilder.AddRealServer(Svc(), th));
        AssertRefused(LvsErrorIds.InvalidTimeout, () => IpvsadmCommandBuilder.SetTimeouts(new TimeoutSpec { Tcp = -1 }));
        AssertRefused(LvsErrorIds.InvalidTimeout, () => IpvsadmCommandBuilder.SetTimeouts(new TimeoutSpec { Udp = 2678401 }));
        AssertRefused(LvsErrorIds.DirectorProtocolError, () => throw IpvsadmCommandBuilder.NoProcessToShutDown());
    }

    [Fact]
    public void AddServiceChecksEveryRealServerBeforeAnyCommand()
    {
        var s = Svc();
        s.RealServers = new List<RealServerSpec> { Rs("10.0.0.3"), Rs("10.0.0.4", weight: 70000) };
        AssertRefused(LvsErrorIds.InvalidWeight, () => IpvsadmCommandBuilder.AddServiceWithRealServers(s));
        s.RealServers = new List<RealServerSpec> { Rs("10.0.0.3"), Rs("10.0.0.3", port: 8080) };
        AssertRefused(LvsErrorIds.RealServerExists, () => IpvsadmCommandBuilder.AddServiceWithRealServers(s));
    }
}
