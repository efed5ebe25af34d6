using System.Runtime.CompilerServices;

namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// The hash functions the kernel's hashing schedulers use, bit for bit (64-bit kernels).
/// </summary>
internal static class KernelHash
{
    /// <summary>GOLDEN_RATIO_32 of include/linux/hash.h.</summary>
    public const uint GoldenRatio32 = 0x61C88647;

    /// <summary>hash_32(val, bits): the top <paramref name="bits"/> bits of val * GOLDEN_RATIO_32 (mod 2^32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash32(uint value, int bits) => unchecked(value * GoldenRatio32) >> (32 - bits);

    /// <summary>
    /// hsiphash(&amp;v, 4, key) for one 32-bit word on a 64-bit kernel, where hsiphash is SipHash-1-3 with a
    /// 2 x 64-bit key truncated to 32 bits (lib/siphash.c, BITS_PER_LONG == 64: one compression round per
    /// 8-byte block, three finalisation rounds; the 4-byte input goes whole into the length block).
    /// </summary>
    public static uint HSipHash(uint value, ulong key0, ulong key1)
    {
        ulong v0 = 0x736f6d6570736575UL ^ key0;
        ulong v1 = 0x646f72616e646f6dUL ^ key1;
        ulong v2 = 0x6c7967656e657261UL ^ key0;
        ulong v3 = 0x7465646279746573UL ^ key1;
        ulong b = (4UL << 56) | value;

        v3 ^= b;
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= b;
        v2 ^= 0xff;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        return (uint)((v0 ^ v1) ^ (v2 ^ v3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        unchecked
        {
            v0 += v1; v1 = ulong.RotateLeft(v1, 13); v1 ^= v0; v0 = ulong.RotateLeft(v0, 32);
            v2 += v3; v3 = ulong.RotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = ulong.RotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = ulong.RotateLeft(v1, 17); v1 ^= v2; v2 = ulong.RotateLeft(v2, 32);
        }
    }

    /// <summary>
    /// The 32-bit key the kernel hashes for an address, in host order: the IPv4 address itself
    /// (ntohl(addr->ip)), or for IPv6 the XOR of its four 32-bit words (addr_fold).
    /// </summary>
    public static uint Fold(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        if (!address.TryWriteBytes(b, out int n))
            return 0;
        if (n == 4)
            return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        uint x = 0;
        for (int i = 0; i < 16; i += 4)
            x ^= (uint)(b[i] << 24 | b[i + 1] << 16 | b[i + 2] << 8 | b[i + 3]);
        return x;
    }

    /// <summary>A destination's address key: the cached host-order IPv4 value, else <see cref="Fold"/>.</summary>
    public static uint AddressKey(Destination d) => d.AddressValue != 0 ? d.AddressValue : Fold(d.Address);
}

/// <summary>Arithmetic the schedulers share with the kernel's lib/math.</summary>
internal static class KernelMath
{
    /// <summary>gcd(a, b) of non-negative values (lib/math/gcd.c gives the same result).</summary>
    public static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
