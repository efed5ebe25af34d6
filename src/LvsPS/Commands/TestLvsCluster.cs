using LvsPS.Management.Checks;

namespace LvsPS.Commands;

/// <summary>
/// Verifies an LVS-DR cluster and emits one result object per check and target (Passed, Warning, Failed,
/// NotApplicable). -Quiet returns only $true when nothing failed; -List shows the catalogue of checks.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsCluster", DefaultParameterSetName = DirectorSet)]
[OutputType(typeof(LvsCheckResult), ParameterSetName = new[] { LabSet, DirectorSet })]
[OutputType(typeof(bool), ParameterSetName = new[] { LabSet, DirectorSet })]
[OutputType(typeof(LvsCheckInfo), ParameterSetName = new[] { ListSet })]
public sealed class TestLvsClusterCommand : LvsCmdlet
{
    private const string LabSet = "Lab";
    private const string DirectorSet = "Director";
    private const string ListSet = "List";

    /// <summary>Check a lab: its director, its real servers over SSH and the wire from its client.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LabSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Lab { get; set; } = "";

    /// <summary>Check a director by name (default: the only one running).</summary>
    [Parameter(ParameterSetName = DirectorSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    public string? Director { get; set; }

    /// <summary>With -Director: OpenSSH key to log in to the real servers (as root) for the hidden check.</summary>
    [Parameter(ParameterSetName = DirectorSet)]
    public string? KeyFile { get; set; }

    [Parameter(ParameterSetName = DirectorSet)]
    public string? KnownHostsFile { get; set; }

    /// <summary>Where DR real servers hold the VIP (default lo; dummy0 as in the walkthrough).</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,15}$")]
    public string VipInterface { get; set; } = "lo";

    /// <summary>Only these checks or categories.</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ArgumentCompleter(typeof(ClusterCheckNameCompleter))]
    public string[]? Include { get; set; }

    /// <summary>Skip these checks or categories.</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ArgumentCompleter(typeof(ClusterCheckNameCompleter))]
    public string[]? Exclude { get; set; }

    /// <summary>Return $true when no check failed, else $false.</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    public SwitchParameter Quiet { get; set; }

    /// <summary>List the checks without running them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ListSet)]
    public SwitchParameter List { get; set; }

    protected override void ProcessRecord()
    {
        if (List)
        {
            WriteObject(ClusterChecks.Catalogue, true);
            return;
        }
        var options = new ClusterCheckOptions { Include = Include, Exclude = Exclude, EnginePath = EnginePath, VipInterface = VipInterface };
        try
        {
            // A misspelt check would select nothing: refuse it before a lab or director is looked at.
            ClusterChecks.ValidateSelection(Include, Exclude);
            if (ParameterSetName == LabSet)
            {
                var lab = LoadLab(Lab);
                options.Lab = lab;
                options.Director = lab.Name;
                if (lab.Forwarding == LvsForwarding.Tunnel) options.TunnelInterface = LabManager.TunnelDevice;
                options.SshTargetFor = a => LvsRealServerRemoteCmdlet.LabTarget(lab, a);
            }
            else
            {
                options.Director = ResolveDirector(Director);
                if (KeyFile is not null)
                {
                    var key = ProviderPath(KeyFile);
                    var known = KnownHostsPath(KnownHostsFile);
                    options.SshTargetFor = a => new SshTarget(a.ToString()) { KeyFile = key, KnownHostsFile = known };
                }
            }
        }
        catch (LvsException e) { ThrowLvsError(e); return; }

        // The named director whichever it is: an lvsd socket, or a kernel director from Connect-LvsDirector.
        var director = Client(options.Director);
        bool failed = false;
        foreach (var r in ClusterChecks.Run(director, options, new SyncProgress(this)))
        {
            failed |= r.Result == LvsCheckResultKind.Failed;
            if (!Quiet) WriteObject(r);
        }
        WriteProgress(new ProgressRecord(4, "Test-LvsCluster", "Done") { RecordType = ProgressRecordType.Completed });
        if (Quiet) WriteObject(!failed);
    }

    /// <summary>Completes -Include and -Exclude with the catalogue's check and category names.</summary>
    public sealed class ClusterCheckNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters) =>
            CompletionHelper.Complete(ClusterChecks.SelectionNames, wordToComplete);
    }

    private sealed class SyncProgress : IProgress<(string Activity, int Percent)>
    {
        private readonly TestLvsClusterCommand _cmd;
        public SyncProgress(TestLvsClusterCommand cmd) => _cmd = cmd;
        public void Report((string Activity, int Percent) v) =>
            _cmd.WriteProgress(new ProgressRecord(4, "Test-LvsCluster", v.Activity) { PercentComplete = v.Percent });
    }
}
