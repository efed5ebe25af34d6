using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;

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
public class LvsdDirectorProxy : DispatchProxy
{
    private LvsdChannel? _channel;

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
        var reply = _channel!.Call(new DirectorRequest { Op = op.Name, Args = op.EncodeArguments(args) });
        return op.ReturnsValue && reply.Result is not null ? reply.Result.Deserialize(targetMethod.ReturnType, DirectorJson.Options) : null;
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

        socket.Send(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, DirectorJson.Options) + "\n"));
        var text = ReadLine(socket)
            ?? throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ConnectionError,
                $"The director '{Name}' closed the control socket {SocketPath} without answering '{request.Op}'.");
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

    private static string? ReadLine(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var ms = new MemoryStream();
        while (true)
        {
            int n;
            try { n = socket.Receive(buffer); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut || e.SocketErrorCode == SocketError.WouldBlock)
            {
                throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.OperationTimeout, "The director did not answer in time.", null, e);
            }
            if (n == 0) break;
            int nl = Array.IndexOf(buffer, (byte)'\n', 0, n);
            if (nl >= 0)
            {
                ms.Write(buffer, 0, nl);
                return Encoding.UTF8.GetString(ms.ToArray());
            }
            ms.Write(buffer, 0, n);
        }
        return ms.Length == 0 ? null : Encoding.UTF8.GetString(ms.ToArray());
    }
}
