using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// A connection table of 120,000 entries made of real SYN (and ACK) frames, listed a page at a time on the
/// engine and through the real control socket: every entry comes exactly once, each filter returns exactly the
/// entries that match it (counted from what was sent, not from the filter), -First stops early, bad cursors and
/// page sizes are refused.
/// </summary>
public sealed class ConnectionListingTests : IClassFixture<ConnectionListingTests.BigTable>
{
    public const int Clients = 100, PortsPerClient = 1200, EstablishedClients = 10;
    public const int Total = Clients * PortsPerClient;

    public static uint ClientIp(int i) => 0x0AFB0000u | (uint)((i / 250) << 8) | (uint)(i % 250 + 1); // 10.251.x.y

    /// <summary>The engine with the big table, and the control socket in front of it (built once for the class).</summary>
    public sealed class BigTable : IDisposable
    {
        internal readonly EngineHarness H = new(tableBits: 14); // room for 120,000 entries under the connection limit (16 x 2^bits)
        public readonly string Name = "lst" + Guid.NewGuid().ToString("N")[..10];
        private readonly ControlServer _server;

        public BigTable()
        {
            H.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1), (Rs3, 1));
            H.AddService(443, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1), (Rs3, 1));
            H.ResolveAll(Rs1, Rs2, Rs3);
            for (int c = 0; c < Clients; c++)
            {
                for (int p = 0; p < PortsPerClient; p++)
                {
                    ushort cport = (ushort)(20000 + p), vport = (ushort)(p % 2 == 0 ? 80 : 443);
                    H.Engine.ProcessFrame(H.Tcp(cport, Frames.Syn, 0, vport, Vip, ClientIp(c)));
                    if (c < EstablishedClients) H.Engine.ProcessFrame(H.Tcp(cport, Frames.Ack, 0, vport, Vip, ClientIp(c)));
                }
            }
            DirectorPaths.EnsureDirectories();
            _server = new ControlServer(DirectorPaths.Socket(Name), new Dispatcher(H.Engine).Handle);
            _server.Start();
        }

        public void Dispose() => _server.Dispose();
    }

    private readonly BigTable _t;

    public ConnectionListingTests(BigTable t) => _t = t;

    private static (LvsProtocol, IPAddress, ushort, IPAddress, ushort) Key(LvsConnection c) => (c.Protocol, c.ClientAddress, c.ClientPort, c.VirtualAddress, c.Port);

    private IDirector Socket() => DirectorClient.Connect(_t.Name, TimeSpan.FromSeconds(10));

    public static IEnumerable<object[]> Directors() => new[] { new object[] { "engine" }, new object[] { "socket" } };

    private IDirector Director(string which) => which == "engine" ? _t.H.Engine : Socket();

    [Theory]
    [MemberData(nameof(Directors))]
    public void PagingReturnsEveryEntryExactlyOnce(string which)
    {
        Assert.Equal(Total, _t.H.Engine.ListConnections().Count);
        var d = Director(which);
        int pages = 0;
        var seen = new HashSet<(LvsProtocol, IPAddress, ushort, IPAddress, ushort)>();
        var q = new ConnectionQuery { PageSize = 1000 };
        do
        {
            var page = d.ListConnectionPage(q);
            pages++;
            Assert.True(page.Connections.Count <= 1000 + 200, $"page {pages} holds {page.Connections.Count}"); // whole buckets of ~30
            foreach (var c in page.Connections) Assert.True(seen.Add(Key(c)), $"{Key(c)} came twice");
            q.Cursor = page.NextCursor;
        }
        while (q.Cursor is not null);
        Assert.Equal(Total, seen.Count);
        Assert.InRange(pages, Total / 1200, Total / 900 + 2);
        Assert.Equal(_t.H.Engine.ListConnections().Select(Key).ToHashSet(), seen);
    }

    public static IEnumerable<object[]> Filters()
    {
        foreach (var which in new[] { "engine", "socket" })
        {
            yield return new object[] { which, "client 7", new ConnectionQuery { ClientAddress = Ip(ClientIp(7)) }, PortsPerClient };
            yield return new object[] { which, "port 443", new ConnectionQuery { Port = 443 }, Total / 2 };
            yield return new object[] { which, "established", new ConnectionQuery { State = LvsConnectionState.Established }, EstablishedClients * PortsPerClient };
            yield return new object[] { which, "syn_recv", new ConnectionQuery { State = LvsConnectionState.SynRecv }, Total - EstablishedClients * PortsPerClient };
            yield return new object[] { which, "rs2 on 80", new ConnectionQuery { RealAddress = Ip(Rs2), Port = 80 }, Total / 2 / 3 };
            yield return new object[] { which, "client 13, 80, syn_recv", new ConnectionQuery { ClientAddress = Ip(ClientIp(13)), VirtualAddress = Ip(Vip), Port = 80, State = LvsConnectionState.SynRecv }, PortsPerClient / 2 };
            yield return new object[] { which, "client 3, established", new ConnectionQuery { ClientAddress = Ip(ClientIp(3)), State = LvsConnectionState.Established }, PortsPerClient };
            yield return new object[] { which, "one entry", new ConnectionQuery { ClientAddress = Ip(ClientIp(42)), ClientPort = 20001 }, 1 };
            yield return new object[] { which, "another VIP", new ConnectionQuery { VirtualAddress = Ip(Vip2) }, 0 };
            yield return new object[] { which, "udp", new ConnectionQuery { Protocol = LvsProtocol.Udp }, 0 };
            yield return new object[] { which, "an IPv6 client", new ConnectionQuery { ClientAddress = IPAddress.IPv6Loopback }, 0 };
        }
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public void AFilterReturnsExactlyTheMatchingEntries(string which, string what, ConnectionQuery query, int expected)
    {
        var got = Director(which).EnumerateConnections(query).ToList();
        Assert.True(expected == got.Count, $"{what}: {got.Count} entries, expected {expected}");
        Assert.Equal(got.Count, got.Select(Key).Distinct().Count());
        Assert.All(got, c => Assert.True(query.Matches(c), $"{what}: {Key(c)} {c.State} does not match"));
        // and none that matches was left out: the same filter over the whole table, applied here
        query.Cursor = null;
        Assert.Equal(_t.H.Engine.ListConnections().Where(query.Matches).Select(Key).ToHashSet(), got.Select(Key).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Directors))]
    public void FirstStopsAfterThatManyEntries(string which)
    {
        var d = Director(which);
        Assert.Equal(5, d.EnumerateConnections(new ConnectionQuery(), 5).Count());
        Assert.Equal(2500, d.EnumerateConnections(new ConnectionQuery { PageSize = 1000 }, 2500).Select(Key).Distinct().Count());
        Assert.Equal(3, d.EnumerateConnections(new ConnectionQuery { State = LvsConnectionState.Established, Port = 80 }, 3)
            .Count(c => c.State == LvsConnectionState.Established && c.Port == 80));
    }

    [Theory]
    [InlineData("engine", "x", 0)]
    [InlineData("engine", "-1", 0)]
    [InlineData("engine", "99999999", 0)]
    [InlineData("socket", "not a cursor", 0)]
    [InlineData("engine", null, 10_001)]
    [InlineData("socket", null, -1)]
    public void ABadCursorOrPageSizeIsRefused(string which, string? cursor, int pageSize)
    {
        var e = Assert.Throws<LvsException>(() => Director(which).ListConnectionPage(new ConnectionQuery { Cursor = cursor, PageSize = pageSize }));
        Assert.Equal((LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
    }

    [Fact]
    public void AnEntryPresentForTheWholeListingComesOnce_WhileOthersComeAndGo()
    {
        // A table of its own: 20,000 entries, then between every two pages new SYNs arrive and entries expire.
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);
        for (int i = 0; i < 20_000; i++) h.Engine.ProcessFrame(h.Tcp((ushort)(10000 + i % 50000), Frames.Syn, 0, 80, Vip, ClientIp(i / 50000)));
        // the clients of 10.250.0.200 stay established (900 s); the SYN_RECV ones will expire
        for (int i = 0; i < 3000; i++) h.Engine.ProcessFrame(h.Tcp((ushort)(1000 + i), Frames.Syn));
        for (int i = 0; i < 3000; i++) h.Engine.ProcessFrame(h.Tcp((ushort)(1000 + i), Frames.Ack));
        var stay = h.Engine.ListConnections().Where(c => c.State == LvsConnectionState.Established).Select(Key).ToHashSet();
        Assert.Equal(3000, stay.Count);

        var seen = new List<(LvsProtocol, IPAddress, ushort, IPAddress, ushort)>();
        var q = new ConnectionQuery { PageSize = 500 };
        int round = 0;
        do
        {
            var page = h.Engine.ListConnectionPage(q);
            seen.AddRange(page.Connections.Select(Key));
            q.Cursor = page.NextCursor;
            for (int i = 0; i < 200; i++) // newcomers
                h.Engine.ProcessFrame(h.Tcp((ushort)(30000 + round * 200 + i), Frames.Syn, 0, 80, Vip, ClientIp(77)));
            if (++round == 10) h.TickAfter(61); // every SYN_RECV entry so far expires (60 s)
        }
        while (q.Cursor is not null);
        var times = seen.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(stay, k => Assert.Equal(1, times.GetValueOrDefault(k)));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }
}
