namespace LvsPS.Commands;

/// <summary>Deletes a real server from a virtual service (ipvsadm -d).</summary>
[Cmdlet(VerbsCommon.Remove, "LvsRealServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(LvsRealServer))]
public sealed class RemoveLvsRealServerCommand : LvsRealServerCmdlet
{
    protected override void ProcessRecord()
    {
        if (!TryRealServerIdentity(out var svc, out var rs)) return;
        var client = GetClient();
        if (!ShouldProcess(ShouldProcessTarget(svc, client, rs.ToString()), "Remove LVS real server")) return;
        Try(() =>
        {
            var before = PassThru ? FindRealServer(client, svc, rs.Address, rs.Port) : null;
            client.DeleteRealServer(svc, rs);
            if (before is not null) WriteObject(before);
        }, rs.ToString());
    }
}
