using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Ipvs.Tests.Vrrp;

/// <summary>
/// The VRRP codec against adverts keepalived 2.2.7 sent (captured with a raw socket in a lab namespace: instance
/// VI_9, vrid 51, priority 120, VIPs 10.251.78.101 and .102, source 10.251.78.2), and the receive checks in
/// keepalived's order.
/// </summary>
public sealed class VrrpPacketTests
{
    // VRRPv3, advert_int 1, to 224.0.0.18.
    private const string KeepalivedV3 = "45c0002400010000ff7081990afb4e02e00000123133780200646a140afb4e650afb4e66";
    // VRRPv2, advert_int 2, auth_type PASS, auth_pass secret12, to 224.0.0.18.
    private const string KeepalivedV2Pass = "45c0002c00010000ff7081910afb4e02e000001221337802010245880afb4e650afb4e667365637265743132";
    // VRRPv3, advert_int 0.25, unicast_peer 10.251.78.9 (the pseudo-header holds the peer's address).
    private const string KeepalivedV3Unicast = "45c0002400010000ff7008a80afb4e020afb4e09313378020019f16d0afb4e650afb4e66";

    private static readonly uint Src = 0x0afb4e02, Vip1 = 0x0afb4e65, Vip2 = 0x0afb4e66, Peer = 0x0afb4e09, Me = 0x0afb4e01;

    private static byte[] Hex(string h) => Convert.FromHexString(h);

    private static VrrpInstanceSpec Instance(int version = 3, int intervalCs = 100) => new()
    {
        Name = "VI_9", Interface = "eth0", VirtualRouterId = 51, Priority = 100, Version = version,
        AdvertIntervalCentiseconds = intervalCs,
        VirtualAddresses = { IPAddress.Parse("10.251.78.101"), IPAddress.Parse("10.251.78.102") },
    };

    /// <summary>Our advert with the IPv4 header keepalived's had (what the kernel adds to a raw socket's message).</summary>
    private static byte[] WithIpHeader(ReadOnlySpan<byte> vrrp, uint src, uint dst, byte ttl = 255)
    {
        var ip = new byte[20 + vrrp.Length];
        ip[0] = 0x45; ip[1] = 0xc0; ip[2] = (byte)(ip.Length >> 8); ip[3] = (byte)ip.Length; ip[8] = ttl; ip[9] = 112;
        for (int i = 0; i < 4; i++) { ip[12 + i] = (byte)(src >> (24 - 8 * i)); ip[16 + i] = (byte)(dst >> (24 - 8 * i)); }
        vrrp.CopyTo(ip.AsSpan(20));
        return ip;
    }

    [Fact]
    public void Build_MakesKeepalivedsV3Advert_ByteForByte()
    {
        var buf = new byte[64];
        int n = VrrpPacket.Build(buf, 3, 51, 120, 100, new[] { Vip1, Vip2 }, Src, VrrpPacket.MulticastGroup);
        Assert.Equal(Hex(KeepalivedV3)[20..], buf[..n]);
    }

    [Fact]
    public void Build_MakesKeepalivedsV2PassAdvert_ByteForByte()
    {
        var buf = new byte[64];
        int n = VrrpPacket.Build(buf, 2, 51, 120, 200, new[] { Vip1, Vip2 }, Src, VrrpPacket.MulticastGroup, VrrpAuthType.Pass, "secret12");
        Assert.Equal(Hex(KeepalivedV2Pass)[20..], buf[..n]);
    }

    [Fact]
    public void Build_UnicastV3_ChecksumsThePeersAddress_AsKeepalivedDoes()
    {
        var buf = new byte[64];
        int n = VrrpPacket.Build(buf, 3, 51, 120, 25, new[] { Vip1, Vip2 }, Src, Peer);
        Assert.Equal(Hex(KeepalivedV3Unicast)[20..], buf[..n]);
    }

    [Fact]
    public void Parse_ReadsEveryField()
    {
        Assert.True(VrrpPacket.TryParse(Hex(KeepalivedV3Unicast), out var a));
        Assert.Equal((3, 1, 51, 120, 25, Src, Peer, 255), (a.Version, a.Type, a.VirtualRouterId, a.Priority, a.AdvertIntervalCentiseconds, a.Source, a.Destination, a.Ttl));
        Assert.Equal(new[] { Vip1, Vip2 }, a.Addresses);
        Assert.True(VrrpPacket.TryParse(Hex(KeepalivedV2Pass), out var b));
        Assert.Equal((2, 1, 200), (b.Version, b.AuthType, b.AdvertIntervalCentiseconds));
        Assert.Equal("secret12"u8.ToArray(), b.AuthData);
    }

    [Fact]
    public void Check_AcceptsKeepalivedsAdverts()
    {
        Assert.Equal(VrrpCheck.Ok, VrrpPacket.Check(Hex(KeepalivedV3), Instance(), Me, out _));
        var v2 = Instance(2, 200);
        v2.AuthType = VrrpAuthType.Pass;
        v2.AuthPassword = "secret12";
        Assert.Equal(VrrpCheck.Ok, VrrpPacket.Check(Hex(KeepalivedV2Pass), v2, Me, out _));
        var uni = Instance(3, 25);
        uni.UnicastPeers.Add(IPAddress.Parse("10.251.78.2"));
        Assert.Equal(VrrpCheck.Ok, VrrpPacket.Check(Hex(KeepalivedV3Unicast), uni, Peer, out _));
    }

