using System.Security.Cryptography;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The lab, check and real-server preparation cmdlets without a lab or an SSH server: the errors for labs that do
/// not exist, -WhatIf for the ones that would build, remove or log in (nothing is built, removed or contacted),
/// the check catalogue, and Set-LvsRealServerHidden's exact commands.
/// </summary>
public sealed class LabAndRemoteTests : CmdletTestBase
{
    /// <summary>A lab name no lab on this machine has (lab names: a letter, then up to 11 of [a-z0-9-]).</summary>
    private static string NoLab() => "nolab" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    private static readonly string[] HideCommandsLo =
    {
        "[ \"$(cat '/proc/sys/net/ipv4/conf/all/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.all.arp_ignore=1'",
        "[ \"$(cat '/proc/sys/net/ipv4/conf/lo/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.lo.arp_ignore=1'",
        "[ \"$(cat '/proc/sys/net/ipv4/conf/all/arp_announce')\" -ge 2 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.all.arp_announce=2'",
        "[ \"$(cat '/proc/sys/net/ipv4/conf/lo/arp_announce')\" -ge 2 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.lo.arp_announce=2'",
        "if [ -e '/proc/sys/net/ipv4/conf/all/hidden' ]; then sysctl -w 'net.ipv4.conf.all.hidden=1' && sysctl -w 'net.ipv4.conf.lo.hidden=1'; fi",
    };

    private static string HideWhatIf(string host, string vip, params string[] commands) =>
        $"What if: Performing the operation \"Hide the VIP on the real server\" on target \"{host}: {string.Join("; ", commands)}\".";

    [Fact]
    public void GetLvsLab_UnknownName_IsLabNotFound_ButAWildcardIsNoError()
    {
        var name = NoLab();
        var r = Run("Get-LvsLab -Name $n", ("n", name));
        AssertLvsError(r.SingleError(), "LabNotFound", ErrorCategory.ObjectNotFound, name, "GetLvsLabCommand");
        Assert.Null(r.Terminating);
        Assert.Empty(r.Output);
        Assert.Empty(Run("Get-LvsLab -Name ($n + '*')", ("n", name)).Ok().Output);
        Assert.All(Run("Get-LvsLab").Ok().Objects, o => Assert.Equal("LvsLab", o.GetType().Name));
    }

    // -WhatIf runs every check of the real run first (root, the lab programs, the subnet free on this host).
    [RootFact]
    public void NewLvsLab_WhatIf_DescribesTheLab_AndBuildsNothing()
    {
        var name = NoLab();
        var r = Run("New-LvsLab -Name $n -RealServerCount 3 -Subnet 10.251.0.0/24 -WhatIf; New-LvsLab -Name $n -Forwarding Masq -WhatIf", ("n", name)).Ok();
        Assert.Equal(new[]
        {
            $"What if: Performing the operation \"New LvsPS lab\" on target \"lab '{name}' with 3 real server(s) on 10.251.0.0/24\".",
            $"What if: Performing the operation \"New LvsPS lab\" on target \"lab '{name}' with 2 real server(s) on 10.250.0.0/24 (NAT: real servers on the next block behind the director)\".",
        }, r.WhatIf);
        Assert.Empty(r.Output);
        Assert.DoesNotContain(DirectorFixture.Namespaces(), n => n.StartsWith($"lvs-{name}-", StringComparison.Ordinal));
        AssertLvsError(Run("Get-LvsLab -Name $n", ("n", name)).SingleError(), "LabNotFound", ErrorCategory.ObjectNotFound);
    }

    /// <summary>-WhatIf checks what the real run checks, before ShouldProcess: the same terminating error, no "What if" line.</summary>
    [Theory]
    [InlineData("New-LvsLab -Name 1bad", "InvalidArgument", ErrorCategory.InvalidArgument, "Lab name '1bad' is not valid")]
    [InlineData("New-LvsLab -Name 'has space'", "InvalidArgument", ErrorCategory.InvalidArgument, "Lab name 'has space' is not valid")]
    [InlineData("New-LvsLab -Name $n -Subnet 300.1.1.0/24", "InvalidSubnet", ErrorCategory.InvalidArgument, "Subnet '300.1.1.0/24' is not valid")]
    [InlineData("New-LvsLab -Name $n -Subnet 10.181.0.0/30", "InvalidSubnet", ErrorCategory.InvalidArgument, "the prefix length must be from")]
    [InlineData("New-LvsLab -Name $n -DirectorCount 2 -Forwarding Masq", "InvalidArgument", ErrorCategory.InvalidArgument, "-Forwarding Masq (NAT) with -DirectorCount 2")]
    public void NewLvsLab_WhatIf_FailsAsTheRealRunWould(string command, string errorId, ErrorCategory category, string message)
    {
        var name = NoLab();
        var whatIf = Run(command + " -WhatIf", ("n", name));
        var real = Run(command, ("n", name));
        foreach (var r in new[] { whatIf, real })
        {
            var e = r.SingleError();
            Assert.Same(r.Terminating, e);
            AssertLvsError(e, errorId, category, cmdletClass: "NewLvsLabCommand");
            Assert.Contains(message, e.Exception.Message);
            Assert.Empty(r.WhatIf);
            Assert.Empty(r.Output);
        }
        Assert.Equal(whatIf.Terminating!.Exception.Message, real.Terminating!.Exception.Message);
        Assert.DoesNotContain(DirectorFixture.Namespaces(), n => n.StartsWith($"lvs-{name}-", StringComparison.Ordinal));
    }

