namespace LvsPS.Ipvs.Director;

/// <summary>Where a named director keeps its socket, state and log. Root-only folders.</summary>
public static class DirectorPaths
{
    /// <summary>Overridable for tests with LVSPS_RUN_DIR / LVSPS_STATE_DIR.</summary>
    public static string RunDirectory => Environment.GetEnvironmentVariable("LVSPS_RUN_DIR") ?? "/run/lvsps";
    public static string StateDirectory => Environment.GetEnvironmentVariable("LVSPS_STATE_DIR") ?? "/var/lib/lvsps/directors";

    public static string Socket(string name) => Path.Combine(RunDirectory, ValidName(name) + ".sock");
    public static string Pid(string name) => Path.Combine(RunDirectory, ValidName(name) + ".pid");
    public static string State(string name) => Path.Combine(StateDirectory, ValidName(name) + ".json");
    public static string Log(string name) => Path.Combine(StateDirectory, ValidName(name) + ".log");
    /// <summary>The lock file lvsd holds (flock) for its whole life: one lvsd per name. Never deleted.</summary>
    public static string Lock(string name) => Path.Combine(RunDirectory, ValidName(name) + ".lock");
    /// <summary>lvsd's connection-table snapshot (every second and at a clean stop; read back at start).</summary>
    public static string Connections(string name) => Path.Combine(StateDirectory, ValidName(name) + ".conns");

    /// <summary>The longest director name.</summary>
    public const int MaxNameLength = 32;

    /// <summary>A director name: a letter, then letters, digits, '-' or '_', at most <see cref="MaxNameLength"/> (so never a path).</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !char.IsAsciiLetter(name[0])) return false;
        foreach (char c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return false;
        return true;
    }

    /// <summary>The name itself, or InvalidDirectorName naming it: every path of a director goes through here.</summary>
    public static string ValidName(string? name) => IsValidName(name) ? name! :
        throw new LvsException(LvsErrorIds.InvalidDirectorName, LvsErrorKind.InvalidArgument,
            $"The director name '{name}' is not valid: use a letter, then letters, digits, '-' or '_' (at most {MaxNameLength}).", name);

    /// <summary>Names of directors that have a socket (running or stale).</summary>
    public static IReadOnlyList<string> SocketNames()
    {
        if (!Directory.Exists(RunDirectory)) return Array.Empty<string>();
        return Directory.GetFiles(RunDirectory, "*.sock").Select(f => Path.GetFileNameWithoutExtension(f)!).Where(IsValidName).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>Names of directors with a saved state.</summary>
    public static IReadOnlyList<string> StateNames()
    {
        if (!Directory.Exists(StateDirectory)) return Array.Empty<string>();
        return Directory.GetFiles(StateDirectory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Where(IsValidName).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    public static void EnsureDirectories()
    {
        foreach (var d in new[] { RunDirectory, StateDirectory })
        {
            Directory.CreateDirectory(d);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
