using LvsPS.Management.Util;

namespace LvsPS;

/// <summary>
/// Base of every LvsPS cmdlet: turns LvsException into ErrorRecords with the exception's stable ErrorId and
/// a matching ErrorCategory, and resolves which director a command talks to.
/// </summary>
public abstract class LvsCmdlet : PSCmdlet
{
    /// <summary>The director chosen by the last Start-LvsDirector of this session (default when several run).</summary>
    internal static string? SessionDirector { get; set; }

    /// <summary>Whether the parameter was given on this call (so a value of null or false still counts).</summary>
    internal bool Given(string parameterName) => _givenWhenFrozen?.Contains(parameterName) ?? MyInvocation.BoundParameters.ContainsKey(parameterName);

    /// <summary>The parameters given to the record a <see cref="Frozen{T}"/> copy was taken of; null on the live command.</summary>
    private HashSet<string>? _givenWhenFrozen;

    /// <summary>
    /// A copy of this command with the parameter values of the record being processed now, for work that runs after
    /// the next record has been bound (a fleet run's worker): its <see cref="Given"/> answers for this record. The copy
    /// only reads parameters and computes; it writes nothing to the pipeline.
    /// </summary>
    internal T Frozen<T>() where T : LvsCmdlet
    {
        var copy = (T)MemberwiseClone();
        copy._givenWhenFrozen = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    internal static ErrorCategory CategoryOf(LvsErrorKind kind) => kind switch
    {
        LvsErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        LvsErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        LvsErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        LvsErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        LvsErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        LvsErrorKind.SecurityError => ErrorCategory.SecurityError,
        LvsErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        LvsErrorKind.ParserError => ErrorCategory.ParserError,
        LvsErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        LvsErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        LvsErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        LvsErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        _ => ErrorCategory.NotSpecified,
    };

    internal static ErrorRecord ToRecord(LvsException e, object? target = null) =>
        new(e, e.ErrorId, CategoryOf(e.Kind), target ?? e.Target);

    /// <summary>Whether -WhatIf is on for this call (given, or $WhatIfPreference).</summary>
    internal bool WhatIfOn => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
        ? ((SwitchParameter)w).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>$ConfirmPreference as this call sees it (High when unset or not a ConfirmImpact).</summary>
    internal ConfirmImpact ConfirmPreferenceNow =>
        LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var c) ? c : ConfirmImpact.High;

    /// <summary>
    /// ShouldProcess for one operation of <paramref name="impact"/>, which may be lower than the cmdlet's declared
    /// ConfirmImpact: like ShouldProcess of a cmdlet declared at that impact, it does not ask while the impact is below
    /// $ConfirmPreference (None never asks). -WhatIf and an explicit -Confirm (or -Confirm:$false) always go to
    /// ShouldProcess, so -WhatIf only shows and -Confirm still asks.
    /// </summary>
    internal bool ShouldProcessAt(string target, string action, ConfirmImpact impact)
    {
        if (!WhatIfOn && !Given("Confirm") && (impact == ConfirmImpact.None || impact < ConfirmPreferenceNow))
        {
            WriteVerbose($"Performing the operation \"{action}\" on target \"{target}\".");
            return true;
        }
        return ShouldProcess(target, action);
    }

    /// <summary>
    /// ShouldProcess of a destructive (ConfirmImpact High) operation, except that <paramref name="force"/> (-Force)
    /// treats $ConfirmPreference as None: no prompt. -WhatIf still only shows, and an explicit -Confirm still asks.
    /// </summary>
    internal bool ShouldProcessUnlessForced(string target, string action, bool force, ConfirmImpact impact = ConfirmImpact.High) =>
        ShouldProcessAt(target, action, force ? ConfirmImpact.None : impact);

    /// <summary>Non-terminating error for one failed item.</summary>
    protected void WriteLvsError(LvsException e, object? target = null) => WriteError(ToRecord(e, target));

