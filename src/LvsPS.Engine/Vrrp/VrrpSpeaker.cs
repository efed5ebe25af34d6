using System.Diagnostics;

namespace LvsPS.Engine.Vrrp;

/// <summary>
/// lvsd's VRRP speaker, beside the engine like the health checker: one thread and its own raw sockets
/// (IO/VrrpSocket.cs), a <see cref="VrrpRouter"/> per instance (the protocol, in LvsPS.Ipvs), and what the routers ask
/// for done here: adverts sent (to 224.0.0.18 or each unicast peer), the engine told which instance is master (the
/// VIP gate, DataPath/DirectorEngine.VrrpGate.cs), gratuitous ARP bursts through the engine's link, state changes
/// logged and notify commands run (argument words, no shell, bounded in time). The speaker takes the engine's lock
/// only through the engine's own methods and the engine never calls it under that lock, so neither waits on the other
/// and the packet path never waits on VRRP.
/// </summary>
internal sealed class VrrpSpeaker : IVrrpHost, IDisposable
{
    private const int PollMs = 200;
    private static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(10);

    private sealed class Instance
    {
        public required VrrpRouter Router;
        public required VrrpSocket Sender;
        public required uint Source;
        public readonly Dictionary<VrrpCheck, long> LoggedAt = new();
    }

    private readonly DirectorEngine _engine;
    private readonly string _interface;
    private readonly uint _interfaceAddress;
    private readonly LogWriter _log;
    private readonly Func<long> _clockMs;
    private readonly object _lock = new();
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private readonly VrrpSocket _receiver;
    private readonly byte[] _rx = new byte[65536];
    private readonly byte[] _tx = new byte[2048];
    private Thread? _thread;
    private volatile bool _stop;
    /// <summary>The interface's link as last seen (FAULT while it is down).</summary>
    private bool _linkUp = true;

    public VrrpSpeaker(DirectorEngine engine, string interfaceName, uint interfaceAddress, LogWriter log, Func<long>? clockMs = null)
    {
        _engine = engine;
        _interface = interfaceName;
        _interfaceAddress = interfaceAddress;
        _log = log;
        _clockMs = clockMs ?? (() => Environment.TickCount64);
        _receiver = VrrpSocket.OpenReceiver(interfaceName);
    }

