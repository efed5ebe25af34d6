using System.Runtime.CompilerServices;

namespace LvsPS.Ipvs.Connections;

/// <summary>The events of the IPVS SCTP state machine (ipvs_sctp_event_t), one per kind of first chunk.</summary>
public enum SctpEvent
{
    /// <summary>DATA, SACK, HEARTBEAT, HEARTBEAT-ACK, ECNE, CWR and every chunk type the kernel does not list.</summary>
    Data = 0,
    Init,
    InitAck,
    CookieEcho,
    CookieAck,
    Shutdown,
    ShutdownAck,
    ShutdownComplete,
    Error,
    Abort,
}

/// <summary>
/// The IPVS SCTP state machine (ip_vs_proto_sctp.c: sctp_events, sctp_states, sctp_timeouts, set_sctp_state).
/// The next state is looked up by direction (INPUT, OUTPUT, INPUT-ONLY, the same directions as TCP: see
/// <see cref="TcpDirection"/>), by the event of the packet's first chunk, and by the current state. Only
/// ESTABLISHED counts as active (set_sctp_state moves a connection to ActiveConn only when it enters
/// ESTABLISHED). Allocation free.
/// </summary>
public static class SctpStateTable
{
    // Chunk types (RFC 4960 3.2, the kernel's SCTP_CID_*).
    public const byte ChunkData = 0;
    public const byte ChunkInit = 1;
    public const byte ChunkInitAck = 2;
    public const byte ChunkSack = 3;
    public const byte ChunkHeartbeat = 4;
    public const byte ChunkHeartbeatAck = 5;
    public const byte ChunkAbort = 6;
    public const byte ChunkShutdown = 7;
    public const byte ChunkShutdownAck = 8;
    public const byte ChunkError = 9;
    public const byte ChunkCookieEcho = 10;
    public const byte ChunkCookieAck = 11;
    public const byte ChunkEcne = 12;
    public const byte ChunkCwr = 13;
    public const byte ChunkShutdownComplete = 14;

    /// <summary>Length of the SCTP common header (ports, verification tag, checksum).</summary>
    public const int CommonHeaderLength = 12;
    /// <summary>Length of a chunk header (type, flags, length).</summary>
    public const int ChunkHeaderLength = 4;

    /// <summary>Number of SCTP states (IP_VS_SCTP_S_LAST).</summary>
    public const int StateCount = 14;
    /// <summary>Number of events (IP_VS_SCTP_EVENT_LAST).</summary>
    public const int EventCount = 10;

    // Kernel state indices (IP_VS_SCTP_S_*) as LvsConnectionState values.
    private const byte NO = (byte)LvsConnectionState.None;
    private const byte I1 = (byte)LvsConnectionState.SctpInit1;
    private const byte IN = (byte)LvsConnectionState.SctpInit;
    private const byte CS = (byte)LvsConnectionState.SctpCookieSent;
    private const byte CR = (byte)LvsConnectionState.SctpCookieReplied;
    private const byte CW = (byte)LvsConnectionState.SctpCookieWait;
    private const byte CO = (byte)LvsConnectionState.SctpCookie;
    private const byte CE = (byte)LvsConnectionState.SctpCookieEchoed;
    private const byte ES = (byte)LvsConnectionState.Established;
    private const byte SS = (byte)LvsConnectionState.SctpShutdownSent;
    private const byte SR = (byte)LvsConnectionState.SctpShutdownReceived;
    private const byte SA = (byte)LvsConnectionState.SctpShutdownAckSent;
    private const byte RJ = (byte)LvsConnectionState.SctpRejected;
    private const byte CL = (byte)LvsConnectionState.SctpClosed;
    private const byte XX = 0xff;

    /// <summary>LvsConnectionState → kernel state index (IP_VS_SCTP_S_*), 0xff for a state SCTP does not have.</summary>
    private static ReadOnlySpan<byte> KernelIndex => new byte[]
    {
        0, 8, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, // None, Established, the TCP states, Udp
        1, 2, 3, 4, 5, 6, 7,                          // SctpInit1 .. SctpCookieEchoed
        9, 10, 11, 12, 13,                            // SctpShutdownSent .. SctpClosed
    };

    /// <summary>Kernel state index → LvsConnectionState.</summary>
    private static ReadOnlySpan<byte> States => new byte[] { NO, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL };

