namespace LvsPS.Ipvs.Model;

/// <summary>Broad error kinds; the cmdlet layer maps each to a PowerShell ErrorCategory.</summary>
public enum LvsErrorKind
{
    InvalidArgument,
    ResourceExists,
    ObjectNotFound,
    ResourceUnavailable,
    ConnectionError,
    SecurityError,
    InvalidOperation,
    ParserError,
    NotImplemented,
    PermissionDenied,
    OperationTimeout,
    /// <summary>A needed part of the system is not installed (a kernel without ip_vs).</summary>
    NotInstalled,
}

/// <summary>
/// An error with a stable identifier (PascalCase, never changes between releases) and a message that names the bad value.
/// Engine, lab and SSH code throw it; cmdlets turn it into an ErrorRecord with ErrorId = <see cref="ErrorId"/>.
/// </summary>
public class LvsException : Exception
{
    public LvsException(string errorId, LvsErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public LvsErrorKind Kind { get; }
    public object? Target { get; }
}

/// <summary>The stable error identifiers used across LvsPS.</summary>
public static class LvsErrorIds
{
    public const string InvalidAddress = "InvalidAddress";
    public const string InvalidPort = "InvalidPort";
    public const string InvalidWeight = "InvalidWeight";
    public const string InvalidScheduler = "InvalidScheduler";
    public const string InvalidSchedulerFlags = "InvalidSchedulerFlags";
    public const string InvalidProtocol = "InvalidProtocol";
    public const string InvalidPersistence = "InvalidPersistence";
    public const string InvalidThreshold = "InvalidThreshold";
    public const string InvalidTimeout = "InvalidTimeout";
    public const string InvalidFirewallMark = "InvalidFirewallMark";
    public const string MarkRuleExists = "MarkRuleExists";
    public const string MarkRuleNotFound = "MarkRuleNotFound";
    public const string SchedulerNotImplemented = "SchedulerNotImplemented";
    public const string ForwardingNotImplemented = "ForwardingNotImplemented";
    public const string ServiceExists = "ServiceExists";
    public const string ServiceNotFound = "ServiceNotFound";
    public const string RealServerExists = "RealServerExists";
    public const string RealServerNotFound = "RealServerNotFound";
    public const string DirectorNotRunning = "DirectorNotRunning";
    public const string DirectorAlreadyRunning = "DirectorAlreadyRunning";
    public const string DirectorAmbiguous = "DirectorAmbiguous";
    public const string DirectorStartFailed = "DirectorStartFailed";
    public const string DirectorProtocolError = "DirectorProtocolError";
    public const string ConfigParseError = "ConfigParseError";
    public const string ConfigFileNotFound = "ConfigFileNotFound";
    public const string ConfigNotExportable = "ConfigNotExportable";
    public const string ConfigFileExists = "ConfigFileExists";
    public const string ConfigFileWriteFailed = "ConfigFileWriteFailed";
    public const string HostNameNotResolved = "HostNameNotResolved";
    public const string ServiceNameNotResolved = "ServiceNameNotResolved";
    public const string LabExists = "LabExists";
    public const string LabNotFound = "LabNotFound";
    public const string LabSubnetInUse = "LabSubnetInUse";
    public const string LabSetupFailed = "LabSetupFailed";
    public const string LabNodeNotFound = "LabNodeNotFound";
    public const string InvalidSubnet = "InvalidSubnet";
    public const string HostKeyUnknown = "HostKeyUnknown";
    public const string HostKeyMismatch = "HostKeyMismatch";
    public const string SshConnectFailed = "SshConnectFailed";
    public const string SshAuthenticationFailed = "SshAuthenticationFailed";
    public const string RemoteCommandFailed = "RemoteCommandFailed";
    public const string InvalidInterfaceName = "InvalidInterfaceName";
    public const string InterfaceNotAvailable = "InterfaceNotAvailable";
    public const string NotRoot = "NotRoot";
    public const string InvalidArgument = "InvalidArgument";
    public const string InvalidDirectorName = "InvalidDirectorName";
    public const string LabCommandFailed = "LabCommandFailed";
    /// <summary>ipvsadm is not installed (or not executable) on a remote kernel director.</summary>
    public const string IpvsadmNotFound = "IpvsadmNotFound";
    /// <summary>A health check's parameters are not valid (type, interval, timeout, path, status code, digest, command).</summary>
    public const string InvalidHealthCheck = "InvalidHealthCheck";
    /// <summary>The real server already has a checker of that type.</summary>
    public const string HealthCheckExists = "HealthCheckExists";
    /// <summary>The real server has no checker of that type.</summary>
    public const string HealthCheckNotFound = "HealthCheckNotFound";
    /// <summary>The director cannot do this (health checks on a kernel director are keepalived's).</summary>
    public const string NotSupportedByDirector = "NotSupportedByDirector";
    /// <summary>keepalived.conf on a kernel director was not written by LvsPS, so LvsPS does not overwrite it.</summary>
    public const string KeepalivedConfigForeign = "KeepalivedConfigForeign";
    /// <summary>keepalived -t refused the keepalived.conf LvsPS wrote for a kernel director (nothing was changed).</summary>
    public const string KeepalivedConfigRejected = "KeepalivedConfigRejected";
    /// <summary>A kernel director has no keepalived, which runs its health checks.</summary>
    public const string KeepalivedNotFound = "KeepalivedNotFound";
    /// <summary>keepalived did not start on a kernel director.</summary>
    public const string KeepalivedStartFailed = "KeepalivedStartFailed";
    /// <summary>The director's state file cannot be used (not JSON, wrong types, an unknown version, a spec lvsd refuses); lvsd does not start.</summary>
    public const string StateFileInvalid = "StateFileInvalid";
    /// <summary>The director's process did not end, not even on SIGKILL.</summary>
    public const string DirectorStopFailed = "DirectorStopFailed";
    /// <summary>Test-LvsCluster -Include/-Exclude names no check or category of the catalogue.</summary>
    public const string UnknownClusterCheck = "UnknownClusterCheck";
    /// <summary>The connection to a director broke in the middle of a request (reset, closed before the answer).</summary>
    public const string DirectorConnectionLost = "DirectorConnectionLost";
    /// <summary>A director's control socket, its folder or the process serving it is not root's alone.</summary>
    public const string DirectorSocketNotTrusted = "DirectorSocketNotTrusted";
    /// <summary>The director has as many control connections open as it takes; try again.</summary>
    public const string DirectorBusy = "DirectorBusy";
    /// <summary>A sync daemon's values cannot be used (role, sync id, group, port, TTL, message length).</summary>
    public const string InvalidSyncDaemon = "InvalidSyncDaemon";
    /// <summary>The director already runs a sync daemon of that role.</summary>
    public const string SyncDaemonExists = "SyncDaemonExists";
    /// <summary>The director runs no sync daemon of that role.</summary>
    public const string SyncDaemonNotFound = "SyncDaemonNotFound";
    /// <summary>A VRRP instance's values cannot be used (name, router id, priority, version, interval, addresses, authentication).</summary>
    public const string InvalidVrrpInstance = "InvalidVrrpInstance";
    /// <summary>The director already has a VRRP instance of that name (or that virtual router id on that interface).</summary>
    public const string VrrpInstanceExists = "VrrpInstanceExists";
    /// <summary>The director has no VRRP instance of that name.</summary>
    public const string VrrpInstanceNotFound = "VrrpInstanceNotFound";
    /// <summary>A traffic trace's filter or bounds cannot be used (prefix length, port, capacity, duration, an IPv6 address).</summary>
    public const string InvalidTrafficTrace = "InvalidTrafficTrace";
    /// <summary>No traffic trace of that id is running on the director (stopped, timed out, or replaced).</summary>
    public const string TrafficTraceNotFound = "TrafficTraceNotFound";
    /// <summary>A kernel director has no tcpdump, which its traffic trace runs (remedy: apt-get install tcpdump).</summary>
    public const string TcpdumpNotFound = "TcpdumpNotFound";
    /// <summary>A report path is a folder, or its parent folder does not exist.</summary>
    public const string ReportPathInvalid = "ReportPathInvalid";
    /// <summary>The report file exists and -NoClobber was given.</summary>
    public const string ReportFileExists = "ReportFileExists";
    /// <summary>The report format cannot be told from the path's extension and was not given.</summary>
    public const string ReportFormatUnknown = "ReportFormatUnknown";
    /// <summary>Pester 5 or later is neither loaded nor found on PSModulePath.</summary>
    public const string PesterNotFound = "PesterNotFound";
    /// <summary>The module's Diagnostics folder has no suite of the type asked for.</summary>
    public const string ValidationSuiteNotFound = "ValidationSuiteNotFound";
    /// <summary>The director cannot change its debug level (a kernel built without CONFIG_IP_VS_DEBUG has no /proc/sys/net/ipv4/vs/debug_level).</summary>
    public const string LogLevelNotSupported = "LogLevelNotSupported";
    /// <summary>A log query or debug level cannot be used (a level outside 0..12, a bad pattern, a count out of range).</summary>
    public const string InvalidLogQuery = "InvalidLogQuery";
    /// <summary>A kernel director's kernel has no IPVS (ip_vs neither built in nor loadable): Connect-LvsDirector and its ipvsadm cannot manage it.</summary>
    public const string IpvsNotAvailable = "IpvsNotAvailable";
}
