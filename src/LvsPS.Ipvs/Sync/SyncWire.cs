namespace LvsPS.Ipvs.Sync;

/// <summary>
/// The connection flags of ip_vs_conn as the sync protocol carries them (include/uapi/linux/ip_vs.h,
/// IP_VS_CONN_F_*), 32 bits in network byte order in a version 1 entry.
/// </summary>
[Flags]
public enum SyncConnectionFlags : uint
{
    /// <summary>IP_VS_CONN_F_MASQ (forwarding method 0: NAT).</summary>
    Masq = 0x0000,
    /// <summary>IP_VS_CONN_F_LOCALNODE.</summary>
    LocalNode = 0x0001,
    /// <summary>IP_VS_CONN_F_TUNNEL.</summary>
    Tunnel = 0x0002,
    /// <summary>IP_VS_CONN_F_DROUTE.</summary>
    DirectRoute = 0x0003,
    /// <summary>IP_VS_CONN_F_BYPASS.</summary>
    Bypass = 0x0004,
    /// <summary>IP_VS_CONN_F_FWD_MASK: the forwarding method bits.</summary>
    ForwardingMask = 0x0007,
    /// <summary>IP_VS_CONN_F_SYNC: the entry was created by sync (set by the receiver).</summary>
    Sync = 0x0020,
    /// <summary>IP_VS_CONN_F_HASHED: never sent (the kernel masks it off).</summary>
    Hashed = 0x0040,
    /// <summary>IP_VS_CONN_F_NOOUTPUT: DR and tunnel connections see no replies.</summary>
    NoOutput = 0x0080,
    /// <summary>IP_VS_CONN_F_INACTIVE: counted in InActConn (not established).</summary>
    Inactive = 0x0100,
    /// <summary>IP_VS_CONN_F_OUT_SEQ.</summary>
    OutSeq = 0x0200,
    /// <summary>IP_VS_CONN_F_IN_SEQ.</summary>
    InSeq = 0x0400,
    /// <summary>IP_VS_CONN_F_SEQ_MASK: the entry has sequence adjustments (the SEQ_DATA option).</summary>
    SeqMask = 0x0600,
    /// <summary>IP_VS_CONN_F_NO_CPORT: the client port is not known yet (FTP data).</summary>
    NoClientPort = 0x0800,
    /// <summary>IP_VS_CONN_F_TEMPLATE: a persistence template, not a connection.</summary>
    Template = 0x1000,
    /// <summary>IP_VS_CONN_F_ONE_PACKET: never synced.</summary>
    OnePacket = 0x2000,
    /// <summary>IP_VS_CONN_F_BACKUP_MASK: the bits a backup keeps from a message; the rest are masked off on receive.</summary>
    BackupMask = ForwardingMask | NoOutput | Inactive | SeqMask | NoClientPort | Template,
    /// <summary>IP_VS_CONN_F_BACKUP_UPD_MASK: the bits a message may change on an entry the backup already has.</summary>
    BackupUpdateMask = Inactive | SeqMask,
}

/// <summary>struct ip_vs_seq: a NAT connection's TCP sequence adjustment (FTP helper), three 32-bit fields.</summary>
public readonly record struct SyncSequence(uint InitSeq, int Delta, int PreviousDelta);

/// <summary>
/// One connection entry of a version 1 message (struct ip_vs_sync_v4 and its optional parameters). Addresses are
/// host-order IPv4 values; <see cref="State"/> is the kernel's state number (<see cref="SyncStates"/>).
/// </summary>
public sealed record SyncConnection
{
    public byte Protocol { get; init; }
    public SyncConnectionFlags Flags { get; init; }
    public ushort State { get; init; }
    public ushort ClientPort { get; init; }
    public ushort VirtualPort { get; init; }
    public ushort DestinationPort { get; init; }
    public uint FirewallMark { get; init; }
    /// <summary>The connection's timeout in seconds (cp->timeout / HZ); 0 on receive = the state's own timeout.</summary>
    public uint TimeoutSeconds { get; init; }
    public uint ClientAddress { get; init; }
    public uint VirtualAddress { get; init; }
    public uint DestinationAddress { get; init; }
    /// <summary>IPVS_OPT_SEQ_DATA: in_seq and out_seq, or null.</summary>
    public (SyncSequence In, SyncSequence Out)? Sequence { get; init; }
    /// <summary>IPVS_OPT_PE_DATA (a persistence engine's data, e.g. SIP's Call-ID), or null.</summary>
    public byte[]? PeData { get; init; }
    /// <summary>IPVS_OPT_PE_NAME (the persistence engine, e.g. "sip"), or null.</summary>
    public string? PeName { get; init; }

