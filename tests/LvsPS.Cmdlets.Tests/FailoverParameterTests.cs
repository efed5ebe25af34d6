using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The VRRP and sync daemon cmdlets' binding and checks before a director is asked: typed parameters, fractional advert
/// intervals to centiseconds, and InvalidVrrpInstance / InvalidSyncDaemon / InvalidInterfaceName naming the bad value,
/// under -WhatIf too (nothing is shown). No director runs; -WhatIf with a named director shows what would be sent.
/// </summary>
public sealed class FailoverParameterTests : CmdletTestBase
{
    private const string NewVi = "New-LvsVrrpInstance -Name VI_1 -Interface eth0 -VirtualRouterId 51 -VirtualAddress 10.0.0.101 -Director d1 -WhatIf";

    /// <summary>New-LvsVrrpInstance -WhatIf with these parameters, the others as in <see cref="NewVi"/>.</summary>
    private static string NewViWith(string parameters)
    {
        var script = NewVi;
        if (parameters.Contains("-VirtualRouterId")) script = script.Replace(" -VirtualRouterId 51", "");
        if (parameters.Contains("-VirtualAddress")) script = script.Replace(" -VirtualAddress 10.0.0.101", "");
        return script + " " + parameters;
    }

    [Fact]
    public void NewVrrpInstance_WhatIf_DescribesTheInstance_WithKeepalivedsDefaults()
    {
        var r = Run(NewVi).Ok();
        Assert.Equal("What if: Performing the operation \"New VRRP instance\" on target \"VRRP instance VI_1 (vrid 51, priority 100, v3, advert 1 s, 10.0.0.101 on eth0) on director 'd1'\".",
            Assert.Single(r.WhatIf));
        Assert.Empty(r.Output);
    }

    [Theory]
    [InlineData("0.25", "0.25")]
    [InlineData("0.01", "0.01")]
    [InlineData("3", "3")]
    [InlineData("40.95", "40.95")]
    public void AdvertInterval_TakesSecondsWithFractions(string given, string shown)
    {
        var r = Run(NewViWith($"-AdvertInterval {given} -Priority 150 -VirtualAddress 10.0.0.101, 10.0.0.102")).Ok();
        Assert.Contains($"(vrid 51, priority 150, v3, advert {shown} s, 10.0.0.101, 10.0.0.102 on eth0)", Assert.Single(r.WhatIf));
    }

    [Fact]
    public void AdvertInterval_IsConvertedToCentiseconds_Exactly()
    {
        // What -WhatIf shows is the spec's centiseconds read back: 0.29 * 100 = 28.999999999999996 must become 29.
        foreach (var (given, shown) in new[] { ("0.29", "0.29"), ("0.57", "0.57"), ("1.15", "1.15"), ("2.01", "2.01") })
            Assert.Contains($"advert {shown} s", Assert.Single(Run(NewViWith($"-AdvertInterval {given}")).Ok().WhatIf));
    }

    /// <summary>Runs a refused script and asserts its one non-terminating error, ErrorId, target and message; no What if.</summary>
    private void AssertRefused(string script, string errorId, object? target, string message, string cmdletClass = "NewLvsVrrpInstanceCommand")
    {
        var r = Run(script);
        Assert.Null(r.Terminating);
        AssertLvsError(r, errorId, ErrorCategory.InvalidArgument, message, target, cmdletClass);
        Assert.Empty(r.WhatIf);
        Assert.Empty(r.Output);
    }

