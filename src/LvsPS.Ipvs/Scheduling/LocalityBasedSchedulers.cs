namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// What lblc and lblcr share (net/netfilter/ipvs/ip_vs_lblc.c, ip_vs_lblcr.c): a per-service table of entries keyed
/// by the packet's destination address, 1024 buckets (CONFIG_IP_VS_LBLC[R]_TAB_BITS = 10) chosen by
/// <c>hash_32(address, 10)</c>, at most 16 * 1024 entries, and the garbage collector the kernel runs from a timer.
/// <para>
/// The timer first fires 60 s after the service starts and then every 60 s (CHECK_EXPIRE_INTERVAL). On a firing with
/// counter % 30 == 0 it sweeps every bucket and deletes the entries not used for the expiration time
/// (lblc_expiration / lblcr_expiration, 24 h by default), then sets the counter to 1; otherwise, while the entry count
/// is at most the maximum it only increments the counter; above the maximum it deletes entries unused for 6 minutes
/// (ENTRY_TIMEOUT), walking the buckets from the one after the rover, bucket by bucket until it has deleted
/// (count - max) * 4 / 3 of them (at most max / 2), and leaves the rover on the last bucket visited.
/// </para>
/// <para>
/// Here the clock is the packet's <see cref="SchedulingContext.NowMs"/>: the firings due up to that time are run, in
/// order and each at its own time, before the packet is scheduled (or when <see cref="AdvanceTo"/> is called), which
/// gives the same table as a timer would, since only scheduling changes the entries. The service "starts" at the
/// time given to the constructor, else at the first time this scheduler sees.
/// </para>
/// </summary>
public abstract class LocalityBasedSchedulerBase : IIpvsScheduler
{
    public const int TableBits = 10;
    public const int TableSize = 1 << TableBits;
    private const int TableMask = TableSize - 1;
    /// <summary>tbl->max_size = IP_VS_LBLC_TAB_SIZE * 16.</summary>
    public const int MaxSize = TableSize * 16;
    /// <summary>CHECK_EXPIRE_INTERVAL.</summary>
    public const long CheckExpireIntervalMs = 60_000;
    /// <summary>ENTRY_TIMEOUT: idle time after which the collector may delete an entry when the table is over its size.</summary>
    public const long EntryTimeoutMs = 6 * 60_000;
    /// <summary>DEFAULT_EXPIRATION, the default of the lblc_expiration and lblcr_expiration sysctls.</summary>
    public const long DefaultExpirationMs = 24L * 60 * 60_000;
    /// <summary>COUNT_FOR_FULL_EXPIRATION.</summary>
    public const int CountForFullExpiration = 30;

    private readonly int[] _bucket = new int[TableSize]; // first slot of each chain, -1 = empty
    private uint[] _addr = new uint[16];
    private long[] _lastUse = new long[16];
    private int[] _next = new int[16];
    private SlotList _slots = new();
    private int _entries;        // tbl->entries as the kernel counts it
    private int _live;           // entries actually in the table
    private int _rover;
    private int _counter = 1;
    private bool _started;
    private long _nextCheckMs;
    private readonly HashSet<Destination> _members = new(ReferenceEqualityComparer.Instance);

    protected LocalityBasedSchedulerBase(long? startMs, long expirationMs)
    {
        if (expirationMs < 0)
            throw new ArgumentOutOfRangeException(nameof(expirationMs), expirationMs, "The expiration cannot be negative.");
        ExpirationMs = expirationMs;
        Array.Fill(_bucket, -1);
        if (startMs is long s)
            Start(s);
    }

    public abstract LvsScheduler Kind { get; }

    /// <summary>lblc_expiration / lblcr_expiration in milliseconds.</summary>
    public long ExpirationMs { get; }

    /// <summary>Entries in the table.</summary>
    public int EntryCount => _live;

