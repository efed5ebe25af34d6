// DirectorEngine, control plane (namespace LvsPS.Engine.DataPath): the read-only IDirector operations, snapshots
// taken under the lock: services with their real servers and rate estimates, connections, mark rules, timeouts,
// and the state export that lvsd saves after every change. GetStatus is in DirectorEngine.Status.cs.
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private LvsStatistics Snapshot(LvsStatistics st)
    {
        var copy = st.Clone();
        EstimatorOf(st).Read(copy);
        return copy;
    }

    public List<MarkRuleSpec> ListMarkRules()
    {
        lock (Sync) return _ruleSpecs.ToList();
    }

    public DirectorState ExportState()
    {
        lock (Sync)
        {
            return new DirectorState
            {
                Services = _serviceOrder.Select(s => s.ToSpec()).ToList(),
                Timeouts = GetTimeouts(),
                MarkRules = _ruleSpecs.ToList(),
            };
        }
    }

    public TimeoutSpec GetTimeouts()
    {
        lock (Sync) return new TimeoutSpec { Tcp = Timeouts.Tcp, TcpFin = Timeouts.TcpFin, Udp = Timeouts.Udp };
    }

    public List<LvsService> ListServices()
    {
        lock (Sync)
        {
            return _serviceOrder.Select(s =>
            {
                var vip = Frames.ToAddress(s.Address);
                return new LvsService
                {
                    Director = Name,
                    Protocol = s.Protocol,
                    VirtualAddress = vip,
                    Port = s.Port,
                    Scheduler = s.SchedulerKind,
                    FirewallMark = s.FirewallMark,
                    SchedulerFlags = s.SchedulerFlags,
                    PersistentTimeout = s.PersistentTimeout,
                    PersistenceNetmask = s.PersistentTimeout == 0 || s.PersistenceMask == 0xffffffff ? null : Frames.ToAddress(s.PersistenceMask),
                    TableSize = TableSize,
                    Health = s.Health,
                    QuorumUp = s.QuorumUp,
                    Statistics = Snapshot(s.Statistics),
                    RealServers = s.Destinations.Select(d => new LvsRealServer
                    {
                        Director = Name,
                        Protocol = s.Protocol,
                        VirtualAddress = vip,
                        Port = s.Port,
                        FirewallMark = s.FirewallMark,
                        RealAddress = d.Address,
                        RealPort = d.Port,
                        Forwarding = d.Forwarding,
                        Weight = d.Weight,
                        ActiveConnections = d.ActiveConnections,
                        InactiveConnections = d.InactiveConnections,
                        PersistentConnections = d.PersistentConnections,
                        UpperThreshold = d.UpperThreshold,
                        LowerThreshold = d.LowerThreshold,
                        Overloaded = d.Overloaded,
                        MacAddress = d.Mac is null ? "" : Frames.MacToString(d.Mac),
                        Statistics = Snapshot(d.Statistics),
                        State = StateOf(d, s.HealthFor(d)),
                        ConfiguredWeight = s.HealthFor(d).ConfiguredWeight,
                        InTable = s.HealthFor(d).InTable,
                        Suspended = s.HealthFor(d).Suspended,
                        IsSorryServer = s.HealthFor(d).IsSorry,
                        HealthChecks = s.HealthFor(d).Checks.ToList(),
                        InhibitOnFailure = s.HealthFor(d).InhibitOnFailure,
                    }).ToList(),
                };
            }).ToList();
        }
    }

    public List<LvsConnection> ListConnections()
    {
        lock (Sync)
        {
            long now = _clockMs();
            return _connections.All().Select(c => new LvsConnection
            {
                Director = Name,
                Protocol = c.IsTemplate || c.Service.FirewallMark == 0 ? c.Service.Protocol : (LvsProtocol)c.Key.Protocol,
                ClientAddress = Frames.ToAddress(c.Key.ClientAddress),
                ClientPort = c.Key.ClientPort,
                VirtualAddress = Frames.ToAddress(c.Key.VirtualAddress),
                Port = c.Key.VirtualPort,
                RealAddress = c.Dest.Address,
                RealPort = c.IsTemplate ? c.Dest.Port : c.RealPort,
                FirewallMark = c.Service.FirewallMark,
                State = c.State,
                ExpiresInSeconds = (int)Math.Max(0, (c.ExpiresAtMs - now + 999) / 1000),
                Packets = c.Packets,
            }).ToList();
        }
    }
}
