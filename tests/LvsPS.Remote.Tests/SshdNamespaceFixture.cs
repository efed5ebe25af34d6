using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using LvsPS.Management.Remote;

namespace LvsPS.Remote.Tests;

/// <summary>
/// A real OpenSSH sshd inside a network namespace created for the test run, plus a second "client" namespace joined
/// to it by a veth pair (10.250.9.1 client, 10.250.9.2 real server). Everything is deleted on Dispose.
/// Needs root (ip netns, setns); without it the fixture fails loudly instead of skipping.
/// The sshd runs in a mount namespace of its own with a private /run (its privilege separation folder /run/sshd
/// lives there), so the fixture neither needs nor touches the host's /run/sshd.
/// </summary>
public class SshdNamespaceFixture : IDisposable
{
    /// <summary>Name of the tmpfs that hides a folder's ipvsadm (see <see cref="SshdWithoutIpvsadmFixture"/>).</summary>
    internal const string HidingFileSystem = "lvsps-no-ipvsadm";

    public const string ServerAddress = "10.250.9.2";
    public const string ClientAddress = "10.250.9.1";
    public const string ServerInterface = "rs0";
    public const string ClientInterface = "cl0";

    private readonly TempDir _dir = new();
    private readonly List<string> _namespaces = new();
    private readonly StringBuilder _sshdLog = new();
    private readonly bool _hideIpvsadm;
    private Process? _sshd;

    public SshdNamespaceFixture() : this(hideIpvsadm: false) { }

    /// <param name="hideIpvsadm">When true, no ipvsadm can be found by the sshd's login shells, whatever the host has
    /// installed: every folder the login PATH or the kernel director looks in that holds one is overlaid, in the
    /// sshd's own mount namespace only, by a tmpfs of symlinks to everything else of that folder.</param>
    protected SshdNamespaceFixture(bool hideIpvsadm)
    {
        _hideIpvsadm = hideIpvsadm;
        try { Setup(); }
        catch (Exception e)
        {
            var log = SshdLog;
            Dispose();
            throw new InvalidOperationException($"The sshd test fixture could not be set up: {e.Message}\nsshd log:\n{log}", e);
        }
    }

    public string Namespace { get; private set; } = "";
    public string ClientNamespace { get; private set; } = "";
    public string HostPublicLine { get; private set; } = "";
    public string ClientKey { get; private set; } = "";
    public string OtherKey { get; private set; } = "";
    public string OtherPublicLine { get; private set; } = "";
    public string Directory => _dir.Path;

    public string SshdLog { get { lock (_sshdLog) return _sshdLog.ToString(); } }

