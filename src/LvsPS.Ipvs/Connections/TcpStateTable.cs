using System.Runtime.CompilerServices;

namespace LvsPS.Ipvs.Connections;

/// <summary>Which way a packet of a connection travels, as IPVS tracks it.</summary>
public enum TcpDirection
{
    /// <summary>Client to real server, on a connection whose replies also cross the director (NAT).</summary>
    Input = 0,
    /// <summary>Real server to client (seen only in NAT).</summary>
    Output = 1,
    /// <summary>
    /// Client to real server on a connection that has IP_VS_CONN_F_NOOUTPUT (every DR and TUN connection,
    /// and a NAT connection until its first reply): the director sees one side only.
    /// </summary>
    InputOnly = 2,
}

/// <summary>
/// The IPVS TCP state machine (ip_vs_proto_tcp.c, tcp_states and tcp_states_dos). The next state is looked up by
/// direction, by the packet's flags with the priority RST &gt; SYN &gt; FIN &gt; ACK, and by the current state.
/// A packet with none of those flags moves the connection to CLOSE, as the kernel does. Allocation free.
/// </summary>
public static class TcpStateTable
{
    public const byte FlagFin = 0x01;
    public const byte FlagSyn = 0x02;
    public const byte FlagRst = 0x04;
    public const byte FlagPsh = 0x08;
    public const byte FlagAck = 0x10;

    /// <summary>Number of TCP states (NONE .. SYNACK); <see cref="LvsConnectionState.Udp"/> is not one.</summary>
    public const int TcpStateCount = 11;

    private const byte NO = (byte)LvsConnectionState.None;
    private const byte ES = (byte)LvsConnectionState.Established;
    private const byte SS = (byte)LvsConnectionState.SynSent;
    private const byte SR = (byte)LvsConnectionState.SynRecv;
    private const byte FW = (byte)LvsConnectionState.FinWait;
    private const byte TW = (byte)LvsConnectionState.TimeWait;
    private const byte CL = (byte)LvsConnectionState.Close;
    private const byte CW = (byte)LvsConnectionState.CloseWait;
    private const byte LA = (byte)LvsConnectionState.LastAck;
    private const byte LI = (byte)LvsConnectionState.Listen;
    private const byte SA = (byte)LvsConnectionState.SynAck;

    // Rows: direction (INPUT, OUTPUT, INPUT-ONLY) x flag (syn, fin, ack, rst); columns: current state
    // NO ES SS SR FW TW CL CW LA LI SA. Values are the kernel's transition table (recent kernels, where an ACK
    // on a NONE entry, e.g. one created by the sync daemon, goes to ESTABLISHED).
    private static ReadOnlySpan<byte> Normal => new byte[]
    {
        // INPUT
        SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR, // syn
        CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR, // rst
        // OUTPUT
        SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR, // syn
        TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES, // ack
        CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL, // rst
        // INPUT-ONLY
        SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR, // syn
        CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL, // rst
    };

    // secure_tcp ("dos") variant.
    private static ReadOnlySpan<byte> Secure => new byte[]
    {
        // INPUT
        SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SA, // syn
        CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, SA, // fin
        ES, ES, SS, SR, FW, TW, CL, CW, CL, LI, SA, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL, // rst
        // OUTPUT
        SS, ES, SS, SA, SS, SS, SS, SS, SS, LI, SA, // syn
        TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES, // ack
        CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL, // rst
        // INPUT-ONLY
        SA, ES, ES, SR, SA, SA, SA, SA, SA, SA, SA, // syn
        CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW, // fin
        ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES, // ack
        CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL, // rst
    };

    /// <summary>
    /// The state after a packet with <paramref name="tcpFlags"/> (the TCP header's flag byte) travelling in
    /// <paramref name="dir"/>, using the normal table (secure_tcp off).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LvsConnectionState Next(LvsConnectionState current, byte tcpFlags, TcpDirection dir)
        => Lookup(Normal, current, tcpFlags, dir);

    /// <summary>As <see cref="Next(LvsConnectionState, byte, TcpDirection)"/>, choosing the secure_tcp table when asked.</summary>
    public static LvsConnectionState Next(LvsConnectionState current, byte tcpFlags, TcpDirection dir, bool secureTcp)
        => Lookup(secureTcp ? Secure : Normal, current, tcpFlags, dir);

    /// <summary>
    /// The kernel's set_tcp_state direction handling: on a connection that still has IP_VS_CONN_F_NOOUTPUT
    /// (<paramref name="noOutput"/>), an input packet uses the INPUT-ONLY table and an output packet clears the flag
    /// and uses the OUTPUT table. Returns the next state.
    /// </summary>
    public static LvsConnectionState NextTracked(LvsConnectionState current, byte tcpFlags, TcpDirection packetDirection, ref bool noOutput)
    {
        var dir = packetDirection;
        if (noOutput)
        {
            if (dir == TcpDirection.Output)
                noOutput = false;
            else
                dir = TcpDirection.InputOnly;
        }
        return Lookup(Normal, current, tcpFlags, dir);
    }

