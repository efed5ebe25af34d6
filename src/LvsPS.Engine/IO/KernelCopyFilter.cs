using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;

namespace LvsPS.Engine.IO;

/// <summary>
/// The director kernel's own copy of the frames lvsd forwards. Both lvsd's capture and the kernel's IP stack receive
/// every frame sent to the interface's MAC; the kernel, which does not hold the VIP, routes each one only to drop it
/// (ip_forward 0: Ip InAddrErrors) or, with ip_forward 1, to send it back out. This filter drops IPv4 frames to the
/// VIPs at the interface's tc ingress hook, which runs after the packet taps (libpcap, AF_PACKET), so lvsd still sees
/// every frame and the kernel none of them.
/// <para>
/// The filter is a classic-BPF cls_bpf program in direct-action mode (no tc action module needed): it loads the IPv4
/// destination and returns TC_ACT_SHOT for a VIP, TC_ACT_UNSPEC (on to the next filter, then the stack) for anything
/// else. Its first instruction loads <see cref="Marker"/>, which no other program carries: that is how lvsd knows a
/// filter at <see cref="Preference"/> as its own (a stale one after a kill -9 is removed at start, anyone else's is left
/// alone). A VIP the kernel itself holds (an address of this namespace, checked again every <see cref="Recheck"/>) is
/// never dropped, so whatever the kernel serves on it goes on working; fwmark rule networks and NAT replies keep their kernel copy (a net may hold the director's
/// own address, a real server's replies include its health-check answers).
/// </para>
/// <para>
/// lvsd adds an ingress qdisc only when the interface has none, and removes on exit its filter, and the qdisc when it
/// added it and no other filter is left. Where tc is missing or refuses, lvsd logs why and goes on with the copy kept.
/// </para>
/// </summary>
internal sealed class KernelCopyFilter : IDisposable
{
    /// <summary>The filter's tc preference (priority) on the ingress hook.</summary>
    public const int Preference = 49152;
    /// <summary>Loaded into A by the first instruction and overwritten by the next: "LVPS", lvsd's signature.</summary>
    public const uint Marker = 0x4C565053;
    /// <summary>tc's TC_ACT_SHOT (drop) and TC_ACT_UNSPEC (-1: the next filter, then the stack).</summary>
    private const uint Shot = 2, Unspec = uint.MaxValue;
    /// <summary>A jeq's true branch is an 8-bit offset: at most this many VIPs in one program.</summary>
    public const int MaxAddresses = 250;

    private readonly string _iface;
    private readonly string? _tc;
    private readonly Action<string> _log;
    /// <summary>_gate guards the pending set and the worker's wake-ups; _tcGate the tc calls and what they applied.</summary>
    private readonly object _gate = new(), _tcGate = new();
    private bool _addedQdisc;
    private bool _installed;
    private volatile bool _disabled;
    private uint[] _applied = Array.Empty<uint>();
    private IReadOnlyList<uint>? _pending;
    private Thread? _worker;
    private bool _stopping;

    /// <summary>What a status shows: Drop while the filter drops the VIPs' copies, else Keep, with <see cref="Note"/> saying why.</summary>
    public LvsKernelCopy State { get; private set; } = LvsKernelCopy.Keep;
    /// <summary>Why the copy is kept (asked, tc missing or refusing, no VIP yet, VIPs the kernel holds), or null.</summary>
    public string? Note { get; private set; }

    private KernelCopyFilter(string iface, string? tc, Action<string> log)
    {
        _iface = iface;
        _tc = tc;
        _log = log;
    }

    /// <summary>
    /// The filter for <paramref name="iface"/>, or, when <paramref name="mode"/> is Keep, one that never touches tc
    /// and reports Keep. Removes a stale filter of lvsd's left at the preference by a process that was killed.
    /// </summary>
    public static KernelCopyFilter Open(string iface, LvsKernelCopy mode, Action<string> log)
    {
        var tc = FindTc();
        if (tc is null)
            return new KernelCopyFilter(iface, null, log)
                { _disabled = true, Note = mode == LvsKernelCopy.Keep ? "kept (--kernel-copy keep)" : "kept: tc (iproute2) not found" };
        var f = new KernelCopyFilter(iface, tc, log);
        f.Prepare(addQdisc: mode == LvsKernelCopy.Drop);
        if (mode == LvsKernelCopy.Keep)
        {
            // Asked to keep it: a killed lvsd's filter is gone already (its qdisc goes on Dispose, when it was lvsd's).
            f._disabled = true;
            f.Note = "kept (--kernel-copy keep)";
        }
        return f;
    }