    /// <summary>sctp_events: chunk type (0 .. SHUTDOWN_COMPLETE) → event; higher types are DATA.</summary>
    private static ReadOnlySpan<byte> Events => new byte[]
    {
        (byte)SctpEvent.Data,             // DATA
        (byte)SctpEvent.Init,             // INIT
        (byte)SctpEvent.InitAck,          // INIT_ACK
        (byte)SctpEvent.Data,             // SACK
        (byte)SctpEvent.Data,             // HEARTBEAT
        (byte)SctpEvent.Data,             // HEARTBEAT_ACK
        (byte)SctpEvent.Abort,            // ABORT
        (byte)SctpEvent.Shutdown,         // SHUTDOWN
        (byte)SctpEvent.ShutdownAck,      // SHUTDOWN_ACK
        (byte)SctpEvent.Error,            // ERROR
        (byte)SctpEvent.CookieEcho,       // COOKIE_ECHO
        (byte)SctpEvent.CookieAck,        // COOKIE_ACK
        (byte)SctpEvent.Data,             // ECN_ECNE
        (byte)SctpEvent.Data,             // ECN_CWR
        (byte)SctpEvent.ShutdownComplete, // SHUTDOWN_COMPLETE
    };

    // sctp_states[direction][event][state]; columns in the kernel's state order:
    // NO I1 IN CS CR CW CO CE ES SS SR SA RJ CL
    private static ReadOnlySpan<byte> Table => new byte[]
    {
        // INPUT
        ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL, // DATA
        I1, IN, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, IN, IN, // INIT
        CW, CW, CW, CS, CR, CO, CO, CE, ES, SS, SR, SA, RJ, CL, // INIT_ACK
        CR, IN, IN, CR, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL, // COOKIE_ECHO
        ES, I1, IN, CS, CR, CW, CO, ES, ES, SS, SR, SA, RJ, CL, // COOKIE_ACK
        SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL, // SHUTDOWN
        CL, IN, IN, CS, CR, CW, CO, CE, ES, CL, SR, CL, RJ, CL, // SHUTDOWN_ACK
        CL, CL, CL, CS, CR, CW, CO, CE, ES, SS, SR, CL, RJ, CL, // SHUTDOWN_COMPLETE
        CL, I1, IN, CS, CR, CW, CO, CL, ES, SS, SR, SA, RJ, CL, // ERROR
        CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL, // ABORT
        // OUTPUT
        ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL, // DATA
        CW, CW, CW, CW, CW, CW, CW, CW, ES, CW, CW, CW, CW, CW, // INIT
        CS, CS, CS, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL, // INIT_ACK
        CE, CE, CE, CE, CE, CE, CE, CE, ES, SS, SR, SA, RJ, CL, // COOKIE_ECHO
        ES, ES, ES, ES, ES, ES, ES, ES, ES, SS, SR, SA, RJ, CL, // COOKIE_ACK
        SS, SS, SS, SS, SS, SS, SS, SS, SS, SS, SR, SA, RJ, CL, // SHUTDOWN
        SA, SA, SA, SA, SA, CW, CO, CE, ES, SA, SA, SA, RJ, CL, // SHUTDOWN_ACK
        CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL, // SHUTDOWN_COMPLETE
        CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, SR, SA, RJ, CL, // ERROR
        CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, // ABORT
        // INPUT-ONLY
        ES, I1, IN, CS, CR, ES, CO, CE, ES, SS, SR, SA, RJ, CL, // DATA
        I1, IN, IN, IN, IN, IN, CO, CE, ES, SS, SR, SA, IN, IN, // INIT
        CE, CE, CE, CE, CE, CE, CO, CE, ES, SS, SR, SA, RJ, CL, // INIT_ACK
        ES, ES, ES, ES, ES, ES, CO, CE, ES, SS, SR, SA, RJ, CL, // COOKIE_ECHO
        ES, I1, IN, ES, ES, CW, ES, ES, ES, SS, SR, SA, RJ, CL, // COOKIE_ACK
        SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL, // SHUTDOWN
        CL, IN, IN, CS, CR, CW, CO, CE, CL, CL, SR, CL, RJ, CL, // SHUTDOWN_ACK
        CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, CL, CL, RJ, CL, // SHUTDOWN_COMPLETE
        CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL, // ERROR
        CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL, // ABORT
    };

    private const int MaxRto = 60 + 1; // IP_VS_SCTP_MAX_RTO

    /// <summary>sctp_timeouts in seconds, by kernel state index.</summary>
    private static ReadOnlySpan<byte> Timeouts => new byte[]
    {
        2,      // NONE
        0 + 3 + 1, // INIT1
        MaxRto, // INIT
        MaxRto, // COOKIE_SENT
        MaxRto, // COOKIE_REPLIED
        MaxRto, // COOKIE_WAIT
        MaxRto, // COOKIE
        MaxRto, // COOKIE_ECHOED
        0,      // ESTABLISHED: 15 * 60, too big for a byte (see TimeoutSeconds)
        MaxRto, // SHUTDOWN_SENT
        MaxRto, // SHUTDOWN_RECEIVED
        MaxRto, // SHUTDOWN_ACK_SENT
        0 + 3 + 1, // REJECTED
        MaxRto, // CLOSED
    };

    /// <summary>True for NONE, ESTABLISHED and the Sctp* states.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSctpState(LvsConnectionState state)
        => (uint)state < (uint)KernelIndex.Length && KernelIndex[(int)state] != XX;

