namespace LvsPS.Ipvs.Director;

/// <summary>
/// The director's state file: everything configured, restored at start. Versioned: <see cref="Version"/> is written
/// with every save, and a director refuses a file whose version it does not know (a newer LvsPS's) rather than
/// misread it. A change of the format that an older lvsd would misread raises <see cref="CurrentVersion"/>.
/// </summary>
public sealed class DirectorState
{
    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;
    public List<ServiceSpec> Services { get; set; } = new();
    public TimeoutSpec? Timeouts { get; set; }
    public List<MarkRuleSpec> MarkRules { get; set; } = new();
    /// <summary>The connection sync daemons running at the last save (started again at start).</summary>
    public List<SyncDaemonSpec> SyncDaemons { get; set; } = new();
    /// <summary>The VRRP instances (in the order they were added); absent in files written before VRRP.</summary>
    public List<VrrpInstanceSpec> VrrpInstances { get; set; } = new();
    /// <summary>The debug level at the last save (0..12); absent in files written before the levelled log.</summary>
    public int? DebugLevel { get; set; }
}
