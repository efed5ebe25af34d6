namespace LvsPS.Ipvs.Director;

/// <summary>
/// Which connection entries to list and where to go on (<see cref="IDirector.ListConnectionPage"/>): every filter
/// that is set must match; an unset one matches everything. The director applies the filter itself, a page at a
/// time, so neither end holds the whole table.
/// </summary>
public sealed class ConnectionQuery
{
    /// <summary>The page size when none is given.</summary>
    public const int DefaultPageSize = 1000;
    /// <summary>The largest page a director returns.</summary>
    public const int MaxPageSize = 10_000;

    public LvsProtocol? Protocol { get; set; }
    /// <summary>The virtual address the client connected to (VIP).</summary>
    public IPAddress? VirtualAddress { get; set; }
    /// <summary>The virtual (service) port.</summary>
    public int? Port { get; set; }
    /// <summary>The firewall mark of the entry's service (0 = any).</summary>
    public uint? FirewallMark { get; set; }
    /// <summary>The real server the entry was scheduled to (RIP).</summary>
    public IPAddress? RealAddress { get; set; }
    public int? RealPort { get; set; }
    public IPAddress? ClientAddress { get; set; }
    public int? ClientPort { get; set; }
    public LvsConnectionState? State { get; set; }

    /// <summary>Where to go on: null for the first page, else the previous page's <see cref="ConnectionPage.NextCursor"/>.</summary>
    public string? Cursor { get; set; }

    /// <summary>At most this many entries in the page (1..<see cref="MaxPageSize"/>; 0 = <see cref="DefaultPageSize"/>).</summary>
    public int PageSize { get; set; }

    /// <summary>The page size the director uses, or a refusal naming a bad one.</summary>
    public int EffectivePageSize()
    {
        if (PageSize < 0 || PageSize > MaxPageSize)
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                $"The page size {PageSize} is not valid: use 1 to {MaxPageSize}.", PageSize);
        return PageSize == 0 ? DefaultPageSize : PageSize;
    }

    /// <summary>Whether an entry passes every filter that is set.</summary>
    public bool Matches(LvsConnection c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return (Protocol is null || c.Protocol == Protocol)
            && (VirtualAddress is null || c.VirtualAddress.Equals(VirtualAddress))
            && (Port is null || c.Port == Port)
            && (FirewallMark is null or 0 || c.FirewallMark == FirewallMark)
            && (RealAddress is null || c.RealAddress.Equals(RealAddress))
            && (RealPort is null || c.RealPort == RealPort)
            && (ClientAddress is null || c.ClientAddress.Equals(ClientAddress))
            && (ClientPort is null || c.ClientPort == ClientPort)
            && (State is null || c.State == State);
    }

    /// <summary>The same query (filters, cursor, page size) as a new object.</summary>
    public ConnectionQuery Copy() => (ConnectionQuery)MemberwiseClone();

    /// <summary>A refusal of a cursor this director did not give out (or no longer knows).</summary>
    public LvsException BadCursor(string why) =>
        new(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"The listing cursor '{Cursor}' is not valid: {why}.", Cursor);
}

/// <summary>One page of a connection listing.</summary>
public sealed class ConnectionPage
{
    /// <summary>The matching entries of this page (possibly fewer than the page size, even none, when more follow).</summary>
    public List<LvsConnection> Connections { get; set; } = new();

    /// <summary>Where the next page starts; null when the listing is complete.</summary>
    public string? NextCursor { get; set; }
}

/// <summary>Streaming a connection listing page by page over any <see cref="IDirector"/>.</summary>
public static class ConnectionListing
{
    /// <summary>
    /// The entries that match <paramref name="query"/>, fetched a page at a time as the caller enumerates (one request
    /// per page; only the current page is held); stops after <paramref name="first"/> entries when given. An entry
    /// present for the whole listing comes exactly once; one added or expired during it may or may not come.
    /// </summary>
    public static IEnumerable<LvsConnection> EnumerateConnections(this IDirector director, ConnectionQuery query, long? first = null)
    {
        ArgumentNullException.ThrowIfNull(director);
        ArgumentNullException.ThrowIfNull(query);
        int pageSize = query.EffectivePageSize();
        long left = first ?? long.MaxValue;
        var next = query.Copy();
        while (left > 0)
        {
            next.PageSize = (int)Math.Min(pageSize, left);
            var page = director.ListConnectionPage(next);
            foreach (var c in page.Connections)
            {
                if (left-- <= 0) yield break;
                yield return c;
            }
            if (page.NextCursor is null) yield break;
            next.Cursor = page.NextCursor;
        }
    }
}
