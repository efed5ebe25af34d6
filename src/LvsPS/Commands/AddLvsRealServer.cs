namespace LvsPS.Commands;

/// <summary>Adds a real server to a virtual service (ipvsadm -a). It goes first in the kernel's list.</summary>
[Cmdlet(VerbsCommon.Add, "LvsRealServer", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Add-LvsRealServer.md")]
[OutputType(typeof(LvsRealServer))]
public sealed class AddLvsRealServerCommand : LvsRealServerCmdlet
{
    /// <summary>Route (direct routing, ipvsadm -g, the default), Masq or Tunnel.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateChosenForwarding]
    [ValidateRange(LvsForwarding.Route, LvsForwarding.Tunnel)]
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

    /// <summary>A static MAC (lvsd): frames go to it and ARP never replaces it. By default learnt by ARP.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public System.Net.NetworkInformation.PhysicalAddress? MacAddress { get; set; }

    protected override void ProcessRecord()
    {
        string? mac = null;
        if (!TryRealServerIdentity(out var svc, out var rs, () => { SpecValidator.Weight(Weight); mac = MacText(MacAddress); })) return;
        (rs.Forwarding, rs.Weight, rs.UpperThreshold, rs.LowerThreshold, rs.MacAddress) = (Forwarding, Weight, UpperThreshold, LowerThreshold, mac);
        WarnIfRealPortIgnored(Forwarding);

        var client = GetClient();
        if (!ShouldProcess(ShouldProcessTarget(svc, client, $"{rs} ({Forwarding}, weight {Weight}{(mac is null ? "" : ", MAC " + mac)})"), "Add LVS real server")) return;
        Try(() =>
        {
            client.AddRealServer(svc, rs);
            if (PassThru) WriteObject(FindRealServer(client, svc, rs.Address, svc.Port));
        }, rs.ToString());
    }
}
