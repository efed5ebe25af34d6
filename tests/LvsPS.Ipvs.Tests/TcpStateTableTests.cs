using static LvsPS.Ipvs.Connections.TcpStateTable;
using S = LvsPS.Ipvs.Model.LvsConnectionState;

namespace LvsPS.Ipvs.Tests;

public class TcpStateTableTests
{
    private const byte SYN = FlagSyn, ACK = FlagAck, FIN = FlagFin, RST = FlagRst, PSH = FlagPsh;
    private const TcpDirection Only = TcpDirection.InputOnly, Out = TcpDirection.Output;

    private static S Run(S start, TcpDirection dir, params byte[] packets)
    {
        var s = start;
        foreach (var p in packets)
            s = Next(s, p, dir);
        return s;
    }

    [Fact]
    public void DirectRoutingLifecycleSeenFromTheInputSideOnly()
    {
        var d = TcpDirection.InputOnly;
        Assert.Equal(S.SynRecv, Next(S.None, SYN, d));
        Assert.Equal(S.Established, Next(S.SynRecv, ACK, d));
        Assert.Equal(S.Established, Next(S.Established, ACK | PSH, d));
        Assert.Equal(S.FinWait, Next(S.Established, FIN | ACK, d));
        Assert.Equal(S.FinWait, Next(S.FinWait, ACK, d)); // the last ACK keeps FIN_WAIT (timer re-armed)
        Assert.Equal(S.FinWait, Next(S.FinWait, FIN | ACK, d));
        Assert.Equal(S.Close, Next(S.FinWait, RST, d));
        Assert.Equal(S.FinWait, Run(S.None, d, SYN, ACK, ACK | PSH, ACK, FIN | ACK, ACK));
    }

    [Fact]
    public void DirectRoutingNeverReachesTimeWaitOrCloseWaitFromAnEstablishedFlow()
    {
        foreach (var p in new[] { SYN, ACK, FIN, RST, (byte)(FIN | ACK), (byte)(SYN | ACK) })
        {
            var n = Next(S.Established, p, TcpDirection.InputOnly);
            Assert.NotEqual(S.TimeWait, n);
            Assert.NotEqual(S.CloseWait, n);
        }
    }

    [Theory]
    // INPUT-ONLY
    [InlineData(Only, S.None, ACK, S.Established)]    // e.g. an entry created by the sync daemon
    [InlineData(Only, S.None, FIN, S.Close)]
    [InlineData(Only, S.None, RST, S.Close)]
    [InlineData(Only, S.SynRecv, RST, S.SynRecv)]
    [InlineData(Only, S.SynRecv, SYN, S.SynRecv)]
    [InlineData(Only, S.SynRecv, FIN, S.TimeWait)]
    [InlineData(Only, S.SynSent, SYN, S.Established)]
    [InlineData(Only, S.SynSent, ACK, S.SynSent)]
    [InlineData(Only, S.LastAck, RST, S.LastAck)]
    [InlineData(Only, S.LastAck, ACK, S.Close)]
    [InlineData(Only, S.Listen, RST, S.Listen)]
    [InlineData(Only, S.SynAck, RST, S.Close)]
    [InlineData(Only, S.SynAck, ACK, S.Established)]
    [InlineData(Only, S.TimeWait, SYN, S.SynRecv)]
    [InlineData(Only, S.Close, SYN, S.SynRecv)]
    [InlineData(Only, S.CloseWait, FIN, S.CloseWait)]
    // flag priority RST > SYN > FIN > ACK (INPUT-ONLY)
    [InlineData(Only, S.Established, SYN | RST, S.Close)] // RST beats SYN
    [InlineData(Only, S.None, SYN | FIN, S.SynRecv)]      // SYN beats FIN
    [InlineData(Only, S.Established, FIN | ACK, S.FinWait)] // FIN beats ACK
    [InlineData(Only, S.SynRecv, RST | ACK, S.SynRecv)]
    [InlineData(Only, S.Established, PSH, S.Close)]        // no SYN/FIN/ACK/RST: the kernel's default CLOSE
    [InlineData(Only, S.Established, 0, S.Close)]
    // OUTPUT
    [InlineData(Out, S.None, SYN, S.SynSent)]
    [InlineData(Out, S.None, FIN, S.TimeWait)]
    [InlineData(Out, S.None, ACK, S.Established)]
    [InlineData(Out, S.SynSent, RST, S.SynSent)]
    [InlineData(Out, S.TimeWait, RST, S.TimeWait)]
    [InlineData(Out, S.Listen, ACK, S.Established)]
    [InlineData(Out, S.LastAck, ACK, S.LastAck)]
    [InlineData(Out, S.SynAck, SYN, S.SynRecv)]
    public void Transitions(TcpDirection dir, S from, byte flags, S to)
        => Assert.Equal(to, Next(from, flags, dir));

