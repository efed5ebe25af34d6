using LvsPS.Management.Remote;

namespace LvsPS.Commands;

/// <summary>Reads back, over SSH, whether real servers hold the VIP and hide it from ARP.</summary>
[Cmdlet(VerbsCommon.Get, "LvsRealServerHidden", DefaultParameterSetName = ComputerSet)]
[OutputType(typeof(LvsRealServerHiddenState))]
public sealed class GetLvsRealServerHiddenCommand : LvsRealServerRemoteCmdlet
{
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP")]
    public IPAddress? VirtualAddress { get; set; }

    protected override void ProcessRecord()
    {
        IPAddress vip;
        List<SshTarget> targets;
        try
        {
            vip = ResolveVip(VirtualAddress);
            targets = Targets().ToList();
        }
        catch (LvsException e) { ThrowLvsError(e); return; }
        foreach (var target in targets)
        {
            try
            {
                using var session = SshSession.Open(target);
                WriteObject(RealServerPreparer.GetHidden(session, vip, Interface, NetInterface));
            }
            catch (LvsException e) { WriteLvsError(e, target.HostName); }
        }
    }
}
