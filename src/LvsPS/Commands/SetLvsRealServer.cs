using System.Management.Automation;
using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Commands;

/// <summary>Changes a real server's weight or forwarding (ipvsadm -e). Weight 0 quiesces it: existing connections go on.</summary>
[Cmdlet(VerbsCommon.Set, "LvsRealServer", SupportsShouldProcess = true)]
[OutputType(typeof(LvsRealServer))]
public sealed class SetLvsRealServerCommand : LvsServiceCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    public IPAddress RealAddress { get; set; } = IPAddress.None;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? RealPort { get; set; }

    [Parameter]
    public int? Weight { get; set; }

    [Parameter]
    public LvsForwarding? Forwarding { get; set; }

    /// <summary>Upper connection threshold (ipvsadm -e -x); 0 = none.</summary>
    [Parameter]
    public int? UpperThreshold { get; set; }

    /// <summary>Lower connection threshold (ipvsadm -e -y); 0 = none.</summary>
    [Parameter]
    public int? LowerThreshold { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ServiceSpec svc;
        try { svc = ServiceIdentity(); if (Weight is not null) CheckWeight(Weight.Value); }
        catch (LvsException e) { WriteLvsError(e); return; }
        var client = GetClient();
        try
        {
            var current = RealServerLookup.Find(this, client, svc, RealAddress, RealPort ?? (FirewallMark != 0 ? 0 : Port ?? 0));
            if (FindService(client, svc) is null)
                throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, $"No virtual service {svc} exists on director '{client.Name}'.", svc.ToString());
            if (current is null)
                throw new LvsException(LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound,
                    $"The real server {RealAddress}:{RealPort ?? (FirewallMark != 0 ? 0 : Port ?? 0)} does not exist in {svc} on director '{client.Name}'.", RealAddress);
            var rs = new RealServerSpec
            {
                Address = RealAddress,
                Port = current.RealPort,
                Weight = Weight ?? current.Weight,
                Forwarding = Forwarding ?? current.Forwarding,
                UpperThreshold = UpperThreshold ?? current.UpperThreshold,
                LowerThreshold = LowerThreshold ?? current.LowerThreshold,
            };
            if (!ShouldProcess($"{rs.Address}:{rs.Port} in {svc} on director '{client.Name}'", $"Set weight {rs.Weight}, forwarding {rs.Forwarding}" + (rs.UpperThreshold + rs.LowerThreshold > 0 ? $", thresholds {rs.UpperThreshold}/{rs.LowerThreshold}" : ""))) return;
            client.EditRealServer(svc, rs);
            if (PassThru) WriteObject(RealServerLookup.Find(this, client, svc, rs.Address, rs.Port));
        }
        catch (LvsException e) { WriteLvsError(e, RealAddress); }
    }
}
