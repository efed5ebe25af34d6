using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;
using LvsPS.Engine.DataPath;
using LvsPS.Engine.Tables;
using LvsPS.Engine.Tests;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Bench;

public static class Program
{
    public static void Main(string[] args)
    {
        // `--conn-bytes N`: the managed heap's growth per connection for N SYNs through the engine (not a benchmark).
        if (args.Length == 2 && args[0] == "--conn-bytes") { ConnBench.PrintBytesPerConnection(int.Parse(args[1])); return; }
        // `--loop Class.Method SECONDS`: the benchmark's GlobalSetup, then the method in a loop, in this process and
        // without BenchmarkDotNet's harness, for a profiler (perf record with DOTNET_PerfMapEnabled=1; not a measurement).
        // A [Params] property takes its last (largest) value.
        if (args.Length == 3 && args[0] == "--loop") { Loop(args[1], double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)); return; }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Loop(string name, double seconds)
    {
        int dot = name.LastIndexOf('.');
        var type = typeof(Program).Assembly.GetType("LvsPS.Bench." + name[..dot])
            ?? throw new ArgumentException($"no benchmark class '{name[..dot]}' in LvsPS.Bench", nameof(name));
        var bench = Activator.CreateInstance(type)!;
        foreach (var p in type.GetProperties().Where(p => p.IsDefined(typeof(ParamsAttribute), false)))
            p.SetValue(bench, ((ParamsAttribute)p.GetCustomAttributes(typeof(ParamsAttribute), false)[0]).Values[^1]);
        foreach (var setup in type.GetMethods().Where(m => m.IsDefined(typeof(GlobalSetupAttribute), false))) setup.Invoke(bench, null);
        var method = type.GetMethod(name[(dot + 1)..]) ?? throw new ArgumentException($"no method '{name[(dot + 1)..]}' in {type.Name}", nameof(name));
        // a benchmark that returns its result (so that the JIT keeps the work) is called through a Func<bool>
        Action run;
        if (method.ReturnType == typeof(bool)) { var f = (Func<bool>)Delegate.CreateDelegate(typeof(Func<bool>), bench, method); run = () => f(); }
        else run = (Action)Delegate.CreateDelegate(typeof(Action), bench, method);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed.TotalSeconds < seconds) { run(); calls++; }
        Console.WriteLine($"{name}: {calls} calls in {clock.Elapsed.TotalSeconds:F1} s");
    }
}

/// <summary>A sink that drops frames: measures the engine, not the NIC.</summary>
internal sealed class NullSink : IFrameSink
{
    public long Sent;
    public void Send(ReadOnlySpan<byte> frame) => Sent++;
}

/// <summary>
/// The per-packet path of the director: parse Ethernet/IPv4/TCP, find the service and the connection,
/// update the IPVS TCP state and counters, rewrite the MACs and hand the frame to the sink.
/// </summary>
[MemoryDiagnoser]
public class PacketPathBenchmarks
{
    private DirectorEngine _engine = null!;
    private byte[] _data = null!;
    private byte[] _arp = null!;
    private byte[] _syn = null!;
    private byte[] _rst = null!;
    private byte[] _ack = null!;
    private ushort _port = 10000;

    private static readonly byte[] DirectorMac = { 2, 0x4c, 0x56, 0, 1, 1 };
    private static readonly byte[] ClientMac = { 2, 0x4c, 0x56, 0, 2, 200 };

    private NullSink _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sink = new NullSink();
        _engine = ConnBench.Engine(_sink, 12); // rr over 10.250.0.4 and .3, their ARP replies seen
        // One established flow; the benchmark sends its data packets.
        _engine.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, 0x0afa00c8, 0x0afa0065, 40000, 80, 0x02, 0));
        _engine.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, 0x0afa00c8, 0x0afa0065, 40000, 80, 0x10, 0));
        _data = TestFrames.Tcp(ClientMac, DirectorMac, 0x0afa00c8, 0x0afa0065, 40000, 80, 0x18, 512);
        _arp = TestFrames.ArpRequest(ClientMac, 0x0afa00c8, 0x0afa0065);
        _syn = TestFrames.Tcp(ClientMac, DirectorMac, 0x0afa00c8, 0x0afa0065, 1, 80, 0x02, 0);
        _rst = TestFrames.Tcp(ClientMac, DirectorMac, 0x0afa00c8, 0x0afa0065, 1, 80, 0x04, 0);
        _ack = TestFrames.Tcp(ClientMac, DirectorMac, 0x0afa00c8, 0x0afa0065, 1, 80, 0x10, 0);
        // The path measured must be the forwarding one, not an early exit.
        long before = _sink.Sent;
        EstablishedSegment();
        if (_sink.Sent != before + 1) throw new InvalidOperationException("The established segment was not forwarded.");
    }

    /// <summary>A data segment of an established connection (the common case).</summary>
    [Benchmark(Baseline = true)]
    public void EstablishedSegment()
    {
        // The engine rewrites the destination MAC in place; give the frame back to the director each time.
        DirectorMac.CopyTo(_data, 0);
        _engine.ProcessFrame(_data);
    }

    /// <summary>who-has VIP: the engine answers with its MAC.</summary>
    [Benchmark]
    public void ArpRequestForVip() => _engine.ProcessFrame(_arp);

    /// <summary>
    /// A new connection each time: a SYN from a 5-tuple whose previous entry was closed (conn_reuse_mode schedules it
    /// afresh: unlink the old entry, schedule with rr, allocate and link the new one), then an ACK (ESTABLISHED)
    /// and an RST (CLOSE), so the next call finds a closed entry again. Three frames per call; the table stays bounded.
    /// </summary>
    [Benchmark]
    public void NewConnectionSynAckRst()
    {
        _port = (ushort)(_port == 11000 ? 10000 : _port + 1);
        TestFrames.SetSourcePort(_syn, _port);
        DirectorMac.CopyTo(_syn, 0);
        _engine.ProcessFrame(_syn);
        TestFrames.SetSourcePort(_ack, _port);
        DirectorMac.CopyTo(_ack, 0);
        _engine.ProcessFrame(_ack);
        TestFrames.SetSourcePort(_rst, _port);
        DirectorMac.CopyTo(_rst, 0);
        _engine.ProcessFrame(_rst);
    }
}
