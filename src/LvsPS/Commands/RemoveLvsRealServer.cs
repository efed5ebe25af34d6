namespace LvsPS.Commands;

/// <summary>Deletes a real server from a virtual service (ipvsadm -d).</summary>
[Cmdlet(VerbsCommon.Remove, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Remove-LvsRealServer.md")]
[OutputType(typeof(LvsRealServer))]
public sealed class RemoveLvsRealServerCommand : LvsRealServerCmdlet
{
    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryRealServerIdentity(out var svc, out var rs)) return;
        var client = GetClient();
        if (!ShouldProcessUnlessForced(ShouldProcessTarget(svc, client, rs.ToString()), "Remove LVS real server", Force)) return;
        Try(() =>
        {
            var before = PassThru ? FindRealServer(client, svc, rs.Address, rs.Port) : null;
            client.DeleteRealServer(svc, rs);
            if (before is not null) WriteObject(before);
        }, rs.ToString());
    }
}
