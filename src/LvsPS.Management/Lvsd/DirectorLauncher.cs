using LvsPS.Management.Remote;
using LvsPS.Management.Util;

using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;

namespace LvsPS.Management.Lvsd;

/// <summary>Starts and stops lvsd processes, detached from the caller (new session, stdio to the log file).</summary>
public static class DirectorLauncher
{
    /// <summary>The dotnet host that runs lvsd.dll.</summary>
    public static string FindDotnet()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, "dotnet");
            if (File.Exists(p)) return p;
        }
        foreach (var p in new[] { "/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet", "/usr/bin/dotnet" })
            if (File.Exists(p)) return p;
        throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.ResourceUnavailable, "The dotnet host was not found (set DOTNET_ROOT).");
    }

    /// <summary>The exact command line Start-LvsDirector runs (shown by -WhatIf).</summary>
    public static IReadOnlyList<string> BuildCommand(string name, string iface, string? netns, string enginePath, int tableBits, string? insideInterface = null)
    {
        var args = new List<string>();
        args.Add("setsid");
        if (!string.IsNullOrEmpty(netns)) { args.AddRange(new[] { "ip", "netns", "exec", netns }); }
        args.AddRange(new[] { FindDotnet(), enginePath, "run", "--name", name, "--interface", iface, "--table-bits", tableBits.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (!string.IsNullOrEmpty(netns)) args.AddRange(new[] { "--namespace", netns });
        if (!string.IsNullOrEmpty(insideInterface)) args.AddRange(new[] { "--inside-interface", insideInterface });
        return args;
    }

    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 32 || !System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z][A-Za-z0-9_-]*$"))
            throw new LvsException(LvsErrorIds.InvalidDirectorName, LvsErrorKind.InvalidArgument,
                $"The director name '{name}' is not valid: use a letter, then letters, digits, '-' or '_' (at most 32).", name);
    }

    /// <summary>Starts the director and waits until it answers on its socket.</summary>
    public static DirectorStatus Start(string name, string iface, string? netns, string enginePath, int tableBits = 12, TimeSpan? timeout = null, string? insideInterface = null)
    {
        ValidateName(name);
        ShellQuote.ValidateInterfaceName(iface);
        if (insideInterface is not null) ShellQuote.ValidateInterfaceName(insideInterface);
        if (!File.Exists(enginePath))
            throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.ObjectNotFound, $"The engine '{enginePath}' was not found; build the solution first.", enginePath);
        if (!string.IsNullOrEmpty(netns) && !File.Exists(Path.Combine("/var/run/netns", netns)))
            throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound, $"The network namespace '{netns}' does not exist.", netns);
        var client = DirectorClient.Connect(name, TimeSpan.FromSeconds(2));
        if (DirectorClient.IsRunning(name))
            throw new LvsException(LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists, $"The director '{name}' is already running.", name);

        DirectorPaths.EnsureDirectories();
        var log = DirectorPaths.Log(name);
        var cmd = string.Join(' ', BuildCommand(name, iface, netns, enginePath, tableBits, insideInterface).Select(ShellQuote.Quote));
        // Detached: no pipe of the caller stays open in the daemon.
        var script = $"{cmd} </dev/null >>{ShellQuote.Quote(log)} 2>&1 &";
        var r = ProcessRunner.Run("/bin/sh", new[] { "-c", script }, TimeSpan.FromSeconds(10));
        if (r.ExitCode != 0)
            throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.InvalidOperation, $"Starting the director failed: {r.Error}");

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
            try
            {
                return client.GetStatus();
            }
            catch (LvsException) { /* not up yet */ }
        }
        throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.OperationTimeout,
            $"The director '{name}' did not come up on {DirectorPaths.Socket(name)}. Log {log}:\n{Tail(log, 20)}", name);
    }

    /// <summary>Asks the director to stop and waits for its socket to go away.</summary>
    public static void Stop(string name, TimeSpan? timeout = null)
    {
        int? pid = ReadPid(name);
        DirectorClient.Connect(name, TimeSpan.FromSeconds(5)).Shutdown();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (!File.Exists(DirectorPaths.Socket(name)) && (pid is null || !ProcessAlive(pid.Value))) return;
            Thread.Sleep(100);
        }
        if (pid is not null && ProcessAlive(pid.Value))
        {
            try { System.Diagnostics.Process.GetProcessById(pid.Value).Kill(); } catch (Exception) { }
        }
        try { File.Delete(DirectorPaths.Socket(name)); } catch (Exception) { }
    }

    public static int? ReadPid(string name)
    {
        try { return int.Parse(File.ReadAllText(DirectorPaths.Pid(name)).Trim(), System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception) { return null; }
    }

    private static bool ProcessAlive(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>Forgets a director entirely: its state file, log and pid file (it must be stopped).</summary>
    public static void Forget(string name)
    {
        foreach (var f in new[] { DirectorPaths.State(name), DirectorPaths.Log(name), DirectorPaths.Pid(name), DirectorPaths.Socket(name), DirectorPaths.Connections(name) })
            try { if (File.Exists(f)) File.Delete(f); } catch (Exception) { }
    }

    public static string Tail(string path, int lines)
    {
        try { return string.Join('\n', File.ReadAllLines(path).TakeLast(lines)); }
        catch (Exception) { return "(no log)"; }
    }
}
