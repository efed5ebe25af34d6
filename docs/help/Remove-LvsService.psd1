@{
    Synopsis    = 'Deletes a virtual service and its real servers (ipvsadm -D).'
    Description = @'
Remove-LvsService deletes a virtual service from the director, like "ipvsadm -D -t VIP:PORT". Its real servers and
its entries in the connection table go with it. When the last service of a VIP is gone, the director stops
answering ARP for that VIP.
'@
    Parameters  = @{
        Force          = 'Deletes without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        VirtualAddress = 'The virtual IP address (VIP) of the service to delete. Or the service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, sctp/10.0.0.1:80, fwm/5, 10.0.0.1:80 (TCP) or [2001:db8::1]:80; a -Port, -Protocol or -FirewallMark also given must agree with it. Text that names no service fails binding with a message naming it.'
        Port           = 'The port of the service to delete.'
        Protocol       = @{ Description = 'The protocol of the service to delete: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        PassThru       = 'Returns the service as it was just before it was deleted. By default nothing is returned.'
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        WhatIf         = 'Shows the service that would be deleted, without deleting it.'
        Confirm        = 'Prompts for confirmation before deleting the service. The impact is High, so PowerShell asks by default; -Force or -Confirm:$false does not ask.'
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port: the service that New-LvsFirewallMarkRule rules feed. Objects from Get-LvsService bind it by property name (0 there means an address service).'; DefaultValue = '0' }
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Delete one service'
            Code    = 'Remove-LvsService -VirtualAddress 10.250.0.101 -Port 23 -Force'
            Remarks = 'The same as "ipvsadm -D -t 10.250.0.101:23".'
        }
        @{
            Lab     = $true
            Title   = 'Clear a director''s table'
            Code    = 'Get-LvsService -Director seed | Remove-LvsService -Confirm:$false'
            Remarks = 'Deletes every service of the director "seed", like "ipvsadm -C".'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'Services (from Get-LvsService) bind by property name: VirtualAddress, Port, Protocol, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'With -PassThru, the deleted service.' }
    )
    Notes       = 'Errors: ServiceNotFound, InvalidPort, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('New-LvsService', 'Get-LvsService', 'Remove-LvsRealServer', 'about_LvsPS')
}
