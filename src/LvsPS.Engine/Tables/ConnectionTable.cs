using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

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

/// <summary>
/// One tracked connection (ip_vs_conn): 112 bytes on the 64-bit runtime (16 of object header, 96 of fields: four
/// references, the key's fields stored flat so its bytes pack with the other small fields, states and flags as bytes,
/// the NAT client's MAC in a word instead of an array). Entries are reused through the table's free list
/// (<see cref="ConnectionTable.Rent"/>, <see cref="ConnectionTable.Recycle"/>). The layout is explicit so that what a
/// lookup and an established packet touch (the chain link, the key, flags and state, the destination, the timer and
/// the packet count) is in the first 56 bytes of fields, next to the method table pointer; the sync, NAT and template
/// fields follow.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal sealed class Connection
{
    private const byte FInactive = 1, FTemplate = 2, FReplyIndex = 4, FSynced = 8, FFree = 16;
    /// <summary>Set in <see cref="_clientMac"/> when a MAC is held (the 6 bytes are the low 48 bits).</summary>
    private const ulong MacPresent = 1UL << 63;

    /// <summary>The bucket chain (or the free list while the entry is free).</summary>
    [FieldOffset(0)] public Connection? Next;
    // the key, flat: ClientAddress, VirtualAddress, ClientPort, VirtualPort, Protocol
    [FieldOffset(8)] private uint _caddr;
    [FieldOffset(12)] private uint _vaddr;
    [FieldOffset(16)] private ushort _cport;
    [FieldOffset(18)] private ushort _vport;
    [FieldOffset(20)] private byte _proto;
    [FieldOffset(21)] private byte _flags;
    [FieldOffset(22)] private byte _state;
    [FieldOffset(23)] private byte _link;
    [FieldOffset(24)] public Destination Dest = null!;
    /// <summary>The real server's port for this connection (a fwmark destination with port 0 keeps the client's).</summary>
    [FieldOffset(32)] public ushort RealPort;
    [FieldOffset(34)] private byte _forwarding;
    [FieldOffset(35)] private byte _syncSentState;
    /// <summary>For a template: how many connections it controls (n_control).</summary>
    [FieldOffset(36)] public int Controlled;
    [FieldOffset(40)] public long ExpiresAtMs;
    [FieldOffset(48)] public ulong Packets;
    [FieldOffset(56)] public ServiceRuntime Service = null!;
    /// <summary>The template that placed this connection (ip_vs_conn.control).</summary>
    [FieldOffset(64)] public Connection? Control;
    /// <summary>Connection sync (master): when the entry was last queued for the backups (engine clock; 0 = never).</summary>
    [FieldOffset(72)] public long SyncSentAtMs;
    [FieldOffset(80)] private ulong _clientMac;
    [FieldOffset(88)] private int _timeoutS;
    [FieldOffset(92)] private uint _syncSentPackets;

    /// <summary>Identity of the connection (the table's key).</summary>
    public ConnKey Key
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_proto, _caddr, _cport, _vaddr, _vport);
        set { _proto = value.Protocol; _caddr = value.ClientAddress; _cport = value.ClientPort; _vaddr = value.VirtualAddress; _vport = value.VirtualPort; }
    }

    /// <summary>True when this entry's key is <paramref name="k"/> (what the table compares, without building a key).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(in ConnKey k) =>
        _caddr == k.ClientAddress && _vaddr == k.VirtualAddress && _cport == k.ClientPort && _vport == k.VirtualPort && _proto == k.Protocol;

    public LvsConnectionState State { get => (LvsConnectionState)_state; set => _state = (byte)value; }
    /// <summary>IP_VS_CONN_F_INACTIVE: counted in the destination's InactiveConnections.</summary>
    public bool Inactive { get => (_flags & FInactive) != 0; set => SetFlag(FInactive, value); }
    /// <summary>A persistence template (client port 0, state NONE, counted in PersistentConnections).</summary>
    public bool IsTemplate { get => (_flags & FTemplate) != 0; set => SetFlag(FTemplate, value); }
    /// <summary>The forwarding method fixed when the connection was bound (ip_vs_bind_xmit): editing the real
    /// server later does not switch its existing connections.</summary>
    public LvsForwarding Forwarding { get => (LvsForwarding)_forwarding; set => _forwarding = (byte)value; }
    /// <summary>The link the connection's frames leave on (0 outside, 1 inside).</summary>
    public int Link { get => _link; set => _link = (byte)value; }
    /// <summary>A template's current timeout (the persistence timeout, 60 s once it outlived it with connections);
    /// always whole seconds (stored as seconds).</summary>
    public long TimeoutMs { get => _timeoutS * 1000L; set => _timeoutS = (int)Math.Min(value / 1000, int.MaxValue); }
    /// <summary>NAT: the entry is also indexed by its reply direction (real server -> client).</summary>
    public bool InReplyIndex { get => (_flags & FReplyIndex) != 0; set => SetFlag(FReplyIndex, value); }
    /// <summary>IP_VS_CONN_F_SYNC: the entry was installed by the backup sync daemon.</summary>
    public bool Synced { get => (_flags & FSynced) != 0; set => SetFlag(FSynced, value); }
    /// <summary>Connection sync (master): the state it was last queued with.</summary>
    public LvsConnectionState SyncSentState { get => (LvsConnectionState)_syncSentState; set => _syncSentState = (byte)value; }
    /// <summary>Connection sync (master): the packet count it was last queued with, its low 32 bits (only compared
    /// with <see cref="Packets"/> for "moved since": a flow would need 2^32 packets between two sweeps to hide).</summary>
    public ulong SyncSentPackets { get => _syncSentPackets; set => _syncSentPackets = (uint)value; }
    /// <summary>True when <see cref="Packets"/> moved since the entry was last queued for the backups.</summary>
    public bool MovedSinceSync => (uint)Packets != _syncSentPackets;

    /// <summary>NAT: the client's (or its router's) MAC is known (where replies go).</summary>
    public bool HasClientMac => (_clientMac & MacPresent) != 0;

    /// <summary>NAT: keeps the client's MAC (6 bytes).</summary>
    public void SetClientMac(ReadOnlySpan<byte> mac)
    {
        ulong v = 0;
        for (int i = 0; i < 6; i++) v = v << 8 | mac[i];
        _clientMac = v | MacPresent;
    }

    /// <summary>NAT: writes the client's MAC into <paramref name="to"/>'s first 6 bytes; false when none is held.</summary>
    public bool CopyClientMac(Span<byte> to)
    {
        if (!HasClientMac) return false;
        ulong v = _clientMac;
        for (int i = 5; i >= 0; i--) { to[i] = (byte)v; v >>= 8; }
        return true;
    }

    /// <summary>The client's MAC as 6 bytes, or null (the restart snapshot).</summary>
    public byte[]? ClientMacBytes()
    {
        if (!HasClientMac) return null;
        var b = new byte[6];
        CopyClientMac(b);
        return b;
    }

    /// <summary>On the table's free list (not in the table, not to be used).</summary>
    internal bool IsFree => (_flags & FFree) != 0;

    private void SetFlag(byte f, bool on) => _flags = on ? (byte)(_flags | f) : (byte)(_flags & ~f);

    /// <summary>Every field back to a new entry's (a reused entry starts as <c>new Connection()</c> does).</summary>
    internal void Reset()
    {
        _caddr = _vaddr = 0;
        _cport = _vport = 0;
        _proto = _flags = _state = _syncSentState = _forwarding = _link = 0;
        _timeoutS = 0;
        _syncSentPackets = 0;
        _clientMac = 0;
        Dest = null!;
        Service = null!;
        ExpiresAtMs = 0;
        Packets = 0;
        RealPort = 0;
        Control = null;
        Controlled = 0;
        SyncSentAtMs = 0;
        Next = null;
    }

    internal void MarkFree() => _flags = FFree;

    /// <summary>Off the free list: as <see cref="Reset"/> left it (Recycle cleared every field before it marked it free).</summary>
    internal void LeaveFreeList()
    {
        _flags = 0;
        Next = null;
    }
}

