using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LvsPS.Engine.Control;
using LvsPS.Engine.DataPath;
using LvsPS.Engine.Tests;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;
using LvsPS.Management.Lvsd;

// Roles (bench/connection-listing.sh runs them as separate processes, so each peak RSS is its own):
//   server NAME ENTRIES   a DirectorEngine with ENTRIES SYN_RECV entries (real SYN frames) behind the real control
//                         socket; prints "ready"; on a line on stdin prints its peak RSS and exits
//   client NAME whole|paged   one full listing: whole = ListConnections in one reply (what Get-LvsConnection did
//                         before), paged = ListConnectionPage streamed; prints entries, seconds, peak RSS
//   ping NAME IDLE COUNT  opens IDLE connections that never finish a request, then times COUNT GetStatus calls
return args[0] switch
{
    "server" => Server(args[1], int.Parse(args[2])),
    "client" => Client(args[1], args[2]),
    "ping" => Ping(args[1], int.Parse(args[2]), int.Parse(args[3])),
    _ => throw new ArgumentException("server|client|ping"),
};

static int Server(string name, int entries)
{
    var mac = new byte[] { 2, 0x4c, 0x56, 0, 0, 1 };
    var client = new byte[] { 2, 0x4c, 0x56, 0, 0, 0xc8 };
    var engine = new DirectorEngine(name, mac, 0x0afa0001, new NullSink(), 12);
    var svc = new ServiceSpec { Protocol = LvsProtocol.Tcp, Address = IPAddress.Parse("10.250.0.101"), Port = 80, Scheduler = LvsScheduler.Rr };
    foreach (var rs in new[] { "10.250.0.3", "10.250.0.4", "10.250.0.5" })
        svc.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse(rs), Port = 80, Weight = 1 });
    engine.AddService(svc);
    for (int i = 0; i < entries; i++)
    {
        uint caddr = 0x0b000000u + (uint)(i / 50000); // 11.0.0.x, 50,000 ports each
        engine.ProcessFrame(TestFrames.Tcp(client, mac, caddr, 0x0afa0065, (ushort)(10000 + i % 50000), 80, Frames.Syn, 0));
    }
    GC.Collect();
    DirectorPaths.EnsureDirectories();
    using var server = new ControlServer(DirectorPaths.Socket(name), new Dispatcher(engine).Handle);
    server.Start();
    Console.WriteLine($"ready entries={engine.GetStatus().ConnectionCount} rss_mb={Rss("VmRSS")}");
    Console.ReadLine();
    Console.WriteLine($"server peak_rss_mb={Rss("VmHWM")} rss_mb={Rss("VmRSS")}");
    return 0;
}

static int Client(string name, string mode)
{
    var d = DirectorClient.Connect(name, TimeSpan.FromSeconds(300));
    var sw = Stopwatch.StartNew();
    long n = mode == "whole" ? d.ListConnections().Count : d.EnumerateConnections(new ConnectionQuery()).LongCount();
    sw.Stop();
    Console.WriteLine($"client mode={mode} entries={n} seconds={sw.Elapsed.TotalSeconds:0.00} peak_rss_mb={Rss("VmHWM")}");
    return 0;
}

static int Ping(string name, int idle, int count)
{
    var open = new List<Socket>();
    for (int i = 0; i < idle; i++)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(DirectorPaths.Socket(name)));
        if (i % 2 == 0) s.Send("{\"op\":\"GetSt"u8.ToArray()); // half of them slow senders
        open.Add(s);
    }
    var d = DirectorClient.Connect(name, TimeSpan.FromSeconds(10));
    d.GetStatus(); // warm-up (JIT), not counted
    var times = new List<double>();
    for (int i = 0; i < count; i++)
    {
        var sw = Stopwatch.StartNew();
        d.GetStatus();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"ping idle={idle} count={count} median_ms={times[count / 2]:0.00} p95_ms={times[(int)(count * 0.95)]:0.00} max_ms={times[^1]:0.00}");
    foreach (var s in open) s.Dispose();
    return 0;
}

static long Rss(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith(field + ":", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    return -1;
}

internal sealed class NullSink : IFrameSink
{
    public void Send(ReadOnlySpan<byte> frame) { }
}
