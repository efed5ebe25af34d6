using LvsPS.Core.Control;
using LvsPS.Core.Model;
using LvsPS.Core.Scheduling;

namespace LvsPS.Engine;

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
    public LvsScheduler SchedulerKind { get; set; }
    public IIpvsScheduler Scheduler { get; set; }
    /// <summary>Destinations in the kernel's order: a new one is inserted at the head.</summary>
    public List<Destination> Destinations { get; } = new();
    public LvsStatistics Statistics { get; } = new();

    public ulong Key => MakeKey((byte)Protocol, Address, Port);

    public static ulong MakeKey(byte protocol, uint address, ushort port) => ((ulong)protocol << 48) | ((ulong)address << 16) | port;

    public Destination? FindDestination(uint address, ushort port)
    {
        foreach (var d in Destinations)
            if (d.AddressValue == address && d.Port == port) return d;
        return null;
    }

    public string Name => $"{Protocol.ToString().ToUpperInvariant()} {Frames.ToAddress(Address)}:{Port}";

    public ServiceSpec ToSpec() => new()
    {
        Protocol = Protocol,
        Address = Frames.ToAddress(Address),
        Port = Port,
        Scheduler = SchedulerKind,
        RealServers = Destinations.Select(d => new RealServerSpec { Address = d.Address, Port = d.Port, Forwarding = d.Forwarding, Weight = d.Weight }).ToList(),
    };
}
