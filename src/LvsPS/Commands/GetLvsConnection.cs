using LvsPS.Management.Text;

namespace LvsPS.Commands;

/// <summary>
/// Gets the director's connection table (ipvsadm -L -n -c); -AsText returns that exact text. The director filters
/// and the entries come a page at a time, each written to the pipeline as its page arrives, so neither process
/// holds the whole table.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsConnection", DefaultParameterSetName = "Objects", HelpUri = LvsHelpUri.Base + "Get-LvsConnection.md")]
[OutputType(typeof(LvsConnection), ParameterSetName = new[] { "Objects" })]
[OutputType(typeof(string), ParameterSetName = new[] { "Text" })]
public sealed class GetLvsConnectionCommand : LvsServiceFilterCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    [ArgumentCompleter(typeof(RealAddressCompleter))]
    public IPAddress? RealAddress { get; set; }

    [Parameter]
    [Alias("CIP")]
    public IPAddress? ClientAddress { get; set; }

    [Parameter]
    public LvsConnectionState? State { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? First { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Text")]
    public SwitchParameter AsText { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        var query = new ConnectionQuery
        {
            Protocol = Protocol, VirtualAddress = VirtualAddress, Port = Port, RealAddress = RealAddress,
            ClientAddress = ClientAddress, State = State,
        };
        var entries = client.EnumerateConnections(query, First);
        Read(client, c =>
        {
            if (AsText) WriteObject(IpvsadmFormatter.FormatConnections(entries));
            else foreach (var e in entries) WriteObject(e);
            return true;
        });
    }
}
