using System.Management.Automation;
using System.Net;
using LvsPS.Ipvs.Model;

namespace LvsPS.Commands;

/// <summary>Gets real servers with their weights, connection counts, resolved MACs and statistics.</summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServer")]
[OutputType(typeof(LvsRealServer))]
public sealed class GetLvsRealServerCommand : LvsDirectorCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP")]
    public IPAddress? VirtualAddress { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol? Protocol { get; set; }

    [Parameter]
    [Alias("RIP")]
    public IPAddress? RealAddress { get; set; }

    /// <summary>Only the real servers of this firewall-mark service.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? FirewallMark { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        List<LvsService> services;
        try { services = ListServices(client); }
        catch (LvsException e) { ThrowLvsError(e, client.Name); return; }
        foreach (var s in services.Where(s => (FirewallMark is null || FirewallMark == 0 || s.FirewallMark == FirewallMark)
                                              && (FirewallMark is > 0 || VirtualAddress is null || s.VirtualAddress.Equals(VirtualAddress))
                                              && (Port is null || s.Port == Port) && (Protocol is null || s.Protocol == Protocol)))
            foreach (var r in s.RealServers.OrderBy(r => GetLvsServiceCommand.AddressKey(r.RealAddress)).ThenBy(r => r.RealPort))
                if (RealAddress is null || r.RealAddress.Equals(RealAddress))
                    WriteObject(r);
    }
}
