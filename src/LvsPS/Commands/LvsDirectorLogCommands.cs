namespace LvsPS.Commands;

/// <summary>
/// Gets a director's log records: lvsd's in-memory log (the newest 10,000 records, each with its debug level,
/// severity and source), or a kernel director's IPVS kernel messages and keepalived's log.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsDirectorLog", HelpUri = LvsHelpUri.Base + "Get-LvsDirectorLog.md")]
[OutputType(typeof(LvsLogRecord))]
public sealed class GetLvsDirectorLogCommand : LvsCmdlet
{
    /// <summary>The director to read; optional while only one runs. Get-LvsDirector's output binds by its Name.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Director { get; set; }

    /// <summary>Only records of this debug level or lower (0 = start, stop, changes and errors only).</summary>
    [Parameter]
    [ValidateRange(0, DirectorLogFormat.MaxLevel)]
    public int? Level { get; set; }

    /// <summary>Only records from these parts of the director.</summary>
    [Parameter]
    public LvsLogSource[]? Source { get; set; }

    /// <summary>Only records written at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only the last N records that match.</summary>
    [Parameter]
    [ValidateRange(1, LogQuery.MaxRecords)]
    public int? Last { get; set; }

    /// <summary>A regular expression the message must match (case-insensitive).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Pattern { get; set; }

    protected override void ProcessRecord()
    {
        var client = ConnectDirector(Director);
        var query = new LogQuery
        {
            MaxLevel = Level, Source = Source, Last = Last, Pattern = Pattern,
            Since = Since is { } s ? (s.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(s, DateTimeKind.Local) : s).ToUniversalTime() : null,
        };
        foreach (var r in Read(client, c => c.GetLog(query)))
            WriteObject(r);
    }
}

/// <summary>
/// Sets a director's debug level at run time (0..12, the kernel's net.ipv4.vs.debug_level): lvsd keeps it with its
/// state across a restart; a kernel director writes /proc/sys/net/ipv4/vs/debug_level (CONFIG_IP_VS_DEBUG kernels).
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsDirectorLog", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsDirectorLog.md")]
[OutputType(typeof(DirectorLogSettings))]
public sealed class SetLvsDirectorLogCommand : LvsCmdlet
{
    /// <summary>The director to change; optional while only one runs. Get-LvsDirector's output binds by its Name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Director { get; set; }

    /// <summary>The debug level: 0 start, stop, changes, errors; 1-3 control and health detail; 4-6 VRRP, sync, scheduling; 7-12 per packet.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateRange(0, DirectorLogFormat.MaxLevel)]
    public int DebugLevel { get; set; }

    /// <summary>Writes the log settings and counters after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var client = ConnectDirector(Director);
        if (!ShouldProcess($"director '{client.Name}'", $"Set debug level {DebugLevel}")) return;
        var settings = Read(client, c => c.SetLogLevel(DebugLevel));
        if (PassThru) WriteObject(settings);
    }
}
