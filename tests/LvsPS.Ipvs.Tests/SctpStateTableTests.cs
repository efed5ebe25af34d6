using static LvsPS.Ipvs.Connections.SctpStateTable;
using S = LvsPS.Ipvs.Model.LvsConnectionState;

namespace LvsPS.Ipvs.Tests;

/// <summary>
/// The SCTP state machine against cases worked out by hand from ip_vs_proto_sctp.c (sctp_events, sctp_states,
/// sctp_timeouts, set_sctp_state).
/// </summary>
public class SctpStateTableTests
{
    private const TcpDirection In = TcpDirection.Input, Out = TcpDirection.Output, Only = TcpDirection.InputOnly;

    private static S Walk(S start, params (byte Chunk, TcpDirection Dir)[] packets)
    {
        var s = start;
        foreach (var (c, d) in packets) s = Next(s, c, d);
        return s;
    }

    /// <summary>Walks from <paramref name="start"/>, asserting the state after each packet.</summary>
    private static void AssertWalk(S start, params (byte Chunk, TcpDirection Dir, S Then)[] steps)
    {
        var s = start;
        foreach (var (c, d, then) in steps)
        {
            Assert.Equal(then, Next(s, c, d));
            s = then;
        }
    }

    [Fact]
    public void Nat_ClientInitiatedAssociation_SetupAndShutdown()
    {
        AssertWalk(S.None,
            // Client INIT (INPUT), server INIT-ACK (OUTPUT), client COOKIE-ECHO, server COOKIE-ACK: ESTABLISHED.
            (ChunkInit, In, S.SctpInit1), (ChunkInitAck, Out, S.SctpCookieSent),
            (ChunkCookieEcho, In, S.SctpCookieReplied), (ChunkCookieAck, Out, S.Established),
            (ChunkData, In, S.Established), (ChunkSack, Out, S.Established),
            (ChunkHeartbeat, In, S.Established), (ChunkHeartbeatAck, Out, S.Established),
            // Client SHUTDOWN -> SHUTDOWN_RECEIVED, server SHUTDOWN-ACK -> SHUTDOWN_ACK_SENT, client COMPLETE -> CLOSED.
            (ChunkShutdown, In, S.SctpShutdownReceived), (ChunkShutdownAck, Out, S.SctpShutdownAckSent),
            (ChunkShutdownComplete, In, S.SctpClosed));
        // Server-initiated shutdown: server SHUTDOWN (OUTPUT) -> SHUTDOWN_SENT, client SHUTDOWN-ACK (INPUT) -> CLOSED.
        AssertWalk(S.Established, (ChunkShutdown, Out, S.SctpShutdownSent), (ChunkShutdownAck, In, S.SctpClosed));
    }

    [Fact]
    public void DirectRouting_InputOnly_Walk()
    {
        Assert.Equal(S.Established, Walk(S.None,
            (ChunkInit, Only), (ChunkCookieEcho, Only)));
        AssertWalk(S.None, (ChunkInit, Only, S.SctpInit1), (ChunkInit, Only, S.SctpInit)); // a retransmitted INIT
        AssertWalk(S.SctpInit1,
            (ChunkCookieEcho, Only, S.Established), (ChunkShutdown, Only, S.SctpShutdownReceived),
            (ChunkShutdownComplete, Only, S.SctpClosed), (ChunkInit, Only, S.SctpInit));
        // the server-initiated shutdown (SHUTDOWN-ACK from ESTABLISHED) is a cell of TableCells
    }

