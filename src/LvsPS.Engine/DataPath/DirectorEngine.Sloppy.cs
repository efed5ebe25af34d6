// DirectorEngine, packet path: which TCP packets of a flow the table does not know are scheduled. The kernel's
// tcp_conn_schedule schedules a packet with SYN and, with net.ipv4.vs.sloppy_tcp=1, any packet but a RST; the entry it makes starts in NONE and takes the packet's move in the state table (an ACK: ESTABLISHED; a FIN:
// CLOSE; no flag at all: CLOSE), so a flow picked up in the middle is counted active at once. lvsd offers the sysctl
// (Get-/Set-LvsDefense -SloppyTcp, off by default as on the kernel), and does the same without it for mh services: a
// Maglev table depends only on the configuration (the real servers, their order and weights), so a director that
// never saw a flow's SYN (a new master after a failover without sync, lvsd restarted without its snapshot) sends
// the flow to the real server the first director chose. Other schedulers keep the kernel's default: their answer
// depends on what the director saw before (rr's position, the connection counts), so an unknown flow is dropped
// (and, just after a restart, answered with a RST: DirectorEngine.Restart.cs).

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>net.ipv4.vs.sloppy_tcp: every service schedules an unknown flow from any TCP packet but a RST.</summary>
    private bool _sloppyTcp;

    /// <summary>
    /// tcp_conn_schedule for a packet that is not a new connection's SYN: scheduled (like a SYN) unless it is a RST,
    /// when sloppy_tcp is on or the service is scheduled by mh.
    /// </summary>
    private bool SchedulesNonSyn(ServiceRuntime svc, byte flags) =>
        (flags & Frames.Rst) == 0 && (_sloppyTcp || svc.SchedulerKind == LvsScheduler.Mh);
}
