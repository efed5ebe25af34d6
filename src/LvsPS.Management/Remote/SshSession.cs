using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace LvsPS.Management.Remote;

/// <summary>The outcome of one remote command.</summary>
public sealed class RemoteResult
{
    public string Command { get; init; } = "";
    /// <summary>The exit status; -1 when the command ended without one (killed by a signal).</summary>
    public int ExitStatus { get; init; }
    public string? ExitSignal { get; init; }
    public string Output { get; init; } = "";
    public string Error { get; init; } = "";
    public bool Succeeded => ExitStatus == 0;
}

/// <summary>
/// One SSH connection to a real server (SSH.NET underneath), with OpenSSH known_hosts verification:
/// a listed key is trusted, an unknown key is refused unless <see cref="SshTarget.AcceptNewHostKey"/> (then it is
/// added), a changed or revoked key is always refused.
/// </summary>
public sealed class SshSession : IDisposable
{
    private readonly KnownHostsFile _knownHosts;
    private SshClient? _client;
    private LoopbackRelay? _relay;
    private LvsException? _hostKeyError;
    /// <summary>The password's UTF-8 copy handed to SSH.NET for the current login; zeroed when the login is over.</summary>
    private byte[]? _password;
    private bool _disposed;
    private volatile bool _aborted;

    public SshSession(SshTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
        _knownHosts = new KnownHostsFile(string.IsNullOrWhiteSpace(target.KnownHostsFile) ? KnownHostsFile.DefaultPath : target.KnownHostsFile);
    }

    /// <summary>Creates a session and connects it.</summary>
    public static SshSession Open(SshTarget target)
    {
        var session = new SshSession(target);
        try
        {
            session.Connect();
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public SshTarget Target { get; }
    public string ComputerName => Target.HostName;
    public bool IsConnected => _client?.IsConnected == true;
    /// <summary>The type of the key the server presented (from the key blob, e.g. ssh-ed25519).</summary>
    public string? HostKeyType { get; private set; }
    /// <summary>SHA256:... of the key the server presented.</summary>
    public string? HostKeyFingerprint { get; private set; }
    /// <summary>The verdict of the known_hosts lookup.</summary>
    public HostKeyStatus? HostKeyStatus { get; private set; }
    /// <summary>True when the key was unknown and has been added because of AcceptNewHostKey.</summary>
    public bool HostKeyAdded { get; private set; }

    private string Endpoint => $"{Target.HostName}:{Target.Port}";

    public void Connect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsConnected) return;
        Validate();

        var methods = BuildAuthenticationMethods();
        string connectHost = Target.HostName;
        int connectPort = Target.Port;
        if (!string.IsNullOrEmpty(Target.NetworkNamespace))
        {
            var socket = NetnsConnector.Connect(Target.NetworkNamespace, Target.HostName, Target.Port, Target.Timeout);
            _relay?.Dispose();
            _relay = new LoopbackRelay(socket, Target.Timeout);
            connectHost = "127.0.0.1";
            connectPort = _relay.Port;
        }

        var info = new ConnectionInfo(connectHost, connectPort, Target.UserName, methods)
        {
            Timeout = Target.Timeout,
        };
        RestrictHostKeyAlgorithms(info);

        _client?.Dispose();
        _hostKeyError = null;
        _client = new SshClient(info);
        _client.HostKeyReceived += OnHostKeyReceived;
        try
        {
            ThrowIfAborted();
            _client.Connect();
            ThrowIfAborted();
        }
        catch (Exception e)
        {
            ZeroPassword();
            _client.Dispose();
            _client = null;
            _relay?.Dispose();
            _relay = null;
            if (_hostKeyError != null) throw _hostKeyError;
            throw MapConnectException(e);
        }
        ZeroPassword();
    }

    /// <summary>The UTF-8 password copy SSH.NET was given for the last login (zeroed after it), for tests.</summary>
    internal byte[]? PasswordCopy => _password;

    private void ZeroPassword()
    {
        if (_password is not null) System.Security.Cryptography.CryptographicOperations.ZeroMemory(_password);
    }

