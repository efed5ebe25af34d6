using System.Management.Automation;
using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Commands;

/// <summary>Base of the cmdlets that name one virtual service by protocol, virtual address and port.</summary>
public abstract class LvsServiceCmdlet : LvsDirectorCmdlet
{
    // One parameter set: a service is named by -VirtualAddress and -Port, or by -FirewallMark. Objects from
    // Get-LvsService carry all three (FirewallMark 0 for an address service), so ServiceIdentity decides.

    /// <summary>The virtual IP address (VIP) of the service.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP", "ServiceAddress")]
    public IPAddress? VirtualAddress { get; set; }

    /// <summary>The service port (1..65535).</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }

    /// <summary>A firewall-mark service (ipvsadm -f) instead of an address and port.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint FirewallMark { get; set; }

    /// <summary>Tcp or Udp.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;

    internal ServiceSpec ServiceIdentity()
    {
        if (FirewallMark != 0)
            return new ServiceSpec { FirewallMark = FirewallMark, Address = IPAddress.Any, Protocol = LvsProtocol.Tcp };
        if (VirtualAddress is null || Port is null)
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                "Name the service with -VirtualAddress and -Port, or with -FirewallMark.");
        return new ServiceSpec { Protocol = Protocol, Address = VirtualAddress, Port = ToPort(Port.Value, "port") };
    }

    /// <summary>The real server's port: the one given, else the service's (a fwmark service has none: 0 = the client's).</summary>
    internal ushort RealPortOf(int? realPort)
    {
        int p = realPort ?? (FirewallMark != 0 ? 0 : Port ?? 0);
        return FirewallMark != 0 && p == 0 ? (ushort)0 : ToPort(p, "real server port");
    }

    /// <summary>Checks a port here so the error carries LvsPS's ErrorId and names the value.</summary>
    internal static ushort ToPort(int port, string what)
    {
        if (port < 1 || port > 65535)
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument,
                $"The {what} {port} is out of range; use 1..65535.", port);
        return (ushort)port;
    }

    internal static void CheckWeight(int weight)
    {
        if (weight < 0 || weight > 65535)
            throw new LvsException(LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument,
                $"The weight {weight} is out of range; use 0..65535 (0 quiesces the real server).", weight);
    }

    internal static string Describe(ServiceSpec s) => s.ToString();

    internal LvsService? FindService(IDirector client, ServiceSpec id) =>
        ListServices(client).FirstOrDefault(s => id.FirewallMark != 0
            ? s.FirewallMark == id.FirewallMark
            : s.FirewallMark == 0 && s.Protocol == id.Protocol && s.VirtualAddress.Equals(id.Address) && s.Port == id.Port);
}
