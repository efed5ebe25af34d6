using LvsPS.Management.Kernel;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;
using LvsPS.Management.Util;

namespace LvsPS.Management.Checks;

/// <summary>What a command run on a check host gave back.</summary>
public sealed record CheckHostResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// A host a check runs commands on: the director, a real server, or the client that sends probes through the VIP.
/// The checks build shell commands with <see cref="ShellQuote"/> and read their output; how the command gets
/// there (a lab namespace, an SSH session, the local shell) is this interface's business.
/// </summary>
public interface ICheckHost
{
    /// <summary>How results name the host: "rs1 (10.0.0.11)" in a lab, else its address or host name.</summary>
    string Name { get; }

    /// <summary>
    /// Runs <paramref name="command"/> with /bin/sh; exit 124 when it ran longer than <paramref name="timeout"/>.
    /// Throws <see cref="LvsException"/> when the host cannot be reached at all (SSH refused, host key changed).
    /// </summary>
    CheckHostResult Run(string command, TimeSpan timeout);
}

/// <summary>A node of a lab, reached through its namespace (or its guest's SSH for a kernel director).</summary>
public sealed class LabCheckHost : ICheckHost, IVerboseSource
{
    private readonly LabManager _labs;
    private readonly LvsLab _lab;
    private readonly LvsLabNode _node;

    public LabCheckHost(LabManager labs, LvsLab lab, LvsLabNode node)
    {
        _labs = labs;
        _lab = lab;
        _node = node;
    }

    public LvsLabNode Node => _node;
    public string Name => $"{_node.Name} ({_node.Address})";

    public Action<string>? Verbose { get; set; }

    public CheckHostResult Run(string command, TimeSpan timeout)
    {
        if (Verbose is not null)
            DirectorVerbose.Say(Verbose, $"Running '{DirectorVerbose.Shorten(command)}' on lab node {Name} ({(_node.Host == LvsLabNodeHost.VirtualMachine ? "kernel guest, over SSH" : "namespace " + _node.Namespace)})");
        var (code, output, error) = _labs.Exec(_lab, _node.Name, command, timeout);
        return new CheckHostResult(code, output, error);
    }
}

/// <summary>
/// A host reached over SSH (host key verified against known_hosts): opened on first use, kept for the run,
/// closed by <see cref="Dispose"/>. A per-call timeout is enforced on the far side with coreutils' timeout.
/// </summary>
public sealed class SshCheckHost : ICheckHost, IDisposable, IVerboseSource
{
    private readonly SshTarget _target;
    private SshSession? _session;
    private CancellationTokenRegistration _abort;

    public SshCheckHost(SshTarget target, string? name = null)
    {
        _target = target;
        Name = name ?? target.HostName;
    }

    /// <summary>Aborts the session (the login or command in progress fails) when cancelled: a fleet run's Ctrl+C.</summary>
    public CancellationToken Cancellation { get; init; }

    public string Name { get; }
    public SshTarget Target => _target;

    public Action<string>? Verbose { get; set; }

    public CheckHostResult Run(string command, TimeSpan timeout)
    {
        if (Verbose is not null)
            DirectorVerbose.Say(Verbose, $"Running '{DirectorVerbose.Shorten(command)}' on {_target.UserName}@{_target.HostName}:{_target.Port} over SSH ({Name})");
        if (_session is null || !_session.IsConnected)
        {
            Close();
            Cancellation.ThrowIfCancellationRequested();
            var session = new SshSession(_target);
            _session = session;
            _abort = Cancellation.Register(session.Abort);
            try { session.Connect(); }
            catch
            {
                Close();
                throw;
            }
        }
        var r = _session.Run(RemoteCommand.Bounded(command, timeout));
        return new CheckHostResult(r.ExitStatus, r.Output, r.Error);
    }

    public void Dispose() => Close();

    private void Close()
    {
        _abort.Dispose();
        _abort = default;
        _session?.Dispose();
        _session = null;
    }
}

/// <summary>This machine: an lvsd director started here (its control socket is local).</summary>
public sealed class LocalCheckHost : ICheckHost, IVerboseSource
{
    public string Name { get; init; } = Environment.MachineName;
    /// <summary>The network namespace lvsd runs in (its status names it), or null for this machine's own.</summary>
    public string? NetworkNamespace { get; init; }

    public Action<string>? Verbose { get; set; }

    public CheckHostResult Run(string command, TimeSpan timeout)
    {
        if (Verbose is not null)
            DirectorVerbose.Say(Verbose, $"Running '{DirectorVerbose.Shorten(command)}' on this machine{(NetworkNamespace is { Length: > 0 } n ? " in namespace " + n : "")}");
        var r = NetworkNamespace is { Length: > 0 } ns
            ? ProcessRunner.Run(LabTools.Resolve("ip"), new[] { "netns", "exec", ns, "/bin/sh", "-c", command }, timeout)
            : ProcessRunner.Run("/bin/sh", new[] { "-c", command }, timeout);
        return new CheckHostResult(r.TimedOut ? ProcessRunner.TimeoutExitCode : r.ExitCode, r.Output, r.Error);
    }
}

/// <summary>A kernel director, through the SSH session its <see cref="KernelDirector"/> already holds.</summary>
public sealed class KernelDirectorCheckHost : ICheckHost
{
    private readonly KernelDirector _director;

    public KernelDirectorCheckHost(KernelDirector director) => _director = director;

    public string Name => $"{_director.Name} ({_director.ComputerName})";

    public CheckHostResult Run(string command, TimeSpan timeout)
    {
        var r = _director.RunShell(RemoteCommand.Bounded(command, timeout));
        return new CheckHostResult(r.ExitStatus, r.Output, r.Error);
    }
}

/// <summary>A check's command for a remote shell, bounded on the far side with coreutils' timeout.</summary>
internal static class RemoteCommand
{
    public static string Bounded(string command, TimeSpan timeout) =>
        $"timeout {Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds))} /bin/sh -c {ShellQuote.Quote(command)}";
}
