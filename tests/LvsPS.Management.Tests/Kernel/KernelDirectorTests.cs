namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// ipvsadm's error texts and exit codes mapped to LvsPS ErrorIds, and KernelDirector's handling of each request,
/// with the remote side replaced by a table of command line -> outcome (the texts are ipvsadm's, from ipvsadm.c and
/// libipvs; none of this ran against a kernel).
/// </summary>
public sealed class KernelDirectorTests
{
    private static RemoteResult Fail(int exit, string stderr, string command = "ipvsadm '-A'") => new() { Command = command, ExitStatus = exit, Error = stderr };
    private static RemoteResult Ok(string stdout = "", string command = "") => new() { Command = command, ExitStatus = 0, Output = stdout };

    private static ServiceSpec Svc(ushort port = 80) => new() { Address = IPAddress.Parse("10.0.0.101"), Port = port, Scheduler = LvsScheduler.Rr };
    private static RealServerSpec Rs(string a = "10.0.0.3", ushort port = 80) => new() { Address = IPAddress.Parse(a), Port = port, Weight = 1 };

    /// <summary>A remote side that answers from a script and records every command line it was given.</summary>
    private sealed class FakeRemote
    {
        public readonly List<string> Commands = new();
        public readonly Dictionary<string, RemoteResult> Answers = new(StringComparer.Ordinal);
        public Func<string, RemoteResult?>? Fallback;

        public RemoteResult Run(string command)
        {
            // Every listing also reads keepalived.conf (health checks are keepalived's): none here, and not recorded.
            if (command == KernelKeepalived.ReadCommand) return new RemoteResult { Command = command, ExitStatus = 0 };
            Commands.Add(command);
            if (Answers.TryGetValue(command, out var r)) return new RemoteResult { Command = command, ExitStatus = r.ExitStatus, Output = r.Output, Error = r.Error, ExitSignal = r.ExitSignal };
            return Fallback?.Invoke(command) ?? new RemoteResult { Command = command, ExitStatus = 0 };
        }
    }

    private static (KernelDirector, FakeRemote) Director()
    {
        var fake = new FakeRemote();
        return (new KernelDirector("edge", "lvs1.example", fake.Run), fake);
    }

    private static void AssertId(string expected, LvsException e) => Assert.True(expected == e.ErrorId, $"expected {expected}, got {e.ErrorId}: {e.Message}");

    // ------------------------------------------------------------------ error mapping

    [Theory]
    [InlineData(255, "Service already exists\n", "ServiceExists", LvsErrorKind.ResourceExists)]
    [InlineData(255, "No such service\n", "ServiceNotFound", LvsErrorKind.ObjectNotFound)]
    [InlineData(255, "Service not defined\n", "ServiceNotFound", LvsErrorKind.ObjectNotFound)]
    [InlineData(255, "Destination already exists\n", "RealServerExists", LvsErrorKind.ResourceExists)]
    [InlineData(255, "No such destination\n", "RealServerNotFound", LvsErrorKind.ObjectNotFound)]
    [InlineData(255, "Scheduler or persistence engine not found\n", "SchedulerNotImplemented", LvsErrorKind.NotImplemented)]
    [InlineData(255, "Memory allocation problem\n", "RemoteCommandFailed", LvsErrorKind.ResourceUnavailable)]
    [InlineData(255, "Permission denied (you must be root)\n", "NotRoot", LvsErrorKind.PermissionDenied)]
    [InlineData(255, "Invalid operation.  Possibly wrong module version, address not unicast, ...\n", "InvalidArgument", LvsErrorKind.InvalidArgument)]
    [InlineData(255, "Numerical result out of range\n", "InvalidThreshold", LvsErrorKind.InvalidArgument)]
    [InlineData(255, "Operation not supported with IPv6\n", "InvalidAddress", LvsErrorKind.InvalidArgument)]
    [InlineData(255, "Module is wrong version\n", "RemoteCommandFailed", LvsErrorKind.NotImplemented)]
    [InlineData(2, "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n", "IpvsNotAvailable", LvsErrorKind.NotInstalled)]
    [InlineData(2, "Can't initialize ipvs: Permission denied (you must be root)\nAre you sure that IP Virtual Server is built in the kernel or as module?\n", "NotRoot", LvsErrorKind.PermissionDenied)]
    [InlineData(2, "illegal weight specified\n", "InvalidWeight", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "illegal virtual server address[:port] specified\n", "InvalidAddress", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "illegal real server address[:port] specified\n", "InvalidAddress", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "invalid timeout value `99999999' specified\n", "InvalidTimeout", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "illegal u_threshold specified\n", "InvalidThreshold", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "incompatible scheduler flag `sh-port'\n", "InvalidSchedulerFlags", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "Zero port specified for non-persistent service\n", "InvalidPort", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "illegal virtual server persistent mask specified\n", "InvalidPersistence", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "multiple commands specified\n", "InvalidArgument", LvsErrorKind.InvalidArgument)]
    [InlineData(127, "bash: line 1: ipvsadm: command not found\n", "IpvsadmNotFound", LvsErrorKind.ResourceUnavailable)]
    [InlineData(127, "sh: 1: ipvsadm: not found\n", "IpvsadmNotFound", LvsErrorKind.ResourceUnavailable)]
    [InlineData(126, "bash: line 1: /usr/sbin/ipvsadm: Permission denied\n", "IpvsadmNotFound", LvsErrorKind.ResourceUnavailable)]
    [InlineData(1, "cannot open file /proc/net/ip_vs_conn\n", "RemoteCommandFailed", LvsErrorKind.InvalidOperation)]
    public void IpvsadmErrorTextsMapToTheEnginesErrorIds(int exit, string stderr, string errorId, LvsErrorKind kind)
    {
        var e = IpvsadmErrors.FromResult(Fail(exit, stderr), "edge", "lvs1.example", "TCP 10.0.0.101:80");
        AssertId(errorId, e);
        Assert.Equal(kind, e.Kind);
        Assert.Contains("lvs1.example", e.Message);
        if (exit != 127) Assert.Contains(stderr.Split('\n')[0].Trim(), e.Message);
    }

