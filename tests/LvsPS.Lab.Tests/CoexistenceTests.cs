using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using LvsPS.Ipvs.Model;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

// The lab tests run one at a time: one of them puts a broken sshd first on PATH for a moment
// (LabManagerTests.Create_FailingMidway_RemovesEverythingAndNamesTheStep), which a lab built in parallel would pick up,
// and the coexistence tests below watch daemons while labs come and go.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace LvsPS.Lab.Tests;

/// <summary>Signals and identities of processes this test project started (by pid, never by name).</summary>
internal static class TestProcesses
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int KillNative(int pid, int signal);

    public static void Signal(int pid, int signal)
    {
        if (pid > 1) KillNative(pid, signal);
    }

    /// <summary>The process's start time (field 22 of /proc/pid/stat): with the pid, it names one process for good.</summary>
    public static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 && fields[0] != "Z" ? fields[19] : null;
        }
        catch (IOException) { return null; }
    }

    public static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException) { return 0; }
    }

    /// <summary>(pid, start time) of the live children of <paramref name="parent"/>.</summary>
    public static List<(int Pid, string Start)> ChildrenOf(int parent)
    {
        var list = new List<(int, string)>();
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid) || ParentOf(pid) != parent) continue;
            var start = StartTime(pid);
            if (start != null) list.Add((pid, start));
        }
        return list;
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>, to each process still the one recorded.</summary>
    public static void Stop(IEnumerable<(int Pid, string Start)> processes, TimeSpan grace)
    {
        var mine = processes.Where(p => StartTime(p.Pid) == p.Start).ToList();
        foreach (var p in mine) Signal(p.Pid, SIGTERM);
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && mine.Any(p => StartTime(p.Pid) == p.Start)) Thread.Sleep(50);
        foreach (var p in mine.Where(p => StartTime(p.Pid) == p.Start)) Signal(p.Pid, SIGKILL);
    }

    public static int FreeLoopbackPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

