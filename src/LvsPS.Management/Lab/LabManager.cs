using System.Text.RegularExpressions;
using LvsPS.Management.Util;

using LvsPS.Management.Lab.Guest;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Lab;

/// <summary>
/// Builds, finds, runs commands in and removes LVS labs: a client, a director and real servers, each in its own
/// network namespace, joined by a bridge that lives in a switch namespace. Nothing is ever added to the root namespace.
/// Addresses follow the classic LVS walkthrough: director .1, rs<i>i</i> .(2+i), VIP .101, client .200.
/// </summary>
public sealed partial class LabManager
{
    public const string DefaultStateRoot = "/var/lib/lvsps/labs";
    public const int MinRealServers = 1;
    public const int MaxRealServers = 32;
    public const int MinPrefixLength = 16;
    public const int MaxPrefixLength = 28;
    public const int DirectorOffset = 1;
    /// <summary>Most directors a lab can have (a pair: director1 .1, director2 .2).</summary>
    public const int MaxDirectors = 2;
    public const int VirtualAddressOffset = 101;
    public const int ClientOffset = 200;
    public const string LabFileName = "lab.json";
    /// <summary>ErrorId for a bad lab name or real server count (LvsErrorIds has no general one).</summary>
    public const string InvalidArgumentErrorId = LvsErrorIds.InvalidArgument;

