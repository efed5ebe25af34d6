@{
    Synopsis    = 'Gives a suspended real server its configured weight back, so it takes new connections again.'
    Description = @'
Resume-LvsRealServer undoes Suspend-LvsRealServer: the real server gets back the weight it was configured with
(its ConfiguredWeight) and the scheduler may choose it again from the next new connection on. A real server that is
not suspended is left as it is; one that its health checks hold down stays down until they pass.
'@
    Parameters  = @{
        VirtualAddress = 'The virtual IP address (VIP) of the service. Real servers from Get-LvsRealServer bind it by property name.'
        Port           = 'The port of the service.'
        Protocol       = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port. Objects from Get-LvsRealServer bind it by property name (0 there means an address service).'; DefaultValue = '0' }
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        RealAddress    = 'The address (RIP) of the real server. Real servers from Get-LvsRealServer bind it by property name.'
        RealPort       = 'The port of the real server, when the service has the same address on several ports. By default the service port.'
        PassThru       = 'Returns the real server as the director lists it after the resume. By default nothing is returned.'
        WhatIf         = 'Shows the real server that would be resumed and the weight it would get, without resuming it.'
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Suspend-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3 -Drain' }
            Title   = 'Bring a drained real server back'
            Code    = 'Resume-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3 -PassThru'
            Remarks = 'The real server has its weight again and takes new connections.'
        }
        @{
            Lab     = @{ Setup = 'Suspend-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3 -Drain' }
            Title   = 'Resume every suspended real server'
            Code    = 'Get-LvsRealServer | Where-Object Suspended | Resume-LvsRealServer'
            Remarks = 'Each suspended real server gets its configured weight back.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers (from Get-LvsRealServer) bind by property name: VirtualAddress, Port, Protocol, FirewallMark, RealAddress, RealPort, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'With -PassThru, the resumed real server.' }
    )
    Notes       = @'
Errors: ServiceNotFound, RealServerNotFound, DirectorNotRunning, DirectorAmbiguous; on a kernel director,
InvalidArgument when the real server was not suspended through this session's connection (its weight is not known
there: set one with Set-LvsRealServer -Weight).
'@
    RelatedLinks = @('Suspend-LvsRealServer', 'Get-LvsHealth', 'Set-LvsRealServer', 'about_LvsPS')
}
