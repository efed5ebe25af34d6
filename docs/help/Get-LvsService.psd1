@{
    Synopsis    = 'Gets a director''s virtual services with their real servers, laid out like ipvsadm -L -n.'
    Description = @'
Get-LvsService reads the director's table and returns one object per virtual service, sorted as ipvsadm sorts them
(protocol, VIP, port), each with its real servers and statistics. The default view prints them in the layout of
"ipvsadm -L -n": the "IP Virtual Server version ... (size=4096)" header, "Prot LocalAddress:Port Scheduler Flags"
and "-> RemoteAddress:Port Forward Weight ActiveConn InActConn" lines.

With -AsText the cmdlet returns exactly the text "ipvsadm -L -n" would print for the same table, as one string;
with -AsText -Stats the text of "ipvsadm -L -n --stats" (Conns, InPkts, OutPkts, InBytes, OutBytes; in DR the
director sees no outgoing packets, so OutPkts and OutBytes stay 0).

-VirtualAddress, -Port and -Protocol filter the services. When -VirtualAddress or -Port is given and no service
matches, the cmdlet writes a ServiceNotFound error.
'@
    Parameters  = @{
        VirtualAddress = 'Only the services on this virtual IP address.'
        Port           = 'Only the services on this port.'
        Protocol       = 'Only the services of this protocol (Tcp, Udp or Sctp).'
        AsText         = 'Returns the table as the text of "ipvsadm -L -n" (one string) instead of objects.'
        Stats          = 'With -AsText: returns the text of "ipvsadm -L -n --stats" instead.'
        Director       = 'The director to read. By default: the only director running, or the one this session started last.'
        Rate           = 'With -AsText: the "ipvsadm -L -n --rate" listing: connections, packets and bytes per second as the kernel''s estimator computes them (2-second samples, smoothed with weight 1/4).'
        Thresholds     = 'With -AsText: the "ipvsadm -L -n --thresholds" listing (Uthreshold, Lthreshold, ActiveConn, InActConn).'
        PersistentConn = 'With -AsText: the "ipvsadm -L -n --persistent-conn" listing (Weight, PersistConn, ActiveConn, InActConn).'
        Exact          = 'With -AsText -Stats or -Rate: full numbers instead of K, M, G and T (--exact).'
        FirewallMark   = 'Only the firewall-mark service with this mark.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'The table, as ipvsadm -L -n shows it'
            Code    = 'Get-LvsService'
            Remarks = @'
Output resembles:

    IP Virtual Server version 1.2.1 (size=4096)
    Prot LocalAddress:Port Scheduler Flags
      -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
    TCP  10.250.0.101:80 rr
      -> 10.250.0.4:80                Route   1      0          3
      -> 10.250.0.3:80                Route   1      0          3
'@
        }
        @{
            Lab     = $true
            Title   = 'The exact ipvsadm text'
            Code    = @'
Get-LvsService -AsText
Get-LvsService -AsText -Stats
'@
            Remarks = 'The first is the text of "ipvsadm -L -n", the second that of "ipvsadm -L -n --stats"; scripts that parse ipvsadm output can read either.'
        }
        @{
            Lab     = $true
            Title   = 'One service and its counters'
            Code    = 'Get-LvsService -VirtualAddress 10.250.0.101 -Port 80 | Select-Object -ExpandProperty RealServers | Format-Table RealAddress, Weight, ActiveConn, InActConn'
            Remarks = 'Shows the real servers of TCP 10.250.0.101:80 with their active and inactive connection counts (counted the way ipvsadm counts them).'
        }
        @{
            Lab     = @{ Setup = 'Remove-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.4' }
            Title   = 'Pipe a service to add a real server'
            Code    = 'Get-LvsService -Port 80 | Add-LvsRealServer -RealAddress 10.250.0.4'
            Remarks = 'The service objects bind to Add-LvsRealServer by property name (VirtualAddress, Port, Protocol, Director).'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with VirtualAddress, Port, Protocol or Director properties bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'By default, one object per service: Protocol, VirtualAddress, Port, Scheduler, RealServers, Statistics, ActiveConn, InActConn.' }
        @{ Type = 'System.String'; Description = 'With -AsText, the ipvsadm text (with -Stats, the --stats text).' }
    )
    Notes       = 'Errors: DirectorNotRunning and DirectorAmbiguous (terminating), ServiceNotFound when -VirtualAddress or -Port matches nothing.'
    RelatedLinks = @('New-LvsService', 'Get-LvsRealServer', 'Get-LvsConnection', 'Set-LvsService', 'about_LvsPS')
}
