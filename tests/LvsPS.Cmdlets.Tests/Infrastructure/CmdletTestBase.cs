namespace LvsPS.Cmdlets.Tests.Infrastructure;

/// <summary>
/// Every test class is in this one collection, run one test at a time: the tests point LVSPS_RUN_DIR and
/// LVSPS_STATE_DIR (process-wide) at folders of their own, and the module keeps process-wide state (the session's
/// director, connected kernel directors). The collection shares one real director, started on first use.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CmdletCollection : ICollectionFixture<DirectorFixture>
{
    public const string Name = "LvsPS cmdlets";
}

/// <summary>
/// Base of the tests: a fresh temporary folder whose run/ and state/ sub-folders are the director folders
/// (LVSPS_RUN_DIR, LVSPS_STATE_DIR) and labs/ the lab folder (LVSPS_LAB_DIR), so no director or lab of the machine
/// is seen, and a PowerShell session with the module imported. Both are undone in Dispose.
/// </summary>
[Collection(CmdletCollection.Name)]
public abstract class CmdletTestBase : IDisposable
{
    private readonly string? _oldRunDir = Environment.GetEnvironmentVariable(DirectorFixture.RunDirVariable);
    private readonly string? _oldStateDir = Environment.GetEnvironmentVariable(DirectorFixture.StateDirVariable);
    private readonly string? _oldLabDir = Environment.GetEnvironmentVariable(DirectorFixture.LabDirVariable);
    private LvsSession? _session;

    protected CmdletTestBase()
    {
        TempDir = Directory.CreateTempSubdirectory("lvsps-cmdlets-").FullName;
        RunDir = Path.Combine(TempDir, "run");
        StateDir = Path.Combine(TempDir, "state");
        UseDirectorFolders(RunDir, StateDir);
        // no lab of the machine either: a saved kernel lab's director would count as running
        Environment.SetEnvironmentVariable(DirectorFixture.LabDirVariable, Path.Combine(TempDir, "labs"));
    }

    /// <summary>This test's own folder (deleted afterwards).</summary>
    protected string TempDir { get; }
    protected string RunDir { get; }
    protected string StateDir { get; }

    /// <summary>The PowerShell session (created on first use, after the environment is set).</summary>
    protected LvsSession Session => _session ??= new LvsSession();

    protected PsResult Run(string script, params (string Name, object? Value)[] variables) => Session.Run(script, variables);

    /// <summary>The module's cmdlet of that name, as Get-Command gives it in this session.</summary>
    protected CmdletInfo Command(string name) =>
        Assert.IsType<CmdletInfo>(Run("Get-Command -Name $n -Module LvsPS", ("n", name)).Ok().Output.Single().BaseObject);

    protected static void UseDirectorFolders(string runDir, string stateDir)
    {
        Environment.SetEnvironmentVariable(DirectorFixture.RunDirVariable, runDir);
        Environment.SetEnvironmentVariable(DirectorFixture.StateDirVariable, stateDir);
    }

    /// <summary>
    /// Asserts an LvsPS ErrorRecord: the FullyQualifiedErrorId starts with the stable ErrorId (PowerShell appends
    /// ",&lt;cmdlet class&gt;"), the category, and when given the TargetObject.
    /// </summary>
    protected static void AssertLvsError(ErrorRecord e, string errorId, ErrorCategory category, object? target = null, string? cmdletClass = null)
    {
        Assert.StartsWith(errorId + ",", e.FullyQualifiedErrorId);
        if (cmdletClass is not null) Assert.Equal($"{errorId},LvsPS.Commands.{cmdletClass}", e.FullyQualifiedErrorId);
        Assert.Equal(category, e.CategoryInfo.Category);
        if (target is not null) Assert.Equal(target, e.TargetObject is PSObject p ? p.BaseObject : e.TargetObject);
    }

    /// <summary>
    /// Asserts that <paramref name="r"/> had exactly one error, a non-terminating one (the error stream), and that it is
    /// an LvsPS ErrorRecord as above whose message contains <paramref name="message"/>; returns it.
    /// </summary>
    protected static ErrorRecord AssertLvsError(PsResult r, string errorId, ErrorCategory category, string message, object? target = null, string? cmdletClass = null)
    {
        AssertLvsError(r.SingleError(), errorId, category, target, cmdletClass);
        var e = Assert.Single(r.Errors);
        Assert.Contains(message, e.Exception.Message);
        return e;
    }

    /// <summary>Asserts a parameter binding error (the binder's ErrorId, e.g. ParameterArgumentTransformationError).</summary>
    protected static ParameterBindingException AssertBindingError(PsResult r, string errorId, string parameter)
    {
        var e = r.SingleError();
        Assert.StartsWith(errorId + ",", e.FullyQualifiedErrorId);
        var pbe = Assert.IsAssignableFrom<ParameterBindingException>(e.Exception);
        Assert.Equal(parameter, pbe.ParameterName);
        return pbe;
    }

    public virtual void Dispose()
    {
        _session?.Dispose();
        Environment.SetEnvironmentVariable(DirectorFixture.RunDirVariable, _oldRunDir);
        Environment.SetEnvironmentVariable(DirectorFixture.StateDirVariable, _oldStateDir);
        Environment.SetEnvironmentVariable(DirectorFixture.LabDirVariable, _oldLabDir);
        try { Directory.Delete(TempDir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }
}
