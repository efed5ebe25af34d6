namespace LvsPS.Commands;

/// <summary>
/// Starts a connection synchronisation daemon on a director (ipvsadm --start-daemon master|backup): the master
/// sends its connections and persistence templates, a backup installs them (ip_vs_sync.c protocol version 1).
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "LvsSyncDaemon", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Start-LvsSyncDaemon.md")]
[OutputType(typeof(SyncDaemonStatus))]
public sealed class StartLvsSyncDaemonCommand : LvsDirectorCmdlet
{
    /// <summary>Master (sends) or Backup (receives).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("State")]
    public SyncDaemonRole Role { get; set; }

    /// <summary>--mcast-interface.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("McastInterface")]
    [ArgumentCompleter(typeof(DirectorInterfaceCompleter))]
    public string Interface { get; set; } = "";

    /// <summary>--syncid 0..255.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? SyncId { get; set; }

    /// <summary>--mcast-group (224.0.0.81), or a unicast address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("McastGroup")]
    public IPAddress? Group { get; set; }

    /// <summary>--mcast-port (8848).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("McastPort")]
    public int? Port { get; set; }

    /// <summary>--mcast-ttl (1).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("McastTtl")]
    public int? Ttl { get; set; }

    /// <summary>--sync-maxlen (0 = from the MTU).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("SyncMaxLen")]
    public int? MaxLength { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Directors worked on at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    internal SyncDaemonSpec Spec()
    {
        var spec = new SyncDaemonSpec { Role = Role, Interface = Interface };
        if (SyncId is { } id) spec.SyncId = id;
        if (Group is not null) spec.Group = Group;
        if (Port is { } p) spec.Port = p;
        if (Ttl is { } t) spec.Ttl = t;
        if (MaxLength is { } m) spec.MaxLength = m;
        SyncDaemonValidator.Validate(spec);
        return spec;
    }

    internal static string Describe(SyncDaemonSpec s) =>
        $"sync daemon {s.Role.ToString().ToLowerInvariant()} syncid {s.SyncId} on {s.Interface} ({s.Group}:{s.Port}, ttl {s.Ttl}" +
        (s.MaxLength > 0 ? $", maxlen {s.MaxLength})" : ")");

    protected override void ProcessRecord()
    {
        if (!Try(Spec, out var spec)) return;
        bool passThru = PassThru;
        OnDirector((client, output) =>
        {
            if (!output.ShouldProcess($"{Describe(spec)} on director '{client.Name}'", "Start sync daemon")) return;
            if (output.Try(() => client.StartSyncDaemon(spec), spec.Role) && passThru)
                output.Try(() => output.WriteObjects(client.ListSyncDaemons().Where(d => d.Role == spec.Role)), spec.Role);
        });
    }
}

/// <summary>
/// Stops a director's sync daemon (ipvsadm --stop-daemon); without -Role, every one it runs. The connections it
/// installed stay in the table.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "LvsSyncDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Stop-LvsSyncDaemon.md")]
[OutputType(typeof(SyncDaemonStatus))]
public sealed class StopLvsSyncDaemonCommand : LvsDirectorCmdlet
{
    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The daemon to stop (from Get-LvsSyncDaemon by property name); by default every running one.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("State")]
    public SyncDaemonRole? Role { get; set; }

    /// <summary>Returns each daemon's last status.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Directors worked on at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    protected override void ProcessRecord()
    {
        var role = Role;
        bool force = Force, passThru = PassThru;
        OnDirector((client, output) =>
        {
            if (!output.Try(() => client.ListSyncDaemons(), out var running, client.Name)) return;
            if (role is { } r && !running.Any(d => d.Role == r))
            {
                output.WriteError(new LvsException(LvsErrorIds.SyncDaemonNotFound, LvsErrorKind.ObjectNotFound,
                    $"The director '{client.Name}' runs no {r.ToString().ToLowerInvariant()} sync daemon.", r));
                return;
            }
            foreach (var d in running.Where(d => role is null || d.Role == role))
            {
                if (!output.ShouldProcessUnlessForced($"sync daemon {d.Role.ToString().ToLowerInvariant()} syncid {d.SyncId} on {d.Interface} on director '{client.Name}'", "Stop sync daemon", force)) continue;
                if (output.Try(() => client.StopSyncDaemon(d.Role), d.Role) && passThru) output.WriteObject(d);
            }
        });
    }
}

/// <summary>Gets the sync daemons a director runs, with their counters and lag where the director keeps them.</summary>
[Cmdlet(VerbsCommon.Get, "LvsSyncDaemon", HelpUri = LvsHelpUri.Base + "Get-LvsSyncDaemon.md")]
[OutputType(typeof(SyncDaemonStatus))]
public sealed class GetLvsSyncDaemonCommand : LvsDirectorCmdlet
{
    /// <summary>Only the daemons of these roles.</summary>
    [Parameter(Position = 0)]
    [Alias("State")]
    public SyncDaemonRole[]? Role { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        WriteObject(Read(client, c => c.ListSyncDaemons()).Where(d => Role is null || Role.Contains(d.Role)).OrderBy(d => d.Role), true);
    }
}
