using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LvsPS.Engine.Control;

/// <summary>Limits of the control socket.</summary>
internal sealed class ControlServerLimits
{
    /// <summary>Connections served at once; one more is answered DirectorBusy and closed.</summary>
    public int MaxConnections { get; init; } = 256;
    /// <summary>The time a client has to send its whole request line after connecting.</summary>
    public TimeSpan RequestDeadline { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The time a client has to take the whole answer.</summary>
    public TimeSpan ReplyDeadline { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The longest request line.</summary>
    public int MaxRequestBytes { get; init; } = 1 << 20;
    /// <summary>The listen backlog (the kernel caps it at net.core.somaxconn).</summary>
    public int Backlog { get; init; } = 1024;
}

/// <summary>
/// The director's control socket: a Unix domain socket (mode 0600 in a 0700 folder) that accepts only
/// peers whose SO_PEERCRED uid is 0. One JSON request per line (<see cref="DirectorRequest"/>), one JSON reply per line, carried out by the
/// <see cref="Dispatcher"/>. All I/O is asynchronous (no thread waits for a slow client); a client has
/// <see cref="ControlServerLimits.RequestDeadline"/> to send its request, at most
/// <see cref="ControlServerLimits.MaxConnections"/> are served at once (the next is told DirectorBusy), and every
/// request that arrives gets an answer.
/// </summary>
internal sealed class ControlServer : IDisposable
{
    private readonly string _path;
    private readonly Func<string, string> _handler;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ControlServerLimits _limits;
    private int _open;
    private int _refusing;

    public ControlServer(string path, Func<string, string> handler, ControlServerLimits? limits = null)
    {
        _path = path;
        _handler = handler;
        _limits = limits ?? new ControlServerLimits();
        if (File.Exists(path)) File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(_limits.Backlog);
    }

    /// <summary>Connections being served now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>True when something accepts connections on the socket at <paramref name="path"/> (another lvsd).</summary>
    public static bool Answers(string path)
    {
        if (!File.Exists(path)) return false;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { probe.Connect(new UnixDomainSocketEndPoint(path)); return true; }
        catch (SocketException) { return false; }
    }

    public void Start() => _ = Task.Run(AcceptLoop);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception) { if (_stop.IsCancellationRequested) return; continue; }
            if (Interlocked.Increment(ref _open) > _limits.MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                if (Interlocked.Increment(ref _refusing) > _limits.MaxConnections)
                {
                    Interlocked.Decrement(ref _refusing);
                    client.Dispose(); // refusing as many as are served already: no more words
                    continue;
                }
                _ = RefuseAsync(client, new LvsException(LvsErrorIds.DirectorBusy, LvsErrorKind.ResourceUnavailable,
                    $"The director is serving {_limits.MaxConnections} control connections, as many as it takes; try again."));
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    /// <summary>Takes the request line (within a short deadline, so the client is not reset while it sends), then answers the refusal.</summary>
    private async Task RefuseAsync(Socket client, LvsException why)
    {
        try
        {
            using (client)
            {
                try { await ReadLineAsync(client, TimeSpan.FromSeconds(1)); }
                catch (Exception) { }
                await WriteLineAsync(client, Reply(why));
            }
        }
        catch (Exception) { }
        finally { Interlocked.Decrement(ref _refusing); }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using (client)
            {
                if (ControlSocketPeer.Credentials(client).Uid != 0)
                {
                    await WriteLineAsync(client, Reply(new LvsException(LvsErrorIds.NotRoot, LvsErrorKind.PermissionDenied,
                        "Only root may control the LvsPS director.")));
                    return;
                }
                string? line;
                try { line = await ReadLineAsync(client, _limits.RequestDeadline); }
                catch (OperationCanceledException)
                {
                    await WriteLineAsync(client, Reply(Protocol($"No complete request line within {_limits.RequestDeadline.TotalSeconds:0.#} s.")));
                    return;
                }
                catch (InvalidDataException e)
                {
                    await WriteLineAsync(client, Reply(Protocol(e.Message)));
                    return;
                }
                if (line is null) return; // the client went away without a request
                await WriteLineAsync(client, _handler(line));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away or missed its deadline: nothing to tell anyone (no log line per slow client)
        }
        catch (Exception e)
        {
            if (!_stop.IsCancellationRequested)
                DirectorLog.Shared.Write(0, LvsLogSeverity.Error, LvsLogSource.Control, $"control: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private static LvsException Protocol(string message) =>
        new(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidArgument, message);

    private static string Reply(LvsException e) => JsonSerializer.Serialize(DirectorReply.Failure(e), DirectorJson.Options);

    private async Task WriteLineAsync(Socket s, string line)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(_limits.ReplyDeadline);
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        for (int sent = 0; sent < bytes.Length;)
            sent += await s.SendAsync(bytes.AsMemory(sent), SocketFlags.None, deadline.Token);
    }

    /// <summary>The request line (without its newline); null when the client closed before sending anything.</summary>
    private async Task<string?> ReadLineAsync(Socket s, TimeSpan within)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(within);
        var buf = new byte[8192];
        using var ms = new MemoryStream();
        while (true)
        {
            int n = await s.ReceiveAsync(buf.AsMemory(), SocketFlags.None, deadline.Token);
            if (n == 0) break;
            int nl = Array.IndexOf(buf, (byte)'\n', 0, n);
            ms.Write(buf, 0, nl >= 0 ? nl : n);
            if (ms.Length > _limits.MaxRequestBytes)
                throw new InvalidDataException($"The request is longer than {_limits.MaxRequestBytes} bytes.");
            if (nl >= 0) break;
        }
        return ms.Length == 0 ? null : Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Close(); } catch (Exception) { }
        try { File.Delete(_path); } catch (Exception) { }
    }
}
