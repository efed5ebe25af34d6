namespace LvsPS.Ipvs.Model;

/// <summary>What a real server is doing for its service.</summary>
public enum LvsRealServerState : long
{
    /// <summary>Takes new connections (its health checks, if any, pass).</summary>
    Up,
    /// <summary>Its health checks fail: out of the table (or weight 0 with inhibit_on_failure).</summary>
    Down,
    /// <summary>Suspended with -Drain: weight 0, existing connections still running.</summary>
    Draining,
    /// <summary>Weight 0 and no active connection (configured so, or drained).</summary>
    Quiesced,
    /// <summary>The director has no MAC for it (DR, tunnel on the segment): it cannot be reached.</summary>
    Unresolved,
}

/// <summary>One change of a real server's state, with its reason.</summary>
public sealed class LvsHealthEvent
{
    public DateTime Time { get; set; }
    public LvsRealServerState State { get; set; }
    public string Reason { get; set; } = "";

    public override string ToString() => $"{Time:O} {State}: {Reason}";
}

/// <summary>A real server's health as Get-LvsHealth shows it.</summary>
public sealed class LvsRealServerHealth
{
    public string Director { get; set; } = "";
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    public uint FirewallMark { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress RealAddress { get; set; } = IPAddress.None;
    public ushort RealPort { get; set; }
    public LvsRealServerState State { get; set; }
    /// <summary>The weight in the table now (0 when down with inhibit_on_failure, drained or quiesced).</summary>
    public int Weight { get; set; }
    /// <summary>The weight the admin configured (restored on recovery and by Resume-LvsRealServer).</summary>
    public int ConfiguredWeight { get; set; }
    public int ActiveConnections { get; set; }
    public int InactiveConnections { get; set; }
    /// <summary>False while a failed health check has taken it out of the table (as keepalived removes it).</summary>
    public bool InTable { get; set; } = true;
    /// <summary>Its checkers, as keepalived names them ("HTTP_GET /test.html"); empty when it has none.</summary>
    public string Checks { get; set; } = "";
    public DateTime? LastCheck { get; set; }
    /// <summary>What the last check found ("connected in 1 ms", "HTTP 503 from /test.html", "timeout after 1 s").</summary>
    public string? LastResult { get; set; }
    public DateTime? LastChange { get; set; }
    /// <summary>Why the state last changed.</summary>
    public string? Reason { get; set; }
    /// <summary>The last state changes, oldest first (at most <see cref="HistoryLength"/>).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public List<LvsHealthEvent> History { get; set; } = new();

    public const int HistoryLength = 16;

    public string ServiceName => LvsService.DisplayName(FirewallMark, Protocol, VirtualAddress, Port);

    public override string ToString() => $"{RealAddress}:{RealPort} in {ServiceName}: {State}";
}
