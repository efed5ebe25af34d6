namespace LvsPS.Cmdlets.Tests;

/// <summary>The module as the hosted engine sees it: where it loads from, what it exports, what each cmdlet declares.</summary>
public sealed class ModuleTests : CmdletTestBase
{
    private static readonly string[] Exported =
    {
        "Start-LvsDirector", "Stop-LvsDirector", "Get-LvsDirector", "Connect-LvsDirector", "Disconnect-LvsDirector",
        "New-LvsService", "Get-LvsService", "Set-LvsService", "Remove-LvsService",
        "Add-LvsRealServer", "Get-LvsRealServer", "Set-LvsRealServer", "Remove-LvsRealServer",
        "Suspend-LvsRealServer", "Resume-LvsRealServer",
        "Add-LvsHealthCheck", "Get-LvsHealthCheck", "Set-LvsHealthCheck", "Remove-LvsHealthCheck", "Set-LvsServiceHealth", "Get-LvsHealth",
        "Get-LvsConnection", "Import-LvsConfiguration", "Get-LvsTimeout", "Set-LvsTimeout", "Clear-LvsCounter",
        "New-LvsFirewallMarkRule", "Get-LvsFirewallMarkRule", "Remove-LvsFirewallMarkRule", "Export-LvsConfiguration",
        "Set-LvsRealServerHidden", "Get-LvsRealServerHidden", "New-LvsLab", "Get-LvsLab", "Remove-LvsLab",
        "Invoke-LvsLabCommand", "Test-LvsCluster", "Get-LvsDefense", "Set-LvsDefense",
        "New-LvsVrrpInstance", "Get-LvsVrrpInstance", "Set-LvsVrrpInstance", "Remove-LvsVrrpInstance",
        "Start-LvsSyncDaemon", "Stop-LvsSyncDaemon", "Get-LvsSyncDaemon",
        "Test-LvsRealServer", "Watch-LvsTraffic", "Invoke-LvsClusterValidation", "Watch-LvsService",
        "Get-LvsDirectorLog", "Set-LvsDirectorLog", "Invoke-LvsAdm", "Sync-LvsConfiguration",
    };

    [Fact]
    public void Manifest_LoadsTheBuiltModuleIntoTheSdkEngine()
    {
        var r = Run("(Get-Module LvsPS).Path; [LvsPS.LvsCmdlet].Assembly.Location; [psobject].Assembly.Location; $PSVersionTable.PSVersion.ToString()").Ok();
        var values = r.Objects.Cast<string>().ToList();
        var moduleDll = Path.Combine(LvsSession.RepositoryRoot, "out", "LvsPS", "LvsPS.dll");
        Assert.Equal(moduleDll, values[0]);
        Assert.Equal(moduleDll, values[1]);
        // The engine is the SDK's implementation assembly (runtimes/unix/...), not PowerShellStandard's reference assembly.
        Assert.Equal(typeof(PSObject).Assembly.Location, values[2]);
        Assert.Contains(Path.Combine("runtimes", "unix", "lib"), values[2]);
        Assert.Equal("7.6.9", values[3]);
    }

    [Fact]
    public void Module_ExportsExactlyTheManifestCmdlets()
    {
        var names = Run("(Get-Command -Module LvsPS -CommandType Cmdlet).Name").Ok().Objects.Cast<string>().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(Exported.OrderBy(n => n, StringComparer.Ordinal), names);
        Assert.Empty(Run("(Get-Command -Module LvsPS -CommandType Function).Name").Ok().Output);
        // one alias: lvsadm for Invoke-LvsAdm (ipvsadm's command line)
        Assert.Equal(new object[] { "lvsadm" }, Run("(Get-Command -Module LvsPS -CommandType Alias).Name").Ok().Objects);
    }

