namespace LvsPS.Commands;

/// <summary>
/// Gets each real server's health: its state (Up, Down, Draining, Quiesced, Unresolved), its last check and what it
/// found, its last change with the reason, and a short history of changes.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsHealth", HelpUri = LvsHelpUri.Base + "Get-LvsHealth.md")]
[OutputType(typeof(LvsRealServerHealth))]
public sealed class GetLvsHealthCommand : LvsRealServerFilterCmdlet
{
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
            if (SelectsReal(h.RealAddress) && (State is null || State.Contains(h.State)))
                WriteObject(h);
    }
}
