namespace LvsPS.Management.Remote;

/// <summary>POSIX shell quoting and the validators for values that end up in remote commands.</summary>
public static class ShellQuote
{
    /// <summary>Linux IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

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
    public static string ValidateInterfaceName(string? name)
    {
        string? reason = null;
        if (string.IsNullOrEmpty(name)) reason = "it is empty";
        else if (name.Length > MaxInterfaceNameLength) reason = $"it is longer than {MaxInterfaceNameLength} characters";
        else if (name is "." or "..") reason = "'.' and '..' are not interface names";
        else if (name.Contains('/')) reason = "it contains '/'";
        else if (name.Contains(':')) reason = "it contains ':' (an alias label such as eth0:1 is not an interface and has no sysctl directory)";
        else if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) reason = "it contains whitespace or control characters";
        else if (name.Any(c => c > '~')) reason = "it contains non-ASCII characters";
        if (reason != null)
            throw new LvsException(LvsErrorIds.InvalidInterfaceName, LvsErrorKind.InvalidArgument,
                $"Invalid interface name '{name}': {reason}.", name);
        return name!;
    }
}
