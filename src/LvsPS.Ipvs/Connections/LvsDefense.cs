namespace LvsPS.Ipvs.Connections;

/// <summary>
/// The mode of one IPVS defence strategy (the values of the drop_entry, drop_packet and secure_tcp sysctls).
/// </summary>
public enum LvsDefenseMode : long
{
    /// <summary>0: the strategy is never used.</summary>
    Off = 0,
    /// <summary>1: automatic, not active now (enough room); it turns itself on (2) when room runs short.</summary>
    Auto = 1,
    /// <summary>2: automatic, active now; it turns itself back to 1 when there is room again.</summary>
    AutoActive = 2,
    /// <summary>3: always on.</summary>
    Always = 3,
}

/// <summary>Which defence strategies are active at this moment (Get-LvsDirector's DefenseLevel).</summary>
[Flags]
public enum LvsDefenseLevel : long
{
    /// <summary>No strategy active: the table has room.</summary>
    None = 0,
    /// <summary>drop_entry: once a second, unestablished entries of a 32nd of the table are dropped.</summary>
    DropEntry = 1,
    /// <summary>drop_packet: one in every DropRate new connections is refused.</summary>
    DropPacket = 2,
    /// <summary>secure_tcp: the stricter TCP state table and the short SYN_RECV lifetime.</summary>
    SecureTcp = 4,
    /// <summary>The table is at its hard limit: a new connection takes the place of an unestablished one, or is refused.</summary>
    AtLimit = 8,
}

/// <summary>
/// The director's defence settings against connection-table exhaustion (the kernel's amemthresh, drop_entry,
/// drop_packet, am_droprate and secure_tcp sysctls) and, for lvsd, the table's hard limit and the SYN_RECV lifetime
/// under attack. In a change (Set-LvsDefense) a null leaves the value as it is. Read back, every value is set and
/// the counters and the current level are filled in.
/// </summary>
public sealed class DefenseSpec
{
    /// <summary>
    /// amemthresh. On the kernel: available memory in pages. On lvsd: free connection entries (MaxConnections − the
    /// entries in the table); below it the automatic strategies turn on.
    /// </summary>
    public int? AvailableThreshold { get; set; }
    /// <summary>drop_entry: drop unestablished entries at random, a 32nd of the table a second.</summary>
    public LvsDefenseMode? DropEntry { get; set; }
    /// <summary>drop_packet: refuse one in every rate new connections.</summary>
    public LvsDefenseMode? DropPacket { get; set; }
    /// <summary>am_droprate: the rate drop_packet uses in mode 3 (Always).</summary>
    public int? DropRate { get; set; }
    /// <summary>secure_tcp: the stricter TCP state table (tcp_states_dos); on lvsd also the short SYN_RECV lifetime.</summary>
    public LvsDefenseMode? SecureTcp { get; set; }
    /// <summary>lvsd only: the hard limit of entries in the connection table (connections and templates).</summary>
    public int? MaxConnections { get; set; }
    /// <summary>lvsd only: the timeout in seconds of SYN_RECV and SYNACK entries while secure_tcp is active.</summary>
    public int? SynRecvTimeout { get; set; }
    /// <summary>
    /// sloppy_tcp: a TCP packet without SYN (but not a RST) of a flow the table does not know is scheduled like a SYN,
    /// on every service, as tcp_conn_schedule does with net.ipv4.vs.sloppy_tcp=1 (the entry starts as the packet's
    /// state table says: an ACK makes it ESTABLISHED). Off by default on both directors; lvsd schedules such a packet
    /// on an mh service even when it is off (a new director places a flow where its Maglev table did).
    /// </summary>
    public bool? SloppyTcp { get; set; }

    // ----- read back only
    /// <summary>The strategies active now.</summary>
    public LvsDefenseLevel Level { get; set; }
    /// <summary>Free entries (lvsd) or available memory in pages (kernel) at the last defence update.</summary>
    public long Available { get; set; }
    /// <summary>drop_packet's current rate: one in this many new connections is refused (0 = none).</summary>
    public int CurrentDropRate { get; set; }
    /// <summary>Entries dropped by drop_entry and by the hard limit (a new connection in the place of an unestablished one).</summary>
    public ulong EntriesDropped { get; set; }
    /// <summary>New connections refused: by drop_packet, or at the hard limit with no unestablished entry to replace.</summary>
    public ulong ConnectionsRefused { get; set; }

    public override string ToString() =>
        $"amemthresh={AvailableThreshold} drop_entry={(int?)DropEntry} drop_packet={(int?)DropPacket} am_droprate={DropRate} secure_tcp={(int?)SecureTcp} sloppy_tcp={(SloppyTcp is null ? "" : SloppyTcp.Value ? "1" : "0")}";
}

/// <summary>
/// The kernel's defence rules (ip_vs_ctl.c update_defense_level, ip_vs_todrop; ip_vs_conn.c todrop_entry), with the
/// available entries of lvsd's table standing in for the kernel's available memory. Pure: no clock, no table;
/// the engine calls <see cref="Update"/> once a second and asks the other methods on the packet path.
/// </summary>
public sealed class DefensePolicy
{
    /// <summary>Kernel defaults: amemthresh 1024 (here entries), am_droprate 10.</summary>
    public const int DefaultDropRate = 10;
    /// <summary>The SYN_RECV lifetime under secure_tcp (the 2.4 kernels' timeout_table_dos: 10 s).</summary>
    public const int DefaultSynRecvTimeout = 10;

