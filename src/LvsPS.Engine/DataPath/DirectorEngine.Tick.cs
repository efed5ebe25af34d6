// DirectorEngine, packet path: the once-a-second timer (Tick): connection expiry, the destination trash, the rate
// estimators, ARP for the real servers' MACs and the repeated gratuitous ARP.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>Once a second: expire connections, resolve and refresh real servers' MACs, repeat gratuitous ARP.</summary>
    public void Tick()
    {
        lock (Sync)
        {
            long now = _clockMs();
            _connections.RemoveWhere(c => ExpireDue(c, now), _release);
            DefenseTick(now);
            SyncSweep(now);
            TraceTick(now);
            // The dest trash keeps deleted destinations while connections still point at them.
            foreach (var svc in _serviceOrder)
                svc.Trash.RemoveAll(d =>
                {
                    if (d.ActiveConnections + d.InactiveConnections + d.PersistentConnections != 0) return false;
                    _estimators.Remove(d.Statistics);
                    return true;
                });

            if (now >= _nextEstimateMs)
            {
                // ip_vs_est: every 2 s for every service and real server.
                _nextEstimateMs = now + RateEstimator.IntervalMs;
                foreach (var svc in _serviceOrder)
                {
                    EstimatorOf(svc.Statistics).Estimate(svc.Statistics);
                    foreach (var d in svc.Destinations) EstimatorOf(d.Statistics).Estimate(d.Statistics);
                }
            }

            RefreshNeighbours(now);

            foreach (var vip in _garpPending.Keys.ToList())
            {
                SendGratuitousArp(vip);
                if (--_garpPending[vip] <= 0) _garpPending.Remove(vip);
            }
        }
    }
}