    [Fact]
    public void Check_V3_AnyIntervalIsTaken_TheBackupAdoptsIt()
    {
        // RFC 5798 §6.4.2: a v3 backup takes the master's interval; the check does not refuse it.
        Assert.Equal(VrrpCheck.Ok, VrrpPacket.Check(Hex(KeepalivedV3), Instance(3, 25), Me, out var a));
        Assert.Equal(100, a.AdvertIntervalCentiseconds);
    }

    [Fact]
    public void Check_V2_IntervalMismatch_IsDropped()
    {
        var v2 = Instance(2, 100);
        v2.AuthType = VrrpAuthType.Pass;
        v2.AuthPassword = "secret12";
        Assert.Equal(VrrpCheck.IntervalMismatch, VrrpPacket.Check(Hex(KeepalivedV2Pass), v2, Me, out _));
    }

    [Theory]
    [InlineData("secret13", VrrpCheck.AuthFailure)]
    [InlineData("secret1", VrrpCheck.AuthFailure)]
    [InlineData(null, VrrpCheck.AuthTypeMismatch)]
    public void Check_V2_WrongPasswordOrNoAuth_IsDropped(string? password, VrrpCheck expected)
    {
        var v2 = Instance(2, 200);
        if (password is not null) { v2.AuthType = VrrpAuthType.Pass; v2.AuthPassword = password; }
        Assert.Equal(expected, VrrpPacket.Check(Hex(KeepalivedV2Pass), v2, Me, out _));
    }

    [Fact]
    public void Check_TtlNot255_IsDropped_ButNotForUnicastPeers()
    {
        var p = Hex(KeepalivedV3);
        p[8] = 254;
        Assert.Equal(VrrpCheck.BadTtl, VrrpPacket.Check(p, Instance(), Me, out _));
        var uni = Instance();
        uni.UnicastPeers.Add(IPAddress.Parse("10.251.78.2"));
        Assert.Equal(VrrpCheck.Ok, VrrpPacket.Check(p, uni, Me, out _)); // the IP header checksum is the kernel's
    }

    [Fact]
    public void Check_Version_Vrid_Count_Length_Checksum_Vips_Own()
    {
        var other = Instance();
        other.VirtualRouterId = 52;
        Assert.Equal(VrrpCheck.OtherVirtualRouter, VrrpPacket.Check(Hex(KeepalivedV3), other, Me, out _));
        var one = Instance();
        one.VirtualAddresses.RemoveAt(1);
        Assert.Equal(VrrpCheck.AddressCountMismatch, VrrpPacket.Check(Hex(KeepalivedV3), one, Me, out _));
        var p = Hex(KeepalivedV3);
        p[^1] ^= 1; // a VIP's last byte: the checksum no longer holds
        Assert.Equal(VrrpCheck.BadChecksum, VrrpPacket.Check(p, Instance(), Me, out _));
        var longer = Hex(KeepalivedV3).Concat(new byte[4]).ToArray();
        Assert.Equal(VrrpCheck.BadLength, VrrpPacket.Check(longer, Instance(), Me, out _));
        var otherVips = Instance();
        otherVips.VirtualAddresses[1] = IPAddress.Parse("10.251.78.103");
        Assert.Equal(VrrpCheck.AddressMismatch, VrrpPacket.Check(Hex(KeepalivedV3), otherVips, Me, out _));
        Assert.Equal(VrrpCheck.OwnAdvert, VrrpPacket.Check(Hex(KeepalivedV3), Instance(), Src, out _));
        var type2 = Hex(KeepalivedV3);
        type2[20] = 0x32;
        Assert.Equal(VrrpCheck.BadType, VrrpPacket.Check(type2, Instance(), Me, out _));
        Assert.Equal(VrrpCheck.TooShort, VrrpPacket.Check(Hex(KeepalivedV3)[..27], Instance(), Me, out _));
    }

    [Fact]
    public void Check_V3FromAV2Instance_IsNotTaken()
    {
        // keepalived reads v2's auth type and interval first: in a v3 advert those bytes are the interval (0, 100), so
        // a v2 instance sees "auth none, 100 s" and drops it as an interval mismatch; with a 100 s interval, as v3.
        Assert.Equal(VrrpCheck.IntervalMismatch, VrrpPacket.Check(Hex(KeepalivedV3), Instance(2, 100), Me, out _));
        Assert.Equal(VrrpCheck.BadVersion, VrrpPacket.Check(Hex(KeepalivedV3), Instance(2, 10000), Me, out _));
    }

    [Fact]
    public void RoundTrip_OurOwnAdvert_PassesOurOwnChecks()
    {
        var buf = new byte[64];
        int n = VrrpPacket.Build(buf, 3, 51, 200, 25, new[] { Vip1, Vip2 }, Me, VrrpPacket.MulticastGroup);
        Assert.Equal(VrrpCheck.Ok, VrrpPacket.Check(WithIpHeader(buf.AsSpan(0, n), Me, VrrpPacket.MulticastGroup), Instance(3, 25), Src, out var a));
        Assert.Equal((200, 25), (a.Priority, a.AdvertIntervalCentiseconds));
    }
}
