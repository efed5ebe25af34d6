using System.Numerics;

namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// mh (net/netfilter/ipvs/ip_vs_mh.c, Linux 4.18+), Maglev hashing.
/// <para>
/// The lookup table has M = 4093 entries (primes[CONFIG_IP_VS_MH_TAB_INDEX - 8] with the default index 12; other
/// indexes 8..17 choose 251 ... 131071). It is rebuilt on every add, delete or edit of a destination from the
/// destinations' <see cref="Destination.LastWeight"/> (the last non-zero weight), so quiescing a destination to
/// weight 0 leaves the table as it was:
/// gcd = gcd of the positive last weights (0 when there is none: the table is emptied),
/// rshift = max(0, fls(max last weight / gcd) - CONFIG_IP_VS_MH_TAB_INDEX / 2), and per destination, with
/// v = port + address of the destination, offset = hsiphash(v, key1) mod M, skip = hsiphash(v, key2) mod (M - 1) + 1,
/// turns = (last weight / gcd) &gt;&gt; rshift, or 1 when that is 0 but the last weight is not.
/// Keys: key1 = {2654435761, 2654435761}, key2 = {2654446892, 2654446892}.
/// The fill walks the list in kernel order (newest first) lap after lap; on its turn a destination takes
/// <c>turns</c> entries one after the other, each the next free entry of its permutation offset, offset + skip, ...
/// (mod M); destinations with 0 turns are passed over; the fill stops when all M entries are taken.
/// </para>
/// <para>
/// A new connection looks up entry hsiphash(port + client address, key1) mod M, port being the client port with
/// <see cref="LvsSchedulerFlags.Port"/> (mh-port) and 0 otherwise. An entry whose destination has weight 0 or is
/// overloaded gives no destination, unless <see cref="LvsSchedulerFlags.Fallback"/> (mh-fallback): then entries
/// hsiphash(roffset + port + address, key1) mod M with roffset = (offset + first entry) mod M are tried for offset =
/// 0 .. M - 1, and the first available destination wins.
/// </para>
/// </summary>
public sealed class MaglevHashingScheduler : IIpvsScheduler
{
    /// <summary>The table sizes, indexed by CONFIG_IP_VS_MH_TAB_INDEX - 8.</summary>
    public static IReadOnlyList<int> Primes { get; } = new[] { 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071 };

    /// <summary>The kernel's default CONFIG_IP_VS_MH_TAB_INDEX.</summary>
    public const int DefaultTableIndex = 12;

    /// <summary>hash1 key words (generate_hash_secret).</summary>
    public const ulong Key1 = 2654435761UL;
    /// <summary>hash2 key words (generate_hash_secret).</summary>
    public const ulong Key2 = 2654446892UL;

    private readonly int _m;
    private readonly int _tabBits;
    private readonly Destination?[] _lookup;
    private readonly bool[] _taken;
    // Scratch for one rebuild, grown with the number of destinations.
    private int[] _perm = Array.Empty<int>();
    private int[] _skip = Array.Empty<int>();
    private int[] _turns = Array.Empty<int>();

    public MaglevHashingScheduler(LvsSchedulerFlags flags = LvsSchedulerFlags.None, int tableIndex = DefaultTableIndex)
    {
        if (tableIndex < 8 || tableIndex > 17)
            throw new ArgumentOutOfRangeException(nameof(tableIndex), tableIndex, "CONFIG_IP_VS_MH_TAB_INDEX ranges over 8..17.");
        Flags = flags;
        _m = Primes[tableIndex - 8];
        _tabBits = tableIndex / 2;
        _lookup = new Destination?[_m];
        _taken = new bool[_m];
    }

    public LvsScheduler Kind => LvsScheduler.Mh;

    /// <summary>The service's scheduler flags (mh-fallback = Fallback, mh-port = Port).</summary>
    public LvsSchedulerFlags Flags { get; }

    /// <summary>The table size M.</summary>
    public int TableSize => _m;

    /// <summary>gcd of the positive last weights at the last rebuild (0 when none).</summary>
    public int Gcd { get; private set; }

    /// <summary>The right shift applied to last weight / gcd at the last rebuild.</summary>
    public int RShift { get; private set; }

    /// <summary>The lookup table (for diagnostics and tests).</summary>
    public IReadOnlyList<Destination?> Lookup => _lookup;

    /// <summary>ip_vs_mh_hashkey: hsiphash(offset + port + address) with the given key.</summary>
    public static uint HashKey(uint address, ushort port, ulong key, uint offset)
        => KernelHash.HSipHash(unchecked(offset + port + address), key, key);

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed)
    {
        int n = destinations.Count;

        // ip_vs_mh_gcd_weight and ip_vs_mh_shift_weight, over last_weight.
        int g = 0, maxw = 0;
        for (int i = 0; i < n; i++)
        {
            int w = destinations[i].LastWeight;
            if (w > 0)
                g = g > 0 ? KernelMath.Gcd(w, g) : w;
            if (w > maxw)
                maxw = w;
        }
        Gcd = g;
        if (g < 1)
        {
            RShift = 0;
            Array.Clear(_lookup); // ip_vs_mh_reset
            return;
        }
        int shift = (32 - BitOperations.LeadingZeroCount((uint)(maxw / g))) - _tabBits; // fls(mw) - IP_VS_MH_TAB_BITS
        RShift = shift >= 0 ? shift : 0;

        if (n > _m)
            return; // ip_vs_mh_reassign refuses (-EINVAL): the table stays as it was

        // ip_vs_mh_permutate
        if (_perm.Length < n)
        {
            _perm = new int[n];
            _skip = new int[n];
            _turns = new int[n];
        }
        for (int i = 0; i < n; i++)
        {
            var d = destinations[i];
            uint a = KernelHash.AddressKey(d);
            _perm[i] = (int)(HashKey(a, d.Port, Key1, 0) % (uint)_m);
            _skip[i] = (int)(HashKey(a, d.Port, Key2, 0) % (uint)(_m - 1)) + 1;
            int lw = d.LastWeight;
            int t = (lw / g) >> RShift;
            _turns[i] = t != 0 ? t : (lw != 0 ? 1 : 0);
        }

        // ip_vs_mh_populate
        Array.Clear(_taken);
        int filled = 0;
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                int turns = _turns[i];
                if (turns < 1)
                    continue;
                var d = destinations[i];
                for (int k = 0; k < turns; k++)
                {
                    int c = _perm[i];
                    while (_taken[c])
                    {
                        c += _skip[i];
                        if (c >= _m)
                            c -= _m;
                    }
                    _perm[i] = c;
                    _taken[c] = true;
                    _lookup[c] = d;
                    if (++filled == _m)
                        return;
                }
            }
        }
    }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
        => ClientHashLookup.Find<Hash>(_lookup, Flags, packet);

    private struct Hash : IClientHash
    {
        public static uint Entry(uint address, ushort port, uint offset, uint size) => HashKey(address, port, Key1, offset) % size;
    }
}
