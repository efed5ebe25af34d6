using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Kernel;

// Connection sync on a kernel director: the kernel's own sync daemons (ip_vs_sync.c, protocol v1), driven by ipvsadm
// (IpvsadmSyncDaemon). The kernel exports no counters for them, so a status has its settings and, when LvsPS started
// it, its start time; MessagesSent/Received, LastMessage and Lag stay unset.
public sealed partial class KernelDirector
{
    /// <summary><c>ipvsadm -L --daemon</c>: the master and backup daemons that run, with their settings.</summary>
    public List<SyncDaemonStatus> ListSyncDaemons() => Locked(() =>
        IpvsadmSyncDaemon.Parse(RunChecked(IpvsadmSyncDaemon.ListCommandLine(Program), null).Output, Name));

    /// <summary>
    /// <c>ipvsadm --start-daemon master|backup --mcast-interface IF --syncid N [...]</c>, validated first; a daemon of
    /// that role already running is SyncDaemonExists, an interface the director lacks InterfaceNotAvailable.
    /// </summary>
    public void StartSyncDaemon(SyncDaemonSpec daemon)
    {
        string line = IpvsadmSyncDaemon.StartCommandLine(daemon, Program);
        Locked(() => { RunChecked(line, $"the {daemon} sync daemon"); });
    }

    /// <summary><c>ipvsadm --stop-daemon master|backup</c>; none of that role running is SyncDaemonNotFound.</summary>
    public void StopSyncDaemon(SyncDaemonRole role)
    {
        string line = IpvsadmSyncDaemon.StopCommandLine(role, Program);
        Locked(() => { RunChecked(line, $"the {IpvsadmSyncDaemon.RoleName(role)} sync daemon"); });
    }
}
