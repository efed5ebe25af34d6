namespace LvsPS.Commands;

/// <summary>Gets real servers with their weights, connection counts, resolved MACs and statistics.</summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServer", HelpUri = LvsHelpUri.Base + "Get-LvsRealServer.md")]
[OutputType(typeof(LvsRealServer))]
public sealed class GetLvsRealServerCommand : LvsRealServerFilterCmdlet
{
    [Parameter]
    [Alias("RIP")]
    [ArgumentCompleter(typeof(RealAddressCompleter))]
    public override IPAddress? RealAddress { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (_, r) in SelectedRealServers(SelectedServices(GetClient())))
            WriteObject(r);
    }
}
