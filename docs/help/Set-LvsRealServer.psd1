@{
    Synopsis    = 'Changes a real server''s weight or forwarding method (ipvsadm -e); weight 0 quiesces it.'
    Description = @'
Set-LvsRealServer edits a real server of a virtual service, like "ipvsadm -e -t VIP:PORT -r RIP -w WEIGHT". Values
that are not given keep their current value.

Setting the weight to 0 quiesces the real server: the scheduler sends it no new connections, while its existing
connections go on until they close or expire. The weight it had is not kept: to drain a real server before
maintenance, keeping its weight and waiting until its connections have ended, use Suspend-LvsRealServer -Drain -Wait,
and Resume-LvsRealServer after.
'@
    Parameters  = @{
        VirtualAddress = 'The virtual IP address (VIP) of the service. Or the service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, sctp/10.0.0.1:80, fwm/5, 10.0.0.1:80 (TCP) or [2001:db8::1]:80; a -Port, -Protocol or -FirewallMark also given must agree with it. Text that names no service fails binding with a message naming it.'
        Port           = 'The port of the service.'
        Protocol       = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        RealAddress    = 'The address (RIP) of the real server to change.'
        RealPort       = 'The port of the real server to change, when the service has the same address on several ports. By default the service port. A Route or Tunnel real server is always on the service port: another value finds it there, with a warning.'
        MacAddress     = 'A new static MAC for the real server (lvsd only), such as 02:4c:56:00:00:03; an empty value ('''' or $null) clears it, and the MAC is learnt by ARP again. By default the MAC setting does not change. A kernel director refuses a static MAC (NotSupportedByDirector).'
        Weight         = 'The new weight, 0 to 65535. 0 quiesces the real server. By default the weight does not change. Also bound by property name, as are -Forwarding and the thresholds, so rows of Export-Csv read back with Import-Csv set what they say.'
        Forwarding     = 'The new forwarding method: Route (ipvsadm -g), Masq (-m) or Tunnel (-i); lvsd and kernel IPVS implement all three. By default the method does not change. Local, which IPVS reports for a real server whose address is the director''s own, cannot be chosen: it is neither offered nor accepted (ParameterArgumentValidationError, naming it).'
        PassThru       = 'Returns the changed real server. By default nothing is returned.'
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        WhatIf         = 'Shows the weight and forwarding the real server would get, without changing it.'
        UpperThreshold = 'New upper connection threshold (ipvsadm -e -x); 0 removes it. Raising or removing it lifts an overload mark at once. By default it does not change.'
        LowerThreshold = 'New lower connection threshold (ipvsadm -e -y); 0 means three quarters of the upper one. By default it does not change.'
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port: the service that New-LvsFirewallMarkRule rules feed. Objects from Get-LvsService bind it by property name (0 there means an address service).'; DefaultValue = '0' }
    }
    Examples    = @(
        @{
            Lab     = 'Host: writes rs.csv in the current folder'
            Title   = 'Edit weights in a CSV file'
            Code    = @'
Get-LvsRealServer tcp/10.250.0.101:80 | Export-Csv rs.csv
# edit the Weight column, then:
Import-Csv rs.csv | Set-LvsRealServer
'@
            Remarks = 'Each row names its service and real server (VirtualAddress, Port, Protocol, RealAddress, RealPort, Director) and binds Weight, Forwarding, UpperThreshold and LowerThreshold by property name.'
        }
        @{
            Lab     = $true
            Title   = 'Quiesce a real server (weight 0)'
            Code    = 'Set-LvsRealServer -VirtualAddress 10.250.0.101 -Port 80 -RealAddress 10.250.0.3 -Weight 0'
            Remarks = 'The same as "ipvsadm -e -t 10.250.0.101:80 -r 10.250.0.3 -g -w 0": no new connections go to 10.250.0.3; open ones continue, and the weight it had is gone. To drain it and wait until its connections have ended, keeping its weight for later, use Suspend-LvsRealServer -Drain -Wait, then Resume-LvsRealServer.'
        }
        @{
            Lab     = $true
            Title   = 'Double the weight of a real server in every service'
            Code    = 'Get-LvsRealServer -RealAddress 10.250.0.4 | ForEach-Object { $_ | Set-LvsRealServer -Weight ($_.Weight * 2) -PassThru }'
            Remarks = 'Each real server object binds its service and RealAddress by property name.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers (from Get-LvsRealServer) bind by property name: VirtualAddress, Port, Protocol, RealAddress, RealPort, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'With -PassThru, the changed real server.' }
    )
    Notes       = 'Errors: ServiceNotFound, RealServerNotFound, InvalidWeight, DirectorNotRunning, DirectorAmbiguous, InvalidArgument (a bad -MacAddress), NotSupportedByDirector (-MacAddress on a kernel director).'
    RelatedLinks = @('Get-LvsRealServer', 'Add-LvsRealServer', 'Remove-LvsRealServer', 'Set-LvsService', 'about_LvsPS')
}