    private readonly sbyte[] _todropCounter = new sbyte[9];

    public int AvailableThreshold { get; set; } = 1024;
    public LvsDefenseMode DropEntry { get; set; }
    public LvsDefenseMode DropPacket { get; set; }
    public int DropRate { get; set; } = DefaultDropRate;
    public LvsDefenseMode SecureTcp { get; set; }
    public int SynRecvTimeout { get; set; } = DefaultSynRecvTimeout;

    /// <summary>drop_entry is active: the once-a-second random drop runs.</summary>
    public bool DropEntryActive { get; private set; }
    /// <summary>secure_tcp is active (mode &gt; 1 after the last update).</summary>
    public bool SecureTcpActive { get; private set; }
    /// <summary>drop_packet's rate (0 = off).</summary>
    public int CurrentDropRate { get; private set; }
    private int _dropCounter;
    /// <summary>The available room at the last update.</summary>
    public long Available { get; private set; }

    /// <summary>
    /// update_defense_level: <paramref name="available"/> below the threshold means "no memory"; each automatic mode
    /// moves between 1 and 2 accordingly; the drop rate is amemthresh / (amemthresh − available).
    /// Returns true when secure_tcp changed between on and off.
    /// </summary>
    public bool Update(long available)
    {
        Available = available;
        bool nomem = available < AvailableThreshold;

        DropEntry = Step(DropEntry, nomem);
        DropEntryActive = DropEntry is LvsDefenseMode.AutoActive or LvsDefenseMode.Always;

        switch (DropPacket)
        {
            case LvsDefenseMode.Off:
                CurrentDropRate = 0;
                break;
            case LvsDefenseMode.Auto:
            case LvsDefenseMode.AutoActive:
                DropPacket = Step(DropPacket, nomem);
                CurrentDropRate = _dropCounter = nomem ? (int)Math.Max(1, AvailableThreshold / Math.Max(1, AvailableThreshold - available)) : 0;
                break;
            case LvsDefenseMode.Always:
                CurrentDropRate = DropRate;
                break;
        }

        bool was = SecureTcpActive;
        SecureTcp = Step(SecureTcp, nomem);
        SecureTcpActive = SecureTcp >= LvsDefenseMode.AutoActive;
        return was != SecureTcpActive;
    }

    /// <summary>An automatic mode follows the room (1 ↔ 2); 0 and 3 stay.</summary>
    private static LvsDefenseMode Step(LvsDefenseMode m, bool nomem) => m switch
    {
        LvsDefenseMode.Auto or LvsDefenseMode.AutoActive => nomem ? LvsDefenseMode.AutoActive : LvsDefenseMode.Auto,
        _ => m,
    };

    /// <summary>ip_vs_todrop: with a drop rate set, one in every rate new connections is dropped.</summary>
    public bool DropNewConnection()
    {
        if (CurrentDropRate == 0) return false;
        if (--_dropCounter > 0) return false;
        _dropCounter = CurrentDropRate;
        return true;
    }

    /// <summary>
    /// todrop_entry, for an established (or UDP) entry during the random drop: never one re-armed less than 60 s
    /// ago, never one with more than 8 incoming packets; of those with i packets, one in i is dropped.
    /// </summary>
    public bool ToDropEntry(long idleMs, ulong inPackets)
    {
        if (idleMs < 60_000) return false;
        if (inPackets > 8) return false;
        int i = (int)inPackets;
        if (i == 0) return false;          // todrop_rate[0] = 0: never
        if (--_todropCounter[i] > 0) return false;
        _todropCounter[i] = (sbyte)i;
        return true;
    }

    /// <summary>
    /// Checks a change before any of it applies: modes 0..3, amemthresh ≥ 0, am_droprate ≥ 1, the table limit and the
    /// SYN_RECV lifetime within <paramref name="maxConnectionsLimit"/> and 1..<see cref="LvsTimeouts.MaxSeconds"/>.
    /// </summary>
    public static void Validate(DefenseSpec change, int maxConnectionsLimit)
    {
        ArgumentNullException.ThrowIfNull(change);
        Mode(change.DropEntry, "DropEntry");
        Mode(change.DropPacket, "DropPacket");
        Mode(change.SecureTcp, "SecureTcp");
        if (change.AvailableThreshold is < 0)
            throw Bad($"AvailableThreshold {change.AvailableThreshold} is negative.", change.AvailableThreshold);
        if (change.DropRate is < 1)
            throw Bad($"DropRate {change.DropRate} must be at least 1.", change.DropRate);
        if (change.MaxConnections is { } m && (m < 1 || m > maxConnectionsLimit))
            throw Bad($"MaxConnections {m} must be between 1 and {maxConnectionsLimit}.", m);
        if (change.SynRecvTimeout is { } t && (t < 1 || t > LvsTimeouts.MaxSeconds))
            throw Bad($"SynRecvTimeout {t} must be between 1 and {LvsTimeouts.MaxSeconds} seconds.", t);
    }

    private static void Mode(LvsDefenseMode? m, string name)
    {
        if (m is { } v && (v < LvsDefenseMode.Off || v > LvsDefenseMode.Always))
            throw Bad($"{name} {(int)v} is not a defence mode (0 off, 1 auto, 2 auto and active, 3 always).", v);
    }

    private static LvsException Bad(string message, object? value) =>
        new(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, message, value);
}