    [Fact]
    public void Module_LoadsItsFormatAndTypeData()
    {
        // Types.ps1xml: the addresses as text (under their own names), one name per count (no ActiveConn/InActConn
        // aliases beside ActiveConnections/InactiveConnections), on an object built here (the module's own LvsPS.Ipvs type).
        var rs = new LvsPS.Ipvs.Model.LvsRealServer { ActiveConnections = 7, InactiveConnections = 3, RealAddress = IPAddress.Parse("10.9.0.3") };
        var r = Run("$rs.ActiveConnections; $rs.InactiveConnections; $null -eq $rs.psobject.Properties['ActiveConn']; $null -eq $rs.psobject.Properties['InActConn']; $rs.RealAddress; @(Get-FormatData -TypeName LvsPS.Ipvs.Model.LvsService).Count -gt 0", ("rs", rs)).Ok();
        Assert.Equal(new object[] { 7, 3, true, true, "10.9.0.3", true }, r.Objects);
    }

    /// <summary>Every cmdlet's [OutputType] per parameter set (type names without namespace; "*" = all sets).</summary>
    [Theory]
    [InlineData("Start-LvsDirector", "*", "DirectorStatus")]
    [InlineData("Stop-LvsDirector", "*", "DirectorStatus")]
    [InlineData("Get-LvsDirector", "*", "DirectorStatus,KernelDirectorStatus")]
    [InlineData("Connect-LvsDirector", "*", "KernelDirectorStatus")]
    [InlineData("Disconnect-LvsDirector", "*", "")]
    [InlineData("New-LvsService", "*", "LvsService")]
    [InlineData("Get-LvsService", "Objects", "LvsRealServer,LvsService")]
    [InlineData("Get-LvsService", "Text", "String")]
    [InlineData("Set-LvsService", "*", "LvsService")]
    [InlineData("Remove-LvsService", "*", "LvsService")]
    [InlineData("Add-LvsRealServer", "*", "LvsRealServer")]
    [InlineData("Get-LvsRealServer", "*", "LvsRealServer")]
    [InlineData("Set-LvsRealServer", "*", "LvsRealServer")]
    [InlineData("Remove-LvsRealServer", "*", "LvsRealServer")]
    [InlineData("Suspend-LvsRealServer", "*", "LvsRealServer")]
    [InlineData("Resume-LvsRealServer", "*", "LvsRealServer")]
    [InlineData("Add-LvsHealthCheck", "*", "LvsHealthCheckInfo")]
    [InlineData("Get-LvsHealthCheck", "*", "LvsHealthCheckInfo")]
    [InlineData("Set-LvsHealthCheck", "*", "LvsHealthCheckInfo")]
    [InlineData("Remove-LvsHealthCheck", "*", "LvsHealthCheckInfo")]
    [InlineData("Set-LvsServiceHealth", "*", "LvsService")]
    [InlineData("Get-LvsHealth", "*", "LvsRealServerHealth")]
    [InlineData("Get-LvsConnection", "Objects", "LvsConnection")]
    [InlineData("Get-LvsConnection", "Text", "String")]
    [InlineData("Get-LvsTimeout", "Object", "TimeoutSpec")]
    [InlineData("Get-LvsTimeout", "Text", "String")]
    [InlineData("Set-LvsTimeout", "*", "TimeoutSpec")]
    [InlineData("Clear-LvsCounter", "*", "LvsService")]
    [InlineData("New-LvsFirewallMarkRule", "*", "MarkRuleSpec")]
    [InlineData("Get-LvsFirewallMarkRule", "*", "MarkRuleSpec")]
    [InlineData("Remove-LvsFirewallMarkRule", "*", "MarkRuleSpec")]
    [InlineData("Import-LvsConfiguration", "*", "IpvsadmRules,KeepalivedConfiguration,LvsDrConfiguration,LvsServiceDefinition")]
    [InlineData("Export-LvsConfiguration", "*", "FileInfo,String")]
    [InlineData("Set-LvsRealServerHidden", "*", "LvsRealServerHiddenState")]
    [InlineData("Get-LvsRealServerHidden", "*", "LvsRealServerHiddenState")]
    [InlineData("New-LvsLab", "*", "LvsLab")]
    [InlineData("Get-LvsLab", "*", "LvsLab")]
    [InlineData("Remove-LvsLab", "*", "")]
    [InlineData("Invoke-LvsLabCommand", "*", "String")]
    [InlineData("Test-LvsCluster", "Lab", "Boolean,LvsCheckResult")]
    [InlineData("Test-LvsCluster", "Director", "Boolean,LvsCheckResult")]
    [InlineData("Test-LvsCluster", "List", "LvsCheckInfo")]
    [InlineData("New-LvsVrrpInstance", "*", "VrrpInstanceStatus")]
    [InlineData("Get-LvsVrrpInstance", "*", "VrrpInstanceStatus")]
    [InlineData("Set-LvsVrrpInstance", "*", "VrrpInstanceStatus")]
    [InlineData("Remove-LvsVrrpInstance", "*", "VrrpInstanceStatus")]
    [InlineData("Start-LvsSyncDaemon", "*", "SyncDaemonStatus")]
    [InlineData("Stop-LvsSyncDaemon", "*", "SyncDaemonStatus")]
    [InlineData("Get-LvsSyncDaemon", "*", "SyncDaemonStatus")]
    public void OutputType_IsDeclaredPerParameterSet(string cmdlet, string parameterSet, string expected)
    {
        var declared = OutputTypes.Declared(Command(cmdlet), parameterSet);
        Assert.Equal(expected, string.Join(",", declared.Select(t => t.Type?.Name ?? t.Name).OrderBy(n => n, StringComparer.Ordinal)));
        // Each declared type is a real type (PowerShell resolved it), so Get-Help and completion can use it.
        Assert.All(declared, t => Assert.NotNull(t.Type));
    }

