namespace LvsPS.Management.Remote;

/// <summary>POSIX shell quoting and the validators for values that end up in remote commands.</summary>
public static class ShellQuote
{
    /// <summary>Linux IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxInterfaceNameLength = Ipvs.Specs.InterfaceName.MaxLength;

    /// <summary>
    /// Quotes <paramref name="value"/> for a POSIX shell: the whole value in single quotes, each embedded
    /// single quote written as '"'"'. Everything else ($, `, \, newlines, globs) is literal inside single quotes.
    /// </summary>
    /// <exception cref="ArgumentException">The value contains a NUL character, which no shell argument can hold.</exception>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
            throw new ArgumentException("A shell argument cannot contain a NUL character.", nameof(value));
        return "'" + value.Replace("'", "'\"'\"'") + "'";
    }

    /// <summary>Quotes each value and joins them with single spaces.</summary>
    public static string Join(params string[] values) => string.Join(' ', values.Select(Quote));

    /// <summary>
    /// Checks a Linux interface name for use in ip commands and /proc/sys/net/ipv4/conf/NAME paths:
    /// 1..15 characters, not "." or "..", no '/', no ':' (alias labels have no sysctl directory), no whitespace
    /// or control characters. Throws <see cref="LvsException"/> InvalidInterfaceName naming the value.
    /// </summary>
    public static string ValidateInterfaceName(string? name) => Ipvs.Specs.InterfaceName.Validate(name);
}
