namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// What sh and dh share: a 256-bucket table (CONFIG_IP_VS_SH_TAB_BITS and CONFIG_IP_VS_DH_TAB_BITS = 8) filled on a
/// change of the destinations by walking the list in kernel order (newest first) and wrapping, until every bucket is
/// set; emptied when there is no destination.
/// </summary>
public abstract class BucketTableScheduler : IIpvsScheduler
{
    /// <summary>IP_VS_SH_TAB_BITS / IP_VS_DH_TAB_BITS.</summary>
    public const int TableBits = 8;
    /// <summary>IP_VS_SH_TAB_SIZE / IP_VS_DH_TAB_SIZE.</summary>
    public const int TableSize = 1 << TableBits;

    private readonly Destination?[] _buckets = new Destination?[TableSize];
    private readonly bool _weighted;

    /// <param name="weighted">
    /// Each destination takes <c>weight</c> consecutive buckets before the walk moves on (sh); a destination of weight
    /// 0 still takes one per lap, since the kernel moves on once <c>++count &gt;= weight</c>. Otherwise one each (dh).
    /// </param>
    private protected BucketTableScheduler(bool weighted) => _weighted = weighted;

    public abstract LvsScheduler Kind { get; }

    /// <summary>The bucket table (for diagnostics and tests): entry i is the destination of bucket i.</summary>
    public IReadOnlyList<Destination?> Buckets => _buckets;

    private protected Destination?[] Table => _buckets;

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
            if (!_weighted || ++count >= d.Weight)
            {
                p = p + 1 == n ? 0 : p + 1;
                count = 0;
            }
        }
    }

    public abstract Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet);
}

/// <summary>
/// sh (net/netfilter/ipvs/ip_vs_sh.c), source hashing. The 256-bucket table of <see cref="BucketTableScheduler"/> is
/// filled on every add, delete or edit of a destination, each destination taking <c>weight</c> consecutive buckets.
/// A new connection goes to bucket <c>hash_32(port + client address, 8)</c>, where port is the client port
/// with <see cref="LvsSchedulerFlags.Port"/> (sh-port) and 0 otherwise. A bucket whose destination has weight 0 or
/// is overloaded gives no destination, unless <see cref="LvsSchedulerFlags.Fallback"/> (sh-fallback): then the
/// buckets <c>(roffset + hash) &amp; 255</c> with <c>roffset = (offset + hash) mod 256</c> are tried for offset =
/// 0..255 and the first available destination wins.
/// </summary>
public sealed class SourceHashingScheduler : BucketTableScheduler
{
    private const int TableMask = TableSize - 1;

    public SourceHashingScheduler(LvsSchedulerFlags flags = LvsSchedulerFlags.None) : base(weighted: true) => Flags = flags;

    public override LvsScheduler Kind => LvsScheduler.Sh;

    /// <summary>The service's scheduler flags (sh-fallback = Fallback, sh-port = Port).</summary>
    public LvsSchedulerFlags Flags { get; }

    /// <summary>ip_vs_sh_hashkey: (offset + hash_32(port + addr, 8)) &amp; 255.</summary>
    public static int HashKey(uint address, ushort port, uint offset)
        => (int)(unchecked(offset + KernelHash.Hash32(unchecked(port + address), TableBits)) & TableMask);

    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
        => ClientHashLookup.Find<Hash>(Table, Flags, packet);

    private struct Hash : IClientHash
    {
        public static uint Entry(uint address, ushort port, uint offset, uint size) => (uint)HashKey(address, port, offset);
    }
}

/// <summary>
/// dh (net/netfilter/ipvs/ip_vs_dh.c), destination hashing. The 256-bucket table of <see cref="BucketTableScheduler"/>
/// is filled round-robin over the destinations in kernel list order, one bucket each, weights ignored; it is rebuilt
/// when a destination is added or deleted (an edit leaves it as it is, which gives the same table). A new
/// connection goes to bucket <c>hash_32(destination address, 8)</c> of the packet (the address the client asked
/// for); a destination with weight 0 or overloaded there means no destination (no fallback).
/// </summary>
public sealed class DestinationHashingScheduler() : BucketTableScheduler(weighted: false)
{
    public override LvsScheduler Kind => LvsScheduler.Dh;

    /// <summary>ip_vs_dh_hashkey: hash_32(addr, 8).</summary>
    public static int HashKey(uint address) => (int)KernelHash.Hash32(address, TableBits);

    public override Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        var dest = Table[HashKey(packet.DestinationAddress)];
        return dest is null || !dest.Available ? null : dest;
    }
}

/// <summary>How sh or mh maps a client (address, port) and a fallback offset to an entry of its table.</summary>
internal interface IClientHash
{
    static abstract uint Entry(uint address, ushort port, uint offset, uint size);
}

/// <summary>The lookup sh and mh make (ip_vs_sh_schedule / ip_vs_mh_schedule, with their get_fallback loops).</summary>
internal static class ClientHashLookup
{
    /// <summary>
    /// The entry for the packet's client address (and client port with <see cref="LvsSchedulerFlags.Port"/>) at
    /// offset 0; if its destination is not available and <see cref="LvsSchedulerFlags.Fallback"/> is set, the entries at
    /// offsets (offset + first entry) mod size for offset = 0 .. size - 1 in turn, the first available destination
    /// winning; an empty entry ends the search.
    /// </summary>
    public static Destination? Find<THash>(Destination?[] table, LvsSchedulerFlags flags, in SchedulingContext packet)
        where THash : struct, IClientHash
    {
        uint addr = packet.ClientAddress;
        ushort port = (flags & LvsSchedulerFlags.Port) != 0 ? packet.ClientPort : (ushort)0;
        uint size = (uint)table.Length;
        uint ihash = THash.Entry(addr, port, 0, size);
        var dest = table[ihash];
        if (dest is null)
            return null;
        if (dest.Available)
            return dest;
        if ((flags & LvsSchedulerFlags.Fallback) == 0)
            return null;

        // loop around the table starting from the original hash
        for (uint offset = 0; offset < size; offset++)
        {
            uint roffset = (offset + ihash) % size;
            dest = table[THash.Entry(addr, port, roffset, size)];
            if (dest is null)
                break;
            if (dest.Available)
                return dest;
        }
        return null;
    }
}
