using LvsPS.Ipvs.Model;

namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// sh (net/netfilter/ipvs/ip_vs_sh.c), source hashing. A 256-bucket table (CONFIG_IP_VS_SH_TAB_BITS = 8) is filled
/// on every add, delete or edit of a destination: walking the list in kernel order (newest first) and wrapping,
/// each destination takes <c>weight</c> consecutive buckets before the walk moves on (a destination of weight 0
/// still takes one bucket per lap, since the kernel moves on once <c>++count &gt;= weight</c>), until all 256 are
/// set. A new connection goes to bucket <c>hash_32(port + client address, 8)</c>, where port is the client port
/// with <see cref="LvsSchedulerFlags.Port"/> (sh-port) and 0 otherwise. A bucket whose destination has weight 0 or
/// is overloaded gives no destination, unless <see cref="LvsSchedulerFlags.Fallback"/> (sh-fallback): then the
/// buckets <c>(roffset + hash) &amp; 255</c> with <c>roffset = (offset + hash) mod 256</c> are tried for offset =
/// 0..255 and the first available destination wins.
/// </summary>
public sealed class SourceHashingScheduler : IIpvsScheduler
{
    /// <summary>IP_VS_SH_TAB_BITS.</summary>
    public const int TableBits = 8;
    /// <summary>IP_VS_SH_TAB_SIZE.</summary>
    public const int TableSize = 1 << TableBits;
    private const int TableMask = TableSize - 1;

    private readonly Destination?[] _buckets = new Destination?[TableSize];

    public SourceHashingScheduler(LvsSchedulerFlags flags = LvsSchedulerFlags.None) => Flags = flags;

    public LvsScheduler Kind => LvsScheduler.Sh;

    /// <summary>The service's scheduler flags (sh-fallback = Fallback, sh-port = Port).</summary>
    public LvsSchedulerFlags Flags { get; }

    /// <summary>The bucket table (for diagnostics and tests): entry i is the destination of bucket i.</summary>
    public IReadOnlyList<Destination?> Buckets => _buckets;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed)
    {
        int n = destinations.Count;
        if (n == 0)
        {
            Array.Clear(_buckets);
            return;
        }
        int p = 0, count = 0;
        for (int i = 0; i < TableSize; i++)
        {
            var d = destinations[p];
            _buckets[i] = d;
            if (++count >= d.Weight)
            {
                p = p + 1 == n ? 0 : p + 1;
                count = 0;
            }
        }
    }

    /// <summary>ip_vs_sh_hashkey: (offset + hash_32(port + addr, 8)) &amp; 255.</summary>
    public static int HashKey(uint address, ushort port, uint offset)
        => (int)(unchecked(offset + KernelHash.Hash32(unchecked(port + address), TableBits)) & TableMask);

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        uint addr = packet.ClientAddress;
        ushort port = (Flags & LvsSchedulerFlags.Port) != 0 ? packet.ClientPort : (ushort)0;
        int ihash = HashKey(addr, port, 0);
        var dest = _buckets[ihash];
        if (dest is null)
            return null;
        if (IsAvailable(dest))
            return dest;
        if ((Flags & LvsSchedulerFlags.Fallback) == 0)
            return null;

        // ip_vs_sh_get_fallback: loop around the table starting from the original hash.
        for (uint offset = 0; offset < TableSize; offset++)
        {
            uint roffset = (offset + (uint)ihash) % TableSize;
            dest = _buckets[HashKey(addr, port, roffset)];
            if (dest is null)
                break;
            if (IsAvailable(dest))
                return dest;
        }
        return null;
    }

    private static bool IsAvailable(Destination d) => d.Weight > 0 && !d.Overloaded;
}

/// <summary>
/// dh (net/netfilter/ipvs/ip_vs_dh.c), destination hashing. A 256-bucket table (CONFIG_IP_VS_DH_TAB_BITS = 8) is
/// filled round-robin over the destinations in kernel list order, one bucket each, weights ignored; it is rebuilt
/// when a destination is added or deleted (an edit leaves it as it is, which gives the same table). A new
/// connection goes to bucket <c>hash_32(destination address, 8)</c> of the packet (the address the client asked
/// for); a destination with weight 0 or overloaded there means no destination (no fallback).
/// </summary>
public sealed class DestinationHashingScheduler : IIpvsScheduler
{
    /// <summary>IP_VS_DH_TAB_BITS.</summary>
    public const int TableBits = 8;
    /// <summary>IP_VS_DH_TAB_SIZE.</summary>
    public const int TableSize = 1 << TableBits;

    private readonly Destination?[] _buckets = new Destination?[TableSize];

    public LvsScheduler Kind => LvsScheduler.Dh;

    /// <summary>The bucket table (for diagnostics and tests).</summary>
    public IReadOnlyList<Destination?> Buckets => _buckets;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed)
    {
        int n = destinations.Count;
        if (n == 0)
        {
            Array.Clear(_buckets);
            return;
        }
        for (int i = 0, p = 0; i < TableSize; i++)
        {
            _buckets[i] = destinations[p];
            p = p + 1 == n ? 0 : p + 1;
        }
    }

    /// <summary>ip_vs_dh_hashkey: hash_32(addr, 8).</summary>
    public static int HashKey(uint address) => (int)KernelHash.Hash32(address, TableBits);

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        var dest = _buckets[HashKey(packet.DestinationAddress)];
        return dest is null || dest.Weight <= 0 || dest.Overloaded ? null : dest;
    }
}