    /// <summary>The classic-BPF program (tc's "bytecode" text: count, then "code jt jf k" per instruction).</summary>
    public static string BuildBytecode(IReadOnlyList<uint> vips)
    {
        if (vips.Count == 0 || vips.Count > MaxAddresses) throw new ArgumentOutOfRangeException(nameof(vips), vips.Count, $"1 to {MaxAddresses} addresses");
        var code = new List<(int Code, int Jt, int Jf, uint K)>
        {
            (0x00, 0, 0, Marker),   // ld #Marker (BPF_LD|BPF_W|BPF_IMM): the signature
            (0x20, 0, 0, 30),       // ld [30]: the IPv4 destination (cls_bpf sees the frame from its Ethernet header)
        };
        for (int i = 0; i < vips.Count; i++)
            code.Add((0x15, vips.Count - i, 0, vips[i]));   // jeq #vip: on to the "ret #Shot" past the rest and "ret #Unspec"
        code.Add((0x06, 0, 0, Unspec));
        code.Add((0x06, 0, 0, Shot));
        var sb = new StringBuilder(code.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (c, jt, jf, k) in code)
            sb.Append(CultureInfo.InvariantCulture, $",{c} {jt} {jf} {k}");
        return sb.ToString();
    }

    /// <summary>Whether tc's listing of the preference shows lvsd's program (its signature as the first instruction).</summary>
    public static bool IsOurs(string listing) =>
        listing.Contains(" bpf ", StringComparison.Ordinal) && listing.Contains($",0 0 0 {Marker},", StringComparison.Ordinal);

    /// <summary>The VIPs to drop: those the kernel does not hold itself, in order, at most <see cref="MaxAddresses"/>.</summary>
    public static (uint[] Drop, uint[] Held) Partition(IReadOnlyList<uint> vips, ICollection<uint> local)
    {
        var drop = vips.Distinct().Where(v => !local.Contains(v)).Take(MaxAddresses).ToArray();
        var held = vips.Distinct().Where(local.Contains).ToArray();
        return (drop, held);
    }

