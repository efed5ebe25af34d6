// flowprobe: long-lived TCP sessions and a request loop through a VIP, each event time-stamped, for failover
// measurements. Bounded: at most 1000 sessions, 600 s, one request at a time; it talks only to --target.
//
//   flowprobe --target 10.250.0.101 [--session-port 23] [--sessions 100] [--line-ms 200]
//             [--request-port 80] [--request-ms 20] [--timeout-ms 250] --seconds 10 --out result.json
//
// Sessions: each opens one TCP connection to target:session-port (the lab's telnet-like echo service), then sends a
// numbered line every line-ms and waits for it to come back; every echo's time is recorded. A session that is
// reset or closed records when. Requests: one new TCP connection per request to target:request-port with
// "GET / HTTP/1.0", success = an "HTTP/1." status line within timeout-ms; each attempt's start and result recorded.
// Times are Unix milliseconds (UTC) so a script can set them against when it killed a director.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

var opt = Options.Parse(args);
if (opt is null) return 2;

var start = Clock.NowMs();
using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(opt.Seconds));
var sessions = Enumerable.Range(0, opt.Sessions).Select(i => new Session(i)).ToArray();
var requests = new List<RequestResult>();

var sessionTasks = sessions.Select(s => s.RunAsync(opt, cts.Token)).ToArray();
var requestTask = opt.RequestPort > 0 ? RequestLoop.RunAsync(opt, requests, cts.Token) : Task.CompletedTask;
try { await Task.WhenAll(sessionTasks.Append(requestTask)); }
catch (OperationCanceledException) { }

var result = new
{
    target = opt.Target.ToString(),
    startMs = start,
    endMs = Clock.NowMs(),
    sessions = sessions.Select(s => new { id = s.Id, openedMs = s.OpenedMs, server = s.Server, localPort = s.LocalPort, echoes = s.Echoes, closedMs = s.ClosedMs, closeReason = s.CloseReason }),
    requests = requests.Select(r => new { startMs = r.StartMs, ms = r.Ms, ok = r.Ok, server = r.Server, error = r.Error }),
};
var json = JsonSerializer.Serialize(result);
if (opt.Out is null) Console.WriteLine(json);
else File.WriteAllText(opt.Out, json);
return 0;

static class Clock
{
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}

sealed class Options
{
    public IPAddress Target = IPAddress.None;
    public int SessionPort = 23, Sessions = 100, LineMs = 200, RequestPort = 80, RequestMs = 20, TimeoutMs = 250, Seconds = 10;
    public string? Out;

    public static Options? Parse(string[] args)
    {
        var o = new Options();
        bool hasTarget = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(int min, int max)
            {
                var name = args[i];
                var v = Next();
                return int.TryParse(v, out var n) && n >= min && n <= max ? n : throw new ArgumentException($"{name} '{v}': want {min}..{max}");
            }
            try
            {
                switch (args[i])
                {
                    case "--target":
                        var t = Next();
                        if (!IPAddress.TryParse(t, out o.Target!)) throw new ArgumentException($"--target '{t}' is not an IP address");
                        hasTarget = true;
                        break;
                    case "--session-port": o.SessionPort = Int(1, 65535); break;
                    case "--sessions": o.Sessions = Int(0, 1000); break;
                    case "--line-ms": o.LineMs = Int(10, 10000); break;
                    case "--request-port": o.RequestPort = Int(0, 65535); break;
                    case "--request-ms": o.RequestMs = Int(1, 10000); break;
                    case "--timeout-ms": o.TimeoutMs = Int(10, 10000); break;
                    case "--seconds": o.Seconds = Int(1, 600); break;
                    case "--out": o.Out = Next(); break;
                    default: throw new ArgumentException($"unknown option '{args[i]}'");
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("flowprobe: " + e.Message);
                return null;
            }
        }
        if (!hasTarget) { Console.Error.WriteLine("flowprobe: --target is required"); return null; }
        return o;
    }
}

