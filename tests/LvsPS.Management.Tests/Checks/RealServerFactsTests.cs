using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Checks;
using Xunit;

namespace LvsPS.Management.Tests.Checks;

public class RealServerFactsTests
{
    private const string Sample = """
        #addr
        1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever preferred_lft forever
        1: lo    inet 10.0.0.100/32 scope host lo\       valid_lft forever preferred_lft forever
        2: eth0    inet 10.0.0.11/24 brd 10.0.0.255 scope global eth0\       valid_lft forever preferred_lft forever
        2: eth0    inet6 fe80::1/64 scope link \       valid_lft forever preferred_lft forever
        #link
        1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
        2: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\    link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff
        3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN
        #route
        default via 10.0.0.1 dev eth0 proto static advmss 1400
        10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.11
        #sysctl
        all arp_ignore 0
        all arp_announce 2
        all rp_filter 1
        eth0 arp_ignore 1
        eth0 arp_announce 0
        eth0 rp_filter 0
        tunl0 rp_filter 0
        lo arp_ignore 0
        #tcp
        LISTEN 0      511          0.0.0.0:80        0.0.0.0:*
        LISTEN 0      128        10.0.0.11:22        0.0.0.0:*
        LISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*
        LISTEN 0      511             [::]:8080         [::]:*
        LISTEN 0      511                *:443             *:*
        #udp
        UNCONN 0      0         10.0.0.100:53        0.0.0.0:*
        """;

    [Fact]
    public void Parses_addresses_links_routes_sysctls_and_sockets()
    {
        var f = RealServerFacts.Parse(Sample);
        Assert.Equal("eth0", f.InterfaceOf(IPAddress.Parse("10.0.0.11")));
        Assert.Equal(32, Assert.Single(f.Holding(IPAddress.Parse("10.0.0.100"))).PrefixLength);
        Assert.Equal(1500, f.Mtus["eth0"]);
        Assert.Equal(1480, f.Mtus["tunl0"]);
        Assert.Equal("eth0", f.DefaultRoute!.Device);
        Assert.Equal(1400, f.DefaultRoute.AdvMss);
        Assert.Equal("10.0.0.0/24", f.SubnetRoute("eth0", IPAddress.Parse("10.0.0.11"))!.Destination);
        Assert.True(f.HasSs);
        Assert.Equal(5, f.Tcp.Count);
        Assert.Equal("lo", f.Tcp[2].Device);
        Assert.Single(f.Udp);
    }

    [Theory]
    [InlineData("arp_ignore", "eth0", 1)]    // max(all 0, eth0 1)
    [InlineData("arp_announce", "eth0", 2)]  // max(all 2, eth0 0)
    [InlineData("rp_filter", "tunl0", 1)]    // all=1 is strict on every interface whose own value is lower
    [InlineData("arp_ignore", null, 0)]      // no interface known: all alone
    public void Effective_value_is_the_max_of_all_and_the_interface(string key, string? iface, int expected)
        => Assert.Equal(expected, RealServerFacts.Parse(Sample).Effective(key, iface));

    [Theory]
    [InlineData("10.0.0.100", 80, true)]   // 0.0.0.0 accepts every IPv4 address
    [InlineData("10.0.0.100", 22, false)]  // sshd on the RIP only
    [InlineData("10.0.0.11", 22, true)]
    [InlineData("10.0.0.100", 8080, false)] // [::] is IPv6 only
    [InlineData("10.0.0.100", 443, true)]  // * is dual-stack
    [InlineData("2001:db8::1", 80, false)]
    [InlineData("2001:db8::1", 8080, true)]
    public void A_listener_accepts_its_address_or_a_matching_wildcard(string ip, int port, bool accepts)
        => Assert.Equal(accepts, RealServerFacts.Accepting(RealServerFacts.Parse(Sample).Tcp, IPAddress.Parse(ip), port).Any());

    [Fact]
    public void Listener_forms()
    {
        Assert.Equal(IPAddress.Parse("10.0.0.5"), RealServerFacts.ParseListener("LISTEN 0 5 [::ffff:10.0.0.5]:80 *:*")!.Ip);
        Assert.Null(RealServerFacts.ParseListener("garbage"));
        Assert.Equal(53, RealServerFacts.ParseListener("UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:*")!.Port);
    }

