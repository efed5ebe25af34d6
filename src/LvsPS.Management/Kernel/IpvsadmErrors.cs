using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

/// <summary>
/// Turns a failed ipvsadm run into an <see cref="LvsException"/> with the ErrorId the LvsPS engine uses for the same
/// refusal. ipvsadm reports kernel refusals with libipvs's ipvs_strerror texts ("Service already exists",
/// "No such service", "Destination already exists", ...) and a non-zero exit status; its own parameter checks exit
/// with 2 ("illegal weight specified", ...); when IPVS cannot be opened it exits 2 with "Can't initialize ipvs: ...".
/// A POSIX shell that cannot find the program exits 127 (126 when it is not executable).
/// </summary>
public static class IpvsadmErrors
{
    private static readonly (string Text, string Id, LvsErrorKind Kind, string Meaning)[] KernelTexts =
    {
        ("Permission denied (you must be root)", LvsErrorIds.NotRoot, LvsErrorKind.PermissionDenied,
            "managing IPVS needs root (CAP_NET_ADMIN) on the director; connect as root"),
        ("Service already exists", LvsErrorIds.ServiceExists, LvsErrorKind.ResourceExists, "the virtual service already exists"),
        ("No such service", LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, "the virtual service does not exist"),
        ("Service not defined", LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, "the virtual service does not exist"),
        ("Destination already exists", LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists, "the real server already exists in the service"),
        ("No such destination", LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound, "the real server does not exist in the service"),
        ("Scheduler or persistence engine not found", LvsErrorIds.SchedulerNotImplemented, LvsErrorKind.NotImplemented,
            "the director's kernel has no module for this scheduler"),
        ("Memory allocation problem", LvsErrorIds.RemoteCommandFailed, LvsErrorKind.ResourceUnavailable, "the director's kernel is out of memory"),
        ("Invalid operation.", LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
            "the kernel refused the values (for example an address that is not unicast)"),
        ("Numerical result out of range", LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument,
            "the kernel refused a value as out of range (thresholds: the lower one above the upper one)"),
        ("Operation not supported with IPv6", LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, "the director's IPVS does not support IPv6 here"),
        ("Operation not supported with specified address family", LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
            "the director's IPVS does not support this address family here"),
        ("Module is wrong version", LvsErrorIds.RemoteCommandFailed, LvsErrorKind.NotImplemented, "ipvsadm and the kernel's IPVS do not match"),
        // The sync daemons (ipvsadm 1.31 on Linux 6.1, seen in the kernel lab): a second start of a role, a stop of a
        // role not running, a --mcast-interface the director lacks.
        ("Daemon has already run", LvsErrorIds.SyncDaemonExists, LvsErrorKind.ResourceExists, "a sync daemon of that role already runs"),
        ("No daemon is running", LvsErrorIds.SyncDaemonNotFound, LvsErrorKind.ObjectNotFound, "no sync daemon of that role runs"),
        ("No such device", LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound, "the director has no such interface"),
    };

    private static readonly (string Text, string Id, LvsErrorKind Kind)[] UsageTexts =
    {
        ("illegal weight specified", LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument),
        ("illegal virtual server address", LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument),
        ("illegal real server address", LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument),
        ("persistent mask specified", LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument),
        ("illegal ipv6 netmask specified", LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument),
        ("invalid timeout value", LvsErrorIds.InvalidTimeout, LvsErrorKind.InvalidArgument),
        ("illegal u_threshold specified", LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument),
        ("illegal l_threshold specified", LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument),
        ("scheduler flag", LvsErrorIds.InvalidSchedulerFlags, LvsErrorKind.InvalidArgument),
        ("Zero port specified", LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument),
        // ipvsadm 1.31 (seen on a real run): "Different address family is allowed only for tunneling servers"
        ("Different address family", LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument),
        // --start-daemon's own checks (ipvsadm 1.31: "illegal syncid specified", "illegal mcast-ttl specified",
        // "invalid IPv4 mcast-group `10.0.0.2'" for a group that is not multicast, ...)
        ("illegal syncid", LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument),
        ("illegal mcast-port", LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument),
        ("illegal mcast-ttl", LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument),
        ("illegal sync-maxlen", LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument),
        ("mcast-group", LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument),
        ("illegal start-daemon", LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument),
        ("illegal stop-daemon", LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument),
    };

