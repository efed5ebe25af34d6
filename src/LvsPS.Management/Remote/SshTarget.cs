using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LvsPS.Management.Remote;

/// <summary>Where and how to reach a real server over SSH.</summary>
public sealed class SshTarget
{
    public SshTarget() { }
    public SshTarget(string hostName) { HostName = hostName; }

    /// <summary>Host name or address; also the name looked up in known_hosts.</summary>
    public string HostName { get; set; } = "";
    public int Port { get; set; } = 22;
    public string UserName { get; set; } = "root";
    /// <summary>OpenSSH/PEM/PKCS#8/PuTTY private key (ed25519, rsa, ecdsa).</summary>
    public string? KeyFile { get; set; }
    /// <summary>Passphrase of <see cref="KeyFile"/>, when it is encrypted (a plain string only for the key's decryption).</summary>
    public System.Security.SecureString? KeyPassphrase { get; set; }
    /// <summary>
    /// Password authentication (tried after the key when both are given). Kept as a SecureString; each connection
    /// hands SSH.NET a UTF-8 copy that is zeroed once the login is over.
    /// </summary>
    public System.Security.SecureString? Password { get; set; }
    public string KnownHostsFile { get; set; } = Remote.KnownHostsFile.DefaultPath;
    /// <summary>Trust on first use: an unknown host key is added to <see cref="KnownHostsFile"/>. A changed key is still refused.</summary>
    public bool AcceptNewHostKey { get; set; }
    /// <summary>When set, the TCP connection is made from inside /var/run/netns/NAME (needs CAP_SYS_ADMIN).</summary>
    public string? NetworkNamespace { get; set; }
    /// <summary>Connect (TCP + SSH handshake) timeout.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Time limit for one remote command.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public override string ToString()
        => NetworkNamespace == null ? $"{UserName}@{HostName}:{Port}" : $"{UserName}@{HostName}:{Port} (netns {NetworkNamespace})";
}

/// <summary>
/// Opens TCP connections from inside a named Linux network namespace (/var/run/netns/NAME, as ip netns creates).
/// The socket is created on a dedicated thread that joins the namespace with setns(2); a socket keeps the
/// namespace it was created in, so it can be used from any thread afterwards.
/// </summary>
public static class NetnsConnector
{
    private const int CLONE_NEWNET = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    /// <summary>The directories ip netns uses for named namespaces.</summary>
    private static readonly string[] NetnsDirs = { "/var/run/netns", "/run/netns" };

    /// <summary>Checks a namespace name (a file name under /var/run/netns) and returns its path.</summary>
    public static string NamespacePath(string name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.Contains('/') || name.Contains('\0') || name.Length > 255)
            throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.InvalidArgument,
                $"Invalid network namespace name '{name}'.", name);
        foreach (var dir in NetnsDirs)
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ObjectNotFound,
            $"Network namespace '{name}' does not exist (no /var/run/netns/{name}).", name);
    }

    /// <summary>
    /// Resolves <paramref name="host"/> and connects to it on <paramref name="port"/> from inside namespace
    /// <paramref name="namespaceName"/>. Failures throw <see cref="LvsException"/> SshConnectFailed naming host:port.
    /// </summary>
    public static Socket Connect(string namespaceName, string host, int port, TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux())
            throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.NotImplemented,
                "Network namespaces exist only on Linux.", namespaceName);
        var nsPath = NamespacePath(namespaceName);
        Socket? result = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = ConnectOnThisThread(nsPath, namespaceName, host, port, timeout); }
            catch (Exception e) { error = e; }
        })
        { IsBackground = true, Name = "lvsps-netns-connect" };
        thread.Start();
        thread.Join();
        if (error is LvsException) throw error;
        if (error != null)
            throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError,
                $"Cannot connect to {host}:{port} in network namespace '{namespaceName}': {error.Message}", $"{host}:{port}", error);
        return result!;
    }

    private static Socket ConnectOnThisThread(string nsPath, string nsName, string host, int port, TimeSpan timeout)
    {
        using SafeFileHandle original = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read);
        using SafeFileHandle target = File.OpenHandle(nsPath, FileMode.Open, FileAccess.Read);
        if (setns((int)target.DangerousGetHandle(), CLONE_NEWNET) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new LvsException(LvsErrorIds.SshConnectFailed, errno == 1 ? LvsErrorKind.PermissionDenied : LvsErrorKind.ConnectionError,
                $"Cannot enter network namespace '{nsName}' to reach {host}:{port}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}; needs CAP_SYS_ADMIN).",
                nsName);
        }
        Socket? socket = null;
        try
        {
            // Name resolution and socket creation both happen inside the namespace.
            IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
                ? new[] { literal }
                : Dns.GetHostAddresses(host);
            if (addresses.Length == 0)
                throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError,
                    $"Cannot resolve '{host}' inside network namespace '{nsName}'.", host);
            Exception? last = null;
            foreach (var address in addresses)
            {
                var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var cts = new CancellationTokenSource(timeout);
                    s.ConnectAsync(new IPEndPoint(address, port), cts.Token).AsTask().GetAwaiter().GetResult();
                    socket = s;
                    break;
                }
                catch (OperationCanceledException)
                {
                    s.Dispose();
                    last = new TimeoutException($"no answer within {timeout.TotalSeconds:0.#} s");
                }
                catch (Exception e)
                {
                    s.Dispose();
                    last = e;
                }
            }
            if (socket == null)
                throw new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError,
                    $"Cannot connect to {host}:{port} in network namespace '{nsName}': {last?.Message}", $"{host}:{port}", last);
            return socket;
        }
        finally
        {
            // Go back before the thread ends. Should that ever fail it does no harm: this dedicated thread
            // runs nothing else and ends right after.
            setns((int)original.DangerousGetHandle(), CLONE_NEWNET);
        }
    }
}

