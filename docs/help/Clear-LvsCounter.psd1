@{
    Synopsis    = 'Zeroes the connection, packet and byte counters of one service or all (ipvsadm -Z).'
    Description = @'
Clear-LvsCounter sets Conns, InPkts, OutPkts, InBytes and OutBytes of a service and its real servers to zero,
like "ipvsadm -Z [-t VIP:PORT]". Without -VirtualAddress and -Port every service is zeroed. The connection table,
ActiveConn and InActConn are not touched.
'@
    Parameters  = @{
        Force          = 'Zeroes without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        VirtualAddress = 'The VIP of the service to zero; give it with -Port, or neither to zero every service.'
        Port           = 'The port of the service to zero.'
        Protocol       = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        PassThru       = 'Returns the zeroed services. By default nothing is returned.'
        Director       = 'The director. By default: the only director running, or the one this session started last.'
        WhatIf         = 'Shows which counters would be zeroed, without zeroing them.'
        Confirm        = 'Asks for confirmation before zeroing.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Zero everything'
            Code    = 'Clear-LvsCounter -Force'
            Remarks = 'The same as "ipvsadm -Z".'
        }
        @{
            Lab     = $true
            Title   = 'Zero one service and show it'
            Code    = 'Get-LvsService -Port 80 | Clear-LvsCounter -PassThru -Force'
            Remarks = 'Services bind by property name.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'Services (from Get-LvsService) bind by property name: VirtualAddress, Port, Protocol, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'With -PassThru, the zeroed services.' }
    )
    Notes       = 'Errors: ServiceNotFound, InvalidPort, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Get-LvsService', 'Get-LvsRealServer', 'about_LvsPS')
}
