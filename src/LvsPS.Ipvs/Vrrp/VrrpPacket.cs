// VRRP advertisements: the wire format of RFC 5798 (version 3) and RFC 3768 (version 2) over IPv4, and the checks
// a receiver makes before an advert may change its state, in the order keepalived 2.2's vrrp.c (vrrp_in_chk) makes
// them. Pure: bytes in, bytes out; the sockets are lvsd's (LvsPS.Engine/IO/VrrpSocket.cs).
//
//  v3:  0 ver|type  1 VRID  2 priority  3 count  4-5 rsvd(4)|max advert int (12 bits, centiseconds)  6-7 checksum
//       then count IPv4 addresses; checksum over an IPv4 pseudo-header (src, dst, 0, 112, VRRP length) + message.
//  v2:  0 ver|type  1 VRID  2 priority  3 count  4 auth type  5 advert int (seconds)  6-7 checksum
//       then count IPv4 addresses and 8 bytes of auth data; checksum over the VRRP message only.

namespace LvsPS.Ipvs.Vrrp;

/// <summary>One decoded advertisement (and the IPv4 header fields a receiver checks).</summary>
public sealed class VrrpAdvert
{
    public int Version { get; init; }
    public int Type { get; init; } = 1;
    public int VirtualRouterId { get; init; }
    public int Priority { get; init; }
    /// <summary>v3: Max Advert Interval (centiseconds); v2: the interval in seconds × 100.</summary>
    public int AdvertIntervalCentiseconds { get; init; }
    /// <summary>v2 only: 0 none, 1 simple text password, 2 IP authentication header.</summary>
    public int AuthType { get; init; }
    /// <summary>v2 only: the 8 bytes of authentication data.</summary>
    public byte[] AuthData { get; init; } = new byte[8];
    public uint[] Addresses { get; init; } = Array.Empty<uint>();
    /// <summary>IPv4 source, destination and TTL of the packet that carried it (0 when built, not received).</summary>
    public uint Source { get; init; }
    public uint Destination { get; init; }
    public int Ttl { get; init; }

    public override string ToString() =>
        $"VRRPv{Version} vrid {VirtualRouterId} priority {Priority} interval {AdvertIntervalCentiseconds} cs from {VrrpPacket.ToAddress(Source)}";
}

/// <summary>Why a received advertisement is not taken (keepalived's log lines name the same faults).</summary>
public enum VrrpCheck
{
    Ok,
    /// <summary>Shorter than an IPv4 header and a VRRP header, or the IP header is not IPv4/VRRP.</summary>
    TooShort,
    /// <summary>TTL is not 255 (checked when the instance has no unicast peers, as keepalived does).</summary>
    BadTtl,
    /// <summary>v2: an auth type that is not 0, 1 or 2.</summary>
    BadAuthType,
    /// <summary>v2: the packet's auth type is not the instance's.</summary>
    AuthTypeMismatch,
    /// <summary>v2 PASS: the password differs.</summary>
    AuthFailure,
    /// <summary>v2: the advert interval differs from ours (keepalived drops it: two masters otherwise).</summary>
    IntervalMismatch,
    BadVersion,
    BadType,
    /// <summary>Another virtual router's advert (not counted as a drop of this instance).</summary>
    OtherVirtualRouter,
    /// <summary>The address count is not the number of the instance's VIPs.</summary>
    AddressCountMismatch,
    /// <summary>The IP total length or the VRRP length does not match what was received or expected.</summary>
    BadLength,
    BadChecksum,
    /// <summary>One of the instance's VIPs is not in the advert.</summary>
    AddressMismatch,
    /// <summary>The advert comes from this router's own address.</summary>
    OwnAdvert,
}

public static class VrrpPacket
{
    public const int Protocol = 112;
    public const int Ttl = 255;
    /// <summary>224.0.0.18, the VRRP multicast group (MAC 01:00:5e:00:00:12).</summary>
    public const uint MulticastGroup = 0xE0000012;
    public const int HeaderLength = 8;
    public const int AuthDataLength = 8;

    /// <summary>The VRRP message length of an instance's adverts (no IP header).</summary>
    public static int MessageLength(int version, int addressCount) =>
        HeaderLength + 4 * addressCount + (version == 2 ? AuthDataLength : 0);