    public static TheoryData<string, object?, string> RefusedVrrp => new()
    {
        { "-VirtualRouterId 256", 256, "The VRRP instance 'VI_1' cannot be used: virtual_router_id 256 is out of range; use 1..255." },
        { "-VirtualRouterId 0", 0, "virtual_router_id 0 is out of range" },
        { "-Priority 0", 0, "priority 0 is out of range; use 1..255" },
        { "-Priority 256", 256, "priority 256 is out of range" },
        { "-Version 4", 4, "version 4 is not a VRRP version" },
        { "-AdvertInterval 0.255", 0.255, "The advert interval 0.255 s is not valid" },
        { "-AdvertInterval 0", 0.0, "The advert interval 0 s is not valid" },
        { "-AdvertInterval 41", 4100, "advert_int 41 s (4100 cs) is out of range for VRRPv3" },
        { "-Version 2 -AdvertInterval 0.25", 25, "advert_int 0.25 s (25 cs) is not valid for VRRPv2, which carries whole seconds" },
        { "-PreemptDelay 1001", 1001.0, "preempt_delay 1001 s is out of range; use 0..1000" },
        { "-InitialState Fault", VrrpState.Fault, "state Fault cannot be the initial state; use Backup or Master" },
        { "-VirtualAddress 224.0.0.18", IPAddress.Parse("224.0.0.18"), "virtual_ipaddress 224.0.0.18 is not a unicast address" },
        { "-VirtualAddress 10.0.0.101, 10.0.0.101", IPAddress.Parse("10.0.0.101"), "virtual_ipaddress 10.0.0.101 is listed twice" },
        { "-UnicastPeer 255.255.255.255", IPAddress.Broadcast, "unicast_peer 255.255.255.255 is not a unicast address" },
        { "-SourceAddress ::1", IPAddress.IPv6Loopback, "unicast_src_ip '::1' is not an IPv4 address" },
        { "-AuthType Pass", VrrpAuthType.Pass, "authentication (auth_type PASS) exists only in VRRPv2" },
        { "-Version 2 -AuthType Pass", null, "auth_type PASS needs an auth_pass of 1..8 characters" },
        { "-GarpMasterRepeat 0", 0, "garp_master_repeat 0 is out of range" },
        { "-GarpMasterDelay -1", -1, "garp_master_delay -1 s is out of range" },
        { "-NoPreempt -InitialState Master", VrrpState.Master, "nopreempt works only with the initial state Backup" },
        { "-NotifyMaster 'notify.sh master'", "notify.sh master", "the notify_master program 'notify.sh' is not an absolute path" },
    };

    [Theory]
    [MemberData(nameof(RefusedVrrp))]
    public void NewVrrpInstance_BadValue_IsInvalidVrrpInstance_NamingIt_BeforeWhatIf(string parameters, object? target, string message) =>
        AssertRefused(NewViWith(parameters), "InvalidVrrpInstance", target, message);

    [Fact]
    public void BadInstanceName_AndBadInterface_AreRefusedNamingThem()
    {
        AssertRefused(NewVi.Replace("-Name VI_1", "-Name 'VI 1;x'"), "InvalidVrrpInstance", "VI 1;x", "the name 'VI 1;x' is not 1..64 letters, digits");
        AssertRefused(NewVi.Replace("-Interface eth0", "-Interface 'eth0:101'"), "InvalidInterfaceName", "eth0:101", "interface name 'eth0:101': it contains ':'");
        AssertRefused(NewVi.Replace("-Interface eth0", "-Interface 'averyveryverylongname'"), "InvalidInterfaceName", "averyveryverylongname", "it is longer than 15 characters");
    }

    [Fact]
    public void Password_IsASecureString_ItsLengthNamed_NeverItsValue()
    {
        var p = Command("New-LvsVrrpInstance").Parameters["AuthPassword"];
        Assert.Equal(typeof(System.Security.SecureString), p.ParameterType);
        var r = Run($"{NewVi} -Version 2 -AuthPassword (ConvertTo-SecureString 'sekret123' -AsPlainText -Force)");
        var e = AssertLvsError(r, "InvalidVrrpInstance", ErrorCategory.InvalidArgument, "the auth_pass has 9 characters; VRRPv2 carries 1..8", 9, "NewLvsVrrpInstanceCommand");
        Assert.DoesNotContain("sekret", e.Exception.Message);
        Assert.Empty(r.WhatIf);
        // A password alone means auth_type PASS; on v2 with 8 characters it is taken.
        var ok = Run($"{NewVi} -Version 2 -AuthPassword (ConvertTo-SecureString 'sekret12' -AsPlainText -Force)").Ok();
        Assert.DoesNotContain("sekret", Assert.Single(ok.WhatIf));
        // A plain string does not bind: PowerShell refuses to convert it to a SecureString.
        AssertBindingError(Run($"{NewVi} -Version 2 -AuthPassword 'sekret12'"), "CannotConvertArgumentNoMessage", "AuthPassword");
    }

