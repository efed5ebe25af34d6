namespace LvsPS.Engine.Tables;

/// <summary>
/// The kernel's rate estimator (ip_vs_est.c): every 2 seconds the counter deltas are scaled (conns and packets by
/// 2^9, bytes by 2^4) and folded into an average with weight 1/4; reading scales back to per-second values with
/// rounding, as ip_vs_read_estimator does.
/// </summary>
internal sealed class RateEstimator
{
    public const long IntervalMs = 2000;

    private ulong _lastConns, _lastInPkts, _lastOutPkts, _lastInBytes, _lastOutBytes;
    private long _cps, _inpps, _outpps, _inbps, _outbps;

    /// <summary>One 2-second step.</summary>
    public void Estimate(LvsStatistics s)
    {
        Fold(ref _cps, ref _lastConns, s.Connections, 9);
        Fold(ref _inpps, ref _lastInPkts, s.InPackets, 9);
        Fold(ref _outpps, ref _lastOutPkts, s.OutPackets, 9);
        Fold(ref _inbps, ref _lastInBytes, s.InBytes, 4);
        Fold(ref _outbps, ref _lastOutBytes, s.OutBytes, 4);
    }

    private static void Fold(ref long avg, ref ulong last, ulong now, int shift)
    {
        long rate = (long)(now - last) << shift;
        last = now;
        avg += (rate - avg) >> 2;
    }

    /// <summary>Writes the per-second rates into <paramref name="s"/>.</summary>
    public void Read(LvsStatistics s)
    {
        s.ConnectionsPerSecond = (ulong)((_cps + 0x1FF) >> 10);
        s.InPacketsPerSecond = (ulong)((_inpps + 0x1FF) >> 10);
        s.OutPacketsPerSecond = (ulong)((_outpps + 0x1FF) >> 10);
        s.InBytesPerSecond = (ulong)((_inbps + 0xF) >> 5);
        s.OutBytesPerSecond = (ulong)((_outbps + 0xF) >> 5);
    }

    /// <summary>ip_vs_zero_estimator: forget the history (the counters were zeroed).</summary>
    public void Reset()
    {
        _lastConns = _lastInPkts = _lastOutPkts = _lastInBytes = _lastOutBytes = 0;
        _cps = _inpps = _outpps = _inbps = _outbps = 0;
    }
}
