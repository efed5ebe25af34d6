using System.Management.Automation;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Commands;

/// <summary>Deletes a virtual service and its real servers (ipvsadm -D).</summary>
[Cmdlet(VerbsCommon.Remove, "LvsService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(LvsService))]
public sealed class RemoveLvsServiceCommand : LvsServiceCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ServiceSpec spec;
        try { spec = ServiceIdentity(); } catch (LvsException e) { WriteLvsError(e); return; }
        var client = GetClient();
        if (!ShouldProcess($"{spec} on director '{client.Name}'", "Remove LVS service")) return;
        try
        {
            var before = PassThru ? FindService(client, spec) : null;
            client.DeleteService(spec);
            if (before is not null) WriteObject(before);
        }
        catch (LvsException e) { WriteLvsError(e, spec.ToString()); }
    }
}