    [Fact]
    public void FlagIndexOrder()
    {
        Assert.Equal(3, FlagIndex(RST | SYN | FIN | ACK));
        Assert.Equal(0, FlagIndex(SYN | FIN | ACK));
        Assert.Equal(1, FlagIndex(FIN | ACK));
        Assert.Equal(2, FlagIndex(ACK | PSH));
        Assert.Equal(-1, FlagIndex(PSH));
    }

    [Fact]
    public void NatClientClosesFirst()
    {
        var s = Next(S.None, SYN, TcpDirection.Input);
        Assert.Equal(S.SynRecv, s);
        s = Next(s, SYN | ACK, TcpDirection.Output);
        Assert.Equal(S.SynRecv, s);
        s = Next(s, ACK, TcpDirection.Input);
        Assert.Equal(S.Established, s);
        s = Next(s, FIN | ACK, TcpDirection.Input);
        Assert.Equal(S.CloseWait, s); // INPUT fin: CLOSE_WAIT (INPUT-ONLY would say FIN_WAIT)
        s = Next(s, ACK, TcpDirection.Output);
        Assert.Equal(S.CloseWait, s);
        s = Next(s, FIN | ACK, TcpDirection.Output);
        Assert.Equal(S.TimeWait, s);
        s = Next(s, ACK, TcpDirection.Input);
        Assert.Equal(S.TimeWait, s);
    }

    [Fact]
    public void NatServerClosesFirst()
    {
        var s = Run(S.None, TcpDirection.Input, SYN);
        s = Next(s, SYN | ACK, TcpDirection.Output);
        s = Next(s, ACK, TcpDirection.Input);
        s = Next(s, FIN | ACK, TcpDirection.Output);
        Assert.Equal(S.FinWait, s);
        s = Next(s, FIN | ACK, TcpDirection.Input);
        Assert.Equal(S.TimeWait, s);
    }

    [Fact]
    public void InputAndInputOnlyDifferOnlyWhereTheKernelTablesDo()
    {
        // fin from ES: CLOSE_WAIT vs FIN_WAIT; fin from SR: both TIME_WAIT; fin from FW: TIME_WAIT vs FIN_WAIT;
        // rst from SYNACK: SYN_RECV vs CLOSE
        Assert.Equal(S.CloseWait, Next(S.Established, FIN, TcpDirection.Input));
        Assert.Equal(S.FinWait, Next(S.Established, FIN, TcpDirection.InputOnly));
        Assert.Equal(S.TimeWait, Next(S.FinWait, FIN, TcpDirection.Input));
        Assert.Equal(S.FinWait, Next(S.FinWait, FIN, TcpDirection.InputOnly));
        Assert.Equal(S.SynRecv, Next(S.SynAck, RST, TcpDirection.Input));
        Assert.Equal(S.Close, Next(S.SynAck, RST, TcpDirection.InputOnly));

        int differences = 0;
        foreach (var flags in new[] { SYN, FIN, ACK, RST })
            for (var st = S.None; st <= S.SynAck; st++)
                if (Next(st, flags, TcpDirection.Input) != Next(st, flags, TcpDirection.InputOnly))
                    differences++;
        Assert.Equal(3, differences);
    }

    [Fact]
    public void NoOutputFlagSelectsInputOnlyUntilAReplyIsSeen()
    {
        bool noOutput = true;
        var s = NextTracked(S.None, SYN, TcpDirection.Input, ref noOutput);
        s = NextTracked(s, ACK, TcpDirection.Input, ref noOutput);
        Assert.True(noOutput);
        Assert.Equal(S.FinWait, NextTracked(s, FIN, TcpDirection.Input, ref noOutput)); // INPUT-ONLY table

        s = NextTracked(s, ACK, TcpDirection.Output, ref noOutput); // a reply clears NOOUTPUT
        Assert.False(noOutput);
        Assert.Equal(S.Established, s);
        Assert.Equal(S.CloseWait, NextTracked(s, FIN, TcpDirection.Input, ref noOutput)); // INPUT table now
    }

