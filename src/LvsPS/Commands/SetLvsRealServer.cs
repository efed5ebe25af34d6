namespace LvsPS.Commands;

/// <summary>Changes a real server's weight or forwarding (ipvsadm -e). Weight 0 quiesces it: existing connections go on.</summary>
[Cmdlet(VerbsCommon.Set, "LvsRealServer", SupportsShouldProcess = true)]
[OutputType(typeof(LvsRealServer))]
public sealed class SetLvsRealServerCommand : LvsRealServerCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public override int? RealPort { get; set; }

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

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc) || (Weight is not null && !Try(() => SpecValidator.Weight(Weight.Value)))) return;
        var client = GetClient();
        Try(() =>
        {
            // Start from the real server as it is, so unnamed settings keep their values.
            var current = RequireRealServer(client, svc);
            var rs = new RealServerSpec
            {
                Address = RealAddress,
                Port = current.RealPort,
                Weight = Weight ?? current.Weight,
                Forwarding = Forwarding ?? current.Forwarding,
                UpperThreshold = UpperThreshold ?? current.UpperThreshold,
                LowerThreshold = LowerThreshold ?? current.LowerThreshold,
            };
            var thresholds = rs.UpperThreshold + rs.LowerThreshold > 0 ? $", thresholds {rs.UpperThreshold}/{rs.LowerThreshold}" : "";
            if (!ShouldProcess(ShouldProcessTarget(svc, client, rs.ToString()), $"Set weight {rs.Weight}, forwarding {rs.Forwarding}{thresholds}")) return;
            client.EditRealServer(svc, rs);
            if (PassThru) WriteObject(FindRealServer(client, svc, rs.Address, rs.Port));
        }, RealAddress);
    }
}
