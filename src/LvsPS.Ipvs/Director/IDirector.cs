namespace LvsPS.Ipvs.Director;

/// <summary>
/// The one typed interface of a director: what the cmdlets and the checks ask of it, whichever director it is.
/// lvsd's engine implements it (and serves it on its control socket through one dispatcher); the management
/// library implements it twice: the lvsd client (each call carried over the socket, generated from this
/// interface) and the kernel director (each call translated to ipvsadm over SSH).
/// </summary>
/// <remarks>
/// Every method (properties aside) is one operation on the wire, named by the method's name, its arguments by their parameter
/// names (<see cref="DirectorOperations"/>); names are unique (no overloads). A refusal is an
/// <see cref="LvsException"/> with a stable ErrorId on every implementation. Operations marked
/// <see cref="ChangesConfigurationAttribute"/> are saved to lvsd's state file before they are answered.
/// To add an operation: a method here, the engine's implementation, the kernel director's ipvsadm translation.
/// </remarks>
public interface IDirector
{
    /// <summary>The director's name (what -Director selects). Known locally: not an operation.</summary>
    string Name { get; }

    /// <summary>The director's identity and counters (ipvsadm: --version and the listing header).</summary>
    DirectorStatus GetStatus();

    /// <summary>Every virtual service with its real servers, statistics and rates (ipvsadm -L -n and friends).</summary>
    List<LvsService> ListServices();

    /// <summary>The connection table (ipvsadm -L -n -c).</summary>
    List<LvsConnection> ListConnections();

    /// <summary>
    /// One page of the connection table, filtered by the director (ipvsadm -L -n -c, a page at a time): the entries
    /// that match <paramref name="query"/> from its cursor on, and where the next page starts. Stream a whole listing
    /// with <see cref="ConnectionListing.EnumerateConnections"/>.
    /// </summary>
    ConnectionPage ListConnectionPage(ConnectionQuery query);

    /// <summary>Adds a virtual service and, all or nothing, the real servers it names (ipvsadm -A, -a).</summary>
    [ChangesConfiguration]
    void AddService(ServiceSpec service);

    /// <summary>Changes a service's scheduler, flags and persistence (ipvsadm -E).</summary>
    [ChangesConfiguration]
    void EditService(ServiceSpec service);

    /// <summary>Deletes a virtual service and its real servers (ipvsadm -D).</summary>
    [ChangesConfiguration]
    void DeleteService(ServiceSpec service);

    /// <summary>Adds a real server to a service (ipvsadm -a).</summary>
    [ChangesConfiguration]
    void AddRealServer(ServiceSpec service, RealServerSpec realServer);

    /// <summary>Changes a real server's forwarding, weight and thresholds (ipvsadm -e).</summary>
    [ChangesConfiguration]
    void EditRealServer(ServiceSpec service, RealServerSpec realServer);

    /// <summary>Deletes a real server from a service (ipvsadm -d).</summary>
    [ChangesConfiguration]
    void DeleteRealServer(ServiceSpec service, RealServerSpec realServer);

    /// <summary>Zeroes the counters of one service, or of all when <paramref name="service"/> is null (ipvsadm -Z).</summary>
    void Zero(ServiceSpec? service);

    /// <summary>The TCP, TCP FIN and UDP timeouts (ipvsadm -L --timeout).</summary>
    TimeoutSpec GetTimeouts();

    /// <summary>Sets the timeouts; 0 leaves one as it is (ipvsadm --set).</summary>
    [ChangesConfiguration]
    void SetTimeouts(TimeoutSpec timeouts);

    /// <summary>The firewall-mark rules (lvsd's stand-in for netfilter MARK rules; none on a kernel director).</summary>
    List<MarkRuleSpec> ListMarkRules();

    /// <summary>Adds a firewall-mark rule.</summary>
    [ChangesConfiguration]
    void AddMarkRule(MarkRuleSpec rule);

    /// <summary>Deletes a firewall-mark rule.</summary>
    [ChangesConfiguration]
    void DeleteMarkRule(MarkRuleSpec rule);

    /// <summary>Deletes every service (ipvsadm -C).</summary>
    [ChangesConfiguration]
    void Clear();

    /// <summary>Adds a health checker to a real server (it must have none of that type).</summary>
    [ChangesConfiguration]
    void AddHealthCheck(ServiceSpec service, RealServerSpec realServer, HealthCheckSpec check);

    /// <summary>Replaces the real server's checker of the same type.</summary>
    [ChangesConfiguration]
    void SetHealthCheck(ServiceSpec service, RealServerSpec realServer, HealthCheckSpec check);

