namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Parameter binding and the checks the cmdlets make before they talk to a director: typed IPAddress and enum
/// parameters, positions and aliases, validation attributes, and LvsPS's own ErrorIds for out-of-range values.
/// No director runs (the run folder is empty); -WhatIf with a named director shows what would be sent to it.
/// </summary>
public sealed class ParameterBindingTests : CmdletTestBase
{
    [Fact]
    public void VirtualAddress_IsTyped_AndAMalformedAddressFailsBinding()
    {
        var r = Run("New-LvsService -VirtualAddress 10.0.0.999 -Port 80 -Director d1 -WhatIf");
        var e = AssertBindingError(r, "CannotConvertArgumentNoMessage", "VirtualAddress");
        Assert.Equal(ErrorCategory.InvalidArgument, r.Terminating!.CategoryInfo.Category);
        Assert.Contains("System.Net.IPAddress", e.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void Scheduler_IsAnEnum_BoundCaseInsensitively()
    {
        var r = Run("New-LvsService -VirtualAddress 10.0.0.1 -Port 80 -Scheduler RR -Director d1 -WhatIf").Ok();
        Assert.Equal("What if: Performing the operation \"New LVS service\" on target \"TCP 10.0.0.1:80 scheduler rr on director 'd1'\".",
            Assert.Single(r.WhatIf));
    }

    [Theory]
    [InlineData("New-LvsService -VirtualAddress 10.0.0.1 -Port 80 -Scheduler bogus -Director d1 -WhatIf", "Scheduler", "Rr, Wrr, Lc, Wlc, Sed, Nq, Fo, Ovf, Lblc, Lblcr, Dh, Sh, Mh, Twos")]
    [InlineData("Add-LvsRealServer 10.0.0.1 80 -RealAddress 10.0.0.3 -Forwarding Bridge -Director d1 -WhatIf", "Forwarding", "Route, Masq, Tunnel, Local")]
    [InlineData("Start-LvsSyncDaemon -Role Primary -Interface eth0 -Director d1 -WhatIf", "Role", "Master, Backup")]
    public void AnEnum_UnknownName_FailsBinding_NamingTheValidNames(string script, string parameter, string names)
    {
        var r = Run(script);
        var e = AssertBindingError(r, "CannotConvertArgumentNoMessage", parameter);
        Assert.Contains(names, e.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void PositionalAndAliasedParameters_Bind()
    {
        // VirtualAddress is position 0 (alias VIP), Port position 1; Protocol and persistence by name.
        var r = Run("""
            New-LvsService 10.0.0.1 443 -Protocol udp -Scheduler sh -Persistent 300 -PersistenceNetmask 255.255.255.0 -Director d1 -WhatIf
            New-LvsService -VIP 10.0.0.2 -Port 53 -Director d1 -WhatIf
            """).Ok();
        Assert.Equal(new[]
        {
            "What if: Performing the operation \"New LVS service\" on target \"UDP 10.0.0.1:443 scheduler sh persistent 300 mask 255.255.255.0 on director 'd1'\".",
            "What if: Performing the operation \"New LVS service\" on target \"TCP 10.0.0.2:53 scheduler wlc on director 'd1'\".",
        }, r.WhatIf);
    }

    /// <summary>Values just outside the 16-bit ranges of a port (1..65535) and of a weight (0..65535).</summary>
    public static TheoryData<int> OutOfRange16Bit => new() { 65536, -1 };

    /// <summary>
    /// Runs <paramref name="script"/> with $v set to <paramref name="value"/> and asserts its one error: the ErrorId,
    /// InvalidArgument, the value as target, from that cmdlet; returns the result.
    /// </summary>
    private PsResult RunRefused(string script, int value, string errorId, string cmdletClass)
    {
        var r = Run(script, ("v", value));
        AssertLvsError(r.SingleError(), errorId, ErrorCategory.InvalidArgument, value, cmdletClass);
        return r;
    }

    [Theory]
    [MemberData(nameof(OutOfRange16Bit))]
    public void Port_OutOfRange_IsInvalidPort_WithThePortAsTarget(int port)
    {
        var r = RunRefused("New-LvsService -VirtualAddress 10.0.0.1 -Port $v -Director d1 -WhatIf", port, "InvalidPort", "NewLvsServiceCommand");
        Assert.Null(r.Terminating);
        Assert.Contains($"The port {port} is out of range; use 1..65535.", r.Errors[0].Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    // Port 0 (every port) is a service port the kernel takes, but only persistent (ipvsadm: "Zero port specified
    // for non-persistent service"); -WhatIf refuses it before anything is shown, and accepts it with -Persistent.
    [Fact]
    public void Port0_WithoutPersistence_IsInvalidPort_WithThePortAsTarget()
    {
        var r = Run("New-LvsService -VirtualAddress 10.0.0.1 -Port 0 -Director d1 -WhatIf");
        AssertLvsError(r.SingleError(), "InvalidPort", ErrorCategory.InvalidArgument, 0, "NewLvsServiceCommand");
        Assert.Contains("Zero port specified for non-persistent service", r.Errors[0].Exception.Message);
        Assert.Empty(r.WhatIf);
        var ok = Run("New-LvsService -VirtualAddress 10.0.0.1 -Port 0 -Persistent 360 -Director d1 -WhatIf").Ok();
        Assert.Single(ok.WhatIf);
    }

    [Fact]
    public void Service_WithoutPortOrFirewallMark_IsInvalidArgument()
    {
        var r = Run("Remove-LvsService -VirtualAddress 10.0.0.1 -Director d1 -WhatIf");
        AssertLvsError(r, "InvalidArgument", ErrorCategory.InvalidArgument, "-VirtualAddress and -Port, or with -FirewallMark", cmdletClass: "RemoveLvsServiceCommand");
    }

    [Theory]
    [MemberData(nameof(OutOfRange16Bit))]
    public void Weight_OutOfRange_IsInvalidWeight_WithTheWeightAsTarget(int weight)
    {
        var add = RunRefused("Add-LvsRealServer 10.0.0.1 80 -RealAddress 10.0.0.3 -Weight $v -Director d1 -WhatIf", weight, "InvalidWeight", "AddLvsRealServerCommand");
        Assert.Empty(add.WhatIf);
        RunRefused("Set-LvsRealServer 10.0.0.1 80 -RealAddress 10.0.0.3 -Weight $v -Director d1 -WhatIf", weight, "InvalidWeight", "SetLvsRealServerCommand");
    }

    [Fact]
    public void RealPort_OutOfRange_IsInvalidPort()
    {
        var r = Run("Add-LvsRealServer 10.0.0.1 80 -RealAddress 10.0.0.3 -RealPort 70000 -Director d1 -WhatIf");
        AssertLvsError(r, "InvalidPort", ErrorCategory.InvalidArgument, "real server port 70000", 70000, "AddLvsRealServerCommand");
    }

    [Fact]
    public void AddRealServer_WhatIf_NamesServerForwardingWeightServiceAndDirector()
    {
        // A firewall-mark service's real server keeps the client's port (0).
        var r = Run("""
            Add-LvsRealServer -VirtualAddress 10.0.0.1 -Port 80 -RIP 10.0.0.3 -Forwarding Tunnel -Weight 3 -Director d1 -WhatIf
            Add-LvsRealServer -FirewallMark 7 -RealAddress 10.0.0.4 -Director d1 -WhatIf
            """).Ok();
        Assert.Equal(new[]
        {
            "What if: Performing the operation \"Add LVS real server\" on target \"10.0.0.3:80 (Tunnel, weight 3) in TCP 10.0.0.1:80 on director 'd1'\".",
            "What if: Performing the operation \"Add LVS real server\" on target \"10.0.0.4:0 (Route, weight 1) in FWM 7 on director 'd1'\".",
        }, r.WhatIf);
    }

    [Fact]
    public void RealServerList_OfNewLvsService_ChecksEachEntry()
    {
        // Objects with RealAddress (or Address): a bad address names the object, a bad weight the weight.
        var bad = Run("$o = [pscustomobject]@{ RealAddress = 'not-an-address' }; New-LvsService 10.0.0.1 80 -RealServer $o -Director d1 -WhatIf");
        AssertLvsError(bad.SingleError(), "InvalidAddress", ErrorCategory.InvalidArgument, cmdletClass: "NewLvsServiceCommand");
        Assert.Contains("has no valid RealAddress", bad.Terminating?.Exception.Message ?? bad.Errors[0].Exception.Message);
        var weight = Run("New-LvsService 10.0.0.1 80 -RealServer ([pscustomobject]@{ RealAddress = '10.0.0.3'; Weight = 70000 }) -Director d1 -WhatIf");
        AssertLvsError(weight.SingleError(), "InvalidWeight", ErrorCategory.InvalidArgument, 70000);
        var ok = Run("New-LvsService 10.0.0.1 80 -Scheduler wrr -RealServer ([pscustomobject]@{ RealAddress = '10.0.0.3'; Weight = 2 }, [pscustomobject]@{ Address = '10.0.0.4' }) -Director d1 -WhatIf").Ok();
        Assert.Equal("What if: Performing the operation \"New LVS service\" on target \"TCP 10.0.0.1:80 scheduler wrr with real servers 10.0.0.3:80 w2, 10.0.0.4:80 w1 on director 'd1'\".",
            Assert.Single(ok.WhatIf));
    }

    [Theory]
    [InlineData("Set-LvsTimeout -Tcp -1", "Tcp")]
    [InlineData("Set-LvsTimeout -Udp 2678401", "Udp")]
    [InlineData("Start-LvsDirector -Name d1 -Interface eth0 -TableBits 7 -WhatIf", "TableBits")]
    [InlineData("Start-LvsDirector -Name d1 -Interface eth0 -TimeoutSec 0 -WhatIf", "TimeoutSec")]
    [InlineData("New-LvsLab -Name x -RealServerCount 33 -WhatIf", "RealServerCount")]
    [InlineData("Connect-LvsDirector -Name k1 -ComputerName 127.0.0.1 -SshPort 0", "SshPort")]
    [InlineData("Set-LvsRealServerHidden -ComputerName rs1 -VirtualAddress 10.0.0.1 -Interface 'lo; reboot' -WhatIf", "Interface")]
    [InlineData("Import-LvsConfiguration -Path x.conf -Format Yaml", "Format")]
    [InlineData("Test-LvsCluster -VipInterface 'lo; id'", "VipInterface")]
    public void ValidationAttributes_RejectBadValues(string script, string parameter)
    {
        var r = Run(script);
        AssertBindingError(r, "ParameterArgumentValidationError", parameter);
        Assert.Equal(ErrorCategory.InvalidData, r.Terminating!.CategoryInfo.Category);
        Assert.Empty(r.WhatIf);
    }

    // Get-LvsConnection's filters and -First: typed parameters and completion.
    [Fact]
    public void ClientAddressIsTyped_AndFirstMustBePositive()
    {
        var r = Run("Get-LvsConnection -ClientAddress 10.0.0.999 -Director d1");
        var e = AssertBindingError(r, "CannotConvertArgumentNoMessage", "ClientAddress");
        Assert.Contains("System.Net.IPAddress", e.Message);
        r = Run("Get-LvsConnection -First 0 -Director d1");
        AssertBindingError(r, "ParameterArgumentValidationError", "First");
        Assert.Equal("CIP", Assert.Single(Run("(Get-Command Get-LvsConnection).Parameters['ClientAddress'].Aliases").Ok().Objects.Cast<string>()));
    }

    [Fact]
    public void StateCompletesTheKernelsStates()
    {
        var r = Run("(TabExpansion2 'Get-LvsConnection -State Syn' 28).CompletionMatches.CompletionText").Ok();
        Assert.Equal(new object[] { "SynAck", "SynRecv", "SynSent" }, r.Objects); // sorted by PowerShell
    }
}