    [Theory]
    // A sample of cells, one per row of each direction (kernel column order NO I1 IN CS CR CW CO CE ES SS SR SA RJ CL).
    [InlineData(In, ChunkData, S.None, S.Established)]
    [InlineData(In, ChunkInit, S.SctpRejected, S.SctpInit)]
    [InlineData(In, ChunkInitAck, S.SctpCookieWait, S.SctpCookie)]
    [InlineData(In, ChunkCookieEcho, S.None, S.SctpCookieReplied)]
    [InlineData(In, ChunkCookieAck, S.SctpCookieEchoed, S.Established)]
    [InlineData(In, ChunkShutdown, S.Established, S.SctpShutdownReceived)]
    [InlineData(In, ChunkShutdownAck, S.SctpShutdownSent, S.SctpClosed)]
    [InlineData(In, ChunkShutdownComplete, S.SctpInit1, S.SctpClosed)]
    [InlineData(In, ChunkError, S.SctpCookieEchoed, S.SctpClosed)]
    [InlineData(In, ChunkAbort, S.SctpCookieWait, S.SctpRejected)]
    [InlineData(Out, ChunkInit, S.Established, S.Established)]
    [InlineData(Out, ChunkInit, S.SctpClosed, S.SctpCookieWait)]
    [InlineData(Out, ChunkInitAck, S.SctpCookieReplied, S.SctpCookieReplied)]
    [InlineData(Out, ChunkCookieEcho, S.SctpCookie, S.SctpCookieEchoed)]
    [InlineData(Out, ChunkCookieAck, S.SctpInit, S.Established)]
    [InlineData(Out, ChunkShutdown, S.SctpShutdownReceived, S.SctpShutdownReceived)]
    [InlineData(Out, ChunkShutdownAck, S.SctpCookieWait, S.SctpCookieWait)]
    [InlineData(Out, ChunkShutdownComplete, S.None, S.SctpClosed)]
    [InlineData(Out, ChunkError, S.SctpInit1, S.SctpClosed)]
    [InlineData(Out, ChunkAbort, S.SctpInit1, S.SctpRejected)]
    [InlineData(Out, ChunkAbort, S.SctpCookieWait, S.SctpClosed)]
    [InlineData(Only, ChunkInitAck, S.None, S.SctpCookieEchoed)]
    [InlineData(Only, ChunkCookieAck, S.SctpCookieSent, S.Established)]
    [InlineData(Only, ChunkShutdownAck, S.Established, S.SctpClosed)]
    [InlineData(Only, ChunkShutdownComplete, S.Established, S.Established)]
    [InlineData(Only, ChunkAbort, S.SctpCookieWait, S.SctpRejected)]
    [InlineData(Only, ChunkAbort, S.Established, S.SctpClosed)]
    [InlineData(Only, ChunkInit, S.SctpRejected, S.SctpInit)]
    // DATA on COOKIE_WAIT is ESTABLISHED only in the INPUT-ONLY table.
    [InlineData(Only, ChunkData, S.SctpCookieWait, S.Established)]
    [InlineData(In, ChunkData, S.SctpCookieWait, S.SctpCookieWait)]
    public void TableCells(TcpDirection dir, byte chunk, S from, S to) => Assert.Equal(to, Next(from, chunk, dir));

    [Theory]
    [InlineData(ChunkData, SctpEvent.Data)]
    [InlineData(ChunkInit, SctpEvent.Init)]
    [InlineData(ChunkInitAck, SctpEvent.InitAck)]
    [InlineData(ChunkSack, SctpEvent.Data)]
    [InlineData(ChunkHeartbeat, SctpEvent.Data)]
    [InlineData(ChunkHeartbeatAck, SctpEvent.Data)]
    [InlineData(ChunkAbort, SctpEvent.Abort)]
    [InlineData(ChunkShutdown, SctpEvent.Shutdown)]
    [InlineData(ChunkShutdownAck, SctpEvent.ShutdownAck)]
    [InlineData(ChunkError, SctpEvent.Error)]
    [InlineData(ChunkCookieEcho, SctpEvent.CookieEcho)]
    [InlineData(ChunkCookieAck, SctpEvent.CookieAck)]
    [InlineData(ChunkEcne, SctpEvent.Data)]
    [InlineData(ChunkCwr, SctpEvent.Data)]
    [InlineData(ChunkShutdownComplete, SctpEvent.ShutdownComplete)]
    [InlineData(15, SctpEvent.Data)]   // AUTH: not in sctp_events, so DATA
    [InlineData(0x80, SctpEvent.Data)] // ASCONF-ACK
    [InlineData(0xc0, SctpEvent.Data)] // FORWARD-TSN
    public void Events(byte chunk, SctpEvent ev) => Assert.Equal(ev, EventOf(chunk));

    [Theory]
    [InlineData(S.None, 2)]
    [InlineData(S.SctpInit1, 4)]
    [InlineData(S.SctpInit, 61)]
    [InlineData(S.SctpCookieSent, 61)]
    [InlineData(S.SctpCookieReplied, 61)]
    [InlineData(S.SctpCookieWait, 61)]
    [InlineData(S.SctpCookie, 61)]
    [InlineData(S.SctpCookieEchoed, 61)]
    [InlineData(S.Established, 900)]
    [InlineData(S.SctpShutdownSent, 61)]
    [InlineData(S.SctpShutdownReceived, 61)]
    [InlineData(S.SctpShutdownAckSent, 61)]
    [InlineData(S.SctpRejected, 4)]
    [InlineData(S.SctpClosed, 61)]
    public void DefaultTimeouts(S state, int seconds) => Assert.Equal(seconds, TimeoutSeconds(state));

