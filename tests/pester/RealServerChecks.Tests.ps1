#Requires -Version 7.4
# Test-LvsCluster's real server checks and Test-LvsRealServer against a real lab: an engine director (lvsd) and two
# real servers running sshd and nginx in their namespaces. Each check is broken on rs1 by exactly its own fault (the
# VIP off lo, the VIP as /24, ARP not hidden, strict rp_filter with the route back elsewhere, nginx bound to the RIP
# only, the director's connections dropped by a policy rule, a page that answers 403), fails naming rs1 with a
# remedy, and passes again after the fix. No traffic leaves the lab.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'chkrs'; Network = '10.161'; StartDirector = $true; HideRealServers = $true }
    $script:Rs1 = $Lab.RealServers | Where-Object Name -eq rs1
    $script:Rs2 = $Lab.RealServers | Where-Object Name -eq rs2
    $script:Rs1Name = "rs1 \($([regex]::Escape($Rs1.Address.ToString()))\)"
    $script:Rs1Dir = Join-Path $Lab.Directory rs1
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $Rs1, $Rs2) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address | Out-Null }

    function script:Get-Check([string[]]$Check) { @(Test-LvsCluster -Lab $LabName -Include $Check) }
    function script:Rs1Result($Results, [string]$Check) {
        @($Results | Where-Object { $_.Check -eq $Check -and $_.Target -like "$($Rs1.Address)*" })
    }
    function script:Rs1 ([string]$Command) { Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command $Command }
    # nginx of rs1 restarted with its configuration (daemon on; detached, holding none of our pipes).
    function script:Restart-Rs1Nginx {
        $conf = Join-Path $Rs1Dir nginx.conf
        Rs1 "n=`$(command -v nginx || echo /usr/sbin/nginx); `"`$n`" -c '$conf' -p '$Rs1Dir/' -s stop; for i in `$(seq 50); do ss -ltnH | grep -q ':80 ' || break; sleep 0.1; done; setsid `"`$n`" -c '$conf' -p '$Rs1Dir/' </dev/null >/dev/null 2>&1; for i in `$(seq 50); do ss -ltnH | grep -q ':80 ' && break; sleep 0.1; done" | Out-Null
    }
    function script:Assert-Rs1Failed($Results, [string]$Check, [string]$Message, [string]$Remedy) {
        $r = Rs1Result $Results $Check
        $r.Count | Should -Be 1 -Because "one $Check result for rs1"
        $r[0].Result | Should -Be 'Failed' -Because $r[0].Message
        $r[0].Message | Should -Match "^$Rs1Name`: $Message"
        $r[0].Remedy | Should -Match $Remedy
        # rs2, untouched, still passes.
        ($Results | Where-Object { $_.Check -eq $Check -and $_.Target -like "$($Rs2.Address)*" }).Result | Should -Be 'Passed'
    }
    # Breaks rs1 with $Break, sees $Check fail naming rs1 with the remedy, runs $Also (more of the same check), restores
    # with $Restore whatever happened, and sees the check pass again.
    function script:Invoke-Rs1Break([string]$Break, [string]$Check, [string]$Message, [string]$Remedy, [scriptblock]$Also, [scriptblock]$Restore) {
        Rs1 $Break | Out-Null
        try {
            Assert-Rs1Failed (Get-Check $Check) $Check $Message $Remedy
            if ($Also) { & $Also }
        } finally { & $Restore | Out-Null }
        Assert-Rs1Passed $Check
    }
    function script:Assert-Rs1Passed([string]$Check) {
        $r = Get-Check $Check
        ($r | ForEach-Object Result | Select-Object -Unique) | Should -Be 'Passed' -Because ($r | Out-String)
    }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'A prepared DR cluster' {
    It 'passes every real server check for both real servers, the pages distinct' {
        $r = Get-Check RealServer
        foreach ($c in 'RealServerVip', 'RealServerHidden', 'RealServerRpFilter', 'RealServerListening', 'RealServerReachable', 'RealServerHttp') {
            $one = @($r | Where-Object Check -eq $c)
            $one.Count | Should -Be 2 -Because $c
            ($one.Result | Select-Object -Unique) | Should -Be 'Passed' -Because ($one | Out-String)
        }
        ($r | Where-Object Check -eq RealServerTunnelMtu) | Should -BeNullOrEmpty
        (Rs1Result $r RealServerVip)[0].Message | Should -Be "rs1 ($($Rs1.Address)): $Vip/32 on lo."
        (Rs1Result $r RealServerListening)[0].Message | Should -Match '0\.0\.0\.0:80'
        $http = @($r | Where-Object Check -eq RealServerHttp)
        $http.Message | ForEach-Object { $_ | Should -Match 'answered HTTP 200, \d+ bytes, MD5 [0-9a-f]{32}; distinct from the other 1 real server\(s\)' }
        # The digest reported is the page's MD5, as md5sum computes it on the real server itself.
        $md5 = ((Rs1 "md5sum < '$Rs1Dir/www/index.html'") -join '').Split(' ')[0]
        (Rs1Result $r RealServerHttp)[0].Message | Should -Match "MD5 $md5"
    }
}

