using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The tests that run real lvsd processes. They point LVSPS_RUN_DIR and LVSPS_STATE_DIR (process-wide) at folders of
/// their own, so this collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LvsdProcessCollection
{
    public const string Name = "lvsd processes";
}

/// <summary>
/// A sandbox for real lvsd processes: temporary run/ and state/ folders (LVSPS_RUN_DIR, LVSPS_STATE_DIR, restored on
/// Dispose) and director names of its own. Dispose kills every lvsd that still runs under one of those names (found in
/// /proc by its command line, so only processes this sandbox started) and deletes the folders.
/// </summary>
internal sealed class LvsdSandbox : IDisposable
{
    private readonly string? _oldRun = Environment.GetEnvironmentVariable("LVSPS_RUN_DIR");
    private readonly string? _oldState = Environment.GetEnvironmentVariable("LVSPS_STATE_DIR");
    private readonly List<string> _names = new();

    public LvsdSandbox()
    {
        Folder = Directory.CreateTempSubdirectory("lvsps-lvsd-").FullName;
        RunDir = Path.Combine(Folder, "run");
        StateDir = Path.Combine(Folder, "state");
        Environment.SetEnvironmentVariable("LVSPS_RUN_DIR", RunDir);
        Environment.SetEnvironmentVariable("LVSPS_STATE_DIR", StateDir);
        DirectorPaths.EnsureDirectories();
    }

    public string Folder { get; }
    public string RunDir { get; }
    public string StateDir { get; }

    /// <summary>lvsd.dll as built beside the tests (out/lvsd).</summary>
    public static string EnginePath => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "lvsd", "lvsd.dll"));

    /// <summary>A fresh director name owned by this sandbox.</summary>
    public string NewName(string prefix)
    {
        var name = prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        _names.Add(name);
        return name;
    }

    /// <summary>The pids of the lvsd processes running with <c>--name NAME</c> (dotnet lvsd.dll run --name NAME ...).</summary>
    public static IReadOnlyList<int> LvsdPids(string name)
    {
        var needle = "lvsd.dll\0run\0--name\0" + name + "\0";
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmd.Contains(needle, StringComparison.Ordinal) && !IsZombie(pid)) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    public static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] == 'Z';
        }
        catch (IOException) { return false; }
    }

    /// <summary>The process state letter of /proc/PID/stat (R, S, T for stopped, Z...), or null when it is gone.</summary>
    public static char? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// The state letter once it is <paramref name="want"/>, or the last one seen after <paramref name="timeout"/>: a
    /// signal is delivered when the kernel next schedules the process, and every thread of lvsd must stop before its
    /// main thread shows T.
    /// </summary>
    public static char? WaitForState(int pid, char want, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        char? s;
        while ((s = State(pid)) != want && DateTime.UtcNow < until) Thread.Sleep(20);
        return s;
    }

    public static void Signal(int pid, string signal) => Run("kill", "-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Runs a program; returns (exit code, stdout + stderr).</summary>
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(); throw new TimeoutException(file + " " + string.Join(' ', args)); }
        return (p.ExitCode, output + err.Result);
    }

    public static void Check(string file, params string[] args)
    {
        var (code, output) = Run(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output}");
    }

    public string LogTail(string name)
    {
        try { return string.Join('\n', File.ReadAllLines(DirectorPaths.Log(name)).TakeLast(30)); }
        catch (IOException) { return "(no log)"; }
    }

    public void Dispose()
    {
        foreach (var name in _names)
            foreach (var pid in LvsdPids(name))
            {
                try { Signal(pid, "CONT"); Signal(pid, "KILL"); } catch (Exception) { }
            }
        Environment.SetEnvironmentVariable("LVSPS_RUN_DIR", _oldRun);
        Environment.SetEnvironmentVariable("LVSPS_STATE_DIR", _oldState);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// A network namespace of the test's own (lvset-&lt;random&gt;) with a veth pair inside it, both ends up: an Ethernet
/// interface an lvsd can serve without anything it sends leaving the namespace. Deleted on Dispose.
/// </summary>
internal sealed class LvsdNamespace : IDisposable
{
    public const string Interface = "lvset0";

    public LvsdNamespace()
    {
        Name = "lvset-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        LvsdSandbox.Check("ip", "netns", "add", Name);
        try
        {
            LvsdSandbox.Check("ip", "-n", Name, "link", "set", "lo", "up");
            LvsdSandbox.Check("ip", "-n", Name, "link", "add", Interface, "type", "veth", "peer", "name", "lvset1");
            LvsdSandbox.Check("ip", "-n", Name, "addr", "add", "10.252.0.1/24", "dev", Interface);
            LvsdSandbox.Check("ip", "-n", Name, "link", "set", Interface, "up");
            LvsdSandbox.Check("ip", "-n", Name, "link", "set", "lvset1", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public void Dispose() => LvsdSandbox.Run("ip", "netns", "del", Name);
}

/// <summary>Builds director states for the tests.</summary>
internal static class States
{
    public static ServiceSpec Service(ushort port, LvsScheduler scheduler = LvsScheduler.Wlc, string vip = "10.252.0.101") => new()
    {
        Address = IPAddress.Parse(vip),
        Port = port,
        Scheduler = scheduler,
        RealServers = { new RealServerSpec { Address = IPAddress.Parse("10.252.0.3"), Weight = 2 } },
    };

    /// <summary>A valid state file: one service with one real server, the timeouts and one mark rule.</summary>
    public static string Good() => DirectorJson.Serialize(new DirectorState
    {
        Services = { Service(80) },
        Timeouts = new TimeoutSpec { Tcp = 900, TcpFin = 120, Udp = 300 },
        MarkRules = { new MarkRuleSpec { Mark = 7, Address = IPAddress.Parse("10.252.0.0"), PrefixLength = 24 } },
    });

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);
}
