namespace LvsPS.Commands;

/// <summary>
/// Prepares real servers for LVS-DR over SSH: the VIP on lo as /32 (or on dummo0), arp_ignore=1 and
/// arp_announce=2 on all and on the interface, and the old 'hidden' flag where the kernel has it. Idempotent;
/// -WhatIf shows the exact commands. The hosts (all of them, from the command line and the pipeline) are prepared
/// at once, -ThrottleLimit at a time, once the input is in; the output keeps their order.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsRealServerHidden", SupportsShouldProcess = true, DefaultParameterSetName = ComputerSet, HelpUri = LvsHelpUri.Base + "Set-LvsRealServerHidden.md")]
[OutputType(typeof(LvsRealServerHiddenState))]
public sealed class SetLvsRealServerHiddenCommand : LvsRealServerRemoteCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly List<RealServerHiddenJob> _jobs = new();

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

        // ShouldProcess (and -Confirm's prompts) here, on the pipeline thread, before any host is touched.
        foreach (var target in targets)
            if (ShouldProcess($"{target.HostName}: {string.Join("; ", commands)}", "Hide the VIP on the real server"))
                _jobs.Add(new RealServerHiddenJob(target, vip, Interface, NetInterface));
    }

    protected override void EndProcessing()
    {
        if (_jobs.Count == 0) return;
        RunFleet(3, _jobs, j => j.HostName,
            SshFleet.SetHiddenOn,
            (job, r) =>
            {
                WriteVerbose($"{job.HostName}: {(r.State.Changed ? "changed" : "already hidden")}; host key {r.HostKeyFingerprint}");
                if (PassThru) WriteObject(r.State);
            });
    }
}
