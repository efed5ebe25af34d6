namespace LvsPS.Commands;

/// <summary>
/// Starts the LvsPS forwarding engine (lvsd) for one Ethernet interface, in a lab's director namespace or in
/// a given network namespace. The director restores the services saved in its state file.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LvsDirector", SupportsShouldProcess = true, DefaultParameterSetName = LabSet)]
[OutputType(typeof(DirectorStatus))]
public sealed class StartLvsDirectorCommand : LvsCmdlet
{
    private const string LabSet = "Lab";
    private const string InterfaceSet = "Interface";

    #region Parameters

    /// <summary>The lab whose director namespace and interface to use; the director is named after the lab.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LabSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Lab { get; set; } = "";

    /// <summary>The director's name (its socket and state file are named after it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The Ethernet interface the director serves.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>A second interface toward the real servers' internal network (LVS-NAT with the director as their gateway).</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    public string? InsideInterface { get; set; }

    /// <summary>The network namespace to run in (default: the current one).</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    public string? NetworkNamespace { get; set; }

    /// <summary>Connection table size as a power of two (8..20; 12 = 4096 as CONFIG_IP_VS_TAB_BITS).</summary>
    [Parameter]
    [ValidateRange(8, 20)]
    public int TableBits { get; set; } = 12;

    /// <summary>Seconds to wait for the director to answer.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 30;

    #endregion

    #region Method overrides

    protected override void ProcessRecord()
    {
        string name = Name, iface = Interface;
        string? ns = NetworkNamespace, inside = InsideInterface;
        if (ParameterSetName == LabSet)
        {
            LvsLab lab;
            try { lab = LoadLab(Lab); }
            catch (LvsException e) { ThrowLvsError(e); return; }
            if (lab.DirectorKind == LvsLabDirectorKind.Kernel)
            {
                ThrowLvsError(new LvsException(LvsErrorIds.NotSupportedByDirector, LvsErrorKind.InvalidOperation,
                    $"Lab '{lab.Name}' has a kernel director (Linux IPVS, {lab.KernelGuest}): it needs no Start-LvsDirector; manage it with -Director {lab.Name}.", lab.Name));
                return;
            }
            name = lab.Name;
            iface = lab.Director.Interface;
            ns = lab.Director.Namespace;
            inside = lab.Director.InsideInterface;
        }

        string command;
        // The exact command the launcher runs, each word shell-quoted (a value with spaces or quotes reads back as one word).
        try { command = DirectorLauncher.CommandLine(name, iface, ns, EnginePath, TableBits, inside); }
        catch (LvsException e) { ThrowLvsError(e, name); return; }
        if (!ShouldProcess($"director '{name}' on {iface}{(ns is null ? "" : " in namespace " + ns)}: {command}", "Start LvsPS director"))
            return;

        WriteProgress(new ProgressRecord(1, "Start-LvsDirector", $"Starting director '{name}'") { PercentComplete = 10 });
        try
        {
            var status = DirectorLauncher.Start(name, iface, ns, EnginePath, TableBits, TimeSpan.FromSeconds(TimeoutSec), inside);
            SessionDirector = name;
            WriteObject(status);
        }
        catch (LvsException e)
        {
            ThrowLvsError(e, name);
        }
        finally
        {
            WriteProgress(new ProgressRecord(1, "Start-LvsDirector", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    #endregion
}
