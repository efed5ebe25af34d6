using System.Net.Sockets;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The director-wide cmdlets against a real lvsd: Get-/Start-LvsDirector, timeouts, firewall-mark rules, the
/// connection table, counters, Export-LvsConfiguration from the director and Test-LvsCluster -Director.
/// </summary>
public sealed class LiveDirectorTests : DirectorTestBase
{
    public LiveDirectorTests(DirectorFixture director) : base(director) { }

    private static object? Prop(object o, string name) => PSObject.AsPSObject(o).Properties[name].Value;

    /// <summary>
    /// Asserts that <paramref name="script"/> writes one object, of the type <paramref name="typeName"/>, shown as
    /// <paramref name="text"/>, and of a type its cmdlet (the script's first word) declares for <paramref name="parameterSet"/>.
    /// </summary>
    private void SingleDeclared(string script, string parameterSet, string typeName, string text)
    {
        var o = Ok(script).Output.Single().BaseObject;
        Assert.Equal(typeName, o.GetType().Name);
        Assert.Equal(text, o.ToString());
        OutputTypes.AssertDeclared(Command(script.Split(' ')[0]), parameterSet, o);
    }

    [RootFact]
    public void GetLvsDirector_WritesTheRunningDirectorsStatus()
    {
        var status = Ok("Get-LvsDirector -Name 'ct*'").Output.Single().BaseObject;
        Assert.Equal("DirectorStatus", status.GetType().Name);
        Assert.Equal(Name, Prop(status, "Name"));
        Assert.Equal(true, Prop(status, "Running"));
        Assert.Equal(DirectorFixture.Interface, Prop(status, "Interface"));
        Assert.Equal(Director.Namespace, Prop(status, "NetworkNamespace"));
        Assert.Equal(IPAddress.Parse(DirectorFixture.InterfaceAddress), Prop(status, "InterfaceAddress"));
        OutputTypes.AssertDeclared(Command("Get-LvsDirector"), "*", status);
        // By property name: the status object's Name selects the same director.
        Assert.Equal(Name, Prop(Ok("Get-LvsDirector | Get-LvsDirector").Output.Single().BaseObject, "Name"));
    }

    [RootFact]
    public void StartLvsDirector_ARunningName_IsDirectorAlreadyRunning()
    {
        var r = Run("Start-LvsDirector -Name $n -Interface lvsct1 -NetworkNamespace $ns", ("n", Name), ("ns", Director.Namespace));
        AssertLvsError(r.SingleError(), "DirectorAlreadyRunning", ErrorCategory.ResourceExists, Name, "StartLvsDirectorCommand");
        Assert.NotNull(r.Terminating);
    }

    [RootFact]
    public void ConnectLvsDirector_WithALocalDirectorsName_IsDirectorAlreadyRunning()
    {
        var r = Run("Connect-LvsDirector -Name $n -ComputerName 127.0.0.1", ("n", Name));
        AssertLvsError(r.SingleError(), "DirectorAlreadyRunning", ErrorCategory.ResourceExists, Name, "ConnectLvsDirectorCommand");
    }

