using System.Reflection;
using LvsPS.Ipvs.Scheduling;
using FsCheck;
using FsCheck.Fluent;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The connection table as a data structure: the entry's size, the free list (reuse, what it refuses, its bound),
/// expiry and growth through the engine, a million entries, and a property test against a dictionary model.
/// </summary>
public class ConnectionTableModelTests
{
    private static ConnKey Key(int i, byte proto = Frames.ProtoTcp) =>
        new(proto, 0x0A000000u + (uint)(i >> 16), (ushort)i, 0x0AFA0065, 80);

    private static Connection Entry(ConnectionTable t, ConnKey k)
    {
        var c = t.Rent();
        c.Key = k;
        c.State = LvsConnectionState.Established;
        return c;
    }

    [Fact]
    public void AnEntry_Is112Bytes_OnThe64BitRuntime()
    {
        Assert.Equal(8, IntPtr.Size);
        new Connection(); // JIT and type loading first
        long before = GC.GetAllocatedBytesForCurrentThread();
        var keep = new Connection[1000];
        for (int i = 0; i < keep.Length; i++) keep[i] = new Connection();
        long per = (GC.GetAllocatedBytesForCurrentThread() - before - (24 + 8L * keep.Length)) / keep.Length;
        Assert.Equal(112, per);
        GC.KeepAlive(keep);
    }

    [Fact]
    public void Key_RoundTrips_AndMatchesComparesEveryField()
    {
        var k = new ConnKey(Frames.ProtoUdp, 0xC0A80001, 65535, 0x0AFA0065, 53);
        var c = new Connection { Key = k };
        Assert.Equal(k, c.Key);
        Assert.True(c.Matches(k));
        Assert.False(c.Matches(new ConnKey(Frames.ProtoTcp, 0xC0A80001, 65535, 0x0AFA0065, 53)));
        Assert.False(c.Matches(new ConnKey(Frames.ProtoUdp, 0xC0A80002, 65535, 0x0AFA0065, 53)));
        Assert.False(c.Matches(new ConnKey(Frames.ProtoUdp, 0xC0A80001, 65534, 0x0AFA0065, 53)));
        Assert.False(c.Matches(new ConnKey(Frames.ProtoUdp, 0xC0A80001, 65535, 0x0AFA0066, 53)));
        Assert.False(c.Matches(new ConnKey(Frames.ProtoUdp, 0xC0A80001, 65535, 0x0AFA0065, 54)));
    }

    [Fact]
    public void CompactFields_HoldWhatIsStored()
    {
        var c = new Connection();
        foreach (var s in Enum.GetValues<LvsConnectionState>()) { c.State = s; c.SyncSentState = s; Assert.Equal(s, c.State); Assert.Equal(s, c.SyncSentState); }
        foreach (var f in Enum.GetValues<LvsForwarding>()) { c.Forwarding = f; Assert.Equal(f, c.Forwarding); }
        c.Link = 1;
        Assert.Equal(1, c.Link);
        c.TimeoutMs = 31_536_000_000L; // a year of persistence
        Assert.Equal(31_536_000_000L, c.TimeoutMs);
        foreach (var (inactive, template, reply, synced) in new[] { (true, false, true, false), (false, true, false, true), (true, true, true, true), (false, false, false, false) })
        {
            c.Inactive = inactive; c.IsTemplate = template; c.InReplyIndex = reply; c.Synced = synced;
            Assert.Equal((inactive, template, reply, synced), (c.Inactive, c.IsTemplate, c.InReplyIndex, c.Synced));
        }
        Assert.False(c.HasClientMac);
        var to = new byte[6];
        Assert.False(c.CopyClientMac(to));
        Assert.Null(c.ClientMacBytes());
        c.SetClientMac(new byte[] { 0xff, 0x00, 0x4c, 0x56, 0x02, 0x80 });
        Assert.True(c.CopyClientMac(to));
        Assert.Equal(new byte[] { 0xff, 0x00, 0x4c, 0x56, 0x02, 0x80 }, to);
        Assert.Equal(to, c.ClientMacBytes());
        c.SetClientMac(new byte[6]); // an all-zero MAC is still a MAC
        Assert.True(c.HasClientMac);
        c.Packets = (1UL << 32) + 5;
        c.SyncSentPackets = c.Packets;
        Assert.False(c.MovedSinceSync);
        c.Packets++;
        Assert.True(c.MovedSinceSync);
    }

