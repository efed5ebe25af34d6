@{
    Synopsis    = 'Runs an ipvsadm command line against an LvsPS director (alias lvsadm).'
    Description = @'
Invoke-LvsAdm takes ipvsadm's command line, as one string ('-A -t 10.0.0.1:80 -s rr') or as separate words
after "--" (lvsadm -- -A -t 10.0.0.1:80 -s rr), tokenised as a shell would (quotes and backslashes honoured), and
runs it against an lvsd director or a kernel director connected with Connect-LvsDirector.

Changing commands (-A, -E, -D, -a, -e, -d, -C, -Z, --set) are parsed by the same parser that Import-LvsConfiguration
reads ipvsadm rules files with, and are made through the management layer the other cmdlets use, so -WhatIf and
-Confirm apply. -E and -e take ipvsadm's defaults for what they do not name (scheduler wlc, weight 1, direct
routing), as ipvsadm does. Listing commands write ipvsadm's text byte for byte: -L -n, -L -n --stats, --rate,
--thresholds, --persistent-conn (each with an optional service), --exact, -L -n -c, -L --timeout and -S -n.
Names are not looked up: -L prints numbers, as -L -n does.

Errors use ipvsadm's texts where ipvsadm has one: "--foo: unknown option", "multiple commands specified",
"Illegal 'weight' option with the 'delete-service' command", "You need to supply the 'real-server' option for the
'add-server' command", "No such service", "No such destination". -R (restore) is not run: use
Sync-LvsConfiguration.
'@
    Parameters  = @{
        Command  = 'The ipvsadm arguments: one string, or separate words (after "--", so that PowerShell does not read -C, -d or -w as its own parameters). No arguments lists the table, as a bare ipvsadm does.'
        Director = 'The director to run the command against. By default: the only director running, or the one this session started last.'
        WhatIf   = 'Shows the change a changing command would make, without making it.'
        Confirm  = 'Asks before making the change. -D, -d, -C and -Z ask by default (their impact is High), the other changes only with -Confirm; -Confirm:$false does not ask. There is no -Force: an unquoted -f (--fwmark-service) would bind to it.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Add a service and a real server'
            Code    = "lvsadm '-A -t 10.0.0.101:8080 -s rr'; lvsadm '-a -t 10.0.0.101:8080 -r 10.0.0.3 -g -w 2'"
            Remarks = 'The same commands as with ipvsadm; -WhatIf shows them without making them.'
        }
        @{
            Lab     = $true
            Title   = 'List the table as ipvsadm does'
            Code    = "lvsadm -L -n; lvsadm '-L -n --stats'"
            Remarks = 'The text equals Get-LvsService -AsText (and -AsText -Stats).'
        }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Invoke-LvsAdm takes no pipeline input.' }
    )
    Outputs     = @(
        @{ Type = 'System.String'; Description = 'The text of a listing command; nothing for a changing command.' }
    )
    Notes       = 'Errors: InvalidArgument (a bad option or value, with ipvsadm''s message), InvalidScheduler (-s names no scheduler), InvalidTimeout (a --set value outside 0..2678400), ConfigParseError, ServiceNotFound, RealServerNotFound, ServiceExists, RealServerExists, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Sync-LvsConfiguration', 'Get-LvsService', 'Import-LvsConfiguration', 'about_LvsPS')
}
