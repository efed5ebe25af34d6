namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// rr (net/netfilter/ipvs/ip_vs_rr.c). The state is a cursor on the last chosen list node; it starts on the
/// list head (no node). A pick walks forward from the node after the cursor to the end of the list and, unless the
/// cursor was the head, wraps once to the first node and goes on up to and including the cursor's node. The first
/// destination with weight &gt; 0 that is not overloaded wins and becomes the cursor. When the cursor's destination
/// is deleted the cursor moves back to the node before it (the head if it was first), as rr_del_dest does, so the
/// rotation continues with the node that followed the deleted one. Adding a destination leaves the cursor alone.
/// </summary>
public sealed class RoundRobinScheduler : IIpvsScheduler
{
    /// <summary>The last chosen destination, or null while the cursor is on the list head.</summary>
    private Destination? _cursor;
    /// <summary>Where the cursor was found last time (a hint; verified before use).</summary>
    private int _cursorIndex = -1;
    /// <summary>The list as of the last change, to find a removed node's predecessor.</summary>
    private Destination[] _snapshot = Array.Empty<Destination>();

    public LvsScheduler Kind => LvsScheduler.Rr;

    /// <summary>The destination the cursor stands on (null = list head); for diagnostics and tests.</summary>
    public Destination? Cursor => _cursor;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed)
    {
        if (removed is not null && ReferenceEquals(removed, _cursor))
        {
            int at = Array.IndexOf(_snapshot, removed);
            // The node before the removed one in the old list (the head when it was first or unknown).
            _cursor = at > 0 ? _snapshot[at - 1] : null;
            _cursorIndex = -1;
        }

        var copy = new Destination[destinations.Count];
        for (int i = 0; i < copy.Length; i++)
            copy[i] = destinations[i];
        _snapshot = copy;
    }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        int n = destinations.Count;
        int start = SchedulerList.Find(destinations, _cursor, _cursorIndex); // -1 = head

        // First pass: the nodes after the cursor, up to the end of the list.
        for (int i = start + 1; i < n; i++)
        {
            var d = destinations[i];
            if (!d.Overloaded && d.Weight > 0)
                return Hit(d, i);
        }

        // Second pass (only when the cursor is on a node): from the first node up to the cursor's node itself.
        if (start >= 0)
        {
            for (int i = 0; i <= start; i++)
            {
                var d = destinations[i];
                if (!d.Overloaded && d.Weight > 0)
                    return Hit(d, i);
            }
        }

        return null; // "no destination available"; the cursor stays where it was
    }

    private Destination Hit(Destination d, int index)
    {
        _cursor = d;
        _cursorIndex = index;
        return d;
    }
}

/// <summary>List helpers shared by the schedulers (allocation free).</summary>
internal static class SchedulerList
{
    /// <summary>Index of <paramref name="node"/> in the list, trying <paramref name="hint"/> first; -1 for null or absent (the head).</summary>
    public static int Find(IReadOnlyList<Destination> list, Destination? node, int hint)
    {
        if (node is null)
            return -1;
        if ((uint)hint < (uint)list.Count && ReferenceEquals(list[hint], node))
            return hint;
        for (int i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], node))
                return i;
        }
        return -1;
    }
}