    /// <summary>Every instance field of a reused entry equals a new entry's: nothing of the last connection survives.</summary>
    [Fact]
    public void Recycle_ThenRent_GivesTheSameObjectBlank()
    {
        var t = new ConnectionTable(8);
        var c = t.Rent();
        c.Key = Key(7);
        c.Dest = new Destination(System.Net.IPAddress.Loopback, 80, LvsForwarding.Masq, 1);
        c.Service = null!;
        c.State = LvsConnectionState.FinWait;
        c.Inactive = true; c.IsTemplate = false; c.InReplyIndex = true; c.Synced = true;
        c.ExpiresAtMs = 99; c.Packets = 5; c.Forwarding = LvsForwarding.Masq; c.Link = 1; c.RealPort = 8080; c.TimeoutMs = 60_000;
        c.Control = new Connection { IsTemplate = true }; c.Controlled = 3; c.SetClientMac(new byte[] { 1, 2, 3, 4, 5, 6 });
        c.SyncSentAtMs = 4; c.SyncSentState = LvsConnectionState.SynRecv; c.SyncSentPackets = 2;
        t.Add(c);
        Assert.True(t.Remove(c));
        t.Recycle(c);
        Assert.Equal(1, t.FreeCount);
        Assert.True(c.IsFree);
        Assert.Null(c.Dest); // references let go at once
        Assert.Null(c.Control);

        var again = t.Rent();
        Assert.Same(c, again);
        Assert.Equal(0, t.FreeCount);
        var fresh = new Connection();
        foreach (var f in typeof(Connection).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Assert.True(Equals(f.GetValue(fresh), f.GetValue(again)), $"{f.Name}: {f.GetValue(again)} after reuse, {f.GetValue(fresh)} when new");
        Assert.NotSame(again, t.Rent()); // the list is empty: a new object
    }

    [Fact]
    public void Recycle_RefusesTemplates_Twice_AndBeyondTheBound()
    {
        var t = new ConnectionTable(8);
        t.Recycle(new Connection { IsTemplate = true });
        Assert.Equal(0, t.FreeCount);
        var c = new Connection();
        t.Recycle(c);
        t.Recycle(c);
        Assert.Equal(1, t.FreeCount);
        for (int i = 0; i < ConnectionTable.FreeListMax + 10; i++) t.Recycle(new Connection());
        Assert.Equal(ConnectionTable.FreeListMax, t.FreeCount);
        var seen = new HashSet<Connection>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < ConnectionTable.FreeListMax; i++) Assert.True(seen.Add(t.Rent()));
        Assert.Equal(0, t.FreeCount);
    }