    /// <summary>Removes the real server's checker of that type (then, with none left, it is up).</summary>
    [ChangesConfiguration]
    void RemoveHealthCheck(ServiceSpec service, RealServerSpec realServer, LvsHealthCheckType type);

    /// <summary>Sets a service's health settings: delay_loop, alpha, quorum and hysteresis, sorry server…</summary>
    [ChangesConfiguration]
    void SetServiceHealth(ServiceSpec service, ServiceHealthSpec health);

    /// <summary>Every real server's state, last check, last change with its reason, and history.</summary>
    List<LvsRealServerHealth> GetHealth();

    /// <summary>Takes a real server out of scheduling (weight 0) keeping its configured weight; connections go on.</summary>
    [ChangesConfiguration]
    void SuspendRealServer(ServiceSpec service, RealServerSpec realServer);

    /// <summary>Gives a suspended real server its configured weight back.</summary>
    [ChangesConfiguration]
    void ResumeRealServer(ServiceSpec service, RealServerSpec realServer);

    /// <summary>The defence against table exhaustion: settings, the level now, counters (sysctl net.ipv4.vs.*).</summary>
    LvsPS.Ipvs.Connections.DefenseSpec GetDefense();

    /// <summary>Changes the defence settings; a null leaves one as it is (sysctl -w net.ipv4.vs.drop_entry=… on a kernel).</summary>
    void SetDefense(LvsPS.Ipvs.Connections.DefenseSpec defense);

    /// <summary>The VRRP instances this director runs, with state, master heard and counters (keepalived's vrrp_instance).</summary>
    List<VrrpInstanceStatus> ListVrrpInstances();

    /// <summary>Adds a VRRP instance (its name and virtual_router_id on that interface must be new).</summary>
    [ChangesConfiguration]
    void AddVrrpInstance(VrrpInstanceSpec instance);

    /// <summary>Replaces the VRRP instance of the same name (priority, preemption, interval, VIPs, peers…).</summary>
    [ChangesConfiguration]
    void EditVrrpInstance(VrrpInstanceSpec instance);

    /// <summary>Removes the VRRP instance of that name (a master gives up its VIPs first, advertising priority 0).</summary>
    [ChangesConfiguration]
    void DeleteVrrpInstance(string name);

    /// <summary>The running connection sync daemons (ipvsadm -L --daemon).</summary>
    List<SyncDaemonStatus> ListSyncDaemons();

    /// <summary>Starts a sync daemon (ipvsadm --start-daemon); one per role.</summary>
    [ChangesConfiguration]
    void StartSyncDaemon(SyncDaemonSpec daemon);

    /// <summary>Stops the sync daemon of that role (ipvsadm --stop-daemon).</summary>
    [ChangesConfiguration]
    void StopSyncDaemon(SyncDaemonRole role);

    /// <summary>
    /// Starts a traffic trace: every frame the director handles that matches <paramref name="spec"/> is recorded in a
    /// bounded ring (the oldest overwritten and counted as lost). One trace runs at a time; a new one replaces it. It
    /// stops by itself after its maximum duration, or when not read for <see cref="TrafficTraceSpec.IdleTimeoutSec"/>.
    /// </summary>
    TrafficTraceStatus StartTrafficTrace(TrafficTraceSpec spec);

    /// <summary>At most <paramref name="maxRecords"/> records of the trace from <paramref name="cursor"/> on.</summary>
    TrafficTracePage ReadTrafficTrace(long traceId, long cursor, int maxRecords);

    /// <summary>Stops the trace (nothing happens when it has already stopped).</summary>
    void StopTrafficTrace(long traceId);

    /// <summary>
    /// The director's log records that match <paramref name="query"/>, oldest first: lvsd's in-memory ring; a kernel
    /// director's IPVS kernel messages (journalctl -k or dmesg) and keepalived's log.
    /// </summary>
    List<LvsLogRecord> GetLog(LogQuery query);

    /// <summary>
    /// Sets the debug level (0..12; the kernel's net.ipv4.vs.debug_level): lvsd keeps it with its state; a kernel
    /// without CONFIG_IP_VS_DEBUG refuses (LogLevelNotSupported).
    /// </summary>
    [ChangesConfiguration]
    DirectorLogSettings SetLogLevel(int level);

    /// <summary>Stops the director process (lvsd); a kernel director refuses (it has no process).</summary>
    void Shutdown();
}

/// <summary>Marks an <see cref="IDirector"/> operation that changes the configuration (saved, logged).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChangesConfigurationAttribute : Attribute
{
}
