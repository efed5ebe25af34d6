namespace LvsPS.Engine.Tests;

/// <summary>The table's single-bucket operations the defence uses, and the move to the front of a found entry.</summary>
public class ConnectionTableBucketTests
{
    private static ConnKey Key(ushort clientPort) => new(Frames.ProtoTcp, 0x0AFA00C8, clientPort, 0x0AFA0065, 80);

    private static List<Connection> SameBucket(ConnectionTable t, int n)
    {
        var byBucket = new Dictionary<int, List<Connection>>();
        for (int p = 1; p < 65536; p++)
        {
            var k = Key((ushort)p);
            int b = t.BucketOf(k);
            if (!byBucket.TryGetValue(b, out var list)) byBucket[b] = list = new();
            list.Add(new Connection { Key = k, State = LvsConnectionState.SynRecv });
            if (list.Count == n) return list;
        }
        throw new InvalidOperationException("no bucket filled");
    }

    [Fact]
    public void Find_MovesADeepHitToTheFront_AndKeepsEveryEntry()
    {
        var t = new ConnectionTable(8);
        var conns = SameBucket(t, 5);
        foreach (var c in conns) t.Add(c); // conns[0] is now the last of its chain
        Assert.Same(conns[0], t.Find(conns[0].Key));
        int b = t.BucketOf(conns[0].Key);
        var chain = t.All().Where(c => t.BucketOf(c.Key) == b).ToList();
        Assert.Same(conns[0], chain[0]);
        Assert.Equal(5, chain.Count);
        Assert.Equal(5, t.Count);
        foreach (var c in conns) Assert.Same(c, t.Find(c.Key));
        Assert.Null(t.Find(Key(0)));
    }

    [Fact]
    public void RemoveInBucket_RemovesOnlyThatBucket_AtMostMax()
    {
        var t = new ConnectionTable(8);
        var conns = SameBucket(t, 4);
        foreach (var c in conns) t.Add(c);
        var other = Enumerable.Range(1, 2000).Select(p => Key((ushort)p)).First(k => t.BucketOf(k) != t.BucketOf(conns[0].Key));
        t.Add(new Connection { Key = other, State = LvsConnectionState.SynRecv });
        var removed = new List<Connection>();
        Assert.Equal(2, t.RemoveInBucket(t.BucketOf(conns[0].Key), _ => true, removed.Add, max: 2));
        Assert.Equal(2, removed.Count);
        Assert.Equal(3, t.Count);
        Assert.NotNull(t.Find(other));
        Assert.False(t.IsBucketEmpty(t.BucketOf(conns[0].Key)));
        Assert.Equal(2, t.RemoveInBucket(t.BucketOf(conns[0].Key) + t.Size, _ => true, removed.Add)); // modulo the size
        Assert.True(t.IsBucketEmpty(t.BucketOf(conns[0].Key)));
    }
}
