namespace LvsPS.Commands;

/// <summary>
/// Starts the LvsPS forwarding engine (lvsd) for one Ethernet interface, in a lab's director namespace or in
/// a given network namespace. The director restores the services saved in its state file. With -Lab, every
/// engine director of the lab (both of a pair; -Node one of them), one DirectorStatus each.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LvsDirector", SupportsShouldProcess = true, DefaultParameterSetName = LabSet, HelpUri = LvsHelpUri.Base + "Start-LvsDirector.md")]
[OutputType(typeof(DirectorStatus))]
public sealed class StartLvsDirectorCommand : LvsCmdlet
{
    private const string LabSet = "Lab";
    private const string InterfaceSet = "Interface";

    #region Parameters

    /// <summary>
    /// The lab whose director namespace and interface to use; the director is named after the lab (in a two-director
    /// lab &lt;lab&gt;-director1 and &lt;lab&gt;-director2).
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LabSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Lab { get; set; } = "";

    /// <summary>One director node of the lab to start (director1, director2; director or vs1 in a one-director lab); default every engine director.</summary>
    [Parameter(ParameterSetName = LabSet)]
    [ArgumentCompleter(typeof(LabDirectorNodeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Node { get; set; }

    /// <summary>The director's name (its socket and state file are named after it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The Ethernet interface the director serves.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HostInterfaceCompleter))]
    public string Interface { get; set; } = "";

    /// <summary>A second interface toward the real servers' internal network (LVS-NAT with the director as their gateway).</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(HostInterfaceCompleter))]
    public string? InsideInterface { get; set; }

    /// <summary>The network namespace to run in (default: the current one).</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetworkNamespaceCompleter))]
    public string? NetworkNamespace { get; set; }

    /// <summary>Connection table size as a power of two (8..20; 12 = 4096 as CONFIG_IP_VS_TAB_BITS).</summary>
    [Parameter]
    [ValidateRange(8, 20)]
    public int TableBits { get; set; } = 12;

    /// <summary>Seconds to wait for the director to answer.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>The debug level at start (0..12, the kernel's debug_level); default the level kept with the state, else 0.</summary>
    [Parameter]
    [ValidateRange(0, DirectorLogFormat.MaxLevel)]
    public int? DebugLevel { get; set; }

    /// <summary>The log file (an absolute path; default /var/lib/lvsps/directors/&lt;name&gt;.log).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LogPath { get; set; }

    /// <summary>Also send each record to syslog: a unix datagram socket path (/dev/log) or udp://address:port.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Syslog { get; set; }

    /// <summary>The syslog facility (default Daemon).</summary>
    [Parameter]
    public LvsSyslogFacility? SyslogFacility { get; set; }

    /// <summary>
    /// The director kernel's own copy of the VIPs' frames: Drop (default) at the interface's tc ingress hook, after
    /// lvsd's capture; Keep to leave the interface's tc configuration untouched.
    /// </summary>
    [Parameter]
    public LvsKernelCopy KernelCopy { get; set; } = LvsKernelCopy.Drop;

    private DirectorLogOptions? LogOptions =>
        DebugLevel is null && LogPath is null && Syslog is null && SyslogFacility is null ? null
            : new DirectorLogOptions { DebugLevel = DebugLevel, LogPath = LogPath is null ? null : GetUnresolvedProviderPathFromPSPath(LogPath), Syslog = Syslog, SyslogFacility = SyslogFacility };

    #endregion

    #region Method overrides

    protected override void ProcessRecord()
    {
        if (ParameterSetName != LabSet)
        {
            StartOne(Name, Interface, NetworkNamespace, InsideInterface);
            return;
        }
        LvsLab lab;
        try { lab = LoadLab(Lab); }
        catch (LvsException e) { ThrowLvsError(e); return; }
        List<LvsLabNode> directors;
        if (Node is not null)
        {
            if (lab.FindNode(Node) is not { Role: LvsLabRole.Director } node)
            {
                ThrowLvsError(new LvsException(LvsErrorIds.LabNodeNotFound, LvsErrorKind.ObjectNotFound,
                    $"Lab '{lab.Name}' has no director node '{Node}'. Its directors: {string.Join(", ", lab.Directors.Select(d => d.Name))}.", Node));
                return;
            }
            directors = new() { node };
        }
        else directors = lab.Directors.Where(d => lab.KindOf(d) == LvsLabDirectorKind.Engine).ToList();
        var kernel = (Node is null ? lab.Directors : directors).FirstOrDefault(d => lab.KindOf(d) == LvsLabDirectorKind.Kernel);
        if (kernel is not null && (Node is not null || directors.Count == 0))
        {
            var what = lab.Directors.Count == 1 ? $"Lab '{lab.Name}' has a kernel director" : $"Director {kernel.Name} of lab '{lab.Name}' is a kernel director";
            ThrowLvsError(new LvsException(LvsErrorIds.NotSupportedByDirector, LvsErrorKind.InvalidOperation,
                $"{what} (Linux IPVS, {lab.KernelGuest}): it needs no Start-LvsDirector; manage it with -Director {lab.DirectorNameOf(kernel)}.", lab.DirectorNameOf(kernel)));
            return;
        }
        if (kernel is not null)
            WriteVerbose($"Director {kernel.Name} of lab '{lab.Name}' is a kernel director ({lab.DirectorNameOf(kernel)}): nothing to start there.");
        // several: each failure is reported and the others still start; the session's default is the first started
        string? first = null;
        foreach (var d in directors)
        {
            var name = lab.DirectorNameOf(d);
            if (StartOne(name, d.Interface, d.Namespace, d.InsideInterface, terminating: directors.Count == 1)) first ??= name;
        }
        if (first is not null) SessionDirector = first;
    }

    /// <summary>Starts one lvsd; false when it did not (a non-terminating error unless <paramref name="terminating"/>) or -WhatIf.</summary>
    private bool StartOne(string name, string iface, string? ns, string? inside, bool terminating = true)
    {
        string command;
        // The exact command the launcher runs, each word shell-quoted (a value with spaces or quotes reads back as one word).
        try
        {
            LogOptions?.Validate();
            command = DirectorLauncher.CommandLine(name, iface, ns, EnginePath, TableBits, inside, LogOptions, KernelCopy);
        }
        catch (LvsException e) { Fail(e); return false; }
        if (!ShouldProcess($"director '{name}' on {iface}{(ns is null ? "" : " in namespace " + ns)}: {command}", "Start LvsPS director"))
            return false;

        WriteProgress(new ProgressRecord(1, "Start-LvsDirector", $"Starting director '{name}'") { PercentComplete = 10 });
        try
        {
            var status = DirectorLauncher.Start(name, iface, ns, EnginePath, TableBits, TimeSpan.FromSeconds(TimeoutSec), inside, LogOptions, KernelCopy);
            SessionDirector = name;
            WriteObject(status);
            return true;
        }
        catch (LvsException e)
        {
            Fail(e);
            return false;
        }
        finally
        {
            WriteProgress(new ProgressRecord(1, "Start-LvsDirector", "Done") { RecordType = ProgressRecordType.Completed });
        }

        void Fail(LvsException e)
        {
            if (terminating) ThrowLvsError(e, name);
            else WriteLvsError(e, name);
        }
    }

    #endregion
}
