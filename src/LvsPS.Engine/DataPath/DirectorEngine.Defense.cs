// DirectorEngine, packet path and its two control operations: the defence against connection-table exhaustion
// (SYN floods). The kernel's strategies (ip_vs_ctl.c update_defense_level, ip_vs_conn.c ip_vs_random_dropentry,
// ip_vs_todrop, secure_tcp's tcp_states_dos) with the free entries of lvsd's table standing in for the kernel's
// available memory (DefensePolicy), plus what the kernel leaves to its memory allocator: a hard limit of entries, at
// which a new connection takes the place of an unestablished entry near its own bucket (as nf_conntrack's early
// drop does) or is refused, so lvsd's memory is bounded whatever the rate.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>The largest hard limit an admin may set (about 2 GB of entries).</summary>
    public const int MaxConnectionsLimit = 1 << 24;

    /// <summary>
    /// The default hard limit: 16 entries a bucket (2^bits × 16), at most 2^20: 65,536 for the default 12 bits. Longer
    /// chains slow every packet's lookup (the kernel's advice is a table about as large as the connections it holds),
    /// so a director that needs more connections is started with more table bits (lvsd run --table-bits).
    /// </summary>
    public static int DefaultMaxConnections(int tableBits) => Math.Min(16 << tableBits, 1 << 20);

    /// <summary>How many non-empty buckets from its own the hard limit's eviction looks at (nf_conntrack's early_drop looks at 8).</summary>
    private const int EvictionBuckets = 8;

    private DefensePolicy _defense = null!;
    private int _maxConnections;
    private uint _dropSeed = 0x9E3779B9u;
    private long _defenseNow;
    private Func<Connection, bool> _shouldDropEntry = null!, _isEmbryonic = null!;
    private Action<Connection> _droppedEntry = null!;

    /// <summary>Entries dropped by drop_entry and by the hard limit's eviction.</summary>
    public ulong EntriesDropped;
    /// <summary>New connections refused by drop_packet or at the hard limit.</summary>
    public ulong ConnectionsRefused;

    /// <summary>
    /// From the constructor: lvsd's defaults are drop_entry and secure_tcp automatic (1), drop_packet off, a hard
    /// limit of <see cref="DefaultMaxConnections"/> and a threshold of a quarter of it (a kernel's defaults are all 0
    /// because its limit is the machine's memory; lvsd's table has a limit of its own).
    /// </summary>
    private void InitDefense()
    {
        // Delegates made once: the packet path's eviction allocates nothing but the new entry.
        _shouldDropEntry = c => ShouldDropEntry(c, _defenseNow);
        _droppedEntry = c => DroppedEntry(c, _defenseNow);
        _isEmbryonic = IsEmbryonic;
        _maxConnections = DefaultMaxConnections(_connections.Bits);
        _defense = new DefensePolicy
        {
            DropEntry = LvsDefenseMode.Auto,
            SecureTcp = LvsDefenseMode.Auto,
            AvailableThreshold = _maxConnections / 4,
        };
    }

    /// <summary>The hard limit of entries in the table.</summary>
    public int MaxConnections => _maxConnections;

    /// <summary>The strategies active now, and whether the table is at its limit.</summary>
    public LvsDefenseLevel DefenseLevel
    {
        get
        {
            var d = _defense;
            var level = LvsDefenseLevel.None;
            if (d.DropEntryActive) level |= LvsDefenseLevel.DropEntry;
            if (d.CurrentDropRate != 0) level |= LvsDefenseLevel.DropPacket;
            if (d.SecureTcpActive) level |= LvsDefenseLevel.SecureTcp;
            if (_connections.Count >= _maxConnections) level |= LvsDefenseLevel.AtLimit;
            return level;
        }
    }

    /// <summary>The defence settings, the level now and the counters (sysctl net.ipv4.vs.* on a kernel).</summary>
    public DefenseSpec GetDefense()
    {
        lock (Sync)
        {
            var d = _defense;
            return new DefenseSpec
            {
                AvailableThreshold = d.AvailableThreshold,
                DropEntry = d.DropEntry,
                DropPacket = d.DropPacket,
                DropRate = d.DropRate,
                SecureTcp = d.SecureTcp,
                MaxConnections = _maxConnections,
                SynRecvTimeout = d.SynRecvTimeout,
                SloppyTcp = _sloppyTcp,
                Level = DefenseLevel,
                Available = _maxConnections - (long)_connections.Count,
                CurrentDropRate = d.CurrentDropRate,
                EntriesDropped = EntriesDropped,
                ConnectionsRefused = ConnectionsRefused,
            };
        }
    }

    /// <summary>Changes the defence settings (null leaves one as it is), all checked first; the level follows at once.</summary>
    public void SetDefense(DefenseSpec change)
    {
        lock (Sync)
        {
            DefensePolicy.Validate(change, MaxConnectionsLimit);
            var d = _defense;
            if (change.MaxConnections is { } max) _maxConnections = max;
            if (change.AvailableThreshold is { } t) d.AvailableThreshold = t;
            if (change.DropEntry is { } de) d.DropEntry = de;
            if (change.DropPacket is { } dp) d.DropPacket = dp;
            if (change.DropRate is { } r) d.DropRate = r;
            if (change.SecureTcp is { } st) d.SecureTcp = st;
            if (change.SynRecvTimeout is { } s) d.SynRecvTimeout = s;
            if (change.SloppyTcp is { } sloppy) _sloppyTcp = sloppy;
            d.Update(_maxConnections - (long)_connections.Count);
        }
    }

    /// <summary>defense_work, once a second from Tick: update the level, then the random drop when it is active.</summary>
    private void DefenseTick(long now)
    {
        var d = _defense;
        d.Update(_maxConnections - (long)_connections.Count);
        if (d.DropEntryActive) RandomDropEntry(now);
    }

    /// <summary>ip_vs_random_dropentry: a 32nd of the buckets, chosen at random, are walked for entries to drop.</summary>
    private void RandomDropEntry(long now)
    {
        int walks = Math.Max(1, _connections.Size >> 5);
        for (int i = 0; i < walks; i++)
        {
            _defenseNow = now;
            _connections.RemoveInBucket((int)NextRandom(), _shouldDropEntry, _droppedEntry);
        }
    }

    /// <summary>
    /// What the random drop takes: never a template; TCP in SYN_RECV or SYNACK and SCTP in INIT1 or INIT always;
    /// an ESTABLISHED entry (and any UDP one) only by todrop_entry's rules; nothing else.
    /// </summary>
    private bool ShouldDropEntry(Connection c, long now)
    {
        if (c.IsTemplate) return false;
        switch (c.Key.Protocol)
        {
            case Frames.ProtoTcp:
                if (IsEmbryonic(c)) return true;
                return c.State == LvsConnectionState.Established && _defense.ToDropEntry(IdleMs(c, now), c.Packets);
            case Frames.ProtoSctp:
                if (IsEmbryonic(c)) return true;
                return c.State == LvsConnectionState.Established && _defense.ToDropEntry(IdleMs(c, now), c.Packets);
            default:
                return _defense.ToDropEntry(IdleMs(c, now), c.Packets);
        }
    }

    /// <summary>A connection still in its opening handshake (TCP SYN_RECV/SYNACK, SCTP INIT1/INIT): what a flood leaves.</summary>
    private static bool IsEmbryonic(Connection c) => !c.IsTemplate && c.State is LvsConnectionState.SynRecv
        or LvsConnectionState.SynAck or LvsConnectionState.SctpInit1 or LvsConnectionState.SctpInit;

    /// <summary>How long since the entry's timer was last re-armed (its state's timeout minus what is left of it).</summary>
    private long IdleMs(Connection c, long now)
    {
        return StateTimeoutMs(c.Key.Protocol, c.State) - (c.ExpiresAtMs - now);
    }

    /// <summary>The timeout a connection of <paramref name="protocol"/> gets in <paramref name="state"/>.</summary>
    private long StateTimeoutMs(byte protocol, LvsConnectionState state) => protocol switch
    {
        Frames.ProtoTcp => TcpTimeoutMs(state),
        Frames.ProtoSctp => SctpStateTable.TimeoutSeconds(state) * 1000L,
        _ => Timeouts.Udp * 1000L,
    };

    /// <summary>A dropped entry leaves its destination, and its template goes with it when it controls nothing else.</summary>
    private void DroppedEntry(Connection c, long now)
    {
        Unbind(c);
        EntriesDropped++;
        if (c.Control is { Controlled: 0 } t) t.ExpiresAtMs = now;
        _connections.Recycle(c);
    }

    /// <summary>
    /// Before a new connection is scheduled: ip_vs_todrop (drop_packet, TCP and SCTP), then the hard limit: while
    /// the new entries (a template too, for a persistent service) would not fit, an unestablished entry in the
    /// key's bucket or the next ones gives its place; when there is none the connection is refused.
    /// </summary>
    private bool AdmitNewConnection(in ConnKey key, bool persistent, long now)
    {
        var d = _defense;
        if (key.Protocol != Frames.ProtoUdp && d.DropNewConnection()) { ConnectionsRefused++; return false; }
        int need = persistent ? 2 : 1;
        while (_connections.Count + need > _maxConnections)
        {
            if (!EvictEmbryonic(_connections.BucketOf(key), now)) { ConnectionsRefused++; return false; }
        }
        return true;
    }

    /// <summary>
    /// Takes one unestablished entry out, looking in <paramref name="bucket"/> and on: up to
    /// <see cref="EvictionBuckets"/> buckets that hold entries, passing over at most 1024 empty ones (a sparse table).
    /// </summary>
    private bool EvictEmbryonic(int bucket, long now)
    {
        for (int i = 0, full = 0; i < 1024 && full < EvictionBuckets; i++)
        {
            if (_connections.IsBucketEmpty(bucket + i)) continue;
            full++;
            _defenseNow = now;
            if (_connections.RemoveInBucket(bucket + i, _isEmbryonic, _droppedEntry, 1) != 0) return true;
        }
        return false;
    }

    /// <summary>The TCP timeout of a state: under secure_tcp, SYN_RECV and SYNACK live only SynRecvTimeout seconds.</summary>
    private long TcpTimeoutMs(LvsConnectionState state)
    {
        var d = _defense;
        if (d.SecureTcpActive && state is LvsConnectionState.SynRecv or LvsConnectionState.SynAck)
            return Math.Min(d.SynRecvTimeout, Timeouts.For(state)) * 1000L;
        return Timeouts.For(state) * 1000L;
    }

    /// <summary>
    /// set_tcp_state: the next state by the table in force (tcp_states_dos while secure_tcp is active), the counters
    /// moved, the timer re-armed with the state's timeout.
    /// </summary>
    private void SetTcpState(Connection conn, byte flags, TcpDirection dir, long now)
    {
        bool secure = _defense.SecureTcpActive;
        var next = TcpStateTable.Next(conn.State, flags, dir, secure);
        SetState(conn, next);
        conn.ExpiresAtMs = now + TcpTimeoutMs(next);
    }

    private uint NextRandom()
    {
        // xorshift32: the kernel takes get_random_u32(); any spread will do for picking buckets.
        uint x = _dropSeed;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return _dropSeed = x;
    }
}