    [Fact]
    public void RemoveLvsLab_WhatIf_BindsNameFromThePipeline()
    {
        var r = Run("[pscustomobject]@{ Name = 'laba' }, [pscustomobject]@{ Name = 'labb' } | Remove-LvsLab -WhatIf").Ok();
        Assert.Equal(new[]
        {
            "What if: Performing the operation \"Remove LvsPS lab\" on target \"lab 'laba' (namespaces lvs-laba-*, its director and files)\".",
            "What if: Performing the operation \"Remove LvsPS lab\" on target \"lab 'labb' (namespaces lvs-labb-*, its director and files)\".",
        }, r.WhatIf);
    }

    [Theory]
    [InlineData("Invoke-LvsLabCommand -Lab $n -Node client -Command true", "InvokeLvsLabCommandCommand")]
    [InlineData("Test-LvsCluster -Lab $n", "TestLvsClusterCommand")]
    [InlineData("Get-LvsRealServerHidden -Lab $n", "GetLvsRealServerHiddenCommand")]
    [InlineData("Set-LvsRealServerHidden -Lab $n -WhatIf", "SetLvsRealServerHiddenCommand")]
    [InlineData("Import-LvsConfiguration -Path /dev/null -Lab $n", "ImportLvsConfigurationCommand")]
    public void UnknownLab_IsLabNotFound(string script, string cmdletClass)
    {
        var name = NoLab();
        var r = Run(script, ("n", name));
        var e = r.SingleError();
        Assert.StartsWith("LabNotFound,", e.FullyQualifiedErrorId);
        Assert.Equal($"LabNotFound,LvsPS.Commands.{cmdletClass}", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Equal($"No lab named '{name}' exists.", e.Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void TestLvsCluster_List_WritesTheCatalogue()
    {
        var r = Run("Test-LvsCluster -List").Ok();
        Assert.Equal(new[] { "DirectorRunning", "DirectorHasNoKernelVip", "DirectorHoldsVip", "DirectorIpForwardOff", "DirectorOffloads", "ServiceHasRealServer",
                             "RealServerHealthy", "RealServerMacResolved", "RealServerVip", "RealServerHidden", "RealServerRpFilter", "RealServerTunnelMtu",
                             "RealServerListening", "RealServerReachable", "RealServerHttp", "VipArpOwner", "ServiceDistribution", "ServicePersistence",
                             "RealServerThresholds", "VrrpSingleMaster", "DirectorConfigurationDrift", "SyncDaemonRunning", "SshHostKeysKnown" },
            r.Output.Select(o => (string)o.Properties["Check"].Value));
        var info = Assert.IsType<CmdletInfo>(Run("Get-Command Test-LvsCluster").Output.Single().BaseObject);
        Assert.All(r.Objects, o => OutputTypes.AssertDeclared(info, "List", o));
        var hidden = r.Output.Single(o => (string)o.Properties["Check"].Value == "RealServerHidden");
        Assert.Equal(true, hidden.Properties["UsesSsh"].Value);
        Assert.Equal(new[] { "VipArpOwner", "ServiceDistribution", "ServicePersistence" },
            r.Output.Where(o => (bool)o.Properties["SendsTraffic"].Value).Select(o => (string)o.Properties["Check"].Value));
    }

    [Fact]
    public void SetLvsRealServerHidden_WhatIf_ShowsTheExactCommandsPerHost_AndLogsInNowhere()
    {
        var key = Path.Combine(TempDir, "id_ed25519");
        var known = Path.Combine(TempDir, "known_hosts");
        var r = Run("Set-LvsRealServerHidden -ComputerName rs1, rs2 -VirtualAddress 192.168.0.101 -KeyFile $k -KnownHostsFile $kh -WhatIf",
            ("k", key), ("kh", known)).Ok();
        var commands = HideCommandsLo.Append("ip addr replace '192.168.0.101/32' dev 'lo' scope host").ToArray();
        Assert.Equal(new[] { HideWhatIf("rs1", "192.168.0.101", commands), HideWhatIf("rs2", "192.168.0.101", commands) }, r.WhatIf);
        Assert.Empty(r.Output);
        Assert.False(File.Exists(known));
    }

    [Fact]
    public void SetLvsRealServerHidden_WhatIf_OnADummyInterface_CreatesAndRaisesIt()
    {
        var r = Run("Set-LvsRealServerHidden rs1 10.0.0.101 -Interface dummy0 -NetInterface eth0 -KeyFile /nonexistent -WhatIf").Ok();
        var commands = new[]
        {
            "if ! ip link show dev 'dummy0' >/dev/null 2>&1; then ip link add 'dummy0' type dummy; fi",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/all/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.all.arp_ignore=1'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/dummy0/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.dummy0.arp_ignore=1'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/eth0/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.eth0.arp_ignore=1'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/all/arp_announce')\" -ge 2 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.all.arp_announce=2'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/dummy0/arp_announce')\" -ge 2 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.dummy0.arp_announce=2'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/eth0/arp_announce')\" -ge 2 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.eth0.arp_announce=2'",
            "if [ -e '/proc/sys/net/ipv4/conf/all/hidden' ]; then sysctl -w 'net.ipv4.conf.all.hidden=1' && sysctl -w 'net.ipv4.conf.dummy0.hidden=1'; fi",
            "ip addr replace '10.0.0.101/32' dev 'dummy0' scope host",
            "ip link set dev 'dummy0' up",
        };
        Assert.Equal(HideWhatIf("rs1", "10.0.0.101", commands), Assert.Single(r.WhatIf));
    }

    [Fact]
    public void SetLvsRealServerHidden_BindsHostAndVipFromRealServerObjects()
    {
        // Get-LvsRealServer's objects: RealAddress binds -ComputerName, VirtualAddress binds -VirtualAddress.
        var servers = new[]
        {
            new LvsRealServer { Director = "d1", VirtualAddress = IPAddress.Parse("10.9.0.101"), Port = 80, RealAddress = IPAddress.Parse("10.9.0.3"), RealPort = 80 },
            new LvsRealServer { Director = "d1", VirtualAddress = IPAddress.Parse("10.9.0.102"), Port = 80, RealAddress = IPAddress.Parse("10.9.0.4"), RealPort = 80 },
        };
        var r = Run("$rs | Set-LvsRealServerHidden -KeyFile /nonexistent -WhatIf", ("rs", servers)).Ok();
        Assert.Equal(new[]
        {
            HideWhatIf("10.9.0.3", "10.9.0.101", HideCommandsLo.Append("ip addr replace '10.9.0.101/32' dev 'lo' scope host").ToArray()),
            HideWhatIf("10.9.0.4", "10.9.0.102", HideCommandsLo.Append("ip addr replace '10.9.0.102/32' dev 'lo' scope host").ToArray()),
        }, r.WhatIf);
        // Get-LvsRealServerHidden binds the same way: each error names the host it would log in to (the key file is
        // missing, so nothing is contacted).
        var get = Run("$rs | Get-LvsRealServerHidden -KeyFile (Join-Path $d missing-key) -KnownHostsFile (Join-Path $d kh)", ("rs", servers), ("d", TempDir));
        Assert.Equal(new object[] { "10.9.0.3", "10.9.0.4" }, get.Errors.Select(e => e.TargetObject).ToArray());
        Assert.All(get.Errors, e => Assert.StartsWith("SshAuthenticationFailed,", e.FullyQualifiedErrorId));
    }

    [Fact]
    public void SetLvsRealServerHidden_BindsHostNamesByValue()
    {
        var r = Run("'rs1', 'rs2' | Set-LvsRealServerHidden -VirtualAddress 10.0.0.101 -KeyFile /nonexistent -WhatIf").Ok();
        Assert.Equal(new[] { "rs1", "rs2" }, r.WhatIf.Select(w => w.Split('"')[3].Split(':')[0]));
    }

    [Theory]
    [InlineData("Set-LvsRealServerHidden -ComputerName rs1 -WhatIf", "Give -VirtualAddress")]
    [InlineData("Set-LvsRealServerHidden -ComputerName rs1 -VirtualAddress 127.0.0.5 -WhatIf", "cannot be a VIP")]
    [InlineData("Set-LvsRealServerHidden -ComputerName rs1 -VirtualAddress fd00::1 -WhatIf", "is not IPv4")]
    [InlineData("Get-LvsRealServerHidden -ComputerName rs1", "Give -VirtualAddress")]
    public void RealServerHidden_BadOrMissingVip_IsInvalidAddress(string script, string message)
    {
        var r = Run(script);
        var e = r.SingleError();
        AssertLvsError(e, "InvalidAddress", ErrorCategory.InvalidArgument);
        Assert.NotNull(r.Terminating);
        Assert.Contains(message, e.Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void GetLvsRealServerHidden_WithAMissingKeyFile_IsSshAuthenticationFailed_PerHost()
    {
        var key = Path.Combine(TempDir, "missing-key");
        var r = Run("Get-LvsRealServerHidden -ComputerName 127.0.0.1 -VirtualAddress 10.0.0.101 -KeyFile $k -KnownHostsFile (Join-Path $d kh)", ("k", key), ("d", TempDir));
        AssertLvsError(r.SingleError(), "SshAuthenticationFailed", ErrorCategory.InvalidArgument, "127.0.0.1", "GetLvsRealServerHiddenCommand");
        Assert.Null(r.Terminating);
    }
}
