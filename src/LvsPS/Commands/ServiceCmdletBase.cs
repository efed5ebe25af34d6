using System.Management.Automation;
using System.Net;
using LvsPS.Core.Control;
using LvsPS.Core.Model;

namespace LvsPS.Commands;

/// <summary>Base of the cmdlets that name one virtual service by protocol, virtual address and port.</summary>
public abstract class LvsServiceCmdlet : LvsDirectorCmdlet
{
    /// <summary>The virtual IP address (VIP) of the service.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP", "ServiceAddress")]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;

    /// <summary>The service port (1..65535).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public int Port { get; set; }

    /// <summary>Tcp or Udp.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;

    internal ServiceSpec ServiceIdentity() => new()
    {
        Protocol = Protocol,
        Address = VirtualAddress,
        Port = ToPort(Port, "port"),
    };

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

    internal LvsService? FindService(IDirectorConnection client, ServiceSpec id) =>
        ListServices(client).FirstOrDefault(s => s.Protocol == id.Protocol && s.VirtualAddress.Equals(id.Address) && s.Port == id.Port);
}
