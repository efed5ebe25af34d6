#Requires -Version 7.4
<#
    Shared helpers of the Pester suites in tests/pester: importing the module under test, building and removing a
    lab with a random name and subnet, sending requests through the VIP from the lab's client, and the walkthrough's
    lvs_dr.conf. Only for the test suites: the suites shipped in Diagnostics/ must not import it.

    A suite imports it at the top of its BeforeAll (and BeforeDiscovery, if it has one):

        Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
        Import-LvsTestModule

    (LvsPS.TestSuite.ps1, dot-sourced, does that, and with -LabParameters builds the suite's lab too.)
    New-LvsTestLab remembers the lab it built as the current test lab of this import; the request helpers work on
    that lab unless given another with -TestLab. Importing the helpers again (-Force, as every suite does) forgets it.
    Like the suites, the helpers stop at the first error ($ErrorActionPreference = 'Stop' below).
#>

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# The lab the last New-LvsTestLab built, for the helpers called without -TestLab.
$script:CurrentTestLab = $null

function Get-LvsTestRoot {
    <#
    .SYNOPSIS
        Returns the root of the LvsPS checkout (the folder holding LvsPS.psd1).
    .OUTPUTS
        System.String
    .EXAMPLE
        $container = New-PesterContainer -Path (Join-Path (Get-LvsTestRoot) 'Diagnostics/Comprehensive')
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
}

function Import-LvsTestModule {
    <#
    .SYNOPSIS
        Imports the LvsPS module of this checkout (LvsPS.psd1 at its root), afresh, into the global session state.
    .DESCRIPTION
        The same as Import-Module <root>/LvsPS.psd1 -Force in the test file: -Global makes the cmdlets visible to the
        test file and not only to this helper module.
    .PARAMETER PassThru
        Returns the imported module.
    .OUTPUTS
        None, or System.Management.Automation.PSModuleInfo with -PassThru.
    .EXAMPLE
        Import-LvsTestModule
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSModuleInfo])]
    param([switch]$PassThru)
    Import-Module (Join-Path (Get-LvsTestRoot) 'LvsPS.psd1') -Force -Global -PassThru:$PassThru
}

