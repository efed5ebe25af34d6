using System.Reflection;
using System.Security.Cryptography;
using LvsPS.Management.Util;

namespace LvsPS.Management.Lab.Guest;

/// <summary>
/// The kernel director's boot files: Debian's cloud kernel and an initramfs root made from Debian packages by
/// build-guest-image.sh (shipped inside this assembly). Built once per version of the scripts into
/// <see cref="CacheRoot"/>/&lt;hash&gt;/ and reused by every kernel lab; building needs apt (to download packages,
/// nothing is installed on the host) and takes about 20 s.
/// </summary>
internal sealed class GuestImage
{
    public const string DefaultCacheRoot = "/var/cache/lvsps/guest";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);
    private static readonly string[] Scripts = { "build-guest-image.sh", "guest-init.sh" };

    private GuestImage(string directory)
    {
        Directory = directory;
        Kernel = Path.Combine(directory, "vmlinuz");
        Root = Path.Combine(directory, "root.cpio.gz");
        var info = File.Exists(Path.Combine(directory, "image.txt")) ? File.ReadAllLines(Path.Combine(directory, "image.txt")) : Array.Empty<string>();
        KernelPackage = info.FirstOrDefault(l => l.StartsWith("kernel ", StringComparison.Ordinal))?[7..] ?? "linux-image";
    }

    public string Directory { get; }
    public string Kernel { get; }
    public string Root { get; }
    /// <summary>The Debian kernel package the image boots, e.g. linux-image-6.1.0-57-cloud-amd64.</summary>
    public string KernelPackage { get; }

    /// <summary>Where images are cached: $LVSPS_GUEST_CACHE, else /var/cache/lvsps/guest.</summary>
    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("LVSPS_GUEST_CACHE") is { Length: > 0 } dir ? dir : DefaultCacheRoot;

    private static byte[] Script(string name)
    {
        using var s = typeof(GuestImage).Assembly.GetManifestResourceStream("LvsPS.Guest." + name)
            ?? throw new InvalidOperationException($"The guest script {name} is missing from {typeof(GuestImage).Assembly.GetName().Name}.");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>The image for the shipped scripts, building it first when it is not cached.</summary>
    public static GuestImage Ensure(Action<string>? progress = null)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var s in Scripts) sha.AppendData(Script(s));
        var key = Convert.ToHexString(sha.GetHashAndReset())[..12].ToLowerInvariant();
        var dir = Path.Combine(CacheRoot, key);
        var image = new GuestImage(dir);
        if (image.Complete) return image;

        System.IO.Directory.CreateDirectory(CacheRoot);
        var lockFile = Path.Combine(CacheRoot, ".build.lock");
        using var buildLock = ExclusiveFile.Open(lockFile, BuildTimeout, ex => new LvsException(LvsErrorIds.LabSetupFailed,
            LvsErrorKind.OperationTimeout, $"Another process is building the kernel guest image (it holds {lockFile}); gave up after {BuildTimeout.TotalMinutes:0} min.", lockFile, ex));
        image = new GuestImage(dir);
        if (image.Complete) return image;

        foreach (var tool in new[] { "apt-get", "apt-cache", "dpkg-deb", "gzip", "bash" })
            if (LabTools.Find(tool) == null)
                throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.ResourceUnavailable,
                    $"Building the kernel director's guest needs {tool} (Debian's apt and dpkg), which is not installed.", tool);
        progress?.Invoke($"Building the kernel guest image from Debian packages (once, into {dir})");
        var work = Path.Combine(CacheRoot, $".scripts-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(work);
        try
        {
            foreach (var s in Scripts) File.WriteAllBytes(Path.Combine(work, s), Script(s));
            var r = ProcessRunner.Run(LabTools.Resolve("bash"), new[] { Path.Combine(work, Scripts[0]), dir }, BuildTimeout);
            image = new GuestImage(dir);
            if (!r.Success || !image.Complete)
                throw new LvsException(LvsErrorIds.LabSetupFailed, LvsErrorKind.InvalidOperation,
                    $"Building the kernel guest image failed (exit {r.ExitCode}): {Tail(r.Combined)}", dir);
            return image;
        }
        finally
        {
            try { System.IO.Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private bool Complete => File.Exists(Kernel) && File.Exists(Root) && File.Exists(Path.Combine(Directory, "image.txt"));

    internal static string Tail(string text, int lines = 12) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines).Select(l => l.Trim()));

    // ------------------------------------------------------------------ accelerator

    /// <summary>
    /// "kvm" when /dev/kvm works for this kernel, else "tcg". A KVM guest that does not reach its init within
    /// <see cref="KvmProbeTimeout"/> counts as not working (on some hosts /dev/kvm exists but the guest hangs at boot);
    /// the answer is cached per host kernel. $LVSPS_GUEST_ACCEL=kvm|tcg decides without probing.
    /// </summary>
    public string Accelerator(out string reason)
    {
        var forced = Environment.GetEnvironmentVariable("LVSPS_GUEST_ACCEL");
        if (forced is "kvm" or "tcg") { reason = "LVSPS_GUEST_ACCEL"; return forced; }
        if (!File.Exists("/dev/kvm")) { reason = "no /dev/kvm"; return "tcg"; }
        var cache = Path.Combine(CacheRoot, $"accel-{LabManager.HostKernelRelease()}");
        if (File.Exists(cache))
        {
            var cached = File.ReadAllText(cache).Split('\n', 2);
            if (cached[0] is "kvm" or "tcg") { reason = cached.Length > 1 ? cached[1].Trim() : "cached"; return cached[0]; }
        }
        var (accel, why) = ProbeKvm();
        File.WriteAllText(cache, accel + "\n" + why + "\n");
        reason = why;
        return accel;
    }

    public static readonly TimeSpan KvmProbeTimeout = TimeSpan.FromSeconds(15);

    private (string, string) ProbeKvm()
    {
        var qemu = LabTools.Find("qemu-system-x86_64");
        if (qemu == null) return ("tcg", "no qemu-system-x86_64");
        var console = Path.Combine(CacheRoot, $".kvm-probe-{Environment.ProcessId}.log");
        try
        {
            File.Delete(console);
            var started = DateTime.UtcNow;
            var r = ProcessRunner.Run(qemu, new[]
            {
                "-accel", "kvm", "-cpu", "host", "-m", "256", "-smp", "1", "-nodefaults", "-no-user-config",
                "-display", "none", "-no-reboot", "-serial", "file:" + console, "-kernel", Kernel, "-initrd", Root,
                "-append", "console=ttyS0 quiet panic=-1 lvsps.probe=1",
            }, KvmProbeTimeout);
            var log = File.Exists(console) ? File.ReadAllText(console) : "";
            if (log.Contains("lvsps-guest: probe ok", StringComparison.Ordinal))
                return ("kvm", $"KVM guest booted in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
            return ("tcg", r.ExitCode == ProcessRunner.TimeoutExitCode
                ? $"a KVM guest did not reach its init in {KvmProbeTimeout.TotalSeconds:0} s"
                : $"a KVM guest failed (exit {r.ExitCode}: {Tail(r.Combined, 3)})");
        }
        finally { try { File.Delete(console); } catch (IOException) { } }
    }

    public override string ToString() => KernelPackage;
}
