@{
    Synopsis    = 'Changes the named parameters of a real server''s health checker; the others keep their values.'
    Description = @'
Set-LvsHealthCheck changes a real server's checker of one type (-Type; by default the real server's only checker).
It reads the checker as the director holds it (Get-LvsRealServer's HealthChecks), changes only the parameters that
are given, checks the result as keepalived would and replaces the checker with it. The checker's state is kept: a
real server that is down stays down until the changed checker passes.

An empty string clears a text value (-VirtualHost ', -HttpProtocol ') back to keepalived's default.

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
        Type                = 'The checker to change: Tcp, Http, Ssl or Misc. By default the real server''s only checker (an error when it has several). Checkers from Get-LvsHealthCheck bind it by property name.'
        IntervalSec         = 'keepalived''s delay_loop for this checker: seconds between two checks, above 0. Not given, it stays as it is. keepalived''s default: the service''s delay_loop (Set-LvsServiceHealth -DelayLoopSec), else 60 s.'
        TimeoutSec          = 'keepalived''s connect_timeout: seconds a probe may take to connect (and, for Http and Ssl, to answer), above 0. Not given, it stays as it is. keepalived''s default: 5 s.'
        Retry               = 'keepalived''s retry (formerly nb_get_retry): how many more tries a failed probe gets before a live real server is declared down, 0 to 1000. Not given, it stays as it is. keepalived''s default: 1 (Misc: 0).'
        DelayBeforeRetrySec = 'keepalived''s delay_before_retry: seconds between those tries, 0 or more. Not given, it stays as it is. keepalived''s default: 3 s for Http and Ssl, 1 s otherwise.'
        WarmupSec           = 'keepalived''s warmup: the first check waits a random time up to this many seconds, so checkers do not all start at once; 0 checks at once. Not given, it stays as it is. keepalived''s default: up to the interval.'
        ConnectAddress      = 'keepalived''s connect_ip: the address the probe goes to. Not given, it stays as it is. keepalived''s default: the real server''s own address (RIP), which in DR is where it serves too.'
        ConnectPort         = 'keepalived''s connect_port: the port the probe goes to, 1 to 65535 (0: the default). Not given, it stays as it is. keepalived''s default: the real server''s port.'
        BindAddress         = 'keepalived''s bindto: the source address of the probe. Not given, it stays as it is. keepalived''s default: the director chooses.'
        BindPort            = 'keepalived''s bind_port: the source port of the probe, 1 to 65535 (0: any, the default).'
        Path                = 'Http and Ssl: the url path(s), each starting with /; they replace the checker''s paths (a path it had keeps its status code and digest). By default the paths stay.'
        StatusCode          = 'Http and Ssl: the status codes that pass (codes 100 to 599 and ranges such as 200-299), for every path. By default they stay.'
        Digest              = 'Http and Ssl: the MD5 digest(s) of the body (32 hex digits), one for every path, or one per path in order. By default they stay.'
        VirtualHost         = 'Http and Ssl: the Host header sent (keepalived''s virtualhost). Not given, it stays as it is. keepalived''s default: the service''s virtualhost (Set-LvsServiceHealth -VirtualHost), else none.'
        HttpProtocol        = 'Http and Ssl: keepalived''s http_protocol: 1.0 (the default), 1.0C (1.0 with Connection: close) or 1.1.'
        EnableSni           = 'Ssl: -EnableSni turns Server Name Indication on, -EnableSni:$false off. By default it stays.'
        Command             = 'Misc: keepalived''s misc_path, the command line run on the director; exit status 0 means up, anything else down. Required for a Misc checker.'
        CommandTimeoutSec   = 'Misc: keepalived''s misc_timeout: seconds the command may run before it counts as failed. Not given, it stays as it is. keepalived''s default: the interval.'
        Dynamic             = 'Misc: -Dynamic turns misc_dynamic on, -Dynamic:$false off. By default it stays.'
        Alpha               = 'alpha for this checker: -Alpha on, -Alpha:$false off. By default it stays.'
        PassThru            = 'Returns the changed checker (an LvsHealthCheckInfo). By default nothing is returned.'
        ThrottleLimit    = @{ Description = 'How many directors are changed at once when the input names several (1 to 1024). The default, 32, is Invoke-Command''s: a change is a few requests, over SSH for a kernel director, mostly waiting on the far side. 1 changes them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        WhatIf              = 'Shows the checker as it would be after the change, with the values it would run with, without changing it.'
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Get-LvsRealServer -Port 80 | Add-LvsHealthCheck -Type Http -Path /test.html' }
            Title   = 'Shorten the timeout of every HTTP checker'
            Code    = 'Get-LvsHealthCheck -Type Http | Set-LvsHealthCheck -TimeoutSec 2 -PassThru'
            Remarks = 'Each checker keeps its paths, interval and retry; only connect_timeout changes.'
        }
        @{
            Lab     = @{ Setup = 'Add-LvsHealthCheck 10.250.0.101 80 -RealAddress 10.250.0.3 -Type Http -Path /test.html' }
            Title   = 'Check another page'
            Code    = 'Set-LvsHealthCheck 10.250.0.101 80 -RealAddress 10.250.0.3 -Type Http -Path /healthz -StatusCode 200-299'
            Remarks = 'The checker now fetches /healthz and passes on any 2xx status.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers (from Get-LvsRealServer) bind by property name: VirtualAddress, Port, Protocol, FirewallMark, RealAddress, RealPort, Director.' }
        @{ Type = 'LvsPS.Commands.LvsHealthCheckInfo'; Description = 'Checkers (from Get-LvsHealthCheck) bind by property name: the real server''s identity and Type.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Commands.LvsHealthCheckInfo'; Description = 'With -PassThru, the changed checker.' }
    )
    Notes       = @'
Errors: InvalidHealthCheck, HealthCheckNotFound (no checker of that type: add one with Add-LvsHealthCheck),
InvalidArgument (several checkers and no -Type), ServiceNotFound, RealServerNotFound,
DirectorNotRunning, DirectorAmbiguous, KeepalivedConfigForeign, KeepalivedConfigRejected,
KeepalivedNotFound, KeepalivedStartFailed (kernel director: see about_LvsPS).
On a kernel director keepalived.conf is rewritten and keepalived reloaded.
'@
    RelatedLinks = @('Add-LvsHealthCheck', 'Get-LvsHealthCheck', 'Remove-LvsHealthCheck', 'about_LvsPS')
}
