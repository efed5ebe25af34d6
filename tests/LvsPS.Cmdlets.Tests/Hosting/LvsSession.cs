using System.Management.Automation.Runspaces;

namespace LvsPS.Cmdlets.Tests.Hosting;

/// <summary>What one script run in a <see cref="LvsSession"/> produced.</summary>
public sealed class PsResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    /// <summary>Non-terminating errors (the error stream).</summary>
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    /// <summary>The terminating error that stopped the script, if any.</summary>
    public ErrorRecord? Terminating { get; init; }
    public required IReadOnlyList<WarningRecord> Warnings { get; init; }
    public required IReadOnlyList<VerboseRecord> Verbose { get; init; }
    /// <summary>The progress records written, in order (the host shows none: $ProgressPreference stays Continue).</summary>
    public IReadOnlyList<ProgressRecord> Progress { get; init; } = Array.Empty<ProgressRecord>();
    /// <summary>The "What if: ..." lines the host received.</summary>
    public required IReadOnlyList<string> WhatIf { get; init; }
    /// <summary>Confirmation prompts the host was shown.</summary>
    public required IReadOnlyList<(string Caption, string Message)> Prompts { get; init; }

    /// <summary>Every error, non-terminating first, then the terminating one.</summary>
    public IReadOnlyList<ErrorRecord> AllErrors => Terminating is null ? Errors : Errors.Append(Terminating).ToList();

    /// <summary>The output's base objects.</summary>
    public IReadOnlyList<object> Objects => Output.Select(o => o.BaseObject).ToList();

    /// <summary>Asserts that the run had no error of any kind and returns itself.</summary>
    public PsResult Ok()
    {
        Assert.True(AllErrors.Count == 0, "unexpected error(s): " + string.Join(" | ", AllErrors.Select(Describe)));
        return this;
    }

    /// <summary>The one error (terminating or not) the run had.</summary>
    public ErrorRecord SingleError()
    {
        Assert.True(AllErrors.Count == 1, $"expected one error, got {AllErrors.Count}: " + string.Join(" | ", AllErrors.Select(Describe)));
        return AllErrors[0];
    }

    /// <summary>The single output object, of type <typeparamref name="T"/>.</summary>
    public T Single<T>()
    {
        Ok();
        Assert.True(Output.Count == 1, $"expected one output object, got {Output.Count}: {string.Join(", ", Output)}");
        return Assert.IsType<T>(Output[0].BaseObject);
    }

    public static string Describe(ErrorRecord e) => $"{e.FullyQualifiedErrorId} [{e.CategoryInfo.Category}] {e.Exception.Message}";
}

/// <summary>
/// One PowerShell runspace in this process with the LvsPS module imported from its manifest (LvsPS.psd1 at the
/// repository root, which loads out/LvsPS/LvsPS.dll), on a <see cref="TestHost"/> that records -WhatIf output.
/// </summary>
public sealed class LvsSession : IDisposable
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);
    private readonly Runspace _runspace;

    public LvsSession()
    {
        Host = new TestHost();
        var iss = InitialSessionState.CreateDefault2();
        // (No ExecutionPolicy: Linux has none, and setting one throws PlatformNotSupportedException.)
        iss.ImportPSModule(new[] { ManifestPath });
        iss.ThrowOnRunspaceOpenError = true;
        _runspace = RunspaceFactory.CreateRunspace(Host, iss);
        _runspace.Open();
    }

    /// <summary>The repository root (the folder holding LvsPS.psd1), found upward from the test assembly.</summary>
    public static string RepositoryRoot => Root.Value;

    public static string ManifestPath => Path.Combine(RepositoryRoot, "LvsPS.psd1");

    public TestHost Host { get; }

    /// <summary>
    /// Runs <paramref name="script"/>; <paramref name="variables"/> become PowerShell variables (name without '$';
    /// pipeline input is given as a variable: "$in | Add-LvsRealServer ..."). The script runs inside try/catch, so a
    /// terminating error (ThrowTerminatingError, a parameter binding failure, -ErrorAction Stop) ends it and is
    /// returned as <see cref="PsResult.Terminating"/>; non-terminating errors are <see cref="PsResult.Errors"/>.
    /// </summary>
    public PsResult Run(string script, IDictionary<string, object?>? variables)
    {
        Host.Clear();
        if (variables is not null)
            foreach (var (name, value) in variables)
                _runspace.SessionStateProxy.SetVariable(name, value);
        _runspace.SessionStateProxy.SetVariable(TerminatingVariable, null);
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript($"try {{ . {{\n{script}\n}} }} catch {{ ${TerminatingVariable} = $_ }}");
        ErrorRecord? terminating = null;
        var output = new List<PSObject>();
        try
        {
            output.AddRange(ps.Invoke().Where(o => o is not null));
            terminating = _runspace.SessionStateProxy.GetVariable(TerminatingVariable) as ErrorRecord;
        }
        catch (RuntimeException e)
        {
            terminating = e.ErrorRecord;
        }
        return new PsResult
        {
            Output = output,
            Errors = ps.Streams.Error.ToList(),
            Terminating = terminating,
            Warnings = ps.Streams.Warning.ToList(),
            Verbose = ps.Streams.Verbose.ToList(),
            Progress = ps.Streams.Progress.ToList(),
            WhatIf = Host.WhatIf,
            Prompts = Host.Prompts,
        };
    }

    private const string TerminatingVariable = "__LvsTestTerminating";

    public PsResult Run(string script, params (string Name, object? Value)[] variables) =>
        Run(script, variables.ToDictionary(v => v.Name, v => v.Value));

    public void Dispose() => _runspace.Dispose();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LvsPS.psd1")) && File.Exists(Path.Combine(dir.FullName, "LvsPS.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No LvsPS.psd1 above {AppContext.BaseDirectory}: the tests run from out/tests-cmdlets of the repository.");
    }
}
