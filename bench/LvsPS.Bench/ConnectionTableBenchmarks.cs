using System.Net;
using BenchmarkDotNet.Attributes;
using LvsPS.Engine.DataPath;
using LvsPS.Engine.Tables;
using LvsPS.Engine.Tests;
using LvsPS.Ipvs.Connections;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Bench;

/// <summary>Keys and engines shared by the connection table's benchmarks and the bytes-per-connection probe.</summary>
internal static class ConnBench
{
    public const uint Vip = 0x0afa0065;
    public static readonly byte[] DirectorMac = { 2, 0x4c, 0x56, 0, 1, 1 };
    public static readonly byte[] ClientMac = { 2, 0x4c, 0x56, 0, 2, 200 };

    /// <summary>The table bits for <paramref name="n"/> entries: about one entry a bucket, as the kernel advises (8..20).</summary>
    public static int BitsFor(int n) => Math.Clamp((int)Math.Ceiling(Math.Log2(Math.Max(n, 1))), 8, 20);

    /// <summary>Flow <paramref name="i"/>: client 10.x.y.z (one per 50,000 flows) and a port from 1024 on.</summary>
    public static (uint Client, ushort Port) Flow(int i) => (0x0a000000u + (uint)(i / 50_000) * 7919u + 1, (ushort)(1024 + i % 50_000));

    public static ConnKey Key(int i)
    {
        var (c, p) = Flow(i);
        return new ConnKey(6, c, p, Vip, 80);
    }

    /// <summary>An engine with one rr service of two resolved real servers, the defence off and room for <paramref name="max"/> entries.</summary>
    public static DirectorEngine Engine(IFrameSink sink, int bits, int max, Func<long> clock = null)
    {
        var e = Engine(sink, bits, clock);
        e.SetDefense(new DefenseSpec { MaxConnections = max, DropEntry = LvsDefenseMode.Off, SecureTcp = LvsDefenseMode.Off });
        return e;
    }

    /// <summary>
    /// An engine (the defence at its defaults) with one rr service, VIP 10.250.0.101:80, over two real servers
    /// (10.250.0.4 and .3) whose ARP replies it has seen, so it forwards at once.
    /// </summary>
    public static DirectorEngine Engine(IFrameSink sink, int bits, Func<long> clock = null)
    {
        var e = new DirectorEngine("bench", DirectorMac, 0x0afa0001, sink, bits, clock);
        e.AddService(new ServiceSpec
        {
            Protocol = LvsProtocol.Tcp,
            Address = IPAddress.Parse("10.250.0.101"),
            Port = 80,
            Scheduler = LvsScheduler.Rr,
            RealServers =
            {
                new RealServerSpec { Address = IPAddress.Parse("10.250.0.4"), Port = 80, Weight = 1 },
                new RealServerSpec { Address = IPAddress.Parse("10.250.0.3"), Port = 80, Weight = 1 },
            },
        });
        e.ProcessFrame(TestFrames.ArpReply(new byte[] { 2, 0x4c, 0x56, 0, 0x11, 3 }, 0x0afa0003, DirectorMac, 0x0afa0001));
        e.ProcessFrame(TestFrames.ArpReply(new byte[] { 2, 0x4c, 0x56, 0, 0x12, 4 }, 0x0afa0004, DirectorMac, 0x0afa0001));
        return e;
    }

    /// <summary>A SYN of flow <paramref name="i"/>.</summary>
    public static byte[] Syn(int i, byte flags = 0x02, int payload = 0)
    {
        var (c, p) = Flow(i);
        return TestFrames.Tcp(ClientMac, DirectorMac, c, Vip, p, 80, flags, payload);
    }

