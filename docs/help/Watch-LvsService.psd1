@{
    Synopsis    = 'Shows a refreshing view of a director''s rates per service and real server, like ipvsadm -L -n --rate.'
    Description = @'
Watch-LvsService reads the director's services every -Interval seconds and shows, per virtual service and per real
server, the rates "ipvsadm -L -n --rate" shows (CPS, InPPS, OutPPS, InBPS, OutBPS, from the director's estimator),
and for each real server its share of the service's connections (active plus inactive; the connection counters
when none is live) as a bar. A marker names a real server that takes no new connections: W0 (weight 0, quiesced),
DOWN (its health check fails) and DRAIN (suspended with Suspend-LvsRealServer -Drain, its connections go on).

The markers and bars are coloured with the session's $PSStyle (Foreground.Yellow, Red, Cyan and Green, the
table header style). No colours when $PSStyle.OutputRendering is PlainText, when the NO_COLOR environment variable
is set, or when the output is redirected and OutputRendering is Host.

On an interactive console host each frame replaces the previous one (cursor home and clear, written through the
host UI); otherwise, and when the output is captured, the frames are written one after the other as lines of text,
an empty line between them. The lines fit the host's width (-Width; 80 columns when unknown): long names are cut
with a "~", and the bars grow with the width.

The command runs until -Count frames are shown or until Ctrl+C. With -PassThru it draws nothing and emits one
LvsServiceWatchSnapshot per frame (Time, Director, Frame, Services with their real servers and statistics).
'@
    Parameters  = @{
        VirtualAddress = 'Only the services on this virtual IP address.'
        Port           = 'Only the services on this port.'
        Protocol       = 'Only the services of this protocol (Tcp, Udp or Sctp).'
        FirewallMark   = 'Only the firewall-mark service with this mark.'
        Director       = 'The director to watch. By default: the only director running, or the one this session started last.'
        Interval       = @{ Description = 'Seconds between two frames (0.2 to 3600; default 2, the period of the kernel''s rate estimator).'; DefaultValue = '2' }
        Count          = 'Frames to show before the command ends. By default it runs until Ctrl+C.'
        PassThru       = 'Emits one LvsServiceWatchSnapshot object per frame instead of drawing.'
        Width          = 'Columns the lines must fit (60 to 1000). By default the host window''s width, 80 when it is unknown.'
    }
    Examples    = @(
        @{
            Lab     = 'Interactive: runs until Ctrl+C'
            Title   = 'Watch the rates until Ctrl+C'
            Code    = 'Watch-LvsService -Interval 1'
            Remarks = @'
Output resembles:

    Director web  2026-12-01 23:00:00Z  frame 3
    Service/real server                CPS  InPPS OutPPS  InBPS OutBPS Share
    TCP 10.250.0.101:80 wrr             12     72      0  12345      0
      10.250.0.3:80 w1                   6     36      0   6172      0 ####....  50%
      10.250.0.4:80 w0       W0          0      0      0      0      0 ........   0%
'@
        }
        @{
            Lab     = $true
            Title   = 'Two frames into a file'
            Code    = 'Watch-LvsService -Count 2 -Interval 1 > rates.txt'
            Remarks = 'Redirected, the frames are printed one after the other, without colours.'
        }
        @{
            Lab     = $true
            Title   = 'The snapshots as objects'
            Code    = 'Watch-LvsService -Count 5 -PassThru | ForEach-Object { $_.ConnectionsPerSecond }'
            Remarks = 'Five snapshots, one per interval; each carries the services with their statistics and rates.'
        }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Director, VirtualAddress, Port, Protocol and FirewallMark bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'System.String'; Description = 'The lines of each frame.' }
        @{ Type = 'LvsPS.Management.Watch.LvsServiceWatchSnapshot'; Description = 'With -PassThru: one snapshot per frame.' }
    )
    Notes       = 'Errors: DirectorNotRunning, DirectorAmbiguous, DirectorProtocolError.'
    RelatedLinks = @('Get-LvsService', 'Get-LvsRealServer', 'Suspend-LvsRealServer', 'Get-LvsHealth', 'about_LvsPS')
}