    [Fact]
    public void SecureTcpTableUsesSynAck()
    {
        Assert.Equal(S.SynAck, Next(S.None, SYN, TcpDirection.InputOnly, secureTcp: true));
        Assert.Equal(S.SynRecv, Next(S.None, SYN, TcpDirection.InputOnly, secureTcp: false));
        Assert.Equal(S.SynRecv, Next(S.SynRecv, ACK, TcpDirection.Input, secureTcp: true)); // NAT: ESTABLISHED only after the reply
        Assert.Equal(S.SynAck, Next(S.SynRecv, SYN, TcpDirection.Output, secureTcp: true));
    }

    [Theory]
    [InlineData(S.None, false)]
    [InlineData(S.Established, true)]
    [InlineData(S.SynSent, true)]
    [InlineData(S.SynRecv, true)]
    [InlineData(S.FinWait, false)]
    [InlineData(S.TimeWait, false)]
    [InlineData(S.Close, false)]
    [InlineData(S.CloseWait, false)]
    [InlineData(S.LastAck, false)]
    [InlineData(S.Listen, false)]
    [InlineData(S.SynAck, true)]
    [InlineData(S.Udp, false)]
    public void ActiveStates(S state, bool active) => Assert.Equal(active, IsActive(state));

    [Fact]
    public void UdpIsNotATcpState()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Next(S.Udp, ACK, TcpDirection.InputOnly));

    [Fact]
    public void DefaultTimeouts()
    {
        var t = new LvsTimeouts();
        var expected = new Dictionary<S, int>
        {
            [S.None] = 2, [S.Established] = 900, [S.SynSent] = 120, [S.SynRecv] = 60, [S.FinWait] = 120,
            [S.TimeWait] = 120, [S.Close] = 10, [S.CloseWait] = 60, [S.LastAck] = 30, [S.Listen] = 120,
            [S.SynAck] = 120, [S.Udp] = 300,
        };
        foreach (var (state, seconds) in expected)
            Assert.Equal(seconds, t.For(state));
        Assert.Equal(900, t.Tcp);
        Assert.Equal(120, t.TcpFin);
        Assert.Equal(300, t.Udp);
        Assert.Equal("900 120 300", t.ToString());
    }

    [Fact]
    public void SetWorksLikeIpvsadmSet()
    {
        var t = new LvsTimeouts();
        t.Set(0, 30, 0); // 0 = unchanged
        Assert.Equal(900, t.Tcp);
        Assert.Equal(30, t.TcpFin);
        Assert.Equal(30, t.For(S.FinWait));
        Assert.Equal(300, t.Udp);
        t.Tcp = 7200;
        Assert.Equal(7200, t.For(S.Established));
        t.Udp = 5;
        Assert.Equal(5, t.For(S.Udp));
        Assert.Equal(60, t.For(S.SynRecv)); // others untouched

        Assert.Throws<ArgumentOutOfRangeException>(() => t.Set(-1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Set(0, 0, LvsTimeouts.MaxSeconds + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Tcp = 0);
        t.Set(LvsTimeouts.MaxSeconds, 0, 0);
        Assert.Equal(2678400, t.Tcp);

        var copy = t.Clone();
        copy.TcpFin = 1;
        Assert.Equal(30, t.TcpFin);
    }

    [Fact]
    public void NextDoesNotAllocate()
    {
        var flags = new byte[] { SYN, ACK, ACK | PSH, FIN | ACK, ACK, RST, SYN | ACK, 0 };
        var s = S.None;
        bool active = false;
        // Warm up with the same loop first, so tiered compilation (and on-stack replacement of the loop) has
        // finished before measuring: the steady state must allocate nothing.
        for (int round = 0; round < 2; round++)
            for (int i = 0; i < 100_000; i++)
            {
                s = Next(s, flags[i % flags.Length], (TcpDirection)(i % 3));
                active ^= IsActive(s);
            }
        Assert.Equal(0, Allocations.Least(_ =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                s = Next(s, flags[i % flags.Length], (TcpDirection)(i % 3));
                active ^= IsActive(s);
            }
        }));
        Assert.True(Enum.IsDefined(s));
    }
}