    /// <summary>Row index for the flags: 0 syn, 1 fin, 2 ack, 3 rst (RST &gt; SYN &gt; FIN &gt; ACK), -1 for none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FlagIndex(byte tcpFlags)
    {
        if ((tcpFlags & FlagRst) != 0) return 3;
        if ((tcpFlags & FlagSyn) != 0) return 0;
        if ((tcpFlags & FlagFin) != 0) return 1;
        if ((tcpFlags & FlagAck) != 0) return 2;
        return -1;
    }

    /// <summary>
    /// True for the states whose connections ipvsadm counts under ActiveConn: ESTABLISHED, SYN_SENT, SYN_RECV and
    /// SYNACK (tcp_state_active_table). Every other state, and UDP, counts under InActConn.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsActive(LvsConnectionState state)
        => state is LvsConnectionState.Established or LvsConnectionState.SynSent
            or LvsConnectionState.SynRecv or LvsConnectionState.SynAck;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static LvsConnectionState Lookup(ReadOnlySpan<byte> table, LvsConnectionState current, byte tcpFlags, TcpDirection dir)
    {
        uint col = (uint)current;
        if (col >= TcpStateCount)
            ThrowNotTcpState(current);
        if ((uint)dir > (uint)TcpDirection.InputOnly)
            ThrowBadDirection(dir);
        int row = FlagIndex(tcpFlags);
        if (row < 0)
            return LvsConnectionState.Close;
        return (LvsConnectionState)table[(((int)dir * 4) + row) * TcpStateCount + (int)col];
    }

    private static void ThrowNotTcpState(LvsConnectionState s)
        => throw new ArgumentOutOfRangeException(nameof(s), s, "Not a TCP connection state.");

    private static void ThrowBadDirection(TcpDirection d)
        => throw new ArgumentOutOfRangeException(nameof(d), d, "Unknown direction.");
}

/// <summary>
/// IPVS connection timeouts in seconds (defaults from ip_vs_proto_tcp.c / ip_vs_proto_udp.c). <see cref="Tcp"/>,
/// <see cref="TcpFin"/> and <see cref="Udp"/> are the three values ipvsadm --set changes (ESTABLISHED, FIN_WAIT and
/// UDP); every per-state value can be read with <see cref="For"/> and changed with <see cref="SetState"/>.
/// </summary>
public sealed class LvsTimeouts
{
    /// <summary>ipvsadm's upper bound for --set values: 31 days.</summary>
    public const int MaxSeconds = 31 * 24 * 60 * 60;

    // Indexed by LvsConnectionState: NONE .. SYNACK, then UDP.
    private readonly int[] _seconds = { 2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120, 300 };

    /// <summary>ESTABLISHED timeout (ipvsadm "tcp"), default 900.</summary>
    public int Tcp
    {
        get => _seconds[(int)LvsConnectionState.Established];
        set => _seconds[(int)LvsConnectionState.Established] = Check(value, nameof(Tcp));
    }

    /// <summary>FIN_WAIT timeout (ipvsadm "tcpfin"), default 120.</summary>
    public int TcpFin
    {
        get => _seconds[(int)LvsConnectionState.FinWait];
        set => _seconds[(int)LvsConnectionState.FinWait] = Check(value, nameof(TcpFin));
    }

    /// <summary>UDP timeout (ipvsadm "udp"), default 300.</summary>
    public int Udp
    {
        get => _seconds[(int)LvsConnectionState.Udp];
        set => _seconds[(int)LvsConnectionState.Udp] = Check(value, nameof(Udp));
    }

    /// <summary>The timeout of a state, in seconds (allocation free); UDP connections use <see cref="LvsConnectionState.Udp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int For(LvsConnectionState state) => _seconds[(int)state];

    /// <summary>Changes the timeout of one state (1 .. <see cref="MaxSeconds"/>).</summary>
    public void SetState(LvsConnectionState state, int seconds)
    {
        if ((uint)state >= (uint)_seconds.Length)
            throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown connection state.");
        _seconds[(int)state] = Check(seconds, nameof(seconds));
    }

    /// <summary>ipvsadm --set tcp tcpfin udp: a 0 leaves that value unchanged; each value is 0 .. 31 days.</summary>
    public void Set(int tcp, int tcpFin, int udp)
    {
        CheckSet(tcp, nameof(tcp));
        CheckSet(tcpFin, nameof(tcpFin));
        CheckSet(udp, nameof(udp));
        if (tcp != 0) Tcp = tcp;
        if (tcpFin != 0) TcpFin = tcpFin;
        if (udp != 0) Udp = udp;
    }

    public LvsTimeouts Clone()
    {
        var c = new LvsTimeouts();
        Array.Copy(_seconds, c._seconds, _seconds.Length);
        return c;
    }

    /// <summary>The ipvsadm --timeout line body: "900 120 300".</summary>
    public override string ToString() => FormattableString.Invariant($"{Tcp} {TcpFin} {Udp}");

    private static int Check(int value, string name)
    {
        if (value < 1 || value > MaxSeconds)
            throw new ArgumentOutOfRangeException(name, value, $"A timeout must be between 1 and {MaxSeconds} seconds.");
        return value;
    }

    private static void CheckSet(int value, string name)
    {
        if (value < 0 || value > MaxSeconds)
            throw new ArgumentOutOfRangeException(name, value, $"A timeout must be between 0 (unchanged) and {MaxSeconds} seconds.");
    }
}