    /// <summary>
    /// Bytes per connection (the lvsd run --conn-bytes probe): the managed heap's growth and the bytes allocated while
    /// <paramref name="n"/> SYNs of distinct flows go through ProcessFrame into a table sized for them (only the
    /// connections remain; the frames are made before the first measurement).
    /// </summary>
    public static void PrintBytesPerConnection(int n)
    {
        var sink = new NullSink();
        var e = Engine(sink, BitsFor(n), n + 16);
        var frame = Syn(0);
        // one frame, its client address and port rewritten in place for each flow
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long heap0 = GC.GetTotalMemory(true);
        long alloc0 = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < n; i++)
        {
            var (c, p) = Flow(i);
            SetClient(frame, c, p);
            DirectorMac.CopyTo(frame, 0);
            e.ProcessFrame(frame);
        }
        long alloc1 = GC.GetAllocatedBytesForCurrentThread();
        long heap1 = GC.GetTotalMemory(true);
        if (e.ConnectionCount != n) throw new InvalidOperationException($"{e.ConnectionCount} entries, expected {n}");
        Console.WriteLine($"{n} connections (table bits {BitsFor(n)}): heap growth {(heap1 - heap0) / (double)n:F1} B/connection, allocated {(alloc1 - alloc0) / (double)n:F1} B/connection");
        GC.KeepAlive(e);
    }

    /// <summary>Sets a TCP frame's source address and port, the IPv4 header checksum recomputed (the TCP one is not checked).</summary>
    public static void SetClient(byte[] f, uint addr, ushort port)
    {
        f[26] = (byte)(addr >> 24); f[27] = (byte)(addr >> 16); f[28] = (byte)(addr >> 8); f[29] = (byte)addr;
        f[24] = 0; f[25] = 0;
        uint sum = 0;
        for (int o = 14; o < 34; o += 2) sum += (uint)(f[o] << 8 | f[o + 1]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        ushort ck = (ushort)~sum;
        f[24] = (byte)(ck >> 8); f[25] = (byte)ck;
        TestFrames.SetSourcePort(f, port);
    }
}

/// <summary>
/// The connection table itself (ip_vs_conn_in_get): a lookup that hits and one that misses, with 1,000 / 100,000 /
/// 1,000,000 entries in a table of about one bucket per entry. The keys come from a shuffled list as long as the table
/// (every entry once, in a random order; the misses are the same clients on another port) and each call takes the
/// next 1,024 of them, so a large table pays the cache misses a busy director pays (a key comes round again only after
/// the whole list), and a small one stays in the cache as it would.
/// </summary>
[MemoryDiagnoser]
public class ConnectionLookupBenchmarks
{
    private const int Batch = 1024;
    private ConnectionTable _table = null!;
    private ConnKey[] _hits = null!, _misses = null!;
    private int _cursor;

    [Params(1_000, 100_000, 1_000_000)]
    public int Entries { get; set; }

    /// <summary>The heap advised to transparent huge pages (lvsd's --huge-pages auto) and collapsed.</summary>
    protected virtual bool HugePages => false;

