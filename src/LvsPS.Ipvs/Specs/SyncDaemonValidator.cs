using System.Net.Sockets;
using LvsPS.Ipvs.Sync;

namespace LvsPS.Ipvs.Specs;

/// <summary>
/// The one check of a <see cref="SyncDaemonSpec"/>, with ipvsadm 1.31's ranges (ipvsadm.c parse_options:
/// --syncid 0..255, --mcast-port 1..65535, --mcast-ttl 1..255, --sync-maxlen 1..65507 = 65535 - 20 - 8) and the
/// kernel's (ip_vs_sync.c: an interface name shorter than IP_VS_IFNAME_MAXLEN, a group that is IPv4 or IPv6).
/// The cmdlets, lvsd and the kernel director's ipvsadm command builder all call it, so a value is refused the same
/// way (InvalidSyncDaemon, or InvalidInterfaceName for the interface, naming the bad value) wherever it is given.
/// </summary>
public static class SyncDaemonValidator
{
    /// <summary>The largest --sync-maxlen ipvsadm takes: 65535 less the IPv4 and UDP headers.</summary>
    public const int MaxSyncMaxLength = 65535 - 20 - 8;

    /// <summary>Throws <see cref="LvsException"/> for the first value of <paramref name="daemon"/> that cannot be used.</summary>
    public static void Validate(SyncDaemonSpec? daemon)
    {
        if (daemon is null)
            throw Invalid("No sync daemon was given.", null);
        Role(daemon.Role);
        InterfaceName.Validate(daemon.Interface, "sync daemon");
        if (daemon.SyncId < 0 || daemon.SyncId > 255)
            throw Invalid($"The sync id {daemon.SyncId} is out of range; use 0..255 (ipvsadm --syncid).", daemon.SyncId);
        Group(daemon.Group);
        if (daemon.Port < 1 || daemon.Port > 65535)
            throw Invalid($"The sync daemon port {daemon.Port} is out of range; use 1..65535 (ipvsadm --mcast-port, default {SyncDaemonSpec.DefaultPort}).", daemon.Port);
        if (daemon.Ttl < 1 || daemon.Ttl > 255)
            throw Invalid($"The sync daemon TTL {daemon.Ttl} is out of range; use 1..255 (ipvsadm --mcast-ttl).", daemon.Ttl);
        if (daemon.MaxLength < 0 || daemon.MaxLength > MaxSyncMaxLength)
            throw Invalid($"The sync message length {daemon.MaxLength} is out of range; use 1..{MaxSyncMaxLength} bytes, or 0 for the interface's MTU (ipvsadm --sync-maxlen).", daemon.MaxLength);
    }

    /// <summary>Master or Backup.</summary>
    public static void Role(SyncDaemonRole role)
    {
        if (!Enum.IsDefined(role))
            throw Invalid($"Unknown sync daemon role value {(int)role}; use Master or Backup.", role);
    }

    /// <summary>
    /// The group (or unicast peer): IPv4 or IPv6 without a scope, not the unspecified address, not 255.255.255.255,
    /// not loopback.
    /// </summary>
    public static void Group(IPAddress? group)
    {
        string? reason = null;
        if (group is null) reason = "no address was given";
        else if (group.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)) reason = "it is neither IPv4 nor IPv6";
        else if (group.Equals(IPAddress.Any) || group.Equals(IPAddress.IPv6Any)) reason = "it is the unspecified address";
        else if (group.Equals(IPAddress.Broadcast)) reason = "it is the broadcast address";
        else if (IPAddress.IsLoopback(group)) reason = "it is a loopback address";
        else if (group.AddressFamily == AddressFamily.InterNetworkV6 && group.ScopeId != 0) reason = "it carries a scope (%zone), which ipvsadm cannot pass";
        if (reason != null)
            throw Invalid($"The sync daemon group '{group}' cannot be used: {reason} (use a multicast group such as {SyncDaemonSpec.DefaultGroup}, or the peer's unicast address).", group);
    }

    private static LvsException Invalid(string message, object? target) =>
        new(LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument, message, target);
}