    [Fact]
    public void KilledBySignal()
    {
        var e = IpvsadmErrors.FromResult(new RemoteResult { Command = "ipvsadm '-C'", ExitStatus = -1, ExitSignal = "KILL" }, "edge", "h", null);
        AssertId(LvsErrorIds.RemoteCommandFailed, e);
        Assert.Contains("KILL", e.Message);
    }

    [Fact]
    public void NotFoundSaysHowToInstall()
    {
        var e = IpvsadmErrors.FromResult(Fail(127, "sh: 1: ipvsadm: not found\n"), "edge", "lvs1.example", null);
        Assert.StartsWith("ipvsadm not found on lvs1.example", e.Message);
        Assert.Contains("apt-get install ipvsadm", e.Message);
    }

    // ------------------------------------------------------------------ requests through KernelDirector

    [Fact]
    public void InvalidRequestsNeverReachTheRemoteSide()
    {
        var (d, fake) = Director();
        var bad = Rs();
        bad.Weight = 70000;
        AssertId(LvsErrorIds.InvalidWeight, Assert.Throws<LvsException>(() => d.AddRealServer(Svc(), bad)));
        AssertId(LvsErrorIds.InvalidPort, Assert.Throws<LvsException>(() => d.AddService(Svc(0))));
        var e = Assert.Throws<LvsException>(() => d.AddService(new ServiceSpec { Address = IPAddress.Parse("127.0.0.1"), Port = 80 }));
        AssertId(LvsErrorIds.InvalidAddress, e);
        Assert.Equal(LvsErrorKind.InvalidArgument, e.Kind);
        Assert.Empty(fake.Commands);
    }

    [Fact]
    public void KernelRefusalComesBackWithTheErrorIdAndKind()
    {
        var (d, fake) = Director();
        fake.Answers["ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'rr'"] = Fail(255, "Service already exists\n");
        var e = Assert.Throws<LvsException>(() => d.AddService(Svc()));
        AssertId(LvsErrorIds.ServiceExists, e);
        Assert.Contains("TCP 10.0.0.101:80", e.Message);
        Assert.Equal(LvsErrorKind.ResourceExists, e.Kind);
    }

