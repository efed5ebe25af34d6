namespace LvsPS.Commands;

/// <summary>Base of the cmdlets that name one virtual service by protocol, virtual address and port.</summary>
public abstract class LvsServiceCmdlet : LvsDirectorCmdlet
{
    // One parameter set: a service is named by -VirtualAddress and -Port, or by -FirewallMark. Objects from
    // Get-LvsService carry all three (FirewallMark 0 for an address service), so ServiceIdentity decides.

    /// <summary>The virtual IP address (VIP) of the service, or the service named as ipvsadm names it (tcp/10.0.0.1:80, fwm/5, [::1]:80).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP", "ServiceAddress", "Service")]
    [LvsServiceNameTransformation]
    [ArgumentCompleter(typeof(VirtualAddressCompleter))]
    public IPAddress? VirtualAddress { get; set; }

    /// <summary>The service port (1..65535).</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }

    /// <summary>A firewall-mark service (ipvsadm -f) instead of an address and port.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint FirewallMark { get; set; }

    /// <summary>Tcp or Udp.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;

    internal ServiceSpec ServiceIdentity()
    {
        ApplyServiceName();
        if (FirewallMark != 0)
            return new ServiceSpec { FirewallMark = FirewallMark, Address = IPAddress.Any, Protocol = LvsProtocol.Tcp };
        if (VirtualAddress is null || Port is null)
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                "Name the service with -VirtualAddress and -Port, or with -FirewallMark.");
        return new ServiceSpec { Protocol = Protocol, Address = VirtualAddress, Port = SpecValidator.ServicePort(Port.Value) };
    }

    /// <summary>
    /// A -VirtualAddress given as a service name ("udp/10.0.0.1:53", "fwm/5") sets the address, protocol, port and mark
    /// it names; a -Protocol, -Port or -FirewallMark also given must agree with it. Runs once per record.
    /// </summary>
    private void ApplyServiceName()
    {
        if (VirtualAddress is not LvsServiceNameAddress { Name: var n }) return;
        string Conflict(string what, object given, object named) =>
            $"-{what} {given} does not agree with the service '{VirtualAddress}' names ({n}); give one or the other.";
        if (n.FirewallMark != 0)
        {
            if (FirewallMark != 0 && FirewallMark != n.FirewallMark)
                throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, Conflict("FirewallMark", FirewallMark, n.FirewallMark), n.ToString());
            FirewallMark = n.FirewallMark;
            VirtualAddress = null;
            return;
        }
        if (n.Port is { } p)
        {
            if (Port is { } given && given != p)
                throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, Conflict("Port", given, p), n.ToString());
            Port = p;
        }
        if (n.Protocol is { } proto)
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Protocol)) && Protocol != proto)
                throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, Conflict("Protocol", Protocol, proto), n.ToString());
            Protocol = proto;
        }
        VirtualAddress = n.Address;
    }

    /// <summary>The service these parameters name, or false after writing why they name none.</summary>
    internal bool TryServiceIdentity(out ServiceSpec spec) => Try(ServiceIdentity, out spec);

    /// <summary>The ShouldProcess target "TCP 10.0.0.1:80 on director 'lab'" (what: a real server "in" the service).</summary>
    internal static string ShouldProcessTarget(ServiceSpec service, IDirector client, string? what = null) =>
        $"{(what is null ? "" : what + " in ")}{service} on director '{client.Name}'";

    /// <summary>"persistent 300" or "persistent 300 mask 255.255.255.0"; null when the service is not persistent.</summary>
    internal static string? PersistenceText(ServiceSpec s) => s.PersistentTimeout == 0 ? null
        : $"persistent {s.PersistentTimeout}" + (s.PersistenceNetmask is null ? "" : $" mask {s.PersistenceNetmask}");

    /// <summary>The service as the director lists it, or null.</summary>
    internal LvsService? FindService(IDirector client, ServiceSpec id) => ListServices(client).FirstOrDefault(id.Names);

    /// <summary>The service as the director lists it; ServiceNotFound when there is none.</summary>
    internal LvsService RequireService(IDirector client, ServiceSpec id) =>
        FindService(client, id)
        ?? throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound,
            $"No virtual service {id} exists on director '{client.Name}'.", id.ToString());

}

