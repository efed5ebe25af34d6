namespace LvsPS.Ipvs.Director;

/// <summary>Which kind of director carries the table.</summary>
public enum LvsDirectorKind : long
{
    /// <summary>lvsd, LvsPS's user-space director.</summary>
    Engine,
    /// <summary>Linux kernel IPVS, driven with ipvsadm.</summary>
    Kernel,
}

/// <summary>
/// What lvsd does with the director kernel's own copy of the frames it forwards (Start-LvsDirector -KernelCopy): Drop
/// them at the interface's tc ingress hook, after lvsd's capture has seen them, or Keep them (the kernel routes each
/// one only to discard it).
/// </summary>
public enum LvsKernelCopy : long
{
    /// <summary>A tc ingress filter drops IPv4 frames to the VIPs before the kernel's IP stack (the default).</summary>
    Drop,
    /// <summary>The kernel receives its copy of every frame, as without lvsd.</summary>
    Keep,
}

/// <summary>A running director as Get-LvsDirector shows it.</summary>
public sealed class DirectorStatus
{
    public string Name { get; set; } = "";
    /// <summary>lvsd (Engine) or kernel IPVS (Kernel): what some checks and operations depend on.</summary>
    public LvsDirectorKind Kind { get; set; }
    public int ProcessId { get; set; }
    public string Interface { get; set; } = "";
    public string? NetworkNamespace { get; set; }
    public string MacAddress { get; set; } = "";
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? InterfaceAddress { get; set; }
    /// <summary>The inside interface (LVS-NAT real servers on an internal network), if any.</summary>
    public string? InsideInterface { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? InsideAddress { get; set; }
    public DateTime StartTime { get; set; }
    public string Version { get; set; } = "";
    public int TableSize { get; set; }
    public int ServiceCount { get; set; }
    public int RealServerCount { get; set; }
    public int ConnectionCount { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress[] VirtualAddresses { get; set; } = Array.Empty<IPAddress>();
    public ulong FramesReceived { get; set; }
    public ulong FramesForwarded { get; set; }
    public ulong FramesDropped { get; set; }
    public ulong ArpRepliesSent { get; set; }
    /// <summary>
    /// Frames dropped, by reason (BadChecksum, SourceMulticast, SourceLocal, ArpUnsolicited…; only reasons seen).
    /// lvsd counts them; a kernel director reports none here (see its nstat / rt_cache counters).
    /// </summary>
    public Dictionary<string, ulong> DropsByReason { get; set; } = new();
    /// <summary>libpcap's own counters (pcap_stats): packets received and dropped by the capture ring.</summary>
    public ulong CaptureReceived { get; set; }
    public ulong CaptureDropped { get; set; }
    public ulong InterfaceDropped { get; set; }
    /// <summary>
    /// lvsd: Drop while its tc ingress filter keeps the VIPs' frames from the director kernel's IP stack; Keep when
    /// asked to, or when it cannot (<see cref="KernelCopyNote"/> says why). A kernel director reports Keep.
    /// </summary>
    public LvsKernelCopy KernelCopy { get; set; } = LvsKernelCopy.Keep;
    /// <summary>Why the kernel's copy is kept (or kept for some VIPs: those the kernel holds itself), else null.</summary>
    public string? KernelCopyNote { get; set; }
    /// <summary>lvsd: what it did at start-up about transparent huge pages for its managed heap, where the connection
    /// table lives (--huge-pages auto|off): e.g. "the managed heap's 48711 MiB reservation advised (transparent huge
    /// pages 'madvise')", "off (--huge-pages off)", "not used (transparent huge pages are 'never')". Null on a kernel
    /// director.</summary>
    public string? HugePages { get; set; }
    public string SocketPath { get; set; } = "";
    public string StatePath { get; set; } = "";
    public string LogPath { get; set; } = "";
    public bool Running { get; set; } = true;
    /// <summary>The table's defence strategies active now (drop_entry, drop_packet, secure_tcp, at the hard limit).</summary>
    public LvsPS.Ipvs.Connections.LvsDefenseLevel DefenseLevel { get; set; }
    /// <summary>lvsd: the hard limit of entries in the connection table (0 on a kernel director: its memory).</summary>
    public int ConnectionLimit { get; set; }
    /// <summary>Entries the defence dropped (drop_entry, and new connections taking an unestablished entry's place).</summary>
    public ulong EntriesDropped { get; set; }
    /// <summary>New connections refused by drop_packet or at the table's hard limit.</summary>
    public ulong ConnectionsRefused { get; set; }
    /// <summary>lvsd: connection entries read back from the snapshot at start (DirectorPaths.Connections).</summary>
    public ulong ConnectionsRestored { get; set; }
    /// <summary>lvsd: TCP RSTs sent after a restart to clients whose flow it forgot and cannot place again.</summary>
    public ulong ResetsSent { get; set; }
    /// <summary>
    /// lvsd: TCP flows the table did not know, scheduled from a packet without SYN (an mh service, sloppy_tcp, or
    /// after a restart a scheduler that places the flow again).
    /// </summary>
    public ulong SloppyConnections { get; set; }
}
