using LvsPS.Ipvs.Vrrp;
using LvsPS.Ipvs.Sync;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Failover and health-check set-up over several directors from one pipeline: two lvsd started by the test, each in a
/// namespace of its own on the two ends of one veth, so they hear each other's VRRP adverts. Each record names its
/// director (by property name) and its own settings; the directors are worked on at once (-ThrottleLimit), each gets
/// its own record's values, output keeps the input's order, a director that is not running is one error, and
/// -WhatIf still only shows.
/// </summary>
public sealed class LiveFleetTests : CmdletTestBase
{
    private readonly string _id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
    private readonly List<string> _namespaces = new();
    private readonly List<string> _started = new();

    private string First => "fa" + _id;
    private string Second => "fb" + _id;
    private const string FirstAddress = "10.252.77.1";
    private const string SecondAddress = "10.252.77.2";

    private PsResult Ok(string script, params (string Name, object? Value)[] variables) => Run(script, variables).Ok();

    private static object? Prop(object o, string name) => PSObject.AsPSObject(o).Properties[name]?.Value;

    /// <summary>Two namespaces joined by a veth (lvsfa0 10.252.77.1/24, lvsfb0 10.252.77.2/24), an lvsd on each end.</summary>
    private void StartPair()
    {
        if (!DirectorFixture.IsRoot) throw new InvalidOperationException("Real directors need root.");
        Run("$null").Ok(); // the module is loaded
        _sessionDirector = SessionDirector.GetValue(null);
        string nsA = "lvsfa-" + _id, nsB = "lvsfb-" + _id;
        foreach (var ns in new[] { nsA, nsB })
        {
            DirectorFixture.Ip("netns", "add", ns);
            _namespaces.Add(ns);
            DirectorFixture.Ip("-n", ns, "link", "set", "lo", "up");
        }
        DirectorFixture.Ip("-n", nsA, "link", "add", "lvsfa0", "type", "veth", "peer", "name", "lvsfb0", "netns", nsB);
        foreach (var (ns, dev, address) in new[] { (nsA, "lvsfa0", FirstAddress), (nsB, "lvsfb0", SecondAddress) })
        {
            DirectorFixture.Ip("-n", ns, "addr", "add", address + "/24", "dev", dev);
            DirectorFixture.Ip("-n", ns, "link", "set", dev, "up");
        }
        foreach (var (ns, dev, name) in new[] { ("lvsfa-" + _id, "lvsfa0", First), ("lvsfb-" + _id, "lvsfb0", Second) })
        {
            Run("Start-LvsDirector -Name $n -Interface $i -NetworkNamespace $ns -TimeoutSec 60", ("n", name), ("i", dev), ("ns", ns)).Ok();
            _started.Add(name);
        }
        Run("$null", ("a", First), ("b", Second)).Ok(); // the rows' variables
    }

