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