    public bool IsTemplate => (Flags & SyncConnectionFlags.Template) != 0;

    /// <summary>The bytes this entry takes in a message, without the padding to 32 bits before the next one.</summary>
    public int WireSize =>
        SyncWire.EntryV4Size + (Sequence is null ? 0 : 2 + SyncWire.SequenceOptionSize)
        + (PeData is { Length: > 0 } d ? 2 + d.Length + (PeName is { Length: > 0 } n ? 2 + n.Length : 0) : 0);

    public bool Equals(SyncConnection? o) =>
        o is not null && Protocol == o.Protocol && Flags == o.Flags && State == o.State && ClientPort == o.ClientPort
        && VirtualPort == o.VirtualPort && DestinationPort == o.DestinationPort && FirewallMark == o.FirewallMark
        && TimeoutSeconds == o.TimeoutSeconds && ClientAddress == o.ClientAddress && VirtualAddress == o.VirtualAddress
        && DestinationAddress == o.DestinationAddress && Sequence == o.Sequence && PeName == o.PeName
        && (PeData ?? Array.Empty<byte>()).AsSpan().SequenceEqual(o.PeData ?? Array.Empty<byte>());

    public override int GetHashCode() => HashCode.Combine(Protocol, Flags, State, ClientAddress, ClientPort, VirtualAddress, VirtualPort);

    public override string ToString() =>
        $"{Protocol} {Addr(ClientAddress)}:{ClientPort} -> {Addr(VirtualAddress)}:{VirtualPort} -> {Addr(DestinationAddress)}:{DestinationPort} state {State} flags 0x{(uint)Flags:x} timeout {TimeoutSeconds}";

    private static string Addr(uint a) => $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}";
}

/// <summary>The sizes and constants of ip_vs_sync.c's protocol version 1.</summary>
public static class SyncWire
{
    /// <summary>SYNC_PROTO_VER.</summary>
    public const byte ProtocolVersion = 1;
    /// <summary>struct ip_vs_sync_mesg: reserved, syncid, size, nr_conns, version, spare.</summary>
    public const int HeaderSize = 8;
    /// <summary>struct ip_vs_sync_mesg_v0: nr_conns, syncid, size (the shortest message the kernel looks at).</summary>
    public const int HeaderV0Size = 4;
    /// <summary>struct ip_vs_sync_v4.</summary>
    public const int EntryV4Size = 36;
    /// <summary>struct ip_vs_sync_v6.</summary>
    public const int EntryV6Size = 72;
    /// <summary>struct ip_vs_sync_conn_options: in_seq and out_seq, 12 bytes each.</summary>
    public const int SequenceOptionSize = 24;
    /// <summary>STYPE_F_INET6: the entry's type bit for IPv6.</summary>
    public const byte TypeInet6 = 1;
    /// <summary>SVER_SHIFT / SVER_MASK: ver_size holds the entry version in its top 4 bits and the size below.</summary>
    public const int VersionShift = 12;
    public const ushort SizeMask = 0x0fff;
    /// <summary>IPVS_OPT_SEQ_DATA, IPVS_OPT_PE_DATA, IPVS_OPT_PE_NAME; IPVS_OPT_F_PARAM marks an optional parameter.</summary>
    public const byte OptionSeqData = 1, OptionPeData = 2, OptionPeName = 3, OptionFlagParam = 64;
    /// <summary>IP_VS_PEDATA_MAXLEN, IP_VS_PENAME_MAXLEN.</summary>
    public const int PeDataMaxLength = 255, PeNameMaxLength = 16;
    /// <summary>An IPv4 and a UDP header: what the MTU leaves less for a message.</summary>
    public const int Ipv4UdpHeaders = 28;
    /// <summary>At most 255 entries: nr_conns is one byte.</summary>
    public const int MaxEntriesPerMessage = 255;

