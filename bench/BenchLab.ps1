# Dot-sourced by the bench scripts: the lab they measure in.

function New-BenchLab {
    <#
    .SYNOPSIS
        A lab with two real servers (replacing one of the same name), its director started, one TCP service per
        -Service entry ("port/scheduler", e.g. "80/rr") over both real servers (DR), the VIP hidden on them.
    #>
    param([string]$Name, [string]$Subnet, [string[]]$Service = @('80/rr'))
    if (Get-LvsLab -Name $Name -ErrorAction SilentlyContinue) { Remove-LvsLab -Name $Name -Confirm:$false }
    $lab = New-LvsLab -Name $Name -RealServerCount 2 -Subnet $Subnet
    try {
        $vip = $lab.VirtualAddress
        Start-LvsDirector -Lab $Name | Out-Null
        foreach ($s in $Service) {
            $port, $scheduler = $s -split '/'
            New-LvsService -Director $Name -VirtualAddress $vip -Port ([int]$port) -Scheduler $scheduler | Out-Null
            foreach ($rs in $lab.RealServers) { Add-LvsRealServer -Director $Name -VirtualAddress $vip -Port ([int]$port) -RealAddress $rs.Address }
        }
        Set-LvsRealServerHidden -Lab $Name
    }
    catch {
        Remove-LvsLab -Name $Name -Confirm:$false -ErrorAction SilentlyContinue
        throw
    }
    $lab
}

function Set-BenchClientTuning {
    <#
    .SYNOPSIS
        Tunes the lab's client namespace as a load generator is tuned: ip_local_port_range 1024-65000 and
        tcp_tw_reuse 1. Without it, minutes of new connections to one address fill the client's even ephemeral ports
        with its own TIME_WAIT sockets, and every connect() then searches the range (milliseconds each), which
        throttles the client itself (bench/client-ports.ps1; docs/PERFORMANCE.md, "The new-connection collapse").
    #>
    param($Lab)
    & ip netns exec $Lab.Client.Namespace sysctl -q -w net.ipv4.ip_local_port_range='1024 65000' net.ipv4.tcp_tw_reuse=1 | Out-Null
    if ($LASTEXITCODE) { throw "sysctl in $($Lab.Client.Namespace) failed" }
}

function New-BenchUdpBlast {
    <#
    .SYNOPSIS
        Compiles bench/udp-blast.c (the bounded small-UDP sender and receiver) into -Folder; returns its path.
    #>
    param([string]$Folder)
    $blast = Join-Path $Folder 'udp-blast'
    & gcc -O2 -o $blast (Join-Path $PSScriptRoot 'udp-blast.c')
    if ($LASTEXITCODE) { throw 'gcc udp-blast.c failed' }
    $blast
}

function Add-BenchUdpService {
    <#
    .SYNOPSIS
        The UDP service the bench scripts blast: the lab's VIP, port 9000 (rr), over the lab's first real server.
    #>
    param($Lab)
    New-LvsService -Director $Lab.Name -VirtualAddress $Lab.VirtualAddress -Port 9000 -Protocol Udp -Scheduler rr | Out-Null
    Add-LvsRealServer -Director $Lab.Name -VirtualAddress $Lab.VirtualAddress -Port 9000 -Protocol Udp -RealAddress $Lab.RealServers[0].Address | Out-Null
}
