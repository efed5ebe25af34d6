@{
    Synopsis    = 'Watches the frames a director handles, live: client, VIP, the real server chosen and what was done.'
    Description = @'
Watch-LvsTraffic starts a traffic trace in the director (lvsd) and writes one object per frame the director handles
as it comes: the time, the direction, the protocol, the client's address and port, the VIP and port, the real server
the connection is scheduled to, the forwarding method, what was done (Forwarded, Dropped with its reason,
ArpAnswered, PortUnreachable, ReplyForwarded), the rewritten destination MAC (DR), the outer IP-in-IP header
(TUN), and the connection's state after the frame.

The filter parameters are evaluated by the director on each frame; only matching frames are kept. The director keeps
the records in a bounded ring (-BufferSize) between two reads: when it is full the oldest are overwritten and a
warning counts them. The watch ends after -Count records or -Duration seconds (60 when not given), or on Ctrl+C, and
always stops the trace in the director; should the session die, the director stops the trace by itself when no one
has read it for 15 seconds, and at the latest after the duration asked.

This is the live view the tcpdump tip of a DR walkthrough gives (tcpdump -e -nn on the director), as objects.

On a kernel director (Connect-LvsDirector, a kernel lab) the trace is tcpdump over the director's SSH session, as
an admin would take it: tcpdump -n -e on the interface that holds the VIP, with a BPF filter built from the filter
parameters and the director's services, bounded on the director by -c (from -Count) and by timeout (-Duration plus
5 seconds), killed when the watch ends or on Ctrl+C. Each object is a frame the director forwarded, paired with the
client's frame it came from: DR names the real server by the rewritten destination MAC (the director's neighbour
table), NAT by the rewritten destination, TUN by the outer IP-in-IP header. Drops, ARP answers and the connection's
state are not seen there (State and DropReason stay empty). A director without tcpdump refuses with the ErrorId
TcpdumpNotFound (remedy: apt-get install tcpdump on the director).
'@
    Parameters  = @{
        Director           = 'The director to watch. By default: the only director running, or the one this session started last.'
        Protocol           = 'Only frames of this protocol (Tcp, Udp or Sctp).'
        ClientAddress      = 'Only frames from this client address (or network, with -ClientPrefixLength).'
        ClientPrefixLength = @{ Description = 'The prefix length of -ClientAddress (0 to 32; 32, the default, is that address alone).'; DefaultValue = '32' }
        VirtualAddress     = 'Only frames to this virtual IP address (VIP).'
        Port               = 'Only frames to this virtual (service) port.'
        RealAddress        = 'Only frames sent to (or, NAT replies, from) this real server.'
        Action             = 'Only frames the director handled so: Forwarded, Dropped, ArpAnswered, PortUnreachable or ReplyForwarded.'
        Count              = 'Stop after this many records.'
        Duration           = 'Stop after this many seconds (1 to 3600; 60 when not given).'
        BufferSize         = @{ Description = 'How many records the director keeps between two reads (1 to 65536); when full the oldest are overwritten and counted.'; DefaultValue = '4096' }
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Start-LvsExampleTraffic' }
            Title   = 'The next 20 frames to a VIP'
            Code    = 'Watch-LvsTraffic -VirtualAddress 10.250.0.101 -Count 20'
            Remarks = 'One row per frame: time, client, VIP, real server, and the destination MAC it was sent to (DR).'
        }
        @{
            Lab     = @{ Setup = 'Start-LvsExampleTraffic' }
            Title   = 'What goes to one real server, for 10 seconds'
            Code    = 'Watch-LvsTraffic -RealAddress 10.250.0.4 -Duration 10 | Group-Object ClientAddress'
            Remarks = 'Which clients the scheduler sent to that real server.'
        }
        @{
            Lab     = $true
            Title   = 'Why frames are dropped'
            Code    = 'Watch-LvsTraffic -Action Dropped -Duration 30 | Format-List Time, ClientAddress, VirtualAddress, Port, DropReason'
            Remarks = 'DropReason names the check that dropped the frame (NoService, VrrpBackup, MacUnresolved, a martian source…).'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with a Director property bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Director.LvsTrafficRecord'; Description = 'One object per frame: Time, Direction, Protocol, ClientAddress, ClientPort, VirtualAddress, Port, RealAddress, RealPort, Forwarding, Action, DropReason, DestinationMac, OuterSource, OuterDestination, State, TcpFlags, Length.' }
    )
}
