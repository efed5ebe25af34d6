using System.Management.Automation;
using LvsPS.Core.Control;
using LvsPS.Core.Model;

namespace LvsPS.Commands;

/// <summary>Changes a virtual service's scheduler (ipvsadm -E).</summary>
[Cmdlet(VerbsCommon.Set, "LvsService", SupportsShouldProcess = true)]
[OutputType(typeof(LvsService))]
public sealed class SetLvsServiceCommand : LvsServiceCmdlet
{
    [Parameter(Mandatory = true)]
    public LvsScheduler Scheduler { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ServiceSpec spec;
        try { spec = ServiceIdentity(); } catch (LvsException e) { WriteLvsError(e); return; }
        spec.Scheduler = Scheduler;
        var client = GetClient();
        if (!ShouldProcess($"{spec} on director '{client.Name}'", $"Set scheduler {Scheduler.ToString().ToLowerInvariant()}")) return;
        try
        {
            client.Send(new ControlRequest { Op = ControlOps.EditService, Service = spec });
            if (PassThru) WriteObject(FindService(client, spec));
        }
        catch (LvsException e) { WriteLvsError(e, spec.ToString()); }
    }
}
