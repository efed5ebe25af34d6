using System.Runtime.CompilerServices;

namespace LvsPS.Engine.Tables;

/// <summary>Identity of a connection: protocol, client address:port, virtual address:port (the kernel's in-lookup key).</summary>
internal readonly struct ConnKey : IEquatable<ConnKey>
{
    public readonly uint ClientAddress;
    public readonly uint VirtualAddress;
    public readonly ushort ClientPort;
    public readonly ushort VirtualPort;
    public readonly byte Protocol;

    public ConnKey(byte protocol, uint caddr, ushort cport, uint vaddr, ushort vport) =>
        (Protocol, ClientAddress, ClientPort, VirtualAddress, VirtualPort) = (protocol, caddr, cport, vaddr, vport);

    public bool Equals(ConnKey o) =>
        ClientAddress == o.ClientAddress && VirtualAddress == o.VirtualAddress && ClientPort == o.ClientPort
        && VirtualPort == o.VirtualPort && Protocol == o.Protocol;

    public override bool Equals(object? obj) => obj is ConnKey k && Equals(k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        // Cheap avalanche over the 5-tuple (the kernel uses jhash with a random key; the key here is fixed per process).
        uint h = ClientAddress * 0x9E3779B1u;
        h ^= VirtualAddress + 0x7F4A7C15u + (h << 6) + (h >> 2);
        h ^= ((uint)ClientPort << 16 | VirtualPort) + 0x85EBCA6Bu + (h << 6) + (h >> 2);
        h ^= Protocol;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        return (int)h;
    }
}

/// <summary>One tracked connection (ip_vs_conn).</summary>
internal sealed class Connection
{
    public ConnKey Key;
    public Destination Dest = null!;
    public ServiceRuntime Service = null!;
    public LvsConnectionState State;
    /// <summary>IP_VS_CONN_F_INACTIVE: counted in the destination's InactiveConnections.</summary>
    public bool Inactive;
    public long ExpiresAtMs;
    public ulong Packets;
    /// <summary>A persistence template (client port 0, state NONE, counted in PersistentConnections).</summary>
    public bool IsTemplate;
    /// <summary>The forwarding method fixed when the connection was bound (ip_vs_bind_xmit): editing the real
    /// server later does not switch its existing connections.</summary>
    public LvsForwarding Forwarding;
    /// <summary>The link the connection's frames leave on (0 outside, 1 inside).</summary>
    public int Link;
    /// <summary>The real server's port for this connection (a fwmark destination with port 0 keeps the client's).</summary>
    public ushort RealPort;
    /// <summary>A template's current timeout (the persistence timeout, 60 s once it outlived it with connections).</summary>
    public long TimeoutMs;
    /// <summary>The template that placed this connection (ip_vs_conn.control).</summary>
    public Connection? Control;
    /// <summary>For a template: how many connections it controls (n_control).</summary>
    public int Controlled;
    /// <summary>NAT: the client's (or its router's) MAC, where replies go.</summary>
    public byte[]? ClientMac;
    /// <summary>NAT: the entry is also indexed by its reply direction (real server -> client).</summary>
    public bool InReplyIndex;
    /// <summary>IP_VS_CONN_F_SYNC: the entry was installed by the backup sync daemon.</summary>
    public bool Synced;
    /// <summary>Connection sync (master): when the entry was last queued for the backups (engine clock; 0 = never).</summary>
    public long SyncSentAtMs;
    /// <summary>Connection sync (master): the state and packet count it was last queued with.</summary>
    public LvsConnectionState SyncSentState;
    public ulong SyncSentPackets;
    public Connection? Next;
}

/// <summary>
/// The connection hash table: 2^bits buckets with chaining, like ip_vs_conn_tab (default bits 12 = 4096).
/// Not thread-safe: the engine serialises access.
/// </summary>
internal sealed class ConnectionTable
{
    private readonly Connection?[] _buckets;
    private readonly int _mask;

    public ConnectionTable(int bits = 12)
    {
        if (bits < 8 || bits > 20) throw new ArgumentOutOfRangeException(nameof(bits), bits, "The table size must be 2^8 .. 2^20 (bits 8..20, as CONFIG_IP_VS_TAB_BITS).");
        Bits = bits;
        _buckets = new Connection?[1 << bits];
        _mask = (1 << bits) - 1;
    }

