using LvsPS.Management.Util;

namespace LvsPS.Management.Lab;

/// <summary>
/// Does the work of <see cref="LabManager.Create"/>: namespaces, bridge, veth pairs, keys, configuration files and the
/// real servers' daemons. Throws <see cref="StepFailedException"/> naming the step; the caller tears down.
/// </summary>
internal sealed partial class LabBuilder
{
    internal sealed class StepFailedException : Exception
    {
        public StepFailedException(string step, string message) : base(message) => Step = step;
        public string Step { get; }
    }

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly UTF8Encoding Utf8 = new(false);
    private static readonly UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Offloads turned off on every lab interface: the forwarding engine re-sends captured frames as they are,
    /// so checksums must be complete and frames no larger than the MTU.</summary>
    private static readonly string[] OffloadsOff = { "tx", "off", "gso", "off", "tso", "off", "gro", "off" };

    private readonly LvsLab _lab;
    private readonly LabSubnet _net;
    private readonly IProgress<(string Activity, int Percent)>? _progress;
    private readonly string _ip = LabTools.Resolve("ip");
    private readonly string _ethtool = LabTools.Resolve("ethtool");
    private readonly string _bash = LabTools.Resolve("bash");

    /// <summary>
    /// Bash prologue closing every descriptor above 2: whatever our caller inherited (a CI runner's or a terminal
    /// multiplexer's pipes) must not be kept open for the lifetime of a lab daemon. (dash cannot name fds above 9.)
    /// </summary>
    private const string CloseInheritedFds =
        "for p in /proc/$$/fd/*; do n=${p##*/}; case $n in 0|1|2) ;; *) eval \"exec $n>&-\";; esac; done; ";

    public LabBuilder(LvsLab lab, LabSubnet net, IProgress<(string Activity, int Percent)>? progress)
    {
        _lab = lab;
        _net = net;
        _progress = progress;
    }

    public string CurrentStep { get; private set; } = "";

    private void Step(string activity, int percent)
    {
        CurrentStep = activity;
        _progress?.Report((activity, percent));
    }

    public static string RealServerDirectory(LvsLab lab, LvsLabNode rs) => Path.Combine(lab.Directory, rs.Name);