    [Fact]
    public void EveryCmdletDeclaresAnOutputType_ButThoseThatReturnNothing()
    {
        var none = Exported.Where(n => OutputTypes.Declared(Command(n), "*").Count == 0).OrderBy(n => n).ToList();
        Assert.Equal(new[] { "Disconnect-LvsDirector", "Remove-LvsLab" }, none);
    }

    [Theory]
    [InlineData("Add-LvsRealServer", ConfirmImpact.Medium)]
    [InlineData("Add-LvsHealthCheck", ConfirmImpact.Medium)]
    [InlineData("Set-LvsHealthCheck", ConfirmImpact.Medium)]
    [InlineData("Remove-LvsHealthCheck", ConfirmImpact.High)]
    [InlineData("Set-LvsServiceHealth", ConfirmImpact.Medium)]
    [InlineData("Suspend-LvsRealServer", ConfirmImpact.Medium)]
    [InlineData("Resume-LvsRealServer", ConfirmImpact.Medium)]
    [InlineData("Clear-LvsCounter", ConfirmImpact.High)]
    [InlineData("Export-LvsConfiguration", ConfirmImpact.Medium)]
    [InlineData("New-LvsFirewallMarkRule", ConfirmImpact.Medium)]
    [InlineData("New-LvsLab", ConfirmImpact.Medium)]
    [InlineData("New-LvsService", ConfirmImpact.Medium)]
    [InlineData("Remove-LvsFirewallMarkRule", ConfirmImpact.High)]
    [InlineData("Remove-LvsLab", ConfirmImpact.High)]
    [InlineData("Remove-LvsRealServer", ConfirmImpact.High)]
    [InlineData("Remove-LvsService", ConfirmImpact.High)]
    [InlineData("Set-LvsRealServer", ConfirmImpact.Medium)]
    [InlineData("Set-LvsRealServerHidden", ConfirmImpact.Medium)]
    [InlineData("Set-LvsService", ConfirmImpact.Medium)]
    [InlineData("Set-LvsTimeout", ConfirmImpact.Medium)]
    [InlineData("Set-LvsDefense", ConfirmImpact.Medium)]
    [InlineData("Start-LvsDirector", ConfirmImpact.Medium)]
    [InlineData("Stop-LvsDirector", ConfirmImpact.High)]
    [InlineData("New-LvsVrrpInstance", ConfirmImpact.Medium)]
    [InlineData("Set-LvsVrrpInstance", ConfirmImpact.Medium)]
    [InlineData("Remove-LvsVrrpInstance", ConfirmImpact.High)]
    [InlineData("Start-LvsSyncDaemon", ConfirmImpact.Medium)]
    [InlineData("Stop-LvsSyncDaemon", ConfirmImpact.High)]
    [InlineData("Sync-LvsConfiguration", ConfirmImpact.High)]
    [InlineData("Invoke-LvsAdm", ConfirmImpact.High)]
    public void StateChangingCmdlets_SupportShouldProcess(string cmdlet, ConfirmImpact confirmImpact)
    {
        var info = Command(cmdlet);
        var attr = Assert.Single(info.ImplementingType.GetCustomAttributes(typeof(CmdletAttribute), false).Cast<CmdletAttribute>());
        Assert.True(attr.SupportsShouldProcess);
        Assert.Equal(confirmImpact, attr.ConfirmImpact);
        Assert.Contains("WhatIf", info.Parameters.Keys);
        Assert.Contains("Confirm", info.Parameters.Keys);
    }

