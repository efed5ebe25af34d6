namespace LvsPS.Commands;

/// <summary>Deletes a virtual service and its real servers (ipvsadm -D).</summary>
[Cmdlet(VerbsCommon.Remove, "LvsService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Remove-LvsService.md")]
[OutputType(typeof(LvsService))]
public sealed class RemoveLvsServiceCommand : LvsServiceCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var spec)) return;
        var client = GetClient();
        if (!ShouldProcessUnlessForced(ShouldProcessTarget(spec, client), "Remove LVS service", Force)) return;
        Try(() =>
        {
            var before = PassThru ? FindService(client, spec) : null;
            client.DeleteService(spec);
            if (before is not null) WriteObject(LvsViews.As(before, LvsViews.ServiceTable));
        }, spec.ToString());
    }
}
