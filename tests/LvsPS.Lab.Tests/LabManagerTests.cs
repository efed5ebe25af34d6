using System.Net;
using LvsPS.Management.Lab;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;
using LvsPS.Management.Util;

namespace LvsPS.Lab.Tests;

/// <summary>Records progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class ProgressLog : IProgress<(string Activity, int Percent)>
{
    public List<(string Activity, int Percent)> Items { get; } = new();
    public void Report((string Activity, int Percent) value)
    {
        lock (Items) Items.Add(value);
    }
}

internal static class Helpers
{
    private static readonly Random Rng = new();

    public static string RandomName(string prefix)
    {
        const string chars = "abcdefghijklmnopqrstuvwxyz0123456789";
        lock (Rng) return prefix + new string(Enumerable.Range(0, 5).Select(_ => chars[Rng.Next(chars.Length)]).ToArray());
    }

    public static int RandomOctet()
    {
        lock (Rng) return Rng.Next(0, 250);
    }

    public static ProcessResult Root(string file, params string[] args) => ProcessRunner.Run(file, args, TimeSpan.FromSeconds(30));

    public static IReadOnlyList<string> NamespacesOf(string lab) =>
        Root("ip", "netns", "list").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith($"lvs-{lab}-", StringComparison.Ordinal)).ToList();

    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException) { return false; }
    }

    public static int[] Pids(string ns) =>
        Root("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s.Trim())).ToArray();

    /// <summary>A TCP service on the lab's VIP and <paramref name="port"/>, each of its real servers behind it on the same port, weight 1.</summary>
    public static ServiceSpec TcpService(LvsLab lab, ushort port, LvsScheduler scheduler) => new()
    {
        Protocol = LvsProtocol.Tcp, Address = lab.VirtualAddress, Port = port, Scheduler = scheduler,
        RealServers = lab.RealServers.Select(r => new RealServerSpec { Address = r.Address, Port = port, Weight = 1 }).ToList(),
    };
}

/// <summary>A lab with two real servers in a private state folder, shared by one test class, removed after it.</summary>
public abstract class SharedLabFixture : IDisposable
{
    protected SharedLabFixture(string prefix, string network, LvsLabDirectorKind kind = LvsLabDirectorKind.Engine)
        : this(prefix, network, 1, new[] { kind }) { }

