#Requires -Version 7.4
# The checks PSScriptAnalyzer and platyPS would make on a binary module, written out because neither is available
# here: approved verbs, ShouldProcess on state-changing cmdlets, OutputType, an explicit manifest, complete help
# that matches the cmdlets, format and type data that name real types, and the about topic.
# Needs neither root nor a lab: it only imports the module and reads its metadata and files.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    $cmdletCases = @(Get-Command -Module LvsPS -CommandType Cmdlet | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })

    # Verbs whose cmdlets change state and so must support -WhatIf and -Confirm (PSScriptAnalyzer's
    # PSUseShouldProcessForStateChangingFunctions lists New, Set, Remove, Start, Stop, Restart, Reset, Update; Add and
    # the other verbs below change state just as much).
    $stateChangingVerbs = 'Add', 'Clear', 'Disable', 'Enable', 'Install', 'Move', 'New', 'Register', 'Remove', 'Rename',
                          'Reset', 'Restart', 'Set', 'Start', 'Stop', 'Uninstall', 'Unregister', 'Update', 'Import'
    # Deliberate exceptions, each with its reason (the reason must also be in the cmdlet's help notes).
    $shouldProcessExempt = @{
        'Import-LvsConfiguration' = 'reads a file and emits definitions; it changes nothing (New-LvsService, which it feeds, has -WhatIf)'
        'Invoke-LvsLabCommand'    = 'runs an arbitrary command in a lab node; whether that changes anything depends on the command'
    }
    $shouldProcessCases = @(Get-Command -Module LvsPS -CommandType Cmdlet | Sort-Object Name |
        Where-Object { $_.Verb -in $stateChangingVerbs -and -not $shouldProcessExempt.ContainsKey($_.Name) } |
        ForEach-Object { @{ Name = $_.Name } })
    $exemptCases = @($shouldProcessExempt.GetEnumerator() | Sort-Object Key | ForEach-Object { @{ Name = $_.Key; Reason = $_.Value } })
}

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    $root = Get-LvsTestRoot
    $script:Root = $root
    $script:ManifestPath = Join-Path $root 'LvsPS.psd1'
    Import-LvsTestModule
    $script:Manifest = Import-PowerShellDataFile $ManifestPath
    $script:Commands = @(Get-Command -Module LvsPS -CommandType Cmdlet | Sort-Object Name)
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters
    $script:Generator = Join-Path $root 'tools/New-LvsHelp.ps1'
    $script:MamlPath = Join-Path $root 'en-US/LvsPS.dll-Help.xml'
    $script:AboutPath = Join-Path $root 'en-US/about_LvsPS.help.txt'
    $script:ReferencePath = Join-Path $root 'docs/reference'
    $script:HelpUriBase = 'https://github.com/lvsps/LvsPS/blob/main/docs/reference/'
    $script:ErrorIds = @([LvsPS.Ipvs.Model.LvsErrorIds].GetFields() | Where-Object IsLiteral | ForEach-Object { $_.GetValue($null) })
    # Cmdlets that return nothing and so declare no [OutputType].
    $script:NoOutputExempt = @('Remove-LvsLab', 'Disconnect-LvsDirector')

    function script:Get-NonCommonParameter([System.Management.Automation.CommandInfo]$Command) {
        @($Command.Parameters.Values | Where-Object { $Common -notcontains $_.Name })
    }
}

