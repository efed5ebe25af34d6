using System.Diagnostics;
using LvsPS.Management.Lab.Guest;
using LvsPS.Management.Util;

namespace LvsPS.Management.Lab;

/// <summary>
/// The kernel director of a kernel lab (New-LvsLab -DirectorKind Kernel): Linux IPVS managed over SSH, either in the
/// director's own namespace (a host kernel with ip_vs; IPVS is per network namespace) or in a QEMU guest running
/// Debian's cloud kernel, its NIC a tap on the lab's bridge. Either way the director has the lab's address and MAC,
/// an sshd with a lab host key (in the lab's known_hosts) and key-only root login, the VIP on its interface as the
/// walkthrough sets it (eth0:101), and ip_forward as its forwarding method needs (NAT 1, DR and tunnel 0).
/// </summary>
internal sealed partial class LabBuilder
{
    /// <summary>How long a guest may take to reach its init and bring its network up (TCG on a busy 2-core host).</summary>
    private static readonly TimeSpan GuestBootTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan GuestSshTimeout = TimeSpan.FromSeconds(60);
    private const int GuestMemoryMiB = 512;
    /// <summary>The VIP's label on the director, as the walkthrough's VIP=eth0:101.</summary>
    public const string VipLabelSuffix = ":101";

    /// <summary>Set by <see cref="LabManager"/> for a kernel lab with a virtual machine director.</summary>
    public GuestImage? Guest { get; init; }
    /// <summary>"kvm" or "tcg".</summary>
    public string Accelerator { get; init; } = "tcg";

    private readonly Dictionary<string, double> _bootSeconds = new(StringComparer.Ordinal);

    /// <summary>Seconds from starting QEMU to the first director's guest's "ready" line (a kernel lab's boot time).</summary>
    public double GuestBootSeconds => BootSeconds(_lab.Director);

    /// <summary>Seconds from starting QEMU to the "ready" line of director <paramref name="d"/>'s guest (0 when it has none).</summary>
    public double BootSeconds(LvsLabNode d) => _bootSeconds.TryGetValue(d.Name, out var s) ? s : 0;

    /// <summary>A pair: director1 and director2 (no static VIP on either: VRRP gives it).</summary>
    private bool Pair => _lab.Directors.Count > 1;

    private List<LvsLabNode> KernelDirectors => _lab.Directors.Where(d => _lab.KindOf(d) == LvsLabDirectorKind.Kernel).ToList();

    /// <summary>The folder of the lab's (first) director: &lt;lab&gt;/director.</summary>
    public static string DirectorDirectory(LvsLab lab) => DirectorDirectory(lab, lab.Director);
    /// <summary>The folder of a director's files (host key, sshd_config, QEMU's pid file and console): &lt;lab&gt;/&lt;node&gt;.</summary>
    public static string DirectorDirectory(LvsLab lab, LvsLabNode d) => Path.Combine(lab.Directory, d.Name);
    public static string ConsoleLog(LvsLab lab) => ConsoleLog(lab, lab.Director);
    public static string ConsoleLog(LvsLab lab, LvsLabNode d) => Path.Combine(DirectorDirectory(lab, d), "console.log");
    /// <summary>The guest's tap in the switch namespace: t-director (t-director1 inside, NAT), t-director1/t-director2 in a pair.</summary>
    private static string TapName(LvsLabNode d, string suffix) => "t-" + d.Name + suffix;

