using LvsPS.Management.Checks;
using LvsPS.Management.Reports;

namespace LvsPS.Commands;

/// <summary>
/// Verifies an LVS-DR cluster and emits one result object per check and target (Passed, Warning, Failed,
/// NotApplicable). -Quiet returns only $true when nothing failed; -List shows the catalogue of checks.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsCluster", DefaultParameterSetName = DirectorSet, HelpUri = LvsHelpUri.Base + "Test-LvsCluster.md")]
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

    /// <summary>
    /// Check a director by name (default: the only one running); several (a,b) for a failover pair: the first is
    /// checked in full, and the failover checks compare them all.
    /// </summary>
    [Parameter(ParameterSetName = DirectorSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    public string[]? Director { get; set; }

    /// <summary>SyncDaemonRunning: the most a master's sync lag, or a backup's delay behind it, may be (seconds).</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateRange(0.1, 3600)]
    public double MaxSyncLag { get; set; } = 3;

    /// <summary>With -Director: OpenSSH key to log in to the real servers (as root) for the hidden check.</summary>
    [Parameter(ParameterSetName = DirectorSet)]
    public string? KeyFile { get; set; }

    [Parameter(ParameterSetName = DirectorSet)]
    public string? KnownHostsFile { get; set; }

    /// <summary>
    /// With -Director: a client host (reached over SSH as root with -KeyFile, host key checked against
    /// -KnownHostsFile) that sends the traffic and ARP probes, as a client on the VIP's segment would.
    /// </summary>
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientComputerName { get; set; }

    /// <summary>ServiceDistribution: requests per real server of each service (the probe is capped at 200).</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateRange(1, 100)]
    public int RequestCount { get; set; } = 20;

    /// <summary>
    /// With -Director: open the SSH connections (real servers, -ClientComputerName) from inside this Linux network
    /// namespace (a lab's management namespace, or where the hosts are reached from).
    /// </summary>
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,64}$")]
    [ArgumentCompleter(typeof(NetworkNamespaceCompleter))]
    public string? NetworkNamespace { get; set; }

    /// <summary>Where DR real servers hold the VIP (default lo; dummy0 as in the walkthrough).</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,15}$")]
    [ArgumentCompleter(typeof(VipInterfaceCompleter))]
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

    /// <summary>ServicePersistence: the persistence (seconds) every TCP service must have; one with less fails.</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateRange(1, 2678400)]
    public uint ExpectedPersistence { get; set; }

    /// <summary>
    /// How many hosts the SSH checks (the real servers' facts, the host keys) log in to at once (default 32, as
    /// Invoke-Command); 1 logs in to one after another. The results keep the catalogue's and the real servers' order.
    /// </summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateRange(1, LvsPS.Management.Util.BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = LvsPS.Management.Util.BoundedParallel.DefaultThrottleLimit;

    /// <summary>Return $true when no check failed, else $false.</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    public SwitchParameter Quiet { get; set; }

    /// <summary>List the checks without running them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ListSet)]
    public SwitchParameter List { get; set; }

    /// <summary>
    /// Also write the results to this file: .html/.htm an HTML page, .xml JUnit XML (or NUnit with -ReportFormat).
    /// An existing file is replaced (as Out-File does) unless -NoClobber.
    /// </summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    [ValidateNotNullOrEmpty]
    public string? ReportPath { get; set; }

    /// <summary>The report's format (default: from -ReportPath's extension).</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    public LvsReportFormat? ReportFormat { get; set; }

    /// <summary>Refuse to replace an existing -ReportPath file (ReportFileExists) before any check runs.</summary>
    [Parameter(ParameterSetName = LabSet)]
    [Parameter(ParameterSetName = DirectorSet)]
    public SwitchParameter NoClobber { get; set; }

    protected override void ProcessRecord()
    {
        if (List)
        {
            WriteObject(ClusterChecks.Catalogue, true);
            return;
        }
        var options = new ClusterCheckOptions { Include = Include, Exclude = Exclude, EnginePath = EnginePath, VipInterface = VipInterface, MaxSyncLag = TimeSpan.FromSeconds(MaxSyncLag), RequestsPerRealServer = RequestCount, ExpectedPersistence = ExpectedPersistence, ThrottleLimit = ThrottleLimit, Cancellation = StopToken }; // Ctrl+C: hosts not yet logged in to are skipped, sessions aborted
        var peers = new List<string>();
        string? reportPath = null;
        LvsReportFormat reportFormat = LvsReportFormat.Html;
        try
        {
            if (ReportPath is not null)
            {
                // The report's path is checked before the run: a long run must not end in an unwritable path.
                reportPath = ProviderPath(ReportPath)!;
                ReportFile.Validate(reportPath, NoClobber);
                reportFormat = ReportFile.ResolveFormat(reportPath, ReportFormat);
            }
            // A misspelt check would select nothing: refuse it before a lab or director is looked at.
            ClusterChecks.ValidateSelection(Include, Exclude);
            if (ParameterSetName == LabSet)
            {
                var lab = LoadLab(Lab);
                options.Lab = lab;
                // A two-director lab: the first director is checked in full, the failover checks compare both.
                options.Director = lab.DirectorNameOf(lab.Directors[0]);
                peers.AddRange(lab.Directors.Skip(1).Select(lab.DirectorNameOf));
                if (lab.Forwarding == LvsForwarding.Tunnel) options.TunnelInterface = LabManager.TunnelDevice;
                // A kernel NAT lab's inside real servers are behind the director's guest: the management namespace
                // (the client's) has no route to them, so the SSH checks are NotApplicable for them, not failures.
                var inside = lab.Director.Host == LvsLabNodeHost.VirtualMachine && lab.InsideSubnet is { } sub ? System.Net.IPNetwork.Parse(sub) : (System.Net.IPNetwork?)null;
                options.SshTargetFor = a => inside is { } net && net.Contains(a) ? null : LvsRealServerRemoteCmdlet.LabTarget(lab, a);
            }
            else
            {
                options.Director = ResolveDirector(Director?.FirstOrDefault());
                peers.AddRange((Director ?? Array.Empty<string>()).Skip(1).Where(d => d != options.Director).Distinct(StringComparer.Ordinal));
                var key = KeyFile is null ? null : ProviderPath(KeyFile);
                var known = KnownHostsPath(KnownHostsFile);
                if (key is not null)
                    options.SshTargetFor = a => new SshTarget(a.ToString()) { KeyFile = key, KnownHostsFile = known, NetworkNamespace = NetworkNamespace };
                if (ClientComputerName is not null)
                    options.ClientHost = new SshCheckHost(new SshTarget(ClientComputerName) { KeyFile = key, KnownHostsFile = known, NetworkNamespace = NetworkNamespace });
            }
        }
        catch (LvsException e) { ThrowLvsError(e); return; }

        // The named director whichever it is: an lvsd socket, or a kernel director from Connect-LvsDirector.
        var director = Listening(Client(options.Director));
        options.Verbose = VerboseSink;
        try { options.Peers = peers.Select(p => Listening(Client(p))).ToList(); }
        catch (LvsException e) { ThrowLvsError(e); return; }
        bool failed = false;
        var started = DateTime.UtcNow;
        var results = new List<LvsCheckResult>();
        try
        {
            foreach (var r in ClusterChecks.Run(director, options, new SyncProgress(this)))
            {
                failed |= r.Result == LvsCheckResultKind.Failed;
                results.Add(r);
                FlushVerbose(); // what the fleet's workers said (the hosts' commands) comes before their results
                if (!Quiet) WriteObject(r);
            }
            FlushVerbose();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested) { return; }
        finally { (options.ClientHost as IDisposable)?.Dispose(); }
        if (reportPath is not null)
        {
            var report = new ClusterReport { Director = options.Director, Lab = options.Lab?.Name, Started = started, Finished = DateTime.UtcNow, Results = results };
            try { ReportFile.Write(reportPath, reportFormat, report); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ThrowLvsError(new LvsException(LvsErrorIds.ReportPathInvalid, LvsErrorKind.PermissionDenied, $"Cannot write the report '{reportPath}': {e.Message}", reportPath, e));
            }
            WriteVerbose($"Wrote the {reportFormat} report of {results.Count} results to {reportPath}.");
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
