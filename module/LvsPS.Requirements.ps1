# Runs when LvsPS is imported (NestedModules of LvsPS.psd1, after the module's assembly is loaded): one warning
# for each thing lvsd, the user-space director, needs at run time and this machine lacks (lvsd itself, the .NET 10
# runtime, libpcap), naming the package to install. The import goes on: the cmdlets for kernel directors over SSH
# and for configuration files need none of it. The checks are LvsPS.Management.Lvsd.RuntimeRequirements.
foreach ($warning in [LvsPS.ModuleRequirements]::ImportWarnings()) { Write-Warning -Message $warning }
