namespace LvsPS.Ipvs.Director;

/// <summary>Where a named director keeps its socket, state and log. Root-only folders.</summary>
public static class DirectorPaths
{
    /// <summary>Overridable for tests with LVSPS_RUN_DIR / LVSPS_STATE_DIR.</summary>
    public static string RunDirectory => Environment.GetEnvironmentVariable("LVSPS_RUN_DIR") ?? "/run/lvsps";
    public static string StateDirectory => Environment.GetEnvironmentVariable("LVSPS_STATE_DIR") ?? "/var/lib/lvsps/directors";

    public static string Socket(string name) => Path.Combine(RunDirectory, name + ".sock");
    public static string Pid(string name) => Path.Combine(RunDirectory, name + ".pid");
    public static string State(string name) => Path.Combine(StateDirectory, name + ".json");
    public static string Log(string name) => Path.Combine(StateDirectory, name + ".log");
    /// <summary>lvsd's connection-table snapshot (every second and at a clean stop; read back at start).</summary>
    public static string Connections(string name) => Path.Combine(StateDirectory, name + ".conns");

    /// <summary>Names of directors that have a socket (running or stale).</summary>
    public static IReadOnlyList<string> SocketNames()
    {
        if (!Directory.Exists(RunDirectory)) return Array.Empty<string>();
        return Directory.GetFiles(RunDirectory, "*.sock").Select(f => Path.GetFileNameWithoutExtension(f)!).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>Names of directors with a saved state.</summary>
    public static IReadOnlyList<string> StateNames()
    {
        if (!Directory.Exists(StateDirectory)) return Array.Empty<string>();
        return Directory.GetFiles(StateDirectory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).OrderBy(n => n, StringComparer.Ordinal).ToList();
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