function New-LvsTestLab {
    <#
    .SYNOPSIS
        Builds a lab with a random name and a random /24 for one suite, and makes it the current test lab.
    .DESCRIPTION
        The name is NamePrefix followed by four random lower-case letters; the subnet is <Network>.<octet>.0/24
        with a random octet from 10 to 239 (for a Masq lab an even octet from 10 to 238, since its real servers'
        internal network takes the next block), so that a lab left behind by an earlier run is unlikely to be in the way.
        With -StartDirector the director is started, with -HideRealServers the real servers are then prepared
        (VIP on lo, ARP hidden). Should any step fail, the lab is removed before the error is passed on.
    .PARAMETER NamePrefix
        The first letters of the lab's name, one prefix per suite (pt, pk, pn, pu ...).
    .PARAMETER Network
        The first two octets of the lab's subnet, one network per suite (10.249, 10.247 ...).
    .PARAMETER RealServerCount
        How many real servers (rs1, rs2 ...) the lab gets.
    .PARAMETER Forwarding
        How the lab is wired: Route (LVS-DR, the default), Masq (LVS-NAT) or Tunnel (LVS-TUN).
    .PARAMETER DirectorKind
        Engine (lvsd, the default) or Kernel (Linux IPVS: a QEMU guest where this host has no ip_vs); a kernel
        director needs no starting, so -StartDirector is ignored for it. With -DirectorCount 2, one kind for both
        directors or one each (Engine, Kernel: the mixed pair).
    .PARAMETER DirectorCount
        1 (the default: director, named after the lab) or 2 (a pair: director1 .1 and director2 .2, named
        <lab>-director1 and <lab>-director2; Route or Tunnel labs).
    .PARAMETER StartDirector
        Starts the lab's engine directors (Start-LvsDirector -Lab: both engine directors of a pair).
    .PARAMETER HideRealServers
        Prepares the real servers for the VIP (Set-LvsRealServerHidden -Lab), after the director is started.
    .OUTPUTS
        A test lab: Name, Octet (the random third octet), Subnet, Lab (what New-LvsLab returned), VirtualAddress,
        RealServers (a hashtable of node name to address: rs1 -> 10.249.x.3 ...) and Directors (the director names,
        what -Director selects: the lab's name, or <lab>-director1 and <lab>-director2 for a pair).
    .EXAMPLE
        $script:TestLab = New-LvsTestLab -NamePrefix pk -Network 10.247 -RealServerCount 3 -StartDirector -HideRealServers
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)][ValidatePattern('^[a-z]+$')][string]$NamePrefix,
        [Parameter(Mandatory)][ValidatePattern('^\d{1,3}\.\d{1,3}$')][string]$Network,
        [int]$RealServerCount = 2,
        [ValidateSet('Route', 'Masq', 'Tunnel')][string]$Forwarding = 'Route',
        [ValidateSet('Engine', 'Kernel')][ValidateCount(1, 2)][string[]]$DirectorKind = 'Engine',
        [ValidateRange(1, 2)][int]$DirectorCount = 1,
        [switch]$StartDirector,
        [switch]$HideRealServers
    )
    $name = $NamePrefix + -join ((97..122) | Get-Random -Count 4 | ForEach-Object { [char]$_ })
    $octet = if ($Forwarding -eq 'Masq') { 2 * (Get-Random -Minimum 5 -Maximum 120) } else { Get-Random -Minimum 10 -Maximum 240 }
    $subnet = "$Network.$octet.0/24"
    if (-not $PSCmdlet.ShouldProcess("lab '$name' on $subnet", 'New test lab')) { return }
    try {
        $lab = New-LvsLab -Name $name -RealServerCount $RealServerCount -Subnet $subnet -Forwarding $Forwarding -DirectorKind $DirectorKind -DirectorCount $DirectorCount
        $realServers = @{}
        foreach ($n in $lab.RealServers) { $realServers[$n.Name] = $n.Address }
        if ($StartDirector -and $DirectorKind -contains 'Engine') { Start-LvsDirector -Lab $name | Out-Null }
        if ($HideRealServers) { Set-LvsRealServerHidden -Lab $name }
    } catch {
        Remove-LvsTestLab -Name $name
        throw
    }
    $script:CurrentTestLab = [pscustomobject]@{
        PSTypeName     = 'LvsPS.TestLab'
        Name           = $name
        Octet          = $octet
        Subnet         = $subnet
        Lab            = $lab
        VirtualAddress = $lab.VirtualAddress
        RealServers    = $realServers
        Directors      = @($lab.Directors | ForEach-Object { $lab.DirectorNameOf($_) })
    }
    $script:CurrentTestLab
}

function Remove-LvsTestLab {
    <#
    .SYNOPSIS
        Removes a suite's lab, if there is one; for AfterAll.
    .DESCRIPTION
        Remove-LvsLab without confirmation, its errors silenced: a suite whose lab was never built, or that removed
        it itself (and set its name to $null), removes nothing. Forgets the current test lab if it is this one.
    .PARAMETER Name
        The lab's name; $null or empty removes nothing.
    .EXAMPLE
        AfterAll { Remove-LvsTestLab -Name $script:LabName }
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(ValueFromPipelineByPropertyName)][AllowNull()][AllowEmptyString()][string]$Name)
    process {
        if (-not $Name -or -not $PSCmdlet.ShouldProcess("lab '$Name'", 'Remove test lab')) { return }
        Remove-LvsLab -Name $Name -Confirm:$false -ErrorAction SilentlyContinue
        if ($script:CurrentTestLab -and $script:CurrentTestLab.Name -eq $Name) { $script:CurrentTestLab = $null }
    }
}

function Get-CurrentTestLab([object]$TestLab) {
    # The lab a request helper works on: the one it was given, else the current test lab.
    if ($TestLab) { return $TestLab }
    if (-not $script:CurrentTestLab) { throw 'No test lab: call New-LvsTestLab first, or pass -TestLab.' }
    $script:CurrentTestLab
}

