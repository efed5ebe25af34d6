using System.Management.Automation;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Management.Kernel;
using LvsPS.Ipvs.Model;

namespace LvsPS;

/// <summary>
/// Base of every LvsPS cmdlet: turns LvsException into ErrorRecords with the exception's stable ErrorId and
/// a matching ErrorCategory, and resolves which director a command talks to.
/// </summary>
public abstract class LvsCmdlet : PSCmdlet
{
    /// <summary>The director chosen by the last Start-LvsDirector of this session (default when several run).</summary>
    internal static string? SessionDirector { get; set; }

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
        _ => ErrorCategory.NotSpecified,
    };

    internal static ErrorRecord ToRecord(LvsException e, object? target = null) =>
        new(e, e.ErrorId, CategoryOf(e.Kind), target ?? e.Target);

    /// <summary>Non-terminating error for one failed item.</summary>
    protected void WriteLvsError(LvsException e, object? target = null) => WriteError(ToRecord(e, target));

    /// <summary>Terminating error.</summary>
    protected void ThrowLvsError(LvsException e, object? target = null) => ThrowTerminatingError(ToRecord(e, target));

    /// <summary>Runs an action and reports an LvsException as a non-terminating error; returns false on failure.</summary>
    protected bool Try(Action action, object? target = null)
    {
        try
        {
            action();
            return true;
        }
        catch (LvsException e)
        {
            WriteLvsError(e, target);
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
        var names = DirectorPaths.SocketNames().Concat(KernelDirectorRegistry.Names).Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (names.Count == 1) return names[0];
        if (names.Count == 0)
            throw new LvsException(LvsErrorIds.DirectorNotRunning, LvsErrorKind.ResourceUnavailable,
                "No LvsPS director is running. Start one with Start-LvsDirector.");
        if (SessionDirector is not null && names.Contains(SessionDirector)) return SessionDirector;
        throw new LvsException(LvsErrorIds.DirectorAmbiguous, LvsErrorKind.InvalidArgument,
            $"Several directors are running ({string.Join(", ", names)}); name one with -Director.");
    }

    /// <summary>A connected kernel director of that name if there is one, else the local director's socket client.</summary>
    internal static IDirector Client(string? name)
    {
        var resolved = ResolveDirector(name);
        return KernelDirectorRegistry.TryGet(resolved, out var kernel) ? kernel : DirectorClient.Connect(resolved);
    }

    /// <summary>Folder of this module's assembly (out/LvsPS); the engine sits in ../lvsd.</summary>
    internal static string AssemblyDirectory => Path.GetDirectoryName(typeof(LvsCmdlet).Assembly.Location)!;

    internal static string EnginePath => Path.GetFullPath(Path.Combine(AssemblyDirectory, "..", "lvsd", "lvsd.dll"));
}

/// <summary>Base of the cmdlets that address one director's table.</summary>
public abstract class LvsDirectorCmdlet : LvsCmdlet
{
    /// <summary>The director (engine instance) to talk to; optional while only one runs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Director { get; set; }

    internal IDirector GetClient()
    {
        try { return Client(Director); }
        catch (LvsException e) { ThrowLvsError(e, Director); throw; }
    }

    internal static List<LvsService> ListServices(IDirector client) => client.ListServices();
}
