@{
    Synopsis    = 'Changes the scheduler or persistence of a virtual service (ipvsadm -E).'
    Description = @'
Set-LvsService edits an existing virtual service, like "ipvsadm -E -t VIP:PORT -s SCHEDULER". The service keeps
its real servers, their statistics and the connection table; only new connections are scheduled with the new
algorithm.
'@
    Parameters  = @{
        VirtualAddress = 'The virtual IP address (VIP) of the service to change. Or the service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, sctp/10.0.0.1:80, fwm/5, 10.0.0.1:80 (TCP) or [2001:db8::1]:80; a -Port, -Protocol or -FirewallMark also given must agree with it. Text that names no service fails binding with a message naming it.'
        Port           = 'The port of the service to change.'
        Protocol       = @{ Description = 'The protocol of the service to change: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        Scheduler      = 'The new scheduling algorithm (ipvsadm -s); by default it does not change. lvsd implements every IPVS scheduler ([LvsPS.Ipvs.Scheduling.SchedulerFactory]::ImplementedSchedulers lists them); a kernel director whose kernel lacks the scheduler''s module refuses it with SchedulerNotImplemented.'
        PassThru       = 'Returns the changed service. By default nothing is returned.'
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        WhatIf         = 'Shows the service and the scheduler it would get, without changing it.'
        Persistent         = 'New persistence timeout in seconds (ipvsadm -E -p); 0 turns persistence off. By default it does not change.'
        PersistenceNetmask = 'New persistence granularity (ipvsadm -E -M). By default it does not change. -Scheduler, -Persistent (alias PersistentTimeout) and this also bind by property name (an empty CSV cell is no netmask).'
        SchedulerFlags     = 'New scheduler flags (ipvsadm -E -b): Fallback (flag-1: sh-fallback, mh-fallback), Port (flag-2: sh-port, mh-port), Flag3 (flag-3: used by no scheduler, kept as ipvsadm keeps it), None to clear them. By default they do not change, unless -Scheduler changes, which clears them.'
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port: the service that New-LvsFirewallMarkRule rules feed. Objects from Get-LvsService bind it by property name (0 there means an address service).'; DefaultValue = '0' }
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Switch to weighted least-connection'
            Code    = 'Set-LvsService -VirtualAddress 10.250.0.101 -Port 80 -Scheduler wlc -PassThru'
            Remarks = 'The same as "ipvsadm -E -t 10.250.0.101:80 -s wlc"; the changed service is shown.'
        }
        @{
            Lab     = $true
            Title   = 'Change every service of a VIP'
            Code    = 'Get-LvsService -VirtualAddress 10.250.0.101 | Set-LvsService -Scheduler sed'
            Remarks = 'Each service binds by property name; every service on the VIP now uses the shortest expected delay scheduler.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'Services (from Get-LvsService) bind by property name: VirtualAddress, Port, Protocol, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'With -PassThru, the changed service.' }
    )
    Notes       = 'Errors: ServiceNotFound, SchedulerNotImplemented, InvalidPort, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Get-LvsService', 'New-LvsService', 'Set-LvsRealServer', 'about_LvsPS')
}
