namespace LvsPS.Commands;

/// <summary>
/// Gets each real server's health: its state (Up, Down, Draining, Quiesced, Unresolved), its last check and what it
/// found, its last change with the reason, and a short history of changes.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsHealth")]
[OutputType(typeof(LvsRealServerHealth))]
public sealed class GetLvsHealthCommand : LvsServiceFilterCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public override LvsProtocol? Protocol { get; set; }

    /// <summary>Only the real server with this address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    public IPAddress? RealAddress { get; set; }

    /// <summary>Only the real servers of the firewall-mark service with this mark.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? FirewallMark { get; set; }

    protected override uint? MarkFilter => FirewallMark;

    /// <summary>Only real servers in one of these states.</summary>
    [Parameter]
    public LvsRealServerState[]? State { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        var health = Read(client, c => c.GetHealth());
        foreach (var h in health.Where(h => Selects(h.FirewallMark, h.Protocol, h.VirtualAddress, h.Port))
                     .OrderBy(h => h.FirewallMark).ThenBy(h => h.Protocol).ThenBy(h => AddressKey(h.VirtualAddress)).ThenBy(h => h.Port)
                     .ThenBy(h => AddressKey(h.RealAddress)).ThenBy(h => h.RealPort))
            if ((RealAddress is null || h.RealAddress.Equals(RealAddress)) && (State is null || State.Contains(h.State)))
                WriteObject(h);
    }
}