    private void Setup()
    {
        if (Environment.UserName != "root" && Proc.Run("id", "-u").Output.Trim() != "0")
            throw new InvalidOperationException("these integration tests need root (ip netns add, setns).");
        if (!File.Exists("/usr/sbin/sshd"))
            throw new InvalidOperationException("/usr/sbin/sshd is missing (install openssh-server).");

        var id = RandomNumberGenerator.GetHexString(8, lowercase: true);
        Namespace = "lvsps-t-" + id;
        ClientNamespace = "lvsps-c-" + id;
        AddNamespace(Namespace);
        AddNamespace(ClientNamespace);
        Proc.InNetns(Namespace, "ip", "link", "set", "lo", "up").Check("lo up");
        Proc.InNetns(ClientNamespace, "ip", "link", "set", "lo", "up").Check("lo up");
        Proc.Run("ip", "link", "add", "name", ServerInterface, "netns", Namespace, "type", "veth",
            "peer", "name", ClientInterface, "netns", ClientNamespace).Check("veth pair");
        Proc.InNetns(Namespace, "ip", "addr", "add", ServerAddress + "/24", "dev", ServerInterface).Check("rs0 address");
        Proc.InNetns(Namespace, "ip", "link", "set", ServerInterface, "up").Check("rs0 up");
        Proc.InNetns(ClientNamespace, "ip", "addr", "add", ClientAddress + "/24", "dev", ClientInterface).Check("cl0 address");
        Proc.InNetns(ClientNamespace, "ip", "link", "set", ClientInterface, "up").Check("cl0 up");

        var (hostKey, hostPub) = Keys.Generate(_dir, "ssh_host_ed25519_key");
        HostPublicLine = hostPub;
        (ClientKey, _) = Keys.Generate(_dir, "client_ed25519");
        (OtherKey, OtherPublicLine) = Keys.Generate(_dir, "other_ed25519");
        File.Copy(ClientKey + ".pub", _dir.File("authorized_keys"));

        var config = _dir.File("sshd_config");
        File.WriteAllText(config, string.Join("\n",
            "Port 22",
            "ListenAddress 0.0.0.0",
            $"HostKey {hostKey}",
            $"PidFile {_dir.File("sshd.pid")}",
            $"AuthorizedKeysFile {_dir.File("authorized_keys")}",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UseDNS no",
            "PrintMotd no",
            "LogLevel VERBOSE",
            "") );

        // A mount namespace of its own (no mount made in it reaches the host), with a private /run for sshd's
        // privilege separation folder; unshare and bash exec, so the process started is the sshd itself.
        const string privateRun = "mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev lvsps-test-run /run && mkdir -m 0755 /run/sshd && exec \"$@\"";
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", Namespace, "unshare", "--mount", "--propagation", "private", "--",
                     "/bin/bash", "-c", privateRun, "bash", "/usr/sbin/sshd", "-D", "-e", "-f", config })
            psi.ArgumentList.Add(a);
        _sshd = new Process { StartInfo = psi };
        _sshd.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_sshdLog) _sshdLog.AppendLine(e.Data); };
        _sshd.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_sshdLog) _sshdLog.AppendLine(e.Data); };
        _sshd.Start();
        _sshd.BeginErrorReadLine();
        _sshd.BeginOutputReadLine();

        // Wait for the banner, connecting from inside the namespace.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (_sshd.HasExited) throw new InvalidOperationException($"sshd exited with {_sshd.ExitCode}");
            try
            {
                using var s = NetnsConnector.Connect(Namespace, "127.0.0.1", 22, TimeSpan.FromSeconds(1));
                s.ReceiveTimeout = 5000;
                var buf = new byte[64];
                int n = s.Receive(buf);
                if (Encoding.ASCII.GetString(buf, 0, n).StartsWith("SSH-2.0-", StringComparison.Ordinal)) break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline) { }
            Thread.Sleep(100);
        }

        if (_hideIpvsadm) HideIpvsadm();
    }

    /// <summary>The sshd's process id (its mount namespace is the one its login sessions get).</summary>
    public int SshdProcessId => _sshd?.Id ?? 0;

    /// <summary>
    /// The folders in which the sshd's login shell (its PATH) or the kernel director (its absolute candidates) would
    /// find an ipvsadm, asked over SSH so the answer is the remote shell's own.
    /// </summary>
    public IReadOnlyList<string> FoldersWithIpvsadm()
    {
        var dirs = LvsPS.Management.Kernel.KernelDirector.ProgramCandidates
            .Where(c => c.StartsWith('/')).Select(c => Path.GetDirectoryName(c)!).Distinct();
        var script = "IFS=:; for d in $PATH " + string.Join(' ', dirs.Select(ShellQuote.Quote)) +
                     "; do [ -n \"$d\" ] || continue; if [ -e \"$d/ipvsadm\" ] || [ -L \"$d/ipvsadm\" ]; then echo \"$d\"; fi; done; true";
        using var s = SshSession.Open(Target(TrustingKnownHosts()));
        return s.RunChecked(script).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Inside the sshd's mount namespace only: each folder that holds an ipvsadm is bound to a stash in the fixture's
    /// folder, then overlaid by a tmpfs holding a symlink to every entry of the stash except ipvsadm and ipvsadm-*.
    /// Repeated until the login shell finds none (a folder may hide another's, e.g. /sbin and /usr/sbin).
    /// </summary>
    private void HideIpvsadm()
    {
        const string hide =
            "set -e; d=$(readlink -f \"$1\"); st=$2; " +
            "if [ ! -e \"$d/ipvsadm\" ] && [ ! -L \"$d/ipvsadm\" ]; then exit 0; fi; " +
            "mount --bind \"$d\" \"$st\"; " +
            "mount -t tmpfs -o mode=0755 " + HidingFileSystem + " \"$d\"; " +
            "find \"$st\" -mindepth 1 -maxdepth 1 ! -name ipvsadm ! -name 'ipvsadm-*' -exec ln -s -t \"$d\" {} +";
        int stash = 0;
        for (int round = 0; round < 8; round++)
        {
            var found = FoldersWithIpvsadm();
            if (found.Count == 0) return;
            foreach (var dir in found)
            {
                var st = _dir.File($"hidden-{stash++}");
                System.IO.Directory.CreateDirectory(st);
                Proc.Run("nsenter", "--target", SshdProcessId.ToString(), "--mount", "--",
                    "/bin/bash", "-c", hide, "bash", dir, st).Check($"hiding {dir}/ipvsadm from the sshd");
            }
        }
        throw new InvalidOperationException(
            $"the sshd's login shell still finds ipvsadm in {string.Join(", ", FoldersWithIpvsadm())}");
    }

    private void AddNamespace(string name)
    {
        Proc.Run("ip", "netns", "add", name).Check("ip netns add " + name);
        _namespaces.Add(name);
    }

    /// <summary>A target that reaches the sshd at 127.0.0.1:22 inside the server namespace.</summary>
    public SshTarget Target(string knownHosts, bool acceptNew = false) => new()
    {
        HostName = "127.0.0.1",
        Port = 22,
        UserName = "root",
        KeyFile = ClientKey,
        KnownHostsFile = knownHosts,
        AcceptNewHostKey = acceptNew,
        NetworkNamespace = Namespace,
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>A fresh known_hosts path inside the fixture directory (the file does not exist yet).</summary>
    public string NewKnownHostsPath() => _dir.File("known_hosts_" + Guid.NewGuid().ToString("N"));

    /// <summary>A known_hosts file that trusts the sshd as 127.0.0.1 (port 22).</summary>
    public string TrustingKnownHosts()
    {
        var path = NewKnownHostsPath();
        File.WriteAllText(path, "127.0.0.1 " + HostPublicLine + "\n");
        return path;
    }

    public void Dispose()
    {
        try
        {
            if (_sshd != null)
            {
                if (!_sshd.HasExited)
                {
                    _sshd.Kill();
                    _sshd.WaitForExit(10_000);
                }
                _sshd.Dispose();
                _sshd = null;
            }
        }
        catch (Exception) { /* keep cleaning up */ }

        foreach (var ns in _namespaces)
        {
            // Per-connection sshd processes started by our listener live on in the namespace: end them by pid.
            try
            {
                var pids = Proc.Run("ip", "netns", "pids", ns).Output
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (var pid in pids)
                {
                    try { using var p = Process.GetProcessById(int.Parse(pid)); p.Kill(); p.WaitForExit(5000); }
                    catch (Exception) { }
                }
            }
            catch (Exception) { }
            Proc.Run("ip", "netns", "del", ns);
        }
        _namespaces.Clear();
        _dir.Dispose();
    }
}

/// <summary>
/// <see cref="SshdNamespaceFixture"/> whose sshd can find no ipvsadm, whatever the host has installed: the condition
/// the "ipvsadm not found" tests need, made by the fixture instead of assumed of the host. The host's own folders
/// are never changed: the hiding mounts exist only in the sshd's mount namespace and go with it.
/// </summary>
public sealed class SshdWithoutIpvsadmFixture : SshdNamespaceFixture
{
    public SshdWithoutIpvsadmFixture() : base(hideIpvsadm: true) { }
}
