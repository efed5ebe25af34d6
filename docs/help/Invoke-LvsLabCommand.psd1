@{
    Synopsis    = 'Runs a shell command on one node of a lab, inside its network namespace, and returns its output.'
    Description = @'
Invoke-LvsLabCommand runs a command with /bin/sh -c inside the network namespace of one lab node, like
"ip netns exec lvs-<lab>-<node> sh -c COMMAND", and returns its standard output as one string per line. It is the
way to act as the lab's client (curl, telnet-like sessions with socat, ping, arping) or to look at a node
(ip addr, sysctl, ss).

A command that exits with a status other than 0 gives a LabCommandFailed error with the status and the error
output; otherwise the error output is written to the verbose stream.

The command runs as root with the host's file system; only the network is the node's. It is not a sandbox.
'@
    Parameters  = @{
        Lab        = 'The lab the node belongs to.'
        Node       = 'The node to run the command on: client, director (or vs1), rs1, rs2 ...'
        Command    = 'The shell command line to run with /bin/sh -c.'
        TimeoutSec = @{ Description = 'How many seconds the command may run (1 to 3600) before it is stopped.'; DefaultValue = '60' }
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Fetch a page through the VIP from the client'
            Code    = 'Invoke-LvsLabCommand -Lab seed -Node client -Command ''curl -s http://10.250.0.101/test.html'''
            Remarks = 'Returns "real server #1" or "real server #2", depending on where the director scheduled the connection.'
        }
        @{
            Lab     = $true
            Title   = 'Ten new connections, to see the scheduler work'
            Code    = '1..10 | ForEach-Object { Invoke-LvsLabCommand seed client ''curl -s -m 5 http://10.250.0.101/test.html'' }'
            Remarks = 'With rr the pages alternate between the real servers; Get-LvsService then shows InActConn on each.'
        }
        @{
            Lab     = $true
            Title   = 'Look at a real server'
            Code    = 'Invoke-LvsLabCommand -Lab seed -Node rs1 -Command ''ip -4 addr show dev lo; sysctl net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce'''
            Remarks = 'Shows whether rs1 holds the VIP on lo and hides it from ARP.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with Lab and Node (or NodeName) properties bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'System.String'; Description = 'The lines of the command''s standard output.' }
    )
    Notes       = @'
Invoke-LvsLabCommand has no -WhatIf or -Confirm: it runs whatever command it is given, so whether it changes
anything depends on the command. Use it only on lab nodes you own.

Errors: LabNotFound (terminating), LabNodeNotFound, LabCommandFailed, NotRoot.
'@
    RelatedLinks = @('New-LvsLab', 'Get-LvsLab', 'Test-LvsCluster', 'about_LvsPS')
}