    /// <summary>
    /// The session's default director (Start-LvsDirector makes the one it started the default): put back in Dispose,
    /// so the collection's director is the default again for the tests after this one.
    /// </summary>
    private static System.Reflection.PropertyInfo SessionDirector =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType("LvsPS.LvsCmdlet")).First(t => t is not null)!
            .GetProperty("SessionDirector", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private object? _sessionDirector;

    public override void Dispose()
    {
        foreach (var name in _started) Run("Stop-LvsDirector -Name $n -Confirm:$false", ("n", name));
        if (_started.Count > 0) SessionDirector.SetValue(null, _sessionDirector);
        foreach (var ns in _namespaces)
        {
            try { DirectorFixture.Ip("netns", "del", ns); } catch (Exception) { }
        }
        base.Dispose();
    }

    /// <summary>The rows of a fleet: the first director, one that is not running, the second.</summary>
    private const string Rows = """
        $rows = @(
            [pscustomobject]@{ Director = $a; Interface = 'lvsfa0'; Priority = 150; Role = 'Master' }
            [pscustomobject]@{ Director = 'nosuchdir7'; Interface = 'lvsfa0'; Priority = 120; Role = 'Master' }
            [pscustomobject]@{ Director = $b; Interface = 'lvsfb0'; Priority = 100; Role = 'Backup' }
        )
        """;

    private T WaitFor<T>(Func<T?> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what + " did not happen within 30 s");
            Thread.Sleep(200);
        }
    }

    private VrrpInstanceStatus? Instance(string director, string state) =>
        Run("Get-LvsVrrpInstance -Director $d -Name VI_fleet", ("d", director)).Objects.OfType<VrrpInstanceStatus>()
            .FirstOrDefault(s => s.State.ToString() == state);

    [RootFact]
    public void OnePipeline_SetsUpEachDirectorWithItsOwnValues_InInputOrder_OneErrorForADirectorNotRunning()
    {
        StartPair();
        // VRRP: each director its own interface and priority; the one not running is one error, named.
        var r = Run(Rows + "\n" + """
            $rows | New-LvsVrrpInstance -Name VI_fleet -VirtualRouterId 77 -VirtualAddress 10.252.77.177 -Version 3 -AdvertInterval 0.25 -ThrottleLimit 4 -PassThru
            """, ("a", First), ("b", Second));
        var made = r.Objects.Cast<VrrpInstanceStatus>().ToList();
        Assert.Equal(new[] { First, Second }, made.Select(s => s.Director).ToArray());
        Assert.Equal(new[] { 150, 100 }, made.Select(s => s.Priority).ToArray());
        Assert.Equal(new[] { "lvsfa0", "lvsfb0" }, made.Select(s => s.Interface).ToArray());
        var e = r.SingleError();
        AssertLvsError(e, "DirectorNotRunning", ErrorCategory.ResourceUnavailable, "nosuchdir7", "NewLvsVrrpInstanceCommand");
        Assert.Contains("nosuchdir7", e.Exception.Message);
        // Progress per director as each finishes, then done.
        var progress = r.Progress.Where(p => p.Activity == "New-LvsVrrpInstance").ToList();
        Assert.Equal("0 of 3 host(s) done", progress[0].StatusDescription);
        Assert.Equal("3 at a time", progress[0].CurrentOperation); // -ThrottleLimit 4, three directors
        Assert.Contains(progress, p => p.CurrentOperation == "nosuchdir7: failed");
        Assert.Contains(progress, p => p.CurrentOperation == $"{First}: done");
        Assert.Contains(progress, p => p.CurrentOperation == $"{Second}: done");
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);

        // The two lvsd hear each other over the veth: 150 is master, 100 backup naming it.
        WaitFor(() => Instance(First, "Master"), "the first director becoming master");
        var backup = WaitFor(() => Instance(Second, "Backup") is { MasterPriority: 150 } b ? b : null, "the second director backing off");
        Assert.Equal(IPAddress.Parse(FirstAddress), backup.MasterAddress);

        // Set: each record's priority goes to its own director (the work reads a frozen copy of its record).
        r = Run("""
            @([pscustomobject]@{ Director = $a; Priority = 90 }, [pscustomobject]@{ Director = $b; Priority = 200 }) |
                Set-LvsVrrpInstance -Name VI_fleet -ThrottleLimit 1 -PassThru
            """, ("a", First), ("b", Second)).Ok();
        Assert.Equal("1 at a time", r.Progress.First(p => p.Activity == "Set-LvsVrrpInstance").CurrentOperation);
        Assert.Equal(new[] { (First, 90), (Second, 200) }, r.Objects.Cast<VrrpInstanceStatus>().Select(s => (s.Director, s.Priority)).ToArray());
        WaitFor(() => Instance(Second, "Master"), "the second director preempting with 200");
        WaitFor(() => Instance(First, "Backup"), "the first director backing off");

        // Sync daemons: master on one, backup on the other, from the same rows.
        r = Run(Rows + "\n" + """
            $rows | Start-LvsSyncDaemon -SyncId 9 -PassThru
            """, ("a", First), ("b", Second));
        Assert.Equal(new[] { (First, SyncDaemonRole.Master), (Second, SyncDaemonRole.Backup) },
            r.Objects.Cast<SyncDaemonStatus>().Select(d => (d.Director, d.Role)).ToArray());
        Assert.Equal("nosuchdir7", r.SingleError().TargetObject);
        Assert.Equal(SyncDaemonRole.Backup, Ok("Get-LvsSyncDaemon -Director $b", ("b", Second)).Single<SyncDaemonStatus>().Role);

        // Health: the same service and real server on both, a checker added to both from Get-LvsRealServer's output.
        Ok("""
            foreach ($d in $a, $b) {
                New-LvsService -Director $d -VirtualAddress 10.252.77.177 -Port 80 -Scheduler rr | Out-Null
                Add-LvsRealServer -Director $d -VirtualAddress 10.252.77.177 -Port 80 -RealAddress 10.252.77.3 | Out-Null
            }
            """, ("a", First), ("b", Second));
        r = Ok("""
            @(Get-LvsRealServer -Director $a) + @(Get-LvsRealServer -Director $b) | Add-LvsHealthCheck -Type Tcp -TimeoutSec 2 -PassThru
            """, ("a", First), ("b", Second));
        Assert.Equal(new object?[] { First, Second }, r.Objects.Select(o => Prop(o, "Director")).ToArray());
        r = Ok("""
            @(Get-LvsService -Director $a) + @(Get-LvsService -Director $b) | Set-LvsServiceHealth -DelayLoopSec 3 -Quorum 1 -PassThru
            """, ("a", First), ("b", Second));
        Assert.Equal(new object?[] { First, Second }, r.Objects.Select(o => Prop(o, "Director")).ToArray());
        foreach (var d in new[] { First, Second })
        {
            var svc = Ok("Get-LvsService -Director $d", ("d", d)).Single<LvsService>();
            Assert.Equal(3, svc.Health!.DelayLoopSec);
            Assert.Equal(LvsHealthCheckType.Tcp, Assert.Single(Assert.Single(svc.RealServers).HealthChecks).Type);
        }

        // Taking it down over both, -Force asking nothing: still at once, still in order.
        r = Ok("""
            @(Get-LvsRealServer -Director $a) + @(Get-LvsRealServer -Director $b) | Remove-LvsHealthCheck -Force -PassThru
            """, ("a", First), ("b", Second));
        Assert.Equal(new object?[] { First, Second }, r.Objects.Select(o => Prop(o, "Director")).ToArray());
        Assert.Empty(r.Prompts);
        r = Ok("""
            @(Get-LvsSyncDaemon -Director $a) + @(Get-LvsSyncDaemon -Director $b) | Stop-LvsSyncDaemon -Force -PassThru
            """, ("a", First), ("b", Second));
        Assert.Equal(new[] { First, Second }, r.Objects.Cast<SyncDaemonStatus>().Select(d => d.Director).ToArray());
        Assert.Contains(r.Progress, p => p.Activity == "Stop-LvsSyncDaemon" && p.CurrentOperation == $"{Second}: done");
        r = Ok("""
            @(Get-LvsVrrpInstance -Director $a) + @(Get-LvsVrrpInstance -Director $b) | Remove-LvsVrrpInstance -Force -PassThru
            """, ("a", First), ("b", Second));
        Assert.Equal(new[] { First, Second }, r.Objects.Cast<VrrpInstanceStatus>().Select(v => v.Director).ToArray());
        Assert.Empty(r.Prompts);
        Assert.Empty(Ok("Get-LvsVrrpInstance -Director $a; Get-LvsVrrpInstance -Director $b; Get-LvsSyncDaemon -Director $a; Get-LvsSyncDaemon -Director $b", ("a", First), ("b", Second)).Output);
        Assert.All(Ok("Get-LvsRealServer -Director $a; Get-LvsRealServer -Director $b", ("a", First), ("b", Second)).Objects.Cast<LvsRealServer>(), rs => Assert.Empty(rs.HealthChecks));
    }

    [RootFact]
    public void WhatIf_OverSeveralDirectors_ShowsEach_AndChangesNothing()
    {
        StartPair();
        var r = Run(Rows + "\n" + """
            $rows | Where-Object Director -NE 'nosuchdir7' | New-LvsVrrpInstance -Name VI_fleet -VirtualRouterId 77 -VirtualAddress 10.252.77.177 -WhatIf
            """);
        // -WhatIf runs each record at once, as asked: one line per director, in order, and nothing made on either.
        Assert.Equal(2, r.WhatIf.Count);
        Assert.Contains($"on director '{First}'", r.WhatIf[0]);
        Assert.Contains($"on director '{Second}'", r.WhatIf[1]);
        Assert.Empty(r.Progress);
        Assert.Empty(Ok("Get-LvsVrrpInstance -Director $a; Get-LvsVrrpInstance -Director $b", ("a", First), ("b", Second)).Output);
    }
}