    /// <summary>
    /// Through the engine: connections that expire go to the free list and the next new connections reuse them, so a
    /// steady rate of new connections allocates nothing; templates are not reused.
    /// </summary>
    [Fact]
    public void Engine_ExpiredEntries_AreReusedByNewConnections_WithoutAllocating()
    {
        long now = 1_000_000;
        var sink = new CountingSink();
        var e = new DirectorEngine("pool", (byte[])EngineHarness.DirectorMac.Clone(), EngineHarness.DirectorIp, sink, 12, () => now);
        var spec = EngineHarness.Spec(80, LvsScheduler.Rr);
        e.AddService(spec);
        e.AddRealServer(spec, EngineHarness.Real(EngineHarness.Rs1));
        e.ProcessFrame(TestFrames.ArpReply(EngineHarness.Rs1Mac, EngineHarness.Rs1, EngineHarness.DirectorMac, EngineHarness.DirectorIp));
        var syn = TestFrames.Tcp(EngineHarness.ClientMac, EngineHarness.DirectorMac, EngineHarness.Client, EngineHarness.Vip, 1000, 80, Frames.Syn, 0);
        void Syns(int from, int n)
        {
            for (int i = 0; i < n; i++)
            {
                TestFrames.SetSourcePort(syn, (ushort)(from + i));
                EngineHarness.DirectorMac.CopyTo(syn, 0);
                e.ProcessFrame(syn);
            }
        }
        Syns(1000, 500);
        Assert.Equal(500, e.ConnectionCount);
        Assert.True(sink.Count >= 500, $"{sink.Count} frames sent");
        int from = 0;
        long allocated = Allocations.Least(
            prepare: attempt =>
            {
                if (attempt > 0) Assert.Equal(500, e.ListConnections().Count(c => c.State == LvsConnectionState.SynRecv && c.ClientPort >= from && c.ClientPort < from + 500));
                now += 61_000; // SYN_RECV lives 60 s: the last window's entries expire onto the free list
                e.Tick();
                Assert.Equal(0, e.ConnectionCount);
                from = 2000 + attempt * 1000;
            },
            window: _ => Syns(from, 500),
            attempts: 4);
        Assert.Equal(0, allocated);
        Assert.Equal(500, e.ConnectionCount);
        Assert.Equal(500, e.ListConnections().Count(c => c.State == LvsConnectionState.SynRecv && c.ClientPort >= from && c.ClientPort < from + 500));
        Assert.Equal(500, e.ListServices()[0].RealServers[0].ActiveConnections);
    }

    [Fact]
    public void ManyCollidingHashes_OneBucket_InsertFindRemoveReuse()
    {
        var t = new ConnectionTable(8);
        // 2,000 keys in one bucket of 256
        var keys = new List<ConnKey>();
        int bucket = t.BucketOf(Key(0));
        for (int i = 0; keys.Count < 2000; i++) if (t.BucketOf(Key(i)) == bucket) keys.Add(Key(i));
        var entries = keys.Select(k => { var c = Entry(t, k); t.Add(c); return c; }).ToList();
        Assert.Equal(2000, t.Count);
        for (int i = 0; i < keys.Count; i += 7) Assert.Same(entries[i], t.Find(keys[i]));
        for (int i = 0; i < keys.Count; i += 2) { Assert.True(t.Remove(entries[i])); t.Recycle(entries[i]); }
        Assert.Equal(1000, t.Count);
        for (int i = 0; i < keys.Count; i++)
            if (i % 2 == 0) Assert.Null(t.Find(keys[i])); else Assert.Same(entries[i], t.Find(keys[i]));
        // the freed entries carry the next keys
        var reused = Entry(t, Key(1 << 20));
        Assert.Contains(reused, entries);
        t.Add(reused);
        Assert.Same(reused, t.Find(Key(1 << 20)));
        Assert.Equal(1001, t.All().Count());
        Assert.Equal(1001, t.RemoveInBucket(bucket, _ => true, _ => { }) + t.RemoveWhere(_ => true, _ => { }));
        Assert.Equal(0, t.Count);
    }