    /// <summary>
    /// The entry count as the kernel's tbl->entries keeps it (compared with the maximum). For lblc it also counts each
    /// entry replaced by a new one for the same address, since ip_vs_lblc_new deletes the old entry without
    /// decrementing; the collector decrements only for what it deletes.
    /// </summary>
    public int EntriesCounter => _entries;

    /// <summary>The collector's counter (1..30); a firing with counter % 30 == 0 is a full expiration check.</summary>
    public int CollectorCounter => _counter;

    /// <summary>The bucket the next partial collection starts after.</summary>
    public int Rover => _rover;

    /// <summary>When the collector fires next (null until the scheduler has seen a time).</summary>
    public long? NextCheckMs => _started ? _nextCheckMs : null;

    /// <summary>ip_vs_lblc_hashkey / ip_vs_lblcr_hashkey: hash_32(address, 10).</summary>
    public static int HashKey(uint address) => (int)KernelHash.Hash32(address, TableBits);

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed)
    {
        // IP_VS_DEST_CF_AVAILABLE: set while the destination belongs to the service.
        _members.Clear();
        for (int i = 0; i < destinations.Count; i++)
            _members.Add(destinations[i]);
    }

    /// <summary>
    /// The lblc/lblcr walk: with an entry for the packet's destination address, its last use is set to now and
    /// <see cref="CachedChoice"/> may answer; otherwise the wlc choice over all destinations is taken and either kept in
    /// the entry (<see cref="KeepInEntry"/>) or put in a new one, unless the table holds more than <see cref="MaxSize"/>.
    /// </summary>
    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        long now = packet.NowMs;
        AdvanceTo(now);
        uint daddr = packet.DestinationAddress;

        int slot = Find(daddr);
        if (slot >= 0)
        {
            Touch(slot, now);
            var cached = CachedChoice(slot, destinations, now);
            if (cached is not null)
                return cached;
        }

        var dest = DestinationPick.Best<WeightedLeastConnectionScheduler.Rule>(destinations);
        if (dest is null)
            return null; // "no destination available"
        if (slot >= 0 && KeepInEntry(slot, dest, now))
            return dest;

        // ip_vs_lblc_new / ip_vs_lblcr_new
        if (EntriesCounter > MaxSize)
            return dest;
        slot = NewEntry(daddr, now);
        InitEntry(slot, dest, now);
        return dest;
    }

    /// <summary>What the entry in <paramref name="slot"/> (just touched) gives, or null to take the wlc choice.</summary>
    protected abstract Destination? CachedChoice(int slot, IReadOnlyList<Destination> destinations, long now);

    /// <summary>Records the wlc choice <paramref name="dest"/> in the existing entry; false when a new entry must be made instead.</summary>
    protected abstract bool KeepInEntry(int slot, Destination dest, long now);

    /// <summary>Fills a new entry with its first destination.</summary>
    protected abstract void InitEntry(int slot, Destination dest, long now);

    /// <summary>Runs the collector's firings due at or before <paramref name="nowMs"/> (starts the clock on first use).</summary>
    public void AdvanceTo(long nowMs)
    {
        if (!_started)
        {
            Start(nowMs);
            return;
        }
        if (nowMs >= _nextCheckMs)
            RunCollector(nowMs);
    }

    private void Start(long startMs)
    {
        _started = true;
        _nextCheckMs = startMs + CheckExpireIntervalMs;
    }

    /// <summary>The destination still belongs to the service (IP_VS_DEST_CF_AVAILABLE).</summary>
    protected bool InService(Destination d) => !d.Removed && _members.Contains(d);

    /// <summary>
    /// The lblc/lblcr "overloaded" rule: more active connections than its weight while some destination of the
    /// service has fewer than half its weight (activeconns * 2 &lt; weight).
    /// </summary>
    protected static bool IsOverloaded(Destination dest, IReadOnlyList<Destination> destinations)
    {
        if (dest.ActiveConnections > dest.Weight)
        {
            for (int i = 0; i < destinations.Count; i++)
            {
                var d = destinations[i];
                if ((long)d.ActiveConnections * 2 < d.Weight)
                    return true;
            }
        }
        return false;
    }

    // ----- the entry table -----

    protected uint EntryAddress(int slot) => _addr[slot];
    protected long LastUse(int slot) => _lastUse[slot];
    protected void Touch(int slot, long nowMs) => _lastUse[slot] = nowMs;

    /// <summary>The slot of the entry for <paramref name="address"/>, or -1.</summary>
    protected int Find(uint address)
    {
        for (int s = _bucket[HashKey(address)]; s >= 0; s = _next[s])
        {
            if (_addr[s] == address)
                return s;
        }
        return -1;
    }

    /// <summary>A new entry at the head of its bucket (hlist_add_head), counted.</summary>
    protected int NewEntry(uint address, long nowMs)
    {
        int s = _slots.Take(_next);
        if (s == _addr.Length)
        {
            int cap = _addr.Length * 2;
            Array.Resize(ref _addr, cap);
            Array.Resize(ref _lastUse, cap);
            Array.Resize(ref _next, cap);
            GrowPayload(cap);
        }
        int b = HashKey(address);
        _addr[s] = address;
        _lastUse[s] = nowMs;
        _next[s] = _bucket[b];
        _bucket[b] = s;
        _entries++;
        _live++;
        return s;
    }

    /// <summary>Unlinks and frees an entry; <paramref name="countIt"/> = false leaves the kernel's counter as it was.</summary>
    protected void DeleteEntry(int slot, bool countIt)
    {
        int b = HashKey(_addr[slot]);
        if (_bucket[b] == slot)
        {
            _bucket[b] = _next[slot];
        }
        else
        {
            int p = _bucket[b];
            while (_next[p] != slot)
                p = _next[p];
            _next[p] = _next[slot];
        }
        FreePayload(slot);
        _slots.Release(_next, slot);
        _live--;
        if (countIt)
            _entries--;
    }

    /// <summary>Grows the per-entry storage of the derived scheduler to <paramref name="capacity"/> slots.</summary>
    protected abstract void GrowPayload(int capacity);

    /// <summary>Releases what the entry in <paramref name="slot"/> holds.</summary>
    protected abstract void FreePayload(int slot);

    // ----- the collector (ip_vs_lblc[r]_check_expire) -----

    private void RunCollector(long nowMs)
    {
        while (_nextCheckMs <= nowMs)
        {
            long t = _nextCheckMs;
            if (_entries <= MaxSize)
            {
                // Until new entries come (only scheduling adds them), each firing either increments the counter or,
                // every 30th, runs the full check. Full checks only delete, and a later one deletes everything an
                // earlier one would, so running just the last one that falls due gives the same table.
                long firings = (nowMs - t) / CheckExpireIntervalMs + 1;
                int c = _counter;
                long firstFull = c % CountForFullExpiration == 0 ? 0 : CountForFullExpiration - c;
                if (firings <= firstFull)
                {
                    _counter = c + (int)firings;
                }
                else
                {
                    long lastFull = firstFull + CountForFullExpiration * ((firings - 1 - firstFull) / CountForFullExpiration);
                    FullCheck(t + lastFull * CheckExpireIntervalMs);
                    _counter = 1 + (int)(firings - 1 - lastFull);
                }
                _nextCheckMs = t + firings * CheckExpireIntervalMs;
                return;
            }

            if (_counter % CountForFullExpiration == 0)
            {
                FullCheck(t);
                _counter = 1;
                _nextCheckMs = t + CheckExpireIntervalMs;
                continue;
            }

            if (PartialCollect(t))
            {
                _nextCheckMs = t + CheckExpireIntervalMs;
                continue;
            }

            // Nothing was old enough: the table, counter and rover stay as they are until some entry reaches
            // ENTRY_TIMEOUT, so skip the firings before that.
            long next = t + CheckExpireIntervalMs;
            if (_live == 0)
            {
                next = t + ((nowMs - t) / CheckExpireIntervalMs + 1) * CheckExpireIntervalMs;
            }
            else
            {
                long due = OldestLastUse() + EntryTimeoutMs;
                if (due > next)
                    next = t + ((due - t + CheckExpireIntervalMs - 1) / CheckExpireIntervalMs) * CheckExpireIntervalMs;
            }
            _nextCheckMs = next;
        }
    }

    /// <summary>The full expiration check at time <paramref name="t"/>: every bucket, entries unused for the expiration time.</summary>
    private void FullCheck(long t) => Sweep(t, ExpirationMs, int.MaxValue);

    /// <summary>One partial collection at time <paramref name="t"/>; true when it deleted something.</summary>
    private bool PartialCollect(long t)
    {
        int goal = (_entries - MaxSize) * 4 / 3;
        if (goal > MaxSize / 2)
            goal = MaxSize / 2;
        return Sweep(t, EntryTimeoutMs, goal) > 0;
    }

    /// <summary>
    /// Walks the buckets from the one after the rover, deleting the entries unused for <paramref name="idleMs"/> at
    /// time <paramref name="t"/>, and stops after the bucket in which the count deleted reaches <paramref name="goal"/>
    /// (or after a whole lap); the rover stays on the last bucket visited. Returns the count deleted.
    /// </summary>
    private int Sweep(long t, long idleMs, int goal)
    {
        int deleted = 0;
        int j = _rover;
        for (int i = 0; i < TableSize; i++)
        {
            j = (j + 1) & TableMask;
            for (int s = _bucket[j]; s >= 0;)
            {
                int next = _next[s];
                if (t >= _lastUse[s] + idleMs)
                {
                    DeleteEntry(s, countIt: true);
                    deleted++;
                }
                s = next;
            }
            if (deleted >= goal)
                break;
        }
        _rover = j;
        return deleted;
    }

    private long OldestLastUse()
    {
        long min = long.MaxValue;
        for (int b = 0; b < TableSize; b++)
            for (int s = _bucket[b]; s >= 0; s = _next[s])
                if (_lastUse[s] < min)
                    min = _lastUse[s];
        return min;
    }
}

