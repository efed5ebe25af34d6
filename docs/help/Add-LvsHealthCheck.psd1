@{
    Synopsis    = 'Adds a health checker to a real server: TCP_CHECK, HTTP_GET, SSL_GET or MISC_CHECK, with keepalived''s parameters and defaults.'
    Description = @'
Add-LvsHealthCheck gives a real server a health checker with keepalived's semantics. The director (lvsd) runs it
from its own network context and changes its table by it: while the checker fails, the real server takes no new
connection. Each real server has at most one checker of each type; all of its checkers must pass.

- Tcp (TCP_CHECK): a TCP connection is opened and closed.
- Http (HTTP_GET): each -Path is fetched; the status code (-StatusCode) and, with -Digest, the MD5 digest of the body
  decide.
- Ssl (SSL_GET): HTTP_GET over TLS.
- Misc (MISC_CHECK): -Command runs on the director; its exit status decides.

Probes go to the real server's own address and port (RIP:port) unless -ConnectAddress or -ConnectPort say
otherwise; in DR the real servers serve on their own address too, so the checks see what clients see.

Parameters that are not given take keepalived's defaults (keepalived.conf(5)): the interval is the service's
delay_loop (60 s unless Set-LvsServiceHealth changes it), connect_timeout 5 s, retry 1 (MISC_CHECK 0),
delay_before_retry 3 s for HTTP_GET and SSL_GET and 1 s otherwise. A real server whose checker fails is taken out of
the table (or kept with weight 0 when the service has inhibit_on_failure) until it passes again; a failure is
detected within delay_loop + connect_timeout x (retry + 1) + delay_before_retry x retry.

The values are checked before anything is sent: a value keepalived would refuse (an interval of 0, a path without a
leading /, a status code outside 100..599, a digest that is not 32 hex digits, a Misc checker without a command) is
an InvalidHealthCheck error that names it, and nothing changes.

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsService and Get-LvsVrrpInstance carry it) and its own values. The changes are
made once the input is in, the directors at once (-ThrottleLimit), each director's changes in the order they came;
the output keeps the order the directors came in, progress names each director as it finishes, and a director that
does not answer is one error (naming it, as TargetObject) while the others go on. With -WhatIf, -Confirm or a
confirmation due, every record is done at once, one after another, as asked.
'@
    Parameters  = @{
        VirtualAddress      = 'The virtual IP address (VIP) of the service. Real servers from Get-LvsRealServer bind it by property name.'
        Port                = 'The port of the service.'
        Protocol            = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        FirewallMark        = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port. Objects from Get-LvsRealServer bind it by property name (0 there means an address service).'; DefaultValue = '0' }
        Director            = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        RealAddress         = 'The address (RIP) of the real server. Real servers from Get-LvsRealServer bind it by property name.'
        RealPort            = 'The port of the real server, when the service has the same address on several ports. By default the service port.'
        Type                = 'The checker: Tcp (TCP_CHECK), Http (HTTP_GET), Ssl (SSL_GET) or Misc (MISC_CHECK). keepalived''s names (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK) are accepted too.'
        IntervalSec         = 'keepalived''s delay_loop for this checker: seconds between two checks, above 0. By default the service''s delay_loop (Set-LvsServiceHealth -DelayLoopSec), else 60 s.'
        TimeoutSec          = 'keepalived''s connect_timeout: seconds a probe may take to connect (and, for Http and Ssl, to answer), above 0. By default 5 s.'
        Retry               = 'keepalived''s retry (formerly nb_get_retry): how many more tries a failed probe gets before a live real server is declared down, 0 to 1000. By default 1 (Misc: 0).'
        DelayBeforeRetrySec = 'keepalived''s delay_before_retry: seconds between those tries, 0 or more. By default 3 s for Http and Ssl, 1 s otherwise.'
        WarmupSec           = 'keepalived''s warmup: the first check waits a random time up to this many seconds, so checkers do not all start at once; 0 checks at once. By default up to the interval.'
        ConnectAddress      = 'keepalived''s connect_ip: the address the probe goes to. By default the real server''s own address (RIP), which in DR is where it serves too.'
        ConnectPort         = 'keepalived''s connect_port: the port the probe goes to, 1 to 65535 (0: the default). By default the real server''s port.'
        BindAddress         = 'keepalived''s bindto: the source address of the probe. By default the director chooses.'
        BindPort            = 'keepalived''s bind_port: the source port of the probe, 1 to 65535 (0: any, the default).'
        Path                = 'Http and Ssl: the url path(s) fetched, each starting with /; every one must pass (keepalived''s url { path }). By default /.'
        StatusCode          = 'Http and Ssl: the status codes that pass, as keepalived writes status_code: codes 100 to 599 and ranges such as 200-299 (several are joined). It applies to every path. By default 200-299.'
        Digest              = 'Http and Ssl: the MD5 digest the body must have (32 hex digits, as keepalived''s genhash prints it), one for every path, or one per path in the order of -Path. By default the body is not checked.'
        VirtualHost         = 'Http and Ssl: the Host header sent (keepalived''s virtualhost). By default the service''s virtualhost (Set-LvsServiceHealth -VirtualHost), else none.'
        HttpProtocol        = 'Http and Ssl: keepalived''s http_protocol: 1.0 (the default), 1.0C (1.0 with Connection: close) or 1.1.'
        EnableSni           = 'Ssl: send the virtual host (or the address) as TLS Server Name Indication (keepalived''s enable_sni).'
        Command             = 'Misc: keepalived''s misc_path, the command line run on the director; exit status 0 means up, anything else down. Required for a Misc checker.'
        CommandTimeoutSec   = 'Misc: keepalived''s misc_timeout: seconds the command may run before it counts as failed. By default the interval.'
        Dynamic             = 'Misc: keepalived''s misc_dynamic: an exit status 2 to 255 means up with weight status - 2 (0 and 1 keep their meaning).'
        Alpha               = 'keepalived''s alpha for this checker: the real server starts down until this checker has passed once. By default the service''s alpha (Set-LvsServiceHealth -Alpha).'
        PassThru            = 'Returns the checker as the director now holds it (an LvsHealthCheckInfo). By default nothing is returned.'
        ThrottleLimit    = @{ Description = 'How many directors are changed at once when the input names several (1 to 1024). The default, 32, is Invoke-Command''s: a change is a few requests, over SSH for a kernel director, mostly waiting on the far side. 1 changes them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        WhatIf              = 'Shows the checker, with the interval, timeout and retry it would run with, and the real server it would be added to, without adding it.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Check every real server of a service over HTTP'
            Code    = 'Get-LvsRealServer -Port 80 | Add-LvsHealthCheck -Type Http -Path /test.html -StatusCode 200 -IntervalSec 1 -TimeoutSec 1 -Retry 0'
            Remarks = 'Fetches /test.html from each real server every second; one failure (no answer within 1 s, or a status other than 200) takes the real server out of the table, within about 2 s.'
        }
        @{
            Lab     = $true
            Title   = 'A TCP check on another port'
            Code    = 'Add-LvsHealthCheck 10.250.0.101 80 -RealAddress 10.250.0.3 -Type Tcp -ConnectPort 8080 -TimeoutSec 2'
            Remarks = 'keepalived''s TCP_CHECK { connect_port 8080 connect_timeout 2 }: the real server is up while it accepts connections on port 8080.'
        }
        @{
            Lab     = $true
            Title   = 'A command decides, and sets the weight'
            Code    = 'Add-LvsHealthCheck 10.250.0.101 80 -RealAddress 10.250.0.3 -Type Misc -Command ''/usr/local/bin/check-load 10.250.0.3'' -CommandTimeoutSec 5 -Dynamic'
            Remarks = 'The command runs on the director; with -Dynamic an exit status of 2 to 255 sets the weight to status - 2.'
        }
        @{
            Lab     = $true
            Title   = 'See what it would do'
            Code    = 'Get-LvsRealServer -Port 80 | Add-LvsHealthCheck -Type Http -Path /healthz -WhatIf'
            Remarks = 'Shows, for each real server, the checker with the values it would run with (interval 60 s, timeout 5 s, retry 1: keepalived''s defaults).'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers (from Get-LvsRealServer) bind by property name: VirtualAddress, Port, Protocol, FirewallMark, RealAddress, RealPort, Director.' }
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Any object with VirtualAddress, Port, Protocol, RealAddress, RealPort, Director or Type properties also binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Commands.LvsHealthCheckInfo'; Description = 'With -PassThru, the checker: the service and real server it belongs to, its values (null: keepalived''s default), the Effective values it runs with and keepalived''s DetectionTimeSec.' }
    )
    Notes       = @'
Errors: InvalidHealthCheck, HealthCheckExists (the real server already has a checker of that type: change it with
Set-LvsHealthCheck), ServiceNotFound, RealServerNotFound, DirectorNotRunning, DirectorAmbiguous,
KeepalivedConfigForeign, KeepalivedConfigRejected,
KeepalivedNotFound, KeepalivedStartFailed (kernel director: see about_LvsPS).

On a kernel director (Connect-LvsDirector, or a kernel lab) keepalived runs the
checks: LvsPS writes the service into /etc/keepalived/keepalived.conf, checks
it with keepalived -t, and starts keepalived (-C) or reloads it with SIGHUP.
From then on the service is managed through keepalived (docs/KERNEL-BACKEND.md).

Get-LvsHealth shows what the checks find; Get-LvsRealServer's State shows the verdict.
'@
    RelatedLinks = @('Get-LvsHealthCheck', 'Set-LvsHealthCheck', 'Remove-LvsHealthCheck', 'Get-LvsHealth', 'Set-LvsServiceHealth', 'Get-LvsRealServer', 'about_LvsPS')
}