    public int Bits { get; }
    public int Size => _buckets.Length;
    public int Count { get; private set; }

    /// <summary>
    /// The connection with <paramref name="key"/>, or null. A hit deeper in its chain is moved to the chain's head, so
    /// a busy connection stays at the front however many new entries (a SYN flood's) are put before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Connection? Find(in ConnKey key)
    {
        int b = key.GetHashCode() & _mask;
        var head = _buckets[b];
        if (head is null) return null;
        if (head.Key.Equals(key)) return head;
        return FindDeeper(head, in key, b);
    }

    private Connection? FindDeeper(Connection head, in ConnKey key, int b)
    {
        for (Connection prev = head, c = head.Next!; c is not null; prev = c, c = c.Next!)
        {
            if (!c.Key.Equals(key)) continue;
            prev.Next = c.Next;
            c.Next = head;
            _buckets[b] = c;
            return c;
        }
        return null;
    }

    public void Add(Connection c)
    {
        int b = c.Key.GetHashCode() & _mask;
        c.Next = _buckets[b];
        _buckets[b] = c;
        Count++;
    }

    /// <summary>Removes one connection (walks its bucket only).</summary>
    public bool Remove(Connection c)
    {
        int b = c.Key.GetHashCode() & _mask;
        Connection? prev = null;
        for (var x = _buckets[b]; x is not null; prev = x, x = x.Next)
        {
            if (!ReferenceEquals(x, c)) continue;
            if (prev is null) _buckets[b] = x.Next; else prev.Next = x.Next;
            x.Next = null;
            Count--;
            return true;
        }
        return false;
    }

    /// <summary>Removes every connection for which <paramref name="remove"/> is true, calling <paramref name="onRemoved"/> for each.</summary>
    public int RemoveWhere(Func<Connection, bool> remove, Action<Connection> onRemoved)
    {
        int removed = 0;
        for (int i = 0; i < _buckets.Length; i++) removed += RemoveInBucket(i, remove, onRemoved);
        return removed;
    }

    /// <summary>True when bucket <paramref name="bucket"/> (taken modulo the size) holds no entry.</summary>
    public bool IsBucketEmpty(int bucket) => _buckets[bucket & _mask] is null;

    /// <summary>The bucket a key hashes to.</summary>
    public int BucketOf(in ConnKey key) => key.GetHashCode() & _mask;

    /// <summary>
    /// Removes the connections of bucket <paramref name="bucket"/> (taken modulo the size) for which
    /// <paramref name="remove"/> is true, at most <paramref name="max"/> of them, calling <paramref name="onRemoved"/>
    /// for each (the defence's random drop and the hard limit's eviction walk single buckets).
    /// </summary>
    public int RemoveInBucket(int bucket, Func<Connection, bool> remove, Action<Connection> onRemoved, int max = int.MaxValue)
    {
        int i = bucket & _mask, removed = 0;
        Connection? prev = null;
        var c = _buckets[i];
        while (c is not null && removed < max)
        {
            var next = c.Next;
            if (remove(c))
            {
                if (prev is null) _buckets[i] = next; else prev.Next = next;
                c.Next = null;
                Count--;
                removed++;
                onRemoved(c);
            }
            else
            {
                prev = c;
            }
            c = next;
        }
        return removed;
    }

    /// <summary>
    /// Read-only scan for paged listings: visits whole buckets from <paramref name="start"/> on, every connection of
    /// each, until <paramref name="enough"/> says so after a bucket; returns the next bucket to visit (<see cref="Size"/>
    /// at the end). An entry never changes bucket, so scanning bucket by bucket sees each entry once.
    /// </summary>
    public int ScanBuckets(int start, Action<Connection> visit, Func<bool> enough)
    {
        int b = start;
        while (b < _buckets.Length)
        {
            for (var c = _buckets[b]; c is not null; c = c.Next) visit(c);
            b++;
            if (enough()) break;
        }
        return b;
    }

    public IEnumerable<Connection> All()
    {
        foreach (var head in _buckets)
            for (var c = head; c is not null; c = c.Next)
                yield return c;
    }
}
