using LvsPS.Management.Util;

namespace LvsPS;

/// <summary>
/// What a change queued for one director (<see cref="LvsDirectorCmdlet.OnDirector"/>) may do on the command's behalf:
/// ask ShouldProcess, write objects and errors. Run at once on the pipeline's thread it goes straight to the command;
/// run by a fleet worker it is recorded, and written in the order it happened on the pipeline's thread once that
/// director is done.
/// </summary>
internal sealed class DirectorOutput
{
    private readonly LvsCmdlet? _live;
    private readonly List<(object? Output, ErrorRecord? Error, string? Verbose)> _recorded = new();

    private DirectorOutput(LvsCmdlet? live) => _live = live;

    /// <summary>Straight to the command (the pipeline's thread).</summary>
    internal static DirectorOutput Live(LvsCmdlet cmdlet) => new(cmdlet);

    /// <summary>Recorded for <see cref="Replay"/> (a worker thread).</summary>
    internal static DirectorOutput Recording() => new(null);

    /// <summary>
    /// ShouldProcess. A recording output only exists where no prompt can come (no -WhatIf, no confirmation due), so it
    /// answers yes and records the verbose line ShouldProcess writes.
    /// </summary>
    internal bool ShouldProcess(string target, string action)
    {
        if (_live is not null) return _live.ShouldProcess(target, action);
        _recorded.Add((null, null, $"Performing the operation \"{action}\" on target \"{target}\"."));
        return true;
    }

    /// <summary>ShouldProcessUnlessForced (a destructive change; -Force asks nothing); recorded as <see cref="ShouldProcess"/>.</summary>
    internal bool ShouldProcessUnlessForced(string target, string action, bool force)
    {
        if (_live is not null) return _live.ShouldProcessUnlessForced(target, action, force);
        return ShouldProcess(target, action);
    }

    internal void WriteObject(object? o)
    {
        if (_live is not null) _live.WriteObject(o);
        else _recorded.Add((o, null, null));
    }

    internal void WriteObjects(IEnumerable<object?> items)
    {
        foreach (var o in items) WriteObject(o);
    }

    internal void WriteError(LvsException e, object? target = null)
    {
        var record = LvsCmdlet.ToRecord(e, target);
        if (_live is not null) _live.WriteError(record);
        else _recorded.Add((null, record, null));
    }

    /// <summary>
    /// Runs an action; an LvsException becomes this item's non-terminating error. False when it failed. On a fleet
    /// worker a director that does not answer (DirectorNotRunning) is not this item's error but the director's: it
    /// goes up to the worker, which reports it once, naming the director, and skips that director's other items.
    /// </summary>
    internal bool Try(Action action, object? target = null)
    {
        try
        {
            action();
            return true;
        }
        catch (LvsException e) when (_live is not null || e.ErrorId != LvsErrorIds.DirectorNotRunning)
        {
            WriteError(e, target);
            return false;
        }
    }

    /// <summary>Whether an object or an error has been recorded (verbose lines do not count).</summary>
    internal bool HasWritten => _recorded.Any(r => r.Verbose is null);

    /// <summary>Computes a value; an LvsException becomes this item's non-terminating error. False when it failed.</summary>
    internal bool Try<T>(Func<T> compute, out T value, object? target = null)
    {
        T result = default!;
        bool ok = Try(() => { result = compute(); }, target);
        value = result;
        return ok;
    }

    /// <summary>Writes what was recorded, in order, through <paramref name="cmdlet"/> (the pipeline's thread).</summary>
    internal void Replay(LvsCmdlet cmdlet)
    {
        foreach (var (output, error, verbose) in _recorded)
        {
            if (verbose is not null) cmdlet.WriteVerbose(verbose);
            else if (error is not null) cmdlet.WriteError(error);
            else cmdlet.WriteObject(output);
        }
        _recorded.Clear();
    }
}

/// <summary>The changes queued for one director, in the order they came.</summary>
internal sealed record DirectorJob(string Director, List<Action<IDirector, DirectorOutput>> Work);

public abstract partial class LvsDirectorCmdlet
{
    private List<DirectorJob>? _queued;

    /// <summary>The Write-Progress activity id of a run over directors.</summary>
    private const int DirectorFleetActivityId = 10;

