namespace LvsPS.Engine.DataPath;

// The engine's side of the receive loop's look-ahead (FlowLookAhead): a frame still in the ring has its connection's
// bucket, then the entry at the bucket's head, asked for from memory before its turn. Outside the lock, reading only.
internal sealed partial class DirectorEngine
{
    /// <summary>
    /// Below this many entries the table and its entries stay in the cache and a hint would only cost time
    /// (ConnectionLookupBenchmarks: 1,000 entries, a lookup 15.4 ns, with hints 26.1 ns).
    /// </summary>
    internal const int LookAheadMinEntries = 1 << 15;

    bool IFrameProcessor.WantsLookAhead => _connections.Count >= LookAheadMinEntries;

    int IFrameProcessor.PrefetchFlow(ReadOnlySpan<byte> frame, int link) => PrefetchFlow(frame, link);

    /// <summary>
    /// For a client's IPv4 TCP, UDP or SCTP frame on the outside link, with enough entries in the table, asks for the
    /// bucket of the connection the frame would belong to and returns the bucket; otherwise -1. Changes nothing, takes
    /// no lock, and reads only within <paramref name="frame"/> (any bytes at all are safe).
    /// </summary>
    internal int PrefetchFlow(ReadOnlySpan<byte> frame, int link)
    {
        if (link != 0 || frame.Length < Frames.EthHeader + 24) return -1;
        if (Frames.U16(frame, 12) != Frames.EtherTypeIPv4) return -1;
        byte vihl = frame[14];
        int ihl = (vihl & 15) * 4;
        if (vihl >> 4 != 4 || ihl < 20 || frame.Length < Frames.EthHeader + ihl + 4) return -1;
        byte proto = frame[23];
        if (!Ipv4Packet.IsTransport(proto)) return -1;
        int ports = Frames.EthHeader + ihl;
        var key = new ConnKey(proto, Frames.U32(frame, 26), Frames.U16(frame, ports), Frames.U32(frame, 30), Frames.U16(frame, ports + 2));
        return _connections.PrefetchBucket(in key);
    }

    /// <summary>Asks for the entry at the head of bucket <paramref name="token"/> (from <see cref="PrefetchFlow"/>).</summary>
    void IFrameProcessor.PrefetchConnection(int token) => _connections.PrefetchHead(token);

    /// <summary>Asks for the entry after the head of bucket <paramref name="token"/>: a hit is often the second.</summary>
    void IFrameProcessor.PrefetchNextConnection(int token) => _connections.PrefetchSecond(token);
}
