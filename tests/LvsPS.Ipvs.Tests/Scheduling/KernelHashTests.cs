namespace LvsPS.Ipvs.Tests.Scheduling;

/// <summary>
/// A plain SipHash-c-d over a byte string (c = 1, d = 3 is the kernel's hsiphash on 64-bit), written from the
/// SipHash paper's description and checked against the kernel's own self-test vectors, so the schedulers' tests can
/// compute expected hashes without the production code.
/// </summary>
internal static class ReferenceSipHash
{
    public static uint Hsiphash(byte[] message, ulong k0, ulong k1) => (uint)SipHash(message, k0, k1, 1, 3);

    /// <summary>hsiphash of the 4 bytes of a u32 in memory (little endian), as ip_vs_mh_hashkey calls it.</summary>
    public static uint Hsiphash(uint value, ulong k0, ulong k1) => Hsiphash(BitConverter.GetBytes(value), k0, k1);

    public static ulong SipHash(byte[] m, ulong k0, ulong k1, int c, int d)
    {
        var v = new ulong[]
        {
            k0 ^ 0x736f6d6570736575UL,
            k1 ^ 0x646f72616e646f6dUL,
            k0 ^ 0x6c7967656e657261UL,
            k1 ^ 0x7465646279746573UL,
        };
        int blocks = m.Length / 8;
        for (int i = 0; i < blocks; i++)
        {
            ulong w = 0;
            for (int k = 7; k >= 0; k--)
                w = (w << 8) | m[i * 8 + k];
            Compress(v, w, c);
        }
        ulong last = (ulong)(m.Length & 0xff) << 56;
        for (int k = 0; k < m.Length % 8; k++)
            last |= (ulong)m[blocks * 8 + k] << (8 * k);
        Compress(v, last, c);
        v[2] ^= 0xff;
        for (int r = 0; r < d; r++)
            SipRound(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void Compress(ulong[] v, ulong w, int rounds)
    {
        v[3] ^= w;
        for (int r = 0; r < rounds; r++)
            SipRound(v);
        v[0] ^= w;
    }

    private static ulong Rotl(ulong x, int b) => (x << b) | (x >> (64 - b));

    private static void SipRound(ulong[] v)
    {
        unchecked
        {
            v[0] += v[1]; v[1] = Rotl(v[1], 13); v[1] ^= v[0]; v[0] = Rotl(v[0], 32);
            v[2] += v[3]; v[3] = Rotl(v[3], 16); v[3] ^= v[2];
            v[0] += v[3]; v[3] = Rotl(v[3], 21); v[3] ^= v[0];
            v[2] += v[1]; v[1] = Rotl(v[1], 17); v[1] ^= v[2]; v[2] = Rotl(v[2], 32);
        }
    }

    /// <summary>hash_32 the long way: the product as a 64-bit number, reduced mod 2^32, top bits.</summary>
    public static uint Hash32(uint value, int bits) => (uint)(((ulong)value * 0x61C88647UL) % 0x1_0000_0000UL / (1UL << (32 - bits)));
}

public class KernelHashTests
{
    // lib/siphash_kunit.c (BITS_PER_LONG == 64): key bytes 00..0f, vector n = hsiphash of the bytes 00..n-1.
    private const ulong TestKey0 = 0x0706050403020100UL;
    private const ulong TestKey1 = 0x0f0e0d0c0b0a0908UL;
    private static readonly uint[] KernelVectors =
    {
        0x050fc4dcU, 0x7d57ca93U, 0x4dc7d44dU, 0xe7ddf7fbU, 0x88d38328U, 0x49533b67U,
        0xc59f22a7U, 0x9bb11140U, 0x8d299a8eU, 0x6c063de4U, 0x92ff097fU, 0xf94dc352U,
        0x57b4d9a2U, 0x1229ffa7U, 0xc0f95d34U, 0x2a519956U, 0x7d908b66U, 0x63dbd80cU,
    };

    [Fact]
    public void ReferenceSipHashMatchesTheKernelSelfTestVectors()
    {
        for (int n = 0; n < KernelVectors.Length; n++)
        {
            var msg = Enumerable.Range(0, n).Select(i => (byte)i).ToArray();
            Assert.Equal(KernelVectors[n], ReferenceSipHash.Hsiphash(msg, TestKey0, TestKey1));
        }
    }

    [Fact]
    public void HSipHashOfOneWordMatchesTheKernelVectorForFourBytes()
    {
        // bytes 00 01 02 03 read as a little-endian u32
        Assert.Equal(0x88d38328U, KernelHash.HSipHash(0x03020100U, TestKey0, TestKey1));
    }

    [Fact]
    public void HSipHashAgreesWithTheReferenceOnManyWords()
    {
        var rnd = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            uint v = (uint)rnd.NextInt64(0, 1L << 32);
            Assert.Equal(ReferenceSipHash.Hsiphash(v, 2654435761UL, 2654435761UL), KernelHash.HSipHash(v, 2654435761UL, 2654435761UL));
            Assert.Equal(ReferenceSipHash.Hsiphash(v, 2654446892UL, 2654446892UL), KernelHash.HSipHash(v, 2654446892UL, 2654446892UL));
        }
    }

    [Theory]
    [InlineData(1u, 8, 0x61u)]          // 0x61C88647 >> 24
    [InlineData(0x0A000063u, 8, 150u)]  // 10.0.0.99
    [InlineData(0xC0A80001u, 8, 192u)]  // 192.168.0.1
    [InlineData(0xC0A80003u, 8, 131u)]
    [InlineData(0x0AFA0065u, 8, 123u)]  // 10.250.0.101
    [InlineData(0x0AFA0065u, 10, 493u)]
    [InlineData(0x0A000063u, 10, 602u)]
    public void Hash32IsTheTopBitsOfTheGoldenRatioProduct(uint value, int bits, uint expected)
    {
        Assert.Equal(expected, KernelHash.Hash32(value, bits));
        Assert.Equal(expected, ReferenceSipHash.Hash32(value, bits));
    }

    [Fact]
    public void FoldTakesIPv4AsIsAndXorsTheIPv6Words()
    {
        Assert.Equal(0x0AFA0065U, KernelHash.Fold(System.Net.IPAddress.Parse("10.250.0.101")));
        Assert.Equal(0x20010db8U ^ 0x00000001U ^ 0U ^ 0x00000002U,
            KernelHash.Fold(System.Net.IPAddress.Parse("2001:db8:0:1::2")));
    }
}