    public void Build()
    {
        var lab = _lab;
        int rsCount = lab.RealServers.Count;

        Step("Creating the lab folder", 2);
        MakeDirectory(lab.Directory);

        Step("Creating network namespaces", 5);
        foreach (var ns in new[] { lab.SwitchNamespace }.Concat(lab.Nodes.Select(n => n.Namespace)).Distinct(StringComparer.Ordinal))
        {
            Must(_ip, "netns", "add", ns);
            Must(_ip, "-n", ns, "link", "set", "lo", "up");
            // no IPv6 chatter (router solicitations, MLD) on the lab wire: the engine sees only what the lab sends
            Must(_ip, "netns", "exec", ns, "/bin/sh", "-c",
                "for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/default/disable_ipv6; do [ -w \"$f\" ] && echo 1 > \"$f\"; done; true");
        }

        Step("Creating the switch (bridge br0)", 10);
        var sw = lab.SwitchNamespace;
        var bridgeMac = $"02:4c:56:{LabManager.LabHashByte(lab.Name):x2}:00:00";
        Must(_ip, "-n", sw, "link", "add", "br0", "address", bridgeMac, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        Must(_ip, Cat(new[] { "netns", "exec", sw, _ethtool, "-K", "br0" }, OffloadsOff));
        Must(_ip, "-n", sw, "link", "set", "br0", "up");
        bool nat = lab.Forwarding == LvsPS.Ipvs.Model.LvsForwarding.Masq;
        if (nat)
        {
            // NAT: a second bridge for the real servers' internal network.
            Must(_ip, "-n", sw, "link", "add", "br1", "address", $"02:4c:56:{LabManager.LabHashByte(lab.Name):x2}:00:01", "type", "bridge", "stp_state", "0", "forward_delay", "0");
            Must(_ip, Cat(new[] { "netns", "exec", sw, _ethtool, "-K", "br1" }, OffloadsOff));
            Must(_ip, "-n", sw, "link", "set", "br1", "up");
        }

        int wired = 0, nodeCount = lab.Nodes.Count();
        foreach (var node in lab.Nodes)
        {
            if (node.Host == LvsLabNodeHost.VirtualMachine) continue;   // its tap joins the bridge when it boots
            Step($"Wiring {node.Name} ({node.Address}) to the switch", 12 + 36 * wired++ / nodeCount);
            bool inside = nat && node.Role == LvsLabRole.RealServer;
            Wire(node.Namespace, "p-" + node.Name, node.Interface, node.MacAddress, $"{node.Address}/{lab.PrefixLength}", inside ? "br1" : "br0");
        }
        if (nat && lab.Director.Host == LvsLabNodeHost.Namespace)
        {
            var d = lab.Director;
            Wire(d.Namespace, "q-director", d.InsideInterface!, d.InsideMacAddress!, $"{d.InsideAddress}/{lab.PrefixLength}", "br1");
            // The real servers answer clients through the director (their default gateway), as LVS-NAT needs.
        }
        if (nat)
        {
            // The real servers answer clients through the director (their default gateway), as LVS-NAT needs.
            foreach (var rs in lab.RealServers)
                Must(_ip, "-n", rs.Namespace, "route", "add", "default", "via", lab.Director.InsideAddress!.ToString());
        }

        foreach (var d in lab.Directors)
        {
            var which = lab.Directors.Count > 1 ? " " + d.Name : "";
            if (lab.KindOf(d) == LvsLabDirectorKind.Engine)
            {
                Step($"Configuring the director{which} (ip_forward=0, no VIP)", 50);
                Must(_ip, "netns", "exec", d.Namespace, "/bin/sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward");
            }
            else if (d.Host == LvsLabNodeHost.Namespace)
            {
                Step(Pair
                    ? $"Configuring the kernel director{which} (no VIP until VRRP gives it, ip_forward=0)"
                    : $"Configuring the kernel director (VIP {lab.VirtualAddress} on {d.Interface}, ip_forward={(nat ? 1 : 0)})", 50);
                ConfigureKernelDirectorNamespace(d);
            }
        }

        Step("Generating SSH keys", 55);
        var keygen = LabTools.Resolve("ssh-keygen");
        Must(keygen, "-q", "-t", "ed25519", "-N", "", "-C", $"lvsps-lab-{lab.Name}", "-f", lab.KeyFile);
        var clientPub = File.ReadAllText(lab.KeyFile + ".pub", Utf8).Trim();
        WriteFile(Path.Combine(lab.Directory, "authorized_keys"), clientPub + "\n");
        var knownHosts = new StringBuilder();
        // The real servers and the client run sshd (the client's is how checks send probes from it, as from a
        // -ClientComputerName outside a lab).
        foreach (var rs in lab.RealServers.Append(lab.Client))
        {
            var dir = RealServerDirectory(lab, rs);
            MakeDirectory(dir);
            var hostKey = Path.Combine(dir, "ssh_host_ed25519_key");
            Must(keygen, "-q", "-t", "ed25519", "-N", "", "-C", $"{rs.Name}.{lab.Name}", "-f", hostKey);
            var pub = File.ReadAllText(hostKey + ".pub", Utf8).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (pub.Length < 2) throw new StepFailedException(CurrentStep, $"{hostKey}.pub is not an OpenSSH public key.");
            knownHosts.Append(rs.Address).Append(' ').Append(pub[0]).Append(' ').Append(pub[1]).Append('\n');
        }
        foreach (var d in KernelDirectors) knownHosts.Append(MakeDirectorHostKey(d));
        WriteFile(lab.KnownHostsFile, knownHosts.ToString());

        Step("Writing configuration files", 60);
        WriteFile(lab.HostsFile, HostsText(lab));
        foreach (var rs in lab.RealServers) WriteRealServerFiles(rs);

        int started = 0;
        foreach (var rs in lab.RealServers)
        {
            Step($"Starting nginx, sshd and telnet on {rs.Name} ({rs.Address})", 65 + 20 * started++ / rsCount);
            StartRealServer(rs);
        }
        Step($"Starting sshd on the client ({lab.Client.Address})", 86);
        var clientDir = RealServerDirectory(lab, lab.Client);
        WriteFile(Path.Combine(clientDir, "sshd_config"), SshdConfig(lab.Client, clientDir));
        StartSshd(lab.Client.Namespace, clientDir);

        if (KernelDirectors.Count > 0) StartKernelDirectors(82);

        Step("Waiting for the real servers' services", 90);
        WaitReady();
        foreach (var d in KernelDirectors)
        {
            Step($"Waiting for the kernel director's sshd ({(Pair ? d.Name + ", " : "")}{d.Address}:22)", 94);
            WaitKernelDirectorSsh(d);
        }
    }

    /// <summary>One veth from the switch's bridge to a node's interface, with the node's MAC and address, offloads off.</summary>
    private void Wire(string ns, string port, string iface, string mac, string cidr, string bridge)
    {
        var sw = _lab.SwitchNamespace;
        Must(_ip, "-n", sw, "link", "add", port, "type", "veth", "peer", "name", iface, "netns", ns);
        Must(_ip, "-n", ns, "link", "set", iface, "address", mac);
        Must(_ip, "-n", ns, "addr", "add", cidr, "dev", iface);
        Must(_ip, Cat(new[] { "netns", "exec", ns, _ethtool, "-K", iface }, OffloadsOff));
        Must(_ip, Cat(new[] { "netns", "exec", sw, _ethtool, "-K", port }, OffloadsOff));
        Must(_ip, "-n", sw, "link", "set", port, "master", bridge, "up");
        Must(_ip, "-n", ns, "link", "set", iface, "up");
    }

    // ------------------------------------------------------------------ files

    private static string HostsText(LvsLab lab)
    {
        var sb = new StringBuilder();
        sb.Append($"# LvsPS lab '{lab.Name}' ({lab.Subnet}), VIP {lab.VirtualAddress}\n");
        if (lab.Directors.Count == 1) sb.Append($"{lab.Director.Address}\tdirector vs1\n");
        else
            for (int i = 0; i < lab.Directors.Count; i++) sb.Append($"{lab.Directors[i].Address}\t{lab.Directors[i].Name} vs{i + 1}\n");
        foreach (var rs in lab.RealServers) sb.Append($"{rs.Address}\t{rs.Name}\n");
        sb.Append($"{lab.Client.Address}\tclient\n");
        return sb.ToString();
    }

    private void WriteRealServerFiles(LvsLabNode rs)
    {
        var lab = _lab;
        var dir = RealServerDirectory(lab, rs);
        var www = Path.Combine(dir, "www");
        var tmp = Path.Combine(dir, "tmp");
        MakeDirectory(www);
        MakeDirectory(tmp);

        WriteFile(Path.Combine(www, "test.html"), $"我是real server #{rs.Index}\n");
        WriteFile(Path.Combine(www, "index.html"),
            $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{rs.Name}</title></head>\n<body><h1>我是real server #{rs.Index}</h1><p>{rs.Name} {rs.Address}, lab {lab.Name}</p></body></html>\n");

        // user root: the lab folder may sit below a folder that "nobody" cannot enter
        WriteFile(Path.Combine(dir, "nginx.conf"), $$"""
            # LvsPS lab '{{lab.Name}}': web server of {{rs.Name}} ({{rs.Address}})
            daemon on;
            user root;
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/nginx-error.log;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{tmp}}/body;
                proxy_temp_path {{tmp}}/proxy;
                fastcgi_temp_path {{tmp}}/fastcgi;
                uwsgi_temp_path {{tmp}}/uwsgi;
                scgi_temp_path {{tmp}}/scgi;
                types { text/html html htm; text/plain txt; }
                default_type application/octet-stream;
                charset utf-8;
                server {
                    listen 80 default_server;
                    server_name _;
                    root {{www}};
                    index index.html;
                }
            }

            """);

        WriteFile(Path.Combine(dir, "sshd_config"), SshdConfig(rs, dir));

        // the "telnet" service of the walkthrough: a prompt naming the real server, then an echoing session
        WriteFile(Path.Combine(dir, "telnetd.sh"), $$"""
            #!/bin/sh
            # LvsPS lab '{{lab.Name}}': telnet-like session of {{rs.Name}}
            prompt='[guest@{{rs.Name}} guest]$ '
            cr=$(printf '\r')
            printf '%s' "$prompt"
            while IFS= read -r line; do
                line=${line%"$cr"}
                printf '%s\n' "$line"
                printf '%s' "$prompt"
            done

            """);
    }

    /// <summary>
    /// The lab's sshd_config of a namespace node whose files are in <paramref name="dir"/>. The node shares the host's
    /// file system, so root's login shell there would read the host's /root/.bashrc for every command (bash does for a
    /// command run by sshd): whatever the host's admin put there (pyenv, say: 0.18 s of CPU a command on this host)
    /// would then run once per command on every lab node. HOME is the node's folder instead, as on a host of its own.
    /// </summary>
    private string SshdConfig(LvsLabNode node, string dir) =>
        SshdConfig(node, $"{dir}/ssh_host_ed25519_key", $"{dir}/sshd.pid", $"{_lab.Directory}/authorized_keys", "internal-sftp", dir);

    /// <summary>The lab's sshd_config: key-only root login on the node's address, with these files.</summary>
    private string SshdConfig(LvsLabNode node, string hostKey, string? pidFile, string authorizedKeys, string sftp, string? home = null) => $"""
        # LvsPS lab '{_lab.Name}': OpenSSH server of {node.Name}
        ListenAddress {node.Address}:22
        HostKey {hostKey}
        {(pidFile is null ? "" : "PidFile " + pidFile)}
        {(home is null ? "" : "SetEnv HOME=" + home)}
        PermitRootLogin prohibit-password
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        AuthorizedKeysFile {authorizedKeys}
        UsePAM no
        StrictModes no
        UseDNS no
        PrintMotd no
        X11Forwarding no
        Subsystem sftp {sftp}

        """;

    // ------------------------------------------------------------------ daemons

    /// <summary>
    /// Shell commands giving a daemon its own /run: a small tmpfs over /run in the daemon's own mount namespace (made by
    /// <see cref="PrivateMountNamespace"/>), holding sshd's privilege separation folder /run/sshd, which OpenSSH
    /// cannot be told to put elsewhere. So the lab never creates, uses or removes the host's /run/sshd (which
    /// systemd removes when the host's ssh service stops), and nothing the lab's daemons write lands in the host's /run.
    /// </summary>
    private static string PrivateRunScript() =>
        $"{Quote(LabTools.Resolve("mount"))} -t tmpfs -o mode=0755,size=1m,nosuid,nodev lvsps-lab-run /run && " +
        $"{Quote(LabTools.Resolve("mkdir"))} -m 0755 /run/sshd";

    /// <summary>argv prefix running a program in a new mount namespace (mounts made there never reach the host).</summary>
    private static string[] PrivateMountNamespace() =>
        new[] { LabTools.Resolve("unshare"), "--mount", "--propagation", "slave", "--" };

    private static string Quote(string s) => LvsPS.Management.Remote.ShellQuote.Quote(s);

    private void StartRealServer(LvsLabNode rs)
    {
        var dir = RealServerDirectory(_lab, rs);
        var ns = rs.Namespace;

        // Every daemon: the lab's own configuration, pid file and logs in the real server's folder, in the real
        // server's network namespace. Nothing is shared with a host nginx or sshd (no /etc/nginx, /run/nginx.pid,
        // /etc/ssh/sshd_config, /run/sshd.pid), and the lab stops them by namespace, never by name.
        var nginx = LabTools.Resolve("nginx");
        var conf = Path.Combine(dir, "nginx.conf");
        var nginxLog = Path.Combine(dir, "nginx.log");
        RunDaemonizing(ns, dir, nginxLog, "nginx", false, nginx, "-c", conf, "-p", dir + "/", "-e", Path.Combine(dir, "nginx-error.log"));

        StartSshd(ns, dir);

        var socat = LabTools.Resolve("socat");
        StartDetached(ns, dir, Path.Combine(dir, "telnet.log"), Path.Combine(dir, "telnet.pid"),
            socat, "TCP-LISTEN:23,reuseaddr,fork,backlog=1024", "SYSTEM:/bin/sh telnetd.sh");
    }

    /// <summary>sshd of a namespace node, with the lab's sshd_config in <paramref name="dir"/>, in its own /run.</summary>
    private void StartSshd(string ns, string dir)
    {
        var sshd = LabTools.Resolve("sshd");
        var sshdConf = Path.Combine(dir, "sshd_config");
        var sshdLog = Path.Combine(dir, "sshd.log");
        var check = Run(_ip, Cat(Cat(new[] { "netns", "exec", ns }, PrivateMountNamespace()),
            new[] { _bash, "-c", PrivateRunScript() + " && exec \"$@\"", "bash", sshd, "-t", "-f", sshdConf }));
        if (!check.Success)
            throw new StepFailedException(CurrentStep, $"sshd rejected {sshdConf}: {check.Combined}");
        RunDaemonizing(ns, dir, sshdLog, "sshd", true, sshd, "-f", sshdConf, "-E", sshdLog);
    }

    /// <summary>
    /// Runs a daemon that forks itself (nginx, sshd) in <paramref name="ns"/>, in a new session, stdin from /dev/null and
    /// stdout/stderr appended to <paramref name="log"/>; waits for the starting process so its exit code counts.
    /// With <paramref name="privateRun"/>, in its own mount namespace with its own /run (<see cref="PrivateRunScript"/>).
    /// </summary>
    private void RunDaemonizing(string ns, string dir, string log, string what, bool privateRun, params string[] command)
    {
        var script = CloseInheritedFds + "cd \"$1\" || exit 1; log=$2; shift 2; " +
            (privateRun ? $"{{ {PrivateRunScript()}; }} </dev/null >>\"$log\" 2>&1 || exit 1; " : "") +
            "exec setsid -w \"$@\" </dev/null >>\"$log\" 2>&1";
        var args = new List<string> { "netns", "exec", ns };
        if (privateRun) args.AddRange(PrivateMountNamespace());
        args.AddRange(new[] { _bash, "-c", script, "bash", dir, log });
        args.AddRange(command);
        var r = ProcessRunner.Run(_ip, args, CommandTimeout);
        if (!r.Success)
            throw new StepFailedException(CurrentStep,
                $"{what} did not start in {ns} (exit {r.ExitCode}): {r.Combined} {LogTail(log)}".Trim());
    }

    /// <summary>
    /// Starts a foreground program in <paramref name="ns"/> in the background, in its own session, stdin from /dev/null,
    /// stdout/stderr appended to <paramref name="log"/>, its pid written to <paramref name="pidFile"/>.
    /// </summary>
    private void StartDetached(string ns, string dir, string log, string pidFile, params string[] command)
    {
        const string script = CloseInheritedFds +
            "cd \"$1\" || exit 1; log=$2; pidf=$3; shift 3; " +
            "setsid /bin/sh -c 'echo $$ > \"$0\"; exec \"$@\"' \"$pidf\" \"$@\" </dev/null >>\"$log\" 2>&1 & exit 0";
        var args = new List<string> { "netns", "exec", ns, _bash, "-c", script, "bash", dir, log, pidFile };
        args.AddRange(command);
        var r = ProcessRunner.Run(_ip, args, CommandTimeout);
        if (!r.Success)
            throw new StepFailedException(CurrentStep, $"{Path.GetFileName(command[0])} did not start in {ns}: {r.Combined}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(pidFile) && int.TryParse(SafeRead(pidFile).Trim(), out _)) return;
            Thread.Sleep(20);
        }
        throw new StepFailedException(CurrentStep, $"{Path.GetFileName(command[0])} did not start in {ns}: no pid in {pidFile}. {LogTail(log)}".Trim());
    }

    private void WaitReady()
    {
        var curl = LabTools.Resolve("curl");
        var ss = LabTools.Resolve("ss");
        var pending = _lab.RealServers.ToDictionary(rs => rs, _ => "not probed yet");
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            foreach (var rs in pending.Keys.ToList())
            {
                var problem = Probe(rs, curl, ss);
                if (problem == null) pending.Remove(rs);
                else pending[rs] = problem;
            }
            if (pending.Count == 0) return;
            if (DateTime.UtcNow >= deadline) break;
            Thread.Sleep(100);
        }

        var sb = new StringBuilder();
        foreach (var (rs, problem) in pending)
        {
            var dir = RealServerDirectory(_lab, rs);
            sb.Append($"{rs.Name} ({rs.Address}): {problem}.");
            foreach (var log in new[] { "nginx-error.log", "nginx.log", "sshd.log", "telnet.log" })
            {
                var tail = LogTail(Path.Combine(dir, log));
                if (tail.Length > 0) sb.Append(' ').Append(tail);
            }
            sb.Append(' ');
        }
        throw new StepFailedException(CurrentStep, $"services were not ready after {ReadyTimeout.TotalSeconds:0} s: {sb.ToString().Trim()}");
    }

    /// <summary>Null when nginx answers on the RIP and sshd (RIP:22) and telnet (:23) listen; else what is missing.</summary>
    private string? Probe(LvsLabNode rs, string curl, string ss)
    {
        var web = Run(_ip, "netns", "exec", rs.Namespace, curl, "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "--max-time", "2", $"http://{rs.Address}/test.html");
        if (web.Output.Trim() != "200") return $"nginx does not answer on http://{rs.Address}/test.html ({web.Output.Trim()} {web.Error.Trim()})".TrimEnd();

        var listen = Run(_ip, "netns", "exec", rs.Namespace, ss, "-H", "-l", "-t", "-n");
        var locals = listen.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(t => t.Length >= 4).Select(t => t[3]).ToList();
        if (!locals.Contains($"{rs.Address}:22")) return $"sshd does not listen on {rs.Address}:22";
        if (!locals.Any(l => l.EndsWith(":23", StringComparison.Ordinal))) return "the telnet service does not listen on port 23";
        return null;
    }

    // ------------------------------------------------------------------ helpers

    private static ProcessResult Run(string file, params string[] args) => ProcessRunner.Run(file, args, CommandTimeout);

    private ProcessResult Must(string file, params string[] args)
    {
        var r = ProcessRunner.Run(file, args, CommandTimeout);
        if (!r.Success)
        {
            var cmd = string.Join(' ', new[] { Path.GetFileName(file) }.Concat(args.Select(a => a.Length == 0 || a.Contains(' ') ? $"'{a}'" : a)));
            throw new StepFailedException(CurrentStep, $"`{cmd}` exited {r.ExitCode}: {r.Combined}");
        }
        return r;
    }

    private static string[] Cat(string[] a, string[] b) => a.Concat(b).ToArray();

    private static void MakeDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, DirMode);
    }

    private static void WriteFile(string path, string text) => File.WriteAllText(path, text, Utf8);

    private static string SafeRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
    }

    /// <summary>"log: last lines" of a log file, or "" when it is missing or empty.</summary>
    internal static string LogTail(string path, int lines = 15)
    {
        var text = SafeRead(path).TrimEnd();
        if (text.Length == 0) return "";
        var tail = text.Split('\n').TakeLast(lines);
        return $"[{Path.GetFileName(path)}: {string.Join(" | ", tail.Select(l => l.TrimEnd('\r')))}]";
    }
}
