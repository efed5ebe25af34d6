#Requires -Version 7.4
# Issue 12, installable from a gallery: the module staged as ./build.sh package stages it (tools/New-LvsPackage.ps1),
# published to a local file repository with Publish-PSResource, installed from it with Install-PSResource, imported
# by name in a new pwsh, and the seed walkthrough (examples/Seed-DrCluster.ps1 of the installed copy) run in a lab
# with the installed lvsd forwarding real packets.
# Every PSResourceGet call and every import runs in a child pwsh whose HOME is a folder of this suite's TestDrive, so
# the repository it registers and the module it installs (-Scope CurrentUser) live there: nothing is registered in,
# or installed into, the real user's PSResourceGet store or module path, and all of it goes with the TestDrive.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    $script:Root = Get-LvsTestRoot
    $script:DevManifest = Import-PowerShellDataFile (Join-Path $Root 'LvsPS.psd1')
    $script:DevCmdlets = @(Get-Command -Module LvsPS -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
    $script:Version = $DevManifest.ModuleVersion

    $script:Work = Join-Path $TestDrive 'pkg'
    $script:FakeHome = Join-Path $Work 'home'
    $script:RepoDir = Join-Path $Work 'repo'
    $script:RepoName = 'LvsPSPackageTest'
    $script:UserModules = Join-Path $FakeHome '.local/share/powershell/Modules'
    $null = New-Item -ItemType Directory -Force -Path $FakeHome, $RepoDir
    $script:RealHome = [Environment]::GetFolderPath('UserProfile')
    # The children run the pwsh this suite runs on (the repository's dotnet tool: dotnet pwsh.dll), started in the
    # suite's work folder, where PSResourceGet's NuGet client may leave a NuGet/NuGet.Config.
    $script:PwshCommand = if ((Split-Path -Leaf ([Environment]::ProcessPath)) -eq 'dotnet') {
        @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'))
    } else { @([Environment]::ProcessPath) }

    # What the real user has, to show afterwards that the suite left it as it was.
    function script:Get-RealUserState {
        $store = Join-Path $RealHome '.local/share/PSResourceGet/PSResourceRepository.xml'
        $modules = Join-Path $RealHome '.local/share/powershell/Modules/LvsPS'
        [pscustomobject]@{
            Store   = if (Test-Path $store) { (Get-FileHash $store).Hash } else { 'none' }
            Modules = if (Test-Path $modules) { (Get-ChildItem -Recurse $modules | ForEach-Object FullName) -join "`n" } else { 'none' }
        }
    }
    $script:RealBefore = Get-RealUserState

    # Runs a script file in a new pwsh with HOME the suite's fake home; returns its exit code and output lines.
    function script:Invoke-ChildPwsh([string]$Name, [string]$Script, [string[]]$Arguments = @(), [int]$TimeoutSec = 300) {
        $file = Join-Path $Work "$Name.ps1"
        Set-Content -Path $file -Value $Script -Encoding utf8
        $psi = [System.Diagnostics.ProcessStartInfo]::new($PwshCommand[0])
        foreach ($a in @($PwshCommand | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $file) + $Arguments) { $psi.ArgumentList.Add($a) }
        $psi.WorkingDirectory = $Work
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.Environment['HOME'] = $FakeHome
        foreach ($v in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath') { $null = $psi.Environment.Remove($v) }
        $p = [System.Diagnostics.Process]::Start($psi)
        $stdout = $p.StandardOutput.ReadToEndAsync()
        $stderr = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit($TimeoutSec * 1000)) {
            $p.Kill($true)
            throw "The child pwsh '$Name' did not end within $TimeoutSec s."
        }
        $p.WaitForExit()
        $lines = @($stdout.Result -split "`r?`n" | ForEach-Object { $_ -replace '\x1b\[[0-9;]*m', '' })
        [pscustomobject]@{
            ExitCode = $p.ExitCode
            Output   = $lines
            # The last line of JSON on stdout (what the child reports), as an object.
            Json     = $lines | Where-Object { $_ -like '{*' } | Select-Object -Last 1 | ConvertFrom-Json
            Text     = $stdout.Result + $stderr.Result
        }
    }

    # The start of every child that imports the module: only the fake user's module path and pwsh's own.
    $script:ImportPrelude = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$UserModules' + [IO.Path]::PathSeparator + (Join-Path `$PSHOME 'Modules')
"@

    $script:Staged = & (Join-Path $Root 'tools/New-LvsPackage.ps1') -OutputPath (Join-Path $Work 'stage')
    $script:StagedPath = $Staged.FullName
    $script:LabName = $null
}

