namespace LvsPS.Engine.Tests;

public class ConnectionTableTests
{
    private static ConnKey Key(ushort clientPort, uint client = 0x0AFA00C8, byte proto = Frames.ProtoTcp, uint vip = 0x0AFA0065, ushort port = 80) =>
        new(proto, client, clientPort, vip, port);

    private static Connection Conn(ConnKey k) => new() { Key = k, State = LvsConnectionState.Established };

    /// <summary>At least <paramref name="n"/> distinct keys that land in the same bucket of a 2^bits table.</summary>
    private static List<ConnKey> Colliding(int bits, int n)
    {
        int mask = (1 << bits) - 1;
        var byBucket = new Dictionary<int, List<ConnKey>>();
        for (int p = 1; p < 65536; p++)
        {
            var k = Key((ushort)p);
            int b = k.GetHashCode() & mask;
            if (!byBucket.TryGetValue(b, out var list)) byBucket[b] = list = new();
            list.Add(k);
            if (list.Count == n) return list;
        }
        throw new InvalidOperationException("no bucket filled");
    }

    [Theory]
    [InlineData(8, 256)]
    [InlineData(12, 4096)]
    [InlineData(20, 1 << 20)]
    public void Size_Is2PowBits(int bits, int size)
    {
        var t = new ConnectionTable(bits);
        Assert.Equal(size, t.Size);
        Assert.Equal(bits, t.Bits);
        Assert.Equal(0, t.Count);
    }

    [Fact]
    public void DefaultIs4096()
    {
        Assert.Equal(4096, new ConnectionTable().Size);
        Assert.Equal(4096, new DirectorEngine("t", new byte[6], 1, new RecordingSink()).TableSize);
        Assert.Equal(256, new DirectorEngine("t", new byte[6], 1, new RecordingSink(), 8).TableSize);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(21)]
    [InlineData(31)]
    public void OutOfRangeBits_Throw(int bits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionTable(bits));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DirectorEngine("t", new byte[6], 1, new RecordingSink(), bits));
    }

    [Fact]
    public void Engine_RefusesABadMac()
    {
        Assert.Throws<ArgumentException>(() => new DirectorEngine("t", new byte[5], 1, new RecordingSink()));
    }

    [Fact]
    public void FindAddRemove_Simple()
    {
        var t = new ConnectionTable(12);
        var c = Conn(Key(40000));
        Assert.Null(t.Find(c.Key));

        t.Add(c);

        Assert.Same(c, t.Find(Key(40000)));
        Assert.Null(t.Find(Key(40001)));
        Assert.Null(t.Find(Key(40000, proto: Frames.ProtoUdp)));
        Assert.Null(t.Find(Key(40000, client: 0x0AFA00C9)));
        Assert.Null(t.Find(Key(40000, vip: 0x0AFA0066)));
        Assert.Null(t.Find(Key(40000, port: 443)));
        Assert.Equal(1, t.Count);

        Assert.True(t.Remove(c));
        Assert.False(t.Remove(c));
        Assert.Null(t.Find(c.Key));
        Assert.Equal(0, t.Count);
    }

    [Fact]
    public void Collisions_FindEachInTheChain_RemoveHeadMiddleTail()
    {
        var t = new ConnectionTable(8);
        var keys = Colliding(8, 5);
        var conns = keys.Select(Conn).ToList();
        foreach (var c in conns) t.Add(c);
        Assert.Equal(5, t.Count);
        foreach (var c in conns) Assert.Same(c, t.Find(c.Key));

        // The newest is the chain head; the first added is the tail.
        Assert.True(t.Remove(conns[4])); // head
        Assert.True(t.Remove(conns[2])); // middle
        Assert.True(t.Remove(conns[0])); // tail
        Assert.Equal(2, t.Count);
        Assert.Null(t.Find(keys[4]));
        Assert.Null(t.Find(keys[2]));
        Assert.Null(t.Find(keys[0]));
        Assert.Same(conns[1], t.Find(keys[1]));
        Assert.Same(conns[3], t.Find(keys[3]));
        Assert.Equal(new[] { conns[1], conns[3] }.OrderBy(c => c.Key.ClientPort), t.All().OrderBy(c => c.Key.ClientPort));

        // An object with an equal key that is not in the table is not removed.
        Assert.False(t.Remove(Conn(keys[1])));
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void Collisions_RemoveWhere_UnlinksTheRightOnes()
    {
        var t = new ConnectionTable(8);
        var colliding = Colliding(8, 6).Select(Conn).ToList();
        var others = Enumerable.Range(0, 300).Select(i => Conn(Key((ushort)(50000 + i), client: 0x0B000000))).ToList();
        foreach (var c in colliding.Concat(others)) t.Add(c);
        int total = t.Count;
        Assert.Equal(306, total);

        var removed = new List<Connection>();
        int n = t.RemoveWhere(c => c.Key.ClientPort % 2 == 0, removed.Add);

        var expectedRemoved = colliding.Concat(others).Where(c => c.Key.ClientPort % 2 == 0).ToHashSet();
        Assert.Equal(expectedRemoved.Count, n);
        Assert.Equal(expectedRemoved.Count, removed.Count);
        Assert.True(expectedRemoved.SetEquals(removed));
        Assert.Equal(total - n, t.Count);
        Assert.All(removed, c => Assert.Null(c.Next));
        foreach (var c in colliding.Concat(others))
        {
            if (expectedRemoved.Contains(c)) Assert.Null(t.Find(c.Key));
            else Assert.Same(c, t.Find(c.Key));
        }
        Assert.Equal(t.Count, t.All().Count());

        Assert.Equal(t.Count, t.RemoveWhere(_ => true, _ => { }));
        Assert.Equal(0, t.Count);
        Assert.Empty(t.All());
    }

    [Fact]
    public void RemoveWhere_WholeChain()
    {
        var t = new ConnectionTable(8);
        var conns = Colliding(8, 4).Select(Conn).ToList();
        foreach (var c in conns) t.Add(c);

        Assert.Equal(4, t.RemoveWhere(_ => true, _ => { }));

        Assert.Equal(0, t.Count);
        foreach (var c in conns) Assert.Null(t.Find(c.Key));
        t.Add(conns[0]);
        Assert.Same(conns[0], t.Find(conns[0].Key));
    }

    [Fact]
    public void ManyEntries_AllFound()
    {
        var t = new ConnectionTable(8); // 256 buckets, 5000 entries: long chains
        var conns = new List<Connection>();
        for (int i = 0; i < 5000; i++)
        {
            var c = Conn(Key((ushort)(1024 + i), client: 0x0A000000u + (uint)(i % 7)));
            conns.Add(c);
            t.Add(c);
        }
        Assert.Equal(5000, t.Count);
        Assert.All(conns, c => Assert.Same(c, t.Find(c.Key)));
        Assert.Equal(5000, t.All().Distinct().Count());
    }

    [Fact]
    public void ConnKey_Equality()
    {
        var k = Key(40000);
        Assert.True(k.Equals(Key(40000)));
        Assert.True(k.Equals((object)Key(40000)));
        Assert.Equal(k.GetHashCode(), Key(40000).GetHashCode());
        Assert.False(k.Equals(Key(40001)));
        Assert.False(k.Equals(Key(40000, proto: Frames.ProtoUdp)));
        Assert.False(k.Equals(Key(40000, client: 1)));
        Assert.False(k.Equals(Key(40000, vip: 1)));
        Assert.False(k.Equals(Key(40000, port: 81)));
        Assert.False(k.Equals((object)"x"));
    }
}
