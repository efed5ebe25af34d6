@{
    Synopsis    = 'Takes a real server out of scheduling (weight 0, its weight kept) so its connections drain; with -Wait, waits until they have closed.'
    Description = @'
Suspend-LvsRealServer sets the real server's weight in the table to 0, keeping its configured weight for
Resume-LvsRealServer: the scheduler sends it no new connection, while its open connections go on until they close or
expire. Its State is Draining while it has active connections, then Quiesced. The ipvsadm listing shows weight 0, as
the kernel's would.

The director cannot cut connections, so suspending always drains: -Drain names that intent (as
Stop-NlbClusterNode -Drain and Suspend-ClusterNode -Drain do) and is the documented way to write it. Without -Wait
the cmdlet suspends and returns at once.

With -Wait (or -TimeoutSec) it then waits, reading the connection counts every 250 ms and showing progress, until
no real server it suspended has an active connection (inactive entries, such as TIME_WAIT, do not count). With
-TimeoutSec it stops waiting after that many seconds and writes a warning naming each real server that still has
active connections, and how many; those stay suspended. Real servers from the pipeline are all suspended first,
then waited for together.
'@
    Parameters  = @{
        VirtualAddress = 'The virtual IP address (VIP) of the service. Real servers from Get-LvsRealServer bind it by property name.'
        Port           = 'The port of the service.'
        Protocol       = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port. Objects from Get-LvsRealServer bind it by property name (0 there means an address service).'; DefaultValue = '0' }
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        RealAddress    = 'The address (RIP) of the real server. Real servers from Get-LvsRealServer bind it by property name.'
        RealPort       = 'The port of the real server, when the service has the same address on several ports. By default the service port.'
        Drain          = 'Let the open connections finish while no new connection goes to the real server. This is what a suspend always does; the switch makes it explicit.'
        Wait           = 'Wait until the real server has no active connection, showing progress (Write-Progress). Ctrl+C stops waiting; the real server stays suspended.'
        TimeoutSec     = 'With -Wait: stop waiting after this many seconds (1 or more) and warn for each real server that still has active connections. Implies -Wait. By default -Wait waits without a limit.'
        PassThru       = 'Returns the real server as the director lists it after the suspend (with -Wait: after the wait). By default nothing is returned.'
        WhatIf         = 'Shows the real server that would be suspended and the weight it keeps, without suspending it.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Drain a real server before maintenance'
            Code    = 'Suspend-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3 -Drain -Wait -TimeoutSec 300'
            Remarks = 'No new connection goes to 10.250.0.3; the cmdlet returns when its last active connection has closed, or after 5 minutes with a warning that names it and the connections left.'
        }
        @{
            Lab     = $true
            Title   = 'Drain a server in every service'
            Code    = 'Get-LvsRealServer -RealAddress 10.250.0.3 | Suspend-LvsRealServer -Drain -Wait -PassThru'
            Remarks = 'Suspends 10.250.0.3 in each of its services, then waits for all of them together.'
        }
        @{
            Lab     = $true
            Title   = 'Suspend, then bring it back'
            Code    = @'
Suspend-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3 -Drain
Get-LvsHealth -RealAddress 10.250.0.3
Resume-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3
'@
            Remarks = 'Get-LvsHealth shows Draining while connections are open, then Quiesced; Resume-LvsRealServer gives back the weight it had.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers (from Get-LvsRealServer) bind by property name: VirtualAddress, Port, Protocol, FirewallMark, RealAddress, RealPort, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'With -PassThru, the suspended real server.' }
    )
    Notes       = @'
Errors: ServiceNotFound, RealServerNotFound, DirectorNotRunning, DirectorAmbiguous. A timeout is a warning, not an
error: the suspend itself succeeded.

On a kernel director the suspend is ipvsadm -e -w 0, and the weight to restore is remembered by this session's
connection (Connect-LvsDirector); lvsd keeps it in its state file, across restarts.
'@
    RelatedLinks = @('Resume-LvsRealServer', 'Get-LvsHealth', 'Set-LvsRealServer', 'Get-LvsRealServer', 'about_LvsPS')
}