sealed class Session(int id)
{
    public int Id { get; } = id;
    public long OpenedMs { get; private set; }
    public long? ClosedMs { get; private set; }
    public string? CloseReason { get; private set; }
    /// <summary>The real server's name from the service's prompt ("[guest@rs1 guest]$ ").</summary>
    public string? Server { get; private set; }
    /// <summary>The client port of the session (to find it in a capture or a director's table).</summary>
    public int LocalPort { get; private set; }
    public List<long> Echoes { get; } = new();

    public async Task RunAsync(Options opt, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // spread the opens over the first line interval
            await Task.Delay(Id * opt.LineMs / Math.Max(1, opt.Sessions), ct);
            await socket.ConnectAsync(new IPEndPoint(opt.Target, opt.SessionPort), ct);
            OpenedMs = Clock.NowMs();
            LocalPort = (socket.LocalEndPoint as IPEndPoint)?.Port ?? 0;
            var buffer = new byte[4096];
            var pending = new StringBuilder();
            var reader = Task.Run(async () =>
            {
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                    if (n == 0) { Close("closed by peer"); return; }
                    pending.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    var text = pending.ToString();
                    if (Server is null)
                    {
                        int at = text.IndexOf("[guest@", StringComparison.Ordinal);
                        int sp = at < 0 ? -1 : text.IndexOf(' ', at);
                        if (sp > at) Server = text[(at + 7)..sp];
                    }
                    int nl;
                    while ((nl = text.IndexOf('\n')) >= 0)
                    {
                        var line = text[..nl];
                        if (line.Contains($"probe {Id} ", StringComparison.Ordinal)) lock (Echoes) Echoes.Add(Clock.NowMs());
                        text = text[(nl + 1)..];
                    }
                    pending.Clear().Append(text);
                }
            }, ct);
            for (long seq = 0; !ct.IsCancellationRequested && !reader.IsCompleted; seq++)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"probe {Id} {seq}\n"), SocketFlags.None, ct);
                await Task.WhenAny(Task.Delay(opt.LineMs, ct), reader);
            }
            await reader;
        }
        catch (OperationCanceledException) { }
        catch (SocketException e) { Close(e.SocketErrorCode.ToString()); }
        catch (IOException e) { Close(e.Message); }
    }

    private void Close(string reason)
    {
        if (ClosedMs is not null) return;
        ClosedMs = Clock.NowMs();
        CloseReason = reason;
    }
}

sealed record RequestResult(long StartMs, int Ms, bool Ok, string? Server, string? Error);

static class RequestLoop
{
    public static async Task RunAsync(Options opt, List<RequestResult> results, CancellationToken ct)
    {
        var request = Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nHost: lab\r\n\r\n");
        var buffer = new byte[8192];
        while (!ct.IsCancellationRequested)
        {
            long t0 = Clock.NowMs();
            var sw = Stopwatch.StartNew();
            bool ok = false;
            string? server = null, error = null;
            using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) })
            using (var one = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                one.CancelAfter(opt.TimeoutMs);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(opt.Target, opt.RequestPort), one.Token);
                    await socket.SendAsync(request, SocketFlags.None, one.Token);
                    var got = new StringBuilder();
                    int n;
                    while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, one.Token)) > 0) got.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    var text = got.ToString();
                    ok = text.StartsWith("HTTP/1.", StringComparison.Ordinal);
                    // the lab's nginx pages name their real server (rs1, rs2 ...)
                    var m = System.Text.RegularExpressions.Regex.Match(text, @"\brs[0-9]+\b");
                    if (m.Success) server = m.Value;
                    if (!ok) error = "no HTTP status line";
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { error = "timeout"; }
                catch (OperationCanceledException) { break; }
                catch (SocketException e) { error = e.SocketErrorCode.ToString(); }
            }
            lock (results) results.Add(new RequestResult(t0, (int)sw.ElapsedMilliseconds, ok, server, error));
            var wait = opt.RequestMs - (int)sw.ElapsedMilliseconds;
            if (wait > 0)
            {
                try { await Task.Delay(wait, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
    }
}
