@{
    Synopsis    = 'Creates a virtual service on an LvsPS director (ipvsadm -A), optionally with its real servers.'
    Description = @'
New-LvsService adds a virtual service, identified by protocol, virtual IP address (VIP) and port, to a director's
table. It is the equivalent of "ipvsadm -A -t VIP:PORT -s SCHEDULER" (-u for UDP). As soon as a VIP has a service,
the director answers ARP for it and announces it with gratuitous ARP.

Real servers can be given in the same call with -RealServer, as objects that have a RealAddress (or Address)
property and optionally RealPort, Weight and Forwarding. They are added in the order given, as a sequence of
"ipvsadm -a" commands would add them; like the kernel, the director lists the newest real server first. This is what
makes "Import-LvsConfiguration lvs_dr.conf | New-LvsService" work: each imported service carries its real servers.

The new service is returned as the director reports it.
'@
    Parameters  = @{
        VirtualAddress = 'The virtual IP address (VIP) of the service: the address clients connect to, which the director owns and the real servers hold on a non-ARP interface. Or the service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, sctp/10.0.0.1:80, fwm/5, 10.0.0.1:80 (TCP) or [2001:db8::1]:80; a -Port, -Protocol or -FirewallMark also given must agree with it. Text that names no service fails binding with a message naming it.'
        Port           = 'The port of the service, 1 to 65535 (ipvsadm -t VIP:PORT), or 0 for every port of the VIP: a persistent service only (-Persistent; otherwise InvalidPort, as ipvsadm says "Zero port specified for non-persistent service"). A packet to the VIP on a port that has no service of its own goes to the port-0 service; each client gets one persistence template for all ports, and the packet keeps its destination port (also with Masq). Its real servers are listed with port 0 (Masq ones with the port given, which is not used).'
        Protocol       = @{ Description = 'Tcp (ipvsadm -t), Udp (ipvsadm -u) or Sctp (ipvsadm --sctp-service).'; DefaultValue = 'Tcp' }
        Scheduler      = @{ Description = 'The scheduling algorithm (ipvsadm -s), applied with the kernel''s rules. lvsd implements every IPVS scheduler ([LvsPS.Ipvs.Scheduling.SchedulerFactory]::ImplementedSchedulers lists them); a kernel director whose kernel lacks the scheduler''s module refuses it with SchedulerNotImplemented. As with ipvsadm, the default is wlc.'; DefaultValue = 'Wlc' }
        RealServer     = 'Real servers to add with the service: objects with RealAddress (or Address, IPAddress) and optionally RealPort, Weight (default 1) and Forwarding (default Route). Imported service definitions carry them in their RealServers property, which binds here by name.'
        Director       = 'The director to add the service to. By default: the only director running, or the one this session started last.'
        WhatIf         = 'Shows the service, its scheduler and its real servers that would be added, without adding them.'
        Persistent         = @{ Description = 'Persistence timeout in seconds (ipvsadm -p; ipvsadm uses 360 for a bare -p). New connections from a client (its address masked with -PersistenceNetmask) go to the same real server while a persistence template exists; the template lives this long after its last connection. 0, the default, means not persistent.'; DefaultValue = '0' }
        PersistenceNetmask = 'Persistence granularity (ipvsadm -M), e.g. 255.255.255.0 keeps every client of a /24 on one real server. Only with -Persistent; by default each client address on its own (255.255.255.255).'
        SchedulerFlags     = 'Scheduler flags (ipvsadm -b): Fallback (sh-fallback, mh-fallback: probe on when the hashed real server is unavailable) and Port (sh-port, mh-port: hash the client port too). Every scheduler takes them, as kernel IPVS does (ipvsadm lists them as flag-1, flag-2, flag-3 there); only sh and mh act on them. Flag3 (flag-3, IP_VS_SVC_F_SCHED3) means nothing to any scheduler: it is accepted and kept, as the kernel keeps it, so a saved table round-trips; on sh and mh ipvsadm does not list it.'
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port: the service that New-LvsFirewallMarkRule rules feed. Objects from Get-LvsService bind it by property name (0 there means an address service).'; DefaultValue = '0' }
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Get-LvsService | Remove-LvsService -Confirm:$false' }
            Title   = 'A round-robin web service'
            Code    = 'New-LvsService -VirtualAddress 10.250.0.101 -Port 80 -Protocol Tcp -Scheduler rr'
            Remarks = 'The same as "ipvsadm -A -t 10.250.0.101:80 -s rr". Add real servers next with Add-LvsRealServer.'
        }
        @{
            Lab     = @{ Setup = 'Get-LvsService | Remove-LvsService -Confirm:$false' }
            Title   = 'A service with its real servers in one step'
            Code    = @'
$rs = @(
    [pscustomobject]@{ RealAddress = '10.250.0.3'; Weight = 2 }
    [pscustomobject]@{ RealAddress = '10.250.0.4'; Weight = 1 }
)
New-LvsService 10.250.0.101 80 -Scheduler wrr -RealServer $rs
'@
            Remarks = 'Creates TCP 10.250.0.101:80 with wrr and adds two real servers by direct routing, weights 2 and 1 (ipvsadm -A followed by two ipvsadm -a -g).'
        }
        @{
            Lab     = @{ Setup = 'Get-LvsService | Remove-LvsService -Confirm:$false' }
            Title   = 'Load a configure-script file'
            Code    = 'Import-LvsConfiguration ./lvs_dr.conf -Lab seed | New-LvsService -Director seed'
            Remarks = 'Creates one service per SERVICE= line of lvs_dr.conf, with the real servers of that line.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Management.Config.LvsServiceDefinition'; Description = 'Service definitions from Import-LvsConfiguration bind by property name (Protocol, VirtualAddress, Port, Scheduler, RealServers).' }
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Any object with the properties VirtualAddress and Port (and optionally Protocol, Scheduler, RealServer, Director).' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'The service as created, with its real servers.' }
    )
    Notes       = @'
Errors: ServiceExists when the service is already there (ipvsadm says "Service already exists"), InvalidPort,
InvalidAddress, InvalidWeight, SchedulerNotImplemented, ForwardingNotImplemented (a -RealServer entry with Forwarding Local, which lvsd does not implement; Route, Masq and Tunnel work),
DirectorNotRunning, DirectorAmbiguous.

Each failing service is a non-terminating error, so a pipeline of definitions goes on with the next one.
'@
    RelatedLinks = @('Get-LvsService', 'Set-LvsService', 'Remove-LvsService', 'Add-LvsRealServer', 'Import-LvsConfiguration', 'about_LvsPS')
}