    /// <summary>
    /// The cmdlets whose effect destroys configuration or state: removing a lab, a service, a real server, a health
    /// checker, a VRRP instance or a firewall-mark rule; stopping a director or a sync daemon; zeroing counters;
    /// Sync-LvsConfiguration (it removes what the file does not name) and Invoke-LvsAdm (-D, -d, -C, -Z).
    /// </summary>
    private static readonly string[] Destructive =
    {
        "Remove-LvsLab", "Stop-LvsDirector", "Remove-LvsService", "Remove-LvsRealServer", "Clear-LvsCounter",
        "Remove-LvsHealthCheck", "Remove-LvsVrrpInstance", "Remove-LvsFirewallMarkRule", "Stop-LvsSyncDaemon",
        "Sync-LvsConfiguration", "Invoke-LvsAdm",
    };

    private static CmdletAttribute CmdletAttributeOf(CmdletInfo info) =>
        Assert.Single(info.ImplementingType.GetCustomAttributes(typeof(CmdletAttribute), false).Cast<CmdletAttribute>());

    [Fact]
    public void ConfirmImpactHigh_IsDeclaredByExactlyTheDestructiveCmdlets()
    {
        var high = Exported.Where(n => CmdletAttributeOf(Command(n)) is { SupportsShouldProcess: true, ConfirmImpact: ConfirmImpact.High })
            .OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(Destructive.OrderBy(n => n, StringComparer.Ordinal), high);
    }

    [Fact]
    public void DestructiveCmdlets_HaveAForceSwitch_ButInvokeLvsAdm()
    {
        // Invoke-LvsAdm takes ipvsadm's words as remaining arguments: an unquoted -f (--fwmark-service) would bind to a
        // -Force parameter, so it has none; -Confirm:$false skips its question.
        foreach (var name in Destructive.Where(n => n != "Invoke-LvsAdm"))
        {
            var info = Command(name);
            Assert.True(info.Parameters.TryGetValue("Force", out var force), $"{name} has no -Force");
            Assert.Equal(typeof(SwitchParameter), force!.ParameterType);
            Assert.False(force.Attributes.OfType<ParameterAttribute>().Single().Mandatory);
        }
        Assert.False(Command("Invoke-LvsAdm").Parameters.ContainsKey("Force"));
    }