/// <summary>
/// lblc (net/netfilter/ipvs/ip_vs_lblc.c), locality-based least-connection. The table maps the packet's destination
/// address to one real server. A cached server is used (and the entry's last use set to now) when it still belongs to
/// the service, has weight &gt; 0 and is not "overloaded" in lblc's sense: more active connections than its weight
/// while some destination has active * 2 &lt; weight (the threshold flag is not consulted here). Otherwise the wlc
/// choice over all destinations is taken and cached: an entry for another server is replaced by a new one (the kernel
/// does not decrement its entry counter for the replaced one), and no new entry is made while the counter is above
/// 16384. Entries age out by the collector of <see cref="LocalityBasedSchedulerBase"/>.
/// </summary>
public sealed class LocalityBasedLeastConnectionScheduler : LocalityBasedSchedulerBase
{
    private Destination?[] _dest = new Destination?[16];

    /// <param name="startMs">When the service started (the collector fires 60 s later); null = the first time seen.</param>
    /// <param name="expirationMs">The lblc_expiration sysctl (default 24 h).</param>
    public LocalityBasedLeastConnectionScheduler(long? startMs = null, long expirationMs = DefaultExpirationMs)
        : base(startMs, expirationMs) { }

    public override LvsScheduler Kind => LvsScheduler.Lblc;

