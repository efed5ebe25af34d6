using System.Management.Automation;
using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Commands;

/// <summary>Deletes a real server from a virtual service (ipvsadm -d).</summary>
[Cmdlet(VerbsCommon.Remove, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(LvsRealServer))]
public sealed class RemoveLvsRealServerCommand : LvsServiceCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    public IPAddress RealAddress { get; set; } = IPAddress.None;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? RealPort { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ServiceSpec svc;
        RealServerSpec rs;
        try
        {
            svc = ServiceIdentity();
            rs = new RealServerSpec { Address = RealAddress, Port = RealPortOf(RealPort) };
        }
        catch (LvsException e) { WriteLvsError(e); return; }
        var client = GetClient();
        if (!ShouldProcess($"{rs.Address}:{rs.Port} in {svc} on director '{client.Name}'", "Remove LVS real server")) return;
        try
        {
            var before = PassThru ? RealServerLookup.Find(this, client, svc, rs.Address, rs.Port) : null;
            client.DeleteRealServer(svc, rs);
            if (before is not null) WriteObject(before);
        }
        catch (LvsException e) { WriteLvsError(e, $"{rs.Address}:{rs.Port}"); }
    }
}
