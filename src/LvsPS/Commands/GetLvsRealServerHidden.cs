namespace LvsPS.Commands;

/// <summary>Reads back, over SSH, whether real servers hold the VIP and hide it from ARP.</summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServerHidden", DefaultParameterSetName = ComputerSet, HelpUri = LvsHelpUri.Base + "Get-LvsRealServerHidden.md")]
[OutputType(typeof(LvsRealServerHiddenState))]
public sealed class GetLvsRealServerHiddenCommand : LvsRealServerRemoteCmdlet
{
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
        foreach (var target in targets)
            InSession(target, session => WriteObject(RealServerPreparer.GetHidden(session, vip, Interface, NetInterface)));
    }
}
