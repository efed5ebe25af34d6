namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// The engine's live record of one real server of one service: configuration, connection counters the
/// schedulers read, statistics, and the resolved MAC. Mutated only on the engine's packet thread
/// (or under the engine's table lock).
/// </summary>
public sealed class Destination
{
    public Destination(IPAddress address, ushort port, LvsForwarding forwarding, int weight)
    {
        Address = address;
        Port = port;
        Forwarding = forwarding;
        Weight = weight;
        LastWeight = weight;
    }

    public IPAddress Address { get; }
    public ushort Port { get; }
    public LvsForwarding Forwarding { get; set; }

    private int _weight;
    /// <summary>0..65535; 0 = quiesced (no new connections).</summary>
    public int Weight
    {
        get => _weight;
        set { _weight = value; if (value > 0) LastWeight = value; }
    }

    /// <summary>The last non-zero weight (mh keeps its table stable across quiescing).</summary>
    public int LastWeight { get; private set; }

    /// <summary>Upper connection threshold (ipvsadm -x); 0 = none.</summary>
    public int UpperThreshold { get; set; }

    /// <summary>Lower connection threshold (ipvsadm -y); 0 = none.</summary>
    public int LowerThreshold { get; set; }

    /// <summary>Persistence templates pointing here (persistconns).</summary>
    public int PersistentConnections { get; set; }

    /// <summary>IP_VS_DEST_F_OVERLOAD (thresholds); never set while thresholds are 0.</summary>
    public bool Overloaded { get; set; }

    /// <summary>
    /// ip_vs_dest_update_overload (Linux 6.1.y stable and later): with no upper threshold the mark is off; at or over
    /// the upper threshold (active + inactive connections) it is set; below the lower threshold (when 0, 75 % of the
    /// upper one: u - u/4) it is cleared; in between it stays as it is. The kernel calls it when a connection is bound,
    /// when one of an overloaded destination's is unbound, and when an edit changes either threshold.
    /// </summary>
    public void UpdateOverload()
    {
        int u = UpperThreshold;
        if (u == 0) { Overloaded = false; return; }
        long conns = (long)ActiveConnections + InactiveConnections;
        if (conns >= u) { Overloaded = true; return; }
        int l = LowerThreshold != 0 ? LowerThreshold : u - (u >> 2);
        if (conns < l) Overloaded = false;
    }

    /// <summary>
    /// __ip_vs_update_dest: new thresholds, and only when either changed the overload mark re-evaluated
    /// (<see cref="UpdateOverload"/>); an edit that keeps them keeps the mark.
    /// </summary>
    public void SetThresholds(int upper, int lower)
    {
        if (upper == UpperThreshold && lower == LowerThreshold) return;
        UpperThreshold = upper;
        LowerThreshold = lower;
        UpdateOverload();
    }

    public int ActiveConnections { get; set; }
    public int InactiveConnections { get; set; }

    /// <summary>ip_vs_dest_conn_overhead: activeconns * 256 + inactconns.</summary>
    public long Overhead => ((long)ActiveConnections << 8) + InactiveConnections;

    /// <summary>Available for new connections: weight &gt; 0 and not overloaded.</summary>
    public bool Available => Weight > 0 && !Overloaded;

    public LvsStatistics Statistics { get; } = new();

    /// <summary>Deleted from its service; its connections' packets are dropped until they expire (expire_nodest_conn=0).</summary>
    public bool Removed { get; set; }

    /// <summary>Resolved Ethernet address of the real server, 6 bytes, or null while unresolved.</summary>
    public byte[]? Mac { get; set; }

    /// <summary>A configured MAC (6 bytes) that <see cref="Mac"/> always holds: ARP never replaces it; null = learnt.</summary>
    public byte[]? StaticMac { get; set; }

    /// <summary>The engine link (0 = outside, 1 = inside) the real server is reached on.</summary>
    public int Link { get; set; }

    /// <summary>IPv4 address in host order, cached for the packet path.</summary>
    public uint AddressValue { get; init; }

    public override string ToString() => $"{Address}:{Port} w={Weight}";
}

/// <summary>
/// One IPVS scheduling algorithm. An instance belongs to one service and keeps that service's
/// scheduling state (rr cursor, wrr current weight ...), exactly as the kernel's sched_data.
/// </summary>
public interface IIpvsScheduler
{
    LvsScheduler Kind { get; }

    /// <summary>
    /// Called after any add, delete or edit of the service's destinations, with the list in kernel order
    /// (newest first) after the change; <paramref name="removed"/> is the destination just removed, if any.
    /// </summary>
    void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed);

    /// <summary>
    /// Picks a destination for a new connection, or null when none is available ("no destination available").
    /// Must not allocate: tables are built in <see cref="OnDestinationsChanged"/>.
    /// </summary>
    Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet);
}

/// <summary>
/// What a scheduler may look at in the packet that opens a connection (IPv4 addresses and ports in host order)
/// and the current time on the engine's clock (milliseconds; lblc and lblcr age their tables by it).
/// sh and mh hash the client (source) address and, with the port flag, the client port; dh, lblc and lblcr key on the
/// packet's destination address (the virtual address for a normal service).
/// </summary>
public readonly struct SchedulingContext
{
    public SchedulingContext(uint clientAddress, ushort clientPort, uint destinationAddress, ushort destinationPort, long nowMs)
    {
        ClientAddress = clientAddress;
        ClientPort = clientPort;
        DestinationAddress = destinationAddress;
        DestinationPort = destinationPort;
        NowMs = nowMs;
    }

    /// <summary>Source address of the packet (host order).</summary>
    public uint ClientAddress { get; init; }
    /// <summary>Source port of the packet (host order).</summary>
    public ushort ClientPort { get; init; }
    /// <summary>Destination address of the packet (host order).</summary>
    public uint DestinationAddress { get; init; }
    /// <summary>Destination port of the packet (host order).</summary>
    public ushort DestinationPort { get; init; }
    /// <summary>The engine's clock in milliseconds (monotonic).</summary>
    public long NowMs { get; init; }

    public override string ToString() =>
        $"{Fmt(ClientAddress)}:{ClientPort} -> {Fmt(DestinationAddress)}:{DestinationPort} @{NowMs}ms";

    private static string Fmt(uint a) => $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}";
}