    /// <summary>A v2 PASS password as the 8 bytes on the wire (NUL padded; keepalived keeps at most 8 characters).</summary>
    public static byte[] PasswordBytes(string? password)
    {
        var b = new byte[AuthDataLength];
        if (!string.IsNullOrEmpty(password))
        {
            var text = System.Text.Encoding.ASCII.GetBytes(password);
            Array.Copy(text, b, Math.Min(text.Length, AuthDataLength));
        }
        return b;
    }

    /// <summary>
    /// Writes one advert's VRRP message (the IP header is the socket's) into <paramref name="dest"/> and returns its
    /// length. <paramref name="source"/> and <paramref name="destination"/> enter the v3 checksum (pseudo-header).
    /// </summary>
    public static int Build(Span<byte> dest, int version, int vrid, int priority, int intervalCentiseconds,
        IReadOnlyList<uint> addresses, uint source, uint destination, VrrpAuthType auth = VrrpAuthType.None, string? password = null)
    {
        int len = MessageLength(version, addresses.Count);
        if (dest.Length < len) throw new ArgumentException("The buffer is too small for the advert.", nameof(dest));
        var m = dest.Slice(0, len);
        m.Clear();
        m[0] = (byte)((version << 4) | 1);
        m[1] = (byte)vrid;
        m[2] = (byte)priority;
        m[3] = (byte)addresses.Count;
        if (version == 3)
        {
            int cs = intervalCentiseconds & 0x0FFF;
            m[4] = (byte)(cs >> 8);
            m[5] = (byte)cs;
        }
        else
        {
            m[4] = (byte)(auth == VrrpAuthType.Pass ? 1 : 0);
            m[5] = (byte)(intervalCentiseconds / 100);
        }
        for (int i = 0; i < addresses.Count; i++) WriteU32(m, HeaderLength + 4 * i, addresses[i]);
        if (version == 2 && auth == VrrpAuthType.Pass) PasswordBytes(password).CopyTo(m.Slice(HeaderLength + 4 * addresses.Count));
        ushort sum = version == 3 ? Checksum(m, PseudoHeaderSum(source, destination, len)) : Checksum(m, 0);
        m[6] = (byte)(sum >> 8);
        m[7] = (byte)sum;
        return len;
    }

    /// <summary>Reads an IPv4 packet carrying VRRP (as a raw socket returns it) into an advert, without judging it.</summary>
    public static bool TryParse(ReadOnlySpan<byte> ip, out VrrpAdvert advert)
    {
        advert = null!;
        if (ip.Length < 20 + HeaderLength || ip[0] >> 4 != 4) return false;
        int ihl = (ip[0] & 0x0F) * 4;
        if (ihl < 20 || ip.Length < ihl + HeaderLength || ip[9] != Protocol) return false;
        var h = ip.Slice(ihl);
        int version = h[0] >> 4;
        int count = h[3];
        var addrs = new uint[Math.Min(count, (h.Length - HeaderLength) / 4)];
        for (int i = 0; i < addrs.Length; i++) addrs[i] = ReadU32(h, HeaderLength + 4 * i);
        var auth = new byte[AuthDataLength];
        int authAt = HeaderLength + 4 * count;
        if (version == 2 && h.Length >= authAt + AuthDataLength) h.Slice(authAt, AuthDataLength).CopyTo(auth);
        advert = new VrrpAdvert
        {
            Version = version,
            Type = h[0] & 0x0F,
            VirtualRouterId = h[1],
            Priority = h[2],
            AdvertIntervalCentiseconds = version == 2 ? h[5] * 100 : ((h[4] << 8) | h[5]) & 0x0FFF,
            AuthType = version == 2 ? h[4] : 0,
            AuthData = auth,
            Addresses = addrs,
            Source = ReadU32(ip, 12),
            Destination = ReadU32(ip, 16),
            Ttl = ip[8],
        };
        return true;
    }

