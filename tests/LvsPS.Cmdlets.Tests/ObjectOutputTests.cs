using System.Globalization;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Issue 12's objects for automation, without a director: the service-name parser, -VirtualAddress/-Service taking a
/// service name (seen in -WhatIf), and what ConvertTo-Json / ConvertTo-Csv make of the module's output objects
/// (addresses and enums as text, flat counters, nested real servers within the default depth).
/// </summary>
public sealed class ObjectOutputTests : CmdletTestBase
{
    [Theory]
    [InlineData("tcp/10.0.0.1:80", LvsProtocol.Tcp, "10.0.0.1", 80, 0u)]
    [InlineData("udp/10.0.0.1:53", LvsProtocol.Udp, "10.0.0.1", 53, 0u)]
    [InlineData("SCTP/10.0.0.1:9", LvsProtocol.Sctp, "10.0.0.1", 9, 0u)]
    [InlineData("TCP 10.0.0.1:80", LvsProtocol.Tcp, "10.0.0.1", 80, 0u)]
    [InlineData("10.0.0.1:80", null, "10.0.0.1", 80, 0u)]
    [InlineData("10.0.0.1", null, "10.0.0.1", null, 0u)]
    [InlineData("[2001:db8::1]:80", null, "2001:db8::1", 80, 0u)]
    [InlineData("tcp/[::1]:8080", LvsProtocol.Tcp, "::1", 8080, 0u)]
    [InlineData("2001:db8::1", null, "2001:db8::1", null, 0u)]
    [InlineData("fwm/5", null, null, null, 5u)]
    [InlineData("FWM 7", null, null, null, 7u)]
    [InlineData("10.0.0.1:0", null, "10.0.0.1", 0, 0u)]
    public void ServiceName_ParsesIpvsadmsForms(string text, LvsProtocol? protocol, string? address, int? port, uint mark)
    {
        var n = LvsServiceName.Parse(text);
        Assert.Equal(protocol, n.Protocol);
        Assert.Equal(address, n.Address?.ToString());
        Assert.Equal(port, n.Port is { } p ? p : null);
        Assert.Equal(mark, n.FirewallMark);
        Assert.Equal(address is not null && protocol is null && port is null, n.IsAddressOnly);
    }

    [Theory]
    [InlineData("tcp/10.0.0.1:80", "tcp/10.0.0.1:80")]
    [InlineData("TCP 10.0.0.1:80", "tcp/10.0.0.1:80")]
    [InlineData("10.0.0.1:80", "10.0.0.1:80")]
    [InlineData("[2001:db8::1]:80", "[2001:db8::1]:80")]
    [InlineData("FWM 5", "fwm/5")]
    public void ServiceName_PrintsIpvsadmsForm(string text, string expected) => Assert.Equal(expected, LvsServiceName.Parse(text).ToString());

    [Theory]
    [InlineData("tcp/10.0.0.1:99999", "the port '99999'")]
    [InlineData("icmp/10.0.0.1:80", "'icmp' is no protocol")]
    [InlineData("fwm/0", "the firewall mark '0'")]
    [InlineData("fwm/x", "the firewall mark 'x'")]
    [InlineData("tcp/10.0.0:80", "'10.0.0' is not an IP address")]
    [InlineData("10.0.0.1:http", "the port 'http'")]
    [InlineData("[::1:80", "is not closed")]
    [InlineData("tcp/", "no address follows")]
    [InlineData("", "it is empty")]
    public void ServiceName_RefusesBadText_NamingIt(string text, string why)
    {
        Assert.False(LvsServiceName.TryParse(text, out var n, out var error));
        Assert.Null(n);
        Assert.Contains($"'{text}' is not a virtual service", error);
        Assert.Contains(why, error);
        var e = Assert.Throws<LvsException>(() => LvsServiceName.Parse(text));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
    }

    [Theory]
    [InlineData("New-LvsService tcp/10.0.0.1:80 -Scheduler rr -Director d1 -WhatIf", "TCP 10.0.0.1:80 scheduler rr on director 'd1'")]
    [InlineData("New-LvsService -Service udp/10.0.0.1:53 -Scheduler rr -Director d1 -WhatIf", "UDP 10.0.0.1:53 scheduler rr on director 'd1'")]
    [InlineData("New-LvsService '[2001:db8::1]:80' -Scheduler wlc -Director d1 -WhatIf", "TCP 2001:db8::1:80 scheduler wlc on director 'd1'")]
    [InlineData("New-LvsService fwm/5 -Scheduler rr -Director d1 -WhatIf", "FWM 5 scheduler rr on director 'd1'")]
    [InlineData("New-LvsService 10.0.0.1 80 -Scheduler rr -Director d1 -WhatIf", "TCP 10.0.0.1:80 scheduler rr on director 'd1'")]
    public void ServiceCmdlets_TakeAServiceName_PositionallyOrAsService(string script, string target)
    {
        var r = Run(script).Ok();
        Assert.Contains(target, Assert.Single(r.WhatIf));
    }