Describe 'RealServerVip' {
    It 'names rs1 when lo lost the VIP, and passes once it is back' {
        Invoke-Rs1Break "ip addr del $Vip/32 dev lo" RealServerVip 'the VIP is not on lo' "^Set-LvsRealServerHidden -Lab $LabName -Node rs1 \(or on the real server: ip addr add $([regex]::Escape("$Vip"))/32 dev lo scope host\)$" -Restore { Rs1 "ip addr add $Vip/32 dev lo scope host" }
    }

    It 'names rs1 when the VIP is on lo as a /30, and passes after Set-LvsRealServerHidden' {
        # A /30 around the VIP (.100-.103) holds no lab node: a /24 would take the director's address too, and rs1
        # would answer it on lo (its SSH with it).
        Rs1 "ip addr del $Vip/32 dev lo; ip addr add $Vip/30 dev lo" | Out-Null
        try {
            Assert-Rs1Failed (Get-Check RealServerVip) RealServerVip 'the VIP is on lo as /30, not /32: the real server takes every address of that prefix as its own' "ip addr del $([regex]::Escape("$Vip"))/30 dev lo"
            Set-LvsRealServerHidden -Lab $LabName -Node rs1 -Confirm:$false | Out-Null
            (Rs1 'ip -o -4 addr show dev lo') -join "`n" | Should -Not -Match "$([regex]::Escape("$Vip"))/30"
        } finally { Rs1 "ip addr del $Vip/30 dev lo 2>/dev/null; ip addr replace $Vip/32 dev lo scope host" | Out-Null }
        Assert-Rs1Passed RealServerVip
    }
}

Describe 'RealServerHidden' {
    It 'names rs1 when arp_ignore is 0 on all and eth0, and passes after the fix' {
        Invoke-Rs1Break 'sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0' RealServerHidden 'ARP is not hidden \(arp_ignore all=0, eth0=0;' "^Set-LvsRealServerHidden -Lab $LabName -Node rs1$" -Also {
            # The kernel applies the larger of all and eth0: eth0 alone at 1 hides it again.
            Rs1 'sysctl -qw net.ipv4.conf.eth0.arp_ignore=1' | Out-Null
            (Rs1Result (Get-Check RealServerHidden) RealServerHidden)[0].Result | Should -Be 'Passed'
        } -Restore { Set-LvsRealServerHidden -Lab $LabName -Node rs1 -Confirm:$false }
    }
}

Describe 'RealServerRpFilter' {
    It 'names rs1 when rp_filter is strict on eth0 and the route back leaves by another interface, and passes after the fix' {
        # A veth pair inside rs1's namespace takes the default route (nothing leaves the namespace through it).
        Invoke-Rs1Break 'ip link add chkv0 type veth peer name chkv1 && ip link set chkv0 up && ip link set chkv1 up && ip route add default dev chkv0 && sysctl -qw net.ipv4.conf.all.rp_filter=1' RealServerRpFilter 'strict rp_filter on eth0 \(all=1, eth0=\d; the kernel applies the larger\) drops the requests: they arrive on eth0 but the route back to the clients is via chkv0' '^On the real server: sysctl -w net\.ipv4\.conf\.all\.rp_filter=2 net\.ipv4\.conf\.eth0\.rp_filter=2$' -Also {
            Rs1 'sysctl -qw net.ipv4.conf.all.rp_filter=2' | Out-Null
            (Rs1Result (Get-Check RealServerRpFilter) RealServerRpFilter)[0].Message | Should -Match 'rp_filter 2 on eth0 .*: loose'
        } -Restore { Rs1 'ip link del chkv0; sysctl -qw net.ipv4.conf.all.rp_filter=0' }
    }
}

