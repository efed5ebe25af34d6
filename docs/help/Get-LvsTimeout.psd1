@{
    Synopsis    = 'Gets the director''s connection timeouts (ipvsadm -L --timeout).'
    Description = @'
Get-LvsTimeout returns the three timeouts that ipvsadm --set changes: Tcp (ESTABLISHED connections, default 900 s),
TcpFin (connections after the client's FIN, FIN_WAIT, default 120 s) and Udp (default 300 s). The other TCP states
keep the kernel's fixed timeouts (SYN_RECV 60 s, CLOSE 10 s ...).
'@
    Parameters  = @{
        Director = 'The director to ask. By default: the only director running, or the one this session started last.'
        AsText   = 'Returns the line "ipvsadm -L --timeout" prints: "Timeout (tcp tcpfin udp): 900 120 300".'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Show the timeouts'
            Code    = 'Get-LvsTimeout'
            Remarks = 'Like "ipvsadm -L --timeout", which prints "Timeout (tcp tcpfin udp): 900 120 300".'
        }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Director binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Specs.TimeoutSpec'; Description = 'Tcp, TcpFin and Udp in seconds.' }
        @{ Type = 'System.String'; Description = 'With -AsText, the ipvsadm line.' }
    )
    Notes       = 'Errors: DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Set-LvsTimeout', 'Get-LvsConnection', 'about_LvsPS')
}
