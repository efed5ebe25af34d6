using LvsPS.Management.Config;
using LvsPS.Management.Sync;

namespace LvsPS.Commands;

/// <summary>
/// Brings a director to the desired state of a configuration file (ipvsadm rules, keepalived.conf or lvs_dr.conf,
/// read as Import-LvsConfiguration reads them) with the fewest changes: writes the planned changes first, then makes
/// each one under ShouldProcess (nothing changes with -WhatIf). Services the file does not name stay unless -Prune
/// (or a rules file with -C).
/// </summary>
[Cmdlet(VerbsData.Sync, "LvsConfiguration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Sync-LvsConfiguration.md")]
[OutputType(typeof(LvsConfigChange))]
public sealed class SyncLvsConfigurationCommand : LvsDirectorCmdlet
{
    /// <summary>The configuration file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The file's format (as Import-LvsConfiguration -Format).</summary>
    [Parameter]
    [ValidateSet(ImportLvsConfigurationCommand.FormatAuto, ImportLvsConfigurationCommand.FormatLvsDrConf,
        ImportLvsConfigurationCommand.FormatIpvsadmRules, ImportLvsConfigurationCommand.FormatKeepalived, IgnoreCase = true)]
    public string Format { get; set; } = ImportLvsConfigurationCommand.FormatAuto;

    /// <summary>Resolve host names in the file to this lab's addresses.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    public string? Lab { get; set; }

    /// <summary>Also remove the services the file does not name.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        // The file is read by Import-LvsConfiguration itself, so both read it the same way.
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("Import-LvsConfiguration").AddParameter("Path", Path).AddParameter("Format", Format).AddParameter("AsConfiguration");
        if (Lab is not null) ps.AddParameter("Lab", Lab);
        var read = ps.Invoke();
        foreach (var w in ps.Streams.Warning) WriteWarning(w.Message);
        if (ps.Streams.Error.Count > 0)
        {
            foreach (var e in ps.Streams.Error) WriteError(e);
            return;
        }
        var conf = read.Count > 0 ? read[0].BaseObject : null;
        var (services, clears) = conf switch
        {
            IpvsadmRules r => (r.Services, r.Clears),
            KeepalivedConfiguration k => (k.Services, false),
            LvsDrConfiguration d => (d.Services, false),
            _ => (new List<LvsServiceDefinition>(), false),
        };
        var client = GetClient();
        var actual = Read(client, ListServices);
        var changes = LvsSyncPlanner.Plan(services, actual, Prune || clears);
        WriteVerbose($"{Path}: {services.Count} services; director '{client.Name}' has {actual.Count}; {changes.Count} changes planned"
                     + (clears && !Prune ? " (the rules file clears the table: services it does not name are removed)" : ""));
        WriteObject(changes, true);
        for (int i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            WriteProgress(new ProgressRecord(1, "Sync-LvsConfiguration", change.ToString()) { PercentComplete = 100 * i / changes.Count });
            WriteVerbose(change.Command);
            // a removal (Remove, Clear, Zero) asks at ConfirmImpact High unless -Force; an Add or Edit at Medium
            if (!ShouldProcessUnlessForced($"{change.Target} on director '{client.Name}'", change.Description, Force,
                    change.Destructive ? ConfirmImpact.High : ConfirmImpact.Medium)) continue;
            if (!Try(() => change.Apply(client), change.Target)) break;
        }
        if (changes.Count > 0)
            WriteProgress(new ProgressRecord(1, "Sync-LvsConfiguration", "Done") { RecordType = ProgressRecordType.Completed });
    }
}