    /// <summary>A million entries in a 2^20 table: all found, half removed, the rest still found, the listing whole (not timed).</summary>
    [Fact]
    public void OneMillionEntries_Functional()
    {
        const int n = 1_000_000;
        var t = new ConnectionTable(20);
        var entries = new Connection[n];
        for (int i = 0; i < n; i++) t.Add(entries[i] = Entry(t, Key(i)));
        Assert.Equal(n, t.Count);
        for (int i = 0; i < n; i++) Assert.Same(entries[i], t.Find(Key(i)));
        Assert.Null(t.Find(Key(n)));
        int removed = t.RemoveWhere(c => (c.Key.ClientPort & 1) == 0, t.Recycle);
        Assert.Equal(n / 2, removed);
        Assert.Equal(n / 2, t.Count);
        Assert.Equal(ConnectionTable.FreeListMax, t.FreeCount);
        for (int i = 1; i < n; i += 2) Assert.Same(entries[i], t.Find(Key(i)));
        for (int i = 0; i < n; i += 1000) Assert.Null(t.Find(Key(i)));
        Assert.Equal(n / 2, t.All().Count());
        int scanned = 0, next = 0;
        while (next < t.Size) next = t.ScanBuckets(next, _ => scanned++, () => scanned % 100_000 == 0);
        Assert.Equal(n / 2, scanned);
    }

    /// <summary>One step of a random run: 0 add, 1 remove, 2 find, 3 remove where (by port parity), 4 remove in the key's bucket.</summary>
    public readonly record struct Op(int Kind, int Key);

    /// <summary>
    /// Random sequences of adds (of keys not in the table), removes, finds, filtered removes and single-bucket removes
    /// with recycling, over 600 keys in 256 buckets (long chains): after every step the table holds exactly what a
    /// dictionary model holds, each key finds its own entry, and Count, All and the bucket scan agree with the model.
    /// </summary>
    [Fact]
    public void Property_BehavesLikeADictionary()
    {
        var ops = Gen.ListOf(Gen.Zip(Gen.Frequency((5, Gen.Constant(0)), (2, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Constant(3)), (1, Gen.Constant(4))),
            Gen.Choose(0, 599)).Select(x => new Op(x.Item1, x.Item2)));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true), Prop.ForAll(Arb.From(ops), run =>
        {
            var t = new ConnectionTable(8);
            var model = new Dictionary<ConnKey, Connection>();
            foreach (var op in run)
            {
                var k = Key(op.Key * 977, op.Key % 3 == 0 ? Frames.ProtoUdp : Frames.ProtoTcp);
                switch (op.Kind)
                {
                    case 0:
                        if (model.ContainsKey(k)) break;
                        var c = Entry(t, k);
                        Assert.False(c.IsFree);
                        t.Add(c);
                        model[k] = c;
                        break;
                    case 1:
                        if (model.Remove(k, out var r)) { Assert.True(t.Remove(r)); t.Recycle(r); }
                        else Assert.Null(t.Find(k));
                        break;
                    case 2:
                        Assert.Same(model.GetValueOrDefault(k), t.Find(k));
                        break;
                    case 3:
                        var gone = new List<Connection>();
                        int n = t.RemoveWhere(x => x.Key.ClientPort % 4 == op.Key % 4, gone.Add);
                        var expected = model.Where(p => p.Key.ClientPort % 4 == op.Key % 4).ToList();
                        Assert.Equal(expected.Count, n);
                        foreach (var p in expected) { model.Remove(p.Key); Assert.Contains(p.Value, gone); }
                        foreach (var x in gone) t.Recycle(x);
                        break;
                    case 4:
                        int b = t.BucketOf(k);
                        var inBucket = model.Where(p => t.BucketOf(p.Key) == b).ToList();
                        Assert.Equal(inBucket.Count, t.RemoveInBucket(b, _ => true, t.Recycle));
                        foreach (var p in inBucket) model.Remove(p.Key);
                        Assert.True(t.IsBucketEmpty(b));
                        break;
                }
                Assert.Equal(model.Count, t.Count);
            }
            foreach (var p in model) Assert.Same(p.Value, t.Find(p.Key));
            var all = t.All().ToList();
            Assert.Equal(model.Count, all.Count);
            Assert.True(all.ToHashSet(ReferenceEqualityComparer.Instance).SetEquals(model.Values));
            Assert.All(all, x => Assert.False(x.IsFree));
        }));
    }
}