Describe 'Module manifest' {
    It 'passes Test-ModuleManifest' {
        $m = Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop -WarningAction SilentlyContinue -WarningVariable warnings
        $m.Name | Should -Be 'LvsPS'
        $warnings | Should -BeNullOrEmpty
    }

    It 'lists <_> explicitly, without wildcards' -ForEach 'CmdletsToExport', 'FunctionsToExport', 'VariablesToExport', 'AliasesToExport' {
        $Manifest.ContainsKey($_) | Should -BeTrue -Because "an absent $_ exports everything"
        @($Manifest[$_] | Where-Object { $_ -match '[*?\[]' }) | Should -BeNullOrEmpty
    }

    It 'exports exactly the cmdlets it lists, and every cmdlet class of the assembly' {
        $listed = @($Manifest.CmdletsToExport | Sort-Object)
        @($Commands.Name | Sort-Object) | Should -Be $listed
        $assembly = $Commands[0].ImplementingType.Assembly
        $classes = @($assembly.GetExportedTypes() |
            Where-Object { -not $_.IsAbstract -and [System.Management.Automation.Cmdlet].IsAssignableFrom($_) } |
            ForEach-Object {
                $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
                if ($a) { "$($a.VerbName)-$($a.NounName)" }
            } | Sort-Object)
        $classes | Should -Be $listed
    }

    It 'exports no function or variable, and only the lvsadm alias (issue 12: Invoke-LvsAdm)' {
        (Get-Module LvsPS).ExportedFunctions.Count | Should -Be 0
        (Get-Module LvsPS).ExportedVariables.Count | Should -Be 0
        @((Get-Module LvsPS).ExportedAliases.Keys) | Should -Be @('lvsadm')
    }
}