    /// <summary>Host offset of real server <paramref name="index"/> (1-based): rs1 = .3, rs2 = .4 ...</summary>
    public static int RealServerOffset(int index) => 2 + index;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultExecTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,11}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex("^(sw|client|director[12]?|rs[0-9]{1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex NodeSuffixRegex();

    [GeneratedRegex("^[A-Za-z0-9._/+@=~-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SafePathRegex();

    /// <summary>Environment variable naming another lab state folder (tests use it to see only their own labs).</summary>
    public const string StateRootVariable = "LVSPS_LAB_DIR";

    /// <summary>Labs in <paramref name="stateRoot"/>; by default $LVSPS_LAB_DIR, else /var/lib/lvsps/labs.</summary>
    public LabManager(string? stateRoot = null)
    {
        stateRoot ??= Environment.GetEnvironmentVariable(StateRootVariable) is { Length: > 0 } fromEnv ? fromEnv : DefaultStateRoot;
        ArgumentException.ThrowIfNullOrWhiteSpace(stateRoot);
        StateRoot = Path.GetFullPath(stateRoot).TrimEnd('/');
        if (StateRoot.Length == 0) StateRoot = "/";
    }

    /// <summary>Folder holding one sub-folder per lab.</summary>
    public string StateRoot { get; }

    /// <summary>Name of the namespace of <paramref name="node"/> (sw, client, director, rs1 ...) of lab <paramref name="lab"/>.</summary>
    public static string NamespaceName(string lab, string node) => $"lvs-{lab.ToLowerInvariant()}-{node}";

    /// <summary>Folder of lab <paramref name="name"/> (whether or not it exists).</summary>
    public string LabDirectory(string name) => Path.Combine(StateRoot, name.ToLowerInvariant());

    // ------------------------------------------------------------------ queries

    /// <summary>The saved lab, or null when there is none (or the name is not a valid lab name).</summary>
    public LvsLab? Get(string name)
    {
        if (string.IsNullOrEmpty(name) || !NameRegex().IsMatch(name)) return null;
        return Load(Path.Combine(LabDirectory(name), LabFileName));
    }

    /// <summary>Every saved lab, sorted by name.</summary>
    public IReadOnlyList<LvsLab> List()
    {
        if (!System.IO.Directory.Exists(StateRoot)) return Array.Empty<LvsLab>();
        var labs = new List<LvsLab>();
        foreach (var dir in System.IO.Directory.GetDirectories(StateRoot))
        {
            var name = Path.GetFileName(dir);
            if (!NameRegex().IsMatch(name)) continue;
            var lab = Load(Path.Combine(dir, LabFileName));
            if (lab != null) labs.Add(lab);
        }
        return labs.OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Names of labs that have namespaces but no saved lab.json (half-built or from another state root).</summary>
    public IReadOnlyList<string> FindOrphans()
    {
        var saved = List().Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var ns in ListNamespaces())
        {
            if (!ns.StartsWith("lvs-", StringComparison.Ordinal)) continue;
            var rest = ns[4..];
            var dash = rest.LastIndexOf('-');
            if (dash <= 0) continue;
            var lab = rest[..dash];
            if (NameRegex().IsMatch(lab) && NodeSuffixRegex().IsMatch(rest[(dash + 1)..]) && !saved.Contains(lab))
                names.Add(lab);
        }
        return names.ToList();
    }

    private static LvsLab? Load(string file)
    {
        try
        {
            if (!File.Exists(file)) return null;
            var lab = LabJson.Deserialize(File.ReadAllText(file, Encoding.UTF8));
            // a lab.json from before director pairs: its one director's kind and name are the lab's
            if (lab != null)
                foreach (var d in lab.Directors)
                {
                    d.DirectorKind ??= lab.DirectorKind;
                    d.DirectorName ??= lab.DirectorNameOf(d);
                }
            return lab;
        }
        catch (System.Text.Json.JsonException) { return null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    // ------------------------------------------------------------------ exec

    /// <summary>
    /// Runs <paramref name="command"/> with /bin/sh -c inside the namespace of <paramref name="node"/>
    /// (client, director or vs1, rs1 ...). Returns exit code, stdout and stderr; exit code 124 when it timed out (default 60 s).
    /// </summary>
    public (int ExitCode, string Output, string Error) Exec(LvsLab lab, string node, string command, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(command);
        var target = lab.FindNode(node ?? "")
            ?? throw new LvsException(LvsErrorIds.LabNodeNotFound, LvsErrorKind.ObjectNotFound,
                $"Lab '{lab.Name}' has no node '{node}'. Valid nodes: {string.Join(", ", ValidNodeNames(lab))}.", node);
        RequireRoot();
        if (target.Host == LvsLabNodeHost.VirtualMachine) return SshExec(lab, target, command, timeout ?? DefaultExecTimeout);
        var r = ProcessRunner.Run(LabTools.Resolve("ip"), new[] { "netns", "exec", target.Namespace, "/bin/sh", "-c", command },
            timeout ?? DefaultExecTimeout);
        return (r.ExitCode, r.Output, r.Error);
    }

    /// <summary>
    /// Runs a shell command on the lab's kernel director over SSH (OpenSSH's client, from the lab's management
    /// namespace, the lab's key, host key checked against the lab's known_hosts only). Exit 255: SSH itself failed.
    /// </summary>
    internal static (int ExitCode, string Output, string Error) SshExec(LvsLab lab, string command, TimeSpan timeout) =>
        SshExec(lab, lab.Director, command, timeout);

    /// <summary>Runs a shell command on kernel director <paramref name="director"/> of the lab over SSH (as <see cref="SshExec(LvsLab, string, TimeSpan)"/>).</summary>
    internal static (int ExitCode, string Output, string Error) SshExec(LvsLab lab, LvsLabNode director, string command, TimeSpan timeout)
    {
        var ssh = LabTools.Resolve("ssh");
        var r = ProcessRunner.Run(LabTools.Resolve("ip"), new[]
        {
            "netns", "exec", lab.ManagementNamespaceFor(director), ssh, "-F", "/dev/null", "-i", lab.KeyFile,
            "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + lab.KnownHostsFile, "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
            "root@" + director.Address, command,
        }, timeout);
        return (r.ExitCode, r.Output, r.Error);
    }

    /// <summary>
    /// A kernel director session to a kernel director of a lab (by default its first), named as -Director names it
    /// (the lab's name; &lt;lab&gt;-directorN in a pair), connected (ipvsadm found, table read) as Connect-LvsDirector
    /// would; the caller registers it.
    /// </summary>
    public static LvsPS.Management.Kernel.KernelDirector ConnectKernelDirector(LvsLab lab, LvsLabNode? node = null)
    {
        node ??= lab.Director;
        if (lab.KindOf(node) != LvsLabDirectorKind.Kernel)
            throw new LvsException(LvsErrorIds.NotSupportedByDirector, LvsErrorKind.InvalidOperation,
                $"Director '{lab.DirectorNameOf(node)}' of lab '{lab.Name}' is an LvsPS engine director, not a kernel one.", lab.DirectorNameOf(node));
        var director = new LvsPS.Management.Kernel.KernelDirector(lab.DirectorNameOf(node), KernelDirectorTarget(lab, node));
        try { director.Connect(); }
        catch
        {
            director.Dispose();
            throw;
        }
        return director;
    }

    /// <summary>How a kernel lab's director is logged in to, as Connect-LvsDirector would (from the management namespace).</summary>
    public static SshTarget KernelDirectorTarget(LvsLab lab) => KernelDirectorTarget(lab, lab.Director);

    /// <summary>How kernel director <paramref name="node"/> of a lab is logged in to (from the management namespace for it).</summary>
    public static SshTarget KernelDirectorTarget(LvsLab lab, LvsLabNode node) => new(node.Address.ToString())
    {
        UserName = "root",
        KeyFile = lab.KeyFile,
        KnownHostsFile = lab.KnownHostsFile,
        NetworkNamespace = lab.ManagementNamespaceFor(node),
    };

    /// <summary>
    /// The lab and director node a director name (as -Director gives it) belongs to: a one-director lab's director is
    /// named after the lab, a pair's &lt;lab&gt;-director1 and &lt;lab&gt;-director2. Null when no saved lab has it.
    /// </summary>
    public (LvsLab Lab, LvsLabNode Node)? FindDirector(string directorName)
    {
        if (string.IsNullOrEmpty(directorName)) return null;
        if (Get(directorName) is { } one && one.FindDirector(directorName) is { } d1) return (one, d1);
        var dash = directorName.LastIndexOf('-');
        if (dash > 0 && Get(directorName[..dash]) is { } pair && pair.FindDirector(directorName) is { } d2) return (pair, d2);
        return null;
    }

    /// <summary>
    /// Where a kernel director runs: the director's namespace when this host's kernel has IPVS (IPVS is per
    /// network namespace), else a QEMU guest. <paramref name="requested"/> overrides; a namespace on a host
    /// without ip_vs is refused, and so is a guest without QEMU.
    /// </summary>
    private static LvsLabNodeHost ChooseDirectorHost(string name, LvsLabDirectorKind kind, LvsLabNodeHost? requested)
    {
        if (kind == LvsLabDirectorKind.Engine)
        {
            if (requested is LvsLabNodeHost.VirtualMachine)
                throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                    $"Lab '{name}': -DirectorHost VirtualMachine needs -DirectorKind Kernel (the LvsPS engine runs in a namespace).", requested);
            return LvsLabNodeHost.Namespace;
        }
        var host = requested ?? (HostHasIpvs() ? LvsLabNodeHost.Namespace : LvsLabNodeHost.VirtualMachine);
        if (host == LvsLabNodeHost.Namespace && !HostHasIpvs())
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.ResourceUnavailable,
                $"Lab '{name}': this host's kernel ({HostKernelRelease()}) has no ip_vs, so the kernel director cannot run in a namespace; use -DirectorHost VirtualMachine.", name);
        if (host == LvsLabNodeHost.VirtualMachine && LabTools.Find("qemu-system-x86_64") == null)
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.ResourceUnavailable,
                $"Lab '{name}': this host's kernel has no ip_vs, and a kernel director in a virtual machine needs qemu-system-x86_64 (package qemu-system-x86; ./build.sh setup installs it).", name);
        return host;
    }

    /// <summary>Whether this host's kernel has IPVS loaded, built in, or as a module it can load.</summary>
    public static bool HostHasIpvs()
    {
        if (File.Exists("/proc/net/ip_vs") || System.IO.Directory.Exists("/sys/module/ip_vs")) return true;
        var mods = Path.Combine("/lib/modules", HostKernelRelease());
        foreach (var f in new[] { "modules.builtin", "modules.dep" })
        {
            try
            {
                if (File.Exists(Path.Combine(mods, f)) && File.ReadLines(Path.Combine(mods, f)).Any(l => l.Contains("/ip_vs.ko", StringComparison.Ordinal)))
                    return true;
            }
            catch (IOException) { }
        }
        return false;
    }

    internal static string HostKernelRelease()
    {
        try { return File.ReadAllText("/proc/sys/kernel/osrelease").Trim(); }
        catch (IOException) { return "unknown"; }
    }

    private static IEnumerable<string> ValidNodeNames(LvsLab lab) => lab.NodeNames();

    // ------------------------------------------------------------------ validation

    /// <summary>Throws NotRoot unless the effective user is root.</summary>
    public static void RequireRoot()
    {
        var uid = LabNative.EffectiveUserId();
        bool root = uid.HasValue ? uid.Value == 0 : Environment.UserName == "root";
        if (!root)
            throw new LvsException(LvsErrorIds.NotRoot, LvsErrorKind.PermissionDenied,
                $"LVS labs need root: they create network namespaces, veth pairs and daemons. Running as uid {uid?.ToString() ?? Environment.UserName}; start PowerShell as root (e.g. sudo pwsh).");
    }

    private static string ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NameRegex().IsMatch(name))
            throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                $"Lab name '{name}' is not valid: use a letter then up to 11 letters, digits or '-' (e.g. lab1).", name);
        return name.ToLowerInvariant();
    }

    /// <summary>Parses and checks a lab subnet (IPv4 CIDR, prefix 16..28, room for .200). Throws InvalidSubnet.</summary>
    public static LabSubnet ParseSubnet(string subnet, int realServerCount = 2)
    {
        LvsException Bad(string why) => new(LvsErrorIds.InvalidSubnet, LvsErrorKind.InvalidArgument,
            $"Subnet '{subnet}' is not valid: {why}", subnet);

        if (!LabSubnet.TryParse(subnet, out var s, out var hostBits))
            throw Bad($"expected an IPv4 network in CIDR form with a prefix length from {MinPrefixLength} to {MaxPrefixLength}, e.g. 10.250.0.0/24.");
        if (s.PrefixLength < MinPrefixLength || s.PrefixLength > MaxPrefixLength)
            throw Bad($"the prefix length must be from {MinPrefixLength} to {MaxPrefixLength}, e.g. 10.250.0.0/24.");
        if (hostBits)
            throw Bad($"it has host bits set; the network is {s}.");
        var first = s.Base >> 24;
        if (first == 0 || first == 127 || first >= 224)
            throw Bad("it is not a unicast network usable for a lab (use a private range such as 10.250.0.0/24).");
        var highest = Math.Max(ClientOffset, Math.Max(VirtualAddressOffset, RealServerOffset(realServerCount)));
        if (!s.Fits(highest))
            throw Bad($"it is too small for the lab addresses (director .{DirectorOffset}, real servers .3-.{RealServerOffset(realServerCount)}, VIP .{VirtualAddressOffset}, client .{ClientOffset}); use a /24 or larger.");
        return s;
    }

    // ------------------------------------------------------------------ create

    /// <summary>What <see cref="CheckCreate"/> found: the lab's name (lower case), each director's kind and host, its subnet and a NAT lab's inside network.</summary>
    public sealed record CreatePlan(string Name, LvsLabDirectorKind[] Kinds, LvsLabNodeHost[] Hosts, LabSubnet Net, LabSubnet? Inside);

    /// <summary>
    /// Every check <see cref="Create"/> makes before it builds anything, in the same order and with the same errors
    /// (InvalidArgument, InvalidSubnet, NotRoot, LabSetupFailed for missing programs or no ip_vs/QEMU, LabExists,
    /// LabSubnetInUse): New-LvsLab -WhatIf runs it, so it reports what the real run would. Changes nothing.
    /// </summary>
    public CreatePlan CheckCreate(string name, int realServerCount = 2, string subnet = "10.250.0.0/24",
        LvsForwarding forwarding = LvsForwarding.Route, LvsLabDirectorKind directorKind = LvsLabDirectorKind.Engine,
        LvsLabNodeHost? directorHost = null, int directorCount = 1, IReadOnlyList<LvsLabDirectorKind>? directorKinds = null)
    {
        name = ValidateName(name);
        var kinds = DirectorKinds(name, forwarding, directorCount, directorKinds ?? new[] { directorKind });
        if (forwarding != LvsForwarding.Route && forwarding != LvsForwarding.Masq && forwarding != LvsForwarding.Tunnel)
            throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                $"A lab can be wired for Route (DR), Masq (NAT) or Tunnel (IP-in-IP), not '{forwarding}'.", forwarding);
        if (realServerCount < MinRealServers || realServerCount > MaxRealServers)
            throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                $"Real server count {realServerCount} is not valid: use {MinRealServers} to {MaxRealServers}.", realServerCount);
        var net = ParseSubnet(subnet, realServerCount);
        RequireRoot();
        if (!SafePathRegex().IsMatch(StateRoot))
            throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                $"Lab state folder '{StateRoot}' is not usable: it may only contain letters, digits and . _ / + @ = ~ -.", StateRoot);
        var missing = LabTools.Missing();
        if (missing.Count > 0)
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.ResourceUnavailable,
                $"Cannot create lab '{name}': required programs are missing: {string.Join(", ", missing)}.", name);
        var hosts = kinds.Select(k => k == LvsLabDirectorKind.Engine && kinds.Contains(LvsLabDirectorKind.Kernel)
            ? LvsLabNodeHost.Namespace   // -DirectorHost is the kernel directors' in a mixed pair
            : ChooseDirectorHost(name, k, directorHost)).ToArray();
        var inside = CheckFree(name, net, forwarding, realServerCount);
        return new CreatePlan(name, kinds, hosts, net, inside);
    }

    /// <summary>
    /// LabExists when anything of the lab remains; LabSubnetInUse when its subnet (or a NAT lab's inside network, the
    /// block after it, which is returned) overlaps another lab's or the root namespace's addresses and routes.
    /// </summary>
    private LabSubnet? CheckFree(string name, LabSubnet net, LvsForwarding forwarding, int realServerCount)
    {
        var dir = LabDirectory(name);
        var existingNs = LabNamespaces(name);
        if (Get(name) != null || System.IO.Directory.Exists(dir) || existingNs.Count > 0)
        {
            var what = Get(name) != null ? "it already exists" :
                existingNs.Count > 0 ? $"namespaces of a half-built lab remain ({string.Join(", ", existingNs)}); remove them with Remove-LvsLab {name}" :
                $"its folder {dir} remains; remove it with Remove-LvsLab {name}";
            throw new LvsException(LvsErrorIds.LabExists, LvsErrorKind.ResourceExists, $"Lab '{name}' cannot be created: {what}.", name);
        }
        CheckSubnetFree(net);
        if (forwarding != LvsForwarding.Masq) return null;
        // The real servers' internal network: the block after the lab's subnet.
        var next = new LabSubnet(net.Last + 1, net.PrefixLength);
        var inside = ParseSubnet(next.ToString(), realServerCount);
        CheckSubnetFree(inside);
        return inside;
    }

    /// <summary>
    /// Builds lab <paramref name="name"/> with <paramref name="realServerCount"/> real servers on <paramref name="subnet"/>,
    /// starts nginx, sshd and a telnet-like service on every real server, saves the lab and returns it.
    /// Checks first what <see cref="CheckCreate"/> checks (again under the state lock for the name and subnet).
    /// </summary>
    public LvsLab Create(string name, int realServerCount = 2, string subnet = "10.250.0.0/24",
        IProgress<(string Activity, int Percent)>? progress = null, LvsForwarding forwarding = LvsForwarding.Route,
        LvsLabDirectorKind directorKind = LvsLabDirectorKind.Engine, LvsLabNodeHost? directorHost = null,
        int directorCount = 1, IReadOnlyList<LvsLabDirectorKind>? directorKinds = null)
    {
        var plan = CheckCreate(name, realServerCount, subnet, forwarding, directorKind, directorHost, directorCount, directorKinds);
        name = plan.Name;
        var kinds = plan.Kinds;
        directorKind = kinds[0];
        var net = plan.Net;
        var hosts = plan.Hosts;
        bool anyVm = hosts.Contains(LvsLabNodeHost.VirtualMachine);

        progress?.Report(("Checking names and addresses", 0));
        try { System.IO.Directory.CreateDirectory(StateRoot); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation,
                $"Cannot create the lab state folder {StateRoot}: {ex.Message}", StateRoot, ex);
        }
        using var stateLock = AcquireLock();

        // again under the lock: another New-LvsLab may have taken the name or the subnet since
        var dir = LabDirectory(name);
        var inside = CheckFree(name, net, forwarding, realServerCount);

        var lab = BuildModel(name, realServerCount, net, dir, inside, kinds.Length);
        if (forwarding == LvsForwarding.Tunnel) lab.Forwarding = LvsForwarding.Tunnel;
        lab.DirectorKind = directorKind;
        for (int i = 0; i < kinds.Length; i++)
        {
            var d = lab.Directors[i];
            d.DirectorKind = kinds[i];
            d.DirectorName = lab.DirectorNameOf(d);
            d.Host = hosts[i];
            if (d.Host == LvsLabNodeHost.VirtualMachine) d.Namespace = lab.SwitchNamespace;   // where its QEMU runs
        }
        GuestImage? image = null;
        string accel = "tcg", accelReason = "";
        if (anyVm)
        {
            image = GuestImage.Ensure(text => progress?.Report((text, 1)));
            progress?.Report(("Choosing the guest's accelerator (KVM if it works, else TCG)", 1));
            accel = image.Accelerator(out accelReason);
        }
        var builder = new LabBuilder(lab, net, progress) { Guest = image, Accelerator = accel };
        try
        {
            builder.Build();
            string Guest(LvsLabNode d) => d.Host == LvsLabNodeHost.VirtualMachine
                ? $"{image!.KernelPackage}, QEMU {accel.ToUpperInvariant()} ({accelReason}), booted in {builder.BootSeconds(d).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s"
                : $"the host kernel {HostKernelRelease()} in namespace {d.Namespace}";
            var kernelDirectors = lab.Directors.Where(d => lab.KindOf(d) == LvsLabDirectorKind.Kernel).ToList();
            if (lab.Directors.Count == 1 && kernelDirectors.Count == 1)
                lab.KernelGuest = Guest(lab.Director);
            else if (kernelDirectors.Count > 0)
                lab.KernelGuest = string.Join("; ", kernelDirectors.Select(d => $"{d.Name}: {Guest(d)}"));
            progress?.Report(("Saving the lab", 98));
            Save(lab);
        }
        catch (Exception ex)
        {
            progress?.Report(("Removing what was built", 99));
            try { Teardown(name, LabNamespaces(name).Union(PlannedNamespaces(lab)).ToList(), dir); }
            catch (Exception) { /* best effort: the original failure is what matters */ }
            if (ex is LabBuilder.StepFailedException sf)
                throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation,
                    $"Creating lab '{name}' failed at step '{sf.Step}': {sf.Message} Everything the lab had made was removed.", name, ex);
            if (ex is LvsException) throw;
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation,
                $"Creating lab '{name}' failed at step '{builder.CurrentStep}': {ex.Message} Everything the lab had made was removed.", name, ex);
        }
        progress?.Report(("Done", 100));
        return lab;
    }

    /// <summary>The TUN device the lab's tunnel real servers decapsulate into.</summary>
    public const string TunnelDevice = "lvstun0";

    /// <summary>
    /// Tunnel labs: this machine's kernel has no ipip link type, so each real server runs the engine's
    /// user-space decapsulator (`lvsd tunnel-endpoint`), which feeds the inner packets to a TUN device
    /// (<see cref="TunnelDevice"/>) where the real server's kernel receives them. Waits until every device exists.
    /// </summary>
    public void StartTunnelEndpoints(LvsLab lab, string dotnet, string enginePath, TimeSpan? timeout = null)
    {
        if (lab.Forwarding != LvsForwarding.Tunnel) return;
        foreach (var rs in lab.RealServers)
        {
            var log = Path.Combine(lab.Directory, rs.Name, "tunnel.log");
            var cmd = string.Join(' ', new[] { dotnet, enginePath, "tunnel-endpoint", "--interface", rs.Interface, "--address", rs.Address.ToString(), "--tun", TunnelDevice }
                .Select(Remote.ShellQuote.Quote));
            // Detached, and holding none of the caller's descriptors (a CI runner's pipes).
            var script = "for p in /proc/$$/fd/*; do n=${p##*/}; case $n in 0|1|2) ;; *) eval \"exec $n>&-\";; esac; done; " +
                         $"setsid {cmd} </dev/null >>{Remote.ShellQuote.Quote(log)} 2>&1 &";
            var r = ProcessRunner.Run(LabTools.Resolve("ip"), new[] { "netns", "exec", rs.Namespace, LabTools.Resolve("bash"), "-c", script }, CommandTimeout);
            if (!r.Success)
                throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation, $"Starting the tunnel endpoint on {rs.Name} failed: {r.Combined}", rs.Name);
        }
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        foreach (var rs in lab.RealServers)
        {
            while (true)
            {
                var r = ProcessRunner.Run(LabTools.Resolve("ip"), new[] { "-n", rs.Namespace, "link", "show", "dev", TunnelDevice }, CommandTimeout);
                if (r.Success) break;
                if (DateTime.UtcNow > deadline)
                    throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.OperationTimeout,
                        $"The tunnel endpoint on {rs.Name} did not create {TunnelDevice}; see {Path.Combine(lab.Directory, rs.Name, "tunnel.log")}.", rs.Name);
                Thread.Sleep(200);
            }
        }
    }

    private static IEnumerable<string> PlannedNamespaces(LvsLab lab) =>
        new[] { lab.SwitchNamespace }.Concat(lab.Nodes.Select(n => n.Namespace));

    /// <summary>
    /// Each director's kind for a lab of <paramref name="count"/> directors: one kind for all, or one per director.
    /// InvalidArgument naming the bad value for a count other than 1 or 2, more kinds than directors, or a NAT pair.
    /// </summary>
    public static LvsLabDirectorKind[] DirectorKinds(string name, LvsForwarding forwarding, int count, IReadOnlyList<LvsLabDirectorKind>? kinds)
    {
        if (count < 1 || count > MaxDirectors)
            throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                $"Lab '{name}': director count {count} is not valid: use 1 or {MaxDirectors} (a pair).", count);
        kinds = kinds is { Count: > 0 } ? kinds : new[] { LvsLabDirectorKind.Engine };
        if (kinds.Count > count)
            throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                $"Lab '{name}': -DirectorKind {string.Join(",", kinds)} names {kinds.Count} kinds, but the lab has {count} director(s); " +
                "give one kind, or one per director with -DirectorCount 2.", string.Join(",", kinds));
        if (count > 1 && forwarding == LvsForwarding.Masq)
            throw new LvsException(InvalidArgumentErrorId, LvsErrorKind.InvalidArgument,
                $"Lab '{name}': -Forwarding Masq (NAT) with -DirectorCount {count}: director pairs are DR (Route) or Tunnel labs for now.", forwarding);
        return Enumerable.Range(0, count).Select(i => kinds.Count == 1 ? kinds[0] : kinds[i]).ToArray();
    }

    private static LvsLab BuildModel(string name, int count, LabSubnet net, string dir, LabSubnet? inside = null, int directorCount = 1)
    {
        byte labByte = LabHashByte(name);
        LvsLabNode Node(string node, LvsLabRole role, int index, byte nodeByte, int offset)
        {
            // In a NAT lab the real servers live on the internal network.
            var address = role == LvsLabRole.RealServer && inside is not null ? inside.Value.At(offset) : net.At(offset);
            return new LvsLabNode
            {
                Lab = name,
                Name = node,
                Role = role,
                Index = index,
                Namespace = NamespaceName(name, node),
                Interface = "eth0",
                Address = address,
                MacAddress = $"02:4c:56:{labByte:x2}:{nodeByte:x2}:{address.GetAddressBytes()[3]:x2}",
            };
        }

        var lab = new LvsLab
        {
            Name = name,
            Subnet = net.ToString(),
            PrefixLength = net.PrefixLength,
            VirtualAddress = net.At(VirtualAddressOffset),
            SwitchNamespace = NamespaceName(name, "sw"),
            Directory = dir,
            KeyFile = Path.Combine(dir, "id_ed25519"),
            KnownHostsFile = Path.Combine(dir, "known_hosts"),
            HostsFile = Path.Combine(dir, "hosts"),
            Created = DateTime.Now,
            Client = Node("client", LvsLabRole.Client, 0, 0x02, ClientOffset),
        };
        lab.Directors = directorCount == 1
            ? new List<LvsLabNode> { Node("director", LvsLabRole.Director, 0, 0x01, DirectorOffset) }
            : Enumerable.Range(1, directorCount).Select(i => Node($"director{i}", LvsLabRole.Director, i, 0x01, DirectorOffset + i - 1)).ToList();
        for (int i = 1; i <= count; i++)
            lab.RealServers.Add(Node($"rs{i}", LvsLabRole.RealServer, i, (byte)(0x10 + i), RealServerOffset(i)));
        if (inside is not null)
        {
            lab.Forwarding = LvsForwarding.Masq;
            lab.InsideSubnet = inside.Value.ToString();
            var dip = inside.Value.At(DirectorOffset);
            lab.Director.InsideInterface = "eth1";
            lab.Director.InsideAddress = dip;
            lab.Director.InsideMacAddress = $"02:4c:56:{labByte:x2}:03:{dip.GetAddressBytes()[3]:x2}";
        }
        return lab;
    }

    /// <summary>A stable byte from the lab name (FNV-1a folded), used in the lab's MAC addresses.</summary>
    internal static byte LabHashByte(string name)
    {
        uint h = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            h ^= b;
            h *= 16777619;
        }
        return (byte)(h ^ (h >> 8) ^ (h >> 16) ^ (h >> 24));
    }

    private void CheckSubnetFree(LabSubnet net)
    {
        foreach (var other in List())
        {
            if (LabSubnet.TryParse(other.Subnet, out var o, out _) && o.Overlaps(net))
                throw new LvsException(LvsErrorIds.LabSubnetInUse, LvsErrorKind.ResourceExists,
                    $"Subnet {net} overlaps subnet {other.Subnet} of lab '{other.Name}'.", net.ToString());
        }

        var ip = LabTools.Resolve("ip");
        var addrs = ProcessRunner.Run(ip, new[] { "-o", "-4", "addr", "show" }, CommandTimeout);
        if (!addrs.Success)
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation,
                $"Cannot list the addresses of the root namespace (ip -o -4 addr show): {addrs.Combined}");
        foreach (var line in addrs.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var at = Array.IndexOf(tokens, "inet");
            if (at < 0 || at + 1 >= tokens.Length) continue;
            if (LabSubnet.TryParse(tokens[at + 1], out var a, out _, allowBareAddress: true) && a.Overlaps(net))
            {
                var dev = tokens.Length > 1 ? tokens[1] : "?";
                throw new LvsException(LvsErrorIds.LabSubnetInUse, LvsErrorKind.ResourceExists,
                    $"Subnet {net} overlaps address {tokens[at + 1]} on {dev} in the root network namespace.", net.ToString());
            }
        }

        var routes = ProcessRunner.Run(ip, new[] { "-4", "route", "show" }, CommandTimeout);
        if (!routes.Success)
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation,
                $"Cannot list the routes of the root namespace (ip -4 route show): {routes.Combined}");
        string[] routeTypes = { "unicast", "local", "broadcast", "multicast", "throw", "unreachable", "prohibit", "blackhole", "nat", "anycast" };
        foreach (var raw in routes.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = raw.Trim();
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            var dest = routeTypes.Contains(tokens[0]) && tokens.Length > 1 ? tokens[1] : tokens[0];
            if (dest == "default") continue;
            if (LabSubnet.TryParse(dest, out var r, out _, allowBareAddress: true) && r.PrefixLength > 0 && r.Overlaps(net))
                throw new LvsException(LvsErrorIds.LabSubnetInUse, LvsErrorKind.ResourceExists,
                    $"Subnet {net} overlaps route '{line}' in the root network namespace.", net.ToString());
        }
    }

    private void Save(LvsLab lab)
    {
        var file = Path.Combine(lab.Directory, LabFileName);
        var tmp = file + ".tmp";
        File.WriteAllText(tmp, LabJson.Serialize(lab), new UTF8Encoding(false));
        File.Move(tmp, file, overwrite: true);
    }

    // ------------------------------------------------------------------ remove

    /// <summary>
    /// Stops every process in the lab's namespaces (daemons, sessions, a director engine), deletes the namespaces
    /// and the lab folder. Also removes half-built labs. LabNotFound when nothing of the lab exists.
    /// </summary>
    public void Remove(string name)
    {
        name = ValidateName(name);
        RequireRoot();
        using var stateLock = System.IO.Directory.Exists(StateRoot) ? AcquireLock() : null;
        var lab = Get(name);
        var dir = LabDirectory(name);
        var ns = LabNamespaces(name);
        if (lab != null) ns = ns.Union(PlannedNamespaces(lab).Where(NamespaceExists)).ToList();
        if (lab == null && ns.Count == 0 && !System.IO.Directory.Exists(dir))
            throw new LvsException(LvsErrorIds.LabNotFound, LvsErrorKind.ObjectNotFound,
                $"Lab '{name}' was not found (no saved lab in {StateRoot} and no lvs-{name}-* network namespace).", name);
        Teardown(name, ns, dir);
    }

    /// <summary>
    /// Removes the namespaces named lvs-<paramref name="name"/>-* (sw, client, director, rsN) and the processes in them,
    /// plus the lab folder when it has no lab.json. Returns the namespaces removed; nothing happens when there are none.
    /// </summary>
    public IReadOnlyList<string> RemoveOrphans(string name)
    {
        name = ValidateName(name);
        RequireRoot();
        var ns = LabNamespaces(name);
        var dir = LabDirectory(name);
        bool orphanDir = System.IO.Directory.Exists(dir) && !File.Exists(Path.Combine(dir, LabFileName));
        if (ns.Count > 0 || orphanDir)
            Teardown(name, ns, orphanDir ? dir : null);
        return ns;
    }

    private void Teardown(string name, IReadOnlyList<string> namespaces, string? dir)
    {
        var errors = new List<string>();
        KillNamespaceProcesses(namespaces);
        var ip = LabTools.Resolve("ip");
        // node namespaces first, the switch last: each deletion also removes the veth pair
        foreach (var ns in namespaces.OrderBy(n => n.EndsWith("-sw", StringComparison.Ordinal) ? 1 : 0))
        {
            if (!NamespaceExists(ns)) continue;
            var r = ProcessRunner.Run(ip, new[] { "netns", "delete", ns }, CommandTimeout);
            if (!r.Success && NamespaceExists(ns)) errors.Add($"ip netns delete {ns}: {r.Combined}");
        }

        if (dir != null && System.IO.Directory.Exists(dir))
        {
            // never delete anything but <stateRoot>/<name>
            var full = Path.GetFullPath(dir).TrimEnd('/');
            if (full == Path.Combine(StateRoot, name))
            {
                try { System.IO.Directory.Delete(full, recursive: true); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { errors.Add($"delete {full}: {ex.Message}"); }
            }
        }

        if (errors.Count > 0)
            throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation,
                $"Removing lab '{name}' left things behind: {string.Join("; ", errors)}", name);
    }

    /// <summary>
    /// SIGTERM every process in the namespaces, wait, then SIGKILL what is left; repeated while new ones appear.
    /// Processes are found by namespace (ip netns pids) and signalled by pid, never by program name: a host nginx or
    /// sshd, or another lab's daemons, are never signalled.
    /// </summary>
    private static void KillNamespaceProcesses(IReadOnlyList<string> namespaces)
    {
        var self = Environment.ProcessId;
        for (int round = 0; round < 4; round++)
        {
            var pids = namespaces.SelectMany(NamespacePids).Where(p => p != self && p > 1).Distinct().ToList();
            if (pids.Count == 0) return;
            int signal = round == 0 ? LabNative.SIGTERM : LabNative.SIGKILL;
            foreach (var pid in pids) LabNative.Kill(pid, signal);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(round == 0 ? 3 : 2);
            while (DateTime.UtcNow < deadline && pids.Any(LabNative.IsAlive)) Thread.Sleep(50);
            if (round == 0)
            {
                foreach (var pid in pids.Where(LabNative.IsAlive)) LabNative.Kill(pid, LabNative.SIGKILL);
                deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
                while (DateTime.UtcNow < deadline && pids.Any(LabNative.IsAlive)) Thread.Sleep(50);
            }
        }
    }

    private static IEnumerable<int> NamespacePids(string ns)
    {
        if (!NamespaceExists(ns)) return Array.Empty<int>();
        var r = ProcessRunner.Run(LabTools.Resolve("ip"), new[] { "netns", "pids", ns }, CommandTimeout);
        return r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out var p) ? p : 0).Where(p => p > 0).ToList();
    }

    // ------------------------------------------------------------------ namespaces

    internal static bool NamespaceExists(string ns) => File.Exists(Path.Combine("/run/netns", ns));

    private static IReadOnlyList<string> ListNamespaces()
    {
        var r = ProcessRunner.Run(LabTools.Resolve("ip"), new[] { "netns", "list" }, CommandTimeout);
        var names = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0]);
        // also trust /run/netns directly (ip netns list reads it too)
        if (System.IO.Directory.Exists("/run/netns"))
            names = names.Concat(System.IO.Directory.GetFiles("/run/netns").Select(f => Path.GetFileName(f)));
        return names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The existing namespaces that belong to lab <paramref name="name"/> (lvs-name-sw/client/director/rsN).</summary>
    public static IReadOnlyList<string> LabNamespaces(string name)
    {
        var prefix = $"lvs-{name.ToLowerInvariant()}-";
        return ListNamespaces()
            .Where(ns => ns.StartsWith(prefix, StringComparison.Ordinal) && NodeSuffixRegex().IsMatch(ns[prefix.Length..]))
            .OrderBy(ns => ns, StringComparer.Ordinal)
            .ToList();
    }

    // ------------------------------------------------------------------ lock

    /// <summary>An exclusive lock on &lt;stateRoot&gt;/.lock so two Create/Remove calls do not race (also across processes).</summary>
    private FileStream AcquireLock()
    {
        var file = Path.Combine(StateRoot, ".lock");
        return ExclusiveFile.Open(file, LockTimeout, ex => new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.OperationTimeout,
            $"Another lab operation holds {file}; gave up after {LockTimeout.TotalSeconds:0} s.", file, ex));
    }
}
