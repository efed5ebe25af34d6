namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Import-LvsConfiguration and Export-LvsConfiguration on files in the test's own folder: binding (Path from the
/// pipeline and by property name, Format's ValidateSet), the objects they write, their ErrorRecords, and Export's
/// ShouldProcess, -NoClobber and -Force. No director: services come from files or are built here.
/// </summary>
public sealed class ConfigurationTests : CmdletTestBase
{
    private const string DrConf = """
        LVS_TYPE=VS_DR
        INITIAL_STATE=on
        VIP=eth0:101 192.168.0.101 255.255.255.0 192.168.0.0
        DIRECTOR_INSIDEIP=eth0 192.168.0.1 192.168.0.0 255.255.255.0 192.168.0.255
        SERVICE=t telnet rr rs1:telnet rs2:telnet
        SERVICE=t www wrr rs1:www rs2:www,2
        SERVER_VIP_DEVICE=lo
        SERVER_NET_DEVICE=eth0
        """;

    private const string Rules = """
        # saved with ipvsadm-save -n
        -A -t 192.168.0.101:80 -s wlc
        -a -t 192.168.0.101:80 -r 192.168.0.3:80 -g -w 1
        -a -t 192.168.0.101:80 -r 192.168.0.4:80 -g -w 0
        -A -u 192.168.0.102:53 -s rr -p 60
        -a -u 192.168.0.102:53 -r 192.168.0.5:53 -g -w 3
        """;

    private readonly Dictionary<string, object?> _names;

    public ConfigurationTests()
    {
        File.WriteAllText(P("services"), "telnet\t\t23/tcp\nhttp\t\t80/tcp\t\twww\ndomain\t\t53/udp\n");
        File.WriteAllText(P("hosts"), "192.168.0.3 rs1\n192.168.0.4 rs2\n");
        File.WriteAllText(P("lvs_dr.conf"), DrConf + "\n");
        File.WriteAllText(P("ipvsadm.rules"), Rules + "\n");
        _names = new Dictionary<string, object?> { ["hf"] = P("hosts"), ["sf"] = P("services"), ["dir"] = TempDir };
    }

    private string P(string name) => Path.Combine(TempDir, name);

    private PsResult RunNamed(string script, params (string, object?)[] more)
    {
        var vars = new Dictionary<string, object?>(_names);
        foreach (var (k, v) in more) vars[k] = v;
        return Session.Run(script, vars);
    }