    /// <summary>The server cached for <paramref name="destinationAddress"/>, or null.</summary>
    public Destination? CachedDestination(uint destinationAddress)
    {
        int s = Find(destinationAddress);
        return s < 0 ? null : _dest[s];
    }

    protected override Destination? CachedChoice(int slot, IReadOnlyList<Destination> destinations, long now)
    {
        var dest = _dest[slot]!;
        return InService(dest) && dest.Weight > 0 && !IsOverloaded(dest, destinations) ? dest : null;
    }

    // ip_vs_lblc_new: the same server keeps its entry; another replaces it (without decrementing the counter).
    protected override bool KeepInEntry(int slot, Destination dest, long now)
    {
        if (ReferenceEquals(_dest[slot], dest))
            return true;
        DeleteEntry(slot, countIt: false);
        return false;
    }

    protected override void InitEntry(int slot, Destination dest, long now) => _dest[slot] = dest;

    protected override void GrowPayload(int capacity) => Array.Resize(ref _dest, capacity);

    protected override void FreePayload(int slot) => _dest[slot] = null;
}

/// <summary>
/// lblcr (net/netfilter/ipvs/ip_vs_lblcr.c), locality-based least-connection with replication. The table maps the
/// packet's destination address to a set of real servers (newest member first). With an entry: its last use is set
/// to now; the candidate is the set's wlc minimum among members that belong to the service, have weight &gt; 0 and
/// are not overloaded by threshold; then, if the set has more than one member and was last changed more than
/// lblcr_expiration ago (24 h), its most loaded member (highest overhead/weight among members with weight &gt; 0) is
/// removed; the candidate is used if there is one and it is not "overloaded" in lblc's sense. Otherwise the wlc choice
/// over all destinations is used and added to the set. Without an entry, the wlc choice creates one (unless the
/// table holds more than 16384). Adding or removing a member sets the set's last change to now.
/// </summary>
public sealed class LocalityBasedLeastConnectionReplicationScheduler : LocalityBasedSchedulerBase
{
    // per entry
    private int[] _setHead = new int[16];
    private int[] _setSize = new int[16];
    private long[] _lastMod = new long[16];
    // set elements
    private Destination?[] _elDest = new Destination?[16];
    private int[] _elNext = new int[16];
    private SlotList _elements = new();