    /// <summary>Terminating error.</summary>
    protected void ThrowLvsError(LvsException e, object? target = null) => ThrowTerminatingError(ToRecord(e, target));

    /// <summary>Runs an action and reports an LvsException as a non-terminating error; returns false on failure.</summary>
    protected bool Try(Action action, object? target = null) => Try(() => { action(); return true; }, out _, target);

    /// <summary>
    /// Computes a value (typically a spec from the parameters) and reports an LvsException as a non-terminating
    /// error for this input; returns false on failure.
    /// </summary>
    protected bool Try<T>(Func<T> compute, out T value, object? target = null)
    {
        try
        {
            value = compute();
            return true;
        }
        catch (LvsException e)
        {
            WriteLvsError(e, target);
            value = default!;
            return false;
        }
    }

    /// <summary>
    /// The director to talk to: the named one, else the only one running, else this session's last started one.
    /// Kernel directors connected with Connect-LvsDirector count as running.
    /// </summary>
    internal static string ResolveDirector(string? name)
    {
        if (!string.IsNullOrEmpty(name)) return name!;
        var names = DirectorPaths.SocketNames().Concat(KernelDirectorRegistry.Names).Concat(KernelLabNames()).Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (names.Count == 1) return names[0];
        if (names.Count == 0)
            throw new LvsException(LvsErrorIds.DirectorNotRunning, LvsErrorKind.ResourceUnavailable,
                "No LvsPS director is running. Start one with Start-LvsDirector.");
        if (SessionDirector is not null && names.Contains(SessionDirector)) return SessionDirector;
        throw new LvsException(LvsErrorIds.DirectorAmbiguous, LvsErrorKind.InvalidArgument,
            $"Several directors are running ({string.Join(", ", names)}); name one with -Director.");
    }

    /// <summary>
    /// A connected kernel director of that name if there is one; else a kernel lab's director of that name, connected
    /// and registered now (as New-LvsLab does); else the local director's socket client.
    /// </summary>
    internal static IDirector Client(string? name)
    {
        var resolved = ResolveDirector(name);
        if (KernelDirectorRegistry.TryGet(resolved, out var kernel))
        {
            // A kept kernel director may still hold the sink of the command that used it last: not this one's.
            LvsPS.Management.DirectorVerbose.Attach(kernel, null);
            return kernel;
        }
        if (!DirectorPaths.SocketNames().Contains(resolved, StringComparer.Ordinal) && KernelLab(resolved) is { } found)
            return ConnectKernelLab(found.Lab, found.Node);
        return DirectorClient.Connect(resolved);
    }

    /// <summary>
    /// Connects a kernel director of a lab (by default its first) and registers it under its director name (the
    /// lab's; &lt;lab&gt;-directorN in a pair), as Connect-LvsDirector would.
    /// </summary>
    internal static KernelDirector ConnectKernelLab(LvsLab lab, LvsLabNode? node = null)
    {
        var director = LabManager.ConnectKernelDirector(lab, node);
        KernelDirectorRegistry.Register(director);
        return director;
    }

    /// <summary>The saved lab and kernel director node of that director name (exact case), or null.</summary>
    internal static (LvsLab Lab, LvsLabNode Node)? KernelLab(string name)
    {
        try
        {
            return new LabManager().FindDirector(name) is { } found && found.Lab.KindOf(found.Node) == LvsLabDirectorKind.Kernel
                   && found.Lab.DirectorNameOf(found.Node) == name ? found : null;
        }
        catch (LvsException) { return null; }
    }

    /// <summary>Names of the saved labs' kernel directors (they count as running while the lab exists).</summary>
    internal static IEnumerable<string> KernelLabNames()
    {
        try
        {
            return new LabManager().List()
                .SelectMany(l => l.Directors.Where(d => l.KindOf(d) == LvsLabDirectorKind.Kernel).Select(l.DirectorNameOf)).ToList();
        }
        catch (Exception e) when (e is LvsException or IOException or UnauthorizedAccessException) { return Array.Empty<string>(); }
    }