    [GlobalSetup]
    public void Setup()
    {
        if (HugePages) LvsPS.Engine.Host.HugePages.AdviseManagedHeap();   // as lvsd does at start-up
        _table = new ConnectionTable(ConnBench.BitsFor(Entries));
        for (int i = 0; i < Entries; i++) ConnectionTableFill.Add(_table, ConnBench.Key(i));
        var rnd = new Random(12345);
        int n = (Entries + Batch - 1) / Batch * Batch;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i < Entries ? i : rnd.Next(Entries);
        rnd.Shuffle(order);
        _hits = new ConnKey[n];
        _misses = new ConnKey[n];
        for (int i = 0; i < n; i++)
        {
            _hits[i] = ConnBench.Key(order[i]);
            var (c, p) = ConnBench.Flow(order[i]);
            _misses[i] = new ConnKey(6, c, p, ConnBench.Vip, 81); // never in the table
        }
        for (int i = 0; i < n; i += Batch) { _cursor = i; if (!Hit()) throw new InvalidOperationException("a hit missed"); }
        for (int i = 0; i < n; i += Batch) { _cursor = i; if (!HitAhead()) throw new InvalidOperationException("a hit looking ahead missed"); }
        for (int i = 0; i < n; i += Batch) { _cursor = i; if (Miss()) throw new InvalidOperationException("a miss hit"); }
        _cursor = 0;
        if (HugePages)
        {
            // where khugepaged brings lvsd's heap within about a minute, at once; the log line says what was reached
            LvsPS.Engine.Host.HugePages.CollapseManagedHeap();
            Console.WriteLine("// " + string.Join(", ", File.ReadAllLines("/proc/self/smaps_rollup")
                .Where(l => l.StartsWith("Rss", StringComparison.Ordinal) || l.StartsWith("AnonHugePages", StringComparison.Ordinal))
                .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))));
        }
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public bool Hit()
    {
        bool all = true;
        var keys = _hits;
        int from = Take(keys);
        for (int i = from; i < from + Batch; i++) all &= ConnectionTableFill.Found(_table, in keys[i]);
        return all;
    }

    /// <summary>Where this call's 1,024 keys start; the next call takes the 1,024 after them (round the list).</summary>
    private int Take(ConnKey[] keys)
    {
        int from = _cursor;
        _cursor = from + Batch == keys.Length ? 0 : from + Batch;
        return from;
    }

    /// <summary>
    /// <see cref="Hit"/> as the receive loop runs it over a run of frames (FlowLookAhead): each key's bucket is
    /// prefetched 8 keys before its turn, the bucket's head entry 4 keys before and the entry after the head 2 before.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public bool HitAhead()
    {
        bool all = true;
        var keys = _hits;
        var t = _table;
        int from = Take(keys), end = from + Batch;
        const int Far = FlowLookAhead.BucketAhead, Near = FlowLookAhead.EntryAhead, Nearer = FlowLookAhead.NextAhead;
        Span<int> buckets = stackalloc int[Far];
        for (int i = from; i < from + Far; i++) buckets[i & (Far - 1)] = t.PrefetchBucket(in keys[i]);
        for (int i = from; i < end; i++)
        {
            if (i + Nearer < end) t.PrefetchSecond(buckets[(i + Nearer) & (Far - 1)]);
            if (i + Near < end) t.PrefetchHead(buckets[(i + Near) & (Far - 1)]);
            if (i + Far < end) buckets[i & (Far - 1)] = t.PrefetchBucket(in keys[i + Far]);
            all &= ConnectionTableFill.Found(t, in keys[i]);
        }
        return all;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public bool Miss()
    {
        bool any = false;
        var keys = _misses;
        int from = Take(keys);
        for (int i = from; i < from + Batch; i++) any |= ConnectionTableFill.Found(_table, in keys[i]);
        return any;
    }
}

/// <summary>
/// The same lookups with the managed heap on transparent huge pages, as lvsd runs by default (--huge-pages auto: the
/// GC's reservation advised at start-up, Host/HugePages.cs): each read far from the last then also finds its page in the
/// TLB. The setup collapses the heap at once to the state khugepaged reaches within about a minute, and prints the Rss
/// and AnonHugePages it reached.
/// </summary>
public class ConnectionLookupHugePagesBenchmarks : ConnectionLookupBenchmarks
{
    protected override bool HugePages => true;
}

/// <summary>
/// The new-connection path through the engine: one SYN of a flow never seen (ProcessFrame: parse, service, lookup
/// miss, admission, rr, the entry made and linked, state SYN_RECV, counters, DR rewrite, the sink), 50,000 per
/// iteration into a 2^16 table. <see cref="SynIntoNewTable"/>: a fresh engine each iteration, so the table grows from
/// 0 to 50,000 and every entry is new (the GC's cost of keeping them included). <see cref="SynSteadyState"/>: one
/// engine; before each iteration the clock moves 61 s and Tick expires the last iteration's 50,000 entries, as a
/// director at a steady rate does, so the new connections take entries that were given back.
/// </summary>
[MemoryDiagnoser]
public class NewConnectionBenchmarks
{
    private const int PerIteration = 50_000;
    private NullSink _sink = null!;
    private DirectorEngine _engine = null!, _steady = null!;
    private byte[] _frame = null!;
    private int _next;
    private long _now = 1_000_000;
    private (uint, ushort)[] _flows = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sink = new NullSink();
        _frame = ConnBench.Syn(0);
        _flows = new (uint, ushort)[PerIteration];
        for (int i = 0; i < PerIteration; i++) _flows[i] = ConnBench.Flow(i);
        _steady = ConnBench.Engine(_sink, 16, PerIteration + 16, () => _now);
    }

    [IterationSetup(Target = nameof(SynIntoNewTable))]
    public void Fresh()
    {
        _engine = ConnBench.Engine(_sink, 16, PerIteration + 16);
        _next = 0;
    }

    [IterationSetup(Target = nameof(SynSteadyState))]
    public void Expire()
    {
        _now += 61_000;
        _steady.Tick();
        if (_steady.ConnectionCount != 0) throw new InvalidOperationException("not expired");
        _engine = _steady;
        _next = 0;
    }

    [Benchmark]
    [InvocationCount(PerIteration)]
    public void SynIntoNewTable() => Syn();

    [Benchmark]
    [InvocationCount(PerIteration)]
    public void SynSteadyState() => Syn();

    private void Syn()
    {
        var (c, p) = _flows[_next++];
        ConnBench.SetClient(_frame, c, p);
        ConnBench.DirectorMac.CopyTo(_frame, 0);
        _engine.ProcessFrame(_frame);
    }
}

