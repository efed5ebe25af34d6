namespace LvsPS.Commands;

/// <summary>
/// Reads back, over SSH, whether real servers hold the VIP and hide it from ARP: all the hosts at once,
/// -ThrottleLimit at a time, in the order they were given.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServerHidden", DefaultParameterSetName = ComputerSet, HelpUri = LvsHelpUri.Base + "Get-LvsRealServerHidden.md")]
[OutputType(typeof(LvsRealServerHiddenState))]
public sealed class GetLvsRealServerHiddenCommand : LvsRealServerRemoteCmdlet
{
    private readonly List<RealServerHiddenJob> _jobs = new();

    protected override void ProcessRecord()
    {
        IPAddress vip;
        List<SshTarget> targets;
        try
        {
            vip = ResolveVip();
            targets = Targets().ToList();
        }
        catch (LvsException e) { ThrowLvsError(e); return; }
        _jobs.AddRange(targets.Select(t => new RealServerHiddenJob(t, vip, Interface, NetInterface)));
    }

    protected override void EndProcessing()
    {
        if (_jobs.Count == 0) return;
        RunFleet(6, _jobs, j => j.HostName,
            SshFleet.GetHiddenOn,
            (_, r) => WriteObject(r.State));
    }
}
