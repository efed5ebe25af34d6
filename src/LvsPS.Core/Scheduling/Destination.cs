using System.Net;
using LvsPS.Core.Model;

namespace LvsPS.Core.Scheduling;

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

    /// <summary>IP_VS_DEST_F_OVERLOAD (thresholds); never set while thresholds are 0.</summary>
    public bool Overloaded { get; set; }

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

    /// <summary>Picks a destination for a new connection, or null when none is available.</summary>
    Destination? Schedule(IReadOnlyList<Destination> destinations, uint clientAddress, ushort clientPort);
}