/// <summary>
/// Base of the cmdlets that name one real server of one virtual service (Add-, Set-, Remove-LvsRealServer and the
/// real-server state cmdlets): -RealAddress, -RealPort and -PassThru.
/// </summary>
public abstract class LvsRealServerCmdlet : LvsServiceCmdlet
{
    /// <summary>The real server's address (RIP).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    [ArgumentCompleter(typeof(RealAddressCompleter))]
    public IPAddress RealAddress { get; set; } = IPAddress.None;

    /// <summary>The real server's port; by default the service's (direct routing always uses the service port).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? RealPort { get; set; }

    /// <summary>Write the real server: as it is after the change (Remove-LvsRealServer: as it was).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The real server's port as given, else the service's (a fwmark service has none: 0 = the client's).</summary>
    internal int RealPortGiven => RealPort ?? (FirewallMark != 0 ? 0 : Port ?? 0);

    /// <summary>The real server's port, checked (0 only for a fwmark service or a port-zero service).</summary>
    internal ushort RealPortOf() =>
        (FirewallMark != 0 || Port == 0) && RealPortGiven == 0 ? (ushort)0 : SpecValidator.Port(RealPortGiven, "real server port");

    /// <summary>
    /// The service and the real server (address and port) these parameters name, <paramref name="check"/> run
    /// between the two; false after writing why not.
    /// </summary>
    internal bool TryRealServerIdentity(out ServiceSpec service, out RealServerSpec realServer, Action? check = null)
    {
        var ok = Try(() =>
        {
            var s = ServiceIdentity();
            check?.Invoke();
            return (s, new RealServerSpec { Address = RealAddress, Port = RealPortOf() });
        }, out var named);
        (service, realServer) = named;
        return ok;
    }

    /// <summary>The real server of a listed service at that address and port (any port for 0), else at that address; or null.</summary>
    internal static LvsRealServer? RealServerOf(LvsService? service, IPAddress address, int port) =>
        service?.RealServers.FirstOrDefault(r => r.RealAddress.Equals(address) && (r.RealPort == port || port == 0))
        ?? service?.RealServers.FirstOrDefault(r => r.RealAddress.Equals(address));

    /// <summary>
    /// Direct routing and IP-in-IP cannot change the port (ipvsadm and the kernel put the service port in its place):
    /// a -RealPort other than the service's is not used, and the user is told so rather than left to find out.
    /// </summary>
    internal void WarnIfRealPortIgnored(LvsForwarding forwarding)
    {
        if (RealPort is not { } given || FirewallMark != 0 || Port is not { } port || given == port || forwarding == LvsForwarding.Masq) return;
        string how = forwarding == LvsForwarding.Tunnel ? "IP-in-IP (Tunnel)" : "direct routing (Route)";
        WriteWarning($"-RealPort {given} is not used for {RealAddress}: {how} cannot change the port, so the real server is reached on the service port {port}. Only Masq (NAT) maps to another port.");
    }

    /// <summary>A -MacAddress as the spec carries it: "02:4c:56:00:00:03"; null for none, or for an empty address ('', to clear it).</summary>
    internal static string? MacText(System.Net.NetworkInformation.PhysicalAddress? mac)
    {
        var bytes = mac?.GetAddressBytes();
        if (bytes is null || bytes.Length == 0) return null;
        if (bytes.Length != 6)
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                $"The MAC address '{mac}' has {bytes.Length} bytes; an Ethernet MAC has 6.", mac!.ToString());
        var text = SpecValidator.MacText(bytes);
        SpecValidator.MacAddress(text);
        return text;
    }

    /// <summary>The real server as the director lists it, or null.</summary>
    internal LvsRealServer? FindRealServer(IDirector client, ServiceSpec service, IPAddress address, int port) =>
        RealServerOf(FindService(client, service), address, port);

    /// <summary>The real server these parameters name as the director lists it; ServiceNotFound or RealServerNotFound when it is not there.</summary>
    internal LvsRealServer RequireRealServer(IDirector client, ServiceSpec service) =>
        RealServerOf(RequireService(client, service), RealAddress, RealPortGiven) ?? throw RealServerNotFound(client, service);

    /// <summary>RealServerNotFound: the real server these parameters name is not in <paramref name="service"/>.</summary>
    internal LvsException RealServerNotFound(IDirector client, ServiceSpec service) =>
        new(LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound,
            $"The real server {RealAddress}:{RealPortGiven} does not exist in {service} on director '{client.Name}'.", RealAddress);
}
