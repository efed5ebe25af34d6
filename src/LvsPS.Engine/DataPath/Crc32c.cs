using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace LvsPS.Engine.DataPath;

/// <summary>
/// CRC32c (Castagnoli, reflected polynomial 0x82F63B78), table driven, as SCTP uses it for its checksum
/// (RFC 4960 section 6.8 and Appendix B): initial value all ones, final complement, the result stored in the common
/// header's checksum field least significant byte first. Allocation free after the table is built once.
/// </summary>
internal static class Crc32c
{
    private const uint Polynomial = 0x82F63B78;
    private static readonly uint[] Table = BuildTable();
    private static readonly byte[] ZeroChecksum = new byte[4];

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            t[i] = c;
        }
        return t;
    }

    /// <summary>Continues a running (not yet complemented) CRC over <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Table;
        for (int i = 0; i < data.Length; i++) crc = t[(byte)(crc ^ data[i])] ^ (crc >> 8);
        return crc;
    }

    /// <summary>CRC32c of <paramref name="data"/> ("123456789" gives 0xE3069283).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xffffffff, data);

    /// <summary>The SCTP checksum of a packet (common header first), taking its checksum field as zero.</summary>
    public static uint SctpChecksum(ReadOnlySpan<byte> sctp)
    {
        uint crc = Update(0xffffffff, sctp.Slice(0, 8));
        crc = Update(crc, ZeroChecksum); // the checksum field counts as zero
        crc = Update(crc, sctp.Slice(12));
        return ~crc;
    }

    /// <summary>Computes and stores the SCTP checksum of a packet (common header first, at least 12 bytes).</summary>
    public static void WriteSctpChecksum(Span<byte> sctp) =>
        BinaryPrimitives.WriteUInt32LittleEndian(sctp.Slice(8, 4), SctpChecksum(sctp));

    /// <summary>True when the stored SCTP checksum matches the packet.</summary>
    public static bool SctpChecksumValid(ReadOnlySpan<byte> sctp) =>
        sctp.Length >= 12 && BinaryPrimitives.ReadUInt32LittleEndian(sctp.Slice(8, 4)) == SctpChecksum(sctp);
}
