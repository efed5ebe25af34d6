using LvsPS.Management.Checks;

namespace LvsPS.Management.Tests.Checks;

/// <summary>
/// The checks ask the director only through IDirector, so they run on a kernel director as on lvsd. Here the
/// kernel director's remote side answers with ipvsadm's own output formats (made by the byte-exact formatter);
/// a live kernel is the kernel lab's (see docs/KERNEL-BACKEND.md).
/// </summary>
public sealed class ClusterChecksDirectorTests
{
    private static RemoteResult Ok(string stdout) => new() { ExitStatus = 0, Output = stdout };

    private static KernelDirector KernelWith(List<LvsService> table, List<string> ran) =>
        new("edge", "lvs1.example", command =>
        {
            if (command == KernelKeepalived.ReadCommand)
                return Ok(""); // no keepalived.conf: no service has health checks (not recorded)
            ran.Add(command);
            if (command == IpvsadmCommandBuilder.Version().CommandLine)
                return Ok("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
            if (command == IpvsadmCommandBuilder.JoinCommandLines(IpvsadmCommandBuilder.ListServices()))
                return Ok(IpvsadmFormatter.FormatList(table, 4096) + IpvsadmFormatter.FormatStats(table, 4096, exact: true)
                          + IpvsadmFormatter.FormatRate(table, 4096, exact: true) + IpvsadmFormatter.FormatThresholds(table, 4096)
                          + IpvsadmFormatter.FormatPersistentConn(table, 4096));
            return new RemoteResult { ExitStatus = 2, Error = "unexpected command " + command + "\n" };
        });

    private static LvsService Service(int port, params (string Address, int Weight)[] reals)
    {
        var s = new LvsService { VirtualAddress = IPAddress.Parse("10.0.0.101"), Port = (ushort)port, Scheduler = LvsScheduler.Wrr };
        foreach (var (a, w) in reals)
            s.RealServers.Add(new LvsRealServer { RealAddress = IPAddress.Parse(a), RealPort = (ushort)port, Weight = w, Forwarding = LvsForwarding.Route });
        return s;
    }

    [Fact]
    public void OnAKernelDirector_TheChecksReadItsTable_AndSayWhatDoesNotApply()
    {
        var ran = new List<string>();
        var table = new List<LvsService> { Service(80, ("10.0.0.3", 1), ("10.0.0.4", 2)), Service(443, ("10.0.0.3", 0)) };
        var d = KernelWith(table, ran);
        var results = ClusterChecks.Run(d, new ClusterCheckOptions { Director = "edge" }).ToList();

        var running = Assert.Single(results, r => r.Check == ClusterChecks.DirectorRunning);
        Assert.Equal(LvsCheckResultKind.Passed, running.Result);
        Assert.Contains("kernel IPVS", running.Message);
        Assert.Contains("2 service(s)", running.Message);

        var services = results.Where(r => r.Check == ClusterChecks.ServiceHasRealServer).ToList();
        Assert.Equal(LvsCheckResultKind.Passed, services.Single(r => r.Target.EndsWith(":80")).Result);
        var quiesced = services.Single(r => r.Target.EndsWith(":443"));
        Assert.Equal(LvsCheckResultKind.Failed, quiesced.Result);
        Assert.Contains("Quiesced", quiesced.Message);

        // No MAC in ipvsadm's listing: the kernel's neighbour table is not the director's to report.
        Assert.All(results.Where(r => r.Check == ClusterChecks.RealServerMacResolved), r => Assert.Equal(LvsCheckResultKind.NotApplicable, r.Result));
        Assert.Equal(2, results.Count(r => r.Check == ClusterChecks.RealServerMacResolved));
        // No SSH access was given for the real servers.
        Assert.All(results.Where(r => r.Check == ClusterChecks.RealServerHidden), r => Assert.Equal(LvsCheckResultKind.NotApplicable, r.Result));
        // Only listings and reads ran: the checks change nothing on the director (ipvsadm lists; the director
        // checks read addresses, sysctls and offloads through its shell, and probe ARP).
        // the real-server probes connect to RIP:port and GET the page (nc or bash's /dev/tcp, curl); the traffic
        // check sends its requests to the VIP from the kernel director itself.
        string[] reads = { "ip -o addr show", "/proc/sys/net/ipv4/ip_forward", "ethtool -k", "arping", "ip -o route get", "/sys/class/net/", "ip -4 neigh show",
                           "/dev/tcp/$0/$1", "curl -sS -k -g --max-time", "curl -s -m 2 -H" };
        Assert.All(ran, c => Assert.True(c.Contains("'--version'") || c.Contains("'-L'") || reads.Any(c.Contains), c));
    }

    [Fact]
    public void AKernelDirectorThatCannotBeReached_FailsDirectorRunning_WithAKernelRemedy()
    {
        var d = new KernelDirector("edge", "lvs1.example", _ => new RemoteResult { ExitStatus = 127, Error = "sh: 1: ipvsadm: not found\n" });
        var running = Assert.Single(ClusterChecks.Run(d, new ClusterCheckOptions { Director = "edge", Include = new[] { ClusterChecks.DirectorRunning } }));
        Assert.Equal(LvsCheckResultKind.Failed, running.Result);
        Assert.Contains("ipvsadm", running.Message);
        Assert.Contains("Connect-LvsDirector", running.Remedy);
    }
}
