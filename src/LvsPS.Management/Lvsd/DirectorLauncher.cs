using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Lvsd;

/// <summary>How <see cref="DirectorLauncher.Stop"/> ended the director.</summary>
public enum DirectorStopMethod
{
    /// <summary>It shut down when asked over its socket.</summary>
    ShutDown,
    /// <summary>It did not answer or not stop in time, and ended on SIGTERM.</summary>
    Terminated,
    /// <summary>It ended only on SIGKILL (hung, or stopped).</summary>
    Killed,
}

/// <summary>Starts and stops lvsd processes, detached from the caller (new session, stdio to the log file).</summary>
public static class DirectorLauncher
{
    /// <summary>The dotnet host that runs lvsd.dll.</summary>
    public static string FindDotnet() =>
        TryFindDotnet() ?? throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.ResourceUnavailable, "The dotnet host was not found (set DOTNET_ROOT).");

    /// <summary>The dotnet host that runs lvsd.dll, or null when there is none (<see cref="RuntimeRequirements"/>).</summary>
    public static string? TryFindDotnet()
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
        return null;
    }

    /// <summary>The exact command line Start-LvsDirector runs (shown by -WhatIf).</summary>
    public static IReadOnlyList<string> BuildCommand(string name, string iface, string? netns, string enginePath, int tableBits, string? insideInterface = null,
        DirectorLogOptions? log = null, LvsKernelCopy kernelCopy = LvsKernelCopy.Drop)
    {
        var args = new List<string>();
        args.Add("setsid");
        if (!string.IsNullOrEmpty(netns)) { args.AddRange(new[] { "ip", "netns", "exec", netns }); }
        args.AddRange(new[] { FindDotnet(), enginePath, "run", "--name", name, "--interface", iface, "--table-bits", tableBits.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (!string.IsNullOrEmpty(netns)) args.AddRange(new[] { "--namespace", netns });
        if (!string.IsNullOrEmpty(insideInterface)) args.AddRange(new[] { "--inside-interface", insideInterface });
        if (log is not null) args.AddRange(log.Arguments());
        if (kernelCopy == LvsKernelCopy.Keep) args.AddRange(new[] { "--kernel-copy", "keep" });
        return args;
    }

    /// <summary>The one rule for director names (<see cref="DirectorPaths.ValidName"/>).</summary>
    public static void ValidateName(string name) => DirectorPaths.ValidName(name);

    /// <summary>The command line of <see cref="BuildCommand"/> as the shell runs it, each word shell-quoted (shown by -WhatIf).</summary>
    public static string CommandLine(string name, string iface, string? netns, string enginePath, int tableBits, string? insideInterface = null,
        DirectorLogOptions? log = null, LvsKernelCopy kernelCopy = LvsKernelCopy.Drop) =>
        string.Join(' ', BuildCommand(name, iface, netns, enginePath, tableBits, insideInterface, log, kernelCopy).Select(ShellQuote.Quote));

    /// <summary>
    /// Starts the director and waits until it answers on its socket. Refuses (DirectorAlreadyRunning, naming the pid)
    /// while an lvsd of that name holds its lock, answering or not. lvsd runs as this process's child until it
    /// answers, so when it exits first the start fails at once with lvsd's own error (its ErrorId, message and exit
    /// code, e.g. StateFileInvalid), not after the timeout.
    /// </summary>
    public static DirectorStatus Start(string name, string iface, string? netns, string enginePath, int tableBits = 12, TimeSpan? timeout = null, string? insideInterface = null,
        DirectorLogOptions? logOptions = null, LvsKernelCopy kernelCopy = LvsKernelCopy.Drop)
    {
        logOptions?.Validate();
        ValidateName(name);
        ShellQuote.ValidateInterfaceName(iface);
        if (insideInterface is not null) ShellQuote.ValidateInterfaceName(insideInterface);
        if (!File.Exists(enginePath))
            throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.ObjectNotFound, $"The engine '{enginePath}' was not found; build the solution first.", enginePath);
        if (!string.IsNullOrEmpty(netns) && !File.Exists(Path.Combine("/var/run/netns", netns)))
            throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound, $"The network namespace '{netns}' does not exist.", netns);
        if (LockHolder(name) is int holder)
            throw AlreadyRunning(name, holder);
        if (DirectorClient.IsRunning(name))
            throw new LvsException(LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists, $"The director '{name}' is already running.", name);

        DirectorPaths.EnsureDirectories();
        var log = logOptions?.LogPath is { Length: > 0 } lp ? Path.GetFullPath(lp) : DirectorPaths.Log(name);
        long logStart = File.Exists(log) ? new FileInfo(log).Length : 0;
        // Detached: a session of its own (setsid), stdin from /dev/null, stdout and stderr to the log, so no pipe of
        // the caller stays open in the daemon. exec all the way down: the child's pid is lvsd's.
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec {CommandLine(name, iface, netns, enginePath, tableBits, insideInterface, logOptions, kernelCopy)} </dev/null >>{ShellQuote.Quote(log)} 2>&1");
        using var lvsd = System.Diagnostics.Process.Start(psi)
            ?? throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.InvalidOperation, "Starting the director failed: /bin/sh did not start.", name);

        var client = DirectorClient.Connect(name, TimeSpan.FromSeconds(2));
        var started = DateTime.UtcNow;
        var deadline = started + (timeout ?? TimeSpan.FromSeconds(30));
        bool detached = false;
        while (DateTime.UtcNow < deadline)
        {
            if (!detached && lvsd.WaitForExit(200))
            {
                // Exit code 0 with the lock held: setsid had to fork, and lvsd runs on. Anything else: lvsd gave up.
                if (lvsd.ExitCode != 0 || LockHolder(name) is null)
                    throw Exited(name, lvsd.ExitCode, DateTime.UtcNow - started, log, logStart);
                detached = true;
            }
            else if (detached) Thread.Sleep(200);
            try
            {
                return client.GetStatus();
            }
            catch (LvsException) { /* not up yet */ }
        }
        throw new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.OperationTimeout,
            $"The director '{name}' (lvsd pid {lvsd.Id}) did not come up on {DirectorPaths.Socket(name)}. Log {log}:\n{Tail(log, 20)}", name);
    }

    private static LvsException AlreadyRunning(string name, int pid)
    {
        bool answers = DirectorClient.IsRunning(name);
        var who = pid > 0 ? $"lvsd pid {pid}" : "an lvsd";
        return new LvsException(LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists,
            answers
                ? $"The director '{name}' is already running ({who} holds {DirectorPaths.Lock(name)})."
                : $"The director '{name}' is already running: {who} holds {DirectorPaths.Lock(name)} but does not answer on {DirectorPaths.Socket(name)}. " +
                  "It may be hung or stopped; Stop-LvsDirector stops it (with SIGTERM, then SIGKILL).", name);
    }

    /// <summary>lvsd ended before it answered: its own error line (<c>lvsd: ErrorId (Kind): message</c>) if it wrote one.</summary>
    private static LvsException Exited(string name, int exitCode, TimeSpan after, string log, long logStart)
    {
        var written = ReadFrom(log, logStart);
        var how = $"lvsd exited with code {exitCode} {after.TotalSeconds:0.0} s after it was started; log {log}";
        var own = written.Split('\n').Select(l => LvsdError.Match(l.TrimEnd('\r'))).LastOrDefault(m => m.Success);
        if (own is not null && Enum.TryParse<LvsErrorKind>(own.Groups[2].Value, out var kind))
            return new LvsException(own.Groups[1].Value, kind, $"{own.Groups[3].Value} ({how})", name);
        var tail = string.Join('\n', written.Split('\n').TakeLast(20));
        return new LvsException(LvsErrorIds.DirectorStartFailed, LvsErrorKind.InvalidOperation,
            $"The director '{name}' did not start: {how}:\n{tail}", name);
    }

    private static readonly System.Text.RegularExpressions.Regex LvsdError = new(@"(?:^|\sL0 error host: )lvsd: ([A-Za-z]+) \(([A-Za-z]+)\): (.*)$");

    /// <summary>What was appended to the log since <paramref name="offset"/>.</summary>
    private static string ReadFrom(string path, long offset)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (offset > f.Length) offset = 0;
            f.Seek(offset, SeekOrigin.Begin);
            return new StreamReader(f).ReadToEnd();
        }
        catch (IOException) { return ""; }
    }

    /// <summary>
    /// Stops the director: asks over its socket, waits up to <paramref name="timeout"/> (15 s) for its lock to be
    /// free; then SIGTERM, and SIGKILL when that is not enough either (a hung or stopped lvsd). Only the process that
    /// holds the director's lock is signalled, and the socket and pid file are removed only once no lvsd holds it, so
    /// a live director's socket is never deleted. Returns how it stopped.
    /// </summary>
    public static DirectorStopMethod Stop(string name, TimeSpan? timeout = null)
    {
        var grace = timeout ?? TimeSpan.FromSeconds(15);
        var signalGrace = grace < TimeSpan.FromSeconds(5) ? grace : TimeSpan.FromSeconds(5);
        int? holder = LockHolder(name);
        bool asked = false;
        try
        {
            DirectorClient.Connect(name, grace < TimeSpan.FromSeconds(3) ? grace : TimeSpan.FromSeconds(3)).Shutdown();
            asked = true;
        }
        catch (LvsException) when (holder is not null) { /* hung, or its socket is gone: signals */ }
        if (holder is null)
        {
            // An lvsd without the lock (an older build) was asked: wait for its socket to go.
            WaitUntil(() => !File.Exists(DirectorPaths.Socket(name)), grace);
            return DirectorStopMethod.ShutDown;
        }
        int pid = holder > 0 ? holder.Value : ReadPid(name) ?? 0;
        // Gone: the lock free (lvsd lets it go last, after its socket and pid file) and the process ended.
        bool Gone() => LockHolder(name) is null && (pid <= 0 || !LabNative.IsAlive(pid));
        if (asked && WaitUntil(Gone, grace)) return Stopped(name, DirectorStopMethod.ShutDown);
        var how = DirectorStopMethod.ShutDown;
        foreach (var (signal, method) in new[] { (LabNative.SIGTERM, DirectorStopMethod.Terminated), (LabNative.SIGKILL, DirectorStopMethod.Killed) })
        {
            if (Gone()) return Stopped(name, how);
            if (pid > 0 && LockHolder(name) == pid && LabNative.Kill(pid, signal)) how = method;
            if (WaitUntil(Gone, signalGrace)) return Stopped(name, how);
        }
        throw new LvsException(LvsErrorIds.DirectorStopFailed, LvsErrorKind.InvalidOperation,
            $"The director '{name}' (lvsd pid {pid}) did not stop, not even on SIGKILL; it still holds {DirectorPaths.Lock(name)}.", name);
    }

    /// <summary>No lvsd holds the name any more: its socket and pid file, if left, are stale.</summary>
    private static DirectorStopMethod Stopped(string name, DirectorStopMethod method)
    {
        if (LockHolder(name) is null)
            foreach (var f in new[] { DirectorPaths.Socket(name), DirectorPaths.Pid(name) })
                try { File.Delete(f); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return method;
    }

    private static bool WaitUntil(Func<bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(100);
        }
        return true;
    }

    /// <summary>
    /// The pid of the lvsd that holds director <paramref name="name"/>'s lock (0 when it has not written it yet), or
    /// null when none does. Probes with a non-blocking shared flock on the lock file, released at once.
    /// </summary>
    public static int? LockHolder(string name)
    {
        int fd = LockProbe.open(DirectorPaths.Lock(name), LockProbe.O_RDONLY | LockProbe.O_CLOEXEC);
        if (fd < 0) return null;
        try
        {
            if (LockProbe.flock(fd, LockProbe.LOCK_SH | LockProbe.LOCK_NB) == 0) return null;
            var buffer = new byte[32];
            nint n = LockProbe.pread(fd, buffer, buffer.Length, 0);
            return n > 0 && int.TryParse(System.Text.Encoding.ASCII.GetString(buffer, 0, (int)n).Trim(), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        finally { LockProbe.close(fd); }
    }

    /// <summary>The libc calls of the lock probe.</summary>
    private static class LockProbe
    {
        public const int O_RDONLY = 0, O_CLOEXEC = 0x80000, LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4;

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        public static extern int open(string path, int flags);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        public static extern int flock(int fd, int operation);

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        public static extern nint pread(int fd, byte[] buffer, nint count, long offset);

        [System.Runtime.InteropServices.DllImport("libc")]
        public static extern int close(int fd);
    }

    public static int? ReadPid(string name)
    {
        try { return int.Parse(File.ReadAllText(DirectorPaths.Pid(name)).Trim(), System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception) { return null; }
    }

    /// <summary>Forgets a director entirely: its state file, log and pid file (it must be stopped).</summary>
    public static void Forget(string name)
    {
        foreach (var f in new[] { DirectorPaths.State(name), DirectorPaths.State(name) + ".bak", DirectorPaths.Log(name), DirectorPaths.Pid(name), DirectorPaths.Socket(name), DirectorPaths.Connections(name) })
            try { if (File.Exists(f)) File.Delete(f); } catch (Exception) { }
        RemoveFreeLock(name);
    }

    /// <summary>
    /// Deletes the director's lock file while holding it, when no lvsd does: an lvsd that opened the same file in the
    /// meantime finds it unlinked once it gets the lock and takes a new one (InstanceLock), so no two lvsd can lock
    /// two files of one name. A live holder keeps its file.
    /// </summary>
    private static void RemoveFreeLock(string name)
    {
        var path = DirectorPaths.Lock(name);
        int fd = LockProbe.open(path, LockProbe.O_RDONLY | LockProbe.O_CLOEXEC);
        if (fd < 0) return;
        try
        {
            if (LockProbe.flock(fd, LockProbe.LOCK_EX | LockProbe.LOCK_NB) == 0)
                try { File.Delete(path); } catch (Exception) { }
        }
        finally { LockProbe.close(fd); }
    }

    public static string Tail(string path, int lines)
    {
        try { return string.Join('\n', File.ReadAllLines(path).TakeLast(lines)); }
        catch (Exception) { return "(no log)"; }
    }
}

/// <summary>lvsd's log options (Start-LvsDirector -DebugLevel, -LogPath, -Syslog, -SyslogFacility).</summary>
public sealed class DirectorLogOptions
{
    public int? DebugLevel { get; set; }
    /// <summary>The log file (default /var/lib/lvsps/directors/&lt;name&gt;.log); lvsd's stdout and stderr go there too.</summary>
    public string? LogPath { get; set; }
    /// <summary>A unix datagram socket path (/dev/log) or udp://address:port.</summary>
    public string? Syslog { get; set; }
    public LvsSyslogFacility? SyslogFacility { get; set; }

    /// <summary>Refuses a level outside 0..12, a relative log path, a syslog target that is neither form.</summary>
    public void Validate()
    {
        if (DebugLevel is { } l) DirectorLogFormat.ValidateLevel(l);
        if (LogPath is { Length: > 0 } p && !Path.IsPathRooted(p))
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"The log path '{p}' must be absolute (lvsd runs in its own session).", p);
        if (Syslog is { Length: > 0 } s && !s.StartsWith('/') && !s.StartsWith("udp://", StringComparison.OrdinalIgnoreCase))
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"The syslog target '{s}' is neither a unix socket path (/dev/log) nor udp://address:port.", s);
    }

    /// <summary>lvsd's arguments for these options.</summary>
    public IEnumerable<string> Arguments()
    {
        if (DebugLevel is { } l) { yield return "--debug-level"; yield return l.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        if (LogPath is { Length: > 0 } p) { yield return "--log-path"; yield return Path.GetFullPath(p); }
        if (Syslog is { Length: > 0 } s) { yield return "--syslog"; yield return s; }
        if (SyslogFacility is { } f) { yield return "--syslog-facility"; yield return f.ToString().ToLowerInvariant(); }
    }
}