/// <summary>
/// A host nginx and a host sshd as an admin's machine has them: in the root network namespace, on 127.0.0.1 with
/// ports of their own, each with its own configuration and pid file in a temporary folder. Started by the test,
/// stopped by pid on Dispose.
/// </summary>
internal sealed class HostDaemons : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly StringBuilder _log = new();
    private readonly string _token = Guid.NewGuid().ToString("N");
    private Process? _nginx, _sshd;
    private readonly List<(int Pid, string Start)> _nginxProcesses = new();
    private (int Pid, string Start) _sshdProcess;

    public HostDaemons()
    {
        Dir = Directory.CreateTempSubdirectory("lvsps-hostd-").FullName;
        try
        {
            StartNginx();
            StartSshd();
        }
        catch (Exception e)
        {
            var log = Log;
            Dispose();
            throw new InvalidOperationException($"The host daemons of the test could not be started: {e.Message}\n{log}", e);
        }
    }

    public string Dir { get; }
    public int NginxPort { get; private set; }
    public int SshdPort { get; private set; }
    public int NginxPid => _nginxProcesses[0].Pid;
    public int SshdPid => _sshdProcess.Pid;
    /// <summary>The nginx master and its workers, and the sshd listener.</summary>
    public IEnumerable<int> Pids => _nginxProcesses.Select(p => p.Pid).Append(_sshdProcess.Pid);
    public string Log { get { lock (_log) return _log.ToString(); } }

    private string F(string name) => Path.Combine(Dir, name);

    private Process Start(string what, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine($"{what}: {e.Data}"); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine($"{what}: {e.Data}"); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private void StartNginx()
    {
        NginxPort = TestProcesses.FreeLoopbackPort();
        Directory.CreateDirectory(F("www"));
        Directory.CreateDirectory(F("tmp"));
        File.WriteAllText(F("www/host.txt"), $"host nginx {_token}\n");
        File.WriteAllText(F("nginx.conf"), $$"""
            daemon off;
            user root;
            worker_processes 2;
            pid {{F("nginx.pid")}};
            error_log {{F("nginx-error.log")}};
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{F("tmp")}}/body;
                proxy_temp_path {{F("tmp")}}/proxy;
                fastcgi_temp_path {{F("tmp")}}/fastcgi;
                uwsgi_temp_path {{F("tmp")}}/uwsgi;
                scgi_temp_path {{F("tmp")}}/scgi;
                types { text/plain txt; }
                server {
                    listen 127.0.0.1:{{NginxPort}};
                    root {{F("www")}};
                }
            }

            """);
        _nginx = Start("nginx", LabToolsPath("nginx"), "-c", F("nginx.conf"), "-p", Dir + "/", "-e", F("nginx-error.log"));
        _nginxProcesses.Add((_nginx.Id, TestProcesses.StartTime(_nginx.Id) ?? ""));
        WaitUntil("nginx answers", () => Fetch() == $"host nginx {_token}\n", _nginx);
        WaitUntil("nginx has its workers", () => TestProcesses.ChildrenOf(_nginx.Id).Count == 2, _nginx);
        _nginxProcesses.AddRange(TestProcesses.ChildrenOf(_nginx.Id));
    }

    private void StartSshd()
    {
        SshdPort = TestProcesses.FreeLoopbackPort();
        Keygen("ssh_host_ed25519_key");
        Keygen("client_ed25519");
        File.Copy(F("client_ed25519.pub"), F("authorized_keys"));
        var hostPub = File.ReadAllText(F("ssh_host_ed25519_key.pub")).Split(' ');
        File.WriteAllText(F("known_hosts"), $"[127.0.0.1]:{SshdPort} {hostPub[0]} {hostPub[1]}\n");
        File.WriteAllText(F("sshd_config"), string.Join("\n",
            $"ListenAddress 127.0.0.1:{SshdPort}",
            $"HostKey {F("ssh_host_ed25519_key")}",
            $"PidFile {F("sshd.pid")}",
            $"AuthorizedKeysFile {F("authorized_keys")}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "UseDNS no",
            "PrintMotd no",
            ""));
        var sshd = LabToolsPath("sshd");
        if (Directory.Exists("/run/sshd"))
        {
            // sshd's privilege separation folder is fixed at build time: a host sshd uses the host's /run/sshd.
            _sshd = Start("sshd", sshd, "-D", "-e", "-f", F("sshd_config"));
        }
        else
        {
            // No /run/sshd on this host (no sshd of its own): the test does not create one; its sshd gets a
            // private /run in a mount namespace of its own (still in the root network namespace).
            _sshd = Start("sshd", "unshare", "--mount", "--propagation", "private", "--", "/bin/bash", "-c",
                "mount -t tmpfs -o mode=0755,size=1m tmpfs /run && mkdir -m 0755 /run/sshd && exec \"$@\"", "bash",
                sshd, "-D", "-e", "-f", F("sshd_config"));
        }
        _sshdProcess = (_sshd.Id, TestProcesses.StartTime(_sshd.Id) ?? "");
        WaitUntil("sshd sends its banner", () => Banner().StartsWith("SSH-2.0-", StringComparison.Ordinal), _sshd);
    }

    private static string LabToolsPath(string program) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists) ?? program;

    private void Keygen(string name)
    {
        var r = Helpers.Root("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lvsps-host-" + name, "-f", F(name));
        if (!r.Success) throw new InvalidOperationException("ssh-keygen: " + r.Combined);
    }

    private void WaitUntil(string what, Func<bool> ready, Process p)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (p.HasExited) throw new InvalidOperationException($"{what}: the process exited with {p.ExitCode}. {Log}");
            try { if (ready()) return; }
            catch (Exception) when (DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow >= deadline) throw new InvalidOperationException($"{what}: not within {StartTimeout.TotalSeconds} s. {Log}");
            Thread.Sleep(100);
        }
    }

    /// <summary>GET http://127.0.0.1:port/host.txt from the host nginx.</summary>
    public string Fetch()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return http.GetStringAsync($"http://127.0.0.1:{NginxPort}/host.txt").GetAwaiter().GetResult();
    }

    private string Banner()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
        s.Connect(IPAddress.Loopback, SshdPort);
        var buf = new byte[64];
        var n = s.Receive(buf);
        return Encoding.ASCII.GetString(buf, 0, n);
    }

    /// <summary>Logs in to the host sshd (host key checked) and returns what the session says of itself.</summary>
    public string Login()
    {
        using var s = SshSession.Open(new SshTarget
        {
            HostName = "127.0.0.1",
            Port = SshdPort,
            UserName = "root",
            KeyFile = F("client_ed25519"),
            KnownHostsFile = F("known_hosts"),
            Timeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromSeconds(10),
        });
        return s.RunChecked("echo host-sshd-ok; readlink /proc/self/ns/net").Output;
    }

    /// <summary>Every process alive and the same one, both answering on loopback, both pid files still theirs.</summary>
    public void AssertAnswering(string when)
    {
        foreach (var p in _nginxProcesses.Append(_sshdProcess))
            Assert.True(TestProcesses.StartTime(p.Pid) == p.Start, $"{when}: host daemon process {p.Pid} is gone. {Log}");
        Assert.Equal($"host nginx {_token}\n", Fetch());
        var login = Login().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("host-sshd-ok", login[0]);
        Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, login[1]); // the root network namespace, as ours
        Assert.Equal(NginxPid.ToString(), File.ReadAllText(F("nginx.pid")).Trim());
        Assert.Equal(SshdPid.ToString(), File.ReadAllText(F("sshd.pid")).Trim());
    }

    public void Dispose()
    {
        // by pid only: the sshd listener and its connection children, then the nginx master and its workers
        if (_sshdProcess.Pid > 0)
        {
            var children = TestProcesses.ChildrenOf(_sshdProcess.Pid);
            TestProcesses.Stop(new[] { _sshdProcess }, TimeSpan.FromSeconds(5));
            TestProcesses.Stop(children, TimeSpan.FromSeconds(2));
        }
        if (_nginxProcesses.Count > 0)
        {
            var workers = _nginxProcesses.Skip(1).Concat(TestProcesses.ChildrenOf(_nginxProcesses[0].Pid)).Distinct().ToList();
            TestProcesses.Stop(_nginxProcesses.Take(1), TimeSpan.FromSeconds(5));
            TestProcesses.Stop(workers, TimeSpan.FromSeconds(2));
        }
        foreach (var p in new[] { _sshd, _nginx })
        {
            if (p == null) continue;
            try { if (!p.HasExited) p.Kill(); p.WaitForExit(5000); } catch (Exception) { }
            p.Dispose();
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Tests that make their own labs in a private state folder; every lab listed in _labs is removed after.</summary>
public abstract class PrivateLabsTestBase : IDisposable
{
    protected readonly string _stateRoot = Path.Combine(Path.GetTempPath(), "lvsps-labtest-" + Guid.NewGuid().ToString("N")[..8]);
    protected readonly LabManager _m;
    protected readonly List<string> _labs = new();

    protected PrivateLabsTestBase() => _m = new LabManager(_stateRoot);

    public void Dispose()
    {
        foreach (var name in _labs)
        {
            try { _m.Remove(name); } catch (LvsException) { }
            try { _m.RemoveOrphans(name); } catch (LvsException) { }
        }
        try { Directory.Delete(_stateRoot, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// A lab leaves the host alone: a host nginx and a host sshd keep running and answering while a lab is built, used
/// and removed; two labs work side by side and removing one leaves the other working.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CoexistenceTests : PrivateLabsTestBase
{

    private LvsLab Create(string prefix, int realServers, string subnet)
    {
        var name = Helpers.RandomName(prefix);
        _labs.Add(name);
        return _m.Create(name, realServers, subnet);
    }

    private static string Subnet(int octet) => $"10.253.{octet}.0/24";

    private (int ExitCode, string Output, string Error) Exec(LvsLab lab, string node, string command) =>
        _m.Exec(lab, node, command, TimeSpan.FromSeconds(20));

    /// <summary>The lab's client reaches each of its own real servers' web page, sshd and telnet service.</summary>
    private void AssertLabWorks(LvsLab lab)
    {
        foreach (var rs in lab.RealServers)
        {
            var web = Exec(lab, "client", $"curl -s --max-time 5 http://{rs.Address}/");
            Assert.True(web.ExitCode == 0, $"{lab.Name}/{rs.Name}: curl exited {web.ExitCode}: {web.Error}");
            Assert.Contains($"{rs.Name} {rs.Address}, lab {lab.Name}", web.Output);

            var ssh = Exec(lab, "client",
                $"ssh -i '{lab.KeyFile}' -o UserKnownHostsFile='{lab.KnownHostsFile}' -o StrictHostKeyChecking=yes -o BatchMode=yes " +
                $"-o ConnectTimeout=5 root@{rs.Address} 'ip -o -4 addr show dev eth0'");
            Assert.True(ssh.ExitCode == 0, $"{lab.Name}/{rs.Name}: ssh exited {ssh.ExitCode}: {ssh.Error}");
            Assert.Contains($"{rs.Address}/24", ssh.Output);

            var telnet = Exec(lab, "client", $"(printf 'hi\\r\\n'; sleep 0.3) | socat -t 1 - TCP:{rs.Address}:23");
            Assert.StartsWith($"[guest@{rs.Name} guest]$ ", telnet.Output);
        }
    }

    /// <summary>
    /// Each real server's nginx, sshd and telnet service: its pid file is in the lab's folder and names a process of
    /// the real server's namespace; the sshd has a /run of its own (a tmpfs in its own mount namespace).
    /// </summary>
    private static void AssertLabDaemonsAreTheLabsOwn(LvsLab lab)
    {
        var ownMounts = File.ReadAllText("/proc/self/mountinfo");
        foreach (var rs in lab.RealServers)
        {
            var nsPids = Helpers.Pids(rs.Namespace);
            foreach (var pidFile in new[] { "nginx.pid", "sshd.pid", "telnet.pid" })
            {
                var path = Path.Combine(lab.Directory, rs.Name, pidFile);
                Assert.True(File.Exists(path), $"{path} is missing");
                var pid = int.Parse(File.ReadAllText(path).Trim());
                Assert.True(nsPids.Contains(pid), $"{path}: pid {pid} is not in {rs.Namespace} ({string.Join(",", nsPids)})");
            }
            var sshd = int.Parse(File.ReadAllText(Path.Combine(lab.Directory, rs.Name, "sshd.pid")).Trim());
            var sshdMounts = File.ReadAllLines($"/proc/{sshd}/mountinfo");
            Assert.Contains(sshdMounts, l => l.Split(' ')[4] == "/run" && l.Contains(" - tmpfs lvsps-lab-run "));
            Assert.NotEqual(new FileInfo("/proc/self/ns/mnt").LinkTarget, new FileInfo($"/proc/{sshd}/ns/mnt").LinkTarget);
            Assert.DoesNotContain("lvsps-lab-run", ownMounts);
        }
    }

    /// <summary>What a host nginx or sshd keeps in /run: the lab must neither create, change nor remove any of it.</summary>
    private static string HostRunFiles()
    {
        var sb = new StringBuilder();
        foreach (var f in new[] { "/run/nginx.pid", "/run/sshd.pid" })
            sb.Append(f).Append(File.Exists(f) ? $" {File.GetLastWriteTimeUtc(f):O} {File.ReadAllText(f).Trim()}" : " none").Append('\n');
        sb.Append("/run/sshd ").Append(Directory.Exists("/run/sshd") ? "exists" : "none").Append('\n');
        return sb.ToString();
    }

    [Fact]
    public void HostNginxAndSshd_KeepRunningAndAnswering_WhileALabIsCreatedUsedAndRemoved()
    {
        using var host = new HostDaemons();
        host.AssertAnswering("before the lab");
        var runBefore = HostRunFiles();

        var lab = Create("co", 2, Subnet(Helpers.RandomOctet()));
        host.AssertAnswering("after the lab was created");
        AssertLabWorks(lab);
        AssertLabDaemonsAreTheLabsOwn(lab);
        // the host daemons are not the lab's: none of their processes is in a lab namespace
        var labPids = lab.Nodes.Select(n => n.Namespace).Append(lab.SwitchNamespace).SelectMany(Helpers.Pids).ToHashSet();
        Assert.DoesNotContain(host.Pids, labPids.Contains);
        host.AssertAnswering("while the lab is used");

        _m.Remove(lab.Name);
        Assert.Empty(Helpers.NamespacesOf(lab.Name));
        Assert.DoesNotContain(labPids, Helpers.Alive);
        host.AssertAnswering("after the lab was removed");
        Assert.Equal(runBefore, HostRunFiles());
    }

    [Fact]
    public void TwoLabs_WorkSideBySide_AndRemovingOneLeavesTheOtherWorking()
    {
        var octet = Helpers.RandomOctet();
        var a = Create("ca", 1, Subnet(octet));
        var b = Create("cb", 2, Subnet(octet + 1));
        Assert.NotEqual(a.Name, b.Name);
        Assert.Equal(new[] { a.Name, b.Name }.OrderBy(n => n, StringComparer.Ordinal), _m.List().Select(l => l.Name));

        AssertLabWorks(a);
        AssertLabWorks(b);
        AssertLabDaemonsAreTheLabsOwn(a);
        AssertLabDaemonsAreTheLabsOwn(b);
        // separate networks: a lab's client does not reach the other lab's real servers
        var cross = Exec(a, "client", $"curl -s --max-time 2 http://{b.RealServers[0].Address}/test.html");
        Assert.NotEqual(0, cross.ExitCode);

        var bPids = b.Nodes.Select(n => n.Namespace).SelectMany(Helpers.Pids).ToList();
        var aPids = a.Nodes.Select(n => n.Namespace).SelectMany(Helpers.Pids).ToList();
        Assert.Empty(aPids.Intersect(bPids));

        _m.Remove(a.Name);
        Assert.Empty(Helpers.NamespacesOf(a.Name));
        Assert.DoesNotContain(aPids, Helpers.Alive);
        Assert.All(bPids, pid => Assert.True(Helpers.Alive(pid), $"process {pid} of lab {b.Name} is gone"));
        Assert.Equal(new[] { b.Name }, _m.List().Select(l => l.Name));
        AssertLabWorks(b);
        AssertLabDaemonsAreTheLabsOwn(b);

        _m.Remove(b.Name);
        Assert.Empty(Helpers.NamespacesOf(b.Name));
        Assert.DoesNotContain(bPids, Helpers.Alive);
    }
}
