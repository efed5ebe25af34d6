using System.Collections;

namespace LvsPS.Commands;

/// <summary>Which of the shipped suites Invoke-LvsClusterValidation runs (the Operation Validation Framework's types).</summary>
public enum LvsValidationType : long
{
    /// <summary>Diagnostics/Simple: the checks that send no traffic.</summary>
    Simple,
    /// <summary>Diagnostics/Comprehensive: every check.</summary>
    Comprehensive,
}

/// <summary>What Invoke-LvsClusterValidation returns: the counts of the Pester run, and Pester's own result object.</summary>
public sealed class LvsValidationResult
{
    public LvsValidationType Type { get; init; }
    /// <summary>"lab x", "director y" or "the local director".</summary>
    public string Target { get; init; } = "";
    /// <summary>Passed or Failed, as Pester says.</summary>
    public string Result { get; init; } = "";
    public int TotalCount { get; init; }
    public int PassedCount { get; init; }
    public int FailedCount { get; init; }
    public int SkippedCount { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>The NUnit 3 XML file written (-OutputPath), or null.</summary>
    public string? OutputPath { get; init; }
    /// <summary>Pester's Run object (Tests, Containers, Failed ...).</summary>
    public PSObject? PesterResult { get; init; }
}

/// <summary>
/// Runs the shipped Pester suite (Diagnostics/Simple or Diagnostics/Comprehensive beside LvsPS.psd1) against a
/// lab or director with Pester 5 or later, the target passed through New-PesterContainer -Data. Pester is a
/// PowerShell module, so the cmdlet drives it with a small script in the caller's session; the suite itself runs
/// Test-LvsCluster.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "LvsClusterValidation", DefaultParameterSetName = DirectorSet, HelpUri = LvsHelpUri.Base + "Invoke-LvsClusterValidation.md")]
[OutputType(typeof(LvsValidationResult))]
public sealed class InvokeLvsClusterValidationCommand : LvsCmdlet
{
    private const string LabSet = "Lab";
    private const string DirectorSet = "Director";

    /// <summary>Simple (no traffic) or Comprehensive (every check).</summary>
    [Parameter(Position = 0)]
    public LvsValidationType Type { get; set; } = LvsValidationType.Simple;

    [Parameter(Mandatory = true, ParameterSetName = LabSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Lab { get; set; } = "";

    [Parameter(ParameterSetName = DirectorSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Director { get; set; }

    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsFile { get; set; }

    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientComputerName { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(TestLvsClusterCommand.ClusterCheckNameCompleter))]
    public string[]? Include { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(TestLvsClusterCommand.ClusterCheckNameCompleter))]
    public string[]? Exclude { get; set; }

    /// <summary>Write Pester's NUnit 3 XML here.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    // Pester's own commands, module-qualified so that a function of the same name elsewhere is not called.
    private const string FindPester = """
        $m = Get-Module Pester | Where-Object Version -ge ([version]'5.0') | Sort-Object Version -Descending | Select-Object -First 1
        if (-not $m) {
            $m = Get-Module -ListAvailable Pester | Where-Object Version -ge ([version]'5.0') | Sort-Object Version -Descending | Select-Object -First 1
            if ($m) { $m = Import-Module $m -Global -PassThru }
        }
        $m
        """;

    private const string RunPester = """
        param($Path, $Data, $OutputPath)
        $container = Pester\New-PesterContainer -Path $Path -Data $Data
        $cfg = Pester\New-PesterConfiguration
        $cfg.Run.Container = $container
        $cfg.Run.PassThru = $true
        $cfg.Output.Verbosity = 'None'
        if ($OutputPath) {
            $cfg.TestResult.Enabled = $true
            $cfg.TestResult.OutputFormat = 'NUnit3'
            $cfg.TestResult.OutputPath = $OutputPath
        }
        Pester\Invoke-Pester -Configuration $cfg
        """;

    protected override void ProcessRecord()
    {
        var suite = Path.Combine(MyInvocation.MyCommand.Module?.ModuleBase ?? "", "Diagnostics", Type.ToString());
        string? output = null;
        try
        {
            if (!Directory.Exists(suite) || Directory.GetFiles(suite, "*.Tests.ps1").Length == 0)
                throw new LvsException(LvsErrorIds.ValidationSuiteNotFound, LvsErrorKind.ObjectNotFound,
                    $"No {Type} suite in '{suite}' (*.Tests.ps1): the module's Diagnostics folder is incomplete; reinstall LvsPS.", suite);
            if (OutputPath is not null)
            {
                output = ProviderPath(OutputPath)!;
                Management.Reports.ReportFile.Validate(output, noClobber: false);
            }
            if (InvokeCommand.InvokeScript(FindPester).Count == 0)
                throw new LvsException(LvsErrorIds.PesterNotFound, LvsErrorKind.ObjectNotFound,
                    "Pester 5 or later is not loaded and not on PSModulePath; install it (Install-PSResource Pester) or Import-Module it first.", "Pester");
        }
        catch (LvsException e) { ThrowLvsError(e); return; }

        var data = new Hashtable();
        string target;
        if (ParameterSetName == LabSet) { data["Lab"] = Lab; target = $"lab {Lab}"; }
        else
        {
            target = Director is null ? "the local director" : $"director {Director}";
            if (Director is not null) data["Director"] = Director;
            if (KeyFile is not null) data["KeyFile"] = ProviderPath(KeyFile);
            if (KnownHostsFile is not null) data["KnownHostsFile"] = ProviderPath(KnownHostsFile);
            if (ClientComputerName is not null) data["ClientComputerName"] = ClientComputerName;
        }
        if (Include is not null) data["Include"] = Include;
        if (Exclude is not null) data["Exclude"] = Exclude;

        WriteProgress(new ProgressRecord(5, "Invoke-LvsClusterValidation", $"Running the {Type} suite against {target}"));
        var run = InvokeCommand.InvokeScript(RunPester, false, System.Management.Automation.Runspaces.PipelineResultTypes.None, null, suite, data, output)
            .LastOrDefault(o => o?.Properties["PassedCount"] is not null);
        WriteProgress(new ProgressRecord(5, "Invoke-LvsClusterValidation", "Done") { RecordType = ProgressRecordType.Completed });
        if (run is null) return;
        int Count(string name) => Convert.ToInt32(run.Properties[name]?.Value ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        WriteObject(new LvsValidationResult
        {
            Type = Type,
            Target = target,
            Result = run.Properties["Result"]?.Value?.ToString() ?? "",
            TotalCount = Count("TotalCount"),
            PassedCount = Count("PassedCount"),
            FailedCount = Count("FailedCount") + Count("FailedBlocksCount") + Count("FailedContainersCount"),
            SkippedCount = Count("SkippedCount"),
            Duration = run.Properties["Duration"]?.Value is TimeSpan d ? d : TimeSpan.Zero,
            OutputPath = output,
            PesterResult = run,
        });
    }
}
