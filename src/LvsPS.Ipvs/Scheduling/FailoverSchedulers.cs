namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// fo (ip_vs_fo.c), weighted failover: the non-overloaded destination with the highest weight (weight &gt; 0);
/// the first in list order (newest first) wins ties. Connection counts are ignored.
/// </summary>
public sealed class WeightedFailoverScheduler() : StatelessScheduler(LvsScheduler.Fo)
{
    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet) => DestinationPick.Best<Rule>(destinations);

    // The kernel keeps hw = 0 and takes any non-overloaded destination with weight > hw.
    private struct Rule : IPickRule
    {
        public static bool CanStart(Destination d) => !d.Overloaded && d.Weight > 0;
        public static long Cost(Destination d) => d.Weight;
        public static bool Replaces(Destination d, long cost, Destination choice, long choiceCost) => cost > choiceCost;
    }
}

/// <summary>
/// ovf (ip_vs_ovf.c), weighted overflow: among destinations that are not overloaded, have weight &gt; 0 and whose
/// active connections do not exceed their weight (activeconns &lt;= weight), the one with the highest weight;
/// the first in list order wins ties. The weight acts as a cap on active connections; inactive ones are not
/// counted, so it suits TCP rather than UDP.
/// </summary>
public sealed class WeightedOverflowScheduler() : StatelessScheduler(LvsScheduler.Ovf)
{
    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet) => DestinationPick.Best<Rule>(destinations);

    private struct Rule : IPickRule
    {
        public static bool CanStart(Destination d) => DestinationPick.Usable(d) && d.ActiveConnections <= d.Weight;
        public static bool CanCompete(Destination d) => CanStart(d);
        public static long Cost(Destination d) => d.Weight;
        public static bool Replaces(Destination d, long cost, Destination choice, long choiceCost) => cost > choiceCost;
    }
}
