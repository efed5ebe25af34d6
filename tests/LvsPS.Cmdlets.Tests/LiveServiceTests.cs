namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The service and real-server cmdlets against a real lvsd: the objects they write, pipeline binding by property
/// name from LvsService and LvsRealServer objects (the director's own and ones built here), and the director's
/// refusals as ErrorRecords with the stable ErrorId, category and target.
/// </summary>
public sealed class LiveServiceTests : DirectorTestBase
{
    public LiveServiceTests(DirectorFixture director) : base(director) { }

    [RootFact]
    public void NewLvsService_WritesTheCreatedService_AsGetLvsServiceListsIt()
    {
        var created = Ok($"New-LvsService -VirtualAddress {Vip} -Port 80 -Protocol Tcp -Scheduler wrr -Persistent 300 -PersistenceNetmask 255.255.255.0").Single<LvsService>();
        Assert.Equal(IPAddress.Parse(Vip), created.VirtualAddress);
        Assert.Equal((ushort)80, created.Port);
        Assert.Equal(LvsProtocol.Tcp, created.Protocol);
        Assert.Equal(LvsScheduler.Wrr, created.Scheduler);
        Assert.Equal(300u, created.PersistentTimeout);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), created.PersistenceNetmask);
        Assert.Equal(Name, created.Director);
        OutputTypes.AssertDeclared(Command("New-LvsService"), "*", created);
        var listed = Ok("Get-LvsService").Single<LvsService>();
        Assert.Equal(created.Name, listed.Name);
        Assert.Equal(4096, listed.TableSize);
        OutputTypes.AssertDeclared(Command("Get-LvsService"), "Objects", listed);
    }

    [RootFact]
    public void NewLvsService_Twice_IsServiceExists_WithTheServiceAsTarget()
    {
        Seed();
        var r = Run($"New-LvsService -VirtualAddress {Vip} -Port 80 -Scheduler rr");
        AssertLvsError(r.SingleError(), "ServiceExists", ErrorCategory.ResourceExists, $"TCP {Vip}:80", "NewLvsServiceCommand");
        Assert.Null(r.Terminating);
        Assert.Equal(LvsScheduler.Rr, Ok("Get-LvsService").Single<LvsService>().Scheduler);
    }

    [RootFact]
    public void NewLvsService_WithRealServers_AddsEachWithItsSettings()
    {
        // RealAddress or Address; the service's port when no RealPort; weight 1 when none (listed sorted by address).
        var s = Ok($"New-LvsService {Vip} 8080 -Scheduler wlc -RealServer ([pscustomobject]@{{ RealAddress = '{Rs2}'; Weight = 3 }}, [pscustomobject]@{{ Address = '{Rs1}'; UpperThreshold = 10 }})").Single<LvsService>();
        Assert.Equal(new[] { $"{Rs1}:8080 w1 x10", $"{Rs2}:8080 w3 x0" }, s.RealServers.Select(r => $"{r.RealAddress}:{r.RealPort} w{r.Weight} x{r.UpperThreshold}"));
        Assert.All(s.RealServers, r => Assert.Equal(LvsForwarding.Route, r.Forwarding));
    }

    [RootFact]
    public void ImportedDefinitions_PipeIntoNewLvsService()
    {
        File.WriteAllText(Path.Combine(TempDir, "hosts"), $"{Rs1} rs1\n{Rs2} rs2\n");
        File.WriteAllText(Path.Combine(TempDir, "services"), "telnet\t\t23/tcp\nhttp\t\t80/tcp\t\twww\n");
        File.WriteAllText(Path.Combine(TempDir, "lvs_dr.conf"),
            $"LVS_TYPE=VS_DR\nVIP=eth0:101 {Vip} 255.255.255.0 10.253.0.0\nDIRECTOR_INSIDEIP=eth0 10.253.0.1 10.253.0.0 255.255.255.0 10.253.0.255\n"
            + "SERVICE=t telnet rr rs1:telnet rs2:telnet\nSERVICE=t www wrr rs1:www rs2:www,2\nSERVER_VIP_DEVICE=lo\n");
        var r = Ok("Import-LvsConfiguration (Join-Path $d lvs_dr.conf) -HostsFile (Join-Path $d hosts) -ServicesFile (Join-Path $d services) | New-LvsService", ("d", TempDir));
        Assert.Equal(new[] { $"TCP {Vip}:23", $"TCP {Vip}:80" }, r.Objects.Cast<LvsService>().Select(s => s.Name));
        var text = (string)Ok("Get-LvsService -AsText").Objects.Single();
        Assert.Contains($"TCP  {Vip}:80 wrr", text);
        Assert.Contains($"  -> {Rs2}:80", text);
        Assert.Equal(new[] { 1, 2 }, Ok($"Get-LvsRealServer {Vip} 80").Objects.Cast<LvsRealServer>().Select(x => x.Weight));
    }

    [RootFact]
    public void GetLvsService_NoMatch_IsServiceNotFound_NonTerminating()
    {
        Seed();
        var r = Run($"Get-LvsService -VirtualAddress {Vip} -Port 81; 'continues'");
        AssertLvsError(r.SingleError(), "ServiceNotFound", ErrorCategory.ObjectNotFound, cmdletClass: "GetLvsServiceCommand");
        Assert.Equal("continues", Assert.Single(r.Objects));
        // A filter on protocol alone is a query, not a name: no match is no error.
        Assert.Empty(Ok("Get-LvsService -Protocol Udp").Output);
    }

    [RootFact]
    public void GetLvsService_AsText_IsIpvsadmListing_AndItsViewsDoNotCombine()
    {
        Seed();
        var text = (string)Ok("Get-LvsService -AsText").Objects.Single();
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            $"TCP  {Vip}:80 rr\n" +
            // Sorted by address, as ipvsadm -L sorts them (without --nosort).
            $"  -> {Rs1}:80                Route   1      0          0         \n" +
            $"  -> {Rs2}:80                Route   2      0          0         \n", text.Replace("\r\n", "\n"));
        var r = Run("Get-LvsService -AsText -Stats -Rate");
        AssertLvsError(r.SingleError(), "InvalidArgument", ErrorCategory.InvalidArgument, cmdletClass: "GetLvsServiceCommand");
        Assert.NotNull(r.Terminating);
    }

    [RootFact]
    public void SetLvsService_ChangesOnlyWhatIsNamed()
    {
        Ok($"New-LvsService {Vip} 80 -Scheduler sh -SchedulerFlags Port -Persistent 120");
        var s = Ok($"Set-LvsService {Vip} 80 -Persistent 600 -PassThru").Single<LvsService>();
        Assert.Equal(LvsScheduler.Sh, s.Scheduler);
        Assert.Equal(LvsSchedulerFlags.Port, s.SchedulerFlags);
        Assert.Equal(600u, s.PersistentTimeout);
        s = Ok($"Set-LvsService {Vip} 80 -Scheduler lc -Persistent 0 -PassThru").Single<LvsService>();
        Assert.Equal(LvsScheduler.Lc, s.Scheduler);
        Assert.Equal(LvsSchedulerFlags.None, s.SchedulerFlags);
        Assert.Equal(0u, s.PersistentTimeout);
    }

    [RootFact]
    public void SetOrRemove_AMissingService_IsServiceNotFound_WithTheServiceAsTarget()
    {
        var set = Run($"Set-LvsService {Vip} 81 -Scheduler rr");
        AssertLvsError(set.SingleError(), "ServiceNotFound", ErrorCategory.ObjectNotFound, $"TCP {Vip}:81", "SetLvsServiceCommand");
        var remove = Run($"Remove-LvsService {Vip} 81 -Protocol Udp -Confirm:$false");
        AssertLvsError(remove.SingleError(), "ServiceNotFound", ErrorCategory.ObjectNotFound, $"UDP {Vip}:81", "RemoveLvsServiceCommand");
        // Set-LvsRealServer reports the real server it was asked to change as the target.
        var rs = Run($"Set-LvsRealServer {Vip} 81 -RealAddress {Rs1} -Weight 2");
        AssertLvsError(rs, "ServiceNotFound", ErrorCategory.ObjectNotFound, $"No virtual service TCP {Vip}:81 exists", IPAddress.Parse(Rs1), "SetLvsRealServerCommand");
    }

    [RootFact]
    public void RemoveLvsService_FromThePipeline_RemovesEach_AndPassThruWritesThem()
    {
        Seed();
        Ok($"New-LvsService {Vip} 443; New-LvsService {Vip} 53 -Protocol Udp");
        var removed = Ok("Get-LvsService | Remove-LvsService -PassThru -Confirm:$false").Objects.Cast<LvsService>().Select(s => s.Name).ToList();
        Assert.Equal(new[] { $"TCP {Vip}:80", $"TCP {Vip}:443", $"UDP {Vip}:53" }, removed);
        Assert.Empty(Ok("Get-LvsService").Output);
    }

    [RootFact]
    public void AddLvsRealServer_BindsTheServiceFromGetLvsServiceObjects()
    {
        Ok($"New-LvsService {Vip} 80 -Scheduler rr; New-LvsService {Vip} 443 -Scheduler rr");
        var added = Ok($"Get-LvsService | Add-LvsRealServer -RealAddress {Rs1} -Weight 4 -PassThru").Objects.Cast<LvsRealServer>().ToList();
        Assert.Equal(new[] { $"{Vip}:80 -> {Rs1}:80 w4", $"{Vip}:443 -> {Rs1}:443 w4" },
            added.Select(r => $"{r.VirtualAddress}:{r.Port} -> {r.RealAddress}:{r.RealPort} w{r.Weight}"));
        Assert.All(added, r => OutputTypes.AssertDeclared(Command("Add-LvsRealServer"), "*", r));
    }

    [RootFact]
    public void AddLvsRealServer_BindsFromAnLvsServiceBuiltByTheCaller()
    {
        Ok($"New-LvsService {Vip} 80 -Scheduler rr");
        var svc = new LvsService { Director = Name, Protocol = LvsProtocol.Tcp, VirtualAddress = IPAddress.Parse(Vip), Port = 80 };
        var rs = Ok($"$s | Add-LvsRealServer -RealAddress {Rs2} -PassThru", ("s", svc)).Single<LvsRealServer>();
        Assert.Equal(IPAddress.Parse(Rs2), rs.RealAddress);
        Assert.Equal((ushort)80, rs.RealPort);
    }

    [RootFact]
    public void AddLvsRealServer_Twice_IsRealServerExists_WithTheServerAsTarget()
    {
        Seed();
        var r = Run($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1}");
        AssertLvsError(r.SingleError(), "RealServerExists", ErrorCategory.ResourceExists, $"{Rs1}:80", "AddLvsRealServerCommand");
    }

    [RootFact]
    public void SetLvsRealServer_FromGetLvsRealServer_ChangesEach()
    {
        Seed();
        var set = Ok("Get-LvsRealServer | Set-LvsRealServer -Weight 0 -UpperThreshold 100 -PassThru").Objects.Cast<LvsRealServer>().ToList();
        Assert.Equal(2, set.Count);
        Assert.All(set, r => { Assert.Equal(0, r.Weight); Assert.Equal(100, r.UpperThreshold); });
        Assert.All(Ok("Get-LvsRealServer").Objects.Cast<LvsRealServer>(), r => Assert.Equal(0, r.Weight));
    }

    [RootFact]
    public void SetLvsRealServer_AMissingServer_IsRealServerNotFound_WithTheAddressAsTarget()
    {
        Seed();
        var r = Run($"Set-LvsRealServer {Vip} 80 -RealAddress 10.253.0.9 -Weight 2");
        AssertLvsError(r.SingleError(), "RealServerNotFound", ErrorCategory.ObjectNotFound, IPAddress.Parse("10.253.0.9"), "SetLvsRealServerCommand");
    }

    [RootFact]
    public void RemoveLvsRealServer_FromThePipeline_AndAMissingOne()
    {
        Seed();
        var removed = Ok($"Get-LvsRealServer -RealAddress {Rs2} | Remove-LvsRealServer -PassThru -Confirm:$false").Single<LvsRealServer>();
        Assert.Equal(IPAddress.Parse(Rs2), removed.RealAddress);
        Assert.Equal(new[] { IPAddress.Parse(Rs1) }, Ok("Get-LvsRealServer").Objects.Cast<LvsRealServer>().Select(r => r.RealAddress));
        var missing = Run($"Remove-LvsRealServer {Vip} 80 -RealAddress {Rs2} -Confirm:$false");
        AssertLvsError(missing.SingleError(), "RealServerNotFound", ErrorCategory.ObjectNotFound, $"{Rs2}:80", "RemoveLvsRealServerCommand");
    }

    [RootFact]
    public void SetAndRemoveLvsRealServer_BindFromAnLvsRealServerBuiltByTheCaller()
    {
        Seed();
        var rs = new LvsRealServer { Director = Name, Protocol = LvsProtocol.Tcp, VirtualAddress = IPAddress.Parse(Vip), Port = 80, RealAddress = IPAddress.Parse(Rs2), RealPort = 80 };
        Assert.Equal(9, Ok("$r | Set-LvsRealServer -Weight 9 -PassThru", ("r", rs)).Single<LvsRealServer>().Weight);
        Ok("$r | Remove-LvsRealServer -Confirm:$false", ("r", rs));
        Assert.Equal(new[] { IPAddress.Parse(Rs1) }, Ok("Get-LvsRealServer").Objects.Cast<LvsRealServer>().Select(r => r.RealAddress));
    }

    [RootFact]
    public void FirewallMarkService_TakesItsRealServersAtTheClientsPort()
    {
        Ok("New-LvsFirewallMarkRule -Mark 5 -Address 10.253.0.0 -PrefixLength 24 -Protocol Tcp -PortFrom 80 -PortTo 81");
        var s = Ok("New-LvsService -FirewallMark 5 -Scheduler rr").Single<LvsService>();
        Assert.Equal("FWM 5", s.Name);
        var rs = Ok($"Get-LvsService -FirewallMark 5 | Add-LvsRealServer -RealAddress {Rs1} -PassThru").Single<LvsRealServer>();
        Assert.Equal((ushort)0, rs.RealPort);
        Assert.Equal(5u, rs.FirewallMark);
        Assert.Contains("FWM  5 rr", (string)Ok("Get-LvsService -AsText").Objects.Single());
    }

    // The service's own VIP as its real server, and the director's own interface address as a VIP, are refused
    // with InvalidAddress (the same ErrorId the kernel backend gives), and nothing is added.
    [RootFact]
    public void AddLvsRealServer_TheServicesOwnVip_IsInvalidAddress()
    {
        Seed();
        var before = Ok("Get-LvsRealServer").Objects.Count;
        var r = Run($"Add-LvsRealServer -VirtualAddress {Vip} -Port 80 -RealAddress {Vip}");
        AssertLvsError(r.SingleError(), "InvalidAddress", ErrorCategory.InvalidArgument, null, "AddLvsRealServerCommand");
        Assert.Contains(Vip, r.SingleError().Exception.Message);
        Assert.Equal(before, Ok("Get-LvsRealServer").Objects.Count);
    }

    [RootFact]
    public void NewLvsService_OnTheDirectorsInterfaceAddress_IsInvalidAddress()
    {
        var r = Run($"New-LvsService -VirtualAddress {DirectorFixture.InterfaceAddress} -Port 8080 -Scheduler rr");
        AssertLvsError(r.SingleError(), "InvalidAddress", ErrorCategory.InvalidArgument, null, "NewLvsServiceCommand");
        Assert.Contains("interface address", r.SingleError().Exception.Message);
        Assert.Empty(Ok("Get-LvsService").Objects.OfType<LvsService>());
    }
}
