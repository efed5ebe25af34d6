namespace LvsPS.Management.Lab;

/// <summary>Finds the external programs the lab drives, also when PATH lacks the sbin folders.</summary>
internal static class LabTools
{
    private static readonly string[] ExtraDirectories = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

    /// <summary>Program name → Debian package that provides it (for the error message).</summary>
    public static readonly IReadOnlyDictionary<string, string> Required = new Dictionary<string, string>
    {
        ["ip"] = "iproute2",
        ["ss"] = "iproute2",
        ["ethtool"] = "ethtool",
        ["nginx"] = "nginx-light",
        ["sshd"] = "openssh-server",
        ["ssh-keygen"] = "openssh-client",
        ["socat"] = "socat",
        ["curl"] = "curl",
        ["setsid"] = "util-linux",
        ["unshare"] = "util-linux",
        ["mount"] = "mount",
        ["mkdir"] = "coreutils",
        ["bash"] = "bash",
    };

    /// <summary>Absolute path of <paramref name="program"/>, or null when it is not installed.</summary>
    public static string? Find(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories))
        {
            if (!dir.StartsWith('/')) continue;
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Absolute path of <paramref name="program"/>, or the bare name (left to PATH) when it was not found.</summary>
    public static string Resolve(string program) => Find(program) ?? program;

    /// <summary>"name (package)" for each required program that is missing.</summary>
    public static IReadOnlyList<string> Missing() =>
        Required.Where(kv => Find(kv.Key) == null).Select(kv => $"{kv.Key} (package {kv.Value})").ToList();
}
