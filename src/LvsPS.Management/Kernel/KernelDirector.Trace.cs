using LvsPS.Ipvs.Director;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

// The traffic trace of a kernel director (Watch-LvsTraffic), as an admin would take it: tcpdump -n -e on the
// director's interface that holds the VIP, started in the background over the SSH session with a BPF filter built from
// the trace spec and the table (TcpdumpTrace), bounded remotely by `timeout` (the spec's maximum duration) and -c, its
// output in a file under /tmp that each read takes on from a byte offset (the cursor). Stop (and Dispose) kill tcpdump
// and remove the files. Records are the director's forwarded frames paired with the client's (TcpdumpTrace.Pairer).
public sealed partial class KernelDirector
{
    private sealed class RemoteTrace
    {
        public long Id;
        public string File = "";
        public int Pid;
        public DateTime EndsAt;
        public TcpdumpTrace.Pairer Pairer = null!;
    }

    private RemoteTrace? _remoteTrace;
    private long _remoteTraceIds;
    private long _lastRemoteTraceId;
    private string? _lastRemoteTraceStop;

    /// <summary>Bytes of tcpdump's output one read takes at most.</summary>
    private const int TraceReadBytes = 256 * 1024;

    public TrafficTraceStatus StartTrafficTrace(TrafficTraceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return Locked(() =>
        {
            StopRunningTrace("Replaced");
            var all = ReadServices().Services;
            var services = all.Where(s =>
                s.FirewallMark == 0 && (spec.VirtualAddress is null || s.VirtualAddress.Equals(spec.VirtualAddress))
                && (spec.Port is null || s.Port == spec.Port) && (spec.Protocol is null || s.Protocol == spec.Protocol)).ToList();
            var context = new TcpdumpTraceContext { Director = Name, Services = services };
            // the interface is the one that holds the VIP asked for, or of a matching service, or of any service (a
            // filter that matches no service still watches the director's VIP interface), or the default route's
            var vip = spec.VirtualAddress ?? services.FirstOrDefault()?.VirtualAddress
                ?? all.FirstOrDefault(s => s.FirewallMark == 0)?.VirtualAddress;
            var found = Run(TcpdumpTrace.DiscoverCommand(vip));
            string dev = found.Succeeded ? TcpdumpTrace.ParseDiscover(found.Output, context) : "";
            if (dev.Length == 0 || context.DirectorMac.Length == 0)
                throw new LvsException(LvsErrorIds.InvalidTrafficTrace, LvsErrorKind.ObjectNotFound,
                    $"The kernel director '{Name}' ({ComputerName}) has no interface to trace: none holds {vip?.ToString() ?? "a VIP"} and there is no default route. {found.Error.Trim()}", vip);

            long id = ++_remoteTraceIds;
            string file = $"/tmp/lvsps-trace-{Guid.NewGuid():N}";
            int frames = spec.MaxRecords is { } n && spec.RealAddress is null ? (int)Math.Min(int.MaxValue, 2L * n + 100) : 0;
            var r = Run(TcpdumpTrace.StartCommand(dev, TcpdumpTrace.BuildFilter(spec, services), file, spec.MaxDurationSec, frames));
            if (r.ExitStatus == TcpdumpTrace.NotFoundStatus) throw TcpdumpNotFound();
            if (!r.Succeeded || !int.TryParse(r.Output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                throw IpvsadmErrors.FromResult(r, Name, ComputerName, "tcpdump");
            var trace = new RemoteTrace
            {
                Id = id, File = file, Pid = pid, EndsAt = DateTime.UtcNow.AddSeconds(spec.MaxDurationSec),
                Pairer = new TcpdumpTrace.Pairer(context, spec),
            };
            _remoteTrace = trace;
            WaitListening(trace, dev);
            return new TrafficTraceStatus
            {
                Director = Name, TraceId = id, Cursor = 0, Capacity = spec.Capacity,
                StartedAt = DateTime.UtcNow, StopsAt = trace.EndsAt,
            };
        });
    }

    /// <summary>Waits (up to 5 s) for tcpdump's "listening on", so frames right after the start are in the trace.</summary>
    private void WaitListening(RemoteTrace trace, string dev)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var (running, err, _) = ReadRemote(trace, 0, 0);
            if (err.Contains("listening on", StringComparison.Ordinal)) return;
            if (!running || DateTime.UtcNow > until)
            {
                StopRunningTrace("Failed");
                throw new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                    $"tcpdump on the kernel director '{Name}' ({ComputerName}, interface {dev}) did not start: {err.Trim()}", dev);
            }
            Thread.Sleep(100);
        }
    }

    private (bool Running, string Error, string Output) ReadRemote(RemoteTrace trace, long offset, int maxBytes)
    {
        var r = Run(TcpdumpTrace.ReadCommand(trace.File, offset, maxBytes));
        string text = r.Output;
        int e = text.IndexOf("--err--\n", StringComparison.Ordinal), o = text.IndexOf("--out--\n", StringComparison.Ordinal);
        if (e < 0 || o < e) throw IpvsadmErrors.FromResult(r, Name, ComputerName, "tcpdump");
        return (text.StartsWith("RUNNING", StringComparison.Ordinal), text[(e + 8)..o], text[(o + 8)..]);
    }

    public TrafficTracePage ReadTrafficTrace(long traceId, long cursor, int maxRecords)
    {
        if (maxRecords is < 1 or > TrafficTraceSpec.MaxCapacity)
            throw new LvsException(LvsErrorIds.InvalidTrafficTrace, LvsErrorKind.InvalidArgument,
                $"A trace read takes 1 to {TrafficTraceSpec.MaxCapacity} records, not {maxRecords}.", maxRecords);
        return Locked(() =>
        {
            if (_remoteTrace is not { } t || t.Id != traceId)
            {
                if (traceId == _lastRemoteTraceId && _lastRemoteTraceStop is not null)
                    return new TrafficTracePage { NextCursor = cursor, Active = false, StopReason = _lastRemoteTraceStop };
                throw RemoteTraceNotFound(traceId);
            }
            var (running, err, output) = ReadRemote(t, cursor, TraceReadBytes);
            var page = new TrafficTracePage { NextCursor = cursor, Active = true };
            int start = 0;
            while (page.Records.Count < maxRecords)
            {
                int nl = output.IndexOf('\n', start);
                if (nl < 0) break;
                if (t.Pairer.Add(output[start..nl]) is { } record) page.Records.Add(record);
                page.NextCursor += System.Text.Encoding.UTF8.GetByteCount(output.AsSpan(start, nl + 1 - start));
                start = nl + 1;
            }
            bool drained = output.IndexOf('\n', start) < 0;
            if (!running && drained)
            {
                var problem = err.Split('\n').FirstOrDefault(l => l.StartsWith("tcpdump: ", StringComparison.Ordinal) && !l.Contains("verbose output suppressed", StringComparison.Ordinal));
                string reason = problem is not null ? "Failed: " + problem.Trim() : DateTime.UtcNow >= t.EndsAt.AddSeconds(-1) ? "MaxDuration" : "Count";
                StopRunningTrace(reason);
                page.Active = false;
                page.StopReason = reason;
            }
            return page;
        });
    }

    public void StopTrafficTrace(long traceId) => Locked(() =>
    {
        if (_remoteTrace?.Id == traceId) StopRunningTrace("Stopped");
        else if (traceId != _lastRemoteTraceId) throw RemoteTraceNotFound(traceId);
    });

    /// <summary>Kills the running tcpdump (if any) and removes its files; errors are swallowed (the remote timeout ends it anyway).</summary>
    private void StopRunningTrace(string reason = "Stopped")
    {
        if (_remoteTrace is not { } t) return;
        _remoteTrace = null;
        _lastRemoteTraceId = t.Id;
        _lastRemoteTraceStop = reason;
        try
        {
            if (_runner != null || _session?.IsConnected == true) RunRaw(TcpdumpTrace.StopCommand(t.File, t.Pid));
        }
        catch (LvsException) { /* the session is gone: timeout on the director ends tcpdump */ }
    }

    private LvsException RemoteTraceNotFound(long id) =>
        new(LvsErrorIds.TrafficTraceNotFound, LvsErrorKind.ObjectNotFound, $"The kernel director '{Name}' runs no traffic trace {id}.", id);

    private LvsException TcpdumpNotFound() =>
        new(LvsErrorIds.TcpdumpNotFound, LvsErrorKind.ResourceUnavailable,
            $"The kernel director '{Name}' ({ComputerName}) has no tcpdump (looked for {string.Join(", ", TcpdumpTrace.ProgramCandidates)}), which Watch-LvsTraffic runs there. " +
            "Install it on the director: apt-get install tcpdump", Name);
}
