namespace LvsPS.Commands;

/// <summary>
/// Prepares real servers for LVS-DR over SSH: the VIP on lo as /32 (or on dummo0), arp_ignore=1 and
/// arp_announce=2 on all and on the interface, and the old 'hidden' flag where the kernel has it. Idempotent;
/// -WhatIf shows the exact commands.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsRealServerHidden", SupportsShouldProcess = true, DefaultParameterSetName = ComputerSet, HelpUri = LvsHelpUri.Base + "Set-LvsRealServerHidden.md")]
[OutputType(typeof(LvsRealServerHiddenState))]
public sealed class SetLvsRealServerHiddenCommand : LvsRealServerRemoteCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        IPAddress vip;
        IReadOnlyList<string> commands;
        List<SshTarget> targets;
        try
        {
            vip = ResolveVip();
            commands = RealServerPreparer.BuildSetHiddenCommands(vip, Interface, NetInterface);
            targets = Targets().ToList();
        }
        catch (LvsException e) { ThrowLvsError(e); return; }

        int i = 0;
        foreach (var target in targets)
        {
            i++;
            WriteProgress(new ProgressRecord(3, "Set-LvsRealServerHidden", $"{target.HostName}: VIP {vip} on {Interface}")
            { PercentComplete = (i - 1) * 100 / targets.Count });
            if (!ShouldProcess($"{target.HostName}: {string.Join("; ", commands)}", "Hide the VIP on the real server")) continue;
            InSession(target, session =>
            {
                var state = RealServerPreparer.SetHidden(session, vip, Interface, NetInterface);
                WriteVerbose($"{target.HostName}: {(state.Changed ? "changed" : "already hidden")}; host key {session.HostKeyFingerprint}");
                if (PassThru) WriteObject(state);
            });
        }
        WriteProgress(new ProgressRecord(3, "Set-LvsRealServerHidden", "Done") { RecordType = ProgressRecordType.Completed });
    }
}