    [Fact]
    public void OnlyEstablishedIsActive()
    {
        foreach (var s in Enum.GetValues<S>().Where(IsSctpState))
            Assert.Equal(s == S.Established, IsActive(s));
        Assert.Equal(StateCount, Enum.GetValues<S>().Count(IsSctpState));
    }

    [Fact]
    public void KernelIndices_RoundTrip_InTheKernelsOrder()
    {
        var order = new[]
        {
            S.None, S.SctpInit1, S.SctpInit, S.SctpCookieSent, S.SctpCookieReplied, S.SctpCookieWait, S.SctpCookie,
            S.SctpCookieEchoed, S.Established, S.SctpShutdownSent, S.SctpShutdownReceived, S.SctpShutdownAckSent,
            S.SctpRejected, S.SctpClosed,
        };
        for (int i = 0; i < order.Length; i++)
        {
            Assert.Equal(i, ToKernelIndex(order[i]));
            Assert.Equal(order[i], FromKernelIndex(i));
        }
    }

    [Fact]
    public void TcpStatesAndBadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Next(S.SynSent, ChunkInit, In));
        Assert.Throws<ArgumentOutOfRangeException>(() => Next(S.Udp, ChunkInit, In));
        Assert.Throws<ArgumentOutOfRangeException>(() => Next(S.None, ChunkInit, (TcpDirection)3));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeoutSeconds(S.TimeWait));
    }

    [Fact]
    public void NoOutputFlag_InputUsesInputOnly_FirstOutputClearsIt()
    {
        bool noOutput = true;
        // INPUT-ONLY: INIT-ACK on NONE is COOKIE_ECHOED (INPUT would give COOKIE_WAIT).
        Assert.Equal(S.SctpCookieEchoed, NextTracked(S.None, ChunkInitAck, In, ref noOutput));
        Assert.True(noOutput);
        Assert.Equal(S.SctpCookieEchoed, NextTracked(S.SctpCookieEchoed, ChunkData, Out, ref noOutput));
        Assert.False(noOutput);
        Assert.Equal(S.SctpCookieWait, NextTracked(S.None, ChunkInitAck, In, ref noOutput));
    }

    private static byte[] Packet(params (byte Type, int Length)[] chunks)
    {
        var p = new List<byte>(new byte[12]);
        foreach (var (t, len) in chunks)
        {
            p.Add(t); p.Add(0); p.Add((byte)(len >> 8)); p.Add((byte)len);
            for (int i = 4; i < ((len + 3) & ~3); i++) p.Add(0x5a);
        }
        return p.ToArray();
    }

    [Fact]
    public void StateChunk_CookieFollowedByAbortCountsAsAbort()
    {
        Assert.True(TryGetStateChunkType(Packet((ChunkCookieEcho, 37), (ChunkAbort, 4)), out var c));
        Assert.Equal(ChunkAbort, c); // 37 rounds up to 40: the ABORT is found after the padding
        Assert.True(TryGetStateChunkType(Packet((ChunkCookieAck, 4), (ChunkAbort, 4)), out c));
        Assert.Equal(ChunkAbort, c);
        Assert.True(TryGetStateChunkType(Packet((ChunkCookieEcho, 36), (ChunkData, 20)), out c));
        Assert.Equal(ChunkCookieEcho, c);
        Assert.True(TryGetStateChunkType(Packet((ChunkCookieEcho, 36)), out c));
        Assert.Equal(ChunkCookieEcho, c);
        // Only COOKIE-ECHO/COOKIE-ACK look further: DATA then ABORT stays DATA.
        Assert.True(TryGetStateChunkType(Packet((ChunkSack, 16), (ChunkAbort, 4)), out c));
        Assert.Equal(ChunkSack, c);
        // A chunk length below 4 is not followed.
        Assert.True(TryGetStateChunkType(Packet((ChunkCookieAck, 0), (ChunkAbort, 4)), out c));
        Assert.Equal(ChunkCookieAck, c);
        // No chunk header at all: no state change.
        Assert.False(TryGetStateChunkType(new byte[12], out _));
        Assert.False(TryGetStateChunkType(new byte[15], out _));
    }

    [Fact]
    public void CookieEchoWithAbort_OnInit1_Closes()
    {
        Assert.True(TryGetStateChunkType(Packet((ChunkCookieEcho, 100), (ChunkAbort, 4)), out var c));
        Assert.Equal(S.SctpClosed, Next(S.SctpInit1, c, Only));
    }
}