    /// <summary><see cref="Client"/>, ending the command (target: the name given) when there is no such director.</summary>
    internal IDirector ConnectDirector(string? name)
    {
        try { return Listening(Client(name)); }
        catch (LvsException e) { ThrowLvsError(e, name); throw; }
    }

    /// <summary>The director, telling this command's -Verbose which socket or host each request goes to.</summary>
    internal IDirector Listening(IDirector director)
    {
        LvsPS.Management.DirectorVerbose.Attach(director, VerboseSink);
        return director;
    }

    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Cancelled when the pipeline is stopped (Ctrl+C): for work that waits or runs on other threads (a fleet run's
    /// hosts, a drain's wait). A command that overrides StopProcessing for its own wait calls the base too.
    /// </summary>
    internal CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    private Action<string>? _verboseSink;
    private int _verboseThread;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _verboseFromWorkers = new();

    /// <summary>
    /// This command's WriteVerbose as the management layer's sink; it never throws. On the pipeline's thread it writes
    /// at once; a message from another thread (a fleet run's worker: "Running ... on host over SSH") is queued and
    /// written, in the order it came, the next time the sink is used on the pipeline's thread or at
    /// <see cref="FlushVerbose"/>, since WriteVerbose belongs to the pipeline's thread.
    /// </summary>
    internal Action<string> VerboseSink
    {
        get
        {
            if (_verboseSink is not null) return _verboseSink;
            _verboseThread = Environment.CurrentManagedThreadId;
            _verboseSink = message =>
            {
                if (Stopping) return;
                if (Environment.CurrentManagedThreadId != _verboseThread) { _verboseFromWorkers.Enqueue(message); return; }
                FlushVerbose();
                WriteVerboseQuietly(message);
            };
            return _verboseSink;
        }
    }

    /// <summary>Writes the verbose messages queued by other threads (call on the pipeline's thread only).</summary>
    internal void FlushVerbose()
    {
        if (_verboseSink is null || Environment.CurrentManagedThreadId != _verboseThread) return;
        while (_verboseFromWorkers.TryDequeue(out var queued))
            if (!Stopping) WriteVerboseQuietly(queued);
    }

    private void WriteVerboseQuietly(string message)
    {
        try { WriteVerbose(message); }
        catch (Exception e) when (e is InvalidOperationException or PipelineStoppedException or NotImplementedException) { }
    }

    /// <summary>
    /// Runs <paramref name="work"/> for every job, <paramref name="throttleLimit"/> at a time (BoundedParallel), and its outcomes through the pipeline thread: a progress record per finished host
    /// (how many are done, which host just finished), one non-terminating error per failed host (its ErrorId,
    /// category and the host as TargetObject), and each success to <paramref name="each"/>, in input order.
    /// Returns false when a host failed. A Ctrl+C (StopToken) skips the hosts not yet started, aborts the sessions in progress and ends it quietly.
    /// </summary>
    internal bool RunFleet<TJob, TResult>(int activityId, int throttleLimit, IReadOnlyList<TJob> jobs, Func<TJob, string> hostOf,
        Func<TJob, CancellationToken, TResult> work, Action<TJob, TResult> each)
    {
        var activity = MyInvocation.MyCommand.Name;
        int done = 0;
        bool allGood = true;
        void Completed(ParallelOutcome<TJob, TResult> o)
        {
            FlushVerbose();
            done++;
            WriteProgress(new ProgressRecord(activityId, activity, $"{done} of {jobs.Count} host(s) done")
            {
                PercentComplete = done * 100 / jobs.Count,
                CurrentOperation = $"{hostOf(o.Item)}: {(o.Succeeded ? "done" : "failed")}",
            });
        }
        if (jobs.Count > 0)
            WriteProgress(new ProgressRecord(activityId, activity, $"0 of {jobs.Count} host(s) done")
            { PercentComplete = 0, CurrentOperation = $"{Math.Min(throttleLimit, jobs.Count)} at a time" });
        try
        {
            foreach (var o in BoundedParallel.Run(jobs, throttleLimit, work, StopToken, Completed))
            {
                if (o.Succeeded) { each(o.Item, o.Result!); continue; }
                allGood = false;
                var host = hostOf(o.Item);
                WriteLvsError(SshFleet.ForHost(o.Error!, host), host);
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested) { return false; }
        FlushVerbose();
        WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        return allGood;
    }

    /// <summary>Reads from the director; a failure ends the command, its ErrorRecord targeting the director.</summary>
    internal T Read<T>(IDirector client, Func<IDirector, T> read)
    {
        try { return read(client); }
        catch (LvsException e) { ThrowLvsError(e, client.Name); throw; }
    }

    internal static List<LvsService> ListServices(IDirector client) => client.ListServices();

    /// <summary>The saved lab of that name; LabNotFound when there is none.</summary>
    internal static LvsLab LoadLab(string name, LabManager? manager = null) =>
        (manager ?? new LabManager()).Get(name) ?? throw LabNotFound(name);

    internal static LvsException LabNotFound(string name) =>
        new(LvsErrorIds.LabNotFound, LvsErrorKind.ObjectNotFound, $"No lab named '{name}' exists.", name);

    /// <summary>A file system path from a PowerShell path (relative to the current location); null stays null.</summary>
    internal string? ProviderPath(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>The known_hosts file given, else ~/.ssh/known_hosts.</summary>
    internal string KnownHostsPath(string? given) => ProviderPath(given) ?? KnownHostsFile.DefaultPath;

    /// <summary>
    /// How to log in to <paramref name="host"/> with the SSH parameters of a cmdlet: user root unless the credential
    /// names one; with a key file the credential's password is the key's passphrase, without one it is the password.
    /// </summary>
    internal SshTarget SshLogin(string host, int port, PSCredential? credential, string? keyFile, string? knownHostsFile,
        bool acceptNewHostKey, string? networkNamespace)
    {
        // The password stays a SecureString (a read-only copy, so the caller may dispose its credential): the SSH
        // session turns it into bytes for each login and zeroes them after (SecretText, SshSession).
        var password = credential?.Password is { } secret ? ReadOnlyCopy(secret) : null;
        return new SshTarget(host)
        {
            Port = port,
            UserName = string.IsNullOrEmpty(credential?.UserName) ? "root" : credential!.UserName.TrimStart('\\'),
            KeyFile = ProviderPath(keyFile),
            KeyPassphrase = keyFile is null ? null : password,
            Password = keyFile is null ? password : null,
            KnownHostsFile = KnownHostsPath(knownHostsFile),
            AcceptNewHostKey = acceptNewHostKey,
            NetworkNamespace = networkNamespace,
        };
    }

    private static System.Security.SecureString ReadOnlyCopy(System.Security.SecureString s)
    {
        var copy = s.Copy();
        copy.MakeReadOnly();
        return copy;
    }

    /// <summary>Folder of this module's assembly (out/LvsPS); the engine sits in ../lvsd.</summary>
    internal static string AssemblyDirectory => Path.GetDirectoryName(typeof(LvsCmdlet).Assembly.Location)!;

    internal static string EnginePath => Path.GetFullPath(Path.Combine(AssemblyDirectory, "..", "lvsd", "lvsd.dll"));
}

/// <summary>Base of the cmdlets that address one director's table.</summary>
public abstract partial class LvsDirectorCmdlet : LvsCmdlet
{
    /// <summary>The director (engine instance) to talk to; optional while only one runs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Director { get; set; }

    internal IDirector GetClient() => ConnectDirector(Director);
}

/// <summary>Where the cmdlets' online help lives (Get-Help -Online): one page per cmdlet, &lt;Verb-Noun&gt;.md.</summary>
public static class LvsHelpUri
{
    /// <summary>The folder of the reference pages; a cmdlet's HelpUri is this + its name + ".md".</summary>
    public const string Base = "https://github.com/lvsps/LvsPS/blob/main/docs/reference/";
}
