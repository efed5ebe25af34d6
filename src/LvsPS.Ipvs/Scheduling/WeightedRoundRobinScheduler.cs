namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// wrr (net/netfilter/ipvs/ip_vs_wrr.c).
/// State: di = gcd of the positive weights (1 when there is none), mw = max weight - (di - 1), cw = the weight a
/// destination needs now, cl = the cursor (a node, or the list head). A pick walks forward from the node after cl
/// and takes the first non-overloaded destination with weight &gt;= cw. Each time the walk passes the end of the
/// list, cw drops by di; when cw falls to 0 or below it restarts at mw. The walk gives up ("all destinations are
/// overloaded") once every destination has been tried against cw &lt;= di; with mw == 0 nothing is available.
/// On every add, delete or edit of a destination: cl goes back to the head, di and mw are recomputed, and cw
/// becomes mw when it is above mw or 0, else (cw / di) * di + 1 when di &gt; 1 (unchanged when di == 1).
/// </summary>
public sealed class WeightedRoundRobinScheduler : IIpvsScheduler
{
    private Destination? _cl;       // null = list head
    private int _clIndex = -1;
    private int _cw;
    private int _mw;
    private int _di = 1;

    public WeightedRoundRobinScheduler()
    {
        // init_svc on a service without destinations: di = 1, mw = 0 - 0 = 0, cw = mw.
        _di = 1;
        _mw = 0;
        _cw = 0;
    }

    public LvsScheduler Kind => LvsScheduler.Wrr;

    /// <summary>Current weight (cw).</summary>
    public int CurrentWeight => _cw;
    /// <summary>Maximum weight less (di - 1) (mw).</summary>
    public int MaxWeight => _mw;
    /// <summary>Decreasing interval: gcd of the positive weights (di).</summary>
    public int Step => _di;
    /// <summary>The cursor (null = list head).</summary>
    public Destination? Cursor => _cl;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed)
    {
        _cl = null;
        _clIndex = -1;
        _di = GcdWeight(destinations);
        _mw = MaxWeightOf(destinations) - (_di - 1);
        if (_cw > _mw || _cw == 0)
            _cw = _mw;
        else if (_di > 1)
            _cw = (_cw / _di) * _di + 1;
    }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        if (_mw == 0)
            return null; // no available destinations; the cursor stays

        int n = destinations.Count;
        int last = SchedulerList.Find(destinations, _cl, _clIndex); // -1 = head
        int stop = int.MinValue;                                     // no stop node yet
        bool lastPass = false, restarted = false;
        int from = last;

        while (true)
        {
            for (int i = from + 1; i < n; i++)
            {
                var d = destinations[i];
                if (!d.Overloaded && d.Weight >= _cw)
                {
                    _cl = d;
                    _clIndex = i;
                    return d;
                }
                if (i == stop)
                {
                    // every destination was checked for weight >= 1: all overloaded
                    _cl = d;
                    _clIndex = i;
                    return null;
                }
            }

            from = -1; // wrapped past the head
            _cw -= _di;
            if (_cw <= 0)
            {
                _cw = _mw;
                if (lastPass || last < 0)
                {
                    _cl = null;
                    _clIndex = -1;
                    return null;
                }
                restarted = true;
            }
            lastPass = _cw <= _di;
            if (lastPass && restarted && last >= 0)
                stop = last; // the first walk after 'last' already ran at weight >= 1; finish up to 'last'
        }
    }

    private static int GcdWeight(IReadOnlyList<Destination> list)
    {
        int g = 0;
        for (int i = 0; i < list.Count; i++)
        {
            int w = list[i].Weight;
            if (w > 0)
                g = g > 0 ? KernelMath.Gcd(w, g) : w;
        }
        return g != 0 ? g : 1;
    }

    private static int MaxWeightOf(IReadOnlyList<Destination> list)
    {
        int m = 0;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Weight > m)
                m = list[i].Weight;
        }
        return m;
    }
}
