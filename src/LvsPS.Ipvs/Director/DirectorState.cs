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
}
