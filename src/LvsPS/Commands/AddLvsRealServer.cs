using System.Management.Automation;
using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Commands;

/// <summary>Adds a real server to a virtual service (ipvsadm -a). It goes first in the kernel's list.</summary>
[Cmdlet(VerbsCommon.Add, "LvsRealServer", SupportsShouldProcess = true)]
[OutputType(typeof(LvsRealServer))]
public sealed class AddLvsRealServerCommand : LvsServiceCmdlet
{
    /// <summary>The real server's address (RIP).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    public IPAddress RealAddress { get; set; } = IPAddress.None;

    /// <summary>The real server's port; direct routing always uses the service port.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? RealPort { get; set; }

    /// <summary>Route (direct routing, ipvsadm -g, the default), Masq or Tunnel.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;

    /// <summary>0..65535; 0 = quiesced (no new connections).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int Weight { get; set; } = 1;

    /// <summary>Upper connection threshold (ipvsadm -x): at this many connections it takes no new ones; 0 = none.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int UpperThreshold { get; set; }

    /// <summary>Lower connection threshold (ipvsadm -y): below it an overloaded server takes connections again; 0 = 3/4 of the upper.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int LowerThreshold { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ServiceSpec svc;
        RealServerSpec rs;
        try
        {
            svc = ServiceIdentity();
            CheckWeight(Weight);
            rs = new RealServerSpec { Address = RealAddress, Port = RealPortOf(RealPort), Forwarding = Forwarding, Weight = Weight, UpperThreshold = UpperThreshold, LowerThreshold = LowerThreshold };
        }
        catch (LvsException e) { WriteLvsError(e); return; }

        var client = GetClient();
        if (!ShouldProcess($"{rs.Address}:{rs.Port} ({Forwarding}, weight {Weight}) in {svc} on director '{client.Name}'", "Add LVS real server")) return;
        try
        {
            client.AddRealServer(svc, rs);
            if (PassThru) WriteObject(RealServerLookup.Find(this, client, svc, rs.Address, svc.Port));
        }
        catch (LvsException e) { WriteLvsError(e, $"{rs.Address}:{rs.Port}"); }
    }
}

internal static class RealServerLookup
{
    public static LvsRealServer? Find(LvsServiceCmdlet cmd, IDirector client, ServiceSpec svc, IPAddress address, int port) =>
        cmd.FindService(client, svc)?.RealServers.FirstOrDefault(r => r.RealAddress.Equals(address) && (r.RealPort == port || port == 0))
        ?? cmd.FindService(client, svc)?.RealServers.FirstOrDefault(r => r.RealAddress.Equals(address));
}
