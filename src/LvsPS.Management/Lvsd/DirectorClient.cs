using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Lvsd;

/// <summary>
/// The lvsd backend: an <see cref="IDirector"/> whose every call is one request on the director's Unix socket
/// (one JSON line out, one back). The calls are not written out one by one: the proxy is generated from the
/// interface (<see cref="DispatchProxy"/>) and encodes each call with <see cref="DirectorOperations"/>, the table
/// lvsd's dispatcher decodes with, so a new IDirector operation reaches lvsd with nothing added here.
/// A refusal comes back as the <see cref="LvsException"/> lvsd threw (same ErrorId and kind).
/// </summary>
public static class DirectorClient
{
    /// <summary>A client for the director <paramref name="name"/> (nothing is opened until the first call).</summary>
    public static IDirector Connect(string name, TimeSpan? timeout = null)
    {
        var proxy = DispatchProxy.Create<IDirector, LvsdDirectorProxy>();
        ((LvsdDirectorProxy)(object)proxy).Init(new LvsdChannel(name, timeout ?? TimeSpan.FromSeconds(10)));
        return proxy;
    }

    /// <summary>True when a director of that name answers on its socket.</summary>
    public static bool IsRunning(string name, TimeSpan? timeout = null)
    {
        try { Connect(name, timeout ?? TimeSpan.FromSeconds(2)).GetStatus(); return true; }
        catch (LvsException) { return false; }
    }
}

/// <summary>The generated <see cref="IDirector"/>: each call becomes one request on the channel.</summary>
public class LvsdDirectorProxy : DispatchProxy, IVerboseSource
{
    private LvsdChannel? _channel;

    /// <summary>Told which socket each request goes to and what the answer holds.</summary>
    public Action<string>? Verbose { get; set; }

    internal void Init(LvsdChannel channel) => _channel = channel;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!DirectorOperations.IsOperation(targetMethod))
        {
            // Answered here: the name, and object members on the proxy.
            return targetMethod.Name switch
            {
                "get_Name" => _channel!.Name,
                nameof(ToString) => $"lvsd '{_channel!.Name}'",
                nameof(GetHashCode) => _channel!.GetHashCode(),
                _ => throw new NotSupportedException(targetMethod.Name),
            };
        }
        var op = DirectorOperations.Of(targetMethod);
        DirectorVerbose.Say(Verbose, $"Connecting to lvsd control socket {_channel!.SocketPath} ({op.Name})");
        var reply = _channel!.Call(new DirectorRequest { Op = op.Name, Args = op.EncodeArguments(args) });
        var result = op.ReturnsValue && reply.Result is { ValueKind: not JsonValueKind.Null } r ? r.Deserialize(targetMethod.ReturnType, DirectorJson.Options) : null;
        if (Verbose is not null && DirectorVerbose.Describe(result) is { } what)
            DirectorVerbose.Say(Verbose, $"Got {what} from lvsd '{_channel.Name}'");
        return result;
    }
}

/// <summary>One director's control socket: a connection per request, with a timeout.</summary>
internal sealed class LvsdChannel
{
    public LvsdChannel(string name, TimeSpan timeout)
    {
        Name = name;
        SocketPath = DirectorPaths.Socket(name);
        Timeout = timeout;
    }

    public string Name { get; }
    public string SocketPath { get; }
    public TimeSpan Timeout { get; }

    public DirectorReply Call(DirectorRequest request)
    {
        if (!File.Exists(SocketPath))
            throw NotRunning(null);
        ControlSocketTrust.CheckPath(SocketPath, Name);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        socket.SendTimeout = (int)Timeout.TotalMilliseconds;
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
        }
        catch (SocketException e)
        {
            throw NotRunning(e);
        }
        ControlSocketTrust.CheckPeer(socket, SocketPath, Name);

