using LvsPS.Management.Text;

namespace LvsPS.Commands;

/// <summary>Gets the director's connection table (ipvsadm -L -n -c); -AsText returns that exact text.</summary>
[Cmdlet(VerbsCommon.Get, "LvsConnection", DefaultParameterSetName = "Objects")]
[OutputType(typeof(LvsConnection), ParameterSetName = new[] { "Objects" })]
[OutputType(typeof(string), ParameterSetName = new[] { "Text" })]
public sealed class GetLvsConnectionCommand : LvsServiceFilterCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public override LvsProtocol? Protocol { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    public IPAddress? RealAddress { get; set; }

    [Parameter]
    public LvsConnectionState? State { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Text")]
    public SwitchParameter AsText { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        var selected = Read(client, c => c.ListConnections())
            .Where(c => Selects(c) && (RealAddress is null || c.RealAddress.Equals(RealAddress)) && (State is null || c.State == State)).ToList();
        if (AsText) WriteObject(IpvsadmFormatter.FormatConnections(selected));
        else WriteObject(selected, true);
    }
}
