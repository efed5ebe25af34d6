using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;

namespace LvsPS.Engine.Control;

/// <summary>
/// The director's control socket: a Unix domain socket (mode 0600 in a 0700 folder) that accepts only
/// peers whose SO_PEERCRED uid is 0. One JSON request per line (<see cref="DirectorRequest"/>), one JSON reply per line, carried out by the
/// <see cref="Dispatcher"/>.
/// </summary>
internal sealed class ControlServer : IDisposable
{
    private readonly string _path;
    private readonly Func<string, string> _handler;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();

    public ControlServer(string path, Func<string, string> handler)
    {
        _path = path;
        _handler = handler;
        if (File.Exists(path)) File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
    }

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
            _ = Task.Run(() => Serve(client));
        }
    }

    private void Serve(Socket client)
    {
        using (client)
        {
            try
            {
                client.ReceiveTimeout = 10_000;
                if (PeerUid(client) != 0)
                {
                    WriteLine(client, JsonSerializer.Serialize(DirectorReply.Failure(new LvsException(LvsErrorIds.NotRoot, LvsErrorKind.PermissionDenied,
                        "Only root may control the LvsPS director.")), DirectorJson.Options));
                    return;
                }
                var line = ReadLine(client);
                if (line is null) return;
                WriteLine(client, _handler(line));
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"{DateTime.UtcNow:O} control: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static void WriteLine(Socket s, string line) => s.Send(Encoding.UTF8.GetBytes(line + "\n"));

    private static string? ReadLine(Socket s)
    {
        var buf = new byte[8192];
        using var ms = new MemoryStream();
        while (ms.Length < 1 << 20)
        {
            int n = s.Receive(buf);
            if (n == 0) break;
            int nl = Array.IndexOf(buf, (byte)'\n', 0, n);
            if (nl >= 0) { ms.Write(buf, 0, nl); break; }
            ms.Write(buf, 0, n);
        }
        return ms.Length == 0 ? null : Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The connecting process's uid (struct ucred { pid; uid; gid } from SO_PEERCRED).</summary>
    private static int PeerUid(Socket s)
    {
        Span<byte> cred = stackalloc byte[12];
        const int SOL_SOCKET = 1, SO_PEERCRED = 17;
        int n = s.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, cred);
        if (n < 12) return -1;
        return MemoryMarshal.Read<int>(cred.Slice(4, 4));
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Close(); } catch (Exception) { }
        try { File.Delete(_path); } catch (Exception) { }
    }
}