    /// <summary>
    /// The exception for a failed run of <paramref name="result"/>.Command on <paramref name="computerName"/>;
    /// <paramref name="subject"/> names what the command was about (a service, a real server) for the message.
    /// </summary>
    public static LvsException FromResult(RemoteResult result, string director, string computerName, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        string said = Said(result);
        string where = $"director '{director}' ({computerName})";
        string about = string.IsNullOrEmpty(subject) ? "" : subject + ": ";
        object? target = subject ?? (object)result.Command;

        if (result.ExitSignal != null)
            return new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                $"ipvsadm on {where} was ended by signal {result.ExitSignal}: {result.Command}", target);
        if (result.ExitStatus == 127)
            return NotFound(computerName, result.Command, said);
        if (result.ExitStatus == 126)
            return new LvsException(LvsErrorIds.IpvsadmNotFound, LvsErrorKind.ResourceUnavailable,
                $"ipvsadm on {computerName} cannot be executed (exit 126{(said.Length > 0 ? ": " + said : "")}). Check the program's permissions on the director.",
                result.Command);

        string err = result.Error ?? "";
        if (err.Contains("Can't initialize ipvs", StringComparison.Ordinal))
        {
            if (err.Contains("Permission denied", StringComparison.Ordinal))
                return new LvsException(LvsErrorIds.NotRoot, LvsErrorKind.PermissionDenied,
                    $"ipvsadm on {where} cannot open IPVS: permission denied. Managing IPVS needs root (CAP_NET_ADMIN); connect as root. ({said})", target);
            return new LvsException(LvsErrorIds.IpvsNotAvailable, LvsErrorKind.NotInstalled,
                $"Kernel IPVS is not available on {where}: the kernel has no ip_vs support or the module cannot be loaded (modprobe ip_vs). ({said})", target);
        }
        foreach (var (text, id, kind, meaning) in KernelTexts)
            if (err.Contains(text, StringComparison.Ordinal))
                return new LvsException(id, kind, $"{about}{Capitalise(meaning)} on {where} (ipvsadm: {said}).", target);
        if (result.ExitStatus == 2)
        {
            foreach (var (text, id, kind) in UsageTexts)
                if (err.Contains(text, StringComparison.Ordinal))
                    return new LvsException(PersistenceTimeout(id, result.Command), kind, $"{about}ipvsadm on {where} refused a value: {said}", target);
            return new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                $"{about}ipvsadm on {where} refused the command line (exit 2: {said}): {result.Command}", target);
        }
        return new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
            $"{about}ipvsadm on {where} failed (exit {result.ExitStatus.ToString(CultureInfo.InvariantCulture)}{(said.Length > 0 ? ": " + said : "")}): {result.Command}",
            target);
    }

    /// <summary>
    /// ipvsadm says "invalid timeout value `N' specified" both for --set and for a persistence timeout (-p): the
    /// latter is the engine's InvalidPersistence.
    /// </summary>
    private static string PersistenceTimeout(string id, string command) =>
        id == LvsErrorIds.InvalidTimeout && !command.Contains("--set", StringComparison.Ordinal)
            && (command.Contains(" -p ", StringComparison.Ordinal) || command.Contains(" '-p' ", StringComparison.Ordinal))
            ? LvsErrorIds.InvalidPersistence : id;

    /// <summary>IpvsadmNotFound naming the host, what the shell said, and how to install ipvsadm.</summary>
    public static LvsException NotFound(string computerName, string tried, string said)
        => new(LvsErrorIds.IpvsadmNotFound, LvsErrorKind.ResourceUnavailable,
            $"ipvsadm not found on {computerName} (tried {tried}{(said.Length > 0 ? "; the shell said: " + said : "")}). " +
            "Install the ipvsadm package on the director (Debian/Ubuntu: apt-get install ipvsadm; RHEL/Fedora: dnf install ipvsadm) and connect again.",
            computerName);

    /// <summary>The error output (else the standard output) on one line.</summary>
    private static string Said(RemoteResult r)
    {
        string s = string.IsNullOrWhiteSpace(r.Error) ? r.Output ?? "" : r.Error;
        return string.Join(" ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
