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
}