    /// <summary>
    /// The largest message (sync_maxlen) as start_sync_thread computes it for IPv4: with --sync-maxlen given, that
    /// clamped to [1 (master) or 1024 (backup), 65535 - 28]; else from the MTU less 28, where a master always assumes
    /// 1500 and a backup takes the interface's MTU clamped to [1500, 65535].
    /// </summary>
    public static int MaxLength(SyncDaemonRole role, int interfaceMtu, int requested)
    {
        int min = role == SyncDaemonRole.Backup ? 1024 : 1;
        if (requested > 0) return Math.Clamp(requested, min, 65535 - Ipv4UdpHeaders);
        int mtu = role == SyncDaemonRole.Backup ? Math.Clamp(interfaceMtu, 1500, 65535) : 1500;
        return mtu - Ipv4UdpHeaders;
    }
}

/// <summary>The kernel's state numbers on the wire (IP_VS_TCP_S_*, IP_VS_UDP_S_NORMAL, IP_VS_SCTP_S_*, IP_VS_CTPL_S_*).</summary>
public static class SyncStates
{
    public const byte Tcp = 6, Udp = 17, Sctp = 132;
    /// <summary>pp->num_states: IP_VS_TCP_S_LAST 11, IP_VS_UDP_S_LAST 1, IP_VS_SCTP_S_LAST 14; IP_VS_CTPL_S_LAST 2.</summary>
    public const int TcpStates = 11, UdpStates = 1, SctpStates = 14, TemplateStates = 2;

    /// <summary>The protocols whose entries a backup takes (ip_vs_proto_get); others are skipped.</summary>
    public static bool IsSupportedProtocol(byte protocol) => protocol is Tcp or Udp or Sctp;

    /// <summary>The number of states of a protocol (0 = not supported).</summary>
    public static int StateCount(byte protocol) => protocol switch { Tcp => TcpStates, Udp => UdpStates, Sctp => SctpStates, _ => 0 };

    // IP_VS_SCTP_S_NONE .. IP_VS_SCTP_S_CLOSED, in the kernel's order.
    private static readonly LvsConnectionState[] SctpOrder =
    {
        LvsConnectionState.None, LvsConnectionState.SctpInit1, LvsConnectionState.SctpInit, LvsConnectionState.SctpCookieSent,
        LvsConnectionState.SctpCookieReplied, LvsConnectionState.SctpCookieWait, LvsConnectionState.SctpCookie,
        LvsConnectionState.SctpCookieEchoed, LvsConnectionState.Established, LvsConnectionState.SctpShutdownSent,
        LvsConnectionState.SctpShutdownReceived, LvsConnectionState.SctpShutdownAckSent, LvsConnectionState.SctpRejected,
        LvsConnectionState.SctpClosed,
    };

    /// <summary>
    /// The wire number of a state: TCP's IP_VS_TCP_S_* are LvsConnectionState None..SynAck in order (0..10), UDP has
    /// one state (0), SCTP's follow the kernel's order, a template is NONE 0 or ASSURED 1.
    /// </summary>
    public static ushort ToWire(byte protocol, bool template, LvsConnectionState state)
    {
        if (template) return state == LvsConnectionState.Assured ? (ushort)1 : (ushort)0;
        switch (protocol)
        {
            case Tcp: return (int)state <= (int)LvsConnectionState.SynAck ? (ushort)state : (ushort)0;
            case Sctp: int i = Array.IndexOf(SctpOrder, state); return i < 0 ? (ushort)0 : (ushort)i;
            default: return 0;
        }
    }

    /// <summary>The state a wire number stands for; false when it is out of the protocol's range.</summary>
    public static bool TryFromWire(byte protocol, bool template, ushort wire, out LvsConnectionState state)
    {
        state = LvsConnectionState.None;
        if (template)
        {
            // The kernel only logs a template state out of range and keeps it; NONE is the safe reading.
            state = wire == 1 ? LvsConnectionState.Assured : LvsConnectionState.None;
            return true;
        }
        switch (protocol)
        {
            case Tcp when wire < TcpStates: state = (LvsConnectionState)wire; return true;
            case Udp when wire < UdpStates: state = LvsConnectionState.Udp; return true;
            case Sctp when wire < SctpStates: state = SctpOrder[wire]; return true;
            default: return false;
        }
    }
}
