using System.Diagnostics;
using System.Globalization;

namespace LvsPS.Commands;

/// <summary>
/// Takes a real server out of scheduling (weight 0 in the table; its configured weight is kept for
/// Resume-LvsRealServer): no new connection goes to it while its open connections go on. With -Wait (or -TimeoutSec),
/// waits until its active connections have closed, showing progress, or warns at the timeout.
/// </summary>
/// <remarks>
/// The director cannot cut connections, so a suspended real server always drains: -Drain names the intent, as
/// Stop-NlbClusterNode -Drain and Suspend-ClusterNode -Drain do, and is the documented way to write it; without
/// -Wait the cmdlet suspends and returns.
/// </remarks>
[Cmdlet(VerbsLifecycle.Suspend, "LvsRealServer", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Suspend-LvsRealServer.md")]
[OutputType(typeof(LvsRealServer))]
public sealed class SuspendLvsRealServerCommand : LvsRealServerStateCmdlet
{
    /// <summary>Let the open connections finish (what a suspend always does; the documented switch).</summary>
    [Parameter]
    public SwitchParameter Drain { get; set; }

    /// <summary>Wait until the real server has no active connection.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: give up waiting after this many seconds (the real server stays suspended); implies -Wait.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? TimeoutSec { get; set; }

    private readonly List<(ServiceSpec Service, LvsRealServer RealServer)> _suspended = new();
    private IDirector? _client;

    private bool Waiting => Wait || TimeoutSec is not null;

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc)) return;
        var client = GetClient();
        if (_client is not null && _client.Name != client.Name)
        {
            WriteLvsError(new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                "Suspend-LvsRealServer -Wait drains the real servers of one director at a time; run it once per director.", client.Name));
            return;
        }
        if (!Try(() => RequireListed(client, svc), out var found, RealAddress)) return;
        var rs = found.RealServer;
        string how = rs.Suspended ? "already suspended" : $"weight 0, configured weight {rs.ConfiguredWeight} kept";
        if (!ShouldProcess(Target(svc, client, rs), $"Suspend LVS real server ({how}; open connections go on)")) return;
        Try(() =>
        {
            client.SuspendRealServer(svc, SpecOf(rs));
            WriteVerbose($"{rs.RealAddress}:{rs.RealPort} in {svc} is suspended; {rs.ActiveConnections} active connection(s) go on.");
            if (Waiting)
            {
                _client = client;
                _suspended.Add((svc, rs));
            }
            else if (PassThru) WriteObject(FindRealServer(client, svc, rs.RealAddress, rs.RealPort));
        }, RealAddress);
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        if (!Waiting || _client is null || _suspended.Count == 0) return;
        var client = _client;
        var names = _suspended.Select(x => $"{x.RealServer.RealAddress}:{x.RealServer.RealPort} in {x.Service}").ToList();
        var waiter = new DrainWaiter(names, () => ActiveNow(client), TimeoutSec is { } t ? TimeSpan.FromSeconds(t) : null);
        var left = waiter.Run(StopToken, p => WriteProgress(p), TimeSpan.FromMilliseconds(250));
        foreach (var warning in DrainWaiter.Warnings(left, TimeoutSec ?? 0)) WriteWarning(warning);
        if (PassThru)
            foreach (var (svc, rs) in _suspended)
                if (FindRealServer(client, svc, rs.RealAddress, rs.RealPort) is { } now) WriteObject(now);
    }

    /// <summary>The active connections of each suspended real server now (null once it is gone from the table).</summary>
    private IReadOnlyList<int?> ActiveNow(IDirector client)
    {
        var services = client.ListServices();
        return _suspended.Select(x =>
        {
            var s = services.FirstOrDefault(x.Service.Names);
            var r = s?.RealServers.FirstOrDefault(r => r.RealAddress.Equals(x.RealServer.RealAddress) && r.RealPort == x.RealServer.RealPort);
            return r?.ActiveConnections;
        }).ToList();
    }
}

/// <summary>
/// Waits until every real server of a list has no active connection (or is gone), reading the counts every
/// interval and reporting progress; returns what is left at the timeout (empty when drained).
/// </summary>
internal sealed class DrainWaiter
{
    private readonly IReadOnlyList<string> _names;
    private readonly Func<IReadOnlyList<int?>> _read;
    private readonly TimeSpan? _timeout;

    public DrainWaiter(IReadOnlyList<string> names, Func<IReadOnlyList<int?>> read, TimeSpan? timeout)
    {
        _names = names;
        _read = read;
        _timeout = timeout;
    }

    public const int ActivityId = 0x1f5;

    /// <summary>Polls until drained, the timeout, or <paramref name="stop"/>; returns the real servers with active connections left.</summary>
    public List<(string Name, int Active)> Run(CancellationToken stop, Action<ProgressRecord> progress, TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        int? first = null;
        while (true)
        {
            var counts = _read();
            var left = _names.Select((n, i) => (Name: n, Active: counts[i] ?? 0)).Where(x => x.Active > 0).ToList();
            int total = left.Sum(x => x.Active);
            first ??= Math.Max(total, 1);
            if (left.Count == 0 || stop.IsCancellationRequested || (_timeout is { } t && clock.Elapsed >= t))
            {
                progress(new ProgressRecord(ActivityId, "Draining real servers", "Done") { RecordType = ProgressRecordType.Completed });
                return left;
            }
            var record = new ProgressRecord(ActivityId, "Draining real servers", $"{total} active connection(s) left on {left.Count} of {_names.Count} real server(s)");
            record.CurrentOperation = string.Join(", ", left.Select(x => $"{x.Name}: {x.Active}"));
            record.PercentComplete = Math.Clamp(100 - total * 100 / first.Value, 0, 100);
            if (_timeout is { } limit) record.SecondsRemaining = (int)Math.Max(0, (limit - clock.Elapsed).TotalSeconds);
            progress(record);
            stop.WaitHandle.WaitOne(interval);
        }
    }

    /// <summary>One warning per real server still in use at the timeout.</summary>
    public static IEnumerable<string> Warnings(IEnumerable<(string Name, int Active)> left, int timeoutSec) =>
        left.Select(x => $"The real server {x.Name} still has {x.Active.ToString(CultureInfo.InvariantCulture)} active connection(s) after "
                         + $"{timeoutSec.ToString(CultureInfo.InvariantCulture)} s; it stays suspended (weight 0, no new connections). "
                         + "Wait longer, or remove it with Remove-LvsRealServer (its connections are then dropped).");
}

/// <summary>Gives a suspended real server its configured weight back (Suspend-LvsRealServer's undo).</summary>
[Cmdlet(VerbsLifecycle.Resume, "LvsRealServer", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Resume-LvsRealServer.md")]
[OutputType(typeof(LvsRealServer))]
public sealed class ResumeLvsRealServerCommand : LvsRealServerStateCmdlet
{
    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc)) return;
        var client = GetClient();
        if (!Try(() => RequireListed(client, svc), out var found, RealAddress)) return;
        var rs = found.RealServer;
        if (!ShouldProcess(Target(svc, client, rs), "Resume LVS real server" + (rs.Suspended ? $" (weight {rs.ConfiguredWeight})" : ""))) return;
        Try(() =>
        {
            client.ResumeRealServer(svc, SpecOf(rs));
            if (PassThru) WriteObject(FindRealServer(client, svc, rs.RealAddress, rs.RealPort));
        }, RealAddress);
    }
}
