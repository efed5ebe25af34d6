using LvsPS.Management.Util;

namespace LvsPS.Management.Remote;

/// <summary>One real server to prepare or read: how to reach it, and the VIP it must hold where.</summary>
public sealed record RealServerHiddenJob(SshTarget Target, IPAddress VirtualAddress, string VipInterface = "lo", string? NetInterface = null)
{
    public string HostName => Target.HostName;
}

/// <summary>What one host of a fleet run gave back, with the host key its session was verified against.</summary>
public sealed record RealServerHiddenResult(LvsRealServerHiddenState State, string? HostKeyFingerprint);

/// <summary>
/// SSH to many hosts at once: one session per host on <see cref="BoundedParallel"/>'s workers, a session that
/// the run's cancellation breaks, and a failure that is an <see cref="LvsException"/> naming its host. Host-key
/// verification and quoting are the session's and the command builders', unchanged.
/// </summary>
public static class SshFleet
{
    /// <summary>
    /// Opens a session on <paramref name="target"/>, runs <paramref name="act"/> on it and closes it. Cancelling
    /// <paramref name="cancellation"/> aborts the session (the login or command in progress fails) and throws
    /// <see cref="OperationCanceledException"/>. A failure is rethrown naming the host (<see cref="ForHost"/>).
    /// </summary>
    public static T InSession<T>(SshTarget target, CancellationToken cancellation, Func<SshSession, T> act)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(act);
        cancellation.ThrowIfCancellationRequested();
        try
        {
            using var session = new SshSession(target);
            using (cancellation.Register(session.Abort))
            {
                session.Connect();
                return act(session);
            }
        }
        catch (Exception e) when (cancellation.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException($"The run on {target.HostName} was cancelled.", e, cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ForHost(e, target.HostName);
        }
    }

    /// <summary>
    /// The failure of one host as an LvsException whose message names the host and whose target is the host:
    /// an LvsException keeps its ErrorId and kind (its message is prefixed with the host when it does not name
    /// it already); anything else becomes RemoteCommandFailed.
    /// </summary>
    public static LvsException ForHost(Exception e, string host)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is LvsException le)
            return le.Message.Contains(host, StringComparison.OrdinalIgnoreCase) && Equals(le.Target?.ToString(), host)
                ? le
                : new LvsException(le.ErrorId, le.Kind, le.Message.Contains(host, StringComparison.OrdinalIgnoreCase) ? le.Message : $"{host}: {le.Message}", host, le);
        return new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation, $"{host}: {e.Message}", host, e);
    }

    /// <summary>Set-LvsRealServerHidden on one job's host (one session), for a fleet run's worker.</summary>
    public static RealServerHiddenResult SetHiddenOn(RealServerHiddenJob job, CancellationToken cancellation) =>
        InSession(job.Target, cancellation, s =>
            new RealServerHiddenResult(RealServerPreparer.SetHidden(s, job.VirtualAddress, job.VipInterface, job.NetInterface), s.HostKeyFingerprint));

    /// <summary>Get-LvsRealServerHidden on one job's host (one session), for a fleet run's worker.</summary>
    public static RealServerHiddenResult GetHiddenOn(RealServerHiddenJob job, CancellationToken cancellation) =>
        InSession(job.Target, cancellation, s =>
            new RealServerHiddenResult(RealServerPreparer.GetHidden(s, job.VirtualAddress, job.VipInterface, job.NetInterface), s.HostKeyFingerprint));
}
