namespace LvsPS.Ipvs.Sync;

/// <summary>The two sync daemons a director can run (ipvsadm --start-daemon master|backup).</summary>
public enum SyncDaemonRole : long
{
    /// <summary>Sends the director's connections to the backups.</summary>
    Master,
    /// <summary>Receives connections from a master and installs them.</summary>
    Backup,
}

/// <summary>
/// A connection synchronisation daemon as ipvsadm starts one (ipvsadm(8): --start-daemon, --syncid, --mcast-interface,
/// --mcast-group, --mcast-port, --mcast-ttl, --sync-maxlen), speaking ip_vs_sync.c's protocol version 1.
/// </summary>
public sealed class SyncDaemonSpec
{
    /// <summary>The kernel's default group: 224.0.0.81.</summary>
    public static readonly IPAddress DefaultGroup = IPAddress.Parse("224.0.0.81");
    /// <summary>The kernel's default port: 8848.</summary>
    public const int DefaultPort = 8848;

    public SyncDaemonRole Role { get; set; }
    /// <summary>--mcast-interface: the link the messages go out on or are received on.</summary>
    public string Interface { get; set; } = "";
    /// <summary>--syncid 0..255: a backup takes only messages of its id (0 on a backup = any).</summary>
    public int SyncId { get; set; }
    /// <summary>--mcast-group: 224.0.0.81 by default; a unicast address sends to (or, on a backup, binds) that host.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress Group { get; set; } = DefaultGroup;
    /// <summary>--mcast-port (default 8848).</summary>
    public int Port { get; set; } = DefaultPort;
    /// <summary>--mcast-ttl 1..255 (default 1).</summary>
    public int Ttl { get; set; } = 1;
    /// <summary>--sync-maxlen: the largest message payload in bytes; 0 = from the interface's MTU, as the kernel does.</summary>
    public int MaxLength { get; set; }

    public SyncDaemonSpec Clone() => (SyncDaemonSpec)MemberwiseClone();

    public override string ToString() => $"{Role.ToString().ToLowerInvariant()} syncid {SyncId} on {Interface}";
}

/// <summary>A running sync daemon (ipvsadm -L --daemon) with its counters where the director keeps them.</summary>
public sealed class SyncDaemonStatus
{
    public string Director { get; set; } = "";
    public SyncDaemonRole Role { get; set; }
    public string Interface { get; set; } = "";
    public int SyncId { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress Group { get; set; } = SyncDaemonSpec.DefaultGroup;
    public int Port { get; set; } = SyncDaemonSpec.DefaultPort;
    public int Ttl { get; set; } = 1;
    public int MaxLength { get; set; }
    public DateTime Started { get; set; }
    public ulong MessagesSent { get; set; }
    public ulong MessagesReceived { get; set; }
    /// <summary>Messages dropped: wrong version, sync id, length or a malformed entry.</summary>
    public ulong MessagesDropped { get; set; }
    public ulong ConnectionsSent { get; set; }
    public ulong ConnectionsReceived { get; set; }
    /// <summary>When the last message was sent (master) or received (backup); null = none yet.</summary>
    public DateTime? LastMessage { get; set; }
    /// <summary>
    /// Master: the age of the oldest change not yet sent; backup: time since the last message. Null where the
    /// director does not say (a kernel director's counters are not exported).
    /// </summary>
    public TimeSpan? Lag { get; set; }

    // ---- added by the lvsd sync work (null or 0 where the director does not say: a kernel director)
    /// <summary>Master: connection entries queued for sending (lvsd).</summary>
    public ulong ConnectionsQueued { get; set; }
    /// <summary>Master: entries not queued because the queue was full (the periodic refresh sends them later).</summary>
    public ulong ConnectionsNotQueued { get; set; }
    /// <summary>Backup: received entries installed or refreshed in the table (the rest had no such service or real server).</summary>
    public ulong ConnectionsInstalled { get; set; }
    /// <summary>Master: how long the oldest entry of the last batch sent had waited in the queue.</summary>
    public TimeSpan? LastSendWait { get; set; }
    /// <summary>Messages and entries dropped or skipped, by reason (SyncDropReason names).</summary>
    public Dictionary<string, ulong> DropReasons { get; set; } = new();

    public override string ToString() => $"{Role.ToString().ToLowerInvariant()} syncid {SyncId} on {Interface}";
}