    [Fact]
    public void EveryCmdlet_HasItsHelpUri_OnTheReferencePages()
    {
        const string Base = "https://github.com/lvsps/LvsPS/blob/main/docs/reference/";
        foreach (var name in Exported)
            Assert.Equal(Base + name + ".md", CmdletAttributeOf(Command(name)).HelpUri);
        // the one constant all of them use
        var type = Command("Get-LvsService").ImplementingType.Assembly.GetType("LvsPS.LvsHelpUri", throwOnError: true)!;
        Assert.Equal(Base, type.GetField("Base")!.GetValue(null));
    }

    [Fact]
    public void AboutErrors_DocumentsEveryErrorId_WithinEightyColumns_AndGetHelpFindsIt()
    {
        var path = Path.Combine(LvsSession.RepositoryRoot, "en-US", "about_LvsPS_Errors.help.txt");
        var lines = File.ReadAllLines(path);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"'{l}' is {l.Length} columns"));
        var ids = typeof(LvsPS.Ipvs.Model.LvsErrorIds).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetValue(null)!).ToList();
        Assert.NotEmpty(ids);
        // one entry each: the id at the start of its line, then its category, then Cause: and Remedy: lines
        foreach (var id in ids)
        {
            int at = Array.FindIndex(lines, l => l.StartsWith("    " + id + " ", StringComparison.Ordinal));
            Assert.True(at >= 0, $"about_LvsPS_Errors has no entry for {id}");
            var entry = lines.Skip(at + 1).TakeWhile(l => l.Length > 0).ToList();
            Assert.Contains(entry, l => l.TrimStart().StartsWith("Cause:", StringComparison.Ordinal));
            Assert.Contains(entry, l => l.TrimStart().StartsWith("Remedy:", StringComparison.Ordinal));
        }
        // the terminating ones name why
        var text = string.Join("\n", lines);
        Assert.Contains("-ErrorAction SilentlyContinue (or Ignore) does NOT hide a terminating", text);
        Assert.Contains("about_LvsPS_Errors", (string)Run("Get-Help about_LvsPS_Errors | Out-String").Ok().Objects.Single());
    }

    [Fact]
    public void ReadOnlyCmdlets_HaveNoWhatIf()
    {
        var withWhatIf = new[] { "Get-LvsService", "Get-LvsRealServer", "Get-LvsConnection", "Get-LvsTimeout", "Get-LvsFirewallMarkRule",
                                 "Get-LvsDirector", "Get-LvsLab", "Get-LvsRealServerHidden", "Test-LvsCluster", "Import-LvsConfiguration",
                                 "Get-LvsHealth", "Get-LvsHealthCheck", "Get-LvsVrrpInstance", "Get-LvsSyncDaemon" }
            .Where(n => Command(n).Parameters.ContainsKey("WhatIf")).ToList();
        Assert.Empty(withWhatIf);
    }
}

internal static class OutputTypes
{
    /// <summary>The [OutputType] types a cmdlet declares for a parameter set ("*" = every declaration).</summary>
    public static IReadOnlyList<PSTypeName> Declared(CmdletInfo info, string parameterSet) =>
        info.ImplementingType.GetCustomAttributes(typeof(OutputTypeAttribute), true).Cast<OutputTypeAttribute>()
            .Where(a => parameterSet == "*" || a.ParameterSetName.Contains(parameterSet) || a.ParameterSetName.Contains(ParameterAttribute.AllParameterSets))
            .SelectMany(a => a.Type).GroupBy(t => t.Name).Select(g => g.First()).ToList();

    /// <summary>Asserts that an object a cmdlet wrote is of a type it declares for that parameter set.</summary>
    public static void AssertDeclared(CmdletInfo info, string parameterSet, object value)
    {
        var declared = Declared(info, parameterSet);
        Assert.True(declared.Any(t => t.Type is not null && t.Type.IsInstanceOfType(value)),
            $"{info.Name} wrote a {value.GetType().FullName}, but declares [OutputType] {string.Join(", ", declared.Select(t => t.Name))} for '{parameterSet}'");
    }
}