/// <summary>
/// The connection hash table: 2^bits buckets with chaining, like ip_vs_conn_tab (default bits 12 = 4096). The bucket
/// count is fixed for the table's life, as the kernel's (it is the "size=" ipvsadm prints), so there is no resize and
/// no pause: an insert is a push on its chain's head, whatever the count; the chains grow longer instead (lvsd's hard
/// limit, 16 entries a bucket by default, bounds them). Entries are objects, linked through
/// <see cref="Connection.Next"/>; removed ones go to a free list (at most <see cref="FreeListMax"/>) and new ones are
/// taken from it first, so a director at a steady rate allocates nothing per connection.
/// <para>Threads: not thread-safe, and nothing in it is tied to one thread (no thread-static state, no thread checks):
/// every member, reads included (a lookup moves its hit to the chain's head; <see cref="All"/> is lazy and must be
/// consumed inside the lock), must be called under the one lock of its owner (DirectorEngine.Sync), whichever thread
/// calls. The lock's acquire and release are the memory barriers; receive threads (PACKET_FANOUT) take it per frame.</para>
/// </summary>
internal sealed class ConnectionTable
{
    /// <summary>The most removed entries kept for reuse (about 7 MB); beyond it they are left to the GC.</summary>
    public const int FreeListMax = 1 << 16;

