namespace LvsPS.Engine.Tables;

/// <summary>
/// What the engine keeps beside a destination for health and drain: the configured weight (the destination's
/// Weight is the weight in the table), its checkers and their last verdicts, suspension, whether a failed check
/// took it out of the table, and the state history Get-LvsHealth shows.
/// </summary>
internal sealed class DestinationHealth
{
    public List<HealthCheckSpec> Checks { get; set; } = new();
    public bool InhibitOnFailure { get; set; }
    public string? NotifyUp { get; set; }
    public string? NotifyDown { get; set; }
    public int ConfiguredWeight { get; set; } = 1;
    /// <summary>MISC_CHECK misc_dynamic: the weight its last exit status gave; null = the configured one.</summary>
    public int? DynamicWeight { get; set; }
    public bool Suspended { get; set; }
    /// <summary>The last verdict of each checker (absent = not run yet: counts as passing unless alpha said down).</summary>
    public Dictionary<LvsHealthCheckType, bool> CheckerUp { get; } = new();
    /// <summary>Its checks fail.</summary>
    public bool Down { get; set; }
    /// <summary>False while out of the table (a failed check without inhibit_on_failure, or a lost quorum with a sorry server).</summary>
    public bool InTable { get; set; } = true;
    /// <summary>The sorry server a lost quorum put in.</summary>
    public bool IsSorry { get; set; }
    public DateTime? LastCheck { get; set; }
    public string? LastResult { get; set; }
    public DateTime? LastChange { get; set; }
    public string? Reason { get; set; }
    public LvsRealServerState? LastState { get; set; }
    public List<LvsHealthEvent> History { get; } = new();
}
