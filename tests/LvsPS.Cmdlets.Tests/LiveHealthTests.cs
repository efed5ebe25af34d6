using System.Diagnostics;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The health cmdlets against a real lvsd (Add-/Get-/Set-/Remove-LvsHealthCheck, Set-LvsServiceHealth, Get-LvsHealth,
/// Suspend-/Resume-LvsRealServer): pipeline binding from Get-LvsRealServer and Get-LvsHealthCheck, keepalived's
/// defaults for what is not given, bad input refused with InvalidHealthCheck before anything changes (the saved
/// configuration and the state file stay byte for byte the same), -WhatIf, and the default views within 80 columns.
/// The test real servers have no host behind them (nothing answers in the director's namespace), so a TCP or HTTP
/// check of them fails; a MISC_CHECK of /bin/true passes.
/// </summary>
public sealed class LiveHealthTests : DirectorTestBase
{
    public LiveHealthTests(DirectorFixture director) : base(director) { }

    private const string HttpCheck = "-Type Http -Path /test.html -StatusCode 200 -IntervalSec 1 -TimeoutSec 1 -Retry 0";

    /// <summary>The checker info objects of a run, as PSObjects (their type lives in the module's assembly).</summary>
    private static List<PSObject> Infos(LvsPS.Cmdlets.Tests.Hosting.PsResult r)
    {
        r.Ok();
        Assert.All(r.Output, o => Assert.Equal("LvsPS.Commands.LvsHealthCheckInfo", o.BaseObject.GetType().FullName));
        return r.Output.ToList();
    }

    private static T P<T>(PSObject o, string name) => (T)o.Properties[name].Value;

    private List<LvsRealServer> RealServers() => Ok("Get-LvsRealServer").Objects.Cast<LvsRealServer>().ToList();

    [RootFact]
    public void AddLvsHealthCheck_FromGetLvsRealServer_AddsToEach_KeepalivedDefaultsForTheRest()
    {
        Seed();
        var added = Infos(Run($"Get-LvsRealServer -Port 80 | Add-LvsHealthCheck {HttpCheck} -PassThru"));
        Assert.Equal(new[] { Rs1, Rs2 }, added.Select(o => P<string>(o, "RealAddress")));
        foreach (var o in added)
        {
            Assert.Equal(LvsHealthCheckType.Http, P<LvsHealthCheckType>(o, "Type"));
            Assert.Equal("HTTP_GET", P<string>(o, "KeepalivedName"));
            Assert.Equal(new[] { "/test.html" }, P<string[]>(o, "Path"));
            Assert.Equal(new[] { "200" }, P<string?[]>(o, "StatusCode"));
            Assert.Equal(1.0, P<double?>(o, "IntervalSec"));
            Assert.Equal(1.0, P<double?>(o, "TimeoutSec"));
            Assert.Equal(0, P<int?>(o, "Retry"));
            // Not given: null, keepalived's default in the Effective value (delay_before_retry 3 s for HTTP_GET).
            Assert.Null(P<double?>(o, "DelayBeforeRetrySec"));
            Assert.Equal(3.0, P<double>(o, "EffectiveDelayBeforeRetrySec"));
            Assert.Null(P<string?>(o, "ConnectAddress"));
            // keepalived's detection time: delay_loop + connect_timeout x (retry + 1) + delay_before_retry x retry.
            Assert.Equal(2.0, P<double>(o, "DetectionTimeSec"));
            Assert.Equal(Name, P<string>(o, "Director"));
            OutputTypes.AssertDeclared(Command("Add-LvsHealthCheck"), "*", o.BaseObject);
        }
        // The real servers hold the checker (Get-LvsRealServer's HealthChecks), as the state file does.
        Assert.All(RealServers(), r => Assert.Equal("HTTP_GET /test.html", Assert.Single(r.HealthChecks).ToString()));
        Assert.Contains("/test.html", File.ReadAllText(Path.Combine(Director.StateDir, Name + ".json")));
    }

    [RootFact]
    public void AddLvsHealthCheck_TakesKeepalivedsNamesAsAliases()
    {
        Seed();
        var o = Assert.Single(Infos(Run($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Tcp -delay_loop 2 -connect_timeout 3 -nb_get_retry 4 -delay_before_retry 0.5 -connect_port 8080 -connect_ip 127.0.0.1 -PassThru")));
        Assert.Equal(2.0, P<double?>(o, "IntervalSec"));
        Assert.Equal(3.0, P<double?>(o, "TimeoutSec"));
        Assert.Equal(4, P<int?>(o, "Retry"));
        Assert.Equal(0.5, P<double?>(o, "DelayBeforeRetrySec"));
        Assert.Equal((ushort)8080, P<ushort>(o, "ConnectPort"));
        Assert.Equal("127.0.0.1", P<string?>(o, "ConnectAddress")); // addresses read as text in PowerShell (LvsPS.Types.ps1xml)
        var misc = Assert.Single(Infos(Run($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs2} -Type Misc -misc_path '/bin/true' -misc_timeout 2 -misc_dynamic -PassThru")));
        Assert.Equal("/bin/true", P<string>(misc, "Command"));
        Assert.True(P<bool>(misc, "Dynamic"));
        // MISC_CHECK: retry 0 by default, and its timeout is misc_timeout.
        Assert.Equal(0, P<int>(misc, "EffectiveRetry"));
        Assert.Equal(2.0, P<double>(misc, "EffectiveTimeoutSec"));
    }

    public static TheoryData<string, string, string> BadChecks => new()
    {
        { "-Type Http -IntervalSec 0", "0", "The interval (delay_loop) 0 s is out of range" },
        { "-Type Http -TimeoutSec -1", "-1", "The timeout (connect_timeout) -1 s is out of range" },
        { "-Type Http -Path test.html", "test.html", "The path 'test.html' is not valid: it must start with '/'" },
        { "-Type Http -Path /test.html -StatusCode 700", "700", "The status code '700' is out of range; use 100..599" },
        { "-Type Http -StatusCode 299-200", "299-200", "The status code '299-200' is out of range" },
        { "-Type Http -Digest abc", "abc", "The digest 'abc' is not an MD5 digest" },
        { "-Type Http -HttpProtocol 2.0", "2.0", "The HTTP protocol '2.0' is not one of 1.0, 1.0C, 1.1." },
        { "-Type Tcp -Retry -1", "-1", "The retry count -1 is out of range" },
        { "-Type Tcp -ConnectPort 70000", "70000", "The health check port (connect_port) 70000 is out of range" },
        { "-Type Tcp -Path /test.html", "Path", "-Path applies to Http and Ssl checkers, not to TCP_CHECK." },
        { "-Type Http -Command /bin/true", "Command", "-Command applies to Misc checkers (MISC_CHECK), not to HTTP_GET." },
        { "-Type Misc", "", "A MISC_CHECK needs a command (misc_path)." },
        { "-Type Tcp -ConnectAddress 224.0.0.1", "224.0.0.1", "The health check address (connect_ip) '224.0.0.1' is not a host address." },
    };

    [RootTheory]
    [MemberData(nameof(BadChecks))]
    public void AddLvsHealthCheck_BadInput_IsInvalidHealthCheck_NamingTheValue_AndChangesNothing(string parameters, string target, string message)
    {
        Seed();
        var r = RunChangingNothing($"Get-LvsRealServer -RealAddress {Rs1} | Add-LvsHealthCheck {parameters}");
        var e = r.SingleError();
        AssertLvsError(e, "InvalidHealthCheck", ErrorCategory.InvalidArgument, cmdletClass: "AddLvsHealthCheckCommand");
        Assert.Equal(target, Convert.ToString(e.TargetObject is PSObject p ? p.BaseObject : e.TargetObject, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        Assert.Contains(message, e.Exception.Message);
        Assert.Null(r.Terminating);
        Assert.All(RealServers(), x => Assert.Empty(x.HealthChecks));
    }

    [RootFact]
    public void AddLvsHealthCheck_UnknownType_FailsBinding_NamingTheTypes_OrIsInvalidHealthCheck()
    {
        Seed();
        var before = Snapshot();
        var r = Run($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Bogus");
        var e = AssertBindingError(r, "CannotConvertArgumentNoMessage", "Type");
        Assert.Contains("Tcp, Http, Ssl, Misc", e.Message);
        // A value of the enum's type that names no checker gets past the binder, and the validator refuses it.
        var undefined = Run($"$t = [Enum]::ToObject([LvsPS.Ipvs.Specs.LvsHealthCheckType], 9); Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type $t");
        AssertLvsError(undefined, "InvalidHealthCheck", ErrorCategory.InvalidArgument, "Unknown health check type value 9; use Tcp, Http, Ssl or Misc.", cmdletClass: "AddLvsHealthCheckCommand");
        Assert.Equal(before, Snapshot());
    }

    [RootFact]
    public void AddLvsHealthCheck_OnAMissingRealServerOrService_IsNotFound_AndChangesNothing()
    {
        Seed();
        var before = Snapshot();
        var rs = Run($"Add-LvsHealthCheck {Vip} 80 -RealAddress 10.253.0.9 -Type Tcp");
        AssertLvsError(rs, "RealServerNotFound", ErrorCategory.ObjectNotFound, $"The real server 10.253.0.9:80 does not exist in TCP {Vip}:80", IPAddress.Parse("10.253.0.9"), "AddLvsHealthCheckCommand");
        var svc = Run($"Add-LvsHealthCheck {Vip} 81 -RealAddress {Rs1} -Type Tcp -WhatIf");
        AssertLvsError(svc.SingleError(), "ServiceNotFound", ErrorCategory.ObjectNotFound, cmdletClass: "AddLvsHealthCheckCommand");
        Assert.Empty(svc.WhatIf);
        Assert.Equal(before, Snapshot());
    }

    [RootFact]
    public void AddLvsHealthCheck_Twice_IsHealthCheckExists_AndOneOfEachTypeMayBeAdded()
    {
        Seed();
        Ok($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Tcp");
        var r = RunChangingNothing($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Tcp -ConnectPort 22");
        AssertLvsError(r, "HealthCheckExists", ErrorCategory.ResourceExists, "already has a TCP_CHECK checker", cmdletClass: "AddLvsHealthCheckCommand");
        Ok($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Misc -Command /bin/true");
        Assert.Equal(new[] { "Tcp", "Misc" }, Ok($"Get-LvsHealthCheck -RealAddress {Rs1}").Output.Select(o => P<LvsHealthCheckType>(o, "Type").ToString()));
    }

    [RootFact]
    public void SetLvsHealthCheck_ChangesOnlyTheNamedParameters_FromThePipeline()
    {
        Seed();
        Ok($"Get-LvsRealServer | Add-LvsHealthCheck {HttpCheck} -DelayBeforeRetrySec 2");
        var set = Infos(Run("Get-LvsHealthCheck | Set-LvsHealthCheck -TimeoutSec 2.5 -PassThru"));
        Assert.Equal(2, set.Count);
        foreach (var o in set)
        {
            Assert.Equal(2.5, P<double?>(o, "TimeoutSec"));
            Assert.Equal(1.0, P<double?>(o, "IntervalSec"));
            Assert.Equal(0, P<int?>(o, "Retry"));
            Assert.Equal(2.0, P<double?>(o, "DelayBeforeRetrySec"));
            Assert.Equal(new[] { "/test.html" }, P<string[]>(o, "Path"));
            Assert.Equal(new[] { "200" }, P<string?[]>(o, "StatusCode"));
        }
        // From Get-LvsRealServer, without -Type: the real server's only checker. New paths keep the status of an old one.
        var o2 = Assert.Single(Infos(Run($"Get-LvsRealServer -RealAddress {Rs1} | Set-LvsHealthCheck -Path /test.html, /healthz -VirtualHost www.example.org -PassThru")));
        Assert.Equal(new[] { "/test.html", "/healthz" }, P<string[]>(o2, "Path"));
        Assert.Equal(new string?[] { "200", null }, P<string?[]>(o2, "StatusCode"));
        Assert.Equal("www.example.org", P<string?>(o2, "VirtualHost"));
        Assert.Equal(2.5, P<double?>(o2, "TimeoutSec"));
    }

    [RootFact]
    public void SetLvsHealthCheck_Refusals_ChangeNothing()
    {
        Seed();
        Ok($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Tcp; Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Misc -Command /bin/true");
        var before = Snapshot();
        var several = Run($"Set-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -TimeoutSec 2");
        AssertLvsError(several, "InvalidArgument", ErrorCategory.InvalidArgument, "has 2 checkers (TCP_CHECK, MISC_CHECK); name one with -Type", cmdletClass: "SetLvsHealthCheckCommand");
        var missing = Run($"Set-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Http -TimeoutSec 2");
        AssertLvsError(missing, "HealthCheckNotFound", ErrorCategory.ObjectNotFound, $"The real server {Rs1}:80 in TCP {Vip}:80 has no HTTP_GET checker.", IPAddress.Parse(Rs1), "SetLvsHealthCheckCommand");
        var none = Run($"Set-LvsHealthCheck {Vip} 80 -RealAddress {Rs2} -TimeoutSec 2");
        AssertLvsError(none.SingleError(), "HealthCheckNotFound", ErrorCategory.ObjectNotFound, cmdletClass: "SetLvsHealthCheckCommand");
        var bad = Run($"Set-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Tcp -IntervalSec 0");
        AssertLvsError(bad.SingleError(), "InvalidHealthCheck", ErrorCategory.InvalidArgument, 0.0, "SetLvsHealthCheckCommand");
        Assert.Equal(before, Snapshot());
    }

    [RootFact]
    public void RemoveLvsHealthCheck_ByType_OrAll_AndAMissingOne()
    {
        Seed();
        Ok($"Get-LvsRealServer | Add-LvsHealthCheck -Type Tcp; Get-LvsRealServer | Add-LvsHealthCheck -Type Misc -Command /bin/true");
        var removed = Infos(Run("Get-LvsHealthCheck -Type Misc | Remove-LvsHealthCheck -PassThru -Force"));
        Assert.Equal(2, removed.Count);
        Assert.All(removed, o => Assert.Equal(LvsHealthCheckType.Misc, P<LvsHealthCheckType>(o, "Type")));
        Assert.All(RealServers(), r => Assert.Equal(LvsHealthCheckType.Tcp, Assert.Single(r.HealthChecks).Type));
        var missing = Run($"Remove-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Http -Force");
        AssertLvsError(missing.SingleError(), "HealthCheckNotFound", ErrorCategory.ObjectNotFound, cmdletClass: "RemoveLvsHealthCheckCommand");
        Ok("Get-LvsRealServer | Remove-LvsHealthCheck -Force");
        Assert.All(RealServers(), r => Assert.Empty(r.HealthChecks));
        Assert.Empty(Ok("Get-LvsHealthCheck").Output);
    }

    [RootFact]
    public void GetLvsHealthCheck_Filters_AndItsViewFitsIn80Columns()
    {
        Seed();
        Ok($"New-LvsService {Vip} 443 -Scheduler rr; Add-LvsRealServer {Vip} 443 -RealAddress {Rs1}");
        Ok($"Get-LvsRealServer | Add-LvsHealthCheck -Type Tcp; Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} {HttpCheck}");
        Assert.Equal(4, Ok("Get-LvsHealthCheck").Output.Count);
        Assert.Equal(3, Ok($"Get-LvsHealthCheck -RealAddress {Rs1}").Output.Count);
        Assert.Equal(2, Ok("Get-LvsHealthCheck -Port 80 -Type Tcp").Output.Count);
        Assert.Single(Ok("Get-LvsHealthCheck -Type Http").Output);
        Assert.Equal(2, Ok($"Get-LvsService -Port 443 | Get-LvsHealthCheck; Get-LvsRealServer -Port 443 | Get-LvsHealthCheck").Output.Count);
        var lines = Ok("Get-LvsHealthCheck | Out-String -Width 200 -Stream").Objects.Cast<string>().ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"'{l}' is {l.Length} columns"));
        Assert.Contains(lines, l => l.StartsWith("RemoteAddress:Port    Check       Every Timeout Retry Probe", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{Rs1}:80", StringComparison.Ordinal) && l.Contains("HTTP_GET") && l.Contains("/test.html 200"));
        Assert.Contains(lines, l => l.Trim() == $"Service: TCP {Vip}:443");
    }

    [RootFact]
    public void FailingCheck_TakesTheRealServerDown_GetLvsHealthSaysWhy_AndTheIpvsadmTextLeavesItOut()
    {
        Seed();
        // Nothing answers for 10.253.0.3 in the director's namespace: HTTP_GET fails. /bin/true passes.
        Ok($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} {HttpCheck} -WarmupSec 0");
        Ok($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs2} -Type Misc -Command /bin/true -IntervalSec 1 -WarmupSec 0");
        var clock = Stopwatch.StartNew();
        LvsRealServerHealth? down = null, misc = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            var health = Ok("Get-LvsHealth").Objects.Cast<LvsRealServerHealth>().ToList();
            down = health.Single(h => h.RealAddress.ToString() == Rs1);
            misc = health.Single(h => h.RealAddress.ToString() == Rs2);
            if (down.State == LvsRealServerState.Down && misc.LastCheck is not null) break;
            Thread.Sleep(250);
        }
        Assert.Equal(LvsRealServerState.Down, down!.State);
        Assert.False(down.InTable);
        Assert.Equal(0, down.Weight);
        Assert.Equal(1, down.ConfiguredWeight);
        Assert.Contains("HTTP_GET", down.Reason);
        Assert.NotNull(down.LastCheck);
        Assert.Equal(LvsRealServerState.Down, down.History.Last().State);
        Assert.Equal("HTTP_GET /test.html", down.Checks);
        Assert.NotEqual(LvsRealServerState.Down, misc!.State);
        Assert.NotNull(misc.LastResult);

        // Filters, and pipeline binding from Get-LvsRealServer.
        Assert.Equal(new[] { Rs1 }, Ok("Get-LvsHealth -State Down").Objects.Cast<LvsRealServerHealth>().Select(h => h.RealAddress.ToString()));
        Assert.Equal(new[] { Rs2 }, Ok($"Get-LvsHealth -RealAddress {Rs2}").Objects.Cast<LvsRealServerHealth>().Select(h => h.RealAddress.ToString()));
        Assert.Equal(new[] { Rs1, Rs2 }, Ok($"Get-LvsRealServer | Get-LvsHealth").Objects.Cast<LvsRealServerHealth>().Select(h => h.RealAddress.ToString()));
        Assert.Empty(Ok("Get-LvsHealth -Port 81").Output);
        OutputTypes.AssertDeclared(Command("Get-LvsHealth"), "*", down);

        // The real-server objects show it; the ipvsadm text is exactly ipvsadm's, without the real server taken out.
        var rs1 = RealServers().Single(r => r.RealAddress.ToString() == Rs1);
        Assert.Equal(LvsRealServerState.Down, rs1.State);
        Assert.False(rs1.InTable);
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            $"TCP  {Vip}:80 rr\n" +
            $"  -> {Rs2}:80                Route   2      0          0         \n",
            ((string)Ok("Get-LvsService -AsText").Objects.Single()).Replace("\r\n", "\n"));

        // The default views: State in the real-server table, the health table; each within 80 columns.
        var rsView = Ok("Get-LvsRealServer | Out-String -Width 200 -Stream").Objects.Cast<string>().ToList();
        Assert.Contains(rsView, l => l.StartsWith("RemoteAddress:Port    Forward Weight ActiveConn InActConn State      Checks", StringComparison.Ordinal));
        Assert.Contains(rsView, l => l.StartsWith($"{Rs1}:80", StringComparison.Ordinal) && l.Contains(" Down ") && l.TrimEnd().EndsWith("HTTP", StringComparison.Ordinal));
        var healthView = Ok("Get-LvsHealth | Out-String -Width 200 -Stream").Objects.Cast<string>().ToList();
        Assert.Contains(healthView, l => l.StartsWith("RemoteAddress:Port    State      Checked  Changed  Reason", StringComparison.Ordinal));
        Assert.Contains(healthView, l => l.StartsWith($"{Rs1}:80", StringComparison.Ordinal) && l.Contains(" Down "));
        Assert.All(rsView.Concat(healthView), l => Assert.True(l.Length <= 80, $"'{l}' is {l.Length} columns"));

        // Removing the failing checker brings the real server back into the table.
        Ok($"Remove-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Http -Force");
        rs1 = RealServers().Single(r => r.RealAddress.ToString() == Rs1);
        Assert.True(rs1.InTable);
        Assert.NotEqual(LvsRealServerState.Down, rs1.State);
        Assert.Equal(1, rs1.Weight);
    }

    [RootFact]
    public void SetLvsServiceHealth_SetsTheNamedSettings_KeepsTheOthers_FromThePipeline()
    {
        Seed();
        var s = Ok("Get-LvsService -Port 80 | Set-LvsServiceHealth -DelayLoopSec 5 -Quorum 2 -Hysteresis 1 -SorryServer 10.253.0.9 -SorryServerPort 8080 -QuorumDownCommand '/bin/true down' -InhibitOnFailure -PassThru").Single<LvsService>();
        var h = Assert.IsType<ServiceHealthSpec>(s.Health);
        Assert.Equal(5.0, h.DelayLoopSec);
        Assert.Equal(2, h.Quorum);
        Assert.Equal(1, h.Hysteresis);
        Assert.Equal(IPAddress.Parse("10.253.0.9"), h.SorryServer);
        Assert.Equal((ushort)8080, h.SorryServerPort);
        Assert.Equal("/bin/true down", h.QuorumDown);
        Assert.True(h.InhibitOnFailure);
        Assert.True(s.QuorumUp);
        h = Ok($"Set-LvsServiceHealth {Vip} 80 -Quorum 3 -InhibitOnFailure:$false -SorryServer $null -quorum_up '/bin/true up' -PassThru").Single<LvsService>().Health!;
        Assert.Equal(5.0, h.DelayLoopSec);
        Assert.Equal(3, h.Quorum);
        Assert.Equal(1, h.Hysteresis);
        Assert.Null(h.SorryServer);
        Assert.False(h.InhibitOnFailure);
        Assert.Equal("/bin/true up", h.QuorumUp);
        Assert.Equal("/bin/true down", h.QuorumDown);
        // A checker without an interval of its own runs at the service's delay_loop.
        var o = Assert.Single(Infos(Run($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Tcp -PassThru")));
        Assert.Null(P<double?>(o, "IntervalSec"));
        Assert.Equal(5.0, P<double>(o, "EffectiveIntervalSec"));
    }

    [RootTheory]
    [InlineData("-DelayLoopSec 0", "InvalidHealthCheck", "The delay_loop 0 s is out of range")]
    [InlineData("-Quorum 0", "InvalidHealthCheck", "The quorum 0 is out of range")]
    [InlineData("-Hysteresis -1", "InvalidHealthCheck", "The hysteresis -1 is out of range")]
    [InlineData("-SorryServer 127.0.0.1", "InvalidAddress", "The sorry server address '127.0.0.1' cannot be used")]
    [InlineData("-SorryServerPort 70000", "InvalidPort", "The sorry server port 70000 is out of range")]
    [InlineData("-VirtualHost 'a b'", "InvalidHealthCheck", "The virtual host 'a b' is not a host name.")]
    public void SetLvsServiceHealth_BadInput_IsRefused_AndChangesNothing(string parameters, string errorId, string message)
    {
        Seed();
        var r = RunChangingNothing($"Set-LvsServiceHealth {Vip} 80 {parameters}");
        AssertLvsError(r, errorId, ErrorCategory.InvalidArgument, message, cmdletClass: "SetLvsServiceHealthCommand");
        Assert.Null(Ok("Get-LvsService").Single<LvsService>().Health);
    }

    [RootFact]
    public void SuspendAndResume_KeepTheConfiguredWeight_AndTheIpvsadmTextShowsWeight0()
    {
        Seed();
        var s = Ok($"Suspend-LvsRealServer {Vip} 80 -RealAddress {Rs2} -Drain -PassThru").Single<LvsRealServer>();
        Assert.True(s.Suspended);
        Assert.Equal(0, s.Weight);
        Assert.Equal(2, s.ConfiguredWeight);
        Assert.Equal(LvsRealServerState.Quiesced, s.State);
        Assert.Contains($"  -> {Rs2}:80                Route   0      0          0", (string)Ok("Get-LvsService -AsText").Objects.Single());
        Assert.Equal(LvsRealServerState.Quiesced, Ok($"Get-LvsHealth -RealAddress {Rs2}").Single<LvsRealServerHealth>().State);
        // Twice is no error; it stays suspended with the same weight to come back to.
        Ok($"Suspend-LvsRealServer {Vip} 80 -RealAddress {Rs2}");
        var back = Ok($"Get-LvsRealServer -RealAddress {Rs2} | Resume-LvsRealServer -PassThru").Single<LvsRealServer>();
        Assert.False(back.Suspended);
        Assert.Equal(2, back.Weight);
        OutputTypes.AssertDeclared(Command("Resume-LvsRealServer"), "*", back);
    }

    [RootFact]
    public void SuspendLvsRealServer_Wait_ReturnsOnceDrained_ForEveryRealServerOfThePipeline()
    {
        Seed();
        var clock = Stopwatch.StartNew();
        var r = Ok("Get-LvsRealServer | Suspend-LvsRealServer -Drain -Wait -TimeoutSec 30 -PassThru");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"no connection was open, yet it waited {clock.Elapsed}");
        Assert.Empty(r.Warnings);
        var suspended = r.Objects.Cast<LvsRealServer>().ToList();
        Assert.Equal(new[] { Rs1, Rs2 }, suspended.Select(x => x.RealAddress.ToString()));
        Assert.All(suspended, x => { Assert.True(x.Suspended); Assert.Equal(0, x.Weight); });
        Ok("Get-LvsRealServer | Resume-LvsRealServer");
        Assert.Equal(new[] { 1, 2 }, RealServers().Select(x => x.Weight));
    }

    [RootFact]
    public void SuspendAndResume_AMissingRealServer_IsRealServerNotFound()
    {
        Seed();
        var before = Snapshot();
        var s = Run($"Suspend-LvsRealServer {Vip} 80 -RealAddress 10.253.0.9 -Drain -Wait");
        AssertLvsError(s.SingleError(), "RealServerNotFound", ErrorCategory.ObjectNotFound, IPAddress.Parse("10.253.0.9"), "SuspendLvsRealServerCommand");
        var r = Run($"Resume-LvsRealServer {Vip} 80 -RealAddress 10.253.0.9");
        AssertLvsError(r.SingleError(), "RealServerNotFound", ErrorCategory.ObjectNotFound, IPAddress.Parse("10.253.0.9"), "ResumeLvsRealServerCommand");
        Assert.Equal(before, Snapshot());
    }

    public static TheoryData<string, string, string> WhatIfCases => new()
    {
        { $"Get-LvsRealServer -RealAddress {Rs1} | Add-LvsHealthCheck {HttpCheck} -WhatIf", "Add health check HTTP_GET /test.html (interval 1 s, timeout 1 s, retry 0)", $"{Rs1}:80 in TCP {Vip}:80 on director '{{d}}'" },
        { $"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Tcp -WhatIf", "Add health check TCP_CHECK (interval 60 s, timeout 5 s, retry 1)", $"{Rs1}:80 in TCP {Vip}:80 on director '{{d}}'" },
        { $"Set-LvsHealthCheck {Vip} 80 -RealAddress {Rs2} -Type Misc -IntervalSec 3 -WhatIf", "Set health check MISC_CHECK /bin/true (interval 3 s, timeout 3 s, retry 0)", $"{Rs2}:80 in TCP {Vip}:80 on director '{{d}}'" },
        { $"Get-LvsHealthCheck | Remove-LvsHealthCheck -WhatIf", "Remove health check MISC_CHECK /bin/true", $"{Rs2}:80 in TCP {Vip}:80 on director '{{d}}'" },
        { $"Set-LvsServiceHealth {Vip} 80 -Quorum 2 -SorryServer 10.253.0.9 -WhatIf", "Set service health: delay_loop 60 s, quorum 2, hysteresis 0, sorry server 10.253.0.9", $"TCP {Vip}:80 on director '{{d}}'" },
        { $"Suspend-LvsRealServer {Vip} 80 -RealAddress {Rs2} -Drain -Wait -WhatIf", "Suspend LVS real server (weight 0, configured weight 2 kept; open connections go on)", $"{Rs2}:80 in TCP {Vip}:80 on director '{{d}}'" },
        { $"Resume-LvsRealServer {Vip} 80 -RealAddress {Rs1} -WhatIf", "Resume LVS real server", $"{Rs1}:80 in TCP {Vip}:80 on director '{{d}}'" },
    };

    [RootTheory]
    [MemberData(nameof(WhatIfCases))]
    public void WhatIf_ChangesNothing_AndNamesTheTarget(string script, string operation, string target)
    {
        Seed();
        Ok($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs2} -Type Misc -Command /bin/true");
        AssertWhatIfOnly(script, operation, target);
    }
}