/// <summary>
/// A loopback listener on 127.0.0.1:ephemeral that accepts exactly one connection and relays it, byte for byte,
/// to an already connected socket (SSH.NET 2026 has no public way to hand it a socket or stream).
/// </summary>
internal sealed class LoopbackRelay : IDisposable
{
    private readonly Socket _upstream;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _cts = new();
    private Socket? _accepted;
    private int _disposed;

    public LoopbackRelay(Socket upstream, TimeSpan acceptTimeout)
    {
        _upstream = upstream;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        Completion = Task.Run(() => RunAsync(acceptTimeout));
    }

    public int Port { get; }
    public Task Completion { get; }

    private async Task RunAsync(TimeSpan acceptTimeout)
    {
        try
        {
            using (var acceptCts = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token))
            {
                acceptCts.CancelAfter(acceptTimeout);
                while (true)
                {
                    var candidate = await _listener.AcceptAsync(acceptCts.Token).ConfigureAwait(false);
                    // Only a socket of this very process may use the relay: another local user racing for the
                    // port would otherwise get a connection from inside the namespace.
                    if (IsOwnConnection((IPEndPoint)candidate.RemoteEndPoint!, Port))
                    {
                        _accepted = candidate;
                        break;
                    }
                    candidate.Dispose();
                }
            }
            _listener.Dispose(); // exactly one connection
            _accepted.NoDelay = true;
            await Task.WhenAll(PumpAsync(_accepted, _upstream), PumpAsync(_upstream, _accepted)).ConfigureAwait(false);
        }
        catch (Exception) when (_cts.IsCancellationRequested || Volatile.Read(ref _disposed) != 0) { }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, _cts.Token).ConfigureAwait(false);
                if (n == 0) break;
                int sent = 0;
                while (sent < n)
                    sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, _cts.Token).ConfigureAwait(false);
            }
            try { to.Shutdown(SocketShutdown.Send); } catch (SocketException) { } catch (ObjectDisposedException) { }
        }
        catch (Exception)
        {
            // One side broke: tear down both so the other side sees it at once.
            _cts.Cancel();
        }
    }

    /// <summary>
    /// True when the client end of a loopback connection (peer -> 127.0.0.1:relayPort) is a socket held by this
    /// process: its inode is looked up in /proc/self/net/tcp and searched among /proc/self/fd.
    /// </summary>
    internal static bool IsOwnConnection(IPEndPoint peer, int relayPort)
    {
        try
        {
            string? inode = null;
            // The client may be a dual-mode IPv6 socket (::ffff:127.0.0.1), listed in tcp6.
            foreach (var table in new[] { "/proc/self/net/tcp", "/proc/self/net/tcp6" })
            {
                if (!File.Exists(table)) continue;
                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length < 10) continue;
                    if (ParseEndPoint(f[1]) is { } local && local.Equals(peer) &&
                        ParseEndPoint(f[2]) is { } remote && remote.Port == relayPort && IPAddress.IsLoopback(remote.Address))
                    {
                        inode = f[9];
                        break;
                    }
                }
                if (inode != null) break;
            }
            if (inode == null || inode == "0") return false;
            var target = $"socket:[{inode}]";
            foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == target) return true;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// "0100007F:1F90" -> 127.0.0.1:8080. The address is printed as 32-bit words in the kernel's memory order
    /// (one word for tcp, four for tcp6); IPv4-mapped IPv6 addresses come back as IPv4.
    /// </summary>
    private static IPEndPoint? ParseEndPoint(string field)
    {
        var parts = field.Split(':');
        if (parts.Length != 2 || (parts[0].Length != 8 && parts[0].Length != 32)) return null;
        var bytes = new byte[parts[0].Length / 2];
        for (int w = 0; w < parts[0].Length / 8; w++)
        {
            var word = uint.Parse(parts[0].AsSpan(w * 8, 8), System.Globalization.NumberStyles.HexNumber);
            BitConverter.GetBytes(word).CopyTo(bytes, w * 4);
        }
        var address = new IPAddress(bytes);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var port = int.Parse(parts[1], System.Globalization.NumberStyles.HexNumber);
        return new IPEndPoint(address, port);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        _listener.Dispose();
        _accepted?.Dispose();
        _upstream.Dispose();
    }
}