function ConvertTo-ServerName([AllowEmptyString()][AllowNull()][string]$Page) {
    # Every real server of a lab serves a test.html that says "real server #<n>": that page is rs<n>. Any other page
    # is none:[<page>], so that an assertion on the names shows what came back instead.
    if ($Page -match 'real server #(\d+)') { "rs$($Matches[1])" } else { "none:[$Page]" }
}

function Invoke-LvsTestRequest {
    <#
    .SYNOPSIS
        Fetches test.html through the VIP from the lab's client, one new TCP connection per request.
    .DESCRIPTION
        Runs curl -s -m 5 http://<address>:<port>/test.html in the client's namespace, Count times, like reloading
        test.html in the walkthrough. Returns each page as one string (empty when nothing answered), or with
        -AsServerName the real server that served it.
    .PARAMETER Count
        How many requests, one after the other.
    .PARAMETER Port
        The service port.
    .PARAMETER Address
        The address to ask; the lab's VIP by default.
    .PARAMETER From
        A client address to send from (curl --interface), e.g. a second address added to the client.
    .PARAMETER AsServerName
        Returns, instead of each page, the name of the real server that served it: every real server of a lab
        serves a test.html that says "real server #<n>", and that page is rs<n>. Any other page is returned as
        none:[<page>], so that an assertion on the names shows what came back instead.
    .PARAMETER TestLab
        The lab (from New-LvsTestLab); the current test lab by default.
    .OUTPUTS
        System.String, one per request: the page, or with -AsServerName rs<n> or none:[<page>].
    .EXAMPLE
        $pages = Invoke-LvsTestRequest -Count 10
    .EXAMPLE
        Invoke-LvsTestRequest -Count 3 -From 10.247.12.201 -AsServerName
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [int]$Count = 1,
        [int]$Port = 80,
        [string]$Address,
        [string]$From,
        [switch]$AsServerName,
        [object]$TestLab
    )
    $t = Get-CurrentTestLab $TestLab
    if (-not $Address) { $Address = $t.VirtualAddress.ToString() }
    $opt = if ($From) { " --interface $From" } else { '' }
    1..$Count | ForEach-Object {
        $page = (Invoke-LvsLabCommand -Lab $t.Name -Node client -Command "curl -s -m 5$opt http://$($Address):$Port/test.html") -join ''
        if ($AsServerName) { ConvertTo-ServerName $page } else { $page }
    }
}

function Resolve-LvsTestRealServer {
    <#
    .SYNOPSIS
        Returns the node name (rs1, rs2 ...) of a real-server address of the lab.
    .PARAMETER Address
        A real server's address, as an IPAddress or a string.
    .PARAMETER TestLab
        The lab (from New-LvsTestLab); the current test lab by default.
    .OUTPUTS
        System.String, or nothing for an address that is not one of the lab's real servers.
    .EXAMPLE
        Resolve-LvsTestRealServer $connection.RealAddress
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)][object]$Address, [object]$TestLab)
    $t = Get-CurrentTestLab $TestLab
    ($t.RealServers.GetEnumerator() | Where-Object { $_.Value.ToString() -eq $Address.ToString() }).Key
}

function Get-LvsTestConnectionCount {
    <#
    .SYNOPSIS
        Returns how many connections each real server of a VIP service has had (its Connections counter).
    .PARAMETER Port
        The service port on the lab's VIP.
    .PARAMETER TestLab
        The lab (from New-LvsTestLab); the current test lab by default.
    .OUTPUTS
        System.Collections.Hashtable: real-server address (string) to connection count (int).
    .EXAMPLE
        $before = Get-LvsTestConnectionCount; Invoke-LvsTestRequest -Count 10 | Out-Null; $after = Get-LvsTestConnectionCount
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([int]$Port = 80, [object]$TestLab)
    $t = Get-CurrentTestLab $TestLab
    $h = @{}
    foreach ($r in Get-LvsRealServer -Director $t.Name -VirtualAddress $t.VirtualAddress -Port $Port) { $h[$r.RealAddress.ToString()] = [int]$r.Statistics.Connections }
    $h
}

