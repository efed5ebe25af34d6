using LvsPS.Ipvs.Specs;

namespace LvsPS.Ipvs.Director;

/// <summary>The director's state file: everything configured, restored at start.</summary>
public sealed class DirectorState
{
    public int Version { get; set; } = 1;
    public List<ServiceSpec> Services { get; set; } = new();
    public TimeoutSpec? Timeouts { get; set; }
    public List<MarkRuleSpec> MarkRules { get; set; } = new();
}
