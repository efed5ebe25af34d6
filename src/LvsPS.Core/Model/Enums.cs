namespace LvsPS.Core.Model;

/// <summary>Transport protocol of a virtual service (the kernel's IPPROTO numbers).</summary>
public enum LvsProtocol
{
    Tcp = 6,
    Udp = 17,
}

/// <summary>IPVS scheduling algorithms, named as ipvsadm names them (case-insensitive on the command line).</summary>
public enum LvsScheduler
{
    Rr,
    Wrr,
    Lc,
    Wlc,
    Sed,
    Nq,
    Fo,
    Ovf,
    Lblc,
    Lblcr,
    Dh,
    Sh,
    Mh,
    Twos,
}

/// <summary>Packet forwarding method, named as ipvsadm -L prints it.</summary>
public enum LvsForwarding
{
    /// <summary>Direct routing (ipvsadm -g, gatewaying): only the destination MAC is rewritten.</summary>
    Route,
    /// <summary>NAT (ipvsadm -m, masquerading).</summary>
    Masq,
    /// <summary>IP-in-IP tunnel (ipvsadm -i).</summary>
    Tunnel,
    /// <summary>The real server address is local to the director.</summary>
    Local,
}

/// <summary>Outcome of one cluster check.</summary>
public enum LvsCheckResultKind
{
    Passed,
    Warning,
    Failed,
    NotApplicable,
}

/// <summary>IPVS TCP connection states (ip_vs_proto_tcp.c order) plus the UDP pseudo-state.</summary>
public enum LvsConnectionState
{
    None,
    Established,
    SynSent,
    SynRecv,
    FinWait,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    SynAck,
    Udp,
}