    [Fact]
    public void ServiceName_ThatDisagreesWithPort_IsRefused()
    {
        var r = Run("New-LvsService tcp/10.0.0.1:80 -Port 81 -Scheduler rr -Director d1 -WhatIf");
        AssertLvsError(r, LvsErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, "-Port 81 does not agree");
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void BadServiceName_FailsBinding_WithAMessageNamingTheValue()
    {
        var r = Run("Get-LvsService tcp/10.0.0.1:99999 -Director d1");
        var e = AssertBindingError(r, "ParameterArgumentTransformationError", "VirtualAddress");
        Assert.Contains("'tcp/10.0.0.1:99999' is not a virtual service", e.Message);
    }

    private static LvsService SampleService()
    {
        var s = new LvsService { Director = "d1", VirtualAddress = IPAddress.Parse("10.0.0.1"), Port = 80, Scheduler = LvsScheduler.Wlc, PersistentTimeout = 300 };
        s.Statistics.Connections = 7;
        s.Statistics.InBytesPerSecond = 1234;
        var r = new LvsRealServer(s) { RealAddress = IPAddress.Parse("10.0.0.2"), RealPort = 80, Weight = 3, ActiveConnections = 2 };
        r.Statistics.InBytes = 99;
        r.HealthChecks.Add(new HealthCheckSpec { Type = LvsHealthCheckType.Tcp });
        s.RealServers.Add(r);
        return s;
    }

    /// <summary>
    /// ConvertTo-Json -Compress of <paramref name="value"/> piped twice (an array, so the objects' own members are
    /// at its last level, 2), and how many warnings (such as "truncated") it gave.
    /// </summary>
    private (string Json, int Warnings) JsonOfTwo(object value)
    {
        var r = Run("$v, $v | ConvertTo-Json -Compress -WarningVariable w -WarningAction SilentlyContinue; $w.Count", ("v", value)).Ok();
        return ((string)r.Objects[0]!, Convert.ToInt32(r.Objects[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ConvertToJson_GivesAddressesAndEnumsAsText_FlatCounters_AndNoTruncation()
    {
        // Two services piped: an array, so the real servers are at ConvertTo-Json's last level (2) and must be leaves.
        var (json, warnings) = JsonOfTwo(SampleService());
        Assert.Contains("\"VirtualAddress\":\"10.0.0.1\"", json);
        Assert.Contains("\"Protocol\":\"Tcp\"", json);
        Assert.Contains("\"Scheduler\":\"Wlc\"", json);
        Assert.Contains("\"Conns\":7", json);
        Assert.Contains("\"InBPS\":1234", json);
        Assert.Contains("\"RealServers\":[\"10.0.0.2:80\"]", json);
        Assert.DoesNotContain("AddressFamily", json);
        Assert.DoesNotContain("ActiveConn\"", json);
        Assert.Equal(0, warnings); // no "truncated" warning at depth 2
    }

    [Fact]
    public void ConvertToJson_OfRealServers_GivesTheirAddressesForwardingCountersAndChecks_WithoutTruncation()
    {
        var (json, warnings) = JsonOfTwo(SampleService().RealServers[0]);
        Assert.Contains("\"RealAddress\":\"10.0.0.2\"", json);
        Assert.Contains("\"VirtualAddress\":\"10.0.0.1\"", json);
        Assert.Contains("\"Forwarding\":\"Route\"", json);
        Assert.Contains("\"State\":\"Up\"", json);
        Assert.Contains("\"InBytes\":99", json);
        Assert.Contains("\"HealthChecks\":[\"TCP_CHECK\"]", json);
        Assert.Equal(0, warnings);
    }

    [Fact]
    public void ConvertToJson_OfACheckResult_GivesItsResultAsText()
    {
        var json = (string)Run("[LvsPS.Management.Checks.LvsCheckResult]@{ Result = 'Failed' } | ConvertTo-Json -Compress").Ok().Objects[0]!;
        Assert.Contains("\"Result\":\"Failed\"", json);
    }

    [Fact]
    public void ConvertToCsv_WritesTextForListsAndStatistics_AndOneNamePerCount()
    {
        var r = Run("$s | ConvertTo-Csv; ($s | Format-List * | Out-String)", ("s", SampleService())).Ok();
        var header = (string)r.Objects[0]!;
        var row = (string)r.Objects[1]!;
        Assert.DoesNotContain("System.Collections.Generic", row);
        Assert.DoesNotContain("LvsPS.Ipvs.Model.LvsStatistics", row);
        Assert.Contains("\"10.0.0.2:80\"", row);
        Assert.Contains("\"Conns\"", header);
        var list = (string)r.Objects[^1]!;
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(list, @"^ActiveConnections\s*:", System.Text.RegularExpressions.RegexOptions.Multiline));
        Assert.DoesNotMatch(@"(?m)^ActiveConn\s*:", list);
        Assert.DoesNotMatch(@"(?m)^InActConn\s*:", list);
    }

    [Fact]
    public void NestedRealServers_KeepTheirStatisticsReachable_AndBindToSetLvsRealServer()
    {
        var r = Run("$s.RealServers[0].Statistics.InBytes; $s.RealServers[0].RealAddress; $s.RealServers | Remove-LvsRealServer -Director d1 -WhatIf", ("s", SampleService())).Ok();
        Assert.Equal(99UL, Convert.ToUInt64(r.Objects[0], CultureInfo.InvariantCulture));
        Assert.Equal("10.0.0.2", r.Objects[1]);
        Assert.Contains("10.0.0.2:80 in TCP 10.0.0.1:80 on director 'd1'", Assert.Single(r.WhatIf));
    }
}
