using LvsPS.Management.Checks;

namespace LvsPS.Management.Tests.Checks;

/// <summary>
/// The director checks' parsers over the real outputs of ip, ethtool and both arpings (captured on Debian 12 from a
/// bridge of network namespaces where two hosts answered ARP for 10.160.250.100).
/// </summary>
public sealed class CheckParsersTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.160.250.100");

    [Fact]
    public void IputilsArping_TwoAnswerers_AreCountedByMac()
    {
        const string output = "flavour iputils\nARPING 10.160.250.100 from 10.160.250.1 chkda\n"
            + "Unicast reply from 10.160.250.100 [DA:E4:45:B7:55:92]  0.541ms\n"
            + "Unicast reply from 10.160.250.100 [82:F0:7D:E3:38:3B]  0.565ms\n"
            + "Unicast reply from 10.160.250.100 [DA:E4:45:B7:55:92]  0.552ms\n"
            + "Sent 2 probes (2 broadcast(s))\nReceived 3 response(s)\n";
        Assert.Equal(CheckParsers.ArpingFlavour.Iputils, CheckParsers.Flavour(output));
        var r = CheckParsers.ArpingReplies(output, Vip);
        Assert.Equal(new Dictionary<string, int> { ["da:e4:45:b7:55:92"] = 2, ["82:f0:7d:e3:38:3b"] = 1 }, r);
    }

    [Fact]
    public void HabetsArping_TwoAnswerers_AreCountedByMac_AndTheStatisticsAreNotReplies()
    {
        const string output = "flavour habets\nARPING 10.160.250.100\n"
            + "42 bytes from da:e4:45:b7:55:92 (10.160.250.100): index=0 time=12.195 usec\n"
            + "42 bytes from 82:f0:7d:e3:38:3b (10.160.250.100): index=1 time=63.028 usec\n"
            + "42 bytes from da:e4:45:b7:55:92 (10.160.250.100): index=2 time=7.115 usec\n\n"
            + "--- 10.160.250.100 statistics ---\n3 packets transmitted, 3 packets received,   0% unanswered (1 extra)\n"
            + "rtt min/avg/max/std-dev = 0.007/0.029/0.063/0.021 ms\n";
        Assert.Equal(CheckParsers.ArpingFlavour.Habets, CheckParsers.Flavour(output));
        Assert.Equal(new Dictionary<string, int> { ["da:e4:45:b7:55:92"] = 2, ["82:f0:7d:e3:38:3b"] = 1 }, CheckParsers.ArpingReplies(output, Vip));
    }

    [Theory]
    [InlineData("flavour iputils\nARPING 10.160.250.100 from 10.160.250.1 chkdfa\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n")]
    [InlineData("flavour habets\nARPING 10.160.250.100\nTimeout\nTimeout\n\n--- 10.160.250.100 statistics ---\n2 packets transmitted, 0 packets received, 100% unanswered (0 extra)\n")]
    public void NoAnswer_IsNoReply(string output) => Assert.Empty(CheckParsers.ArpingReplies(output, Vip));

    [Fact]
    public void ARepliesForAnotherAddress_IsNotCounted() =>
        Assert.Empty(CheckParsers.ArpingReplies("Unicast reply from 10.160.250.7 [DA:E4:45:B7:55:92]  0.5ms\n", Vip));

    [Fact]
    public void NoArpingBanner_IsNoFlavour() => Assert.Equal(CheckParsers.ArpingFlavour.None, CheckParsers.Flavour("arping: not found\n"));

    [Fact]
    public void Ethtool_Features_OnOffFixed_AndIndentedSubFeatures()
    {
        const string output = "Features for eth0:\nrx-checksumming: on [fixed]\ntx-checksumming: on\n\ttx-checksum-ipv4: off [fixed]\n"
            + "\ttx-checksum-ip-generic: on\ntcp-segmentation-offload: on\n\ttx-tcp-segmentation: on\ngeneric-segmentation-offload: on\n"
            + "generic-receive-offload: on\nlarge-receive-offload: off [fixed]\nrx-gro-hw: off [requested on]\n";
        var f = CheckParsers.EthtoolFeatures(output);
        Assert.Equal(new NicFeature("generic-receive-offload", true, false), f["generic-receive-offload"]);
        Assert.Equal(new NicFeature("large-receive-offload", false, true), f["large-receive-offload"]);
        Assert.Equal(new NicFeature("rx-checksumming", true, true), f["rx-checksumming"]);
        Assert.Equal(new NicFeature("tx-checksum-ip-generic", true, false), f["tx-checksum-ip-generic"]);
        Assert.False(f["rx-gro-hw"].On);
        Assert.DoesNotContain("Features for eth0", f.Keys);
        Assert.Equal(10, f.Count);
    }

    [Fact]
    public void IpAddr_DevicesAndPrefixes_VethSuffixRemoved()
    {
        const string output = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
            + "1: lo    inet 10.0.0.100/32 scope global lo\\       valid_lft forever preferred_lft forever\n"
            + "2: eth0@if7    inet 10.0.0.1/24 scope global eth0\\       valid_lft forever preferred_lft forever\n"
            + "2: eth0@if7    inet6 fe80::4c:56ff:fe00:1/64 scope link \\       valid_lft forever preferred_lft forever\n";
        var a = CheckParsers.IpAddresses(output);
        Assert.Equal(4, a.Count);
        Assert.Equal(new HostAddress("lo", IPAddress.Parse("10.0.0.100"), 32), a[1]);
        Assert.Equal(new HostAddress("eth0", IPAddress.Parse("10.0.0.1"), 24), a[2]);
    }

    [Theory]
    [InlineData("10.0.0.100 dev eth0 src 10.0.0.2 uid 0 \\    cache ", "eth0")]
    [InlineData("local 10.0.0.100 dev lo src 10.0.0.100 uid 0 \\    cache <local> ", "lo")]
    [InlineData("RTNETLINK answers: Network is unreachable", null)]
    public void RouteGet_Device(string output, string? device) => Assert.Equal(device, CheckParsers.RouteDevice(output));

    [Fact]
    public void Neighbours_AddressAndMac_FailedEntriesSkipped()
    {
        var n = CheckParsers.Neighbours("10.0.0.3 dev eth0 lladdr 02:4C:56:00:00:03 REACHABLE\n10.0.0.9 dev eth0 FAILED\n").ToList();
        Assert.Equal(new[] { ("10.0.0.3", "02:4c:56:00:00:03") }, n);
    }
}
