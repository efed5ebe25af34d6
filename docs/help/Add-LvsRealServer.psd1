@{
    Synopsis    = 'Adds a real server to a virtual service (ipvsadm -a), by direct routing by default (-g).'
    Description = @'
Add-LvsRealServer adds a real server (a destination) to an existing virtual service, like
"ipvsadm -a -t VIP:PORT -r RIP -g -w WEIGHT". As in the kernel, the new real server goes first in the service's list,
and from the next new connection on the scheduler may choose it.

With direct routing (Route, the default and the only method the engine implements), the director rewrites only the
destination MAC address of the client's packets: the real server must be on the director's segment, must hold the
VIP on a non-ARP interface (lo or dummy0) with ARP hidden (see Set-LvsRealServerHidden) and answers the client
directly, so the port on the real server is always the service port. The director resolves the real server's MAC
with ARP; Get-LvsRealServer shows it. Only a reply to the director's own request counts (gratuitous or
unsolicited ARP changes nothing), and a known MAC is re-checked by unicast requests to it; -MacAddress fixes it.

Validate a real server before you add it: Test-LvsRealServer -ComputerName RIP -VirtualAddress VIP -Port PORT runs
the real server checks of Test-LvsCluster on it (VIP, ARP, rp_filter, listening, reachable from the director).

Weight 0 adds the real server quiesced: it takes no new connections until its weight is raised with
Set-LvsRealServer.
'@
    Parameters  = @{
        VirtualAddress = 'The virtual IP address (VIP) of the service. Or the service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, sctp/10.0.0.1:80, fwm/5, 10.0.0.1:80 (TCP) or [2001:db8::1]:80; a -Port, -Protocol or -FirewallMark also given must agree with it. Text that names no service fails binding with a message naming it.'
        Port           = 'The port of the service.'
        Protocol       = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        RealAddress    = 'The real server''s IP address (RIP, ipvsadm -r). In DR it must be on the director''s segment.'
        RealPort       = 'The real server''s port. Direct routing and IP-in-IP cannot change the port, so for Route and Tunnel the service port is always used, and another value is reported with a warning; this parameter matters only for Masq (NAT), which maps ports.'
        MacAddress     = 'A static MAC for the real server (lvsd only), such as 02:4c:56:00:00:03: the director sends to it, never asks for it by ARP and never replaces it, which makes ARP spoofing of this real server useless. It is kept in the state file and shown as MacSource Static. By default the MAC is learnt from the replies to the director''s own ARP requests. A kernel director refuses it (NotSupportedByDirector): pin the neighbour there with "ip neigh replace RIP lladdr MAC dev IF nud permanent".'
        Forwarding     = @{ Description = 'The forwarding method: Route (direct routing, ipvsadm -g), Masq (NAT, -m) or Tunnel (IP-in-IP, -i). lvsd and kernel IPVS implement all three; LVS-NAT needs the director on the real servers'' path back (their gateway), LVS-TUN real servers need the VIP on their tunnel device. Local, which IPVS reports for a real server whose address is the director''s own, cannot be chosen: it is neither offered nor accepted (ParameterArgumentValidationError, naming it).'; DefaultValue = 'Route' }
        Weight         = @{ Description = 'The weight, 0 to 65535 (ipvsadm -w). Weighted schedulers (wrr, wlc, sed, nq, fo, ovf) send proportionally more connections to higher weights; 0 quiesces the real server.'; DefaultValue = '1' }
        PassThru       = 'Returns the real server as the director now lists it. By default nothing is returned.'
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        WhatIf         = 'Shows the real server, its forwarding method and weight, and the service it would join, without adding it.'
        UpperThreshold = @{ Description = 'Upper connection threshold (ipvsadm -x): when active plus inactive connections reach it, the real server is marked overloaded and takes no new connections. 0, the default, means no limit.'; DefaultValue = '0' }
        LowerThreshold = @{ Description = 'Lower connection threshold (ipvsadm -y): an overloaded real server takes new connections again when its connections fall below it; with 0 (the default) below three quarters of the upper threshold.'; DefaultValue = '0' }
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port: the service that New-LvsFirewallMarkRule rules feed. Objects from Get-LvsService bind it by property name (0 there means an address service).'; DefaultValue = '0' }
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Remove-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3' }
            Title   = 'Add a real server by direct routing'
            Code    = 'Add-LvsRealServer -VirtualAddress 10.250.0.101 -Port 80 -RealAddress 10.250.0.3 -Forwarding Route -Weight 1'
            Remarks = 'The same as "ipvsadm -a -t 10.250.0.101:80 -r 10.250.0.3 -g -w 1".'
        }
        @{
            Lab     = @{ Setup = 'Remove-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.4' }
            Title   = 'Add a real server to a service from the pipeline'
            Code    = 'Get-LvsService -Port 80 | Add-LvsRealServer -RealAddress 10.250.0.4 -PassThru'
            Remarks = 'The service binds VirtualAddress, Port, Protocol and Director by property name; the new real server is shown with its resolved MAC address once the director has it.'
        }
        @{
            Lab     = $true
            Title   = 'Add a real server quiesced'
            Code    = @'
Add-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.5 -Weight 0
Set-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.5 -Weight 1
'@
            Remarks = 'The real server joins without taking connections, for example while it is being checked, then is put into rotation.'
        }
        @{
            Lab     = @{ Setup = 'Remove-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3' }
            Title   = 'Add a real server with a static MAC'
            Code    = 'Add-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3 -MacAddress 02:4c:56:00:00:03'
            Remarks = 'Frames for 10.250.0.3 always go to that MAC; no ARP on the segment can redirect them.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'Services (from Get-LvsService) bind by property name: VirtualAddress, Port, Protocol, Director.' }
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Any object with RealAddress (alias RIP), RealPort, Forwarding or Weight properties also binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'With -PassThru, the added real server.' }
    )
    Notes       = @'
Errors: ServiceNotFound, RealServerExists (ipvsadm: "Destination already exists"), InvalidAddress, InvalidPort,
InvalidWeight, DirectorNotRunning, DirectorAmbiguous, InvalidArgument (a multicast or
all-zero -MacAddress), NotSupportedByDirector (-MacAddress on a kernel director).

Adding a real server does not prepare it: run Set-LvsRealServerHidden on it, or clients may reach it directly by
ARP, bypassing the director.
'@
    RelatedLinks = @('Get-LvsRealServer', 'Set-LvsRealServer', 'Remove-LvsRealServer', 'Test-LvsRealServer', 'Set-LvsRealServerHidden', 'New-LvsService', 'about_LvsPS')
}
