using System.Net.Sockets;
using System.Text;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;

namespace LvsPS.Management.Lvsd;

/// <summary>Talks to a running director over its Unix domain socket: one request line, one response line.</summary>
public sealed class DirectorClient : IDirectorConnection
{
    public DirectorClient(string name, TimeSpan? timeout = null)
    {
        Name = name;
        SocketPath = DirectorPaths.Socket(name);
        Timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    public string Name { get; }
    public string SocketPath { get; }
    public TimeSpan Timeout { get; }

    /// <summary>True when a director answers on the socket.</summary>
    public bool IsRunning()
    {
        try { return Send(new ControlRequest { Op = ControlOps.Ping }, throwOnError: false).Ok; }
        catch (LvsException) { return false; }
    }

    /// <summary>Sends a request; a refused request becomes an LvsException with the director's ErrorId.</summary>
    public ControlResponse Send(ControlRequest request, bool throwOnError = true)
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

        var line = ControlJson.Serialize(request) + "\n";
        socket.Send(Encoding.UTF8.GetBytes(line));
        var text = ReadLine(socket);
        if (text is null)
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ConnectionError,
                $"The director '{Name}' closed the control socket {SocketPath} without answering '{request.Op}'.");
        var response = ControlJson.Deserialize<ControlResponse>(text)
            ?? throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ConnectionError, $"The director '{Name}' sent an empty answer.");
        if (!response.Ok && throwOnError)
            throw new LvsException(response.ErrorId ?? LvsErrorIds.DirectorProtocolError, response.ErrorKind, response.Message ?? "The director refused the request.");
        return response;
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
