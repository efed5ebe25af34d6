using LvsPS.Ipvs.Vrrp;
using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using static LvsPS.Management.Tests.Config.ConfigTestData;

namespace LvsPS.Management.Tests.Config;

/// <summary>
/// The vrrp_instance blocks of the real keepalived.conf corpus (../shared/corpus/keepalived, read at test time): every
/// one parses into a <see cref="VrrpInstanceSpec"/>, is written back by the one keepalived.conf writer into a file
/// keepalived 2.2.7's <c>keepalived -t</c> accepts without a complaint, and reads back the same. keepalived -t needs
/// the instances' interfaces to exist, so it runs in a network namespace of its own (<c>unshare -n</c>: gone when it
/// exits) with a veth link of each name.
/// </summary>
public sealed class KeepalivedVrrpCorpusTests
{
    private readonly ITestOutputHelper _out;

    public KeepalivedVrrpCorpusTests(ITestOutputHelper output) => _out = output;

    /// <summary>keepalived -t on <paramref name="file"/> with links named <paramref name="interfaces"/> in a namespace of its own.</summary>
    internal static KeepalivedTool.Result TestWithInterfaces(string file, IEnumerable<string> interfaces)
    {
        var links = string.Join("; ", interfaces.Distinct().Select((n, i) => $"ip link add '{n}' type veth peer name 'lvsp{i}' && ip link set '{n}' up"));
        var psi = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in new[] { "-n", "sh", "-c", $"{(links.Length > 0 ? links + " && " : "")}exec {KeepalivedTool.Program} -t -l -n -f '{file}'" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(true); throw new TimeoutException($"keepalived -t {file} did not finish within 30 s"); }
        p.WaitForExit();
        var messages = (err.Result + output.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Where(l => l.Length > 0).Distinct().ToList();
        return new KeepalivedTool.Result(p.ExitCode, messages);
    }

    internal static string Canon(VrrpInstanceSpec v) => string.Join(";",
        v.Name, v.Interface, v.VirtualRouterId, v.Priority, v.Version, v.AdvertIntervalCentiseconds, v.Preempt, v.PreemptDelaySeconds,
        v.InitialState, string.Join(",", v.VirtualAddresses), string.Join(",", v.UnicastPeers), v.SourceAddress, v.AuthType, v.AuthPassword,
        v.GarpMasterDelaySeconds, v.GarpMasterRepeat, v.NotifyMaster, v.NotifyBackup, v.NotifyFault, v.Notify);

    [Fact]
    public void EveryVrrpInstanceOfTheCorpusParses_RewritesIntoAFileKeepalivedAccepts_AndReadsBackTheSame()
    {
        Assert.True(KeepalivedTool.Available, $"{KeepalivedTool.Program} is needed (./build.sh setup installs it)");
        var files = Directory.GetFiles(KeepalivedCorpusTests.CorpusFolder(), "*.conf").OrderBy(f => f, StringComparer.Ordinal)
            .Where(f => File.ReadAllText(f).Contains("vrrp_instance", StringComparison.Ordinal)).ToList();
        Assert.True(files.Count >= 40, $"only {files.Count} corpus files with a vrrp_instance");
        var tmp = Directory.CreateTempSubdirectory("lvsps-ka-vrrp-");
        var failures = new ConcurrentBag<string>();
        int instances = 0, notRead = 0;
        try
        {
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, file =>
            {
                string name = Path.GetFileName(file);
                KeepalivedConfiguration conf;
                try { conf = KeepalivedConfParser.Parse(File.ReadAllText(file), file, null, Services); }
                catch (LvsException e) { failures.Add($"{name}: does not parse: {e.Message}"); return; }
                // vrrp_instance lines; one with a $PARAMETER name is a template the preprocessor expands (counted as read then)
                var lines = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), @"^\s*vrrp_instance\s+\S+", System.Text.RegularExpressions.RegexOptions.Multiline);
                bool template = lines.Any(m => m.Value.Contains('$'));
                int declared = lines.Count;
                // The only instances not read are those without an IPv4 VIP (IPv6 ones, or none at all) and those keepalived
                // drops (no valid virtual_router_id), each named in a warning.
                int dropped = conf.Warnings.Count(w => w.EndsWith("has no IPv4 virtual address; LvsPS's VRRP instances are IPv4 and own at least one VIP, so it is not read", StringComparison.Ordinal)
                                                      || w.EndsWith("has no valid virtual_router_id; keepalived drops the instance", StringComparison.Ordinal));
                Interlocked.Add(ref notRead, dropped);
                if (template ? conf.VrrpInstances.Count == 0 : conf.VrrpInstances.Count + dropped != declared)
                    failures.Add($"{name}: {declared} vrrp_instance line(s), {conf.VrrpInstances.Count} read, {dropped} without an IPv4 VIP: {string.Join(" | ", conf.Warnings.Where(w => w.Contains("vrrp", StringComparison.Ordinal)))}");
                if (conf.VrrpInstances.Count == 0) return;
                Interlocked.Add(ref instances, conf.VrrpInstances.Count);
                string text = ConfigurationWriter.WriteKeepalived(Array.Empty<ServiceSpec>(), new ConfigurationWriterOptions { VrrpInstances = conf.VrrpInstances });
                string written = Path.Combine(tmp.FullName, name);
                File.WriteAllText(written, text);
                var check = TestWithInterfaces(written, conf.VrrpInstances.Select(v => v.Interface));
                if (check.ExitCode != 0) failures.Add($"{name}: keepalived -t on the rewrite: {check}");
                var back = KeepalivedConfParser.Parse(text, written, null, Services);
                var remarks = back.Warnings.Where(w => !w.EndsWith(": no virtual_server block", StringComparison.Ordinal)).ToList();
                if (remarks.Count > 0) failures.Add($"{name}: the rewrite warns: {string.Join(" | ", remarks)}");
                var a = conf.VrrpInstances.Select(Canon).ToList();
                var b = back.VrrpInstances.Select(Canon).ToList();
                if (!a.SequenceEqual(b)) failures.Add($"{name}: read back differently:\n  {string.Join("\n  ", a)}\n  vs\n  {string.Join("\n  ", b)}");
            });
        }
        finally { tmp.Delete(true); }
        _out.WriteLine($"{files.Count} corpus files with vrrp_instance; {instances} instances read, written, tested with keepalived -t; {notRead} not read (no IPv4 VIP, or no valid virtual_router_id, as keepalived drops it)");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.OrderBy(f => f, StringComparer.Ordinal)));
    }
}
