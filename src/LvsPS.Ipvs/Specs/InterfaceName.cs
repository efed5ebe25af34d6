namespace LvsPS.Ipvs.Specs;

/// <summary>
/// The one check of a Linux interface name as the specs take it (a sync daemon's --mcast-interface, a VRRP
/// instance's interface) and as ip commands and /proc/sys/net/ipv4/conf/NAME paths need it.
/// </summary>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ - 1 (and IPVS's IP_VS_IFNAME_MAXLEN - 1): the longest interface name Linux takes.</summary>
    public const int MaxLength = 15;

    /// <summary>Why <paramref name="name"/> is not an interface name, or null when it is one.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "it is empty";
        if (name.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (name is "." or "..") return "'.' and '..' are not interface names";
        if (name.Contains('/')) return "it contains '/'";
        if (name.Contains(':')) return "it contains ':' (an alias label such as eth0:1 is not an interface and has no sysctl directory)";
        if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return "it contains whitespace or control characters";
        if (name.Any(c => c > '~')) return "it contains non-ASCII characters";
        return null;
    }

    /// <summary>
    /// 1..15 characters, not "." or "..", no '/', no ':', no whitespace, control or non-ASCII characters.
    /// Throws <see cref="LvsException"/> InvalidInterfaceName naming the value (and <paramref name="what"/>, when given).
    /// </summary>
    public static string Validate(string? name, string? what = null)
    {
        string? reason = Problem(name);
        if (reason != null)
            throw new LvsException(LvsErrorIds.InvalidInterfaceName, LvsErrorKind.InvalidArgument,
                $"Invalid {(what is null ? "" : what + " ")}interface name '{name}': {reason}.", name);
        return name!;
    }
}