    /// <summary>
    /// The checks of a received packet against one instance, in keepalived's order: length, TTL (multicast only),
    /// v2 authentication and interval, version, type, VRID, address count, IP and VRRP lengths, checksum, the VIPs.
    /// <paramref name="ownAddress"/>: this router's advert source (its own adverts are refused).
    /// </summary>
    public static VrrpCheck Check(ReadOnlySpan<byte> ip, VrrpInstanceSpec instance, uint ownAddress, out VrrpAdvert advert)
    {
        if (!TryParse(ip, out advert)) return VrrpCheck.TooShort;
        int ihl = (ip[0] & 0x0F) * 4;
        var h = ip.Slice(ihl);
        int vipCount = instance.VirtualAddresses.Count;
        if (instance.UnicastPeers.Count == 0 && advert.Ttl != Ttl) return VrrpCheck.BadTtl;
        if (instance.Version == 2)
        {
            // Read as v2 fields whatever the version byte says, as keepalived does before it checks the version.
            int authType = h[4];
            if (authType is not (0 or 1 or 2)) return VrrpCheck.BadAuthType;
            int mine = instance.AuthType == VrrpAuthType.Pass ? 1 : 0;
            if (authType != mine) return VrrpCheck.AuthTypeMismatch;
            if (mine == 1)
            {
                // keepalived compares the last 8 bytes of the IP packet (by its total length) with its password.
                int total = ReadU16(ip, 2);
                if (total < ihl + HeaderLength + AuthDataLength || total > ip.Length) return VrrpCheck.BadLength;
                if (!ip.Slice(total - AuthDataLength, AuthDataLength).SequenceEqual(PasswordBytes(instance.AuthPassword))) return VrrpCheck.AuthFailure;
            }
            if (h[5] * 100 != instance.AdvertIntervalCentiseconds) return VrrpCheck.IntervalMismatch;
        }
        if (advert.Version != instance.Version) return VrrpCheck.BadVersion;
        if (advert.Type != 1) return VrrpCheck.BadType;
        if (advert.VirtualRouterId != instance.VirtualRouterId) return VrrpCheck.OtherVirtualRouter;
        if (h[3] != vipCount) return VrrpCheck.AddressCountMismatch;
        if (ReadU16(ip, 2) != ip.Length) return VrrpCheck.BadLength;
        int vrrpLen = HeaderLength + 4 * h[3];
        if (ihl + MessageLength(instance.Version, vipCount) != ip.Length) return VrrpCheck.BadLength;
        if (instance.Version == 3)
        {
            if (Checksum(h.Slice(0, vrrpLen), PseudoHeaderSum(advert.Source, advert.Destination, vrrpLen)) != 0) return VrrpCheck.BadChecksum;
        }
        else if (Checksum(h.Slice(0, vrrpLen + AuthDataLength), 0) != 0) return VrrpCheck.BadChecksum;
        foreach (var vip in instance.VirtualAddresses)
            if (Array.IndexOf(advert.Addresses, ToUInt32(vip)) < 0) return VrrpCheck.AddressMismatch;
        if (advert.Source == ownAddress) return VrrpCheck.OwnAdvert;
        return VrrpCheck.Ok;
    }

    /// <summary>The one's-complement sum of the IPv4 pseudo-header (source, destination, zero, 112, length), unfolded.</summary>
    public static uint PseudoHeaderSum(uint source, uint destination, int length) =>
        (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + (uint)Protocol + (uint)length;

    /// <summary>The Internet checksum of <paramref name="data"/> plus an initial sum (0 over a correct message with its checksum).</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        ulong sum = initial;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += (uint)((data[i] << 8) | data[i + 1]);
        if (i < data.Length) sum += (uint)(data[i] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public static uint ToUInt32(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return b.Length == 4 ? (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : 0;
    }

    public static IPAddress ToAddress(uint v) => new(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });

    private static uint ReadU32(ReadOnlySpan<byte> b, int o) => (uint)(b[o] << 24 | b[o + 1] << 16 | b[o + 2] << 8 | b[o + 3]);
    private static int ReadU16(ReadOnlySpan<byte> b, int o) => b[o] << 8 | b[o + 1];

    private static void WriteU32(Span<byte> b, int o, uint v)
    {
        b[o] = (byte)(v >> 24); b[o + 1] = (byte)(v >> 16); b[o + 2] = (byte)(v >> 8); b[o + 3] = (byte)v;
    }
}