    /// <param name="startMs">When the service started (the collector fires 60 s later); null = the first time seen.</param>
    /// <param name="expirationMs">The lblcr_expiration sysctl (default 24 h).</param>
    public LocalityBasedLeastConnectionReplicationScheduler(long? startMs = null, long expirationMs = DefaultExpirationMs)
        : base(startMs, expirationMs) { }

    public override LvsScheduler Kind => LvsScheduler.Lblcr;

    /// <summary>The server set for <paramref name="destinationAddress"/> (newest member first), empty without an entry. Allocates.</summary>
    public IReadOnlyList<Destination> ServerSet(uint destinationAddress)
    {
        var list = new List<Destination>();
        int s = Find(destinationAddress);
        if (s >= 0)
            for (int e = _setHead[s]; e >= 0; e = _elNext[e])
                list.Add(_elDest[e]!);
        return list;
    }

    /// <summary>When the set for <paramref name="destinationAddress"/> last changed, or null without an entry.</summary>
    public long? SetLastModified(uint destinationAddress)
    {
        int s = Find(destinationAddress);
        return s < 0 ? null : _lastMod[s];
    }

    // With an entry: the set's wlc minimum; first, a set unchanged for the expiration time loses its most loaded member.
    protected override Destination? CachedChoice(int slot, IReadOnlyList<Destination> destinations, long now)
    {
        var dest = SetPick(slot, most: false);

        if (_setSize[slot] > 1 && now > _lastMod[slot] + ExpirationMs)
        {
            var m = SetPick(slot, most: true);
            if (m is not null)
                SetErase(slot, m, now);
        }

        return dest is not null && !IsOverloaded(dest, destinations) ? dest : null;
    }

    // The wlc choice joins the set (if not already a member).
    protected override bool KeepInEntry(int slot, Destination dest, long now)
    {
        SetInsert(slot, dest, check: true, now);
        return true;
    }