AfterAll {
    # The lab, should the child that ran the walkthrough have died before removing it (the dev module sees the same labs).
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'LvsPS as a gallery package' {
    It 'stages LvsPS/: manifest, module assembly, lvsd, help, format and types, Diagnostics, examples and the license' {
        (Split-Path -Leaf $StagedPath) | Should -Be 'LvsPS'
        foreach ($f in 'LvsPS.psd1', 'LICENSE', 'bin/LvsPS.dll', 'bin/LvsPS.Management.dll', 'bin/Renci.SshNet.dll',
                       'lvsd/lvsd.dll', 'lvsd/lvsd.runtimeconfig.json', 'lvsd/SharpPcap.dll', 'en-US/LvsPS.dll-Help.xml',
                       'en-US/about_LvsPS.help.txt', 'module/LvsPS.Format.ps1xml', 'module/LvsPS.Types.ps1xml',
                       'module/LvsPS.Requirements.ps1', 'Diagnostics/Simple/LvsCluster.Simple.Tests.ps1',
                       'Diagnostics/Comprehensive/LvsCluster.Comprehensive.Tests.ps1', 'examples/Seed-DrCluster.ps1') {
            Join-Path $StagedPath $f | Should -Exist
        }
        @(Get-ChildItem -Recurse -File $StagedPath -Filter '*.pdb') | Should -BeNullOrEmpty
        # lvsd is framework-dependent: it runs on the .NET 10 runtime.
        $rc = Get-Content -Raw (Join-Path $StagedPath 'lvsd/lvsd.runtimeconfig.json') | ConvertFrom-Json
        $rc.runtimeOptions.framework.name | Should -Be 'Microsoft.NETCore.App'
        $rc.runtimeOptions.framework.version | Should -BeLike '10.*'
        # The license, at the repository's root and in the package.
        $license = Get-Content -Raw (Join-Path $Root 'LICENSE')
        $license | Should -Match '^MIT License'
        $license | Should -Match 'Copyright \(c\) 2026 The LvsPS authors'
        Get-Content -Raw (Join-Path $StagedPath 'LICENSE') | Should -Be $license
    }

    It 'gives the staged manifest the gallery metadata and a FileList of exactly the files it ships' {
        $path = Join-Path $StagedPath 'LvsPS.psd1'
        $m = Import-PowerShellDataFile $path
        $m.RootModule | Should -Be 'bin/LvsPS.dll'
        $m.ModuleVersion | Should -Be $Version
        $m.GUID | Should -Be $DevManifest.GUID
        @($m.CmdletsToExport | Sort-Object) | Should -Be @($DevManifest.CmdletsToExport | Sort-Object)
        @($m.FunctionsToExport).Count | Should -Be 0
        @($m.VariablesToExport).Count | Should -Be 0
        $m.AliasesToExport | Should -Be 'lvsadm'
        $m.NestedModules | Should -Be 'module/LvsPS.Requirements.ps1'
        $m.HelpInfoURI | Should -Be 'https://github.com/lvsps/LvsPS/tree/main/docs/reference'
        $d = $m.PrivateData.PSData
        $d.ProjectUri | Should -Be 'https://github.com/lvsps/LvsPS'
        $d.LicenseUri | Should -Be 'https://github.com/lvsps/LvsPS/blob/main/LICENSE'
        $d.Tags | Should -Contain 'PSEdition_Core'
        $d.Tags | Should -Contain 'Linux'
        $d.ReleaseNotes | Should -Match 'libpcap'
        # Every key of the repository's manifest, with the same value where the package does not differ.
        foreach ($key in $DevManifest.Keys | Where-Object { $_ -notin 'RootModule', 'PrivateData' }) {
            ($m[$key] | ConvertTo-Json -Compress) | Should -Be ($DevManifest[$key] | ConvertTo-Json -Compress) -Because $key
        }
        $shipped = @(Get-ChildItem -Recurse -File $StagedPath | ForEach-Object { [IO.Path]::GetRelativePath($StagedPath, $_.FullName) } | Sort-Object)
        @($m.FileList | Sort-Object) | Should -Be $shipped
        $t = Test-ModuleManifest -Path $path -WarningAction SilentlyContinue -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
        $t.Version | Should -Be ([version]$Version)
    }

    It 'publishes it to a local repository with Publish-PSResource' {
        $r = Invoke-ChildPwsh publish @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name '$RepoName' -Uri '$RepoDir' -Trusted
Publish-PSResource -Path '$StagedPath' -Repository '$RepoName'
`$found = Find-PSResource -Name LvsPS -Repository '$RepoName'
[pscustomobject]@{
    Name = `$found.Name; Version = `$found.Version.ToString(); ProjectUri = "`$(`$found.ProjectUri)"; LicenseUri = "`$(`$found.LicenseUri)"
    Tags = @(`$found.Tags); ReleaseNotes = `$found.ReleaseNotes; Author = `$found.Author
    Store = (Get-PSResourceRepository -Name '$RepoName').Uri.LocalPath
} | ConvertTo-Json -Compress
"@
        $r.ExitCode | Should -Be 0 -Because $r.Text
        Join-Path $RepoDir "LvsPS.$Version.nupkg" | Should -Exist
        $found = $r.Json
        $found.Name | Should -Be 'LvsPS'
        $found.Version | Should -Be $Version
        $found.ProjectUri | Should -Be 'https://github.com/lvsps/LvsPS'
        $found.LicenseUri | Should -Be 'https://github.com/lvsps/LvsPS/blob/main/LICENSE'
        $found.Tags | Should -Contain 'PSEdition_Core'
        $found.ReleaseNotes | Should -Match 'libpcap'
        $found.Author | Should -Be $DevManifest.Author
        # The repository is registered in the fake home's store, not the real user's.
        Join-Path $FakeHome '.local/share/PSResourceGet/PSResourceRepository.xml' | Should -FileContentMatch $RepoName
    }

    It 'installs it from there with Install-PSResource, into the (test) user''s module path' {
        $r = Invoke-ChildPwsh install @"
`$ErrorActionPreference = 'Stop'
`$i = Install-PSResource -Name LvsPS -Repository '$RepoName' -Scope CurrentUser -TrustRepository -PassThru
`$i.InstalledLocation
"@
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $r.Output | Should -Contain $UserModules
        $base = Join-Path $UserModules "LvsPS/$Version"
        foreach ($f in 'LvsPS.psd1', 'bin/LvsPS.dll', 'lvsd/lvsd.dll', 'en-US/LvsPS.dll-Help.xml', 'Diagnostics/LvsCluster.Suite.ps1') {
            Join-Path $base $f | Should -Exist
        }
        $script:InstalledBase = $base
    }

    It 'imports by name in a new pwsh from the installed copy, with every cmdlet, help and no warning here' {
        $r = Invoke-ChildPwsh import @"
$ImportPrelude
Import-Module LvsPS -WarningVariable w -WarningAction SilentlyContinue
`$m = Get-Module LvsPS
`$help = Get-Help Get-LvsService -Full
[pscustomobject]@{
    ModuleBase = `$m.ModuleBase; Path = `$m.Path; Version = `$m.Version.ToString()
    Available = @(Get-Module LvsPS -ListAvailable | ForEach-Object ModuleBase)
    Assembly = [LvsPS.LvsCmdlet].Assembly.Location
    Engine = [LvsPS.LvsCmdlet].GetProperty('EnginePath', [Reflection.BindingFlags]'NonPublic,Static').GetValue(`$null)
    Cmdlets = @(Get-Command -Module LvsPS -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
    Alias = (Get-Alias lvsadm).Definition
    Synopsis = `$help.Synopsis; Examples = @(`$help.examples.example).Count
    ParameterHelp = (Get-Help Start-LvsDirector -Parameter Interface).description.Text -join ' '
    About = (Get-Help about_LvsPS | Out-String).Length
    Warnings = @(`$w | ForEach-Object Message)
} | ConvertTo-Json -Compress
"@
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $i = $r.Json
        $i.ModuleBase | Should -Be $InstalledBase
        $i.Path | Should -Be (Join-Path $InstalledBase 'bin/LvsPS.dll')   # a binary root module's Path is its assembly
        $i.Available | Should -Be @($InstalledBase)
        $i.Assembly | Should -Be (Join-Path $InstalledBase 'bin/LvsPS.dll')
        $i.Engine | Should -Be (Join-Path $InstalledBase 'lvsd/lvsd.dll')
        $i.Version | Should -Be $Version
        $i.Cmdlets | Should -Be $DevCmdlets
        $i.Cmdlets.Count | Should -Be $DevCmdlets.Count
        $i.Alias | Should -Be 'Invoke-LvsAdm'
        $i.Synopsis | Should -Be (Get-Help Get-LvsService).Synopsis
        $i.Synopsis | Should -Not -BeLike '*Get-LvsService `[*'   # help from the MAML file, not the generated syntax
        $i.Examples | Should -BeGreaterThan 0
        $i.ParameterHelp | Should -Not -BeNullOrEmpty
        $i.About | Should -BeGreaterThan 1000
        # This machine has the .NET 10 runtime and libpcap: the import-time check finds nothing missing.
        $i.Warnings | Should -BeNullOrEmpty
    }

    It 'warns at import, naming the package, and imports anyway, when the dotnet host has no .NET 10 runtime' {
        $fakeDotnet = Join-Path $Work 'no-runtime/dotnet'
        $null = New-Item -ItemType File -Force -Path $fakeDotnet
        $r = Invoke-ChildPwsh import-no-runtime @"
$ImportPrelude
`$env:DOTNET_HOST_PATH = '$fakeDotnet'
Import-Module LvsPS -WarningVariable w -WarningAction SilentlyContinue
[pscustomobject]@{ Cmdlets = @(Get-Command -Module LvsPS -CommandType Cmdlet).Count; Warnings = @(`$w | ForEach-Object Message) } | ConvertTo-Json -Compress
"@
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $i = $r.Json
        $i.Cmdlets | Should -Be $DevCmdlets.Count
        @($i.Warnings).Count | Should -Be 1
        $i.Warnings[0] | Should -BeLike "LvsPS: lvsd needs the .NET runtime Microsoft.NETCore.App 10.0*the dotnet host $fakeDotnet has none.*sudo apt-get install dotnet-runtime-10.0*"
    }

    It 'runs the seed walkthrough from the installed copy: its lvsd forwards, and requests alternate between the real servers' {
        $script:LabName = 'pkg' + -join ((97..122) | Get-Random -Count 4 | ForEach-Object { [char]$_ })
        $subnet = "10.187.$(Get-Random -Minimum 10 -Maximum 240).0/24"
        $resultFile = Join-Path $Work 'lab.json'
        $r = Invoke-ChildPwsh lab -TimeoutSec 420 -Script @"
$ImportPrelude
Import-Module LvsPS
`$m = Get-Module LvsPS
`$result = [ordered]@{ ModuleBase = `$m.ModuleBase }
try {
    `$global:LASTEXITCODE = 0
    & (Join-Path `$m.ModuleBase 'examples/Seed-DrCluster.ps1') -Name '$LabName' -Subnet '$subnet' -Keep
    `$result.ExitCode = `$LASTEXITCODE
    `$result.Modules = @(Get-Module LvsPS | ForEach-Object ModuleBase)
    `$d = Get-LvsDirector -Name '$LabName'
    `$result.Running = `$d.Running
    `$result.EngineCommandLine = (Get-Content -Raw "/proc/`$(`$d.ProcessId)/cmdline") -replace "``0", ' '
    `$result.Services = @(Get-LvsService -Director '$LabName' | ForEach-Object { "`$(`$_.Port):`$(@(`$_.RealServers).Count)" })
} catch {
    `$result.Error = "`$_ `$(`$_.ScriptStackTrace)"
} finally {
    Remove-LvsLab -Name '$LabName' -Confirm:`$false -ErrorAction SilentlyContinue
    `$result.LabLeft = [bool](Get-LvsLab -Name '$LabName' -ErrorAction SilentlyContinue)
    `$result | ConvertTo-Json -Compress | Set-Content -Path '$resultFile'
}
"@
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $res = Get-Content -Raw $resultFile | ConvertFrom-Json
        $res.Error | Should -BeNullOrEmpty
        $res.ModuleBase | Should -Be $InstalledBase
        $res.Modules | Should -Be @($InstalledBase)   # the example re-imported the installed manifest, nothing else
        $res.ExitCode | Should -Be 0 -Because "every Test-LvsCluster check passes: $($r.Output | Select-String 'checks,')"
        $res.Running | Should -BeTrue
        # The director is the package's lvsd, run by the dotnet host.
        $res.EngineCommandLine | Should -BeLike "* $(Join-Path $InstalledBase 'lvsd/lvsd.dll') run --name $LabName *"
        $res.Services | Should -Be @('23:2', '80:2')
        # The walkthrough's ten requests for test.html through the VIP: real server #2 / #1 alternating.
        $served = @($r.Output | Where-Object { $_ -match '^\s*\d+: .*real server #(\d+)' } | ForEach-Object { $null = $_ -match 'real server #(\d+)'; $Matches[1] })
        $served.Count | Should -Be 10 -Because $r.Text
        for ($n = 1; $n -lt $served.Count; $n++) { $served[$n] | Should -Not -Be $served[$n - 1] }
        @($served | Where-Object { $_ -eq '1' }).Count | Should -Be 5
        $res.LabLeft | Should -BeFalse
        Get-LvsLab -Name $LabName -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $script:LabName = $null
    }

    It 'leaves the real user''s PSResourceGet store and module path as they were' {
        $after = Get-RealUserState
        $after.Store | Should -Be $RealBefore.Store
        $after.Modules | Should -Be $RealBefore.Modules
    }
}
