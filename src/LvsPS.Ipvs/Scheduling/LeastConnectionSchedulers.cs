using LvsPS.Ipvs.Model;

namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// lc (ip_vs_lc.c): the destination with the smallest overhead = activeconns * 256 + inactconns among those that
/// are not overloaded and have a weight other than 0; weights are otherwise ignored. The first in list order
/// (newest first) wins a tie, since only a strictly smaller overhead replaces the current choice.
/// </summary>
public sealed class LeastConnectionScheduler : IIpvsScheduler
{
    public LvsScheduler Kind => LvsScheduler.Lc;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        Destination? least = null;
        long loh = 0;
        for (int i = 0; i < destinations.Count; i++)
        {
            var d = destinations[i];
            if (d.Overloaded || d.Weight == 0)
                continue;
            long doh = d.Overhead;
            if (least is null || doh < loh)
            {
                least = d;
                loh = doh;
            }
        }
        return least;
    }
}

/// <summary>
/// wlc (ip_vs_wlc.c), the ipvsadm default: the first destination (list order) that is not overloaded and has
/// weight &gt; 0 starts as the choice; every later non-overloaded destination replaces it when
/// overhead(choice) * weight(dest) &gt; overhead(dest) * weight(choice) (64-bit products), i.e. when its
/// overhead/weight is strictly smaller. A weight-0 destination can never win that comparison.
/// </summary>
public sealed class WeightedLeastConnectionScheduler : IIpvsScheduler
{
    public LvsScheduler Kind => LvsScheduler.Wlc;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
        => WeightedLeast.Pick(destinations, activeOnly: false);
}

/// <summary>
/// sed (ip_vs_sed.c): as wlc but the overhead is activeconns + 1 (inactive connections are ignored), so the
/// choice minimises (activeconns + 1) / weight; the first in list order wins ties.
/// </summary>
public sealed class ShortestExpectedDelayScheduler : IIpvsScheduler
{
    public LvsScheduler Kind => LvsScheduler.Sed;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
        => WeightedLeast.Pick(destinations, activeOnly: true);
}

/// <summary>
/// nq (ip_vs_nq.c): walks the destinations that are not overloaded and have a weight other than 0 in list order
/// and returns at once the first one with no active connection; otherwise the sed rule
/// (minimum (activeconns + 1) / weight, first wins ties).
/// </summary>
public sealed class NeverQueueScheduler : IIpvsScheduler
{
    public LvsScheduler Kind => LvsScheduler.Nq;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        Destination? least = null;
        long loh = 0;
        for (int i = 0; i < destinations.Count; i++)
        {
            var d = destinations[i];
            if (d.Overloaded || d.Weight == 0)
                continue;
            long doh = (long)d.ActiveConnections + 1;
            if (d.ActiveConnections == 0)
                return d; // idle server: take it directly
            if (least is null || loh * d.Weight > doh * least.Weight)
            {
                least = d;
                loh = doh;
            }
        }
        return least;
    }
}

internal static class WeightedLeast
{
    /// <summary>The wlc/sed two-stage walk; <paramref name="activeOnly"/> selects the sed overhead.</summary>
    public static Destination? Pick(IReadOnlyList<Destination> list, bool activeOnly)
    {
        int n = list.Count;
        int i = 0;
        Destination? least = null;
        for (; i < n; i++)
        {
            var d = list[i];
            if (!d.Overloaded && d.Weight > 0)
            {
                least = d;
                break;
            }
        }
        if (least is null)
            return null; // "no destination available"

        long loh = Cost(least, activeOnly);
        for (i++; i < n; i++)
        {
            var d = list[i];
            if (d.Overloaded)
                continue;
            long doh = Cost(d, activeOnly);
            if (loh * d.Weight > doh * least.Weight)
            {
                least = d;
                loh = doh;
            }
        }
        return least;
    }

    private static long Cost(Destination d, bool activeOnly)
        => activeOnly ? (long)d.ActiveConnections + 1 : d.Overhead;
}