Describe 'Cmdlet <Name>' -ForEach $cmdletCases {
    BeforeAll {
        $Cmd = Get-Command -Name $Name -Module LvsPS
        $Help = Get-Help -Name $Name -Full
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $Cmd.Verb
    }

    It 'has a singular noun with the module prefix Lvs' {
        $Cmd.Noun | Should -Match '^Lvs[A-Z]'
        $Cmd.Noun | Should -Not -Match '[^s]s$'
    }

    It 'declares its output types with [OutputType], naming real types' {
        if ($Name -in $NoOutputExempt) {
            # Returns nothing; should it ever return something, it must declare it and leave this list.
            $Cmd.OutputType | Should -BeNullOrEmpty
            return
        }
        $Cmd.OutputType | Should -Not -BeNullOrEmpty
        foreach ($t in $Cmd.OutputType) { $t.Type | Should -Not -BeNullOrEmpty -Because "$($t.Name) must resolve to a .NET type" }
    }

    It 'has a default parameter set when it has several, and no two positional parameters share a position' {
        if ($Cmd.ParameterSets.Count -gt 1) { @($Cmd.ParameterSets | Where-Object IsDefault).Count | Should -Be 1 }
        foreach ($set in $Cmd.ParameterSets) {
            $positions = @($set.Parameters | Where-Object Position -GE 0 | ForEach-Object Position)
            ($positions | Sort-Object -Unique).Count | Should -Be $positions.Count -Because "set $($set.Name) of $Name"
        }
    }

    It 'takes secrets only as PSCredential or SecureString' {
        foreach ($p in Get-NonCommonParameter $Cmd) {
            if ($p.Name -match 'Credential') { $p.ParameterType | Should -Be ([pscredential]) }
            if ($p.Name -match 'Password|Passphrase|Secret') { $p.ParameterType | Should -BeIn @([securestring], [pscredential]) }
        }
    }

    It 'has no switch parameter that defaults to $true, and documents the defaults it has' {
        $instance = [Activator]::CreateInstance($Cmd.ImplementingType)
        foreach ($p in Get-NonCommonParameter $Cmd) {
            $property = $Cmd.ImplementingType.GetProperty($p.Name)
            if (-not $property) { continue }
            $value = $property.GetValue($instance)
            if ($p.SwitchParameter) {
                ([bool]$value.IsPresent) | Should -BeFalse -Because "-$($p.Name) of $Name is a switch"
                continue
            }
            $mandatoryEverywhere = @($p.ParameterSets.Values | Where-Object { -not $_.IsMandatory }).Count -eq 0
            $isUnset = $null -eq $value -or ($value -is [string] -and $value -eq '') -or
                       ($value -is [array] -and $value.Count -eq 0) -or [System.Net.IPAddress]::None.Equals($value)
            if ($mandatoryEverywhere -or $isUnset) { continue }
            $documented = ($Help.parameters.parameter | Where-Object name -EQ $p.Name).defaultValue
            $documented | Should -Be ([string]$value) -Because "-$($p.Name) of $Name defaults to '$value'"
        }
    }

    It 'has help: synopsis, description and at least one example with code and remarks' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis | Should -Not -Match "^\s*$Name\s+\[" -Because 'a synopsis that is the syntax means there is no MAML help'
        ($Help.description.Text -join '') | Should -Not -BeNullOrEmpty
        @($Help.examples.example | Where-Object { $_ }).Count | Should -BeGreaterThan 0
        foreach ($e in $Help.examples.example) {
            $e.code | Should -Not -BeNullOrEmpty
            ($e.remarks.Text -join '') | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter in its help, and only real parameters' {
        $documented = @($Help.parameters.parameter)
        foreach ($p in Get-NonCommonParameter $Cmd) {
            $h = $documented | Where-Object name -EQ $p.Name
            $h | Should -Not -BeNullOrEmpty -Because "-$($p.Name) of $Name needs help"
            ($h.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$($p.Name) of $Name needs a description"
        }
        foreach ($h in $documented) { $Cmd.Parameters.Keys | Should -Contain $h.name }
    }

    It 'has inputs and outputs in its help, and related links that exist' {
        @($Help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        @($Help.returnValues.returnValue).Count | Should -BeGreaterThan 0
        foreach ($link in @($Help.relatedLinks.navigationLink.linkText)) {
            if ($link -match '^about_') { Get-Help $link -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "$Name links to $link" }
            elseif ($link -match '^[A-Z][a-z]+-[A-Za-z]+$') { Get-Command $link -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "$Name links to $link" }
        }
    }
}

Describe 'ShouldProcess: <Name> changes state' -ForEach $shouldProcessCases {
    It 'supports -WhatIf and -Confirm' {
        $cmd = Get-Command -Name $Name -Module LvsPS
        $attr = $cmd.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) | Select-Object -First 1
        $attr.SupportsShouldProcess | Should -BeTrue
        $cmd.Parameters.Keys | Should -Contain 'WhatIf'
        $cmd.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'ShouldProcess exemption: <Name>' -ForEach $exemptCases {
    It 'is deliberate (<Reason>) and said so in its help' {
        $cmd = Get-Command -Name $Name -Module LvsPS
        $cmd.Parameters.Keys | Should -Not -Contain 'WhatIf' -Because 'an exemption that is no longer needed should be removed'
        ((Get-Help $Name -Full).alertSet.alert.Text -join ' ') | Should -Match 'WhatIf'
    }
}

Describe 'Generated help (MAML)' {
    It 'is committed at en-US/LvsPS.dll-Help.xml, the module base, where Get-Help finds it' {
        $MamlPath | Should -Exist
        [xml]$x = Get-Content -Raw $MamlPath
        $x.helpItems.schema | Should -Be 'maml'
        @($x.helpItems.command).Count | Should -Be $Commands.Count
        (Get-Module LvsPS).ModuleBase | Should -Be $Root
        foreach ($c in $Commands) {
            $null = Get-Help $c.Name
            # The help file name PowerShell looks for, resolved to the file it found once Get-Help has run.
            Split-Path -Leaf $c.HelpFile | Should -Be 'LvsPS.dll-Help.xml'
            if ([System.IO.Path]::IsPathRooted($c.HelpFile)) { $c.HelpFile | Should -Be $MamlPath }
        }
    }

    It 'is up to date with the cmdlets and docs/help (tools/New-LvsHelp.ps1 regenerates it)' {
        $fresh = Join-Path $TestDrive 'LvsPS.dll-Help.xml'
        $null = & $Generator -OutputPath $fresh -MarkdownPath (Join-Path $TestDrive 'reference')
        $committed = (Get-Content -Raw $MamlPath) -replace "`r`n", "`n"
        $generated = (Get-Content -Raw $fresh) -replace "`r`n", "`n"
        if ($generated -ne $committed) {
            $a = $committed -split "`n"; $b = $generated -split "`n"
            $i = 0
            while ($i -lt [Math]::Min($a.Count, $b.Count) -and $a[$i] -eq $b[$i]) { $i++ }
            $line = $i + 1
            throw "en-US/LvsPS.dll-Help.xml is stale (first difference at line ${line}: committed '$(if ($i -lt $a.Count) { $a[$i].Trim() })', generated '$(if ($i -lt $b.Count) { $b[$i].Trim() })'). Run: dotnet pwsh -NoProfile -File tools/New-LvsHelp.ps1"
        }
    }

    It 'is refused by the generator when a parameter has no description' {
        $src = Join-Path $TestDrive 'help'
        Copy-Item -Recurse (Join-Path $Root 'docs/help') $src
        $file = Join-Path $src 'Get-LvsLab.psd1'
        (Get-Content -Raw $file) -replace "(?m)^\s*Name\s*=\s*'[^']*'\s*$", '' | Set-Content $file
        { & $Generator -SourcePath $src -OutputPath (Join-Path $TestDrive 'bad.xml') -MarkdownPath (Join-Path $TestDrive 'badref') } | Should -Throw '*Get-LvsLab: parameter -Name has no description*'
        Join-Path $TestDrive 'bad.xml' | Should -Not -Exist
        Join-Path $TestDrive 'badref' | Should -Not -Exist
    }

    It 'is refused by the generator when an example does not say whether it runs in a lab' {
        $src = Join-Path $TestDrive 'help-nolab'
        Copy-Item -Recurse (Join-Path $Root 'docs/help') $src
        $file = Join-Path $src 'Get-LvsTimeout.psd1'
        (Get-Content -Raw $file) -replace '(?m)^(\s*)Lab\s*=\s*\$true\s*$', '' -replace '@\{ Lab = \$true; ', '@{ ' | Set-Content $file
        { & $Generator -SourcePath $src -OutputPath (Join-Path $TestDrive 'nolab.xml') -MarkdownPath (Join-Path $TestDrive 'nolabref') } | Should -Throw '*Get-LvsTimeout: example 1 needs Lab =*'
    }

    It 'does not list Local among the values of -Forwarding (never accepted)' {
        foreach ($name in 'Add-LvsRealServer', 'Set-LvsRealServer', 'New-LvsLab', 'Test-LvsRealServer') {
            $values = @((Get-Help $name -Parameter Forwarding).parameterValueGroup.parameterValue)
            $values | Should -Contain 'Route' -Because $name
            $values | Should -Not -Contain 'Local' -Because $name
        }
    }

    It 'names only ErrorIds the code has, in every "Errors:" list of the help' {
        $known = $ErrorIds + @('ParameterArgumentValidationError', 'ParameterArgumentTransformationError', 'ParameterBindingException')
        foreach ($f in Get-ChildItem (Join-Path $Root 'docs/help') -Filter '*.psd1') {
            $d = Import-PowerShellDataFile $f.FullName
            $text = (@($d.Notes, $d.Description) + @($d.Parameters.Values | ForEach-Object { if ($_ -is [hashtable]) { $_.Description } else { $_ } })) -join "`n"
            foreach ($m in [regex]::Matches($text, '(?s)(?<![a-z] )\bErrors:\s*(.+?)(?:\n\s*\n|$)')) {
                # the CamelCase words of the list (two capitals at least), left of any parenthesis
                $list = ($m.Groups[1].Value -replace '\([^)]*\)', '' -split '\.(\s|$)')[0]
                foreach ($w in [regex]::Matches($list, '(?<![-\w$])[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b') | ForEach-Object Value) {
                    if ($w -match '^(Get|Set|New|Remove|Add|Start|Stop|Test|Invoke|Import|Export|Connect|Disconnect|Suspend|Resume|Clear|Watch|Sync)-' -or $w -in 'ErrorId', 'ErrorRecord', 'PowerShell', 'NoClobber', 'WhatIf') { continue }
                    if ((Get-Command -Module LvsPS).Name -contains $w) { continue }
                    $known | Should -Contain $w -Because "$($f.Name) names $w as an error"
                }
            }
            # and every ErrorId-shaped word anywhere in the help that looks like one of ours is real
            foreach ($w in [regex]::Matches($text, '\b[A-Z][A-Za-z]+(?:NotFound|NotRunning|NotImplemented|Exists|Failed|Invalid|Mismatch|Unknown|NotSupportedByDirector|Ambiguous)\b') | ForEach-Object Value) {
                if ($w -in 'ItemExists', 'PathExists') { continue }
                $known | Should -Contain $w -Because "$($f.Name) mentions $w"
            }
        }
    }
}

Describe 'Markdown reference (docs/reference, where HelpUri points)' {
    It 'has a page for every exported cmdlet, and no page for a cmdlet that is not exported' {
        foreach ($c in $Commands) { Join-Path $ReferencePath "$($c.Name).md" | Should -Exist }
        foreach ($f in Get-ChildItem $ReferencePath -Filter '*-Lvs*.md') { $Commands.Name | Should -Contain $f.BaseName }
    }

    It 'is up to date with docs/help and the cmdlets (tools/New-LvsHelp.ps1 regenerates it)' {
        $fresh = Join-Path $TestDrive 'reference-fresh'
        $null = & $Generator -OutputPath (Join-Path $TestDrive 'fresh.xml') -MarkdownPath $fresh
        foreach ($c in $Commands) {
            $committed = (Get-Content -Raw (Join-Path $ReferencePath "$($c.Name).md")) -replace "`r`n", "`n"
            $generated = (Get-Content -Raw (Join-Path $fresh "$($c.Name).md")) -replace "`r`n", "`n"
            $generated | Should -BeExactly $committed -Because "docs/reference/$($c.Name).md must be regenerated: dotnet pwsh -NoProfile -File tools/New-LvsHelp.ps1"
        }
    }

    It 'documents every parameter of the cmdlet on its page, and only those' {
        foreach ($c in $Commands) {
            $page = Get-Content -Raw (Join-Path $ReferencePath "$($c.Name).md")
            $documented = @([regex]::Matches($page, '(?m)^### -(\w+)$') | ForEach-Object { $_.Groups[1].Value })
            $expected = @($c.Parameters.Keys | Where-Object { $Common -notcontains $_ })
            @($documented | Sort-Object) | Should -Be @($expected | Sort-Object) -Because $c.Name
            $page | Should -Match ([regex]::Escape("# $($c.Name)"))
            $page | Should -Match '(?m)^## Examples$'
        }
    }

    It 'is where a cmdlet''s HelpUri points, when it points into docs/reference' {
        foreach ($c in $Commands) {
            if ($c.HelpUri -notlike "$HelpUriBase*") { continue }
            $c.HelpUri | Should -Be "$HelpUriBase$($c.Name).md" -Because "the page of $($c.Name) is docs/reference/$($c.Name).md"
            Join-Path $ReferencePath "$($c.Name).md" | Should -Exist
        }
    }
}

Describe 'Format and type data' {
    BeforeAll {
        $script:FormatFiles = @($Manifest.FormatsToProcess | ForEach-Object { Join-Path $Root $_ })
        $script:TypeFiles = @($Manifest.TypesToProcess | ForEach-Object { Join-Path $Root $_ })
    }

    It 'selects every format view by a .NET type that exists' {
        $FormatFiles.Count | Should -BeGreaterThan 0
        foreach ($f in $FormatFiles) {
            [xml]$x = Get-Content -Raw $f
            $names = @($x.SelectNodes('//ViewSelectedBy/TypeName') | ForEach-Object InnerText)
            $names.Count | Should -BeGreaterThan 0
            # "<type>#<view>" names (LvsService#Stats: a cmdlet's added type name that picks a view) name the type before the '#'.
            foreach ($n in $names) { (($n -replace '#.*$', '') -as [type]) | Should -Not -BeNullOrEmpty -Because "$(Split-Path -Leaf $f) selects a view by $n" }
        }
    }

    It 'calls only LvsPS types that exist from its script blocks' {
        foreach ($f in $FormatFiles + $TypeFiles) {
            $names = @([regex]::Matches((Get-Content -Raw $f), '\[(LvsPS\.[A-Za-z0-9_.]+)\]') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
            foreach ($n in $names) { ($n -as [type]) | Should -Not -BeNullOrEmpty -Because "$(Split-Path -Leaf $f) uses [$n]" }
        }
    }

    It 'extends only .NET types that exist, with members that exist' {
        foreach ($f in $TypeFiles) {
            [xml]$x = Get-Content -Raw $f
            foreach ($t in $x.Types.Type) {
                $type = $t.Name -as [type]
                $type | Should -Not -BeNullOrEmpty -Because "$(Split-Path -Leaf $f) extends $($t.Name)"
                foreach ($alias in @($t.Members.AliasProperty)) {
                    if (-not $alias) { continue }
                    $type.GetProperty($alias.ReferencedMemberName) | Should -Not -BeNullOrEmpty -Because "$($alias.Name) refers to $($t.Name).$($alias.ReferencedMemberName)"
                }
            }
        }
    }
}

Describe 'About topic' {
    BeforeAll { $script:About = if (Test-Path $AboutPath) { Get-Content -Raw $AboutPath } else { '' } }

    It 'exists as en-US/about_LvsPS.help.txt and Get-Help finds it' {
        $AboutPath | Should -Exist
        (Get-Help about_LvsPS | Out-String) | Should -Match 'about_LvsPS'
    }

    It 'keeps its lines within 80 columns' {
        @($About -split "`r?`n" | Where-Object Length -GT 80) | Should -BeNullOrEmpty
    }

    It 'names every cmdlet' {
        foreach ($c in $Commands) { $About | Should -Match ([regex]::Escape($c.Name)) }
    }

    It 'lists every error identifier of LvsErrorIds' {
        $ids = @([LvsPS.Ipvs.Model.LvsErrorIds].GetFields() | Where-Object IsLiteral | ForEach-Object { $_.GetValue($null) })
        $ids.Count | Should -BeGreaterThan 0
        foreach ($id in $ids) { $About | Should -Match "\b$id\b" -Because "the about topic lists the error IDs" }
    }

    It 'describes every cluster check' {
        foreach ($c in [LvsPS.Management.Checks.ClusterChecks]::Catalogue) { $About | Should -Match "\b$($c.Check)\b" }
    }
}

Describe 'About topic <Name>' -ForEach @(@{ Name = 'about_LvsPS_Lab' }, @{ Name = 'about_LvsPS_Checks' }) {
    BeforeAll { $script:Path = Join-Path $Root "en-US/$Name.help.txt"; $script:Text = if (Test-Path $Path) { Get-Content -Raw $Path } else { '' } }

    It 'exists in en-US, starts with its TOPIC, and Get-Help finds it' {
        $Path | Should -Exist
        $Text | Should -Match "^TOPIC\r?\n    $Name\r?\n"
        (Get-Help $Name | Out-String) | Should -Match $Name
    }

    It 'keeps its lines within 80 columns' {
        @($Text -split "`r?`n" | Where-Object Length -GT 80) | Should -BeNullOrEmpty
    }

    It 'names only cmdlets and ErrorIds that exist' {
        foreach ($w in [regex]::Matches($Text, '\b[A-Z][a-z]+-Lvs[A-Za-z]+\b') | ForEach-Object Value | Sort-Object -Unique) {
            $Commands.Name | Should -Contain $w -Because "$Name names $w"
        }
        foreach ($w in [regex]::Matches($Text, '\b[A-Z][A-Za-z]+(?:NotFound|NotRunning|NotImplemented|Exists|Failed|InUse|Mismatch|Unknown)\b') | ForEach-Object Value | Sort-Object -Unique) {
            $ErrorIds | Should -Contain $w -Because "$Name names $w as an error"
        }
    }
}

Describe 'about_LvsPS_Checks' {
    It 'has a section for every check of the catalogue: what it checks, what it applies to, the remedy' {
        $text = Get-Content -Raw (Join-Path $Root 'en-US/about_LvsPS_Checks.help.txt')
        foreach ($c in [LvsPS.Management.Checks.ClusterChecks]::Catalogue) {
            $m = [regex]::Match($text, "(?ms)^    $($c.Check)\b[^\n]*\n(.*?)(?=\n\s*\n)")
            $m.Success | Should -BeTrue -Because "$($c.Check) needs a section"
            $m.Groups[1].Value | Should -Match 'Checks:' -Because $c.Check
            $m.Groups[1].Value | Should -Match 'Applies to:' -Because $c.Check
            $m.Groups[1].Value | Should -Match 'Remedy:' -Because $c.Check
        }
    }

    It 'is linked from about_LvsPS, with about_LvsPS_Lab and about_LvsPS_Errors' {
        $about = Get-Content -Raw $AboutPath
        foreach ($t in 'about_LvsPS_Lab', 'about_LvsPS_Checks', 'about_LvsPS_Errors') { $about | Should -Match "\b$t\b" }
    }
}
