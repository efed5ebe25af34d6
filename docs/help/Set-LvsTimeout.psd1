@{
    Synopsis    = 'Sets the director''s TCP, TCP FIN and UDP timeouts (ipvsadm --set tcp tcpfin udp).'
    Description = @'
Set-LvsTimeout changes how long the director keeps idle entries in its connection table, like
"ipvsadm --set TCP TCPFIN UDP". A value of 0 leaves that timeout as it is; at most 2678400 s (31 days). New timeouts
apply from the next packet of each connection. The values are saved with the director's configuration and restored
when it restarts.
'@
    Parameters  = @{
        Tcp      = @{ Description = 'Timeout of ESTABLISHED TCP connections in seconds; 0 leaves it unchanged.'; DefaultValue = '0' }
        TcpFin   = @{ Description = 'Timeout of TCP connections after the client''s FIN (FIN_WAIT) in seconds; 0 leaves it unchanged.'; DefaultValue = '0' }
        Udp      = @{ Description = 'Timeout of UDP entries in seconds; 0 leaves it unchanged.'; DefaultValue = '0' }
        PassThru = 'Returns the timeouts after the change. By default nothing is returned.'
        Director = 'The director to change. By default: the only director running, or the one this session started last.'
        WhatIf   = 'Shows the timeouts that would be set, without setting them.'
        Confirm  = 'Asks for confirmation before setting the timeouts.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Shorter idle timeouts'
            Code    = 'Set-LvsTimeout -Tcp 300 -TcpFin 30 -Udp 60 -PassThru'
            Remarks = 'The same as "ipvsadm --set 300 30 60".'
        }
        @{
            Lab     = $true
            Title   = 'Change only the UDP timeout'
            Code    = 'Set-LvsTimeout -Udp 30'
            Remarks = 'Tcp and TcpFin stay as they are (0 = unchanged).'
        }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Director binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Specs.TimeoutSpec'; Description = 'With -PassThru, the timeouts after the change.' }
    )
    Notes       = 'Errors: InvalidTimeout, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Get-LvsTimeout', 'Get-LvsConnection', 'about_LvsPS')
}