    [Fact]
    public void Covers_compares_the_prefix_bits()
    {
        Assert.True(RealServerFacts.Covers("10.0.0.0/24", IPAddress.Parse("10.0.0.200")));
        Assert.False(RealServerFacts.Covers("10.0.0.0/25", IPAddress.Parse("10.0.0.200")));
        Assert.False(RealServerFacts.Covers("default", IPAddress.Parse("10.0.0.200")));
    }

    private static RealServerProbe Probe(LvsForwarding fwd, string iface = "lo") => new()
    {
        RealAddress = IPAddress.Parse("10.0.0.11"), RealPort = 80, VirtualAddress = IPAddress.Parse("10.0.0.100"), VirtualPort = 80,
        Forwarding = fwd, VipInterface = iface, PrepareCommand = "Set-LvsRealServerHidden -ComputerName 10.0.0.11",
    };

    private static LvsCheckResult One(string facts, RealServerProbe p, string check) =>
        ClusterChecks.RealServerVipChecks("rs1", RealServerFacts.Parse(facts), null, p, c => c == check).Single();

    [Fact]
    public void Tunnel_rp_filter_strict_through_all_fails_and_loose_on_the_tunnel_passes()
    {
        var r = One(Sample, Probe(LvsForwarding.Tunnel, "tunl0"), ClusterChecks.RealServerRpFilter);
        Assert.Equal(LvsCheckResultKind.Failed, r.Result);
        Assert.Contains("route back to the clients is via eth0", r.Message);
        Assert.Equal("On the real server: sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.tunl0.rp_filter=2", r.Remedy);
        var fixedUp = Sample.Replace("tunl0 rp_filter 0", "tunl0 rp_filter 2");
        Assert.Equal(LvsCheckResultKind.Passed, One(fixedUp, Probe(LvsForwarding.Tunnel, "tunl0"), ClusterChecks.RealServerRpFilter).Result);
        // DR: the request arrives on eth0 (max(all 1, eth0 0) = strict) and the default route is via eth0: passes.
        Assert.Equal(LvsCheckResultKind.Passed, One(Sample, Probe(LvsForwarding.Route), ClusterChecks.RealServerRpFilter).Result);
    }

    [Fact]
    public void Tunnel_mtu_passes_with_a_small_advmss_and_warns_without()
    {
        Assert.Equal(LvsCheckResultKind.Passed, One(Sample.Replace("advmss 1400", "advmss 1440"), Probe(LvsForwarding.Tunnel, "tunl0"), ClusterChecks.RealServerTunnelMtu).Result);
        var w = One(Sample.Replace(" advmss 1400", ""), Probe(LvsForwarding.Tunnel, "tunl0"), ClusterChecks.RealServerTunnelMtu);
        Assert.Equal(LvsCheckResultKind.Warning, w.Result);
        Assert.Equal("On the real server: ip route change default via 10.0.0.1 dev eth0 proto static advmss 1440", w.Remedy);
    }

    [Fact]
    public void Hidden_needs_both_sysctls_and_vip_needs_a_slash_32()
    {
        var h = One(Sample, Probe(LvsForwarding.Route), ClusterChecks.RealServerHidden);
        Assert.Equal(LvsCheckResultKind.Passed, h.Result);   // arp_ignore max(0,1)=1, arp_announce max(2,0)=2
        Assert.Equal(LvsCheckResultKind.Failed, One(Sample.Replace("eth0 arp_ignore 1", "eth0 arp_ignore 0"), Probe(LvsForwarding.Route), ClusterChecks.RealServerHidden).Result);
        Assert.Equal(LvsCheckResultKind.Passed, One(Sample, Probe(LvsForwarding.Route), ClusterChecks.RealServerVip).Result);
        var wide = One(Sample.Replace("10.0.0.100/32", "10.0.0.100/24"), Probe(LvsForwarding.Route), ClusterChecks.RealServerVip);
        Assert.Equal(LvsCheckResultKind.Failed, wide.Result);
        Assert.StartsWith("rs1: the VIP is on lo as /24, not /32", wide.Message);
    }

    [Fact]
    public void Http_answer_lines_are_read()
    {
        var a = ClusterChecks.ParseHttpAnswer("status=200\nmd5=0123456789abcdef0123456789abcdef\nbytes=42\n", null);
        Assert.Equal((200, "0123456789abcdef0123456789abcdef", 42L), (a.Status, a.Md5, a.Bytes));
    }
}
