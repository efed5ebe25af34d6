// lvsd's health checker, beside the engine in the same process and network context (as keepalived's checker
// process sits beside kernel IPVS): it reads the checks configured on the engine's real servers, runs the probes on
// its own schedule with keepalived's timing (delay_loop, connect_timeout, retry, delay_before_retry, warmup, alpha),
// and reports every result to the engine, which decides the real server's state, quorum and sorry server under its
// lock and says which notify/quorum commands to run. Nothing here touches the tables directly.
using System.Globalization;
using System.Net;

namespace LvsPS.Engine.Health;

/// <summary>One checker of one real server of one service.</summary>
internal readonly record struct CheckerKey(ulong Service, IPAddress RealAddress, ushort RealPort, LvsHealthCheckType Type);

/// <summary>What the monitor checks, copied from the engine.</summary>
internal sealed class HealthTarget
{
    public required CheckerKey Key { get; init; }
    public required HealthCheckSpec Check { get; init; }
    public ServiceHealthSpec? Service { get; init; }
    /// <summary>The real server's port (connect_port 0 means this one).</summary>
    public required ushort RealPort { get; init; }
    public string? VirtualHost { get; init; }
    /// <summary>"[10.0.0.3]:tcp:80 of VS [10.0.0.101]:tcp:80", as keepalived logs it.</summary>
    public required string Name { get; init; }
}

/// <summary>The engine, as the health monitor sees it.</summary>
internal interface IHealthTable
{
    /// <summary>Changes whenever checks, real servers or services change, so the monitor refreshes its targets.</summary>
    long HealthVersion { get; }

    /// <summary>Every configured checker.</summary>
    List<HealthTarget> HealthTargets();

    /// <summary>
    /// One probe's result for a checker whose state is now <paramref name="up"/> (<paramref name="changed"/> when the
    /// checker just changed); the engine updates the real server and the service and returns the commands to run.
    /// </summary>
    IReadOnlyList<string> ReportCheck(CheckerKey key, bool up, bool changed, int? dynamicWeight, string result);
}

/// <summary>Runs every checker on its own timer; one probe per checker at a time.</summary>
internal sealed class HealthMonitor : IDisposable
{
    private readonly IHealthTable _table;
    private readonly LogWriter _log;
    private readonly Func<DateTime> _now;
    private readonly Dictionary<CheckerKey, CheckerState> _checkers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly object _sync = new();
    private long _version = -1;
    private Thread? _thread;

    public HealthMonitor(IHealthTable table, LogWriter log, Func<DateTime>? now = null)
    {
        _table = table;
        _log = log;
        _now = now ?? (() => DateTime.UtcNow);
    }

    /// <summary>A checker's own state: up or down, failures in a row, when it runs next.</summary>
    internal sealed class CheckerState
    {
        public required HealthTarget Target;
        public bool Up;
        public int Failures;
        public DateTime Due;
        public bool Running;
    }

    public void Start()
    {
        // Probes finish on pool threads: keep a few ready so a probe's timeout measures the real server, not the pool.
        ThreadPool.GetMinThreads(out int w, out int io);
        ThreadPool.SetMinThreads(Math.Max(w, 8), Math.Max(io, 8));
        _thread = new Thread(Loop) { IsBackground = true, Name = "lvsd-health" };
        _thread.Start();
    }