        string? text;
        try
        {
            try
            {
                socket.Send(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, DirectorJson.Options) + "\n"));
            }
            catch (SocketException e) when (e.SocketErrorCode is not (SocketError.TimedOut or SocketError.WouldBlock))
            {
                // the director may have answered (and closed) before taking the whole request: a refusal to read
                text = TryReadLine(socket);
                if (text is null) throw;
                return Answer(text);
            }
            text = ReadLine(socket);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.OperationTimeout,
                $"The director '{Name}' did not answer '{request.Op}' within {Timeout.TotalSeconds:0.#} s.", Name, e);
        }
        catch (SocketException e)
        {
            throw new LvsException(LvsErrorIds.DirectorConnectionLost, LvsErrorKind.ConnectionError,
                $"The connection to the director '{Name}' ({SocketPath}) was lost during '{request.Op}': {e.Message}.", Name, e);
        }
        if (text is null)
            throw new LvsException(LvsErrorIds.DirectorConnectionLost, LvsErrorKind.ConnectionError,
                $"The director '{Name}' closed the control socket {SocketPath} without answering '{request.Op}'.", Name);
        return Answer(text);
    }

    private DirectorReply Answer(string text)
    {
        DirectorReply? reply;
        try { reply = JsonSerializer.Deserialize<DirectorReply>(text, DirectorJson.Options); }
        catch (JsonException e)
        {
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ConnectionError, $"The director '{Name}' sent a malformed answer: {e.Message}", Name, e);
        }
        if (reply is null)
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ConnectionError, $"The director '{Name}' sent an empty answer.");
        if (!reply.Ok) throw reply.ToException("The director refused the request.");
        return reply;
    }

    private LvsException NotRunning(Exception? inner) =>
        new(LvsErrorIds.DirectorNotRunning, LvsErrorKind.ResourceUnavailable,
            $"The director '{Name}' is not running (no answer on {SocketPath}). Start it with Start-LvsDirector.", Name, inner);

    private static string? TryReadLine(Socket socket)
    {
        try { return ReadLine(socket); }
        catch (SocketException) { return null; }
    }

    private static string? ReadLine(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var ms = new MemoryStream();
        while (true)
        {
            int n = socket.Receive(buffer);
            if (n == 0) break;
            int nl = Array.IndexOf(buffer, (byte)'\n', 0, n);
            if (nl >= 0)
            {
                ms.Write(buffer, 0, nl);
                return Encoding.UTF8.GetString(ms.ToArray());
            }
            ms.Write(buffer, 0, n);
        }
        return null; // closed before the end of the line: no complete answer
    }
}

/// <summary>
/// Whom the client trusts to be the director: the socket must be a socket owned by root and not writable by group or
/// others, in a folder owned by root and not writable by group or others (no one else can have put it there), and the
/// process that accepted the connection must run as root (SO_PEERCRED). Anything else is DirectorSocketNotTrusted.
/// </summary>
internal static class ControlSocketTrust
{
    private const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFDIR = 0x4000, S_IWGRP = 0x10, S_IWOTH = 0x2;

    public static void CheckPath(string socketPath, string director)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(socketPath)) ?? "/";
        Check(folder, S_IFDIR, "folder", director);
        Check(socketPath, S_IFSOCK, "socket", director);
    }

    public static void CheckPeer(Socket socket, string socketPath, string director)
    {
        var (pid, uid) = ControlSocketPeer.Credentials(socket);
        if (uid != 0)
            throw NotTrusted(director, $"the process serving {socketPath} (pid {pid}) runs as uid {uid}, not root");
    }

    private static void Check(string path, uint type, string what, string director)
    {
        var (uid, mode) = Stat(path) ?? throw NotTrusted(director, $"its {what} {path} cannot be examined");
        if ((mode & S_IFMT) != type)
            throw NotTrusted(director, $"{path} is not a {what} (a link or another kind of file)");
        if (uid != 0)
            throw NotTrusted(director, $"its {what} {path} is owned by uid {uid}, not root");
        if ((mode & (S_IWGRP | S_IWOTH)) != 0)
            throw NotTrusted(director, $"its {what} {path} is writable by others (mode {Convert.ToString(mode & 0xFFF, 8)})");
    }

    private static LvsException NotTrusted(string director, string why) =>
        new(LvsErrorIds.DirectorSocketNotTrusted, LvsErrorKind.SecurityError,
            $"The control socket of the director '{director}' is not trusted: {why}. Only a root-owned lvsd socket is used.", director);

    // statx(2): the same structure on every architecture (stx_uid at 20, stx_mode at 28).
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    private static (uint Uid, uint Mode)? Stat(string path)
    {
        const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
        const uint STATX_TYPE = 1, STATX_MODE = 2, STATX_UID = 8;
        var buf = new byte[256];
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MODE | STATX_UID, buf) != 0) return null;
        return (BitConverter.ToUInt32(buf, 20), BitConverter.ToUInt16(buf, 28));
    }
}
