// The traffic trace's storage (Watch-LvsTraffic): a filter compiled to integers, evaluated on fields the packet path
// has already parsed, and a ring of fixed-size records (no allocation per record). The packet path fills it under the
// engine's lock; the control path reads it under the same lock.

namespace LvsPS.Engine.DataPath;

/// <summary>One traced frame: plain values only, so appending is a copy into a preallocated slot.</summary>
internal struct TraceEntry
{
    public long TimeMs;
    public uint Client, Vip, Real, OuterSource, OuterDestination;
    public ushort ClientPort, VipPort, RealPort, Length;
    public byte Protocol;     // 0 = ARP
    public byte Direction;    // LvsTrafficDirection
    public byte Action;       // LvsTrafficAction
    public byte Drop;         // TraceDrop.None or a DropReason / TraceDrop code
    public byte Forwarding;   // LvsForwarding + 1, 0 = none
    public byte State;        // LvsConnectionState + 1, 0 = none
    public byte TcpFlags;
    public ulong Mac;         // the rewritten destination MAC (48 bits), 0 = none
}

/// <summary>Drop codes of the trace beyond the engine's <see cref="DropReason"/>s (which keep their own values).</summary>
internal static class TraceDrop
{
    public const byte None = 255;
    public const byte NoService = 100, NotNewConnection = 101, DestinationRemoved = 102, Refused = 103, MacUnresolved = 104, TooBig = 105;

    private static readonly string[] Extra = { "NoService", "NotNewConnection", "DestinationRemoved", "Refused", "MacUnresolved", "TooBig" };
    private static readonly string[] Reasons = Enum.GetNames<DropReason>();

    public static string? Name(byte code) =>
        code == None ? null : code >= NoService ? (code - NoService < Extra.Length ? Extra[code - NoService] : null)
        : code < Reasons.Length ? Reasons[code] : null;
}

/// <summary>The trace's filter as integers: 0 (or -1 for a port) matches anything.</summary>
internal readonly struct TraceFilter
{
    private readonly byte _protocol;
    private readonly uint _clientNet, _clientMask, _vip, _real;
    private readonly int _port, _action;

    public TraceFilter(TrafficTraceSpec s)
    {
        _protocol = s.Protocol is { } p ? (byte)p : (byte)0;
        _clientMask = s.ClientAddress is null || s.ClientPrefixLength == 0 ? 0 : uint.MaxValue << (32 - s.ClientPrefixLength);
        _clientNet = s.ClientAddress is null ? 0 : Frames.ToUInt32(s.ClientAddress) & _clientMask;
        _vip = s.VirtualAddress is null ? 0 : Frames.ToUInt32(s.VirtualAddress);
        _real = s.RealAddress is null ? 0 : Frames.ToUInt32(s.RealAddress);
        _port = s.Port ?? -1;
        _action = s.Action is { } a ? (int)a : -1;
    }

    public bool Matches(in TraceEntry e) =>
        (_protocol == 0 || e.Protocol == _protocol)
        && (e.Client & _clientMask) == _clientNet
        && (_vip == 0 || e.Vip == _vip)
        && (_port < 0 || e.VipPort == _port)
        && (_real == 0 || e.Real == _real)
        && (_action < 0 || e.Action == _action);
}

/// <summary>A bounded ring of trace records: when full, the oldest is overwritten (and counted lost by whoever had not read it).</summary>
internal sealed class TrafficTraceRing
{
    private readonly TraceEntry[] _slots;
    private readonly TraceFilter _filter;

    public TrafficTraceRing(long id, TrafficTraceSpec spec, long startMs)
    {
        Id = id;
        _slots = new TraceEntry[spec.Capacity];
        _filter = new TraceFilter(spec);
        StartMs = startMs;
        LastReadMs = startMs;
        EndMs = startMs + spec.MaxDurationSec * 1000L;
    }

    public long Id { get; }
    public long StartMs { get; }
    public long EndMs { get; }
    public long LastReadMs { get; set; }
    public int Capacity => _slots.Length;
    /// <summary>How many records were ever appended (the cursor after the newest).</summary>
    public long Written { get; private set; }
    /// <summary>How many records were overwritten in all.</summary>
    public long Overwritten => Math.Max(0, Written - _slots.Length);

    /// <summary>Keeps the entry if the filter matches it; false when it did not.</summary>
    public bool Append(in TraceEntry e)
    {
        if (!_filter.Matches(in e)) return false;
        _slots[(int)(Written % _slots.Length)] = e;
        Written++;
        return true;
    }

    /// <summary>
    /// The records from <paramref name="cursor"/> on (at most <paramref name="max"/>), the cursor after them and how many
    /// between the cursor and the oldest one kept were lost.
    /// </summary>
    public (List<TraceEntry> Entries, long Next, long Lost) Read(long cursor, int max)
    {
        long oldest = Overwritten;
        long lost = 0;
        if (cursor < oldest) { lost = oldest - cursor; cursor = oldest; }
        if (cursor > Written) cursor = Written;
        var list = new List<TraceEntry>((int)Math.Min(max, Written - cursor));
        while (cursor < Written && list.Count < max) list.Add(_slots[(int)(cursor++ % _slots.Length)]);
        return (list, cursor, lost);
    }
}
