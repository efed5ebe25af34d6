using System.Net;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Ipvs.Specs;

/// <summary>A virtual service as configured (what the state file and the requests carry).</summary>
public sealed class ServiceSpec
{
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    public IPAddress Address { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    /// <summary>Non-zero: a firewall-mark service (ipvsadm -f); Protocol, Address and Port are then not used.</summary>
    public uint FirewallMark { get; set; }
    public LvsScheduler Scheduler { get; set; } = LvsScheduler.Wlc;
    /// <summary>Scheduler flags (ipvsadm -b): sh/mh fallback and port.</summary>
    public LvsSchedulerFlags SchedulerFlags { get; set; }
    /// <summary>Persistence timeout in seconds (ipvsadm -p); 0 = not persistent.</summary>
    public uint PersistentTimeout { get; set; }
    /// <summary>Persistence granularity (ipvsadm -M); null = /32.</summary>
    public IPAddress? PersistenceNetmask { get; set; }
    /// <summary>Real servers in kernel list order (newest first).</summary>
    public List<RealServerSpec> RealServers { get; set; } = new();

    public override string ToString() => FirewallMark != 0 ? $"FWM {FirewallMark}" : $"{Protocol.ToString().ToUpperInvariant()} {Address}:{Port}";
}

/// <summary>A real server of a service as configured.</summary>
public sealed class RealServerSpec
{
    public IPAddress Address { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;
    public int Weight { get; set; } = 1;
    /// <summary>Upper connection threshold (ipvsadm -x); 0 = none.</summary>
    public int UpperThreshold { get; set; }
    /// <summary>Lower connection threshold (ipvsadm -y); 0 = none.</summary>
    public int LowerThreshold { get; set; }

    public override string ToString() => $"{Address}:{Port}";
}
