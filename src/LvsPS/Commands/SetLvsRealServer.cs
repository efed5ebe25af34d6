namespace LvsPS.Commands;

/// <summary>Changes a real server's weight or forwarding (ipvsadm -e). Weight 0 quiesces it: existing connections go on.</summary>
[Cmdlet(VerbsCommon.Set, "LvsRealServer", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsRealServer.md")]
[OutputType(typeof(LvsRealServer))]
public sealed class SetLvsRealServerCommand : LvsRealServerCmdlet
{
    // Weight, Forwarding and the thresholds also bind by property name, so rows of Export-Csv (or ConvertTo-Json)
    // edited and read back with Import-Csv set what they say: Import-Csv rs.csv | Set-LvsRealServer.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? Weight { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateChosenForwarding]
    [ValidateRange(LvsForwarding.Route, LvsForwarding.Tunnel)]
    public LvsForwarding? Forwarding { get; set; }

    /// <summary>Upper connection threshold (ipvsadm -e -x); 0 = none.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? UpperThreshold { get; set; }

    /// <summary>Lower connection threshold (ipvsadm -e -y); 0 = none.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? LowerThreshold { get; set; }

    /// <summary>A static MAC (lvsd); '' or $null clears it (learnt by ARP again). By default it does not change.</summary>
    [Parameter]
    public System.Net.NetworkInformation.PhysicalAddress? MacAddress { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc) || (Weight is not null && !Try(() => SpecValidator.Weight(Weight.Value)))) return;
        bool macGiven = MyInvocation.BoundParameters.ContainsKey(nameof(MacAddress));
        string? mac = null;
        if (macGiven && !Try(() => mac = MacText(MacAddress))) return;
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
                MacAddress = macGiven ? mac : current.MacSource == LvsMacSource.Static ? current.MacAddress : null,
            };
            if (current.RealPort != RealPortGiven) WarnIfRealPortIgnored(rs.Forwarding);
            var thresholds = rs.UpperThreshold + rs.LowerThreshold > 0 ? $", thresholds {rs.UpperThreshold}/{rs.LowerThreshold}" : "";
            var macChange = !macGiven ? "" : mac is null ? ", MAC learnt by ARP" : $", static MAC {mac}";
            if (!ShouldProcess(ShouldProcessTarget(svc, client, rs.ToString()), $"Set weight {rs.Weight}, forwarding {rs.Forwarding}{thresholds}{macChange}")) return;
            client.EditRealServer(svc, rs);
            if (PassThru) WriteObject(FindRealServer(client, svc, rs.Address, rs.Port));
        }, RealAddress);
    }
}
