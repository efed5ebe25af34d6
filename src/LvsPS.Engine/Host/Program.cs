using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using SharpPcap;
using SharpPcap.LibPcap;

namespace LvsPS.Engine.Host;

/// <summary>
/// lvsd: the LvsPS director process.
///   lvsd run --name NAME --interface IF [--namespace NS] [--table-bits 12] [--link packet|pcap] [--rx-threads N]
///            [--kernel-copy drop|keep] [--huge-pages auto|off]
///   lvsd arp-probe --interface IF --target IPV4 [--count 3] [--wait-ms 1500]
/// </summary>
internal static class Program
{
    /// <summary>lvsd's log: every line lvsd writes goes through it (stderr until `run` gives it its sinks).</summary>
    private static DirectorLog Logger => DirectorLog.Shared;

    public static int Main(string[] args)
    {
        if (args.Length == 0) return Usage();
        bool run = args[0] == "run";
        int code;
        Logger.UseFile(Console.Error, null);
        try
        {
            var opts = ParseOptions(args.Skip(1).ToArray());
            code = args[0] switch
            {
                "run" => Run(opts),
                "arp-probe" => ArpProbe(opts),
                "tunnel-endpoint" => TunnelEndpoint.Run(Required(opts, "interface"), Required(opts, "address"),
                    opts.TryGetValue("tun", out var tun) && tun.Length > 0 ? tun : "lvstun0"),
                _ => Usage(),
            };
        }
        catch (LvsException e)
        {
            // One line the launcher reads back (ErrorId, kind, message) to fail Start-LvsDirector with lvsd's own error.
            Logger.Error(LvsLogSource.Host, $"lvsd: {e.ErrorId} ({e.Kind}): {OneLine(e.Message)}");
            code = 2;
        }
        catch (Exception e) when (run)
        {
            Logger.Error(LvsLogSource.Host, $"lvsd: {LvsErrorIds.DirectorStartFailed} ({LvsErrorKind.InvalidOperation}): {e.GetType().Name}: {OneLine(e.Message)}");
            Logger.Error(LvsLogSource.Host, e.ToString());
            code = 70;
        }
        if (run) Logger.Record(LvsLogSource.Host, code == 0 ? LvsLogSeverity.Notice : LvsLogSeverity.Error, $"lvsd[{Environment.ProcessId}] exited with code {code}");
        Logger.Dispose();
        return code;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    private static int Usage()
    {
        Console.Error.WriteLine("usage: lvsd run --name NAME --interface IF [--inside-interface IF2] [--namespace NS] [--table-bits 12]\n" +
            "           [--link packet|pcap] [--rx-threads 1] [--kernel-copy drop|keep] [--huge-pages auto|off]\n" +
            "           [--debug-level 0..12] [--log-path FILE] [--syslog /dev/log|udp://ADDR:PORT] [--syslog-facility daemon]\n       lvsd arp-probe --interface IF --target IPV4 [--count 3] [--wait-ms 1500]");
        return 64;
    }

    private static Dictionary<string, string> ParseOptions(string[] a)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < a.Length; i++)
        {
            if (!a[i].StartsWith("--", StringComparison.Ordinal)) throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"Unexpected argument '{a[i]}'.");
            d[a[i][2..]] = i + 1 < a.Length ? a[++i] : "";
        }
        return d;
    }

    private static string Required(Dictionary<string, string> o, string key) =>
        o.TryGetValue(key, out var v) && v.Length > 0 ? v : throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"--{key} is required.");

    private static void Log(string message) => Logger.Notice(LvsLogSource.Host, message);

    /// <summary>--debug-level, --log-path, --syslog, --syslog-facility: the log's level and sinks.</summary>
    private static void ConfigureLog(Dictionary<string, string> o, string name)
    {
        Logger.Director = name;
        if (o.TryGetValue("debug-level", out var l))
        {
            if (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out int level)) DirectorLogFormat.ValidateLevel(-1);
            else Logger.SetLevel(level);
        }
        var facility = LvsSyslogFacility.Daemon;
        if (o.TryGetValue("syslog-facility", out var f) && (!Enum.TryParse(f, true, out facility) || !Enum.IsDefined(facility) || int.TryParse(f, out _)))
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"--syslog-facility '{f}' is not a syslog facility (daemon, local0..local7, user…).", f);
        if (o.TryGetValue("log-path", out var path) && path.Length > 0) Logger.UseFile(path);
        else Logger.UseFile(Console.Error, DirectorPaths.Log(name));
        if (o.TryGetValue("syslog", out var target) && target.Length > 0) Logger.UseSyslog(target, facility);
    }

    private static int Run(Dictionary<string, string> o)
    {
        if (Libc.geteuid() != 0)
            throw new LvsException(LvsErrorIds.NotRoot, LvsErrorKind.PermissionDenied, "lvsd must run as root (it captures and sends raw frames).");
        string name = Required(o, "name");
        string iface = Required(o, "interface");
        int bits = o.TryGetValue("table-bits", out var b) ? int.Parse(b) : 12;
        o.TryGetValue("namespace", out var ns);
        ConfigureLog(o, name);

        DirectorPaths.EnsureDirectories();
        // One lvsd per name: the lock comes first, before the socket, the pid file or the state file is touched, and
        // is held until this process ends (however it ends). A second lvsd of the name stops here.
        using var instance = InstanceLock.Acquire(name);
        if (ControlServer.Answers(DirectorPaths.Socket(name)))
            throw new LvsException(LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists, $"A director named '{name}' is already running.");

        // The state file, read and checked whole before anything else: a bad one stops lvsd here (StateFileInvalid),
        // before any interface is opened, and is left as it is.
        string statePath = DirectorPaths.State(name);
        var store = new StateStore(statePath);
        var state = store.Load(name);

        var linkKind = EngineLinks.ParseKind(o.TryGetValue("link", out var lk) ? lk : Environment.GetEnvironmentVariable("LVSPS_LINK"));
        int rxThreads = EngineLinks.ParseThreads(o.TryGetValue("rx-threads", out var rt) ? rt : Environment.GetEnvironmentVariable("LVSPS_RX_THREADS"));
        var kernelCopyMode = ParseKernelCopy(o.TryGetValue("kernel-copy", out var kc) ? kc : null);
        bool hugePages = HugePages.ParseOption(o.TryGetValue("huge-pages", out var hp) ? hp : Environment.GetEnvironmentVariable("LVSPS_HUGE_PAGES"));
        // Before the connection table grows: its buckets and entries live in the managed heap (HugePages.cs).
        string hugePagesDone = HugePages.Apply(hugePages, HugePages.SystemMode());
        Log("huge pages: " + hugePagesDone);
        using var link = OpenLink(iface, linkKind, rxThreads);
        uint ifaddr = link.Address is null ? 0 : Frames.ToUInt32(link.Address);
        var engine = new DirectorEngine(name, link.Mac, ifaddr, link, bits) { Log = Logger.Record, Logger = Logger, InterfacePrefixLength = link.PrefixLength };
        // The kernel's own copy of the VIPs' frames dropped at tc ingress, after the capture (--kernel-copy keep: not).
        using var kernelCopy = KernelCopyFilter.Open(iface, kernelCopyMode, Log);
        engine.VirtualAddressesChanged += (vips, natSources) =>
        {
            link.SetVirtualAddresses(vips, natSources, engine.MarkRuleNets);
            kernelCopy.Post(vips);
        };
        // LVS-NAT with real servers on an internal network: a second link, where their replies arrive.
        IEngineLink? inside = null;
        if (o.TryGetValue("inside-interface", out var insideName) && insideName.Length > 0)
        {
            inside = OpenLink(insideName, linkKind, 1);
            inside.UseInsideFilter();
            engine.AttachInsideLink(inside.Mac, inside.Address is null ? 0 : Frames.ToUInt32(inside.Address), inside);
        }
        var started = DateTime.UtcNow;
        // VRRP beside the engine (own thread and raw sockets); the restored instances start with it.
        engine.InterfaceName = iface;
        using var vrrp = new VrrpSpeaker(engine, iface, ifaddr, Logger.Record);
        engine.VrrpHost = vrrp;

        // Restore what was configured before a restart: nothing configured is lost (all of it was checked above).
        store.Apply(engine, state);
        // The debug level is kept with the state; --debug-level given on the command line wins.
        if (!o.ContainsKey("debug-level") && state.DebugLevel is { } kept and >= 0 and <= DirectorLogFormat.MaxLevel) Logger.SetLevel(kept);
        Logger.Notice(LvsLogSource.Host, $"debug level {Logger.Level}" + (Logger.SyslogTarget is { } st ? $", syslog to {st} ({Logger.Facility.ToString().ToLowerInvariant()})" : ""));
        Log($"director '{name}' on {iface} mac {Frames.MacToString(link.Mac)} addr {link.Address} restored {engine.ServiceCount} service(s) from {statePath}");
        // The connection table too (established sessions go on across a restart), then a snapshot every second.
        using var snapshots = ConnectionSnapshot.Start(engine, DirectorPaths.Connections(name), Logger.Record);

        using var done = new ManualResetEventSlim();
        engine.ShutdownRequested += done.Set;
        string version = typeof(Program).Assembly.GetName().Version?.ToString() ?? "";
        engine.DescribeHost = status =>
        {
            var (recv, drop, ifdrop) = link.ReadStatistics();
            status.ProcessId = Environment.ProcessId;
            status.Interface = iface;
            status.InsideInterface = inside?.Interface;
            status.NetworkNamespace = string.IsNullOrEmpty(ns) ? null : ns;
            status.StartTime = started;
            status.Version = version;
            status.CaptureReceived = recv;
            status.CaptureDropped = drop;
            status.InterfaceDropped = ifdrop;
            status.KernelCopy = kernelCopy.State;
            status.KernelCopyNote = kernelCopy.Note;
            status.HugePages = hugePagesDone;
            status.SocketPath = DirectorPaths.Socket(name);
            status.StatePath = statePath;
            status.LogPath = Logger.LogPath ?? DirectorPaths.Log(name);
        };
        // Every change is saved before it is answered, under the dispatcher's lock together with the change, so a
        // restart loses nothing that was acknowledged. When the save fails (disk full, the folder gone), the change,
        // already in effect, is answered and the failure logged: rolling it back would mean re-creating services and
        // dropping their connections. Every save writes the whole state, so the next change saves this one too.
        var dispatcher = new Dispatcher(engine, (op, args) =>
        {
            try { store.Save(engine.ExportState()); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Logger.Error(LvsLogSource.Control, $"state: NOT SAVED to {statePath} after {op.Name}: {e.Message} (in effect now; the next change saves the whole state again)");
            }
            Logger.Notice(LvsLogSource.Control, $"{op.Name} {string.Join(" ", args.Where(a => a is not null))}");
        });

        using var server = new ControlServer(DirectorPaths.Socket(name), dispatcher.Handle);
        File.WriteAllText(DirectorPaths.Pid(name), Environment.ProcessId + "\n");
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; done.Set(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; done.Set(); });
        link.Start(engine);
        inside?.Start(engine, 1);
        using var timer = new Timer(_ =>
        {
            try { engine.Tick(); } catch (Exception e) { Logger.Error(LvsLogSource.DataPath, "tick: " + e); }
        }, null, 0, 1000);
        server.Start();
        // The health checker runs beside the engine, in lvsd's network context, and reports to it.
        using var health = new HealthMonitor(engine, Logger.Record);
        health.Start();
        vrrp.Start();
        Log("ready");
        done.Wait();
        Log("stopping");
        health.Dispose();
        // A master says priority 0 before lvsd goes, so a backup takes over after its skew time.
        vrrp.Dispose();
        engine.StopSyncDaemons();
        // omega: the down notifiers and quorum_down run on shutdown.
        foreach (var cmd in engine.OmegaCommands())
            Log("omega: ran " + Probes.RunCommandAsync(cmd, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult());
        timer.Dispose();
        inside?.Dispose();
        kernelCopy.Dispose();
        link.Dispose();
        server.Dispose();
        try { File.Delete(DirectorPaths.Pid(name)); } catch (Exception) { }
        return 0;
    }

    /// <summary>--kernel-copy drop (the default) or keep; anything else is InvalidArgument naming it.</summary>
    internal static LvsKernelCopy ParseKernelCopy(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "drop" => LvsKernelCopy.Drop,
        "keep" => LvsKernelCopy.Keep,
        _ => throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"--kernel-copy '{text}' is not valid (drop, keep).", text),
    };

    /// <summary>
    /// Opens a link of <paramref name="kind"/> (the AF_PACKET one falls back to libpcap, logged, when its ring cannot be
    /// set up); an interface that cannot be opened is InterfaceNotAvailable, naming it.
    /// </summary>
    private static IEngineLink OpenLink(string iface, LinkKind kind, int threads)
    {
        try
        {
            var link = EngineLinks.Open(iface, kind, threads, out var fallback);
            if (fallback is not null) Logger.Write(0, LvsLogSeverity.Warning, LvsLogSource.Host, $"link {iface}: the AF_PACKET ring cannot be set up ({fallback}); using libpcap");
            Log($"link {iface}: {(link.Kind == LinkKind.Packet ? "AF_PACKET" : "libpcap")}, {link.ReceiveThreads} receive thread(s)");
            return link;
        }
        catch (Exception e) when (e is not LvsException)
        {
            throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound,
                $"lvsd cannot open the interface '{iface}': {e.Message}", iface);
        }
    }

    /// <summary>Asks who answers ARP for an address on this segment; prints JSON [{"mac":..,"replies":n}].</summary>
    private static int ArpProbe(Dictionary<string, string> o)
    {
        string iface = Required(o, "interface");
        var target = IPAddress.Parse(Required(o, "target"));
        int count = o.TryGetValue("count", out var c) ? int.Parse(c) : 3;
        int waitMs = o.TryGetValue("wait-ms", out var w) ? int.Parse(w) : 1500;
        var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == iface)
            ?? throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound, $"No interface '{iface}'.");
        device.Open(new DeviceConfiguration { Mode = DeviceModes.None, Immediate = true, Snaplen = 128, ReadTimeout = 50 });
        var mac = (device.MacAddress ?? throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound, $"'{iface}' has no MAC.")).GetAddressBytes();
        var src = device.Addresses.Select(a => a.Addr?.ipAddress).FirstOrDefault(a => a?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        uint t = Frames.ToUInt32(target);
        device.Filter = $"arp and arp[6:2] = 2 and not ether src {Frames.MacToString(mac)}";
        var replies = new Dictionary<string, int>();
        device.OnPacketArrival += (_, e) =>
        {
            var f = e.Data;
            if (f.Length < 42) return;
            var a = f.Slice(14);
            if (Frames.U32(a, 14) != t) return;
            var m = Frames.MacToString(a.Slice(8, 6));
            lock (replies) replies[m] = replies.GetValueOrDefault(m) + 1;
        };
        device.StartCapture();
        var frame = new byte[42];
        for (int i = 0; i < count; i++)
        {
            Frames.BuildArp(frame, 1, Frames.Broadcast, mac, src is null ? 0 : Frames.ToUInt32(src), Frames.ZeroMac, t);
            device.SendPacket(frame, null);
            Thread.Sleep(Math.Max(10, waitMs / Math.Max(1, count)));
        }
        Thread.Sleep(200);
        device.StopCapture();
        device.Close();
        lock (replies)
            Console.WriteLine(JsonSerializer.Serialize(replies.Select(kv => new { mac = kv.Key, replies = kv.Value }).ToList()));
        return 0;
    }
}
