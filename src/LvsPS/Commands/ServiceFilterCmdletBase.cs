namespace LvsPS.Commands;

/// <summary>
/// Base of the cmdlets that take a service's -VirtualAddress (position 0) and -Port (position 1) as an optional
/// selection: the Get- cmdlets of the table and Clear-LvsCounter.
/// </summary>
public abstract class LvsServiceSelectorCmdlet : LvsDirectorCmdlet
{
    /// <summary>Only the service(s) with this virtual address (VIP), or the service named as ipvsadm names it (tcp/10.0.0.1:80, fwm/5, [::1]:80).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP", "Service")]
    [LvsServiceNameTransformation]
    [ArgumentCompleter(typeof(VirtualAddressCompleter))]
    public IPAddress? VirtualAddress { get; set; }

    /// <summary>Only the service(s) on this port.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }

    /// <summary>The service name given for -VirtualAddress ("tcp/10.0.0.1:80"), or null.</summary>
    internal LvsServiceName? GivenName => (VirtualAddress as LvsServiceNameAddress)?.Name;

    /// <summary>The address filter: -VirtualAddress, or the name's (none for "fwm/5").</summary>
    internal IPAddress? AddressFilter => GivenName is { } n ? n.Address : VirtualAddress;

    /// <summary>The port filter: -Port, else the name's.</summary>
    internal int? PortFilter => Port ?? GivenName?.Port;
}

/// <summary>
/// Base of the Get- cmdlets that filter the director's table by service (Get-LvsService, Get-LvsRealServer,
/// Get-LvsConnection, Get-LvsHealth, Get-LvsHealthCheck): an unset filter matches everything.
/// </summary>
public abstract class LvsServiceFilterCmdlet : LvsServiceSelectorCmdlet
{
    /// <summary>Only this protocol's services.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol? Protocol { get; set; }

    /// <summary>The -FirewallMark filter of the cmdlets that have one: only the fwmark service with this mark (0 = any).</summary>
    protected virtual uint? MarkFilter => null;

    /// <summary>The mark filter: -FirewallMark, else the mark of a "fwm/5" name.</summary>
    private uint? Mark => MarkFilter is > 0 ? MarkFilter : GivenName is { FirewallMark: > 0 } n ? n.FirewallMark : MarkFilter;

    /// <summary>The protocol filter: -Protocol, else the name's ("udp/…"; "10.0.0.1:80" and a display name without one: any).</summary>
    private LvsProtocol? ProtocolFilter => Protocol ?? GivenName?.Protocol;

    /// <summary>Whether a service, given by its mark, protocol, address and port, passes the filters.</summary>
    internal bool Selects(uint mark, LvsProtocol protocol, IPAddress address, ushort port) =>
        (Mark is null or 0 || mark == Mark)
        && (Mark is > 0 || AddressFilter is null || address.Equals(AddressFilter))
        && (PortFilter is null || port == PortFilter) && (ProtocolFilter is null || protocol == ProtocolFilter);

    internal bool Selects(LvsService s) => Selects(s.FirewallMark, s.Protocol, s.VirtualAddress, s.Port);

    internal bool Selects(LvsConnection c) => Selects(c.FirewallMark, c.Protocol, c.VirtualAddress, c.Port);

    /// <summary>The director's services that pass the filters; a failure to list them ends the command.</summary>
    internal List<LvsService> SelectedServices(IDirector client) => Read(client, ListServices).Where(Selects).ToList();

    /// <summary>Services in ipvsadm's order: fwmark services last, then by protocol, numeric address and port.</summary>
    internal static IEnumerable<LvsService> InTableOrder(IEnumerable<LvsService> services) =>
        services.OrderBy(s => s.FirewallMark).ThenBy(s => s.Protocol).ThenBy(s => AddressKey(s.VirtualAddress)).ThenBy(s => s.Port);

    /// <summary>Sort key of an IPv4 address in numeric order (0 for IPv6), as ipvsadm lists them.</summary>
    internal static uint AddressKey(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return b.Length == 4 ? (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : 0;
    }
}

/// <summary>
/// Base of the Get- cmdlets that also filter by -FirewallMark (all but Get-LvsConnection).
/// </summary>
public abstract class LvsServiceMarkFilterCmdlet : LvsServiceFilterCmdlet
{
    /// <summary>Only the firewall-mark service with this mark.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? FirewallMark { get; set; }

    protected override uint? MarkFilter => FirewallMark;
}

/// <summary>
/// Base of the Get- cmdlets that also filter by -RealAddress (Get-LvsRealServer, Get-LvsHealth, Get-LvsHealthCheck).
/// </summary>
public abstract class LvsRealServerFilterCmdlet : LvsServiceMarkFilterCmdlet
{
    /// <summary>
    /// Only the real server(s) with this address, also bound by property name. Get-LvsRealServer overrides it to take
    /// it from the command line only (PowerShell reads an override's own attributes, not these).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    [ArgumentCompleter(typeof(RealAddressCompleter))]
    public virtual IPAddress? RealAddress { get; set; }

    /// <summary>Whether a real server's address passes -RealAddress.</summary>
    internal bool SelectsReal(IPAddress address) => RealAddress is null || address.Equals(RealAddress);

    /// <summary>The real servers of <paramref name="services"/> that pass -RealAddress, each service's by address and port.</summary>
    internal IEnumerable<(LvsService Service, LvsRealServer RealServer)> SelectedRealServers(IEnumerable<LvsService> services) =>
        from s in services
        from r in s.RealServers.OrderBy(r => AddressKey(r.RealAddress)).ThenBy(r => r.RealPort)
        where SelectsReal(r.RealAddress)
        select (s, r);
}
