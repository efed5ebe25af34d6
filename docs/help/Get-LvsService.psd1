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

Format-Table shows one row per service (protocol, VIP:port, scheduler, flags, persistence, real servers and
connections). ConvertTo-Json and Export-Csv need no options: addresses and enums are written as text, the counters
are flat properties (Conns, InPkts, OutPkts, InBytes, OutBytes, CPS, InPPS, OutPPS, InBPS, OutBPS), and the real
servers are written as their "10.0.0.2:80" texts, which fit ConvertTo-Json's default depth (in a CSV:
"10.0.0.2:80, 10.0.0.3:80"); Get-LvsRealServer | ConvertTo-Json gives each real server whole. In PowerShell
$svc.RealServers[0] still has every property (Weight, RealAddress, Statistics.Connections ...) and binds to
Set-LvsRealServer; the address properties read as text, the objects keep the IPAddress (.psbase.VirtualAddress).

-VirtualAddress, -Port and -Protocol filter the services. When -VirtualAddress or -Port is given and no service
matches, the cmdlet writes a ServiceNotFound error.
'@
    Parameters  = @{
        VirtualAddress = 'Only the services on this virtual IP address. Or a service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, fwm/5, 10.0.0.1:80 (any protocol), [2001:db8::1]:80 or udp/10.0.0.1 (any port); -Port and -Protocol, when given, take precedence. Text that names no service fails binding with a message naming it.'
        Port           = 'Only the services on this port.'
        Protocol       = 'Only the services of this protocol (Tcp, Udp or Sctp).'
        AsText         = 'Returns the table as the text of "ipvsadm -L -n" (one string) instead of objects.'
        Stats          = 'The "ipvsadm -L -n --stats" listing: the services with their counters as the view (Conns, InPkts, OutPkts, InBytes, OutBytes; also properties of every service object). With -AsText, the text of "ipvsadm -L -n --stats" instead.'
        Director       = 'The director to read. By default: the only director running, or the one this session started last.'
        Rate           = 'The services with their rates as the view (CPS, InPPS, OutPPS, InBPS, OutBPS); with -AsText the text of the "ipvsadm -L -n --rate" listing: connections, packets and bytes per second as the kernel''s estimator computes them (2-second samples, smoothed with weight 1/4).'
        Thresholds     = 'The real servers of the services (LvsRealServer objects) with a view of their thresholds (Uthreshold, Lthreshold, ActiveConn, InActConn); with -AsText the text of the "ipvsadm -L -n --thresholds" listing.'
        PersistentConn = 'The real servers of the services (LvsRealServer objects) with a view of their persistence templates (Weight, PersistConn, ActiveConn, InActConn); with -AsText the text of the "ipvsadm -L -n --persistent-conn" listing.'
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
            Code    = 'Get-LvsService -VirtualAddress 10.250.0.101 -Port 80 | Select-Object -ExpandProperty RealServers | Format-Table RealAddress, Weight, ActiveConnections, InactiveConnections'
            Remarks = 'Shows the real servers of TCP 10.250.0.101:80 with their active and inactive connection counts (counted the way ipvsadm counts them).'
        }
        @{
            Lab     = $true
            Title   = 'Name a service as ipvsadm does, and hand it to a script as JSON'
            Code    = @'
Get-LvsService tcp/10.250.0.101:80 | ConvertTo-Json
Get-LvsService -Stats
'@
            Remarks = 'The JSON has "VirtualAddress": "10.250.0.101", "Protocol": "Tcp", "Scheduler": "Rr", the counters (Conns, InPkts ...) and "RealServers": ["10.250.0.3:80", "10.250.0.4:80"], at the default depth. -Stats gives the same objects with the --stats columns as the view.'
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
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'By default, one object per service: Protocol, VirtualAddress, Port, Scheduler, RealServers, Statistics, ActiveConnections, InactiveConnections and the flat counters (Conns, InPkts ... OutBPS). With -Stats or -Rate their type name LvsPS.Ipvs.Model.LvsService#Stats or #Rate picks the view.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'With -Thresholds or -PersistentConn, the real servers of the services (type names LvsPS.Ipvs.Model.LvsRealServer#Thresholds or #PersistentConn pick the view).' }
        @{ Type = 'System.String'; Description = 'With -AsText, the ipvsadm text (with -Stats, the --stats text).' }
    )
    Notes       = 'Errors: DirectorNotRunning and DirectorAmbiguous (terminating), ServiceNotFound when -VirtualAddress or -Port matches nothing.'
    RelatedLinks = @('New-LvsService', 'Get-LvsRealServer', 'Get-LvsConnection', 'Set-LvsService', 'about_LvsPS')
}
