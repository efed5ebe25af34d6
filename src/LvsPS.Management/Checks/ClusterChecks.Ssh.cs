using LvsPS.Management.Kernel;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

// The SSH hosts the run logs in to present the host keys known_hosts lists for them. Never accepts a key.
public static partial class ClusterChecks
{
    public const string SshHostKeysKnown = "SshHostKeysKnown";

    /// <summary>The Ssh category.</summary>
    private static IEnumerable<LvsCheckInfo> SshCatalogue => new[]
    {
        new LvsCheckInfo { Check = SshHostKeysKnown, Category = "Ssh", UsesSsh = true,
            Description = "Every SSH host the run uses (the real servers, -ClientComputerName, a kernel director) presents a host key that its known_hosts lists: "
                + "an unknown key fails with the fingerprint the host presented, a changed or revoked key fails naming the host; no key is ever accepted." },
    };

    private static IEnumerable<LvsCheckResult> SshChecks(CheckContext c)
    {
        if (!c.Want(SshHostKeysKnown)) yield break;
        var targets = SshHosts(c).ToList();
        if (targets.Count == 0)
        {
            yield return R(SshHostKeysKnown, c.DirectorName, LvsCheckResultKind.NotApplicable, "The run logs in to no host over SSH.",
                "Give -KeyFile and -KnownHostsFile to check the real servers (and -ClientComputerName for a client).");
            yield break;
        }
        int done = 0;
        foreach (var o in Util.BoundedParallel.Run(targets, c.Options.ThrottleLimit, (t, ct) => CheckHostKey(t.Name, t.Target, ct), c.Options.Cancellation,
                     o => c.Progress?.Report(($"SSH host keys: {++done} of {targets.Count} ({o.Item.Name})", 97))))
        {
            if (!o.Succeeded) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(o.Error!);
            yield return o.Result!;
        }
    }

    /// <summary>The SSH hosts of the run, each once: the real servers, the client, a kernel director.</summary>
    private static IEnumerable<(string Name, SshTarget Target)> SshHosts(CheckContext c)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in c.RealServers)
            if (c.Options.SshTargetFor?.Invoke(r.RealAddress) is { } t && seen.Add($"{t.HostName}:{t.Port}"))
                yield return (c.LabNodeAt(r.RealAddress) is { } n ? $"{n.Name} ({r.RealAddress})" : r.RealAddress.ToString(), t);
        if (c.ClientHost is SshCheckHost client && seen.Add($"{client.Target.HostName}:{client.Target.Port}"))
            yield return (client.Name, client.Target);
        if (c.Client is KernelDirector { Target: { } k } kd && seen.Add($"{k.HostName}:{k.Port}"))
            yield return ($"{kd.Name} ({kd.ComputerName})", k);
    }

    /// <summary>Connects (key exchange and login) with new keys refused, and reads the verdict of the known_hosts lookup.</summary>
    private static LvsCheckResult CheckHostKey(string name, SshTarget target, CancellationToken cancellation = default)
    {
        var strict = new SshTarget(target.HostName)
        {
            Port = target.Port, UserName = target.UserName, KeyFile = target.KeyFile, KeyPassphrase = target.KeyPassphrase, Password = target.Password,
            KnownHostsFile = target.KnownHostsFile, NetworkNamespace = target.NetworkNamespace, Timeout = target.Timeout, AcceptNewHostKey = false,
        };
        var known = new KnownHostsFile(string.IsNullOrWhiteSpace(strict.KnownHostsFile) ? KnownHostsFile.DefaultPath : strict.KnownHostsFile).Path;
        using var session = new SshSession(strict);
        using var abort = cancellation.Register(session.Abort);
        LvsException? error = null;
        try { session.Connect(); }
        catch (LvsException e) { error = e; }
        cancellation.ThrowIfCancellationRequested();
        string key = $"{session.HostKeyType} {session.HostKeyFingerprint}";
        string hostKeyName = KnownHostsFile.HostKeyName(strict.HostName, strict.Port);
        string inNs = strict.NetworkNamespace is { Length: > 0 } ns ? $"ip netns exec {ns} " : "";
        string keyscan = $"{inNs}ssh-keyscan -t {session.HostKeyType} {(strict.Port == 22 ? "" : $"-p {strict.Port} ")}{ShellQuote.Quote(strict.HostName)} >> {ShellQuote.Quote(known)}";
        return session.HostKeyStatus switch
        {
            HostKeyStatus.Trusted => R(SshHostKeysKnown, name, LvsCheckResultKind.Passed,
                $"{name} presented {key}, listed for {hostKeyName} in {known}" + (error is null ? "." : $" (the login then failed: {error.ErrorId})."),
                error is null ? null : "Check the SSH user and key (RealServerHidden names the failure)."),
            HostKeyStatus.Unknown => R(SshHostKeysKnown, name, LvsCheckResultKind.Failed,
                $"{name} presented {key}, which {known} does not list for {hostKeyName}: its identity is unverified, so the run does not log in to it.",
                $"Verify {session.HostKeyFingerprint} out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_{KeyFileStem(session.HostKeyType)}_key.pub), then add it: {keyscan} "
                + $"(check the added key's fingerprint: ssh-keygen -lF {ShellQuote.Quote(hostKeyName)} -f {ShellQuote.Quote(known)}), "
                + $"or Set-LvsRealServerHidden -ComputerName {strict.HostName} -KnownHostsFile {known} -AcceptNewHostKey."),
            HostKeyStatus.Mismatch => R(SshHostKeysKnown, name, LvsCheckResultKind.Failed,
                $"The host key of {name} has CHANGED: it presented {key}, but {known} lists {session.HostKeyType} "
                + $"{string.Join(", ", new KnownHostsFile(known).KnownFingerprints(strict.HostName, strict.Port, session.HostKeyType!))} for {hostKeyName}. The connection is refused (someone may be intercepting it).",
                $"Find out why the key changed (reinstalled host? an address taken by another host?); only when the new key is verified out of band: "
                + $"ssh-keygen -R {ShellQuote.Quote(hostKeyName)} -f {ShellQuote.Quote(known)}; {keyscan}"),
            HostKeyStatus.Revoked => R(SshHostKeysKnown, name, LvsCheckResultKind.Failed,
                $"{name} presented {key}, which {known} marks @revoked: the connection is refused.", $"Give {name} a new host key and add it to {known}."),
            _ => R(SshHostKeysKnown, name, LvsCheckResultKind.Failed,
                $"{name} presented no host key: {error?.ErrorId}: {error?.Message}", "Check that sshd runs on the host and that the network reaches it."),
        };
    }

    /// <summary>The host key file stem for a key type: ssh-ed25519 → ed25519, ecdsa-sha2-nistp256 → ecdsa, ssh-rsa → rsa.</summary>
    private static string KeyFileStem(string? keyType) => keyType switch
    {
        "ssh-ed25519" => "ed25519",
        "ssh-rsa" => "rsa",
        { } t when t.StartsWith("ecdsa", StringComparison.Ordinal) => "ecdsa",
        _ => "*",
    };
}
