using LvsPS.Ipvs.Connections;

namespace LvsPS.Commands;

/// <summary>
/// Gets the director's defence against connection-table exhaustion (SYN floods): the kernel's amemthresh,
/// drop_entry, drop_packet, am_droprate and secure_tcp, lvsd's table limit, the level now and the counters; and
/// sloppy_tcp beside them.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsDefense", HelpUri = LvsHelpUri.Base + "Get-LvsDefense.md")]
[OutputType(typeof(DefenseSpec))]
public sealed class GetLvsDefenseCommand : LvsDirectorCmdlet
{
    protected override void ProcessRecord()
    {
        var client = GetClient();
        Try(() => WriteObject(client.GetDefense()), client.Name);
    }
}

/// <summary>
/// Sets the director's defence settings (sysctl -w net.ipv4.vs.drop_entry=… on a kernel director); a parameter left
/// out keeps its value.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsDefense", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsDefense.md")]
[OutputType(typeof(DefenseSpec))]
public sealed class SetLvsDefenseCommand : LvsDirectorCmdlet
{
    /// <summary>amemthresh: lvsd, free entries in the table; a kernel, available memory in pages.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? AvailableThreshold { get; set; }

    /// <summary>drop_entry: Off, Auto, AutoActive or Always.</summary>
    [Parameter]
    public LvsDefenseMode? DropEntry { get; set; }

    /// <summary>drop_packet: Off, Auto, AutoActive or Always.</summary>
    [Parameter]
    public LvsDefenseMode? DropPacket { get; set; }

    /// <summary>am_droprate: drop_packet's rate in mode Always.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? DropRate { get; set; }

    /// <summary>secure_tcp: Off, Auto, AutoActive or Always.</summary>
    [Parameter]
    public LvsDefenseMode? SecureTcp { get; set; }

    /// <summary>lvsd only: the hard limit of entries.</summary>
    [Parameter]
    [ValidateRange(1, 1 << 24)]
    public int? MaxConnections { get; set; }

    /// <summary>lvsd only: SYN_RECV lifetime while secure_tcp is active, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 2678400)]
    public int? SynRecvTimeout { get; set; }

    /// <summary>
    /// sloppy_tcp: -SloppyTcp schedules an unknown flow from any TCP packet but a RST, on every service;
    /// -SloppyTcp:$false only from a SYN (lvsd still schedules mh services so). Left out: unchanged.
    /// </summary>
    [Parameter]
    public SwitchParameter SloppyTcp { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        var change = new DefenseSpec
        {
            AvailableThreshold = AvailableThreshold, DropEntry = DropEntry, DropPacket = DropPacket, DropRate = DropRate,
            SecureTcp = SecureTcp, MaxConnections = MaxConnections, SynRecvTimeout = SynRecvTimeout,
            SloppyTcp = MyInvocation.BoundParameters.ContainsKey(nameof(SloppyTcp)) ? SloppyTcp.IsPresent : null,
        };
        var what = string.Join(", ", new (string Name, object? Value)[]
            {
                ("amemthresh", AvailableThreshold), ("drop_entry", DropEntry), ("drop_packet", DropPacket),
                ("am_droprate", DropRate), ("secure_tcp", SecureTcp), ("MaxConnections", MaxConnections),
                ("SynRecvTimeout", SynRecvTimeout), ("sloppy_tcp", change.SloppyTcp is { } sloppy ? (sloppy ? 1 : 0) : null),
            }.Where(p => p.Value is not null).Select(p => $"{p.Name}={p.Value}"));
        if (!ShouldProcess($"director '{client.Name}'", $"Set defence {(what.Length == 0 ? "(nothing)" : what)}")) return;
        Try(() =>
        {
            client.SetDefense(change);
            if (PassThru) WriteObject(client.GetDefense());
        }, client.Name);
    }
}