    /// <summary>Makes a kernel director's SSH host key; returns its known_hosts line.</summary>
    private string MakeDirectorHostKey(LvsLabNode d)
    {
        var dir = DirectorDirectory(_lab, d);
        MakeDirectory(dir);
        var hostKey = Path.Combine(dir, "ssh_host_ed25519_key");
        Must(LabTools.Resolve("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", $"{d.Name}.{_lab.Name}", "-f", hostKey);
        var pub = File.ReadAllText(hostKey + ".pub", Utf8).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (pub.Length < 2) throw new StepFailedException(CurrentStep, $"{hostKey}.pub is not an OpenSSH public key.");
        return $"{d.Address} {pub[0]} {pub[1]}\n";
    }

    private bool Nat => _lab.Forwarding == LvsPS.Ipvs.Model.LvsForwarding.Masq;

    /// <summary>
    /// Host with ip_vs: the VIP (not in a pair: VRRP adds it on the master) and ip_forward in the director's namespace
    /// (its sshd starts with the others).
    /// </summary>
    private void ConfigureKernelDirectorNamespace(LvsLabNode d)
    {
        if (!Pair)
            Must(_ip, "-n", d.Namespace, "addr", "add", $"{_lab.VirtualAddress}/32", "dev", d.Interface, "label", d.Interface + VipLabelSuffix);
        Must(_ip, "netns", "exec", d.Namespace, "/bin/sh", "-c", $"echo {(Nat ? 1 : 0)} > /proc/sys/net/ipv4/ip_forward");
    }

    /// <summary>Starts every kernel director (sshd in its namespace, or its QEMU guest), then waits for the guests to boot.</summary>
    private void StartKernelDirectors(int percent)
    {
        var booting = new List<(LvsLabNode Node, Stopwatch Clock)>();
        foreach (var d in KernelDirectors)
        {
            if (d.Host == LvsLabNodeHost.Namespace) StartKernelDirectorNamespace(d, percent);
            else booting.Add((d, LaunchGuest(d, percent)));
        }
        // the guests boot side by side: a pair takes about as long as one
        foreach (var (d, clock) in booting) WaitGuestBooted(d, clock, percent + 2);
    }

    private void StartKernelDirectorNamespace(LvsLabNode d, int percent)
    {
        var dir = DirectorDirectory(_lab, d);
        Step($"Starting sshd on the kernel director ({(Pair ? d.Name + ", " : "")}{d.Address})", percent);
        WriteFile(Path.Combine(dir, "sshd_config"), SshdConfig(d, dir));
        StartSshd(d.Namespace, dir);
    }

    /// <summary>Starts a kernel director's QEMU guest (daemonized, in the switch namespace, its tap on the bridge).</summary>
    private Stopwatch LaunchGuest(LvsLabNode d, int percent)
    {
        var dir = DirectorDirectory(_lab, d);
        var image = Guest ?? throw new StepFailedException(CurrentStep, "no guest image was prepared for the kernel director.");
        Step($"Booting the kernel director{(Pair ? " " + d.Name : "")} ({image.KernelPackage}, {Accelerator.ToUpperInvariant()})", percent);
        var boot = Path.Combine(dir, "boot.img");
        using (var output = File.Create(boot))
        {
            using (var root = File.OpenRead(image.Root)) root.CopyTo(output);
            using var gz = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
            using var cpio = new CpioWriter(gz);
            WriteGuestFiles(cpio, d, dir);
        }

        var qemu = LabTools.Find("qemu-system-x86_64")
            ?? throw new StepFailedException(CurrentStep, "qemu-system-x86_64 (package qemu-system-x86) is not installed.");
        var console = ConsoleLog(_lab, d);
        var args = new List<string>
        {
            "-name", $"lvsps-{_lab.Name}-{d.Name}", "-accel", Accelerator, "-cpu", Accelerator == "kvm" ? "host" : "max",
            "-m", GuestMemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture), "-smp", "1",
            "-nodefaults", "-no-user-config", "-display", "none", "-serial", "file:" + console,
            "-kernel", image.Kernel, "-initrd", boot, "-append", "console=ttyS0 quiet panic=-1",
            "-pidfile", Path.Combine(dir, "qemu.pid"), "-daemonize",
        };
        AddNic(args, "n0", TapName(d, ""), d.MacAddress);
        if (Nat) AddNic(args, "n1", TapName(d, "1"), d.InsideMacAddress!);
        var clock = Stopwatch.StartNew();
        RunDaemonizing(_lab.SwitchNamespace, dir, Path.Combine(dir, "qemu.log"), "qemu", false, Cat(new[] { qemu }, args.ToArray()));
        JoinBridge(TapName(d, ""), "br0");
        if (Nat) JoinBridge(TapName(d, "1"), "br1");
        return clock;
    }

    /// <summary>Waits for the guest's "ready" line on its console; records its boot time.</summary>
    private void WaitGuestBooted(LvsLabNode d, Stopwatch clock, int percent)
    {
        var dir = DirectorDirectory(_lab, d);
        var console = ConsoleLog(_lab, d);
        Step($"Waiting for the kernel director{(Pair ? " " + d.Name : "")} to boot ({Accelerator.ToUpperInvariant()})", percent);
        // guests booting side by side share the CPUs: each may take as long as all of them one after the other
        var guests = KernelDirectors.Count(k => k.Host == LvsLabNodeHost.VirtualMachine);
        var deadline = DateTime.UtcNow - clock.Elapsed + GuestBootTimeout * Math.Max(1, guests);
        while (true)
        {
            var text = SafeRead(console);
            if (text.Contains("lvsps-guest: ready", StringComparison.Ordinal)) break;
            if (!QemuAlive(dir))
                throw new StepFailedException(CurrentStep, $"the kernel director's QEMU exited while booting. {LogTail(Path.Combine(dir, "qemu.log"))} {LogTail(console)}".Trim());
            if (DateTime.UtcNow >= deadline)
                throw new StepFailedException(CurrentStep, $"the kernel director did not boot within {(GuestBootTimeout * Math.Max(1, guests)).TotalSeconds:0} s ({Accelerator}). {LogTail(console)}".Trim());
            Thread.Sleep(100);
        }
        _bootSeconds[d.Name] = clock.Elapsed.TotalSeconds;
        if (SafeRead(console).Contains("lvsps-guest: no eth0", StringComparison.Ordinal))
            throw new StepFailedException(CurrentStep, $"the kernel director has no network interface (virtio_net). {LogTail(console)}");
    }