    [Fact]
    public void MandatoryParameters_AreNamed_AndTyped()
    {
        var info = Command("New-LvsVrrpInstance");
        foreach (var n in new[] { "Name", "Interface", "VirtualRouterId", "VirtualAddress" })
            Assert.True(info.Parameters[n].Attributes.OfType<ParameterAttribute>().Single().Mandatory, n);
        Assert.Equal(typeof(IPAddress[]), info.Parameters["VirtualAddress"].ParameterType);
        Assert.Equal(typeof(IPAddress[]), info.Parameters["UnicastPeer"].ParameterType);
        Assert.Equal(typeof(double?), info.Parameters["AdvertInterval"].ParameterType);
        var bad = Run("New-LvsVrrpInstance VI_1 -Interface eth0 -VirtualRouterId 51 -VirtualAddress 10.0.0.999 -Director d1 -WhatIf");
        AssertBindingError(bad, "CannotConvertArgumentNoMessage", "VirtualAddress");
        Assert.Empty(bad.WhatIf);
    }

    private const string StartSync = "Start-LvsSyncDaemon -Role Master -Interface eth0 -Director d1 -WhatIf";

    [Fact]
    public void StartSyncDaemon_WhatIf_ShowsIpvsadmsDefaults()
    {
        var r = Run(StartSync).Ok();
        Assert.Equal("What if: Performing the operation \"Start sync daemon\" on target \"sync daemon master syncid 0 on eth0 (224.0.0.81:8848, ttl 1) on director 'd1'\".", Assert.Single(r.WhatIf));
        r = Run("Start-LvsSyncDaemon Backup -Interface eth1 -SyncId 7 -Group 10.0.0.2 -Port 8849 -Ttl 2 -MaxLength 1400 -Director d1 -WhatIf").Ok();
        Assert.Contains("sync daemon backup syncid 7 on eth1 (10.0.0.2:8849, ttl 2, maxlen 1400)", Assert.Single(r.WhatIf));
    }

    public static TheoryData<string, object, string> RefusedSync => new()
    {
        { "-SyncId 256", 256, "The sync id 256 is out of range; use 0..255" },
        { "-SyncId -1", -1, "The sync id -1 is out of range" },
        { "-Port 0", 0, "The sync daemon port 0 is out of range" },
        { "-Port 65536", 65536, "The sync daemon port 65536 is out of range" },
        { "-Ttl 0", 0, "The sync daemon TTL 0 is out of range; use 1..255" },
        { "-MaxLength 70000", 70000, "The sync message length 70000 is out of range" },
        { "-Group ::1", IPAddress.IPv6Loopback, "The sync daemon group '::1' cannot be used: it is a loopback address" },
    };

    [Theory]
    [MemberData(nameof(RefusedSync))]
    public void StartSyncDaemon_BadValue_IsInvalidSyncDaemon_NamingIt_BeforeWhatIf(string parameters, object target, string message) =>
        AssertRefused($"{StartSync} {parameters}", "InvalidSyncDaemon", target, message, "StartLvsSyncDaemonCommand");

    [Fact]
    public void TestLvsCluster_TakesSeveralDirectors_AndListsTheFailoverChecks()
    {
        Assert.Equal(typeof(string[]), Command("Test-LvsCluster").Parameters["Director"].ParameterType);
        var names = Run("Test-LvsCluster -List | Where-Object Category -eq Failover | ForEach-Object Check").Ok().Objects.Cast<string>();
        Assert.Equal(new[] { "VrrpSingleMaster", "DirectorConfigurationDrift", "SyncDaemonRunning" }, names);
    }
}