    [RootFact]
    public void SeveralDirectors_TheOneThisSessionStarted_IsTheDefault()
    {
        // A second (dead) director's socket makes two; the one Start-LvsDirector started in this process wins.
        // (Bound, not listening, open for the test: .NET deletes the file of a socket it closes.)
        var stale = Path.Combine(Director.RunDir, "aaa.sock");
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(stale));
        try
        {
            Seed();
            Assert.Equal(Name, Ok("Get-LvsService").Single<LvsService>().Director);
            var r = Run("Get-LvsService -Director aaa");
            AssertLvsError(r.SingleError(), "DirectorNotRunning", ErrorCategory.ResourceUnavailable, "aaa");
        }
        finally { File.Delete(stale); }
    }

    [RootFact]
    public void Timeouts_GetAndSet_ZeroLeavesAValue()
    {
        SingleDeclared("Get-LvsTimeout", "Object", "TimeoutSpec", "900 120 300");
        Assert.Equal("Timeout (tcp tcpfin udp): 900 120 300", ((string)Ok("Get-LvsTimeout -AsText").Objects.Single()).TrimEnd('\n'));
        var set = Ok("Set-LvsTimeout -Tcp 600 -Udp 200 -PassThru").Output.Single().BaseObject;
        Assert.Equal("600 120 200", set.ToString());
        Assert.Equal("600 120 200", Ok("Get-LvsTimeout").Objects.Single().ToString());
        Assert.Empty(Ok("Set-LvsTimeout 0 0 0").Output);
        Assert.Equal("600 120 200", Ok("Get-LvsTimeout").Objects.Single().ToString());
    }

    [RootFact]
    public void FirewallMarkRules_NewGetRemove_FromThePipeline()
    {
        SingleDeclared("New-LvsFirewallMarkRule 3 10.253.0.0 -PrefixLength 24 -Protocol Tcp -Port 443", "*", "MarkRuleSpec", "mark 3: TCP 10.253.0.0/24 port 443");
        Ok("New-LvsFirewallMarkRule -Mark 4 -Address 10.253.0.150 -PortFrom 1000 -PortTo 2000");
        Assert.Equal(new[] { "mark 4: TCP/UDP 10.253.0.150/32 ports 1000-2000" }, Ok("Get-LvsFirewallMarkRule -Mark 4").Objects.Select(o => o.ToString()));
        Assert.Equal(2, Ok("Get-LvsFirewallMarkRule").Output.Count);
        var removed = Ok("Get-LvsFirewallMarkRule | Remove-LvsFirewallMarkRule -PassThru -Confirm:$false").Objects.Select(o => o.ToString()).ToList();
        Assert.Equal(2, removed.Count);
        Assert.Empty(Ok("Get-LvsFirewallMarkRule").Output);
    }

    [RootFact]
    public void FirewallMarkRules_TheDirectorsRefusals()
    {
        Ok("New-LvsFirewallMarkRule -Mark 3 -Address 10.253.0.0 -PrefixLength 24");
        var twice = Run("New-LvsFirewallMarkRule -Mark 3 -Address 10.253.0.0 -PrefixLength 24");
        AssertLvsError(twice.SingleError(), "MarkRuleExists", ErrorCategory.ResourceExists, "mark 3: TCP/UDP 10.253.0.0/24", "NewLvsFirewallMarkRuleCommand");
        var missing = Run("Remove-LvsFirewallMarkRule -Mark 8 -Address 10.253.0.8 -Confirm:$false");
        AssertLvsError(missing.SingleError(), "MarkRuleNotFound", ErrorCategory.ObjectNotFound, "mark 8: TCP/UDP 10.253.0.8/32", "RemoveLvsFirewallMarkRuleCommand");
        var zero = Run("New-LvsFirewallMarkRule -Mark 0 -Address 10.253.0.8");
        AssertLvsError(zero.SingleError(), "InvalidFirewallMark", ErrorCategory.InvalidArgument, "mark 0: TCP/UDP 10.253.0.8/32");
        var port = Run("New-LvsFirewallMarkRule -Mark 8 -Address 10.253.0.8 -PortFrom 70000");
        AssertLvsError(port.SingleError(), "InvalidPort", ErrorCategory.InvalidArgument, 70000);
        Assert.Single(Ok("Get-LvsFirewallMarkRule").Output);
    }

    [RootFact]
    public void GetLvsConnection_AnEmptyTable_AndItsText()
    {
        Seed();
        Assert.Empty(Ok($"Get-LvsConnection -VirtualAddress {Vip} -State Established").Output);
        var text = (string)Ok("Get-LvsConnection -AsText").Objects.Single();
        Assert.Equal("IPVS connection entries\npro expire state       source             virtual            destination\n", text.Replace("\r\n", "\n"));
        OutputTypes.AssertDeclared(Command("Get-LvsConnection"), "Text", text);
        var bad = Run("Get-LvsConnection -State Sleeping");
        AssertBindingError(bad, "CannotConvertArgumentNoMessage", "State");
    }

    [RootFact]
    public void ClearLvsCounter_ForPipedServices_AndItsHalfNamedServiceError()
    {
        Seed();
        var zeroed = Ok("Get-LvsService | Clear-LvsCounter -PassThru -Force").Single<LvsService>();
        Assert.Equal(0ul, zeroed.Statistics.Connections);
        Assert.Single(Ok("Clear-LvsCounter -PassThru -Force").Output);
        var r = Run($"Clear-LvsCounter -VirtualAddress {Vip} -Force");
        AssertLvsError(r, "ServiceNotFound", ErrorCategory.InvalidArgument, "both -VirtualAddress and -Port", cmdletClass: "ClearLvsCounterCommand");
    }

    [RootFact]
    public void ExportLvsConfiguration_FromTheDirector()
    {
        Seed();
        var rules = (string)Ok("Export-LvsConfiguration -Format IpvsadmRules").Objects.Single();
        Assert.Contains($"-A -t {Vip}:80 -s rr", rules);
        Assert.Contains($"-a -t {Vip}:80 -r {Rs1}:80 -g -w 1", rules);
        Assert.Contains($"-a -t {Vip}:80 -r {Rs2}:80 -g -w 2", rules);
        // lvs_dr.conf takes the director's interface and address from the running director.
        var conf = (string)Ok("Export-LvsConfiguration -Format LvsDrConf -Director $n", ("n", Name)).Objects.Single();
        Assert.Contains("DIRECTOR_INSIDEIP=", conf);
        Assert.Contains(DirectorFixture.InterfaceAddress, conf);
        Assert.Contains($"SERVICE=t 80 rr", conf);
    }

    [RootFact]
    public void TestLvsCluster_OnTheDirector_OneResultPerCheck_AndQuiet()
    {
        Ok($"New-LvsService {Vip} 80 -Scheduler rr");
        var results = Ok("Test-LvsCluster -Include Director, Service").Output;
        Assert.All(results, o => OutputTypes.AssertDeclared(Command("Test-LvsCluster"), "Director", o.BaseObject));
        var running = results.Single(o => (string)o.Properties["Check"].Value == "DirectorRunning");
        Assert.Equal(LvsCheckResultKind.Passed, running.Properties["Result"].Value);
        Assert.Equal(Name, running.Properties["Target"].Value);
        var empty = results.Single(o => (string)o.Properties["Check"].Value == "ServiceHasRealServer");
        Assert.Equal(LvsCheckResultKind.Failed, empty.Properties["Result"].Value);
        Assert.Equal($"TCP {Vip}:80", empty.Properties["Target"].Value);
        Assert.Equal(false, Ok("Test-LvsCluster -Include Service -Quiet").Objects.Single());
        // A real server counts only when it is Up: nothing answers ARP for Rs1 in the director's namespace, so it is
        // Unresolved, and the service still has none that takes connections.
        Ok($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1}");
        Assert.Equal(true, Ok("Test-LvsCluster -Include DirectorRunning -Quiet").Objects.Single());
        var unresolved = Ok("Test-LvsCluster -Include ServiceHasRealServer").Output.Single();
        Assert.Equal(LvsCheckResultKind.Failed, unresolved.Properties["Result"].Value);
        Assert.Contains($"{Rs1} Unresolved", (string)unresolved.Properties["Message"].Value);
        Assert.Equal(false, Ok("Test-LvsCluster -Include DirectorRunning, ServiceHasRealServer -Quiet").Objects.Single());
        // RealServerHealthy: a real server without health checks is NotApplicable.
        var healthy = Ok("Test-LvsCluster -Include RealServerHealthy").Output.Single();
        Assert.Equal(LvsCheckResultKind.NotApplicable, healthy.Properties["Result"].Value);
    }

    // Get-LvsConnection's filters and -First through the paged listing.
    [RootFact]
    public void TheFiltersAndFirstGoToTheDirector_AndTheTextStaysIpvsadms()
    {
        Seed();
        Assert.Empty(Ok($"Get-LvsConnection -VirtualAddress {Vip} -Port 80 -ClientAddress 10.250.0.200 -RealAddress {Rs1} -State SynRecv -First 5").Output);
        // -First and the filters leave ipvsadm's text as it is (here: its two title lines)
        Assert.Equal(Ok("Get-LvsConnection -AsText").Objects.Single(), Ok($"Get-LvsConnection -First 3 -Port 80 -AsText").Objects.Single());
    }
}