function Open-LvsTestSession {
    <#
    .SYNOPSIS
        Opens a telnet-like TCP session from the lab's client to the VIP that stays ESTABLISHED for a while.
    .DESCRIPTION
        Starts, detached in the client's namespace, a bash that connects to <VIP>:<port> and sleeps; the connection
        closes when it ends. Returns once the connection has had 0.3 s to be set up.
    .PARAMETER Seconds
        How long the session stays open.
    .PARAMETER Port
        The service port on the lab's VIP.
    .PARAMETER TestLab
        The lab (from New-LvsTestLab); the current test lab by default.
    .EXAMPLE
        1..4 | ForEach-Object { Open-LvsTestSession -Seconds 15 }
    #>
    [CmdletBinding()]
    param([int]$Seconds = 10, [int]$Port = 23, [object]$TestLab)
    $t = Get-CurrentTestLab $TestLab
    Invoke-LvsLabCommand -Lab $t.Name -Node client -Command "setsid bash -c 'exec 3<>/dev/tcp/$($t.VirtualAddress)/$Port; sleep $Seconds' </dev/null >/dev/null 2>&1 & sleep 0.3" | Out-Null
}

function New-LvsTestDrConf {
    <#
    .SYNOPSIS
        Writes the walkthrough's lvs_dr.conf, as written, with the given addresses.
    .DESCRIPTION
        An LVS-DR configuration with a telnet and a www service, both rr over rs1 and rs2 (names resolved by the
        reader's hosts and services files), VIP on eth0:101, the director's address on a /24 whose network and
        broadcast addresses follow from DirectorAddress.
    .PARAMETER Path
        The file to write (UTF-8 without BOM).
    .PARAMETER VirtualAddress
        The VIP.
    .PARAMETER DirectorAddress
        The director's address (DIRECTOR_INSIDEIP), in the /24 of the VIP.
    .OUTPUTS
        None.
    .EXAMPLE
        New-LvsTestDrConf -Path (Join-Path $TestDrive 'lvs_dr.conf') -VirtualAddress 192.168.0.101 -DirectorAddress 192.168.0.1
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)][string]$Path,
        [Parameter(Mandatory)][ipaddress]$VirtualAddress,
        [Parameter(Mandatory)][ipaddress]$DirectorAddress
    )
    if (-not $PSCmdlet.ShouldProcess($Path, 'Write lvs_dr.conf')) { return }
    $net = $DirectorAddress.ToString() -replace '\.\d+$', ''
    @"
#lvs_dr.conf (C) Joseph Mack mack@ncifcrf.gov
LVS_TYPE=VS_DR
INITIAL_STATE=on
VIP=eth0:101 $VirtualAddress 255.255.255.0 $net.0
DIRECTOR_INSIDEIP=eth0 $DirectorAddress $net.0 255.255.255.0 $net.255
SERVICE=t telnet rr rs1:telnet rs2:telnet
SERVICE=t www rr rs1:www rs2:www
SERVER_VIP_DEVICE=dummy0
SERVER_NET_DEVICE=eth0
#----------end lvs_dr.conf------------------------------------
"@ | Set-Content -Path $Path -Encoding utf8NoBOM
}

function Start-LvsTestCurlLoop {
    <# 15 HTTP requests from the lab's client to VIP:80, 0.2 s apart, in the background (the client's namespace);
       returns the process (ProcessStartInfo.ArgumentList passes the loop as one argument). #>
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][ipaddress]$VirtualAddress)
    $loop = "for i in `$(seq 15); do curl -s -m 2 -o /dev/null http://$($VirtualAddress):80/test.html; sleep 0.2; done"
    $psi = [System.Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($a in 'netns', 'exec', $Lab.Client.Namespace, 'sh', '-c', $loop) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
    [System.Diagnostics.Process]::Start($psi)
}

