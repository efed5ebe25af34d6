namespace LvsPS.Commands;

/// <summary>Gets real servers with their weights, connection counts, resolved MACs and statistics.</summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServer")]
[OutputType(typeof(LvsRealServer))]
public sealed class GetLvsRealServerCommand : LvsServiceFilterCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public override LvsProtocol? Protocol { get; set; }

    [Parameter]
    [Alias("RIP")]
    public IPAddress? RealAddress { get; set; }

    /// <summary>Only the real servers of this firewall-mark service.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? FirewallMark { get; set; }

    protected override uint? MarkFilter => FirewallMark;

    protected override void ProcessRecord()
    {
        foreach (var s in SelectedServices(GetClient()))
            foreach (var r in s.RealServers.OrderBy(r => AddressKey(r.RealAddress)).ThenBy(r => r.RealPort))
                if (RealAddress is null || r.RealAddress.Equals(RealAddress))
                    WriteObject(r);
    }
}