    private static void AddNic(List<string> args, string id, string tap, string mac)
    {
        args.Add("-netdev");
        args.Add($"tap,id={id},ifname={tap},script=no,downscript=no");
        // no checksum or segmentation offload on the lab wire, as on every other lab interface
        args.Add("-device");
        args.Add($"virtio-net-pci,netdev={id},mac={mac},csum=off,guest_csum=off");
    }

    private void JoinBridge(string tap, string bridge)
    {
        var sw = _lab.SwitchNamespace;
        Must(_ip, Cat(new[] { "netns", "exec", sw, _ethtool, "-K", tap }, OffloadsOff));
        Must(_ip, "-n", sw, "link", "set", tap, "master", bridge, "up");
    }

    private static bool QemuAlive(string dir)
    {
        var pidFile = Path.Combine(dir, "qemu.pid");
        return int.TryParse(SafeRead(pidFile).Trim(), out var pid) && LabNative.IsAlive(pid);
    }

    /// <summary>The lab's archive appended to the cached root: addresses, the host key, the lab's login key, hosts.</summary>
    private void WriteGuestFiles(CpioWriter cpio, LvsLabNode d, string dir)
    {
        var conf = new StringBuilder();
        void Var(string name, string value) => conf.Append(name).Append('=').Append(Quote(value)).Append('\n');
        Var("GUEST_HOSTNAME", d.Name);
        Var("GUEST_ADDRESS", d.Address.ToString());
        Var("GUEST_PREFIX", _lab.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Var("GUEST_MAC", d.MacAddress);
        // a pair's directors hold no static VIP: keepalived adds it on the VRRP master
        Var("GUEST_VIP", Pair ? "" : _lab.VirtualAddress.ToString());
        Var("GUEST_VIP_LABEL", "eth0" + VipLabelSuffix);
        Var("GUEST_FORWARD", Nat ? "1" : "0");
        Var("GUEST_INSIDE_ADDRESS", d.InsideAddress?.ToString() ?? "");
        Var("GUEST_INSIDE_MAC", d.InsideMacAddress ?? "");
        cpio.Directory("etc/lvsps");
        cpio.File("etc/lvsps/guest.conf", conf.ToString());
        cpio.File("etc/hosts", "127.0.0.1\tlocalhost\n" + SafeRead(_lab.HostsFile));
        cpio.Directory("etc/ssh");
        cpio.File("etc/ssh/ssh_host_ed25519_key", File.ReadAllBytes(Path.Combine(dir, "ssh_host_ed25519_key")), 0x180 /* 0600 */);
        cpio.File("etc/ssh/ssh_host_ed25519_key.pub", File.ReadAllBytes(Path.Combine(dir, "ssh_host_ed25519_key.pub")));
        // sshd runs under the guest's init (respawned, no pid file), the lab's key in root's own authorized_keys
        cpio.File("etc/ssh/sshd_config", SshdConfig(d, "/etc/ssh/ssh_host_ed25519_key", null, "/root/.ssh/authorized_keys", "/usr/lib/openssh/sftp-server"));
        cpio.Directory("root/.ssh", 0x1C0 /* 0700 */);
        cpio.File("root/.ssh/authorized_keys", File.ReadAllBytes(Path.Combine(_lab.Directory, "authorized_keys")), 0x180);
    }

    /// <summary>Waits until the director's sshd lets the lab's key log in (the host key checked against known_hosts).</summary>
    private void WaitKernelDirectorSsh(LvsLabNode d)
    {
        var deadline = DateTime.UtcNow + GuestSshTimeout;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var r = LabManager.SshExec(_lab, d, "true", TimeSpan.FromSeconds(15));
            if (r.ExitCode == 0) return;
            last = $"{r.Error} {r.Output}".Trim();
            if (d.Host == LvsLabNodeHost.VirtualMachine && !QemuAlive(DirectorDirectory(_lab, d)))
                throw new StepFailedException(CurrentStep, $"the kernel director's QEMU exited. {LogTail(ConsoleLog(_lab, d))}");
            Thread.Sleep(300);
        }
        throw new StepFailedException(CurrentStep, $"cannot log in to the kernel director {d.Address} over SSH within {GuestSshTimeout.TotalSeconds:0} s: {last}");
    }
}