    private readonly Connection?[] _buckets;
    private readonly int _mask;
    private Connection? _free;
    private int _freeCount;

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

    /// <summary>Entries on the free list.</summary>
    public int FreeCount => _freeCount;

    /// <summary>A blank entry (as <c>new Connection()</c>): a reused one from the free list, or a new one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Connection Rent()
    {
        var c = _free;
        if (c is null) return new Connection();
        var next = c.Next;
        _free = next;
        _freeCount--;
        // The free list's entries went cold when they expired; fetch the next one now, while this one's packet is
        // still being handled, so the next new connection does not wait for memory.
        if (next is not null) Prefetch(next);
        c.LeaveFreeList();
        return c;
    }

    /// <summary>
    /// A hint to the CPU to bring the entry's cache lines in (no effect where SSE is not available). Its fields are 96
    /// bytes after an 8-byte method table pointer, at any 8-byte alignment: two lines, three for 3 entries in 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(Connection c)
    {
        if (!Sse.IsSupported) return;
        // The reference is the object's address; a prefetch never faults, even if the GC has moved it meanwhile.
        byte* p = (byte*)Unsafe.As<Connection, nint>(ref c);
        Sse.Prefetch0(p + 8);
        Sse.Prefetch0(p + 8 + 63);
        Sse.Prefetch0(p + 8 + 95);
    }

    /// <summary>
    /// Gives a removed entry back for reuse. Only for an entry nothing else refers to any more: the caller has taken it
    /// out of the table and unbound it, and it is not a template (connections point at their template through
    /// <see cref="Connection.Control"/>, so templates are never recycled). Its fields are cleared at once.
    /// </summary>
    public void Recycle(Connection c)
    {
        if (c.IsTemplate || c.IsFree || _freeCount >= FreeListMax) return;
        c.Reset();
        c.MarkFree();
        c.Next = _free;
        _free = c;
        _freeCount++;
    }

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
        if (head.Matches(in key)) return head;
        return FindDeeper(head, in key, b);
    }

    /// <summary>
    /// The first step of a look-ahead over frames still to come: the bucket <paramref name="key"/> hashes to, its slot
    /// asked for from memory. Pass the bucket to <see cref="PrefetchHead"/> some frames later (FlowLookAhead: 4), then
    /// <see cref="Find"/> it when its frame's turn comes. Only hints: it changes nothing and needs no lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe int PrefetchBucket(in ConnKey key)
    {
        int b = key.GetHashCode() & _mask;
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.As<Connection?, byte>(ref _buckets[b])));
        return b;
    }

    /// <summary>The second step: the entry at the head of bucket <paramref name="bucket"/> asked for from memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchHead(int bucket)
    {
        var head = Volatile.Read(ref _buckets[bucket & _mask]);
        if (head is not null) Prefetch(head);
    }

    /// <summary>
    /// The third step: the entry after the head of bucket <paramref name="bucket"/>, once the head is in (at about one
    /// entry a bucket, half the hits are not the head: the mean depth of a hit is 1 + load / 2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchSecond(int bucket)
    {
        var second = Volatile.Read(ref _buckets[bucket & _mask])?.Next;
        if (second is not null) Prefetch(second);
    }

    private Connection? FindDeeper(Connection head, in ConnKey key, int b)
    {
        for (Connection prev = head, c = head.Next!; c is not null; prev = c, c = c.Next!)
        {
            if (!c.Matches(in key)) continue;
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