function Invoke-LvsTestWatchUnderLoad {
    <# Watch-LvsTraffic with -Watch's parameters while Start-LvsTestCurlLoop's bounded requests run; its records. #>
    param([Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][ipaddress]$VirtualAddress, [Parameter(Mandatory)][hashtable]$Watch)
    $curl = Start-LvsTestCurlLoop -Lab $Lab -VirtualAddress $VirtualAddress
    try { , @(Watch-LvsTraffic @Watch) }
    finally { $curl | Wait-Process -Timeout 30 -ErrorAction SilentlyContinue }
}

function Get-LvsTestMacMap {
    <# The lab's real servers' MACs (lower case) by address text: what a DR director writes as the destination MAC. #>
    param([Parameter(Mandatory)]$Lab)
    $macOf = @{}
    foreach ($rs in $Lab.RealServers) { $macOf[$rs.Address.ToString()] = $rs.MacAddress.ToLowerInvariant() }
    $macOf
}

function Assert-LvsTestDrTraceRecord {
    <# Watch-LvsTraffic's records of DR traffic from the lab's client to VIP:80: each names the client, the VIP, a real
       server of the lab and that real server's MAC as the rewritten destination; both real servers appear; a SYN. #>
    param([Parameter(Mandatory)][object[]]$Record, [Parameter(Mandatory)]$Lab, [Parameter(Mandatory)][ipaddress]$VirtualAddress)
    $macOf = Get-LvsTestMacMap -Lab $Lab
    $Record | ForEach-Object {
        $_.ClientAddress | Should -Be $Lab.Client.Address
        $_.VirtualAddress | Should -Be $VirtualAddress
        $_.Port | Should -Be 80
        $_.Protocol | Should -Be 'Tcp'
        $_.Action | Should -Be 'Forwarded'
        $_.Forwarding | Should -Be 'Route'
        $macOf.Keys | Should -Contain $_.RealAddress.ToString()
        $_.DestinationMac | Should -Be $macOf[$_.RealAddress.ToString()]
    }
    @($Record.RealAddress | ForEach-Object ToString | Sort-Object -Unique).Count | Should -Be 2
    @($Record | Where-Object TcpFlags -eq 'S').Count | Should -BeGreaterThan 0
}

function Assert-LvsTestFailoverRound {
    <# A failover round's row (bench/failover.ps1's Measure-FailoverRound): the director that failed, the roles after
       the fault (a -Match pattern) and after the return, traffic resumed within -ResumeUnder seconds, at least 90
       sessions open at the fault, none of them reset, and at least 99 % of them went on through the takeover and the
       return (issue 10's bar). #>
    param([Parameter(Mandatory)]$Row, [Parameter(Mandatory)][string]$Failed, [Parameter(Mandatory)][string]$AfterFault,
        [Parameter(Mandatory)][string]$AfterReturn, [double]$ResumeUnder = 3)
    $because = "$($Row | Out-String)"
    $Row.Failed | Should -Be $Failed
    $Row.AfterFault | Should -Match $AfterFault -Because $because
    $Row.ResumeSec | Should -Not -BeNullOrEmpty -Because $because
    $Row.ResumeSec | Should -BeLessThan $ResumeUnder -Because $because
    $Row.AliveAtFault | Should -BeGreaterOrEqual 90 -Because $because
    $Row.ResetsAfterFault | Should -Be 0 -Because $because
    $Row.Survived | Should -BeGreaterOrEqual ([Math]::Ceiling(0.99 * $Row.AliveAtFault)) -Because "sessions go on through the fault and the return ($because)"
    $Row.AfterReturn | Should -Be $AfterReturn -Because $because
}

Export-ModuleMember -Function Get-LvsTestRoot, Get-LvsTestMacMap, Invoke-LvsTestWatchUnderLoad, Import-LvsTestModule, New-LvsTestLab, Remove-LvsTestLab,
    Invoke-LvsTestRequest, Resolve-LvsTestRealServer, Get-LvsTestConnectionCount,
    Open-LvsTestSession, New-LvsTestDrConf, Start-LvsTestCurlLoop, Assert-LvsTestDrTraceRecord, Assert-LvsTestFailoverRound
