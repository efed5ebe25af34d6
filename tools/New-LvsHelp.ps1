#Requires -Version 7.4
<#
.SYNOPSIS
    Writes the MAML help of the LvsPS cmdlets (en-US/LvsPS.dll-Help.xml) and their Markdown reference pages
    (docs/reference/<Verb-Noun>.md, where each cmdlet's HelpUri points) from the built module's metadata and the
    hand-written help sources in docs/help/<Verb-Noun>.psd1: one source, two renderings.
.DESCRIPTION
    Syntax, parameter sets, types, Mandatory, Position, pipeline input, aliases, wildcard support and enum values
    come from the cmdlets themselves (Get-Command on the imported module); everything a person writes (synopsis,
    description, parameter descriptions, default values, examples, inputs, outputs, notes, related links) comes
    from the help source files.

    The script fails, and writes nothing, when a cmdlet has no help source, when a help source names a cmdlet or a
    parameter that does not exist, when a cmdlet or any of its parameters (common parameters excepted) has no
    description, when a cmdlet has no example, or when an output type the cmdlet declares ([OutputType]) is not
    described under Outputs.

    The output is deterministic (no dates, stable order), so the file can be committed and compared.

    Help source format (a PowerShell data file):

        @{
            Synopsis     = 'One sentence.'
            Description  = 'Paragraphs separated by blank lines; lines of a paragraph are joined; lines starting with
                            "- " are list items; a paragraph whose lines are indented is kept verbatim.'
            Parameters   = @{
                Port = 'Description.'                                   # or:
                Weight = @{ Description = 'Description.'; DefaultValue = '1' }
            }
            Examples     = @( @{ Title = 'Short title'; Code = 'Get-LvsService'; Remarks = 'What it does.'; Lab = $true } )
            Inputs       = @( @{ Type = 'System.String'; Description = '...' } )     # Type 'None' for none
            Outputs      = @( @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = '...' } )
            Notes        = 'Paragraphs.'
            RelatedLinks = @( 'Get-LvsService', @{ Text = 'ipvsadm(8)'; Uri = 'https://...' } )
        }

    -WhatIf and -Confirm get a standard description unless the help source gives one.

    Every example says whether it runs in an engine lab (tests/pester/HelpExamples.Tests.ps1 runs it there, with
    the lab's names and addresses put in for seed and 10.250.0.x / 10.0.0.x), with the key Lab:

        Lab = $true                               runs as it is
        Lab = @{ Setup = 'Remove-LvsRealServer ...' }  runs after that setup (not shown in the help)
        Lab = 'Kernel: why'                       does not run there; the reason starts with what it needs:
                                                  Kernel, Remote, Pair, NewLab, Host, Interactive, Slow or Pester

    The Lab key is not written into the help.
.PARAMETER OutputPath
    The MAML file to write (default: en-US/LvsPS.dll-Help.xml under the repository root, the module base).
.PARAMETER SourcePath
    The folder of the help sources (default: docs/help under the repository root).
.PARAMETER MarkdownPath
    The folder of the Markdown reference pages (default: docs/reference under the repository root). Pages of
    cmdlets the module no longer exports are removed.
.PARAMETER ModulePath
    The module manifest to import (default: LvsPS.psd1 under the repository root). When a module named LvsPS is
    already imported from that manifest, it is used as it is.
.EXAMPLE
    ./build.sh build; dotnet pwsh -NoProfile -File tools/New-LvsHelp.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File tools/New-LvsHelp.ps1 -OutputPath /tmp/LvsPS.dll-Help.xml
#>
[CmdletBinding()]
param(
    [string]$OutputPath,
    [string]$SourcePath,
    [string]$MarkdownPath,
    [string]$ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = Split-Path -Parent $PSScriptRoot
if (-not $OutputPath) { $OutputPath = Join-Path $root 'en-US/LvsPS.dll-Help.xml' }
if (-not $SourcePath) { $SourcePath = Join-Path $root 'docs/help' }
if (-not $ModulePath) { $ModulePath = Join-Path $root 'LvsPS.psd1' }
if (-not $MarkdownPath) { $MarkdownPath = Join-Path $root 'docs/reference' }
$MarkdownPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($MarkdownPath)
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$SourcePath = (Resolve-Path -LiteralPath $SourcePath).ProviderPath
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath

$module = Get-Module LvsPS | Where-Object { $_.Path -eq $ModulePath -or (Join-Path $_.ModuleBase 'LvsPS.psd1') -eq $ModulePath } | Select-Object -First 1
if (-not $module) { $module = Import-Module $ModulePath -PassThru -Force | Where-Object Name -EQ 'LvsPS' | Select-Object -First 1 }
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
if ($commands.Count -eq 0) { throw "The module $ModulePath exports no cmdlet; build it first (./build.sh build)." }

# Common parameters are documented by PowerShell itself (about_CommonParameters); WhatIf and Confirm are documented here.
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$standard = @{
    WhatIf  = @{ Description = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'; DefaultValue = 'False' }
    Confirm = @{ Description = 'Prompts you for confirmation before running the cmdlet.'; DefaultValue = 'False' }
}
$allowedKeys = 'Synopsis', 'Description', 'Parameters', 'Examples', 'Inputs', 'Outputs', 'Notes', 'RelatedLinks'
$problems = [System.Collections.Generic.List[string]]::new()

function Test-Text([object]$Value) { $null -ne $Value -and -not [string]::IsNullOrWhiteSpace([string]$Value) }

# Paragraphs separated by blank lines. Lines of a paragraph are joined with a space, except that "- " starts a list
# item of its own and a paragraph whose every line is indented is kept line by line (commands, tables).
function Split-Paragraph([string]$Text) {
    if (-not (Test-Text $Text)) { return @() }
    $blocks = ($Text -replace "`r`n", "`n").Trim("`n") -split "`n[ `t]*`n"
    foreach ($block in $blocks) {
        $lines = @($block -split "`n" | Where-Object { $_.Trim() })
        if ($lines.Count -eq 0) { continue }
        if (@($lines | Where-Object { $_ -notmatch '^\s' }).Count -eq 0) {
            $indent = ($lines | ForEach-Object { ($_ -replace '^(\s*).*$', '$1').Length } | Measure-Object -Minimum).Minimum
            # Get-Help indents every line of a paragraph alike but drops the first line's own indentation, so the
            # block is kept flush: it still lines up, as a block of its own.
            ($lines | ForEach-Object { $_.Substring($indent).TrimEnd() }) -join "`n"
            continue
        }
        $current = $null
        foreach ($line in $lines) {
            $t = $line.Trim()
            if ($t -match '^[-*] ' -or $null -eq $current) {
                if ($null -ne $current) { $current }
                $current = $t
            } else {
                $current += ' ' + $t
            }
        }
        if ($null -ne $current) { $current }
    }
}

function Get-BaseType([type]$Type) {
    $u = [Nullable]::GetUnderlyingType($Type)
    if ($u) { $u } else { $Type }
}

function Get-ValidValue($ParameterMetadata) {
    $set = $ParameterMetadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    $t = Get-BaseType $ParameterMetadata.ParameterType
    if ($t.IsArray) { $t = $t.GetElementType() }
    if (-not $t.IsEnum) { return @() }
    # A ValidateRange on an enum leaves values out, as tab completion does (-Forwarding: Route..Tunnel, not Local).
    $range = $ParameterMetadata.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] } | Select-Object -First 1
    @([Enum]::GetValues($t) | Where-Object { -not $range -or ($_ -ge $range.MinRange -and $_ -le $range.MaxRange) } | ForEach-Object { $_.ToString() })
}

function Format-Pipeline([bool]$ByValue, [bool]$ByName) {
    $how = @(if ($ByValue) { 'ByValue' }; if ($ByName) { 'ByPropertyName' })
    if ($how.Count) { "True ($($how -join ', '))" } else { 'False' }
}

function Format-Position([int]$Position) { if ($Position -ge 0) { [string]$Position } else { 'named' } }

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

function Write-Para([System.Xml.XmlWriter]$W, [string]$Text) {
    $paras = @(Split-Paragraph $Text)
    if ($paras.Count -eq 0) { $W.WriteStartElement('maml', 'para', $ns.maml); $W.WriteEndElement(); return }
    foreach ($p in $paras) { $W.WriteElementString('maml', 'para', $ns.maml, $p) }
}

function Write-Description([System.Xml.XmlWriter]$W, [string]$Text) {
    $W.WriteStartElement('maml', 'description', $ns.maml)
    Write-Para $W $Text
    $W.WriteEndElement()
}

function Write-Parameter {
    param(
        [System.Xml.XmlWriter]$W,
        [System.Management.Automation.ParameterMetadata]$Meta,
        [hashtable]$Doc,
        [bool]$Required,
        [string]$Position,
        [string]$Pipeline,
        [switch]$InSyntax
    )
    $type = Get-BaseType $Meta.ParameterType
    $isSwitch = $Meta.SwitchParameter
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $W.WriteAttributeString('variableLength', $type.IsArray.ToString().ToLowerInvariant())
    $globbing = [bool]($Meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $W.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $Pipeline)
    $W.WriteAttributeString('position', $Position)
    $W.WriteAttributeString('aliases', $(if ($Meta.Aliases.Count) { ($Meta.Aliases | Sort-Object) -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $ns.maml, $Meta.Name)
    Write-Description $W $Doc.Description
    $values = @(Get-ValidValue $Meta)
    if ($values.Count) {
        $W.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($v in $values) {
            $W.WriteStartElement('command', 'parameterValue', $ns.command)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('command', 'variableLength', $ns.command, 'false')
            $W.WriteString($v)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    if (-not ($isSwitch -and $InSyntax)) {
        $W.WriteStartElement('command', 'parameterValue', $ns.command)
        $W.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $W.WriteAttributeString('variableLength', $type.IsArray.ToString().ToLowerInvariant())
        $W.WriteString($type.Name)
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $ns.dev)
    $W.WriteElementString('maml', 'name', $ns.maml, $type.FullName)
    $W.WriteStartElement('maml', 'uri', $ns.maml); $W.WriteEndElement()
    $W.WriteEndElement()
    $default = if (Test-Text $Doc.DefaultValue) { [string]$Doc.DefaultValue } elseif ($isSwitch) { 'False' } else { 'None' }
    $W.WriteElementString('dev', 'defaultValue', $ns.dev, $default)
    $W.WriteEndElement()
}

# ---- read and check every help source -------------------------------------------------------------------------
$docs = @{}
foreach ($cmd in $commands) {
    $file = Join-Path $SourcePath "$($cmd.Name).psd1"
    if (-not (Test-Path -LiteralPath $file)) { $problems.Add("$($cmd.Name): no help source $file"); continue }
    try { $d = Import-PowerShellDataFile -LiteralPath $file }
    catch { $problems.Add("$($cmd.Name): $file does not parse: $($_.Exception.Message)"); continue }
    foreach ($k in $d.Keys) { if ($k -notin $allowedKeys) { $problems.Add("$($cmd.Name): unknown key '$k' in $file (known: $($allowedKeys -join ', '))") } }
    foreach ($k in 'Synopsis', 'Description') { if (-not (Test-Text $d[$k])) { $problems.Add("$($cmd.Name): no $k") } }

    # Parameters: normalise to @{ Description; DefaultValue }, then check against the cmdlet.
    $params = @{}
    $given = if ($d['Parameters'] -is [hashtable]) { $d['Parameters'] } else { @{} }
    foreach ($k in $given.Keys) {
        $v = $given[$k]
        $params[$k] = if ($v -is [hashtable]) { @{ Description = $v['Description']; DefaultValue = $v['DefaultValue'] } } else { @{ Description = [string]$v; DefaultValue = $null } }
        if (-not $cmd.Parameters.ContainsKey($k)) { $problems.Add("$($cmd.Name): help source describes -$k, which the cmdlet does not have") }
    }
    foreach ($p in $cmd.Parameters.Values) {
        if ($common -contains $p.Name) { continue }
        if (-not $params.ContainsKey($p.Name) -and $standard.ContainsKey($p.Name)) { $params[$p.Name] = $standard[$p.Name] }
        if (-not $params.ContainsKey($p.Name) -or -not (Test-Text $params[$p.Name].Description)) {
            $problems.Add("$($cmd.Name): parameter -$($p.Name) has no description")
        }
    }
    $d['Parameters'] = $params

    $examples = @($d['Examples'] | Where-Object { $_ })
    if ($examples.Count -eq 0) { $problems.Add("$($cmd.Name): no example") }
    $i = 0
    foreach ($e in $examples) {
        $i++
        if ($e -isnot [hashtable] -or -not (Test-Text $e['Code'])) { $problems.Add("$($cmd.Name): example $i has no Code"); continue }
        if (-not (Test-Text $e['Remarks'])) { $problems.Add("$($cmd.Name): example $i has no Remarks") }
        $lab = $e['Lab']
        $labOk = $lab -is [bool] -and $lab -or
                 ($lab -is [hashtable] -and (Test-Text $lab['Setup']) -and @($lab.Keys).Count -eq 1) -or
                 ($lab -is [string] -and $lab -match '^(Kernel|Remote|Pair|NewLab|Host|Interactive|Slow|Pester): \S')
        if (-not $labOk) { $problems.Add("$($cmd.Name): example $i needs Lab = `$true, @{ Setup = '...' } or 'Kernel|Remote|Pair|NewLab|Host|Interactive|Slow|Pester: why not'") }
    }
    foreach ($section in 'Inputs', 'Outputs') {
        $items = @($d[$section] | Where-Object { $_ })
        if ($items.Count -eq 0) { $problems.Add("$($cmd.Name): no $section (use Type = 'None' when there are none)") }
        foreach ($it in $items) {
            if ($it -isnot [hashtable] -or -not (Test-Text $it['Type'])) { $problems.Add("$($cmd.Name): an entry of $section has no Type") }
            elseif ($it['Type'] -ne 'None' -and -not (Test-Text $it['Description'])) { $problems.Add("$($cmd.Name): $section type $($it['Type']) has no Description") }
        }
    }
    $documented = @($d['Outputs'] | Where-Object { $_ -is [hashtable] } | ForEach-Object { $_['Type'] })
    foreach ($t in $cmd.OutputType) {
        if ($t.Name -notin $documented) { $problems.Add("$($cmd.Name): declared output type $($t.Name) is not described under Outputs") }
    }
    foreach ($t in $documented) {
        if ($t -ne 'None' -and $t -notin @($cmd.OutputType.Name)) { $problems.Add("$($cmd.Name): Outputs describes $t, which the cmdlet does not declare with [OutputType]") }
    }
    $docs[$cmd.Name] = $d
}
foreach ($f in Get-ChildItem -LiteralPath $SourcePath -Filter '*.psd1') {
    if ($f.BaseName -notin $commands.Name) { $problems.Add("$($f.Name): help source for a cmdlet the module does not export") }
}
if ($problems.Count) {
    throw "The help is incomplete; nothing was written:`n  " + ($problems -join "`n  ")
}

# ---- write the MAML -------------------------------------------------------------------------------------------
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.NewLineChars = "`n"
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$buffer = [System.IO.MemoryStream]::new()
$w = [System.Xml.XmlWriter]::Create($buffer, $settings)
$w.WriteStartDocument()
$w.WriteComment(' Generated by tools/New-LvsHelp.ps1 from the cmdlets and docs/help/*.psd1. Do not edit; edit the sources and run the script. ')
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')

foreach ($cmd in $commands) {
    $d = $docs[$cmd.Name]
    $w.WriteStartElement('command', 'command', $ns.command)
    foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') { $w.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }

    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('command', 'name', $ns.command, $cmd.Name)
    $w.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
    Write-Description $w $d.Synopsis
    $w.WriteEndElement()
    Write-Description $w $d.Description

    # Syntax: one item per parameter set, the default set first; positional parameters by position, then the
    # mandatory ones, then the rest, WhatIf and Confirm last.
    $w.WriteStartElement('command', 'syntax', $ns.command)
    $sets = @($cmd.ParameterSets | Sort-Object { -not $_.IsDefault }, { [array]::IndexOf($cmd.ParameterSets.Name, $_.Name) })
    foreach ($set in $sets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
        $inSet = @($set.Parameters | Where-Object { $common -notcontains $_.Name })
        $ordered = @($inSet | Where-Object Position -GE 0 | Sort-Object Position) +
                   @($inSet | Where-Object { $_.Position -lt 0 -and $_.IsMandatory -and -not $standard.ContainsKey($_.Name) }) +
                   @($inSet | Where-Object { $_.Position -lt 0 -and -not $_.IsMandatory -and -not $standard.ContainsKey($_.Name) }) +
                   @($inSet | Where-Object { $standard.ContainsKey($_.Name) } | Sort-Object { $_.Name -ne 'WhatIf' })
        foreach ($p in $ordered) {
            Write-Parameter -W $w -Meta $cmd.Parameters[$p.Name] -Doc $d.Parameters[$p.Name] -Required $p.IsMandatory `
                -Position (Format-Position $p.Position) -Pipeline (Format-Pipeline $p.ValueFromPipeline $p.ValueFromPipelineByPropertyName) -InSyntax
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # Parameters: every parameter once, alphabetically; what differs between sets is merged (Mandatory only when
    # mandatory in every set it belongs to, pipeline input when accepted in any).
    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($meta in $cmd.Parameters.Values | Where-Object { $common -notcontains $_.Name } | Sort-Object Name) {
        $perSet = @($meta.ParameterSets.Values)
        $required = @($perSet | Where-Object { -not $_.IsMandatory }).Count -eq 0
        $positions = @($perSet | ForEach-Object Position | Sort-Object -Unique)
        $position = if ($positions.Count -eq 1) { Format-Position $positions[0] } else { Format-Position (@($positions | Where-Object { $_ -ge 0 }) + @(-1))[0] }
        $pipeline = Format-Pipeline ([bool]@($perSet | Where-Object ValueFromPipeline).Count) ([bool]@($perSet | Where-Object ValueFromPipelineByPropertyName).Count)
        Write-Parameter -W $w -Meta $meta -Doc $d.Parameters[$meta.Name] -Required $required -Position $position -Pipeline $pipeline
    }
    $w.WriteEndElement()

    foreach ($section in @(@('Inputs', 'inputTypes', 'inputType'), @('Outputs', 'returnValues', 'returnValue'))) {
        $w.WriteStartElement('command', $section[1], $ns.command)
        foreach ($it in @($d[$section[0]])) {
            $w.WriteStartElement('command', $section[2], $ns.command)
            $w.WriteStartElement('dev', 'type', $ns.dev)
            $w.WriteElementString('maml', 'name', $ns.maml, $it['Type'])
            $w.WriteEndElement()
            Write-Description $w $it['Description']
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    $w.WriteStartElement('maml', 'alertSet', $ns.maml)
    $w.WriteStartElement('maml', 'alert', $ns.maml)
    Write-Para $w $d['Notes']
    $w.WriteEndElement()
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $ns.command)
    $i = 0
    foreach ($e in @($d.Examples)) {
        $i++
        $title = if (Test-Text $e['Title']) { "Example ${i}: $($e['Title'])" } else { "Example $i" }
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('maml', 'title', $ns.maml, "---------- $title ----------")
        $w.WriteElementString('dev', 'code', $ns.dev, (($e['Code'] -replace "`r`n", "`n").Trim("`n").TrimEnd()))
        $w.WriteStartElement('dev', 'remarks', $ns.dev)
        Write-Para $w $e['Remarks']
        # An empty paragraph: Get-Help then leaves a blank line before the next example.
        $w.WriteStartElement('maml', 'para', $ns.maml); $w.WriteEndElement()
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($l in @($d['RelatedLinks'] | Where-Object { $_ })) {
        $text, $uri = if ($l -is [hashtable]) { $l['Text'], $l['Uri'] } else { [string]$l, '' }
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $w.WriteElementString('maml', 'linkText', $ns.maml, $text)
        $w.WriteElementString('maml', 'uri', $ns.maml, [string]$uri)
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Flush()
$w.Dispose()

$dir = Split-Path -Parent $OutputPath
if (-not (Test-Path -LiteralPath $dir)) { New-Item -ItemType Directory -Path $dir -Force | Out-Null }
[System.IO.File]::WriteAllBytes($OutputPath, $buffer.ToArray())
Write-Verbose "Wrote help for $($commands.Count) cmdlets to $OutputPath"

# ---- write the Markdown reference pages (docs/reference/<Verb-Noun>.md) ----------------------------------------
# The same sources as the MAML, rendered for a browser: the HelpUri of every cmdlet points at its page.
function ConvertTo-MarkdownText([string]$Text) {
    $out = foreach ($p in @(Split-Paragraph $Text)) {
        if ($p -match "`n" -or $p -match '^\s') { '```text'; $p; '```' } else { $p }
        ''
    }
    ($out -join "`n").TrimEnd("`n")
}

function Format-SyntaxLine($Cmd, $Set) {
    $inSet = @($Set.Parameters | Where-Object { $common -notcontains $_.Name })
    $ordered = @($inSet | Where-Object Position -GE 0 | Sort-Object Position) +
               @($inSet | Where-Object { $_.Position -lt 0 -and $_.IsMandatory -and -not $standard.ContainsKey($_.Name) }) +
               @($inSet | Where-Object { $_.Position -lt 0 -and -not $_.IsMandatory -and -not $standard.ContainsKey($_.Name) }) +
               @($inSet | Where-Object { $standard.ContainsKey($_.Name) } | Sort-Object { $_.Name -ne 'WhatIf' })
    $words = foreach ($p in $ordered) {
        $type = Get-BaseType $p.ParameterType
        $name = if ($p.Position -ge 0) { "[-$($p.Name)]" } else { "-$($p.Name)" }
        $word = if ($type -eq [switch]) { "-$($p.Name)" } else { "$name <$($type.Name)>" }
        if ($p.IsMandatory -and $type -ne [switch]) { $word } else { "[$word]" }
    }
    (@($Cmd.Name) + @($words) + '[<CommonParameters>]') -join ' '
}

$pages = @{}
foreach ($cmd in $commands) {
    $d = $docs[$cmd.Name]
    $md = [System.Collections.Generic.List[string]]::new()
    $md.Add("<!-- Generated by tools/New-LvsHelp.ps1 from docs/help/$($cmd.Name).psd1 and the cmdlet. Do not edit. -->")
    $md.Add("# $($cmd.Name)"); $md.Add('')
    $md.Add('## Synopsis'); $md.Add(''); $md.Add((ConvertTo-MarkdownText $d.Synopsis)); $md.Add('')
    $md.Add('## Syntax'); $md.Add('')
    foreach ($set in @($cmd.ParameterSets | Sort-Object { -not $_.IsDefault }, { [array]::IndexOf($cmd.ParameterSets.Name, $_.Name) })) {
        if ($cmd.ParameterSets.Count -gt 1) { $md.Add("### $($set.Name)$(if ($set.IsDefault) { ' (Default)' })"); $md.Add('') }
        $md.Add('```powershell'); $md.Add((Format-SyntaxLine $cmd $set)); $md.Add('```'); $md.Add('')
    }
    $md.Add('## Description'); $md.Add(''); $md.Add((ConvertTo-MarkdownText $d.Description)); $md.Add('')
    $md.Add('## Parameters'); $md.Add('')
    foreach ($meta in $cmd.Parameters.Values | Where-Object { $common -notcontains $_.Name } | Sort-Object Name) {
        $doc = $d.Parameters[$meta.Name]
        $perSet = @($meta.ParameterSets.Values)
        $type = Get-BaseType $meta.ParameterType
        $md.Add("### -$($meta.Name)"); $md.Add(''); $md.Add((ConvertTo-MarkdownText $doc.Description)); $md.Add('')
        $values = @(Get-ValidValue $meta)
        $positions = @($perSet | ForEach-Object Position | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
        $default = if (Test-Text $doc.DefaultValue) { [string]$doc.DefaultValue } elseif ($meta.SwitchParameter) { 'False' } else { 'None' }
        $md.Add('| | |'); $md.Add('|---|---|')
        $md.Add("| Type | ``$($type.FullName)`` |")
        if ($values.Count) { $md.Add("| Accepted values | $($values -join ', ') |") }
        if ($meta.Aliases.Count) { $md.Add("| Aliases | $(($meta.Aliases | Sort-Object) -join ', ') |") }
        $md.Add("| Required | $(if (@($perSet | Where-Object { -not $_.IsMandatory }).Count -eq 0) { 'True' } else { 'False' }) |")
        $md.Add("| Position | $(if ($positions.Count) { $positions -join ', ' } else { 'Named' }) |")
        $md.Add("| Default value | $default |")
        $md.Add("| Pipeline input | $(Format-Pipeline ([bool]@($perSet | Where-Object ValueFromPipeline).Count) ([bool]@($perSet | Where-Object ValueFromPipelineByPropertyName).Count)) |")
        $md.Add("| Wildcards | $(if ($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) { 'True' } else { 'False' }) |")
        $md.Add('')
    }
    $md.Add('### CommonParameters'); $md.Add('')
    $md.Add('This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction and -WarningVariable (about_CommonParameters).'); $md.Add('')
    $md.Add('## Examples'); $md.Add('')
    $i = 0
    foreach ($e in @($d.Examples)) {
        $i++
        $md.Add("### Example ${i}$(if (Test-Text $e['Title']) { ": $($e['Title'])" })"); $md.Add('')
        $md.Add('```powershell'); $md.Add((($e['Code'] -replace "`r`n", "`n").Trim("`n").TrimEnd())); $md.Add('```'); $md.Add('')
        $md.Add((ConvertTo-MarkdownText $e['Remarks'])); $md.Add('')
    }
    foreach ($section in 'Inputs', 'Outputs') {
        $md.Add("## $section"); $md.Add('')
        foreach ($it in @($d[$section])) {
            $md.Add("### $($it['Type'])"); $md.Add('')
            if (Test-Text $it['Description']) { $md.Add((ConvertTo-MarkdownText $it['Description'])); $md.Add('') }
        }
    }
    if (Test-Text $d['Notes']) { $md.Add('## Notes'); $md.Add(''); $md.Add((ConvertTo-MarkdownText $d['Notes'])); $md.Add('') }
    $links = @($d['RelatedLinks'] | Where-Object { $_ })
    if ($links.Count) {
        $md.Add('## Related links'); $md.Add('')
        foreach ($l in $links) {
            $text, $uri = if ($l -is [hashtable]) { $l['Text'], $l['Uri'] } else { [string]$l, '' }
            $md.Add($(if (Test-Text $uri) { "- [$text]($uri)" } elseif ($text -in $commands.Name) { "- [$text]($text.md)" } else { "- $text" }))
        }
        $md.Add('')
    }
    $pages["$($cmd.Name).md"] = ($md -join "`n").TrimEnd("`n") + "`n"
}
if (-not (Test-Path -LiteralPath $MarkdownPath)) { New-Item -ItemType Directory -Path $MarkdownPath -Force | Out-Null }
foreach ($old in Get-ChildItem -LiteralPath $MarkdownPath -Filter '*-Lvs*.md') {
    if (-not $pages.ContainsKey($old.Name)) { Remove-Item -LiteralPath $old.FullName }
}
$utf8 = [System.Text.UTF8Encoding]::new($false)
foreach ($name in $pages.Keys | Sort-Object) { [System.IO.File]::WriteAllText((Join-Path $MarkdownPath $name), $pages[$name], $utf8) }
Write-Verbose "Wrote $($pages.Count) reference pages to $MarkdownPath"
Get-Item -LiteralPath $OutputPath
