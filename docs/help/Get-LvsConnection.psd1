@{
    Synopsis    = 'Gets the director''s connection table (ipvsadm -L -n -c).'
    Description = @'
Get-LvsConnection returns the entries of the director's connection table: for each connection, the client address
and port, the service (protocol, VIP, port), the real server it was scheduled to, its IPVS state and the seconds
until the entry expires. It is the equivalent of "ipvsadm -L -n -c"; with -AsText it returns exactly that text
("IPVS connection entries" and the pro/expire/state/source/virtual/destination columns).

The director tracks TCP connections with the kernel's IPVS state table and timeouts (ESTABLISHED 900 s, FIN_WAIT
120 s, UDP 300 s, as "ipvsadm -L --timeout" shows by default). In DR the director sees only the client's half of
each connection (replies go straight from the real server to the client), so, as with kernel IPVS, states move on
the client's packets alone.

The filters can be combined; every one that is given must match. The director applies them itself and sends
the entries a page at a time (1,000 a page); each object is written to the pipeline as its page arrives, so a
table of hundreds of thousands of entries is listed with bounded memory in both processes, and -First stops
after that many entries without reading the rest. An entry that exists for the whole listing comes exactly once;
one that is added or expires while it runs may or may not come. A kernel director cannot filter: its
"ipvsadm -L -n -c" is read once and filtered and paged in this session.
'@
    Parameters  = @{
        VirtualAddress = 'Only connections to this virtual IP address.'
        Port           = 'Only connections to this service port.'
        Protocol       = 'Only connections of this protocol (Tcp, Udp or Sctp).'
        RealAddress    = 'Only connections scheduled to this real server (RIP).'
        ClientAddress  = 'Only connections from this client address (CIP).'
        State          = 'Only connections in this state, for example Established, FinWait, TimeWait or SynRecv (tab completes every state).'
        First          = 'Returns at most this many entries (the first ones in the director''s table order) and stops listing.'
        AsText         = 'Returns the selected entries as the text of "ipvsadm -L -n -c" (one string) instead of objects.'
        Director       = 'The director to read. By default: the only director running, or the one this session started last.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'The connection table as ipvsadm prints it'
            Code    = 'Get-LvsConnection -AsText'
            Remarks = @'
Output resembles:

    IPVS connection entries
    pro expire state       source             virtual            destination
    TCP 14:58  ESTABLISHED 10.250.0.200:41822 10.250.0.101:23    10.250.0.3:23
    TCP 01:52  FIN_WAIT    10.250.0.200:53110 10.250.0.101:80    10.250.0.4:80
'@
        }
        @{
            Lab     = $true
            Title   = 'Open connections per real server'
            Code    = 'Get-LvsConnection -State Established | Group-Object RealAddress -NoElement'
            Remarks = 'Counts the established connections of each real server, which is what ActiveConn shows in Get-LvsService.'
        }
        @{
            Lab     = $true
            Title   = 'Connections of one client'
            Code    = 'Get-LvsConnection -ClientAddress 10.250.0.200'
            Remarks = 'Shows which real server each connection of the client went to, and when each entry expires. The director picks them out of its table, so only they travel.'
        }
        @{
            Lab     = $true
            Title   = 'A look at a large table'
            Code    = 'Get-LvsConnection -Port 80 -State SynRecv -First 20 -AsText'
            Remarks = 'The first 20 half-open connections to port 80, as ipvsadm prints them, without listing the whole table.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with VirtualAddress, Port, Protocol, RealAddress or Director properties (for example real servers from Get-LvsRealServer) bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsConnection'; Description = 'By default, one object per entry: Protocol, ClientAddress, ClientPort, VirtualAddress, Port, RealAddress, RealPort, State, ExpiresInSeconds, Packets.' }
        @{ Type = 'System.String'; Description = 'With -AsText, the text of "ipvsadm -L -n -c".' }
    )
    Notes       = 'Errors: DirectorNotRunning, DirectorAmbiguous, DirectorConnectionLost and DirectorSocketNotTrusted (terminating).'
    RelatedLinks = @('Get-LvsService', 'Get-LvsRealServer', 'about_LvsPS')
}