    /// <summary>The kernel's state index (IP_VS_SCTP_S_*) of an SCTP state.</summary>
    public static int ToKernelIndex(LvsConnectionState state)
    {
        if (!IsSctpState(state)) ThrowNotSctpState(state);
        return KernelIndex[(int)state];
    }

    /// <summary>The state of kernel index <paramref name="index"/> (0 .. 13).</summary>
    public static LvsConnectionState FromKernelIndex(int index)
    {
        if ((uint)index >= StateCount) throw new ArgumentOutOfRangeException(nameof(index), index, "Not an SCTP state index.");
        return (LvsConnectionState)States[index];
    }

    /// <summary>sctp_events: the event of a chunk type; a type the kernel does not list counts as DATA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SctpEvent EventOf(byte chunkType)
        => chunkType < Events.Length ? (SctpEvent)Events[chunkType] : SctpEvent.Data;

    /// <summary>The type of the first chunk of the SCTP packet <paramref name="sctp"/> (common header first); false when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryGetFirstChunkType(ReadOnlySpan<byte> sctp, out byte chunkType)
    {
        if (sctp.Length < CommonHeaderLength + ChunkHeaderLength) { chunkType = 0; return false; }
        chunkType = sctp[CommonHeaderLength];
        return true;
    }

    /// <summary>
    /// The chunk type set_sctp_state acts on: the first chunk's, except that a COOKIE-ECHO or COOKIE-ACK followed
    /// by an ABORT (bundled as RFC 4960 allows) counts as the ABORT. False when the packet has no chunk header:
    /// the kernel then leaves state and timeout as they are.
    /// </summary>
    public static bool TryGetStateChunkType(ReadOnlySpan<byte> sctp, out byte chunkType)
    {
        if (!TryGetFirstChunkType(sctp, out chunkType)) return false;
        if (chunkType is ChunkCookieEcho or ChunkCookieAck)
        {
            int clen = (sctp[CommonHeaderLength + 2] << 8) | sctp[CommonHeaderLength + 3];
            if (clen >= ChunkHeaderLength)
            {
                long next = CommonHeaderLength + (((long)clen + 3) & ~3L); // ALIGN(clen, 4)
                if (next + ChunkHeaderLength <= sctp.Length && sctp[(int)next] == ChunkAbort)
                    chunkType = ChunkAbort;
            }
        }
        return true;
    }

    /// <summary>The state after a packet whose (state-relevant) chunk type is <paramref name="chunkType"/>, travelling in <paramref name="dir"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LvsConnectionState Next(LvsConnectionState current, byte chunkType, TcpDirection dir)
        => Next(current, EventOf(chunkType), dir);

    /// <summary>The state after event <paramref name="ev"/> travelling in <paramref name="dir"/>.</summary>
    public static LvsConnectionState Next(LvsConnectionState current, SctpEvent ev, TcpDirection dir)
    {
        if (!IsSctpState(current)) ThrowNotSctpState(current);
        if ((uint)dir > (uint)TcpDirection.InputOnly) ThrowBadDirection(dir);
        if ((uint)ev >= EventCount) ThrowBadEvent(ev);
        return (LvsConnectionState)Table[((int)dir * EventCount + (int)ev) * StateCount + KernelIndex[(int)current]];
    }

    /// <summary>
    /// set_sctp_state's direction handling: on a connection that still has IP_VS_CONN_F_NOOUTPUT
    /// (<paramref name="noOutput"/>), an input packet uses the INPUT-ONLY table and an output packet clears the flag
    /// and uses the OUTPUT table.
    /// </summary>
    public static LvsConnectionState NextTracked(LvsConnectionState current, byte chunkType, TcpDirection packetDirection, ref bool noOutput)
    {
        var dir = packetDirection;
        if (noOutput)
        {
            if (dir == TcpDirection.Output) noOutput = false;
            else dir = TcpDirection.InputOnly;
        }
        return Next(current, chunkType, dir);
    }

    /// <summary>ActiveConn for SCTP is ESTABLISHED only; every other state counts under InActConn.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsActive(LvsConnectionState state) => state == LvsConnectionState.Established;

    /// <summary>The default timeout of an SCTP state in seconds (sctp_timeouts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TimeoutSeconds(LvsConnectionState state)
    {
        if (!IsSctpState(state)) ThrowNotSctpState(state);
        return state == LvsConnectionState.Established ? 15 * 60 : Timeouts[KernelIndex[(int)state]];
    }

    private static void ThrowNotSctpState(LvsConnectionState s)
        => throw new ArgumentOutOfRangeException(nameof(s), s, "Not an SCTP connection state.");

    private static void ThrowBadDirection(TcpDirection d)
        => throw new ArgumentOutOfRangeException(nameof(d), d, "Unknown direction.");

    private static void ThrowBadEvent(SctpEvent e)
        => throw new ArgumentOutOfRangeException(nameof(e), e, "Unknown SCTP event.");
}