/// <summary>
/// The new-connection path with the table and its entries in the cache: 1,024 SYNs of flows not in the table (2^10
/// buckets), then the clock moves 61 s and Tick expires them all, as a director at a steady rate does; so every SYN is a
/// lookup miss, an rr decision and an entry taken from the free list (0 B), and the figure per SYN includes its share
/// of the Tick that expires it. Against <see cref="NewConnectionBenchmarks"/> (50,000 entries, out of the cache) it
/// separates the path's own cost from the memory's.
/// </summary>
[MemoryDiagnoser]
public class NewConnectionInCacheBenchmarks
{
    private const int Flows = 1024;
    private NullSink _sink = null!;
    private DirectorEngine _engine = null!;
    private byte[][] _syns = null!;
    private long _now = 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        _sink = new NullSink();
        _engine = ConnBench.Engine(_sink, ConnBench.BitsFor(Flows), Flows + 16, () => _now);
        _syns = new byte[Flows][];
        for (int i = 0; i < Flows; i++) _syns[i] = ConnBench.Syn(i);
        // Twice, so the second round takes its entries from the free list; every SYN must be forwarded, every entry expired.
        for (int round = 0; round < 2; round++)
        {
            long forwarded = Syns();
            if (forwarded != Flows || _engine.ConnectionCount != Flows)
                throw new InvalidOperationException($"forwarded {forwarded} of {Flows} SYNs, {_engine.ConnectionCount} entries");
            Expire();
            if (_engine.ConnectionCount != 0) throw new InvalidOperationException($"{_engine.ConnectionCount} entries not expired");
        }
    }

    [Benchmark(OperationsPerInvoke = Flows)]
    public void SynAndExpiry()
    {
        Syns();
        Expire();
    }

    private long Syns()
    {
        long before = _sink.Sent;
        foreach (var syn in _syns)
        {
            ConnBench.DirectorMac.CopyTo(syn, 0); // the DR rewrite changed it
            _engine.ProcessFrame(syn);
        }
        return _sink.Sent - before;
    }

    private void Expire()
    {
        _now += 61_000;
        _engine.Tick();
    }
}

/// <summary>An established segment when the table holds 1,000,000 connections (bits 20), 4,096 flows in turn.</summary>
[MemoryDiagnoser]
public class LargeTableSegmentBenchmarks
{
    private const int Entries = 1_000_000, Flows = 4096;
    private DirectorEngine _engine = null!;
    private byte[][] _frames = null!;
    private int _i;
    private NullSink _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sink = new NullSink();
        _engine = ConnBench.Engine(_sink, 20, Entries + 16);
        var syn = ConnBench.Syn(0);
        for (int i = 0; i < Entries; i++)
        {
            var (c, p) = ConnBench.Flow(i);
            ConnBench.SetClient(syn, c, p);
            ConnBench.DirectorMac.CopyTo(syn, 0);
            _engine.ProcessFrame(syn);
        }
        var rnd = new Random(7);
        _frames = new byte[Flows][];
        for (int i = 0; i < Flows; i++)
        {
            _frames[i] = ConnBench.Syn(rnd.Next(Entries), 0x18, 512);
            ConnBench.DirectorMac.CopyTo(_frames[i], 0);
            _engine.ProcessFrame(_frames[i]); // ACK: ESTABLISHED
        }
        long before = _sink.Sent;
        EstablishedSegmentLargeTable();
        if (_sink.Sent != before + 1 || _engine.ConnectionCount != Entries) throw new InvalidOperationException("not forwarded");
    }

    [Benchmark]
    public void EstablishedSegmentLargeTable()
    {
        var f = _frames[_i++ & (Flows - 1)];
        ConnBench.DirectorMac.CopyTo(f, 0);
        _engine.ProcessFrame(f);
    }
}