Describe 'RealServerListening and RealServerReachable' {
    It 'names rs1 when nginx listens on its RIP only (the VIP is refused), and passes after the fix' {
        $conf = Join-Path $Rs1Dir nginx.conf
        Copy-Item $conf "$conf.orig"
        (Get-Content -Raw $conf) -replace 'listen 80 default_server;', "listen $($Rs1.Address):80 default_server;" | Set-Content -NoNewline $conf
        try {
            Restart-Rs1Nginx
            $r = Get-Check RealServerListening, RealServerReachable
            Assert-Rs1Failed $r RealServerListening "no tcp socket accepts $([regex]::Escape("$Vip")):80 \(the forwarded requests\); it listens on $([regex]::Escape("$($Rs1.Address)")):80" 'listen 80;'
            # The director still reaches the RIP: only the listening check fails.
            (Rs1Result $r RealServerReachable)[0].Result | Should -Be 'Passed'
        } finally {
            Move-Item -Force "$conf.orig" $conf
            Restart-Rs1Nginx
        }
        Assert-Rs1Passed RealServerListening
    }

    It 'names rs1 when its answers to the director on port 80 are prohibited, and passes after the fix' {
        $d = $Lab.Director.Address
        Rs1 "ip rule add to $d/32 ipproto tcp sport 80 prohibit" | Out-Null
        try {
            $r = Get-Check RealServerReachable, RealServerListening
            Assert-Rs1Failed $r RealServerReachable "the director .* cannot connect to $([regex]::Escape("$($Rs1.Address)")):80: no answer within 4 s" 'nc -zv'
            (Rs1Result $r RealServerListening)[0].Result | Should -Be 'Passed'
        } finally { Rs1 "ip rule del to $d/32 ipproto tcp sport 80 prohibit" | Out-Null }
        Assert-Rs1Passed RealServerReachable
    }
}

Describe 'RealServerHttp' {
    It 'names rs1 when its page answers 403, and passes after the fix' {
        $index = Join-Path $Rs1Dir www/index.html
        Move-Item $index "$index.away"
        try {
            Assert-Rs1Failed (Get-Check RealServerHttp) RealServerHttp "http://$([regex]::Escape("$($Rs1.Address)")):80/ answered HTTP 403 from the director" 'curl -v'
        } finally { Move-Item "$index.away" $index }
        Assert-Rs1Passed RealServerHttp
    }
}

Describe 'Test-LvsRealServer' {
    It 'passes a prepared real server, lab form and ComputerName form' {
        $r = @(Test-LvsRealServer -Lab $LabName -Node rs2)
        ($r.Check | Sort-Object) | Should -Be @('RealServerHidden', 'RealServerHttp', 'RealServerListening', 'RealServerReachable', 'RealServerRpFilter', 'RealServerVip')
        ($r.Result | Select-Object -Unique) | Should -Be 'Passed' -Because ($r | Out-String)
        $r[0].Message | Should -Match "^rs2 \($([regex]::Escape("$($Rs2.Address)"))\): "
        Test-LvsRealServer -Lab $LabName -Node rs2 -Quiet | Should -BeTrue
        $c = @(Test-LvsRealServer -ComputerName "$($Rs2.Address)" -VirtualAddress $Vip -Port 80 -KeyFile $Lab.KeyFile -KnownHostsFile $Lab.KnownHostsFile -NetworkNamespace $Lab.ManagementNamespace -Director $LabName)
        ($c.Result | Select-Object -Unique) | Should -Be 'Passed' -Because ($c | Out-String)
    }

    It 'fails an unprepared real server, naming it with the remedies, and passes it once prepared' {
        Rs1 "ip addr del $Vip/32 dev lo; sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.all.arp_announce=0" | Out-Null
        try {
            $r = @(Test-LvsRealServer -Lab $LabName -Node rs1)
            $vipR = $r | Where-Object Check -eq RealServerVip
            $vipR.Result | Should -Be 'Failed'
            $vipR.Message | Should -Match "^$Rs1Name`: the VIP is not on lo"
            $vipR.Remedy | Should -Match "^Set-LvsRealServerHidden -Lab $LabName -Node rs1"
            ($r | Where-Object Check -eq RealServerHidden).Result | Should -Be 'Failed'
            # What does not depend on the VIP still passes: nginx answers on the RIP.
            ($r | Where-Object Check -eq RealServerReachable).Result | Should -Be 'Passed'
            Test-LvsRealServer -Lab $LabName -Node rs1 -Quiet | Should -BeFalse
        } finally { Set-LvsRealServerHidden -Lab $LabName -Node rs1 -Confirm:$false | Out-Null }
        Test-LvsRealServer -Lab $LabName -Node rs1 -Quiet | Should -BeTrue
    }

    It 'reports the SSH, VIP and ARP checks NotApplicable for Masq except what a NAT real server needs' {
        $r = @(Test-LvsRealServer -Lab $LabName -Node rs1 -Forwarding Masq)
        ($r | Where-Object Check -in RealServerVip, RealServerHidden, RealServerRpFilter).Result | Select-Object -Unique | Should -Be 'NotApplicable'
        ($r | Where-Object Check -eq RealServerListening).Result | Should -Be 'Passed'
    }
}