    protected override void InitEntry(int slot, Destination dest, long now)
    {
        _setHead[slot] = -1;
        _setSize[slot] = 0;
        SetInsert(slot, dest, check: false, now);
    }

    /// <summary>
    /// ip_vs_dest_set_min (<paramref name="most"/> = false): the weighted least-connection member that is not
    /// overloaded and belongs to the service, the first with weight &gt; 0 starting; ip_vs_dest_set_max (true): the
    /// weighted most-connection member with weight &gt; 0. The first in set order wins ties.
    /// </summary>
    private Destination? SetPick(int slot, bool most)
    {
        Destination? choice = null;
        long coh = 0;
        for (int e = _setHead[slot]; e >= 0; e = _elNext[e])
        {
            var d = _elDest[e]!;
            bool candidate = most
                ? d.Weight > 0
                : !d.Overloaded && InService(d) && (choice is not null || d.Weight > 0);
            if (!candidate)
                continue;
            long doh = d.Overhead;
            if (choice is null || (most ? coh * d.Weight < doh * choice.Weight : coh * d.Weight > doh * choice.Weight))
            {
                choice = d;
                coh = doh;
            }
        }
        return choice;
    }

    /// <summary>ip_vs_dest_set_insert: at the head of the set.</summary>
    private void SetInsert(int slot, Destination dest, bool check, long now)
    {
        if (check)
        {
            for (int e = _setHead[slot]; e >= 0; e = _elNext[e])
                if (ReferenceEquals(_elDest[e], dest))
                    return;
        }
        int n = _elements.Take(_elNext);
        if (n == _elDest.Length)
        {
            Array.Resize(ref _elDest, _elDest.Length * 2);
            Array.Resize(ref _elNext, _elNext.Length * 2);
        }
        _elDest[n] = dest;
        _elNext[n] = _setHead[slot];
        _setHead[slot] = n;
        _setSize[slot]++;
        _lastMod[slot] = now;
    }

    /// <summary>ip_vs_dest_set_erase: removes the first member that is <paramref name="dest"/>.</summary>
    private void SetErase(int slot, Destination dest, long now)
    {
        int prev = -1;
        for (int e = _setHead[slot]; e >= 0; prev = e, e = _elNext[e])
        {
            if (!ReferenceEquals(_elDest[e], dest))
                continue;
            _setSize[slot]--;
            _lastMod[slot] = now;
            if (prev < 0)
                _setHead[slot] = _elNext[e];
            else
                _elNext[prev] = _elNext[e];
            ReleaseElement(e);
            return;
        }
    }

    private void ReleaseElement(int e)
    {
        _elDest[e] = null;
        _elements.Release(_elNext, e);
    }

    protected override void GrowPayload(int capacity)
    {
        Array.Resize(ref _setHead, capacity);
        Array.Resize(ref _setSize, capacity);
        Array.Resize(ref _lastMod, capacity);
    }

    protected override void FreePayload(int slot)
    {
        for (int e = _setHead[slot]; e >= 0;)
        {
            int next = _elNext[e];
            ReleaseElement(e);
            e = next;
        }
        _setHead[slot] = -1;
        _setSize[slot] = 0;
    }
}

/// <summary>
/// The free list of the slots of a growable table, threaded through the table's next links, and the count of slots
/// ever used: a freed slot is reused first (last freed, first reused), else the next never-used one.
/// </summary>
internal struct SlotList
{
    private int _free = -1;
    private int _highWater;

    public SlotList() { }

    /// <summary>The slot to use next; a never-used one may equal the table's length, and then the caller grows the table.</summary>
    public int Take(int[] next)
    {
        if (_free < 0)
            return _highWater++;
        int s = _free;
        _free = next[s];
        return s;
    }

    /// <summary>Puts <paramref name="slot"/> at the head of the free list.</summary>
    public void Release(int[] next, int slot)
    {
        next[slot] = _free;
        _free = slot;
    }
}