/// <summary>The table's own API, in one place (the only part that follows the table's shape).</summary>
internal static class ConnectionTableFill
{
    public static void Add(ConnectionTable t, ConnKey k) => t.Add(new Connection { Key = k, State = LvsConnectionState.Established });

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Found(ConnectionTable t, in ConnKey k) => t.Find(k) is not null;
}

/// <summary>
/// The receive loop's look-ahead (FlowLookAhead) through the engine with 1,000,000 established connections: blocks of
/// 64 data segments of random connections, as a TPACKET_V3 block holds them under load. Each block's frames are first
/// written (client address and port, IPv4 checksum, the director's MAC), as the kernel writes them into the ring;
/// <see cref="WriteOnly"/> is that cost alone. <see cref="Plain"/> hands each frame to ProcessFrame in turn;
/// <see cref="LookAhead"/> does as PacketLink's V3 loop does, the bucket 8 frames and the entry 4 frames ahead.
/// </summary>
[MemoryDiagnoser]
public class LookAheadBenchmarks
{
    private const int Entries = 1_000_000, Block = 64, Blocks = 16;
    private NullSink _sink = null!;
    private DirectorEngine _engine = null!;
    private byte[][] _frames = null!;
    private (uint Client, ushort Port)[] _order = null!;
    private int _cursor;

    [GlobalSetup]
    public void Setup()
    {
        _sink = new NullSink();
        _engine = ConnBench.Engine(_sink, 20, Entries + 16);
        var syn = ConnBench.Syn(0);
        var ack = ConnBench.Syn(0, 0x10);
        for (int i = 0; i < Entries; i++)
        {
            var (c, p) = ConnBench.Flow(i);
            foreach (var f in new[] { syn, ack }) { ConnBench.SetClient(f, c, p); ConnBench.DirectorMac.CopyTo(f, 0); _engine.ProcessFrame(f); }
        }
        if (_engine.ConnectionCount != Entries) throw new InvalidOperationException($"{_engine.ConnectionCount} entries");
        var rnd = new Random(12345);
        var idx = Enumerable.Range(0, Entries).ToArray();
        rnd.Shuffle(idx);
        _order = idx.Select(ConnBench.Flow).ToArray();
        _frames = Enumerable.Range(0, Block).Select(_ => ConnBench.Syn(0, 0x18, 100)).ToArray();
        long before = _sink.Sent;
        LookAhead();
        if (_sink.Sent - before != Block * Blocks) throw new InvalidOperationException($"{_sink.Sent - before} of {Block * Blocks} frames forwarded");
    }

    private void Write()
    {
        for (int i = 0; i < Block; i++)
        {
            var (c, p) = _order[_cursor];
            _cursor = _cursor + 1 == _order.Length ? 0 : _cursor + 1;
            ConnBench.SetClient(_frames[i], c, p);
            ConnBench.DirectorMac.CopyTo(_frames[i], 0);
        }
    }

    [Benchmark(OperationsPerInvoke = Block * Blocks)]
    public void WriteOnly()
    {
        for (int b = 0; b < Blocks; b++) Write();
    }

    [Benchmark(OperationsPerInvoke = Block * Blocks)]
    public void Plain()
    {
        var e = _engine;
        for (int b = 0; b < Blocks; b++)
        {
            Write();
            for (int i = 0; i < Block; i++) e.ProcessFrame(_frames[i], 0);
        }
    }

    [Benchmark(OperationsPerInvoke = Block * Blocks)]
    public void LookAhead()
    {
        var e = _engine;
        IFrameProcessor p = e;
        var ahead = new FlowLookAhead();
        for (int b = 0; b < Blocks; b++)
        {
            Write();
            if (!p.WantsLookAhead) throw new InvalidOperationException("no look-ahead with 1,000,000 entries");
            int ai = 0;
            for (; ai < FlowLookAhead.BucketAhead; ai++) ahead.Far(p, ai, _frames[ai], 0);
            for (int i = 0; i < Block; i++)
            {
                ahead.Step(p, i, Block);
                if (ai < Block) { ahead.Far(p, ai, _frames[ai], 0); ai++; }
                e.ProcessFrame(_frames[i], 0);
            }
        }
    }
}
