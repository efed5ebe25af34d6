namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// The kernel director's paged connection listing: the kernel cannot filter, so one "ipvsadm -L -n -c" is read per
/// listing and filtered and paged here with the same contract as lvsd (every entry once, exactly the matching ones,
/// a cursor that belongs to one listing). The remote side answers with ipvsadm's text as the formatter writes it.
/// </summary>
public sealed class KernelConnectionPagingTests
{
    private const int Clients = 20, Ports = 500;
    private static readonly string[] Rips = { "192.168.0.3", "192.168.0.4", "192.168.0.5" };

    private static List<LvsConnection> Table()
    {
        var list = new List<LvsConnection>();
        for (int c = 0; c < Clients; c++)
            for (int p = 0; p < Ports; p++)
                list.Add(new LvsConnection
                {
                    Protocol = p % 5 == 0 ? LvsProtocol.Udp : LvsProtocol.Tcp,
                    ClientAddress = IPAddress.Parse($"10.1.{c / 200}.{c % 200 + 1}"),
                    ClientPort = (ushort)(30000 + p),
                    VirtualAddress = IPAddress.Parse("192.168.0.101"),
                    Port = (ushort)(p % 2 == 0 ? 80 : 443),
                    RealAddress = IPAddress.Parse(Rips[(c * Ports + p) % 3]),
                    RealPort = (ushort)(p % 2 == 0 ? 80 : 443),
                    State = p % 5 == 0 ? LvsConnectionState.Udp : c < 5 ? LvsConnectionState.Established : LvsConnectionState.SynRecv,
                    ExpiresInSeconds = 60 + p,
                });
        return list;
    }

    private static readonly string Text = IpvsadmFormatter.FormatConnections(Table()).Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";

    private static (KernelDirector, List<string>) Director()
    {
        var commands = new List<string>();
        return (new KernelDirector("edge", "lvs1.example", cmd =>
        {
            commands.Add(cmd);
            return new RemoteResult { Command = cmd, ExitStatus = 0, Output = cmd == "ipvsadm '-L' '-n' '-c'" ? Text : "" };
        }), commands);
    }

    private static (LvsProtocol, string, ushort, string, ushort) Key(LvsConnection c) =>
        (c.Protocol, c.ClientAddress.ToString(), c.ClientPort, c.VirtualAddress.ToString(), c.Port);

    [Fact]
    public void PagesHoldEveryEntryOnce_FromOneIpvsadmRun()
    {
        var (d, commands) = Director();
        var q = new ConnectionQuery { PageSize = 700 };
        var seen = new List<(LvsProtocol, string, ushort, string, ushort)>();
        int pages = 0;
        do
        {
            var page = d.ListConnectionPage(q);
            Assert.InRange(page.Connections.Count, 0, 700);
            seen.AddRange(page.Connections.Select(Key));
            q.Cursor = page.NextCursor;
            pages++;
        }
        while (q.Cursor is not null);
        Assert.Equal(Clients * Ports / 700 + 1, pages);
        Assert.Equal(Table().Select(Key), seen); // in ipvsadm's order
        Assert.Single(commands);
        Assert.Equal("edge", Assert.Single(d.ListConnectionPage(new ConnectionQuery { PageSize = 1, ClientPort = 30499, ClientAddress = IPAddress.Parse("10.1.0.20") }).Connections).Director);
    }

    public static IEnumerable<object[]> Filters() => new[]
    {
        new object[] { new ConnectionQuery { ClientAddress = IPAddress.Parse("10.1.0.7") }, Ports },
        new object[] { new ConnectionQuery { Port = 443 }, Clients * Ports / 2 },
        new object[] { new ConnectionQuery { Protocol = LvsProtocol.Udp }, Clients * Ports / 5 },
        new object[] { new ConnectionQuery { State = LvsConnectionState.Established }, 5 * Ports * 4 / 5 },
        new object[] { new ConnectionQuery { RealAddress = IPAddress.Parse("192.168.0.4") }, Clients * Ports / 3 },
        new object[] { new ConnectionQuery { ClientAddress = IPAddress.Parse("10.1.0.2"), State = LvsConnectionState.Established, Port = 80 }, Ports / 2 - Ports / 10 },
        new object[] { new ConnectionQuery { VirtualAddress = IPAddress.Parse("192.168.0.102") }, 0 },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public void AFilterReturnsExactlyTheMatchingEntries(ConnectionQuery query, int expected)
    {
        var (d, _) = Director();
        var got = d.EnumerateConnections(query).ToList();
        Assert.Equal(expected, got.Count);
        Assert.Equal(Table().Where(query.Matches).Select(Key), got.Select(Key));
        Assert.Equal(Math.Min(7, expected), d.EnumerateConnections(query.Copy(), 7).Count());
    }

    [Fact]
    public void ACursorBelongsToOneListing()
    {
        var (d, commands) = Director();
        var first = d.ListConnectionPage(new ConnectionQuery { PageSize = 100 });
        Assert.NotNull(first.NextCursor);
        var second = d.ListConnectionPage(new ConnectionQuery { PageSize = 100 }); // a new listing
        Assert.Equal(2, commands.Count);
        var e = Assert.Throws<LvsException>(() => d.ListConnectionPage(new ConnectionQuery { Cursor = first.NextCursor }));
        Assert.Equal((LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Equal(100, d.ListConnectionPage(new ConnectionQuery { Cursor = second.NextCursor, PageSize = 100 }).Connections.Count);
        foreach (var bad in new[] { "x", "1:2", "1:-2:3", "9:0:0", "2:99999999:0" })
            Assert.Equal(LvsErrorIds.InvalidArgument, Assert.Throws<LvsException>(() => d.ListConnectionPage(new ConnectionQuery { Cursor = bad })).ErrorId);
        // the last page ends the listing: its cursors are no longer valid
        var q = new ConnectionQuery { Cursor = second.NextCursor, PageSize = ConnectionQuery.MaxPageSize };
        var last = d.ListConnectionPage(q);
        Assert.Null(last.NextCursor);
        Assert.Throws<LvsException>(() => d.ListConnectionPage(new ConnectionQuery { Cursor = second.NextCursor }));
    }

    [Fact]
    public void TheReaderParsesAsTheWholeParserDoes()
    {
        var reader = new IpvsadmConnectionReader("\n\nIPVS connection entries\npro expire state       source             virtual            destination\n\nTCP 14:58  ESTABLISHED 10.250.0.200:41822 10.250.0.101:23    10.250.0.3:23\n");
        var c = reader.Read();
        Assert.Equal((LvsConnectionState.Established, (ushort)41822, 898), (c!.State, c.ClientPort, c.ExpiresInSeconds));
        Assert.Null(reader.Read());
        var e = Assert.Throws<LvsException>(() => new IpvsadmConnectionReader("IPVS connection entries\n"));
        Assert.Contains("line 2", e.Message);
        e = Assert.Throws<LvsException>(() => new IpvsadmConnectionReader("IPVS connection entries\npro expire state x\nTCP nonsense\n").Read());
        Assert.Contains("line 3", e.Message);
    }
}
