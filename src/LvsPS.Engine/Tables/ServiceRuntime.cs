using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Scheduling;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Engine.Tables;

/// <summary>A virtual service inside the engine: its settings, scheduler state, destinations and counters.</summary>
internal sealed class ServiceRuntime
{
    public ServiceRuntime(LvsProtocol protocol, uint address, ushort port, LvsScheduler scheduler, IIpvsScheduler impl)
    {
        Protocol = protocol;
        Address = address;
        Port = port;
        SchedulerKind = scheduler;
        Scheduler = impl;
    }

    public LvsProtocol Protocol { get; }
    public uint Address { get; }
    public ushort Port { get; }
    /// <summary>Non-zero for a firewall-mark service (matched by mark rules; Address and Port are 0).</summary>
    public uint FirewallMark { get; init; }
    public LvsScheduler SchedulerKind { get; set; }
    public LvsSchedulerFlags SchedulerFlags { get; set; }
    public IIpvsScheduler Scheduler { get; set; }
    /// <summary>Destinations in the kernel's order: a new one is inserted at the head.</summary>
    public List<Destination> Destinations { get; } = new();
    /// <summary>Deleted destinations that still have connections (the kernel's dest trash): re-adding one revives it.</summary>
    public List<Destination> Trash { get; } = new();
    /// <summary>Persistence timeout in seconds; 0 = not persistent.</summary>
    public uint PersistentTimeout { get; set; }
    /// <summary>Persistence granularity as a host-order IPv4 mask (0xffffffff = per client address).</summary>
    public uint PersistenceMask { get; set; } = 0xffffffff;
    public LvsStatistics Statistics { get; } = new();

    public ulong Key => FirewallMark != 0 ? MarkKey(FirewallMark) : MakeKey((byte)Protocol, Address, Port);

    public static ulong MakeKey(byte protocol, uint address, ushort port) => ((ulong)protocol << 48) | ((ulong)address << 16) | port;

    /// <summary>Firewall-mark services share the table under protocol 0 (no TCP or UDP key has it).</summary>
    public static ulong MarkKey(uint mark) => MakeKey(0, mark, 0);

    public Destination? FindDestination(uint address, ushort port)
    {
        foreach (var d in Destinations)
            if (d.AddressValue == address && d.Port == port) return d;
        return null;
    }

    public string Name => FirewallMark != 0 ? $"FWM {FirewallMark}" : $"{Protocol.ToString().ToUpperInvariant()} {Frames.ToAddress(Address)}:{Port}";

    public ServiceSpec ToSpec() => new()
    {
        Protocol = Protocol,
        Address = Frames.ToAddress(Address),
        Port = Port,
        Scheduler = SchedulerKind,
        FirewallMark = FirewallMark,
        SchedulerFlags = SchedulerFlags,
        PersistentTimeout = PersistentTimeout,
        PersistenceNetmask = PersistentTimeout == 0 || PersistenceMask == 0xffffffff ? null : Frames.ToAddress(PersistenceMask),
        RealServers = Destinations.Select(d => new RealServerSpec
        {
            Address = d.Address, Port = d.Port, Forwarding = d.Forwarding, Weight = d.Weight,
            UpperThreshold = d.UpperThreshold, LowerThreshold = d.LowerThreshold,
        }).ToList(),
    };
}
