// DirectorEngine, packet path and control: the traffic trace (IDirector.StartTrafficTrace/ReadTrafficTrace/
// StopTrafficTrace, Watch-LvsTraffic). With no trace running the packet path pays one null test of _trace per frame;
// with one, each handled frame is one fixed-size record (TrafficTraceRing) if it matches the filter. A trace ends when
// stopped, at its maximum duration, or when no one has read it for TrafficTraceSpec.IdleTimeoutSec (a client that died
// cannot leave it on); the next start replaces it.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private TrafficTraceRing? _trace;
    private long _traceIds;
    private long _lastTraceId;
    private string? _lastTraceStop;

    /// <summary>Records the frame in the running trace; the callers test <see cref="_trace"/> first.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Trace(LvsTrafficAction action, byte proto, uint client, ushort clientPort, uint vip, ushort vipPort,
        Connection? conn, byte drop = TraceDrop.None, int length = 0, byte tcpFlags = 0, LvsTrafficDirection direction = LvsTrafficDirection.In,
        uint outerSource = 0, uint outerDestination = 0)
    {
        var t = _trace!;
        long now = _clockMs();
        if (TraceExpired(t, now)) return;
        var d = conn?.Dest;
        var e = new TraceEntry
        {
            TimeMs = now,
            Protocol = proto,
            Client = client, ClientPort = clientPort, Vip = vip, VipPort = vipPort,
            Real = d?.AddressValue ?? 0, RealPort = conn?.RealPort ?? 0,
            Forwarding = conn is null ? (byte)0 : (byte)(conn.Forwarding + 1),
            State = conn is null ? (byte)0 : (byte)(conn.State + 1),
            Action = (byte)action, Drop = drop, Direction = (byte)direction,
            Length = (ushort)length, TcpFlags = tcpFlags,
            OuterSource = outerSource, OuterDestination = outerDestination,
        };
        if (action == LvsTrafficAction.Forwarded && d?.Mac is { } mac && conn!.Forwarding != LvsForwarding.Masq)
            for (int i = 0; i < 6; i++) e.Mac = (e.Mac << 8) | mac[i];
        t.Append(in e);
    }

    /// <summary>A frame dropped after its addresses and ports were read.</summary>
    private void TraceDropped(in Ipv4Packet p, Connection? conn, byte drop) =>
        Trace(LvsTrafficAction.Dropped, p.Protocol, p.Source, p.HasPorts ? p.SourcePort : (ushort)0, p.Destination,
            p.HasPorts ? p.DestinationPort : (ushort)0, conn, drop, p.TotalLength, p.Protocol == Frames.ProtoTcp && p.HasPorts ? p.TcpFlags : (byte)0);

    /// <summary>Ends the trace when its time is up or no one reads it; true when it ended.</summary>
    private bool TraceExpired(TrafficTraceRing t, long now)
    {
        string? reason = now >= t.EndMs ? "MaxDuration"
            : now - t.LastReadMs >= TrafficTraceSpec.IdleTimeoutSec * 1000L ? "Idle" : null;
        if (reason is null) return false;
        EndTrace(reason);
        return true;
    }

    private void EndTrace(string reason)
    {
        if (_trace is null) return;
        _lastTraceId = _trace.Id;
        _lastTraceStop = reason;
        _trace = null;
    }

    /// <summary>From the once-a-second tick: a trace ends on time even when no frame comes.</summary>
    private void TraceTick(long now)
    {
        if (_trace is { } t) TraceExpired(t, now);
    }

    public TrafficTraceStatus StartTrafficTrace(TrafficTraceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        lock (Sync)
        {
            EndTrace("Replaced");
            long now = _clockMs();
            var t = _trace = new TrafficTraceRing(++_traceIds, spec, now);
            var utc = DateTime.UtcNow;
            return new TrafficTraceStatus
            {
                Director = Name, TraceId = t.Id, Cursor = 0, Capacity = t.Capacity,
                StartedAt = utc, StopsAt = utc.AddMilliseconds(t.EndMs - now),
            };
        }
    }

    public TrafficTracePage ReadTrafficTrace(long traceId, long cursor, int maxRecords)
    {
        if (maxRecords is < 1 or > TrafficTraceSpec.MaxCapacity)
            throw new LvsException(LvsErrorIds.InvalidTrafficTrace, LvsErrorKind.InvalidArgument,
                $"A trace read takes 1 to {TrafficTraceSpec.MaxCapacity} records, not {maxRecords}.", maxRecords);
        lock (Sync)
        {
            long now = _clockMs();
            if (_trace is { } running && running.Id == traceId && !TraceExpired(running, now))
            {
                running.LastReadMs = now;
                var (entries, next, lost) = running.Read(cursor, maxRecords);
                var utc = DateTime.UtcNow;
                var page = new TrafficTracePage { NextCursor = next, Lost = lost, Active = true };
                long seq = next - entries.Count;
                foreach (var e in entries) page.Records.Add(ToRecord(in e, seq++, utc.AddMilliseconds(e.TimeMs - now)));
                return page;
            }
            if (traceId == _lastTraceId && _lastTraceStop is not null)
                return new TrafficTracePage { NextCursor = cursor, Active = false, StopReason = _lastTraceStop };
            throw TraceNotFound(traceId);
        }
    }

    public void StopTrafficTrace(long traceId)
    {
        lock (Sync)
        {
            if (_trace?.Id == traceId) EndTrace("Stopped");
            else if (traceId != _lastTraceId) throw TraceNotFound(traceId);
        }
    }

    private LvsException TraceNotFound(long id) =>
        new(LvsErrorIds.TrafficTraceNotFound, LvsErrorKind.ObjectNotFound, $"The director '{Name}' runs no traffic trace {id}.", id);

    private LvsTrafficRecord ToRecord(in TraceEntry e, long sequence, DateTime time) => new()
    {
        Director = Name,
        Sequence = sequence,
        Time = time,
        Direction = (LvsTrafficDirection)e.Direction,
        Protocol = e.Protocol == 0 ? null : (LvsProtocol)e.Protocol,
        ClientAddress = Frames.ToAddress(e.Client),
        ClientPort = e.ClientPort,
        VirtualAddress = Frames.ToAddress(e.Vip),
        Port = e.VipPort,
        RealAddress = e.Real == 0 ? null : Frames.ToAddress(e.Real),
        RealPort = e.RealPort,
        Forwarding = e.Forwarding == 0 ? null : (LvsForwarding)(e.Forwarding - 1),
        Action = (LvsTrafficAction)e.Action,
        DropReason = TraceDrop.Name(e.Drop),
        DestinationMac = e.Mac == 0 ? null : MacText(e.Mac),
        OuterSource = e.OuterSource == 0 ? null : Frames.ToAddress(e.OuterSource),
        OuterDestination = e.OuterDestination == 0 ? null : Frames.ToAddress(e.OuterDestination),
        State = e.State == 0 ? null : (LvsConnectionState)(e.State - 1),
        TcpFlags = e.Protocol == Frames.ProtoTcp ? TcpFlagText(e.TcpFlags) : null,
        Length = e.Length,
    };

    private static string MacText(ulong mac)
    {
        Span<byte> b = stackalloc byte[6];
        for (int i = 5; i >= 0; i--) { b[i] = (byte)mac; mac >>= 8; }
        return Frames.MacToString(b);
    }

    /// <summary>TCP flags as tcpdump prints them: S, F, R, P, then '.' for ACK ("S.", "P.", ".").</summary>
    internal static string TcpFlagText(byte f)
    {
        var s = "";
        if ((f & Frames.Syn) != 0) s += "S";
        if ((f & Frames.Fin) != 0) s += "F";
        if ((f & Frames.Rst) != 0) s += "R";
        if ((f & 0x08) != 0) s += "P";
        if ((f & Frames.Ack) != 0) s += ".";
        return s.Length == 0 ? "none" : s;
    }
}