    private void Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { Step(); }
            catch (Exception e) { _log(LvsLogSource.Health, LvsLogSeverity.Error, "health: " + e); }
            _stop.Token.WaitHandle.WaitOne(20);
        }
    }

    /// <summary>Refreshes the targets when the configuration changed, then starts every checker that is due.</summary>
    internal void Step()
    {
        long v = _table.HealthVersion;
        if (v != _version)
        {
            _version = v;
            Refresh(_table.HealthTargets());
        }
        var now = _now();
        List<CheckerState> due;
        lock (_sync) due = _checkers.Values.Where(c => !c.Running && c.Due <= now).ToList();
        foreach (var c in due)
        {
            c.Running = true;
            _ = RunAsync(c);
        }
    }

    internal void Refresh(List<HealthTarget> targets)
    {
        var now = _now();
        lock (_sync)
        {
            var keys = new HashSet<CheckerKey>(targets.Select(t => t.Key));
            foreach (var gone in _checkers.Keys.Where(k => !keys.Contains(k)).ToList()) _checkers.Remove(gone);
            foreach (var t in targets)
            {
                if (_checkers.TryGetValue(t.Key, out var existing))
                {
                    // A changed checker (Set-, or Remove- then Add-) runs at once with its new parameters, keeping
                    // its state, rather than at the time its old interval gave.
                    if (!ReferenceEquals(existing.Target.Check, t.Check))
                    {
                        existing.Failures = 0;
                        existing.Due = now;
                    }
                    existing.Target = t;
                    continue;
                }
                bool alpha = t.Check.Alpha ?? t.Service?.Alpha ?? false;
                double interval = t.Check.EffectiveIntervalSec(t.Service);
                double warmup = t.Check.WarmupSec ?? interval;
                var state = new CheckerState
                {
                    Target = t,
                    Up = !alpha,
                    Due = now + TimeSpan.FromSeconds(warmup > 0 ? Random.Shared.NextDouble() * warmup : 0),
                };
                _checkers[t.Key] = state;
                if (alpha)
                    Report(state, up: false, changed: true, null, "alpha: down until the first check passes");
            }
        }
    }

    private async Task RunAsync(CheckerState c)
    {
        var t = c.Target;
        var check = t.Check;
        ProbeResult r;
        try
        {
            var target = new ProbeTarget(check.ConnectAddress ?? t.Key.RealAddress, check.ConnectPort != 0 ? check.ConnectPort : t.RealPort,
                check.BindAddress, check.BindPort, TimeSpan.FromSeconds(check.EffectiveConnectTimeoutSec));
            var misc = TimeSpan.FromSeconds(check.MiscTimeoutSec ?? check.EffectiveIntervalSec(t.Service));
            r = await Probes.RunAsync(check, target, t.VirtualHost, misc).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            r = ProbeResult.Fail(e.GetType().Name + ": " + e.Message);
        }
        Completed(c, r);
    }

    /// <summary>keepalived's rule: a live server goes down after retry + 1 failures in a row, each retry after
    /// delay_before_retry; a down server comes up on its first success; checks repeat every delay_loop.</summary>
    internal void Completed(CheckerState c, ProbeResult r)
    {
        var check = c.Target.Check;
        var now = _now();
        double interval = check.EffectiveIntervalSec(c.Target.Service);
        bool changed = false;
        string detail = r.Detail;
        if (r.Up)
        {
            c.Failures = 0;
            changed = !c.Up;
            c.Up = true;
            c.Due = now + TimeSpan.FromSeconds(interval);
        }
        else if (c.Up && c.Failures < check.EffectiveRetry)
        {
            c.Failures++;
            detail = $"{r.Detail} (retry {c.Failures} of {check.EffectiveRetry} in {check.EffectiveDelayBeforeRetrySec.ToString(CultureInfo.InvariantCulture)} s)";
            c.Due = now + TimeSpan.FromSeconds(check.EffectiveDelayBeforeRetrySec);
        }
        else
        {
            changed = c.Up;
            if (changed && check.EffectiveRetry > 0) detail = $"{r.Detail} (after {check.EffectiveRetry + 1} tries)";
            c.Up = false;
            c.Failures = 0;
            c.Due = now + TimeSpan.FromSeconds(interval);
        }
        Report(c, c.Up, changed, r.DynamicWeight, detail);
        c.Running = false;
    }

    private void Report(CheckerState c, bool up, bool changed, int? weight, string detail)
    {
        IReadOnlyList<string> commands;
        try { commands = _table.ReportCheck(c.Target.Key, up, changed, weight, $"{c.Target.Check.KeepalivedName}: {detail}"); }
        catch (Exception e) { _log(LvsLogSource.Health, LvsLogSeverity.Error, $"health: {c.Target.Name}: {e.Message}"); return; }
        if (changed)
            _log(LvsLogSource.Health, up ? LvsLogSeverity.Info : LvsLogSeverity.Warning, $"health: {c.Target.Check.KeepalivedName} on {c.Target.Name} {(up ? "succeeded" : "failed")}: {detail}");
        foreach (var cmd in commands)
            _ = RunCommand(cmd);
    }

    private async Task RunCommand(string command)
    {
        var said = await Probes.RunCommandAsync(command, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        _log(LvsLogSource.Health, LvsLogSeverity.Notice, $"health: ran {said}");
    }

    /// <summary>The checkers' states (for tests).</summary>
    internal IReadOnlyList<CheckerState> Checkers { get { lock (_sync) return _checkers.Values.ToList(); } }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(2));
    }
}
