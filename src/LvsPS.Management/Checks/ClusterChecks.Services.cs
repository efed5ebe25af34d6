using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Checks;

// The services' checks: each has a real server that takes new connections, each real server passes its health checks.
public static partial class ClusterChecks
{
    public const string ServiceHasRealServer = "ServiceHasRealServer";
    public const string RealServerHealthy = "RealServerHealthy";

    /// <summary>ServiceHasRealServer and RealServerHealthy.</summary>
    private static IEnumerable<LvsCheckInfo> ServiceCatalogue => new[]
    {
        new LvsCheckInfo { Check = ServiceHasRealServer, Category = "Service", Description = "Each virtual service has at least one real server that is Up (weight > 0, health checks passing, reachable)." },
        new LvsCheckInfo { Check = RealServerHealthy, Category = "RealServer", Description = "Each real server with health checks passes them." },
    };

    private static IEnumerable<LvsCheckResult> ServiceChecks(CheckContext c)
    {
        if (c.Want(ServiceHasRealServer))
            foreach (var s in c.Services)
            {
                var real = s.RealServers.Where(r => !r.IsSorryServer).ToList();
                int live = real.Count(r => r.Weight > 0 && r.State == LvsRealServerState.Up);
                var notUp = real.Where(r => r.State != LvsRealServerState.Up).Select(r => $"{r.RealAddress} {r.State}").ToList();
                yield return live > 0
                    ? R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Passed, $"{live} of {real.Count} real server(s) are Up and take new connections" + (notUp.Count > 0 ? $" (not: {string.Join(", ", notUp)})." : "."))
                    : real.Count == 0
                        ? R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Failed, "The service has no real server; clients get ICMP port unreachable.", "Add-LvsRealServer")
                        : real.Any(r => r.State == LvsRealServerState.Down)
                            ? R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Failed, $"No real server is Up ({string.Join(", ", notUp)}); new connections are refused" + (s.RealServers.Any(r => r.IsSorryServer) ? " or go to the sorry server." : "."), "Get-LvsHealth shows why the checks fail; fix the real servers.")
                            : R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Failed, $"No real server is Up ({string.Join(", ", notUp)}); new connections are refused.", "Set-LvsRealServer -Weight 1, Resume-LvsRealServer, or check the real servers' links.");
            }

        if (c.Want(RealServerHealthy))
        {
            List<LvsRealServerHealth>? health = null;
            try { if (c.Status is not null) health = c.Client.GetHealth(); } catch (LvsException) { }
            foreach (var s in c.Services)
                foreach (var r in s.RealServers.Where(r => !r.IsSorryServer))
                {
                    string target = $"{r.RealAddress}:{r.RealPort} ({s.Name})";
                    var h = health?.FirstOrDefault(x => x.RealAddress.Equals(r.RealAddress) && x.RealPort == r.RealPort && x.Port == s.Port && x.Protocol == s.Protocol && x.FirewallMark == s.FirewallMark && x.VirtualAddress.Equals(s.VirtualAddress));
                    yield return r.HealthChecks.Count == 0
                        ? R(RealServerHealthy, target, LvsCheckResultKind.NotApplicable, "No health check is configured.", "Add-LvsHealthCheck")
                        : r.State == LvsRealServerState.Down
                            ? R(RealServerHealthy, target, LvsCheckResultKind.Failed, $"Its health check fails: {h?.LastResult ?? h?.Reason ?? "down"}.", "Fix the service on the real server; Get-LvsHealth shows the history.")
                            : R(RealServerHealthy, target, LvsCheckResultKind.Passed, $"{string.Join(", ", r.HealthChecks.Select(c => c.ToString()))} pass" + (h?.LastResult is { } lr ? $" ({lr})." : "."));
                }
        }
    }
}
