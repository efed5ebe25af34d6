namespace LvsPS.Ipvs.Director;

/// <summary>What the director did with a traced frame.</summary>
public enum LvsTrafficAction : long
{
    /// <summary>Sent on to the real server (DR: MACs rewritten; NAT: destination rewritten; TUN: wrapped in IP-in-IP).</summary>
    Forwarded,
    /// <summary>Dropped; <see cref="LvsTrafficRecord.DropReason"/> says why.</summary>
    Dropped,
    /// <summary>An ARP request for a VIP, answered with the director's MAC.</summary>
    ArpAnswered,
    /// <summary>No real server to schedule to: ICMP port unreachable sent back to the client.</summary>
    PortUnreachable,
    /// <summary>A NAT real server's reply, its source turned back into VIP:port and sent to the client.</summary>
    ReplyForwarded,
}

/// <summary>Which way a traced frame went: from a client (In) or a real server's NAT reply to a client (Out).</summary>
public enum LvsTrafficDirection : long
{
    In,
    Out,
}

/// <summary>
/// Which frames a traffic trace keeps (every filter that is set must match) and how long it may run
/// (<see cref="IDirector.StartTrafficTrace"/>). The director evaluates it on the fields it has already parsed.
/// </summary>
public sealed class TrafficTraceSpec
{
    /// <summary>The largest ring a director keeps.</summary>
    public const int MaxCapacity = 65536;
    /// <summary>The longest a trace may run before the director stops it by itself.</summary>
    public const int MaxDurationLimitSec = 3600;
    /// <summary>A trace not read for this long is stopped by the director (its client is gone).</summary>
    public const int IdleTimeoutSec = 15;

    public LvsProtocol? Protocol { get; set; }
    /// <summary>The client's address, or with <see cref="ClientPrefixLength"/> its network.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? ClientAddress { get; set; }
    /// <summary>The prefix length of <see cref="ClientAddress"/> (0..32; 32 = that address alone).</summary>
    public int ClientPrefixLength { get; set; } = 32;
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? VirtualAddress { get; set; }
    /// <summary>The virtual (service) port.</summary>
    public int? Port { get; set; }
    /// <summary>The real server the frame went to (frames without one, e.g. ARP, never match).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? RealAddress { get; set; }
    public LvsTrafficAction? Action { get; set; }
    /// <summary>Records the ring holds (1..<see cref="MaxCapacity"/>); when full the oldest go and are counted as lost.</summary>
    public int Capacity { get; set; } = 4096;
    /// <summary>The trace stops by itself after this many seconds (1..<see cref="MaxDurationLimitSec"/>).</summary>
    public int MaxDurationSec { get; set; } = 300;
    /// <summary>The records the reader wants at most (null: no bound); a kernel director bounds tcpdump's -c by it.</summary>
    public int? MaxRecords { get; set; }

    /// <summary>Refuses a spec the director cannot run, naming the bad value.</summary>
    public void Validate()
    {
        static LvsException Bad(string what, object? value) =>
            new(LvsErrorIds.InvalidTrafficTrace, LvsErrorKind.InvalidArgument, $"The traffic trace's {what} '{value}' is not valid.", value);
        if (ClientPrefixLength is < 0 or > 32) throw Bad("client prefix length (0..32)", ClientPrefixLength);
        if (Port is < 0 or > 65535) throw Bad("port (0..65535)", Port);
        if (Capacity is < 1 or > MaxCapacity) throw Bad($"capacity (1..{MaxCapacity})", Capacity);
        if (MaxDurationSec is < 1 or > MaxDurationLimitSec) throw Bad($"maximum duration (1..{MaxDurationLimitSec} s)", MaxDurationSec);
        foreach (var a in new[] { ClientAddress, VirtualAddress, RealAddress })
            if (a is not null && a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) throw Bad("address (IPv4 only)", a);
    }
}

/// <summary>A running trace: its id (what reads and the stop name) and where reading starts.</summary>
public sealed class TrafficTraceStatus
{
    public string Director { get; set; } = "";
    public long TraceId { get; set; }
    /// <summary>The cursor of the first record (pass it to <see cref="IDirector.ReadTrafficTrace"/>).</summary>
    public long Cursor { get; set; }
    public int Capacity { get; set; }
    public DateTime StartedAt { get; set; }
    /// <summary>When the director stops it by itself at the latest.</summary>
    public DateTime StopsAt { get; set; }
}

/// <summary>The records of a trace from a cursor on, and where the next read starts.</summary>
public sealed class TrafficTracePage
{
    public List<LvsTrafficRecord> Records { get; set; } = new();
    /// <summary>Pass it to the next read.</summary>
    public long NextCursor { get; set; }
    /// <summary>Records between the cursor given and the oldest still in the ring: overwritten before they were read.</summary>
    public long Lost { get; set; }
    /// <summary>False once the trace has stopped (asked, its maximum time, or not read for <see cref="TrafficTraceSpec.IdleTimeoutSec"/>).</summary>
    public bool Active { get; set; }
    /// <summary>Why it stopped (null while active): Stopped, MaxDuration, Idle, Replaced.</summary>
    public string? StopReason { get; set; }
}

/// <summary>One frame the director handled, as a traffic trace recorded it (Watch-LvsTraffic).</summary>
public sealed class LvsTrafficRecord
{
    public string Director { get; set; } = "";
    /// <summary>The record's number in its trace (0, 1, 2…).</summary>
    public long Sequence { get; set; }
    public DateTime Time { get; set; }
    public LvsTrafficDirection Direction { get; set; }
    /// <summary>TCP, UDP or SCTP; null for ARP.</summary>
    public LvsProtocol? Protocol { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress ClientAddress { get; set; } = IPAddress.Any;
    public int ClientPort { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.Any;
    public int Port { get; set; }
    /// <summary>The real server the connection is scheduled to (null when there is none yet, e.g. a drop before scheduling).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? RealAddress { get; set; }
    public int RealPort { get; set; }
    public LvsForwarding? Forwarding { get; set; }
    public LvsTrafficAction Action { get; set; }
    /// <summary>Why it was dropped (the director's drop reasons, e.g. VrrpBackup, NoService, MacUnresolved).</summary>
    public string? DropReason { get; set; }
    /// <summary>DR (and TUN): the destination MAC the frame was sent to, the real server's.</summary>
    public string? DestinationMac { get; set; }
    /// <summary>IP-in-IP: the outer header's source (the director) and destination (the real server).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? OuterSource { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? OuterDestination { get; set; }
    /// <summary>The connection's state after the frame.</summary>
    public LvsConnectionState? State { get; set; }
    /// <summary>TCP flags of the frame (SYN, ACK, FIN…), as tcpdump prints them.</summary>
    public string? TcpFlags { get; set; }
    /// <summary>The IP length of the frame.</summary>
    public int Length { get; set; }

    /// <summary>The real server column of the table view: where the frame went.</summary>
    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} {ClientAddress}:{ClientPort} -> {VirtualAddress}:{Port} -> {RealAddress?.ToString() ?? "-"} {Action}";
}