    [Fact]
    public void ListServices_RunsTheFiveListingsInOneCommand_AndMerges()
    {
        var (d, fake) = Director();
        var table = new List<LvsService>
        {
            new() { VirtualAddress = IPAddress.Parse("10.0.0.101"), Port = 80, Scheduler = LvsScheduler.Wrr,
                    Statistics = new LvsStatistics { Connections = 10, InPackets = 20, InBytes = 3000, InBytesPerSecond = 150 } },
        };
        table[0].RealServers.Add(new LvsRealServer { RealAddress = IPAddress.Parse("10.0.0.3"), RealPort = 80, Weight = 3, ActiveConnections = 2, InactiveConnections = 1,
            UpperThreshold = 100, LowerThreshold = 50, PersistentConnections = 4, Statistics = new LvsStatistics { Connections = 10 } });
        string joined = IpvsadmCommandBuilder.JoinCommandLines(IpvsadmCommandBuilder.ListServices());
        fake.Answers[joined] = Ok(IpvsadmFormatter.FormatList(table, 1048576) + IpvsadmFormatter.FormatStats(table, 1048576, exact: true)
                                  + IpvsadmFormatter.FormatRate(table, 1048576, exact: true) + IpvsadmFormatter.FormatThresholds(table, 1048576) + IpvsadmFormatter.FormatPersistentConn(table, 1048576));
        var services = d.ListServices();
        Assert.Equal(new[] { joined }, fake.Commands);
        var svc = Assert.Single(services);
        Assert.Equal("edge", svc.Director);
        Assert.Equal(1048576, svc.TableSize);
        Assert.Equal(10UL, svc.Statistics.Connections);
        Assert.Equal(150UL, svc.Statistics.InBytesPerSecond);
        var rs = Assert.Single(svc.RealServers);
        Assert.Equal((3, 2, 1, 100, 50, 4), (rs.Weight, rs.ActiveConnections, rs.InactiveConnections, rs.UpperThreshold, rs.LowerThreshold, rs.PersistentConnections));
        fake.Answers["ipvsadm '--version'"] = Ok("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
        var status = d.GetStatus();
        Assert.Equal(1048576, status.TableSize);
        Assert.Equal("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)", status.Version);
        Assert.Equal(1, status.ServiceCount);
        Assert.Equal(1, status.RealServerCount);
        Assert.Equal(new[] { IPAddress.Parse("10.0.0.101") }, status.VirtualAddresses);
    }

    [Fact]
    public void ListConnections_Timeouts_SetTimeouts()
    {
        var (d, fake) = Director();
        fake.Answers["ipvsadm '-L' '-n' '-c'"] = Ok("IPVS connection entries\npro expire state       source             virtual            destination\nTCP 14:57  ESTABLISHED 10.1.2.3:51514     10.0.0.101:80      10.0.0.3:80\n");
        fake.Answers["ipvsadm '-L' '--timeout'"] = Ok("Timeout (tcp tcpfin udp): 7200 120 300\n");
        fake.Answers["ipvsadm '--version'"] = Ok("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
        var c = Assert.Single(d.ListConnections());
        Assert.Equal("edge", c.Director);
        Assert.Equal(897, c.ExpiresInSeconds);
        Assert.Equal(7200, d.GetTimeouts().Tcp);
        fake.Commands.Clear();
        d.SetTimeouts(new TimeoutSpec { Tcp = 7200 });
        var t = d.GetTimeouts();
        Assert.Equal(new[] { "ipvsadm '--set' '7200' '0' '0'", "ipvsadm '-L' '--timeout'" }, fake.Commands);
        Assert.Equal((7200, 120, 300), (t.Tcp, t.TcpFin, t.Udp));

    }

    [Fact]
    public void AddServiceWithRealServers_IsUndoneWhenARealServerFails()
    {
        var (d, fake) = Director();
        var svc = Svc();
        svc.RealServers = new List<RealServerSpec> { Rs("10.0.0.4"), Rs("10.0.0.3") };
        fake.Answers["ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.4:80' '-g' '-w' '1'"] = Fail(255, "Memory allocation problem\n");
        var e = Assert.Throws<LvsException>(() => d.AddService(svc));
        AssertId(LvsErrorIds.RemoteCommandFailed, e);
        Assert.Contains("10.0.0.4:80", e.Message);
        Assert.Contains("removed again", e.Message);
        Assert.Equal(new[]
        {
            "ipvsadm '-A' '-t' '10.0.0.101:80' '-s' 'rr'",
            "ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80' '-g' '-w' '1'",
            "ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '10.0.0.4:80' '-g' '-w' '1'",
            "ipvsadm '-D' '-t' '10.0.0.101:80'",
        }, fake.Commands);
    }

    [Fact]
    public void DeleteRealServer_FallsBackToTheServicePort_AsTheEngineDoes()
    {
        var (d, fake) = Director();
        fake.Answers["ipvsadm '-d' '-t' '10.0.0.101:80' '-r' '10.0.0.3:8080'"] = Fail(255, "No such destination\n");
        d.DeleteRealServer(Svc(), Rs(port: 8080));
        Assert.Equal(new[] { "ipvsadm '-d' '-t' '10.0.0.101:80' '-r' '10.0.0.3:8080'", "ipvsadm '-d' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80'" }, fake.Commands);

        fake.Commands.Clear();
        fake.Answers["ipvsadm '-d' '-t' '10.0.0.101:80' '-r' '10.0.0.3:80'"] = Fail(255, "No such destination\n");
        var e = Assert.Throws<LvsException>(() => d.DeleteRealServer(Svc(), Rs(port: 8080)));
        AssertId(LvsErrorIds.RealServerNotFound, e);
        Assert.Contains("10.0.0.3:8080 in TCP 10.0.0.101:80", e.Message);
    }

    [Fact]
    public void ShutdownIsRefused()
    {
        var (d, fake) = Director();
        AssertId(LvsErrorIds.DirectorProtocolError, Assert.Throws<LvsException>(() => d.Shutdown()));
        Assert.Empty(fake.Commands);
    }

    [Fact]
    public void Connect_FindsIpvsadmOutsideTheLoginPath()
    {
        var (d, fake) = Director();
        fake.Answers["ipvsadm '--version'"] = Fail(127, "bash: line 1: ipvsadm: command not found\n");
        fake.Answers["/usr/sbin/ipvsadm '--version'"] = Ok("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
        fake.Answers["/usr/sbin/ipvsadm '-L' '-n' '--exact'"] = Ok(IpvsadmFormatter.FormatList(Array.Empty<LvsService>(), 4096));
        var status = d.Connect();
        Assert.Equal("/usr/sbin/ipvsadm", status.IpvsadmPath);
        Assert.Equal("/usr/sbin/ipvsadm", d.Program);
        Assert.Equal("1.2.1", status.IpvsVersion);
        Assert.Equal(4096, status.TableSize);
        Assert.Equal("KernelIpvs", status.Backend);
        fake.Commands.Clear();
        d.Clear();
        Assert.Equal(new[] { "/usr/sbin/ipvsadm '-C'" }, fake.Commands);
    }

    [Fact]
    public void Connect_NoIpvsadmAnywhere()
    {
        var (d, fake) = Director();
        fake.Fallback = c => Fail(127, $"bash: line 1: {c.Split(' ')[0]}: No such file or directory\n", c);
        var e = Assert.Throws<LvsException>(() => d.Connect());
        AssertId(LvsErrorIds.IpvsadmNotFound, e);
        Assert.Equal(LvsErrorKind.ResourceUnavailable, e.Kind);
        Assert.Contains("/usr/sbin/ipvsadm, /sbin/ipvsadm", e.Message);
        Assert.Equal(3, fake.Commands.Count);
    }

    [Fact]
    public void Connect_NoKernelIpvs_OrNotRoot()
    {
        var (d, fake) = Director();
        fake.Answers["ipvsadm '--version'"] = Fail(2, "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
        AssertId(LvsErrorIds.IpvsNotAvailable, Assert.Throws<LvsException>(() => d.Connect()));
        Assert.Single(fake.Commands);
        fake.Answers["ipvsadm '--version'"] = Fail(2, "Can't initialize ipvs: Permission denied (you must be root)\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
        AssertId(LvsErrorIds.NotRoot, Assert.Throws<LvsException>(() => d.Connect()));
    }

    [Fact]
    public void Connect_SomethingElseCalledIpvsadm()
    {
        var (d, fake) = Director();
        fake.Answers["ipvsadm '--version'"] = Ok("hello\n");
        var e = Assert.Throws<LvsException>(() => d.Connect());
        AssertId(LvsErrorIds.DirectorProtocolError, e);
    }

    [Fact]
    public void Registry_ReplacesAndRemoves()
    {
        string name = "kreg" + Guid.NewGuid().ToString("N")[..8];
        var a = new KernelDirector(name, "a", _ => Ok());
        var b = new KernelDirector(name, "b", _ => Ok());
        KernelDirectorRegistry.Register(a);
        Assert.True(KernelDirectorRegistry.TryGet(name, out var got));
        Assert.Same(a, got);
        KernelDirectorRegistry.Register(b);
        Assert.True(KernelDirectorRegistry.TryGet(name, out got));
        Assert.Same(b, got);
        Assert.False(a.IsConnected); // the replaced one was closed
        Assert.Contains(name, KernelDirectorRegistry.Names);
        Assert.True(KernelDirectorRegistry.Remove(name));
        Assert.False(KernelDirectorRegistry.Remove(name));
        Assert.False(KernelDirectorRegistry.Contains(name));
        Assert.False(b.IsConnected);
        Assert.Throws<ObjectDisposedException>(() => b.Clear());
    }

    [Fact]
    public void InvalidDirectorNameIsRefused()
    {
        AssertId(LvsErrorIds.InvalidDirectorName, Assert.Throws<LvsException>(() => new KernelDirector("../x", "h", _ => Ok())));
        AssertId(LvsErrorIds.InvalidDirectorName, Assert.Throws<LvsException>(() => new KernelDirector("a b", new SshTarget("h"))));
    }
}
