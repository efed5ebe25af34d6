@{
    Synopsis    = 'Deletes a real server from a virtual service (ipvsadm -d).'
    Description = @'
Remove-LvsRealServer deletes a real server from a virtual service, like "ipvsadm -d -t VIP:PORT -r RIP". New
connections no longer go to it. As with the kernel's default (expire_nodest_conn=0), the packets of connections
already scheduled to it are dropped until their entries time out. To take a real server out gently, quiesce it
first with Set-LvsRealServer -Weight 0 and remove it when its ActiveConn has fallen to 0.

Removing a real server from the director does not touch the real server itself: it still holds the VIP with ARP
hidden, which is harmless.
'@
    Parameters  = @{
        Force          = 'Deletes without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        VirtualAddress = 'The virtual IP address (VIP) of the service. Or the service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, sctp/10.0.0.1:80, fwm/5, 10.0.0.1:80 (TCP) or [2001:db8::1]:80; a -Port, -Protocol or -FirewallMark also given must agree with it. Text that names no service fails binding with a message naming it.'
        Port           = 'The port of the service.'
        Protocol       = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        RealAddress    = 'The address (RIP) of the real server to delete.'
        RealPort       = 'The port of the real server to delete. By default the service port.'
        PassThru       = 'Returns the real server as it was just before it was deleted. By default nothing is returned.'
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        WhatIf         = 'Shows the real server that would be deleted, without deleting it.'
        Confirm        = 'Prompts for confirmation before deleting the real server. The impact is High, so PowerShell asks by default; -Force or -Confirm:$false does not ask.'
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port: the service that New-LvsFirewallMarkRule rules feed. Objects from Get-LvsService bind it by property name (0 there means an address service).'; DefaultValue = '0' }
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Delete a real server'
            Code    = 'Remove-LvsRealServer -VirtualAddress 10.250.0.101 -Port 80 -RealAddress 10.250.0.3 -Force'
            Remarks = 'The same as "ipvsadm -d -t 10.250.0.101:80 -r 10.250.0.3".'
        }
        @{
            Lab     = $true
            Title   = 'Take a real server out of every service'
            Code    = 'Get-LvsRealServer -RealAddress 10.250.0.3 | Remove-LvsRealServer -Confirm:$false'
            Remarks = 'Each real server object binds its service and address by property name.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers (from Get-LvsRealServer) bind by property name: VirtualAddress, Port, Protocol, RealAddress, RealPort, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'With -PassThru, the deleted real server.' }
    )
    Notes       = 'Errors: ServiceNotFound, RealServerNotFound, InvalidPort, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Add-LvsRealServer', 'Set-LvsRealServer', 'Get-LvsRealServer', 'Remove-LvsService', 'about_LvsPS')
}
