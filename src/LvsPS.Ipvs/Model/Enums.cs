namespace LvsPS.Ipvs.Model;

/// <summary>Transport protocol of a virtual service (the kernel's IPPROTO numbers).</summary>
public enum LvsProtocol : long
{
    Tcp = 6,
    Udp = 17,
    /// <summary>SCTP (IPPROTO_SCTP); ipvsadm --sctp-service.</summary>
    Sctp = 132,
}

/// <summary>IPVS scheduling algorithms, named as ipvsadm names them (case-insensitive on the command line).</summary>
public enum LvsScheduler : long
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
public enum LvsForwarding : long
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
public enum LvsCheckResultKind : long
{
    Passed,
    Warning,
    Failed,
    NotApplicable,
}

/// <summary>
/// IPVS TCP connection states (ip_vs_proto_tcp.c order), the UDP pseudo-state, then the SCTP states of
/// ip_vs_proto_sctp.c (IP_VS_SCTP_S_*; SCTP's NONE and ESTABLISHED are <see cref="None"/> and
/// <see cref="Established"/>). The numbers are LvsPS's own, not the kernel's: see SctpStateTable for the mapping.
/// </summary>
public enum LvsConnectionState : long
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
    /// <summary>IP_VS_SCTP_S_INIT1: first INIT from the client, waiting for INIT-ACK ("INIT1").</summary>
    SctpInit1,
    /// <summary>IP_VS_SCTP_S_INIT: a further INIT from the client ("INIT").</summary>
    SctpInit,
    /// <summary>IP_VS_SCTP_S_COOKIE_SENT: the server's INIT-ACK was seen ("C-SENT").</summary>
    SctpCookieSent,
    /// <summary>IP_VS_SCTP_S_COOKIE_REPLIED: the client's COOKIE-ECHO was seen ("C-REPLIED").</summary>
    SctpCookieReplied,
    /// <summary>IP_VS_SCTP_S_COOKIE_WAIT: the server sent INIT ("C-WAIT").</summary>
    SctpCookieWait,
    /// <summary>IP_VS_SCTP_S_COOKIE: the client answered the server's INIT with INIT-ACK ("COOKIE").</summary>
    SctpCookie,
    /// <summary>IP_VS_SCTP_S_COOKIE_ECHOED: COOKIE-ECHO of a server-initiated setup ("C-ECHOED").</summary>
    SctpCookieEchoed,
    /// <summary>IP_VS_SCTP_S_SHUTDOWN_SENT ("S-SENT").</summary>
    SctpShutdownSent,
    /// <summary>IP_VS_SCTP_S_SHUTDOWN_RECEIVED ("S-RECEIVED").</summary>
    SctpShutdownReceived,
    /// <summary>IP_VS_SCTP_S_SHUTDOWN_ACK_SENT ("S-ACK-SENT").</summary>
    SctpShutdownAckSent,
    /// <summary>IP_VS_SCTP_S_REJECTED: an INIT answered with ABORT ("REJECTED").</summary>
    SctpRejected,
    /// <summary>IP_VS_SCTP_S_CLOSED ("CLOSED").</summary>
    SctpClosed,
    /// <summary>
    /// IP_VS_CTPL_S_ASSURED: a persistence template one of whose connections reached ESTABLISHED
    /// (ip_vs_control_assure_ct); a new template is None ("NONE").
    /// </summary>
    Assured,
}

/// <summary>Where the director has a real server's MAC from.</summary>
public enum LvsMacSource : long
{
    /// <summary>Not known yet (kernel directors: not reported).</summary>
    None,
    /// <summary>A reply to the director's own ARP request.</summary>
    Arp,
    /// <summary>Configured (-MacAddress): never replaced by ARP.</summary>
    Static,
}