    /// <summary>
    /// Whether ShouldProcess may stop and ask, or only show, on this call: -WhatIf, -Confirm, or a ConfirmImpact at or
    /// above $ConfirmPreference (unless -Force says not to ask). Such a call does its changes at once, one after another, as asked.
    /// </summary>
    internal bool ShouldProcessInteracts
    {
        get
        {
            if (WhatIfOn) return true;
            if (MyInvocation.BoundParameters.TryGetValue("Confirm", out var c)) return ((SwitchParameter)c).IsPresent;
            if (ForcesConfirmation) return false;
            var declared = (GetType().GetCustomAttributes(typeof(CmdletAttribute), true).FirstOrDefault() as CmdletAttribute)?.ConfirmImpact ?? ConfirmImpact.Medium;
            var preference = ConfirmPreferenceNow;
            return preference != ConfirmImpact.None && declared >= preference;
        }
    }

    /// <summary>Whether -Force is given: the destructive director cmdlets ask nothing with it (ShouldProcessUnlessForced).</summary>
    private bool ForcesConfirmation => MyInvocation.BoundParameters.TryGetValue("Force", out var f) && f is SwitchParameter { IsPresent: true };

    /// <summary>
    /// A change on this record's director. Where ShouldProcess interacts it runs now, on this thread. Otherwise it is
    /// queued, and EndProcessing runs the queue (<see cref="RunOnDirectors"/>): the directors at once, -ThrottleLimit
    /// at a time, each director's changes in the order they came. <paramref name="work"/> must read its parameters from
    /// values taken now (locals, or a <see cref="LvsCmdlet.Frozen{T}"/> copy), not from this command, whose parameters
    /// the next record rebinds.
    /// </summary>
    internal void OnDirector(Action<IDirector, DirectorOutput> work)
    {
        if (ShouldProcessInteracts)
        {
            var live = DirectorOutput.Live(this);
            var client = GetClient();
            live.Try(() => work(client, live));
            return;
        }
        string name;
        try { name = ResolveDirector(Director); }
        catch (LvsException e) { ThrowLvsError(e, Director); return; }
        _queued ??= new List<DirectorJob>();
        var job = _queued.FirstOrDefault(j => j.Director == name);
        if (job is null) _queued.Add(job = new DirectorJob(name, new List<Action<IDirector, DirectorOutput>>()));
        job.Work.Add(work);
    }

    /// <summary>The queued changes run here, after the last record; a command that overrides this calls the base.</summary>
    protected override void EndProcessing() => RunOnDirectors();

    /// <summary>
    /// Runs the queued changes (<see cref="OnDirector"/>): one worker per director, -ThrottleLimit (the command's, else
    /// 32) at a time, progress per director, and each director's output and errors written in the order the directors
    /// came. A director that cannot be reached is one error (its name the target); the others go on.
    /// </summary>
    private void RunOnDirectors()
    {
        if (_queued is not { Count: > 0 } jobs) return;
        _queued = null;
        int throttleLimit = MyInvocation.BoundParameters.TryGetValue("ThrottleLimit", out var t) && t is int given ? given : BoundedParallel.DefaultThrottleLimit;
        var verbose = VerboseSink; // taken here: the sink learns the pipeline's thread on first use
        RunFleet(DirectorFleetActivityId, throttleLimit, jobs, j => j.Director, (job, cancel) =>
        {
            var client = Client(job.Director);
            LvsPS.Management.DirectorVerbose.Attach(client, verbose);
            var output = DirectorOutput.Recording();
            foreach (var work in job.Work)
            {
                if (cancel.IsCancellationRequested) break;
                try { work(client, output); }
                catch (LvsException e) when (e.ErrorId == LvsErrorIds.DirectorNotRunning)
                {
                    if (!output.HasWritten) throw; // the director's one error, its progress "failed"
                    output.WriteError(SshFleet.ForHost(e, job.Director), job.Director);
                    break;
                }
                catch (LvsException e) { output.WriteError(e); }
                catch (Exception e) when (e is not OperationCanceledException) { output.WriteError(SshFleet.ForHost(e, job.Director)); }
            }
            return output;
        }, (_, output) => output.Replay(this));
    }
}
