
namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// keepalived on a kernel director: the install script (quoted heredoc, keepalived -t before anything changes), the
/// file read back (only LvsPS's), and keepalived 2.2.7's data dump and log lines as the kernel lab's guest printed
/// them (excerpts captured from a run with rs1's web server stopped). The live behaviour is KernelHealth.Tests.ps1's.
/// </summary>
public sealed class KernelKeepalivedTests
{
    private const string Dump = """
------< LVS Topology >------
 System is compiled with LVS v1.2.1
 ------< Virtual server >------
 VS VIP = 10.244.0.101, VPORT = 80
   delay_loop = 1.000000
   ------< Real server >------
   RIP = 10.244.0.3, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 1
   alive = 0
   num failed checkers = 1
   ------< Real server >------
   RIP = 10.244.0.4, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 1
   alive = 1
   num failed checkers = 0
------< Health checkers >------
 [10.244.0.101]:tcp:80 -> [10.244.0.3]:tcp:80
   Enabled = yes
   Up = no
   Has run = yes
 [10.244.0.101]:tcp:80 -> [10.244.0.4]:tcp:80
   Up = yes
   Has run = yes
""";

    private const string Log = """
Tue Dec  1 16:32:09 2026: Activating healthchecker for service [10.244.0.3]:tcp:80 for VS [10.244.0.101]:tcp:80
Tue Dec  1 16:32:10 2026: HTTP_CHECK on service [10.244.0.3]:tcp:80 failed.
Tue Dec  1 16:32:10 2026: Removing service [10.244.0.3]:tcp:80 from VS [10.244.0.101]:tcp:80
Tue Dec  1 16:32:11 2026: Remote Web server [10.244.0.4]:tcp:80 succeed on service.
""";

    [Fact]
    public void TheDump_GivesEachRealServersVerdict()
    {
        var d = KernelKeepalived.ParseDump(Dump);
        var rs1 = d[KernelKeepalived.Key("10.244.0.101:80", IPAddress.Parse("10.244.0.3"), 80)];
        var rs2 = d[KernelKeepalived.Key("10.244.0.101:80", IPAddress.Parse("10.244.0.4"), 80)];
        Assert.Equal((false, 1, true), (rs1.Alive, rs1.FailedCheckers, rs1.HasRun));
        Assert.Equal((true, 0, true), (rs2.Alive, rs2.FailedCheckers, rs2.HasRun));
    }

    [Fact]
    public void TheLog_GivesTheStateChangesWithTheirTimeAndTheFailedCheck()
    {
        var (changes, results) = KernelKeepalived.ParseLog(Log);
        var c = Assert.Single(changes);
        Assert.Equal(LvsRealServerState.Down, c.State);
        Assert.Equal(new DateTime(2026, 12, 1, 16, 32, 10, DateTimeKind.Utc), c.Time);
        Assert.Equal(DateTimeKind.Utc, c.Time.Kind);
        Assert.Contains("HTTP_CHECK on service [10.244.0.3]:tcp:80 failed", c.Reason);
        Assert.Contains("Removing service [10.244.0.3]:tcp:80 from VS [10.244.0.101]:tcp:80", c.Reason);
        Assert.Contains("succeed", results["10.244.0.4:80"].Text);
    }

    [Fact]
    public void TheInstallScript_QuotesTheFile_AndTestsItBeforeReplacingTheOldOne()
    {
        string conf = KernelKeepalived.Header + "\n! $(touch /tmp/pwned) `id` LVSPS_KEEPALIVED_EOF\n";
        string script = KernelKeepalived.InstallScript(conf);
        Assert.Contains("<<'LVSPS_KEEPALIVED_EOF_'\n", script);      // quoted, and a delimiter the text does not hold
        Assert.Contains(conf + "LVSPS_KEEPALIVED_EOF_\n", script);
        Assert.True(script.IndexOf("keepalived -t -f", StringComparison.Ordinal) < script.IndexOf("mv -f", StringComparison.Ordinal));
        Assert.Contains("kill -HUP", script);
    }

    [Fact]
    public void TheFile_IsReadBack_AndAForeignOneIsRefused()
    {
        var svc = new ServiceSpec { Address = IPAddress.Parse("10.0.0.101"), Port = 80, Scheduler = LvsScheduler.Rr, Health = new ServiceHealthSpec { DelayLoopSec = 1 } };
        svc.RealServers.Add(new RealServerSpec
        {
            Address = IPAddress.Parse("10.0.0.3"), Port = 80, Weight = 2,
            HealthChecks = { new HealthCheckSpec { Type = LvsHealthCheckType.Http, Urls = { new HttpUrlSpec { Path = "/test.html", StatusCode = "200" } }, ConnectTimeoutSec = 1, Retry = 0 } },
        });
        var back = Assert.Single(KernelKeepalived.Parse(ConfigurationWriter.WriteKeepalived(new[] { svc }), "edge"));
        var rs = Assert.Single(back.RealServers);
        Assert.Equal(2, rs.Weight);
        var check = Assert.Single(rs.HealthChecks);
        Assert.Equal((LvsHealthCheckType.Http, "/test.html", 1.0, 0), (check.Type, check.Urls[0].Path, check.ConnectTimeoutSec!.Value, check.Retry!.Value));
        Assert.Empty(KernelKeepalived.Parse("", "edge"));
        var e = Assert.Throws<LvsException>(() => KernelKeepalived.Parse("global_defs {\n}\n", "edge"));
        Assert.Equal(LvsErrorIds.KeepalivedConfigForeign, e.ErrorId);
    }

    [Fact]
    public void InstallErrors_MapToTheirErrorIds()
    {
        Assert.Equal(LvsErrorIds.KeepalivedConfigRejected, KernelKeepalived.InstallError(new RemoteResult { ExitStatus = KernelKeepalived.ConfigTestFailed, Error = "(x: Line 3) Unknown keyword 'bogus'\n" }, "edge")!.ErrorId);
        Assert.Equal(LvsErrorIds.KeepalivedNotFound, KernelKeepalived.InstallError(new RemoteResult { ExitStatus = KernelKeepalived.KeepalivedMissing }, "edge")!.ErrorId);
        Assert.Equal(LvsErrorIds.KeepalivedStartFailed, KernelKeepalived.InstallError(new RemoteResult { ExitStatus = KernelKeepalived.StartFailed }, "edge")!.ErrorId);
        Assert.Null(KernelKeepalived.InstallError(new RemoteResult { ExitStatus = 0 }, "edge"));
    }
}
