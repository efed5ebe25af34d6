namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// A scheduler that keeps no state between picks and looks only at the destinations' counters and weights
/// (lc, wlc, sed, nq, fo, ovf): a change of the destination list needs no rebuild.
/// </summary>
public abstract class StatelessScheduler : IIpvsScheduler
{
    private protected StatelessScheduler(LvsScheduler kind) => Kind = kind;

    public LvsScheduler Kind { get; }

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public abstract Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet);
}

/// <summary>
/// One of the kernel's single-pass choices (<see cref="DestinationPick.Best{TRule}"/>). Static members on a struct,
/// so the walk is specialised per rule: no allocation, no boxing, no indirect call per destination.
/// </summary>
internal interface IPickRule
{
    /// <summary>May <paramref name="d"/> be the first choice.</summary>
    static abstract bool CanStart(Destination d);

    /// <summary>May <paramref name="d"/> replace a choice already made; by default when not overloaded.</summary>
    static virtual bool CanCompete(Destination d) => !d.Overloaded;

    /// <summary>The figure compared (overhead, activeconns + 1, weight).</summary>
    static abstract long Cost(Destination d);

    /// <summary>True when <paramref name="d"/> is taken at once, ending the walk (nq's idle server).</summary>
    static virtual bool TakeAtOnce(Destination d) => false;

    /// <summary>True when <paramref name="d"/> (with <paramref name="cost"/>) replaces <paramref name="choice"/>.</summary>
    static abstract bool Replaces(Destination d, long cost, Destination choice, long choiceCost);
}

/// <summary>The walk lc, wlc, sed, nq, fo, ovf (and lblc/lblcr's wlc choice) make over the list in kernel order.</summary>
internal static class DestinationPick
{
    /// <summary>
    /// Walks <paramref name="list"/> in order: the first destination that <see cref="IPickRule.CanStart"/> becomes the
    /// choice; after it every one that <see cref="IPickRule.CanCompete"/> and <see cref="IPickRule.Replaces"/> it
    /// takes its place (so the first wins ties); null when none could start ("no destination available").
    /// </summary>
    public static Destination? Best<TRule>(IReadOnlyList<Destination> list) where TRule : struct, IPickRule
    {
        Destination? choice = null;
        long choiceCost = 0;
        for (int i = 0; i < list.Count; i++)
        {
            var d = list[i];
            if (choice is null ? !TRule.CanStart(d) : !TRule.CanCompete(d))
                continue;
            long cost = TRule.Cost(d);
            if (TRule.TakeAtOnce(d))
                return d;
            if (choice is null || TRule.Replaces(d, cost, choice, choiceCost))
            {
                choice = d;
                choiceCost = cost;
            }
        }
        return choice;
    }

    /// <summary>Not overloaded and weight other than 0 (lc, nq, ovf's first test; wlc/sed's first stage).</summary>
    public static bool Usable(Destination d) => !d.Overloaded && d.Weight != 0;

    /// <summary>The wlc/sed comparison: overhead/weight strictly smaller, as 64-bit cross products.</summary>
    public static bool LighterPerWeight(Destination d, long cost, Destination choice, long choiceCost)
        => choiceCost * d.Weight > cost * choice.Weight;
}

/// <summary>
/// lc (ip_vs_lc.c): the destination with the smallest overhead = activeconns * 256 + inactconns among those that
/// are not overloaded and have a weight other than 0; weights are otherwise ignored. The first in list order
/// (newest first) wins a tie, since only a strictly smaller overhead replaces the current choice.
/// </summary>
public sealed class LeastConnectionScheduler() : StatelessScheduler(LvsScheduler.Lc)
{
    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet) => DestinationPick.Best<Rule>(destinations);

    private struct Rule : IPickRule
    {
        public static bool CanStart(Destination d) => DestinationPick.Usable(d);
        public static bool CanCompete(Destination d) => DestinationPick.Usable(d);
        public static long Cost(Destination d) => d.Overhead;
        public static bool Replaces(Destination d, long cost, Destination choice, long choiceCost) => cost < choiceCost;
    }
}

/// <summary>
/// wlc (ip_vs_wlc.c), the ipvsadm default: the first destination (list order) that is not overloaded and has
/// weight &gt; 0 starts as the choice; every later non-overloaded destination replaces it when
/// overhead(choice) * weight(dest) &gt; overhead(dest) * weight(choice) (64-bit products), i.e. when its
/// overhead/weight is strictly smaller. A weight-0 destination can never win that comparison.
/// </summary>
public sealed class WeightedLeastConnectionScheduler() : StatelessScheduler(LvsScheduler.Wlc)
{
    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet) => DestinationPick.Best<Rule>(destinations);

    /// <summary>The wlc choice (lblc and lblcr take it too).</summary>
    internal struct Rule : IPickRule
    {
        public static bool CanStart(Destination d) => !d.Overloaded && d.Weight > 0;
        public static long Cost(Destination d) => d.Overhead;
        public static bool Replaces(Destination d, long cost, Destination choice, long choiceCost)
            => DestinationPick.LighterPerWeight(d, cost, choice, choiceCost);
    }
}

/// <summary>
/// sed (ip_vs_sed.c): as wlc but the overhead is activeconns + 1 (inactive connections are ignored), so the
/// choice minimises (activeconns + 1) / weight; the first in list order wins ties.
/// </summary>
public sealed class ShortestExpectedDelayScheduler() : StatelessScheduler(LvsScheduler.Sed)
{
    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet) => DestinationPick.Best<Rule>(destinations);

    private struct Rule : IPickRule
    {
        public static bool CanStart(Destination d) => !d.Overloaded && d.Weight > 0;
        public static long Cost(Destination d) => (long)d.ActiveConnections + 1;
        public static bool Replaces(Destination d, long cost, Destination choice, long choiceCost)
            => DestinationPick.LighterPerWeight(d, cost, choice, choiceCost);
    }
}

/// <summary>
/// nq (ip_vs_nq.c): walks the destinations that are not overloaded and have a weight other than 0 in list order
/// and returns at once the first one with no active connection; otherwise the sed rule
/// (minimum (activeconns + 1) / weight, first wins ties).
/// </summary>
public sealed class NeverQueueScheduler() : StatelessScheduler(LvsScheduler.Nq)
{
    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet) => DestinationPick.Best<Rule>(destinations);

    private struct Rule : IPickRule
    {
        public static bool CanStart(Destination d) => DestinationPick.Usable(d);
        public static bool CanCompete(Destination d) => DestinationPick.Usable(d);
        public static long Cost(Destination d) => (long)d.ActiveConnections + 1;
        public static bool TakeAtOnce(Destination d) => d.ActiveConnections == 0; // idle server: take it directly
        public static bool Replaces(Destination d, long cost, Destination choice, long choiceCost)
            => DestinationPick.LighterPerWeight(d, cost, choice, choiceCost);
    }
}
