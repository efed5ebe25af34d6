using LvsPS.Ipvs.Director;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

/// <summary>One check's outcome (Test-LvsCluster emits one per check and target).</summary>
public sealed class LvsCheckResult
{
    public string Check { get; set; } = "";
    public string Category { get; set; } = "";
    public string Target { get; set; } = "";
    public LvsCheckResultKind Result { get; set; }
    public string Message { get; set; } = "";
    /// <summary>What to do about a warning or failure.</summary>
    public string? Remedy { get; set; }
    public DateTime Time { get; set; } = DateTime.UtcNow;
    /// <summary>How long the check took for this target (set by the run for every result).</summary>
    public TimeSpan Duration { get; set; }
    /// <summary>
    /// For the traffic checks: requests per real server against the share the scheduler and weights promise
    /// (the HTML report draws it); null for the other checks.
    /// </summary>
    public LvsShareSample[]? Distribution { get; set; }

    public override string ToString() => $"{Result} {Check} {Target}: {Message}";
}

/// <summary>One real server's part of a traffic probe through a service.</summary>
public sealed class LvsShareSample
{
    /// <summary>The real server as ipvsadm names it: 10.0.0.11:80.</summary>
    public string RealServer { get; set; } = "";
    public int Weight { get; set; }
    /// <summary>The share (0..1) of the probe's requests the scheduler and weights promise this server.</summary>
    public double ExpectedShare { get; set; }
    /// <summary>Requests (or connections) the probe saw reach it.</summary>
    public long Observed { get; set; }
    /// <summary>Observed ÷ all the probe's requests (0..1).</summary>
    public double ObservedShare { get; set; }
}

/// <summary>A check in the catalogue (Test-LvsCluster -List).</summary>
public sealed class LvsCheckInfo
{
    public string Check { get; init; } = "";
    public string Category { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Needs a lab (it sends probes from the lab's client).</summary>
    public bool LabOnly { get; init; }
    /// <summary>Logs in to the real servers over SSH.</summary>
    public bool UsesSsh { get; init; }
    /// <summary>Sends traffic through the virtual service.</summary>
    public bool SendsTraffic { get; init; }
}

/// <summary>What to check and how to reach it.</summary>
public sealed class ClusterCheckOptions
{
    public string Director { get; set; } = "";
    public LvsLab? Lab { get; set; }
    /// <summary>SSH target for a real server address, or null to skip the SSH checks for it.</summary>
    public Func<IPAddress, SshTarget?>? SshTargetFor { get; set; }
    /// <summary>
    /// The host traffic probes are sent from (Test-LvsCluster -ClientComputerName, or a lab's client); null: from
    /// the director where the check can, else the check is NotApplicable.
    /// </summary>
    public ICheckHost? ClientHost { get; set; }
    /// <summary>The director's own shell (null: derived from the lab, the kernel director's session, or this machine).</summary>
    public ICheckHost? DirectorHost { get; set; }
    /// <summary>Path of lvsd.dll (for the ARP probe from the lab's client).</summary>
    public string EnginePath { get; set; } = "";
    public string[]? Include { get; set; }
    public string[]? Exclude { get; set; }
    /// <summary>Where DR real servers hold the VIP (lo, or dummy0 as in the walkthrough).</summary>
    public string VipInterface { get; set; } = "lo";
    /// <summary>Where tunnel real servers hold it (tunl0 on a kernel with ipip; lvstun0 in a tunnel lab).</summary>
    public string TunnelInterface { get; set; } = "tunl0";
    /// <summary>The other directors of a failover pair (a two-director lab's second, or Test-LvsCluster -Director a,b).</summary>
    public IReadOnlyList<IDirector> Peers { get; set; } = Array.Empty<IDirector>();
    /// <summary>SyncDaemonRunning: the most a master's lag (or a backup's delay behind it) may be.</summary>
    public TimeSpan MaxSyncLag { get; set; } = TimeSpan.FromSeconds(3);
    /// <summary>ServiceDistribution: requests per real server (Test-LvsCluster -RequestCount; the probe is capped at 200).</summary>
    public int RequestsPerRealServer { get; set; } = 20;
    /// <summary>ServicePersistence: connections sent from the one client (4..12).</summary>
    public int PersistenceProbes { get; set; } = 6;
    /// <summary>ServicePersistence: the pause between them (it must stay within the persistence timeout).</summary>
    public TimeSpan PersistencePause { get; set; } = TimeSpan.FromSeconds(0.5);
    /// <summary>
    /// ServicePersistence: the persistence (seconds) every TCP service must have (Test-LvsCluster
    /// -ExpectedPersistence); 0: none expected, a service without persistence is NotApplicable.
    /// </summary>
    public uint ExpectedPersistence { get; set; }
    /// <summary>Told what the run does: which director, which host each command runs on, which probe, how many requests.</summary>
    public Action<string>? Verbose { get; set; }
    /// <summary>How many hosts the SSH checks log in to at once (Test-LvsCluster -ThrottleLimit; 1: one after another).</summary>
    public int ThrottleLimit { get; set; } = Util.BoundedParallel.DefaultThrottleLimit;
    /// <summary>Ends the run (Ctrl+C): hosts not yet logged in to are skipped, sessions in progress aborted.</summary>
    public CancellationToken Cancellation { get; set; }
}
