namespace LvsPS.Engine.DataPath;

/// <summary>
/// Address and port rewriting for LVS-NAT with incremental checksum updates (RFC 1624), so the payload is never
/// summed again: the IPv4 header checksum and the TCP/UDP checksum (whose pseudo-header holds the addresses).
/// SCTP has no pseudo-header: an address change leaves its CRC32c alone, a port change recomputes it over the whole
/// SCTP packet (as sctp_dnat_handler / sctp_snat_handler do, only when the port really changes).
/// </summary>
internal static class Nat
{
    /// <summary>Client to real server: destination VIP:vport becomes RIP:rport.</summary>
    public static void RewriteDestination(Span<byte> ip, int ihl, byte proto, uint address, ushort port) =>
        Rewrite(ip, ihl, proto, addressOffset: 16, portOffset: 2, address, port);

    /// <summary>Real server to client: source RIP:rport becomes VIP:vport.</summary>
    public static void RewriteSource(Span<byte> ip, int ihl, byte proto, uint address, ushort port) =>
        Rewrite(ip, ihl, proto, addressOffset: 12, portOffset: 0, address, port);

    private static void Rewrite(Span<byte> ip, int ihl, byte proto, int addressOffset, int portOffset, uint address, ushort port)
    {
        uint oldAddress = Frames.U32(ip, addressOffset);
        var l4 = ip.Slice(ihl);
        ushort oldPort = Frames.U16(l4, portOffset);
        if (proto == Frames.ProtoSctp)
        {
            Frames.W32(ip, addressOffset, address);
            Adjust32(ip, 10, oldAddress, address);
            if (oldPort != port)
            {
                Frames.W16(l4, portOffset, port);
                Crc32c.WriteSctpChecksum(l4.Slice(0, Frames.U16(ip, 2) - ihl));
            }
            return;
        }
        int ck = proto == Frames.ProtoTcp ? 16 : 6;
        bool l4Checksum = proto == Frames.ProtoTcp || Frames.U16(l4, ck) != 0; // UDP checksum 0 = none

        Frames.W32(ip, addressOffset, address);
        Adjust32(ip, 10, oldAddress, address);
        if (l4Checksum)
        {
            Adjust32(l4, ck, oldAddress, address);
            Adjust16(l4, ck, oldPort, port);
            if (proto == Frames.ProtoUdp && Frames.U16(l4, ck) == 0) Frames.W16(l4, ck, 0xffff);
        }
        Frames.W16(l4, portOffset, port);
    }

    private static void Adjust32(Span<byte> buf, int checksumOffset, uint oldValue, uint newValue)
    {
        Adjust16(buf, checksumOffset, (ushort)(oldValue >> 16), (ushort)(newValue >> 16));
        Adjust16(buf, checksumOffset, (ushort)oldValue, (ushort)newValue);
    }

    /// <summary>HC' = ~(~HC + ~m + m') in one's complement arithmetic.</summary>
    public static void Adjust16(Span<byte> buf, int checksumOffset, ushort oldValue, ushort newValue)
    {
        uint sum = (uint)(~Frames.U16(buf, checksumOffset) & 0xffff) + (uint)(~oldValue & 0xffff) + newValue;
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        Frames.W16(buf, checksumOffset, (ushort)~sum);
    }
}