    public void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "lvsd-vrrp" };
        _thread.Start();
    }

    public void Add(VrrpInstanceSpec spec)
    {
        lock (_lock)
        {
            var inst = Create(spec);
            _instances[spec.Name] = inst;
            long now = _clockMs();
            Execute(inst, inst.Router.Start(now));
            if (!_linkUp) Execute(inst, inst.Router.OnLinkDown(now));
        }
    }

    public void Edit(VrrpInstanceSpec spec)
    {
        lock (_lock)
        {
            long now = _clockMs();
            if (!_instances.Remove(spec.Name, out var old)) { Add(spec); return; }
            var inst = Create(spec);
            _instances[spec.Name] = inst;
            var was = old.Router.Spec;
            if (old.Router.State == VrrpState.Master && was.VirtualRouterId == spec.VirtualRouterId && was.Version == spec.Version)
            {
                // A running master stays master (no election, no flap); new VIPs are announced.
                old.Sender.Dispose();
                Execute(inst, inst.Router.ResumeMaster(now));
                _engine.SetVrrpMaster(spec.Name, true);
                var added = spec.VirtualAddresses.Where(v => !was.VirtualAddresses.Contains(v)).ToList();
                if (added.Count > 0) _engine.SendVrrpGratuitousArp(added, spec.GarpMasterRepeat);
                Log(inst, LvsLogSeverity.Notice, $"changed ({spec}); stays master");
                return;
            }
            Execute(old, old.Router.Stop(now));
            old.Sender.Dispose();
            Execute(inst, inst.Router.Start(now));
            if (!_linkUp) Execute(inst, inst.Router.OnLinkDown(now));
        }
    }

    public void Delete(string name)
    {
        lock (_lock)
        {
            if (!_instances.Remove(name, out var inst)) return;
            Execute(inst, inst.Router.Stop(_clockMs()));
            inst.Sender.Dispose();
        }
    }

    public VrrpInstanceStatus? Status(string name)
    {
        lock (_lock)
        {
            if (!_instances.TryGetValue(name, out var inst)) return null;
            var r = inst.Router;
            var s = r.Spec;
            long now = _clockMs();
            var st = VrrpInstanceStatus.Of(_engine.Name, s, r.State);
            st.MasterAddress = r.MasterAddress == 0 ? null : VrrpPacket.ToAddress(r.MasterAddress);
            st.MasterPriority = r.MasterPriority;
            st.LastTransition = r.Transitions == 0 ? default : DateTime.UtcNow - TimeSpan.FromMilliseconds(now - r.LastTransitionMs);
            st.Transitions = r.Transitions;
            st.AdvertsSent = r.AdvertsSent;
            st.AdvertsReceived = r.AdvertsReceived;
            st.AdvertsDropped = r.AdvertsDropped;
            st.BecameMaster = r.BecameMaster;
            st.ReleasedMaster = r.ReleasedMaster;
            return st;
        }
    }

    private Instance Create(VrrpInstanceSpec spec)
    {
        uint source = spec.SourceAddress is { } a ? VrrpPacket.ToUInt32(a) : _interfaceAddress;
        if (source == 0)
            throw new LvsException(LvsErrorIds.InvalidVrrpInstance, LvsErrorKind.InvalidArgument,
                $"The VRRP instance '{spec.Name}' cannot be used: the interface '{_interface}' has no IPv4 address to send adverts from; give unicast_src_ip.", spec.Name);
        return new Instance { Router = new VrrpRouter(spec, source), Sender = VrrpSocket.OpenSender(_interface, VrrpPacket.ToAddress(source)), Source = source };
    }

    private void Loop()
    {
        while (!_stop)
        {
            try
            {
                long now = _clockMs();
                long next = now + PollMs;
                bool up = LinkUp(_interface);
                lock (_lock)
                {
                    if (up != _linkUp)
                    {
                        _linkUp = up;
                        _log(LvsLogSource.Vrrp, up ? LvsLogSeverity.Notice : LvsLogSeverity.Warning, $"vrrp: the link of {_interface} is {(up ? "up" : "down")}");
                        foreach (var inst in _instances.Values)
                            Execute(inst, up ? inst.Router.OnLinkUp(now) : inst.Router.OnLinkDown(now));
                    }
                    foreach (var inst in _instances.Values)
                    {
                        if (inst.Router.Deadline <= now) Execute(inst, inst.Router.OnTimer(now));
                        next = Math.Min(next, inst.Router.Deadline);
                    }
                }
                int n = _receiver.Receive(_rx, (int)Math.Clamp(next - _clockMs(), 0, PollMs));
                if (n > 0) Received(n);
            }
            catch (Exception e) when (!_stop)
            {
                _log(LvsLogSource.Vrrp, LvsLogSeverity.Error, $"vrrp: {e.GetType().Name}: {e.Message}");
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>
    /// The link state as the kernel reports it (operstate "up", or "unknown" for devices without carrier reporting,
    /// e.g. tun); read every loop, at most <see cref="PollMs"/> apart. An unreadable state counts as up, so a
    /// director never leaves its VIPs on a guess.
    /// </summary>
    internal static bool LinkUp(string interfaceName)
    {
        try
        {
            var state = File.ReadAllText($"/sys/class/net/{interfaceName}/operstate").Trim();
            return state is "up" or "unknown";
        }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return true; }
    }

    private void Received(int n)
    {
        var packet = _rx.AsSpan(0, n);
        if (!VrrpPacket.TryParse(packet, out var head)) return;
        lock (_lock)
        {
            long now = _clockMs();
            foreach (var inst in _instances.Values)
            {
                if (inst.Router.Spec.VirtualRouterId != head.VirtualRouterId) continue;
                var check = VrrpPacket.Check(packet, inst.Router.Spec, inst.Source, out var advert);
                if (check == VrrpCheck.OtherVirtualRouter) continue;
                if (check != VrrpCheck.Ok)
                {
                    inst.Router.CountDropped();
                    // One line per instance and fault every 10 s: a peer with the wrong password is not a log flood.
                    if (!inst.LoggedAt.TryGetValue(check, out var at) || now - at >= 10_000)
                    {
                        inst.LoggedAt[check] = now;
                        Log(inst, LvsLogSeverity.Warning, $"ignored an advert from {VrrpPacket.ToAddress(head.Source)}: {check} ({head})");
                    }
                    continue;
                }
                Execute(inst, inst.Router.OnAdvert(now, advert));
            }
        }
    }

    /// <summary>Does what the router asked for (under the speaker's lock, so an instance's actions keep their order).</summary>
    private void Execute(Instance inst, List<VrrpAction> actions)
    {
        var spec = inst.Router.Spec;
        foreach (var a in actions)
        {
            switch (a.Kind)
            {
                case VrrpActionKind.SendAdvert:
                    SendAdvert(inst, a.Priority);
                    break;
                case VrrpActionKind.StateChanged:
                    _engine.SetVrrpMaster(spec.Name, a.State == VrrpState.Master);
                    Log(inst, a.State == VrrpState.Fault ? LvsLogSeverity.Warning : LvsLogSeverity.Notice, $"Entering {StateWord(a.State)} STATE ({a.Message}); priority {a.Priority}");
                    Notify(spec, a.State, a.Priority);
                    break;
                case VrrpActionKind.GratuitousArp:
                    _engine.SendVrrpGratuitousArp(spec.VirtualAddresses, a.Count);
                    Log(inst, LvsLogSeverity.Info, $"sent {a.Count} gratuitous ARP(s) for each of {string.Join(", ", spec.VirtualAddresses)}");
                    break;
                case VrrpActionKind.Log:
                    Log(inst, LvsLogSeverity.Notice, a.Message ?? "");
                    break;
                case VrrpActionKind.ConfigurationError:
                    Log(inst, LvsLogSeverity.Error, a.Message ?? "");
                    break;
            }
        }
    }

    private void SendAdvert(Instance inst, int priority)
    {
        var s = inst.Router.Spec;
        var vips = s.VirtualAddresses.Select(VrrpPacket.ToUInt32).ToArray();
        IEnumerable<uint> to = s.UnicastPeers.Count == 0 ? new[] { VrrpPacket.MulticastGroup } : s.UnicastPeers.Select(VrrpPacket.ToUInt32);
        foreach (var dst in to)
        {
            // v3's checksum covers the destination (pseudo-header): one message per peer.
            int len = VrrpPacket.Build(_tx, s.Version, s.VirtualRouterId, priority, s.AdvertIntervalCentiseconds, vips, inst.Source, dst, s.AuthType, s.AuthPassword);
            try { inst.Sender.Send(_tx.AsSpan(0, len), dst); }
            catch (System.Net.Sockets.SocketException e) { Log(inst, LvsLogSeverity.Warning, $"advert to {VrrpPacket.ToAddress(dst)} not sent: {e.Message}"); }
        }
        if (priority == 0) Log(inst, LvsLogSeverity.Notice, "sent priority 0");
    }

    private static string StateWord(VrrpState s) => s switch
    {
        VrrpState.Master => "MASTER",
        VrrpState.Backup => "BACKUP",
        VrrpState.Fault => "FAULT",
        _ => "STOP",
    };

    /// <summary>
    /// keepalived's notify scripts: notify_master/_backup/_fault as given, then notify with the words
    /// INSTANCE NAME STATE PRIORITY appended. Run detached from the lock, each bounded to 10 s, no shell.
    /// </summary>
    private void Notify(VrrpInstanceSpec spec, VrrpState state, int priority)
    {
        var commands = new List<(string Keyword, string[] Words)>();
        string? specific = state switch { VrrpState.Master => spec.NotifyMaster, VrrpState.Backup => spec.NotifyBackup, VrrpState.Fault => spec.NotifyFault, _ => null };
        if (specific is not null) commands.Add((StateKeyword(state), VrrpValidator.CommandWords(spec.Name, StateKeyword(state), specific)));
        if (spec.Notify is not null)
            commands.Add(("notify", VrrpValidator.CommandWords(spec.Name, "notify", spec.Notify)
                .Concat(new[] { "INSTANCE", spec.Name, StateWord(state), priority.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToArray()));
        foreach (var (keyword, words) in commands)
            _ = Task.Run(async () =>
            {
                var psi = new ProcessStartInfo(words[0]) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var w in words.Skip(1)) psi.ArgumentList.Add(w);
                try
                {
                    using var p = Process.Start(psi)!;
                    p.StandardInput.Close();
                    var drain = Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
                    using var cts = new CancellationTokenSource(NotifyTimeout);
                    try { await p.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException)
                    {
                        try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                        _log(LvsLogSource.Vrrp, LvsLogSeverity.Warning, $"vrrp: ({spec.Name}) {keyword} {string.Join(' ', words)}: killed after {NotifyTimeout.TotalSeconds} s");
                        return;
                    }
                    await drain.ConfigureAwait(false);
                    _log(LvsLogSource.Vrrp, p.ExitCode == 0 ? LvsLogSeverity.Notice : LvsLogSeverity.Warning, $"vrrp: ({spec.Name}) {keyword} {string.Join(' ', words)}: exit {p.ExitCode}");
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
                {
                    _log(LvsLogSource.Vrrp, LvsLogSeverity.Error, $"vrrp: ({spec.Name}) {keyword} {string.Join(' ', words)}: could not run: {e.Message}");
                }
            });
    }

    private static string StateKeyword(VrrpState s) => s switch
    {
        VrrpState.Master => "notify_master",
        VrrpState.Backup => "notify_backup",
        _ => "notify_fault",
    };

    private void Log(Instance inst, LvsLogSeverity severity, string message) => _log(LvsLogSource.Vrrp, severity, $"vrrp: ({inst.Router.Spec.Name}) {message}");

    /// <summary>lvsd stops: every master sends priority 0 (a backup takes over after its skew time) and releases its VIPs.</summary>
    public void Dispose()
    {
        _stop = true;
        _thread?.Join(TimeSpan.FromSeconds(2));
        lock (_lock)
        {
            long now = _clockMs();
            foreach (var inst in _instances.Values)
            {
                try { Execute(inst, inst.Router.Stop(now)); } catch (Exception e) { _log(LvsLogSource.Vrrp, LvsLogSeverity.Error, $"vrrp: stop: {e.Message}"); }
                inst.Sender.Dispose();
            }
            _instances.Clear();
        }
        _receiver.Dispose();
    }
}
