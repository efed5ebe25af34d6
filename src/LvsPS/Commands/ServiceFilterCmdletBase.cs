namespace LvsPS.Commands;

/// <summary>
/// Base of the cmdlets that take a service's -VirtualAddress (position 0) and -Port (position 1) as an optional
/// selection: the Get- cmdlets of the table and Clear-LvsCounter.
/// </summary>
public abstract class LvsServiceSelectorCmdlet : LvsDirectorCmdlet
{
    /// <summary>Only the service(s) with this virtual address (VIP).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP")]
    public IPAddress? VirtualAddress { get; set; }

    /// <summary>Only the service(s) on this port.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }
}

/// <summary>
/// Base of the Get- cmdlets that filter the director's table by service (Get-LvsService, Get-LvsRealServer,
/// Get-LvsConnection): an unset filter matches everything. Each cmdlet declares -Protocol itself, and -FirewallMark
/// where it has one, in the place its help's syntax lists them.
/// </summary>
public abstract class LvsServiceFilterCmdlet : LvsServiceSelectorCmdlet
{
    /// <summary>Only this protocol's services.</summary>
    public abstract LvsProtocol? Protocol { get; set; }

    /// <summary>The -FirewallMark filter of the cmdlets that have one: only the fwmark service with this mark (0 = any).</summary>
    protected virtual uint? MarkFilter => null;

    /// <summary>Whether a service, given by its mark, protocol, address and port, passes the filters.</summary>
    internal bool Selects(uint mark, LvsProtocol protocol, IPAddress address, ushort port) =>
        (MarkFilter is null or 0 || mark == MarkFilter)
        && (MarkFilter is > 0 || VirtualAddress is null || address.Equals(VirtualAddress))
        && (Port is null || port == Port) && (Protocol is null || protocol == Protocol);

    internal bool Selects(LvsService s) => Selects(s.FirewallMark, s.Protocol, s.VirtualAddress, s.Port);

    internal bool Selects(LvsConnection c) => Selects(c.FirewallMark, c.Protocol, c.VirtualAddress, c.Port);

    /// <summary>The director's services that pass the filters; a failure to list them ends the command.</summary>
    internal List<LvsService> SelectedServices(IDirector client) => Read(client, ListServices).Where(Selects).ToList();

    /// <summary>Sort key of an IPv4 address in numeric order (0 for IPv6), as ipvsadm lists them.</summary>
    internal static uint AddressKey(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return b.Length == 4 ? (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : 0;
    }
}