    /// <summary>Runs <paramref name="command"/> through the remote user's shell and collects its output.</summary>
    public RemoteResult Run(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfAborted();
        if (_client == null || !_client.IsConnected)
            throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError,
                $"The SSH session to {Endpoint} is not connected.", Endpoint);
        using var cmd = _client.CreateCommand(command);
        cmd.CommandTimeout = Target.CommandTimeout;
        try
        {
            cmd.Execute();
        }
        catch (SshOperationTimeoutException e)
        {
            throw new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.OperationTimeout,
                $"The command on {Target.HostName} did not finish within {Target.CommandTimeout.TotalSeconds:0.#} s: {command}", command, e);
        }
        catch (Exception e) when (e is SshConnectionException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError,
                $"The SSH connection to {Endpoint} failed while running '{command}': {e.Message}", Endpoint, e);
        }
        return new RemoteResult
        {
            Command = command,
            ExitStatus = cmd.ExitStatus ?? -1,
            ExitSignal = cmd.ExitSignal,
            Output = cmd.Result ?? "",
            Error = cmd.Error ?? "",
        };
    }

    /// <summary>Runs <paramref name="command"/>; a non-zero exit throws RemoteCommandFailed with the command and its stderr.</summary>
    public RemoteResult RunChecked(string command)
    {
        var r = Run(command);
        if (!r.Succeeded)
            throw new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                $"Command failed on {Target.HostName} (exit {(r.ExitSignal != null ? "signal " + r.ExitSignal : r.ExitStatus.ToString())}): {command}" +
                (string.IsNullOrWhiteSpace(r.Error) ? "" : $"\n{r.Error.TrimEnd()}"), command);
        return r;
    }

    /// <summary>
    /// Breaks the connection from another thread (a cancelled fleet run): the login or command in progress fails
    /// with SshConnectFailed, and so does every later one. The session is still to be disposed by its owner.
    /// </summary>
    public void Abort()
    {
        _aborted = true;
        try { _client?.Dispose(); } catch (Exception) { /* racing with the owner's own clean-up */ }
        try { _relay?.Dispose(); } catch (Exception) { }
    }

    private void ThrowIfAborted()
    {
        if (_aborted)
            throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError,
                $"The SSH session to {Endpoint} was cancelled.", Endpoint);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { if (_client?.IsConnected == true) _client.Disconnect(); }
        catch (Exception) { /* the connection may already be gone */ }
        _client?.Dispose();
        _relay?.Dispose();
    }

    private void Validate()
    {
        if (string.IsNullOrWhiteSpace(Target.HostName))
            throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.InvalidArgument, "A host name is required.", Target);
        if (Target.Port is < 1 or > 65535)
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument, $"Invalid SSH port {Target.Port} for {Target.HostName}.", Target.Port);
        if (string.IsNullOrWhiteSpace(Target.UserName))
            throw new LvsException(LvsErrorIds.SshAuthenticationFailed, LvsErrorKind.InvalidArgument, $"A user name is required to log in to {Endpoint}.", Target);
        if (string.IsNullOrEmpty(Target.KeyFile) && Target.Password == null)
            throw new LvsException(LvsErrorIds.SshAuthenticationFailed, LvsErrorKind.InvalidArgument,
                $"No key file or password given for {Target.UserName}@{Endpoint}.", Target);
    }

    private AuthenticationMethod[] BuildAuthenticationMethods()
    {
        var list = new List<AuthenticationMethod>();
        if (!string.IsNullOrEmpty(Target.KeyFile))
        {
            var path = KnownHostsFile.ExpandHome(Target.KeyFile);
            PrivateKeyFile key;
            try
            {
                // PrivateKeyFile takes the passphrase as a string only: made here, unreachable once the key is read.
                key = Target.KeyPassphrase is not { Length: > 0 } pass ? new PrivateKeyFile(path) : new PrivateKeyFile(path, SecretText.Text(pass));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException or ArgumentException or FormatException or NotSupportedException)
            {
                throw new LvsException(LvsErrorIds.SshAuthenticationFailed, LvsErrorKind.InvalidArgument,
                    $"Cannot use key file '{path}' for {Target.UserName}@{Endpoint}: {e.Message}", path, e);
            }
            list.Add(new PrivateKeyAuthenticationMethod(Target.UserName, key));
        }
        if (Target.Password != null)
        {
            // SSH.NET keeps this array (and sends it) for the login only; Connect zeroes it when the login is over.
            _password = SecretText.Utf8(Target.Password);
            list.Add(new PasswordAuthenticationMethod(Target.UserName, _password));
        }
        return list.ToArray();
    }

    /// <summary>
    /// Never negotiate host certificates (their blob is not a known_hosts key), and when the host is already
    /// known, offer only the key types listed for it, so the server presents the key we can compare.
    /// </summary>
    private void RestrictHostKeyAlgorithms(ConnectionInfo info)
    {
        foreach (var name in info.HostKeyAlgorithms.Keys.ToList())
            if (name.Contains("-cert-", StringComparison.Ordinal))
                info.HostKeyAlgorithms.Remove(name);

        IReadOnlyList<string> known;
        try { known = _knownHosts.KnownKeyTypes(Target.HostName, Target.Port); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LvsException(LvsErrorIds.HostKeyUnknown, LvsErrorKind.SecurityError,
                $"Cannot read known_hosts file '{_knownHosts.Path}': {e.Message}", _knownHosts.Path, e);
        }
        if (known.Count == 0) return;
        var keep = info.HostKeyAlgorithms.Keys.Where(a => known.Contains(KeyTypeOfAlgorithm(a))).ToHashSet();
        if (keep.Count == 0) return; // nothing we can offer matches: let the check below report it
        foreach (var name in info.HostKeyAlgorithms.Keys.ToList())
            if (!keep.Contains(name))
                info.HostKeyAlgorithms.Remove(name);
    }

    private static string KeyTypeOfAlgorithm(string algorithm) => algorithm switch
    {
        "rsa-sha2-256" or "rsa-sha2-512" => "ssh-rsa",
        _ => algorithm,
    };

    private void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
    {
        try
        {
            var blob = e.HostKey;
            var type = KnownHostsFile.KeyTypeOfBlob(blob) ?? e.HostKeyName;
            var fingerprint = KnownHostsFile.Sha256Fingerprint(blob);
            var name = KnownHostsFile.HostKeyName(Target.HostName, Target.Port);
            HostKeyType = type;
            HostKeyFingerprint = fingerprint;
            var status = _knownHosts.Check(Target.HostName, Target.Port, type, blob);
            HostKeyStatus = status;
            switch (status)
            {
                case Remote.HostKeyStatus.Trusted:
                    e.CanTrust = true;
                    return;
                case Remote.HostKeyStatus.Unknown when Target.AcceptNewHostKey:
                    _knownHosts.Add(Target.HostName, Target.Port, type, blob);
                    HostKeyAdded = true;
                    e.CanTrust = true;
                    return;
                case Remote.HostKeyStatus.Unknown:
                    _hostKeyError = new LvsException(LvsErrorIds.HostKeyUnknown, LvsErrorKind.SecurityError,
                        $"The host key of '{name}' is not known: {type} {fingerprint} is not in '{_knownHosts.Path}'. " +
                        "Check this fingerprint out of band, then connect with -AcceptNewHostKey to add it (trust on first use).",
                        Target.HostName);
                    break;
                case Remote.HostKeyStatus.Mismatch:
                    var known = _knownHosts.KnownFingerprints(Target.HostName, Target.Port, type);
                    _hostKeyError = new LvsException(LvsErrorIds.HostKeyMismatch, LvsErrorKind.SecurityError,
                        $"The host key of '{name}' has CHANGED: the server presented {type} {fingerprint}, but '{_knownHosts.Path}' lists {type} " +
                        $"{string.Join(", ", known)}. Someone may be intercepting the connection; refusing it. If the change is expected, " +
                        $"remove the old entry (ssh-keygen -R {ShellQuote.Quote(name)} -f {ShellQuote.Quote(_knownHosts.Path)}) and connect again.",
                        Target.HostName);
                    break;
                case Remote.HostKeyStatus.Revoked:
                    _hostKeyError = new LvsException(LvsErrorIds.HostKeyMismatch, LvsErrorKind.SecurityError,
                        $"The host key of '{name}' ({type} {fingerprint}) is marked @revoked in '{_knownHosts.Path}'; refusing the connection.",
                        Target.HostName);
                    break;
            }
        }
        catch (Exception ex)
        {
            _hostKeyError = ex as LvsException ?? new LvsException(LvsErrorIds.HostKeyUnknown, LvsErrorKind.SecurityError,
                $"Cannot verify the host key of {Endpoint} against '{_knownHosts.Path}': {ex.Message}", Target.HostName, ex);
        }
        e.CanTrust = false;
    }

    private LvsException MapConnectException(Exception e) => e switch
    {
        LvsException le => le,
        SshAuthenticationException => new LvsException(LvsErrorIds.SshAuthenticationFailed, LvsErrorKind.SecurityError,
            $"Authentication as '{Target.UserName}' on {Endpoint} failed: {e.Message}", Endpoint, e),
        SshOperationTimeoutException or TimeoutException => new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.OperationTimeout,
            $"Cannot connect to {Endpoint}: no answer within {Target.Timeout.TotalSeconds:0.#} s ({e.Message})", Endpoint, e),
        _ => new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError,
            $"Cannot connect to {Endpoint}: {e.Message}", Endpoint, e),
    };
}