    /// <summary>
    /// Asks for <paramref name="vips"/> to be dropped, without waiting: the engine calls this under its lock, and tc
    /// runs on the filter's own thread, the latest set winning.
    /// </summary>
    public void Post(IReadOnlyList<uint> vips)
    {
        lock (_gate)
        {
            if (_disabled || _stopping) return;
            _pending = vips.ToArray();
            if (_worker is null)
            {
                _worker = new Thread(Work) { IsBackground = true, Name = "lvsd kernel-copy filter" };
                _worker.Start();
            }
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>How often the VIPs are checked against the kernel's own addresses (one added or removed by hand).</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    private void Work()
    {
        IReadOnlyList<uint> last = Array.Empty<uint>();
        while (true)
        {
            lock (_gate)
            {
                if (_pending is null && !_stopping) Monitor.Wait(_gate, Recheck);
                if (_stopping) return;
                if (_pending is not null) last = _pending;
                _pending = null;
            }
            // the same set again after a quiet interval: only a changed set of kernel addresses makes a difference
            Update(last);
        }
    }

    /// <summary>Drops the copies of frames to <paramref name="vips"/> from now on (replacing the program in one step).</summary>
    public void Update(IReadOnlyList<uint> vips)
    {
        lock (_tcGate)
        {
            if (_disabled) return;
            var (drop, held) = Partition(vips, LocalAddresses());
            string? note = held.Length > 0 ? $"kept for {string.Join(", ", held.Select(Frames.ToAddress))}: held by the kernel" : null;
            if (vips.Distinct().Count() - held.Length > MaxAddresses) note = (note is null ? "" : note + "; ") + $"kept beyond the first {MaxAddresses} VIPs";
            if (drop.SequenceEqual(_applied))
            {
                if (drop.Length > 0) Note = note;
                return;
            }
            if (drop.Length == 0)
            {
                RemoveFilter();
                _applied = drop;
                State = LvsKernelCopy.Keep;
                Note = note ?? "kept: no VIP yet";
                return;
            }
            var r = Tc("filter", "replace", "dev", _iface, "ingress", "pref", Num(Preference), "handle", "1", "protocol", "ip",
                "bpf", "da", "bytecode", BuildBytecode(drop));
            if (!r.Ok)
            {
                Disable($"kept: tc filter replace failed: {r.Output}");
                return;
            }
            _installed = true;
            _applied = drop;
            State = LvsKernelCopy.Drop;
            Note = note;
            _log($"kernel copy: dropped at {_iface} ingress for {string.Join(", ", drop.Select(Frames.ToAddress))}" + (note is null ? "" : $" ({note})"));
        }
    }

    public void Dispose()
    {
        Thread? worker;
        lock (_gate)
        {
            _stopping = true;
            worker = _worker;
            Monitor.PulseAll(_gate);
        }
        worker?.Join(TimeSpan.FromSeconds(15));
        lock (_tcGate)
        {
            if (_tc is null) return;
            RemoveFilter();
            if (_addedQdisc)
            {
                var left = Tc("filter", "show", "dev", _iface, "ingress");
                if (left.Ok && string.IsNullOrWhiteSpace(left.Output)) Tc("qdisc", "del", "dev", _iface, "ingress");
                _addedQdisc = false;
            }
            _disabled = true;
        }
    }

    private void Prepare(bool addQdisc)
    {
        var qdisc = Tc("qdisc", "show", "dev", _iface, "ingress");
        if (!qdisc.Ok) { Disable($"kept: tc qdisc show failed: {qdisc.Output}"); return; }
        var existing = Tc("filter", "show", "dev", _iface, "ingress", "pref", Num(Preference));
        if (existing.Ok && !string.IsNullOrWhiteSpace(existing.Output))
        {
            if (!IsOurs(existing.Output))
            {
                Disable($"kept: another filter holds tc preference {Preference} on {_iface} ingress");
                return;
            }
            // A killed lvsd's, for the VIPs it had: removed now (the first Update puts in this lvsd's own, which
            // may have none). When it was the qdisc's only filter, the qdisc was lvsd's too.
            var all = Tc("filter", "show", "dev", _iface, "ingress");
            _addedQdisc = all.Ok && all.Output.Split('\n').Where(l => l.StartsWith("filter ", StringComparison.Ordinal))
                .All(l => l.Contains($"pref {Preference} ", StringComparison.Ordinal));
            var del = DeleteFilter();
            _log(del.Ok
                ? $"kernel copy: a stale filter of lvsd's on {_iface} ingress (preference {Preference}) was removed"
                : $"kernel copy: a stale filter of lvsd's on {_iface} ingress (preference {Preference}) could not be removed: {del.Output}");
        }
        if (addQdisc && string.IsNullOrWhiteSpace(qdisc.Output))
        {
            var add = Tc("qdisc", "add", "dev", _iface, "ingress");
            if (!add.Ok) { Disable($"kept: tc qdisc add ingress failed: {add.Output}"); return; }
            _addedQdisc = true;
        }
        Note = "kept: no VIP yet";
    }

    /// <summary>This lvsd's filter out, when it put one in.</summary>
    private void RemoveFilter()
    {
        if (!_installed) return;
        DeleteFilter();
        _installed = false;
    }

    /// <summary>Whatever filter holds <see cref="Preference"/> on the interface's ingress, deleted.</summary>
    private (bool Ok, string Output) DeleteFilter() => Tc("filter", "del", "dev", _iface, "ingress", "pref", Num(Preference));

    private void Disable(string why)
    {
        RemoveFilter();
        _disabled = true;
        _applied = Array.Empty<uint>();
        State = LvsKernelCopy.Keep;
        Note = why;
        _log($"kernel copy on {_iface}: {why}");
    }

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The IPv4 addresses of this network namespace, as the engine writes them (network order read big-endian).</summary>
    private static HashSet<uint> LocalAddresses()
    {
        var set = new HashSet<uint>();
        try
        {
            foreach (var ni in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var a in ni.GetIPProperties().UnicastAddresses)
                    if (a.Address.AddressFamily == AddressFamily.InterNetwork) set.Add(Frames.ToUInt32(a.Address));
        }
        catch (NetworkInformationException) { }
        return set;
    }

    private static string? FindTc()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(new[] { "/usr/sbin", "/sbin" }))
        {
            var p = Path.Combine(dir, "tc");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private (bool Ok, string Output) Tc(params string[] args)
    {
        var psi = new ProcessStartInfo(_tc!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(5000)) { try { p.Kill(); } catch (InvalidOperationException) { } return (false, "tc did not finish in 5 s"); }
            return (p.ExitCode == 0, (stdout.Result + stderr.Result).Trim());
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (false, e.Message);
        }
    }
}