    /// <summary>A lab of <paramref name="directorCount"/> directors of these kinds (one for all, or one each).</summary>
    protected SharedLabFixture(string prefix, string network, int directorCount, LvsLabDirectorKind[] kinds)
    {
        StateRoot = Path.Combine(Path.GetTempPath(), "lvsps-labtest-" + Guid.NewGuid().ToString("N")[..8]);
        Manager = new LabManager(StateRoot);
        Name = Helpers.RandomName(prefix);
        Octet = Helpers.RandomOctet();
        Subnet = $"{network}.{Octet}.0/24";
        try { Lab = Manager.Create(Name, 2, Subnet, Progress, LvsForwarding.Route, kinds[0], null, directorCount, kinds); }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string StateRoot { get; }
    public LabManager Manager { get; }
    public string Name { get; }
    public int Octet { get; }
    public string Subnet { get; }
    public LvsLab Lab { get; }
    internal ProgressLog Progress { get; } = new();

    public (int ExitCode, string Output, string Error) Exec(string node, string command) =>
        Manager.Exec(Lab, node, command, TimeSpan.FromSeconds(30));

    /// <summary>Runs <paramref name="command"/> on <paramref name="node"/>; fails the test unless it exits 0. Its output.</summary>
    public string ExecOk(string node, string command)
    {
        var r = Exec(node, command);
        Assert.True(r.ExitCode == 0, $"`{command}` on {node} exited {r.ExitCode}: {r.Error} {r.Output}");
        return r.Output;
    }

    public void Dispose()
    {
        try { Manager.Remove(Name); }
        catch (LvsException) { }
        try { Manager.RemoveOrphans(Name); }
        catch (LvsException) { }
        try { Directory.Delete(StateRoot, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>One lab with two real servers, shared by the tests of <see cref="LabManagerTests"/>.</summary>
public sealed class LabFixture : SharedLabFixture
{
    public LabFixture() : base("t", "10.251") { }
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LabManagerTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _f;

    public LabManagerTests(LabFixture fixture) => _f = fixture;

    private LvsLab Lab => _f.Lab;

    private (int ExitCode, string Output, string Error) Exec(string node, string command) =>
        _f.Manager.Exec(Lab, node, command, TimeSpan.FromSeconds(20));

    [Fact]
    public void Create_LaysOutAddressesNamespacesAndSavesJson()
    {
        Assert.Equal(_f.Name, Lab.Name);
        Assert.Equal(_f.Subnet, Lab.Subnet);
        Assert.Equal(24, Lab.PrefixLength);
        string p = $"10.251.{_f.Octet}.";
        Assert.Equal(IPAddress.Parse(p + "1"), Lab.Director.Address);
        Assert.Equal(IPAddress.Parse(p + "3"), Lab.RealServers[0].Address);
        Assert.Equal(IPAddress.Parse(p + "4"), Lab.RealServers[1].Address);
        Assert.Equal(IPAddress.Parse(p + "101"), Lab.VirtualAddress);
        Assert.Equal(IPAddress.Parse(p + "200"), Lab.Client.Address);
        Assert.Equal(Path.Combine(_f.StateRoot, _f.Name), Lab.Directory);
        Assert.True(File.Exists(Path.Combine(Lab.Directory, "lab.json")));
        Assert.True(File.Exists(Lab.KeyFile));
        Assert.True(File.Exists(Lab.KnownHostsFile));
        Assert.Contains("vs1", File.ReadAllText(Lab.HostsFile));

        var expectedNs = new[] { "sw", "client", "director", "rs1", "rs2" }.Select(n => $"lvs-{_f.Name}-{n}").OrderBy(n => n);
        Assert.Equal(expectedNs, Helpers.NamespacesOf(_f.Name).OrderBy(n => n));

        // saved and read back
        var saved = _f.Manager.Get(_f.Name);
        Assert.NotNull(saved);
        Assert.Equal(Lab.VirtualAddress, saved!.VirtualAddress);
        Assert.Equal(Lab.RealServers.Select(r => (r.Name, r.Address, r.MacAddress, r.Namespace)),
            saved.RealServers.Select(r => (r.Name, r.Address, r.MacAddress, r.Namespace)));
        Assert.Equal(LvsLabRole.Director, saved.Director.Role);
        Assert.Contains(_f.Manager.List(), l => l.Name == _f.Name);
        Assert.Null(_f.Manager.Get("nosuchlab"));

        // progress per step, ending at 100
        Assert.True(_f.Progress.Items.Count >= 8);
        Assert.Equal(100, _f.Progress.Items[^1].Percent);

        // deterministic MAC on eth0, offloads off
        foreach (var node in Lab.Nodes)
        {
            var link = Exec(node.Name, "cat /sys/class/net/eth0/address");
            Assert.Equal(node.MacAddress, link.Output.Trim());
            var features = Exec(node.Name, "ethtool -k eth0");
            Assert.Contains("tx-checksumming: off", features.Output);
            Assert.Contains("generic-segmentation-offload: off", features.Output);
            Assert.Contains("tcp-segmentation-offload: off", features.Output);
            Assert.Contains("generic-receive-offload: off", features.Output);
        }
    }

    [Fact]
    public void Client_FetchesEachRealServersTestPage()
    {
        foreach (var rs in Lab.RealServers)
        {
            var r = Exec("client", $"curl -s --max-time 5 http://{rs.Address}/test.html");
            Assert.Equal(0, r.ExitCode);
            Assert.Equal($"我是real server #{rs.Index}\n", r.Output);
        }
    }

    [Fact]
    public void Sshd_PresentsTheRecordedHostKey_AndAcceptsTheLabKey()
    {
        var known = File.ReadAllLines(Lab.KnownHostsFile).Where(l => l.Length > 0).ToList();
        Assert.Equal(Lab.RealServers.Count + 1, known.Count); // and the client's sshd
        foreach (var rs in Lab.RealServers)
        {
            var line = Assert.Single(known, l => l.StartsWith(rs.Address + " ", StringComparison.Ordinal));
            var scan = Exec("client", $"ssh-keyscan -T 5 -t ed25519 {rs.Address} 2>/dev/null");
            Assert.Equal(0, scan.ExitCode);
            var scanned = scan.Output.Split('\n').Single(l => l.StartsWith(rs.Address + " ", StringComparison.Ordinal)).Trim();
            Assert.Equal(line.Trim(), scanned);

            var ssh = Exec("client",
                $"ssh -i '{Lab.KeyFile}' -o UserKnownHostsFile='{Lab.KnownHostsFile}' -o StrictHostKeyChecking=yes -o BatchMode=yes " +
                $"-o ConnectTimeout=5 root@{rs.Address} 'hostname; ip -o -4 addr show dev eth0'");
            Assert.True(ssh.ExitCode == 0, ssh.Error);
            var lines = ssh.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length >= 2, ssh.Output);
            Assert.Contains($"{rs.Address}/24", lines[1]); // the session runs in the real server's namespace
        }

        // a wrong host key is refused
        var wrongKnown = Path.Combine(Lab.Directory, "wrong_known_hosts");
        File.WriteAllText(wrongKnown, $"{Lab.RealServers[0].Address} {File.ReadAllText(Lab.KeyFile + ".pub").Trim()}\n");
        var bad = Exec("client",
            $"ssh -i '{Lab.KeyFile}' -o UserKnownHostsFile='{wrongKnown}' -o StrictHostKeyChecking=yes -o BatchMode=yes " +
            $"-o ConnectTimeout=5 root@{Lab.RealServers[0].Address} true");
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public void Telnet_PrintsThePromptAndEchoes()
    {
        foreach (var rs in Lab.RealServers)
        {
            var r = Exec("client", $"(printf 'hello\\r\\n'; sleep 0.5) | socat -t 1 - TCP:{rs.Address}:23");
            Assert.StartsWith($"[guest@rs{rs.Index} guest]$ ", r.Output);
            Assert.Contains("hello\n", r.Output);
        }
    }

    [Fact]
    public void Director_HasNoForwardingAndNoVip_AndNobodyHasTheVip()
    {
        Assert.Equal("0", Exec("director", "cat /proc/sys/net/ipv4/ip_forward").Output.Trim());
        Assert.Equal("0", Exec("vs1", "cat /proc/sys/net/ipv4/ip_forward").Output.Trim());
        foreach (var node in Lab.Nodes)
        {
            var addrs = Exec(node.Name, "ip -o -4 addr show");
            Assert.Contains($"{node.Address}/24", addrs.Output);
            Assert.DoesNotContain(Lab.VirtualAddress + "/", addrs.Output);
        }
    }

    [Fact]
    public void RootNamespace_HasNoLabAddressOrInterface()
    {
        var addrs = Helpers.Root("ip", "-o", "-4", "addr", "show");
        Assert.DoesNotContain($"10.251.{_f.Octet}.", addrs.Output);
        var routes = Helpers.Root("ip", "-4", "route", "show");
        Assert.DoesNotContain($"10.251.{_f.Octet}.", routes.Output);
        var links = Helpers.Root("ip", "-o", "link", "show");
        Assert.DoesNotContain(Lab.Director.MacAddress, links.Output);
        Assert.DoesNotContain(Lab.RealServers[0].MacAddress, links.Output);
        Assert.DoesNotContain("p-client", links.Output);
        Assert.DoesNotContain("br0", links.Output);
    }

    [Fact]
    public void Exec_ReturnsExitCodeAndStreams_AndRejectsUnknownNodes()
    {
        var r = Exec("rs2", "echo out; echo err >&2; exit 3");
        Assert.Equal((3, "out\n", "err\n"), r);
        var ex = Assert.Throws<LvsException>(() => _f.Manager.Exec(Lab, "rs9", "true"));
        Assert.Equal(LvsErrorIds.LabNodeNotFound, ex.ErrorId);
        Assert.Contains("rs9", ex.Message);
        Assert.Contains("rs2", ex.Message);
        var slow = _f.Manager.Exec(Lab, "client", "sleep 10", TimeSpan.FromMilliseconds(300));
        Assert.Equal(ProcessRunner.TimeoutExitCode, slow.ExitCode);
    }

    [Fact]
    public void BadInputs_GiveTheRightErrorIds()
    {
        var m = _f.Manager;
        string Id(Action a) => Assert.Throws<LvsException>(a).ErrorId;
        var tried = new List<string>();
        string U()
        {
            var n = Helpers.RandomName("u");
            tried.Add(n);
            return n;
        }

        Assert.Equal(LvsErrorIds.LabExists, Id(() => m.Create(_f.Name, 2, "10.252.0.0/24")));
        Assert.Equal(LvsErrorIds.LabExists, Id(() => m.Create(_f.Name.ToUpperInvariant(), 2, "10.252.0.0/24")));
        Assert.Equal(LvsErrorIds.LabSubnetInUse, Id(() => m.Create(U(), 2, _f.Subnet)));
        Assert.Equal(LvsErrorIds.LabSubnetInUse, Id(() => m.Create(U(), 2, "10.251.0.0/16")));
        var ex = Assert.Throws<LvsException>(() => m.Create(U(), 2, "10.0.0.0/33"));
        Assert.Equal(LvsErrorIds.InvalidSubnet, ex.ErrorId);
        Assert.Contains("10.0.0.0/33", ex.Message);
        Assert.Equal(LvsErrorIds.InvalidSubnet, Id(() => m.Create(U(), 2, "10.252.0.0/8")));
        Assert.Equal(LvsErrorIds.InvalidSubnet, Id(() => m.Create(U(), 2, "10.252.0.0/26"))); // no room for .200
        Assert.Equal(LvsErrorIds.InvalidSubnet, Id(() => m.Create(U(), 2, "10.252.0.7/24")));
        Assert.Equal(LvsErrorIds.InvalidSubnet, Id(() => m.Create(U(), 2, "fd00::/64")));
        var bad = Assert.Throws<LvsException>(() => m.Create("bad_name!", 2, "10.252.0.0/24"));
        Assert.Equal("InvalidArgument", bad.ErrorId);
        Assert.Contains("bad_name!", bad.Message);
        Assert.Equal("InvalidArgument", Id(() => m.Create("9lab", 2, "10.252.0.0/24")));
        Assert.Equal("InvalidArgument", Id(() => m.Create("abcdefghijklm", 2, "10.252.0.0/24")));
        Assert.Equal("InvalidArgument", Id(() => m.Create(U(), 0, "10.252.0.0/24")));
        Assert.Equal("InvalidArgument", Id(() => m.Create(U(), 33, "10.252.0.0/24")));
        Assert.Equal(LvsErrorIds.LabNotFound, Id(() => m.Remove("nosuchlab")));

        // a subnet holding an address of the root namespace (when the machine has a suitable one)
        foreach (var line in Helpers.Root("ip", "-o", "-4", "addr", "show").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var cidr = tokens[Array.IndexOf(tokens, "inet") + 1];
            var ip = IPAddress.Parse(cidr.Split('/')[0]).GetAddressBytes();
            if (ip[0] == 127 || ip[0] == 0 || ip[0] >= 224) continue;
            var rootSubnet = $"{ip[0]}.{ip[1]}.{ip[2]}.0/24";
            var inUse = Assert.Throws<LvsException>(() => m.Create(U(), 2, rootSubnet));
            Assert.Equal(LvsErrorIds.LabSubnetInUse, inUse.ErrorId);
            Assert.Contains(rootSubnet, inUse.Message);
            break;
        }

        // none of the refused calls left anything behind
        Assert.Single(m.List());
        var orphans = m.FindOrphans();
        Assert.All(tried, n => Assert.DoesNotContain(n, orphans));
        Assert.All(tried, n => Assert.Empty(Helpers.NamespacesOf(n)));
    }

    [Fact]
    public void Remove_StopsEveryProcess_DeletesNamespacesAndFolder_AndCleansHalfBuiltLabs()
    {
        var m = _f.Manager;
        var name = Helpers.RandomName("r");
        var lab = m.Create(name, 1, $"10.251.{(_f.Octet + 1) % 256}.0/24");
        try
        {
            // a process started later in the director namespace (like a director engine) must go too
            var bg = m.Exec(lab, "director", "setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!");
            Assert.Equal(0, bg.ExitCode);
            var namespaces = Helpers.NamespacesOf(name);
            Assert.Equal(4, namespaces.Count);
            var pids = namespaces.SelectMany(Helpers.Pids).ToList();
            Assert.Contains(int.Parse(bg.Output.Trim()), pids);
            Assert.True(pids.Count >= 4, string.Join(",", pids)); // nginx master+worker, sshd, socat, sleep

            m.Remove(name);

            Assert.Empty(Helpers.NamespacesOf(name));
            Assert.DoesNotContain(pids, Helpers.Alive);
            Assert.False(Directory.Exists(lab.Directory));
            Assert.Null(m.Get(name));
            Assert.Equal(LvsErrorIds.LabNotFound, Assert.Throws<LvsException>(() => m.Remove(name)).ErrorId);

            // a half-built lab: namespaces without lab.json
            Assert.True(Helpers.Root("ip", "netns", "add", $"lvs-{name}-sw").Success);
            Assert.True(Helpers.Root("ip", "netns", "add", $"lvs-{name}-rs1").Success);
            Assert.Contains(name, m.FindOrphans());
            Assert.Equal(LvsErrorIds.LabExists, Assert.Throws<LvsException>(() => m.Create(name, 1, "10.252.0.0/24")).ErrorId);
            m.Remove(name);
            Assert.Empty(Helpers.NamespacesOf(name));
            Assert.Empty(m.RemoveOrphans(name));
        }
        finally
        {
            try { m.Remove(name); } catch (LvsException) { }
            try { m.RemoveOrphans(name); } catch (LvsException) { }
        }
    }

    [Fact]
    public void Daemons_HoldNoPipeOfTheCaller()
    {
        foreach (var rs in Lab.RealServers)
        {
            var pids = Helpers.Pids(rs.Namespace);
            Assert.True(pids.Length >= 4, $"{rs.Name}: {string.Join(",", pids)}");
            foreach (var pid in pids)
            {
                foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
                {
                    string target;
                    try { target = new FileInfo(fd).LinkTarget ?? ""; }
                    catch (IOException) { continue; }
                    Assert.False(target.StartsWith("pipe:", StringComparison.Ordinal), $"pid {pid} ({rs.Name}) holds {fd} -> {target}");
                }
            }
        }
    }

    [Fact]
    public void Create_FailingMidway_RemovesEverythingAndNamesTheStep()
    {
        // a broken sshd makes the build fail after nginx already runs on rs1
        var fakeBin = Path.Combine(_f.StateRoot, "fakebin");
        Directory.CreateDirectory(fakeBin);
        var fakeSshd = Path.Combine(fakeBin, "sshd");
        File.WriteAllText(fakeSshd, "#!/bin/sh\necho 'fake sshd: broken on purpose' >&2\nexit 255\n");
        File.SetUnixFileMode(fakeSshd, (UnixFileMode)0b111_101_101);
        var oldPath = Environment.GetEnvironmentVariable("PATH");
        var name = Helpers.RandomName("f");
        try
        {
            Environment.SetEnvironmentVariable("PATH", fakeBin + ":" + oldPath);
            var ex = Assert.Throws<LvsException>(() => _f.Manager.Create(name, 1, $"10.251.{(_f.Octet + 2) % 256}.0/24"));
            Assert.Equal(LvsErrorIds.LabSetupFailed, ex.ErrorId);
            Assert.Contains("Starting nginx, sshd and telnet on rs1", ex.Message);
            Assert.Contains("fake sshd: broken on purpose", ex.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", oldPath);
        }
        Assert.Empty(Helpers.NamespacesOf(name));
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, name)));
        Assert.Null(_f.Manager.Get(name));
        var labDir = Path.Combine(_f.StateRoot, name) + "/";
        foreach (var proc in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            Assert.DoesNotContain(labDir, cmdline);
        }
    }
}
