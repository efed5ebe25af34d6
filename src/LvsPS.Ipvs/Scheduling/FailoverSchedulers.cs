using LvsPS.Ipvs.Model;

namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// fo (ip_vs_fo.c), weighted failover: the non-overloaded destination with the highest weight (weight &gt; 0);
/// the first in list order (newest first) wins ties. Connection counts are ignored.
/// </summary>
public sealed class WeightedFailoverScheduler : IIpvsScheduler
{
    public LvsScheduler Kind => LvsScheduler.Fo;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        Destination? best = null;
        int hw = 0;
        for (int i = 0; i < destinations.Count; i++)
        {
            var d = destinations[i];
            if (!d.Overloaded && d.Weight > hw)
            {
                best = d;
                hw = d.Weight;
            }
        }
        return best;
    }
}

/// <summary>
/// ovf (ip_vs_ovf.c), weighted overflow: among destinations that are not overloaded, have weight &gt; 0 and whose
/// active connections do not exceed their weight (activeconns &lt;= weight), the one with the highest weight;
/// the first in list order wins ties. The weight acts as a cap on active connections; inactive ones are not
/// counted, so it suits TCP rather than UDP.
/// </summary>
public sealed class WeightedOverflowScheduler : IIpvsScheduler
{
    public LvsScheduler Kind => LvsScheduler.Ovf;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        Destination? best = null;
        int hw = 0;
        for (int i = 0; i < destinations.Count; i++)
        {
            var d = destinations[i];
            int w = d.Weight;
            if (d.Overloaded || d.ActiveConnections > w || w == 0)
                continue;
            if (best is null || w > hw)
            {
                best = d;
                hw = w;
            }
        }
        return best;
    }
}
