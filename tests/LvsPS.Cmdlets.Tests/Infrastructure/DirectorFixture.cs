using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LvsPS.Cmdlets.Tests.Infrastructure;

/// <summary>
/// A real lvsd director for the tests that need one, started on first use with Start-LvsDirector: in a network
/// namespace of its own (lvsct-&lt;random&gt;) on one end of a veth pair whose other end is in the same namespace, so
/// nothing it sends leaves that namespace. Its socket and state live in a temporary folder (LVSPS_RUN_DIR,
/// LVSPS_STATE_DIR). Dispose stops it (Stop-LvsDirector; the pid it wrote is killed if it lingers) and deletes the
/// namespace and the folder. Needs root.
/// </summary>
public sealed class DirectorFixture : IDisposable
{
    public const string RunDirVariable = "LVSPS_RUN_DIR";
    public const string StateDirVariable = "LVSPS_STATE_DIR";
    /// <summary>LabManager.StateRootVariable: the folder of saved labs.</summary>
    public const string LabDirVariable = "LVSPS_LAB_DIR";
    public const string Interface = "lvsct0";
    public const string Peer = "lvsct1";
    /// <summary>The director's interface address (a private block, only inside the namespace).</summary>
    public const string InterfaceAddress = "10.253.0.1";

    private readonly object _sync = new();
    private bool _started;
    private Exception? _startFailure;
    private bool _namespaceCreated;

    public DirectorFixture()
    {
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        Name = "ct" + id;
        Namespace = "lvsct-" + id;
        Folder = Directory.CreateTempSubdirectory("lvsps-cmdlets-director-").FullName;
        RunDir = Path.Combine(Folder, "run");
        StateDir = Path.Combine(Folder, "state");
    }

    public string Name { get; }
    public string Namespace { get; }
    public string Folder { get; }
    public string RunDir { get; }
    public string StateDir { get; }

    [DllImport("libc")]
    private static extern uint geteuid();

    public static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    /// <summary>Starts the director if it is not running yet; the caller's environment then points at its folders.</summary>
    public void EnsureStarted()
    {
        lock (_sync)
        {
            if (_startFailure is not null) throw new InvalidOperationException("The test director could not be started.", _startFailure);
            UseFolders();
            if (_started) return;
            try
            {
                Start();
                _started = true;
            }
            catch (Exception e)
            {
                _startFailure = e;
                throw;
            }
        }
    }

    private void UseFolders()
    {
        Environment.SetEnvironmentVariable(RunDirVariable, RunDir);
        Environment.SetEnvironmentVariable(StateDirVariable, StateDir);
    }

    private void Start()
    {
        if (!IsRoot) throw new InvalidOperationException("A real director needs root.");
        Ip("netns", "add", Namespace);
        _namespaceCreated = true;
        Ip("-n", Namespace, "link", "set", "lo", "up");
        Ip("-n", Namespace, "link", "add", Interface, "type", "veth", "peer", "name", Peer);
        Ip("-n", Namespace, "addr", "add", InterfaceAddress + "/24", "dev", Interface);
        Ip("-n", Namespace, "link", "set", Interface, "up");
        Ip("-n", Namespace, "link", "set", Peer, "up");
        using var session = new LvsSession();
        var r = session.Run("Start-LvsDirector -Name $n -Interface $i -NetworkNamespace $ns -TimeoutSec 60",
            new Dictionary<string, object?> { ["n"] = Name, ["i"] = Interface, ["ns"] = Namespace });
        if (r.AllErrors.Count > 0)
            throw new InvalidOperationException("Start-LvsDirector failed: " + string.Join(" | ", r.AllErrors.Select(PsResult.Describe))
                                                + "\n" + Tail(Path.Combine(StateDir, Name + ".log")));
    }

    private static string Tail(string path)
    {
        try { return string.Join('\n', File.ReadAllLines(path).TakeLast(20)); }
        catch (IOException) { return "(no log)"; }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            var pidFile = Path.Combine(RunDir, Name + ".pid");
            // Also after a failed start: a director that came up too late has written its pid file.
            if (_started || File.Exists(pidFile))
            {
                UseFolders();
                int? pid = File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var p) ? p : null;
                try
                {
                    using var session = new LvsSession();
                    session.Run("Stop-LvsDirector -Name $n -Confirm:$false", new Dictionary<string, object?> { ["n"] = Name });
                }
                catch (Exception) { /* killed below */ }
                // Only the process this fixture started (its pid file), and only if it outlived Stop-LvsDirector.
                if (pid is not null && Directory.Exists($"/proc/{pid}") && IsOurDirector(pid.Value))
                {
                    try { Process.GetProcessById(pid.Value).Kill(); } catch (Exception) { }
                }
            }
            if (_namespaceCreated)
            {
                try { Ip("netns", "del", Namespace); } catch (Exception) { }
            }
            try { Directory.Delete(Folder, recursive: true); } catch (Exception) { }
        }
    }

    private bool IsOurDirector(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Contains("--name " + Name + " ", StringComparison.Ordinal); }
        catch (IOException) { return false; }
    }

    /// <summary>Runs ip(8) with these arguments; throws with its stderr when it fails.</summary>
    public static void Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException("ip " + string.Join(' ', args)); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result}");
    }

    /// <summary>The network namespaces of the machine.</summary>
    public static IReadOnlyList<string> Namespaces()
    {
        var dir = "/var/run/netns";
        return Directory.Exists(dir) ? Directory.GetFiles(dir).Select(Path.GetFileName).ToList()! : Array.Empty<string>();
    }
}

/// <summary>A fact that needs root (a network namespace, a real lvsd); skipped otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!DirectorFixture.IsRoot) Skip = "needs root: it starts a real lvsd in a network namespace";
    }
}

/// <summary>A theory that needs root; skipped otherwise.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!DirectorFixture.IsRoot) Skip = "needs root: it starts a real lvsd in a network namespace";
    }
}