    [Fact]
    public void Import_LvsDrConf_WritesOneDefinitionPerService()
    {
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir lvs_dr.conf) -HostsFile $hf -ServicesFile $sf").Ok();
        Assert.Equal(2, r.Output.Count);
        Assert.All(r.Objects, o => Assert.Equal("LvsServiceDefinition", o.GetType().Name));
        var www = r.Output[1];
        // PowerShell sees the address as text (LvsPS.Types.ps1xml, for ConvertTo-Json); the object keeps the IPAddress.
        Assert.Equal("192.168.0.101", www.Properties["VirtualAddress"].Value);
        Assert.Equal(IPAddress.Parse("192.168.0.101"), www.BaseObject.GetType().GetProperty("VirtualAddress")!.GetValue(www.BaseObject));
        Assert.Equal((ushort)80, www.Properties["Port"].Value);
        Assert.Equal(LvsScheduler.Wrr, www.Properties["Scheduler"].Value);
        Assert.Equal(new[] { "192.168.0.3", "192.168.0.4" },
            RunNamed("$s.RealServers.RealAddress", ("s", www)).Ok().Objects.Cast<string>());
    }

    [Fact]
    public void Import_PathFromThePipeline_ByValueAndByPropertyName()
    {
        // Strings by value; FileInfo objects by property name (FullName/PSPath): both files, in order.
        var byValue = RunNamed("(Join-Path $dir lvs_dr.conf), (Join-Path $dir ipvsadm.rules) | Import-LvsConfiguration -HostsFile $hf -ServicesFile $sf").Ok();
        var byName = RunNamed("Get-ChildItem -Path (Join-Path $dir *) -Include *.conf, *.rules | Sort-Object Name | Import-LvsConfiguration -HostsFile $hf -ServicesFile $sf").Ok();
        Assert.Equal(4, byValue.Output.Count);
        Assert.Equal(4, byName.Output.Count);
        Assert.Equal(new[] { "192.168.0.101:23", "192.168.0.101:80", "192.168.0.101:80", "192.168.0.102:53" },
            byValue.Output.Select(o => $"{o.Properties["VirtualAddress"].Value}:{o.Properties["Port"].Value}"));
    }

    [Fact]
    public void Import_AsConfiguration_WritesTheWholeFile()
    {
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -AsConfiguration -Verbose -ServicesFile $sf");
        var conf = r.Ok().Output.Single();
        Assert.Equal("IpvsadmRules", conf.BaseObject.GetType().Name);
        Assert.Equal(false, conf.Properties["Clears"].Value);
        Assert.Contains(r.Verbose, v => v.Message.EndsWith("ipvsadm.rules: read as IpvsadmRules", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_MissingFile_IsConfigFileNotFound_WithThePathAsGiven()
    {
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir nothing.conf); 'continues'");
        AssertLvsError(r.SingleError(), "ConfigFileNotFound", ErrorCategory.ObjectNotFound, P("nothing.conf"), "ImportLvsConfigurationCommand");
        Assert.Null(r.Terminating);
        Assert.Equal("continues", Assert.Single(r.Objects));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" -Format IpvsadmRules")]
    [InlineData(" -Format Keepalived")]
    [InlineData(" -Format LvsDrConf")]
    public void Import_ADirectory_SaysItIsADirectory_NotThatItDoesNotExist(string format)
    {
        var sub = Directory.CreateDirectory(P("confdir")).FullName;
        var r = RunNamed($"Import-LvsConfiguration (Join-Path $dir confdir){format}; 'continues'");
        var e = AssertLvsError(r, "ConfigFileNotFound", ErrorCategory.InvalidArgument, $"'{sub}' is a directory, not a configuration file", sub);
        Assert.DoesNotContain("does not exist", e.Exception.Message);
        Assert.Equal("continues", Assert.Single(r.Objects));
    }

    [Fact]
    public void Import_UnrecognisableFile_IsConfigParseError()
    {
        File.WriteAllText(P("notes.txt"), "just some words\nand more words\n");
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir notes.txt)");
        AssertLvsError(r, "ConfigParseError", ErrorCategory.ParserError, "cannot tell the format of this file", P("notes.txt"));
    }

    [Fact]
    public void Import_UnknownHostName_IsAnError_NamingTheHost()
    {
        File.WriteAllText(P("unknown.rules"), "-A -t 192.168.0.101:80 -s rr\n-a -t 192.168.0.101:80 -r nosuchhost-lvsps:80 -g -w 1\n");
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir unknown.rules) -Format IpvsadmRules -HostsFile $hf -ServicesFile $sf");
        var e = r.SingleError();
        Assert.Matches("^(HostNameNotResolved|ConfigParseError),", e.FullyQualifiedErrorId);
        Assert.Contains("nosuchhost-lvsps", e.Exception.Message);
    }

    [Fact]
    public void Export_TakesServicesFromThePipeline_AsIpvsadmRules()
    {
        var svc = new LvsService
        {
            Protocol = LvsProtocol.Tcp, VirtualAddress = IPAddress.Parse("10.9.0.101"), Port = 443, Scheduler = LvsScheduler.Sh,
            PersistentTimeout = 300,
            RealServers = { new LvsRealServer { RealAddress = IPAddress.Parse("10.9.0.3"), RealPort = 443, Weight = 2, Forwarding = LvsForwarding.Route } },
        };
        var text = Assert.IsType<string>(RunNamed("$s | Export-LvsConfiguration -Format IpvsadmRules", ("s", svc)).Ok().Output.Single().BaseObject);
        Assert.Contains("-A -t 10.9.0.101:443 -s sh -p 300", text);
        Assert.Contains("-a -t 10.9.0.101:443 -r 10.9.0.3:443 -g -w 2", text);
    }

    [Fact]
    public void ImportThenExport_RoundTripsThroughThePipeline()
    {
        // Import's definitions bind to Export's LvsService[] InputObject (argument transformation).
        var text = (string)RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -ServicesFile $sf | Export-LvsConfiguration -Format IpvsadmRules").Ok().Output.Single().BaseObject;
        File.WriteAllText(P("again.rules"), text);
        var again = (string)RunNamed("Import-LvsConfiguration (Join-Path $dir again.rules) -ServicesFile $sf | Export-LvsConfiguration -Format IpvsadmRules").Ok().Output.Single().BaseObject;
        Assert.Equal(text, again);
        Assert.Contains("-a -t 192.168.0.101:80 -r 192.168.0.4:80 -g -w 0", text);
        Assert.Contains("-A -u 192.168.0.102:53 -s rr -p 60", text);
    }

    [Fact]
    public void Export_ToPath_WritesTheFile_AndReturnsIt()
    {
        var target = P("out.rules");
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -ServicesFile $sf | Export-LvsConfiguration -Format IpvsadmRules -Path $t", ("t", target));
        var file = r.Single<FileInfo>();
        Assert.Equal(target, file.FullName);
        Assert.Contains("-A -t 192.168.0.101:80 -s wlc", File.ReadAllText(target));
        OutputTypes.AssertDeclared(Command("Export-LvsConfiguration"), "InputObject", file);
    }

    [Fact]
    public void Export_RcLvsDr_IsAnExecutableScript()
    {
        var target = P("rc.lvs_dr");
        RunNamed("Import-LvsConfiguration (Join-Path $dir lvs_dr.conf) -HostsFile $hf -ServicesFile $sf | Export-LvsConfiguration -Format RcLvsDr -Path $t -VipDevice eth0:101", ("t", target)).Ok();
        Assert.True(!OperatingSystem.IsWindows() && File.GetUnixFileMode(target).HasFlag(UnixFileMode.UserExecute));
        Assert.StartsWith("#!", File.ReadAllText(target));
    }

    [Fact]
    public void Export_WhatIf_NamesThePath_AndWritesNothing()
    {
        var target = P("whatif.rules");
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -ServicesFile $sf | Export-LvsConfiguration -Format Keepalived -Path $t -WhatIf", ("t", target)).Ok();
        Assert.Equal($"What if: Performing the operation \"Write 2 LVS services as Keepalived\" on target \"{target}\".", Assert.Single(r.WhatIf));
        Assert.Empty(r.Output);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Export_NoClobber_OnAnExistingFile_IsConfigFileExists_AndKeepsTheFile()
    {
        var target = P("existing.rules");
        File.WriteAllText(target, "keep me\n");
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -ServicesFile $sf | Export-LvsConfiguration -Format IpvsadmRules -Path $t -NoClobber", ("t", target));
        AssertLvsError(r.SingleError(), "ConfigFileExists", ErrorCategory.ResourceExists, target, "ExportLvsConfigurationCommand");
        Assert.Equal("keep me\n", File.ReadAllText(target));
    }

    [Fact]
    public void Export_ReadOnlyFile_NeedsForce()
    {
        var target = P("readonly.rules");
        File.WriteAllText(target, "old\n");
        new FileInfo(target).IsReadOnly = true;
        var refused = RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -ServicesFile $sf | Export-LvsConfiguration -Format IpvsadmRules -Path $t", ("t", target));
        AssertLvsError(refused.SingleError(), "ConfigFileWriteFailed", ErrorCategory.PermissionDenied, target);
        Assert.Equal("old\n", File.ReadAllText(target));
        RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -ServicesFile $sf | Export-LvsConfiguration -Format IpvsadmRules -Path $t -Force", ("t", target)).Ok();
        Assert.Contains("-A -t 192.168.0.101:80 -s wlc", File.ReadAllText(target));
    }

    [Fact]
    public void Export_IntoAMissingFolder_IsConfigFileWriteFailed()
    {
        var target = Path.Combine(TempDir, "no", "such", "folder", "x.rules");
        var r = RunNamed("Import-LvsConfiguration (Join-Path $dir ipvsadm.rules) -ServicesFile $sf | Export-LvsConfiguration -Format IpvsadmRules -Path $t", ("t", target));
        AssertLvsError(r.SingleError(), "ConfigFileWriteFailed", ErrorCategory.InvalidOperation, target);
    }

}
