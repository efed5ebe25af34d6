using System.Net.Sockets;

namespace LvsPS.Management.Lab;

/// <summary>An IPv4 network (base address + prefix length) with the arithmetic the lab needs.</summary>
public readonly record struct LabSubnet(uint Base, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0u : uint.MaxValue << (32 - PrefixLength);
    public uint Last => Base | ~Mask;
    /// <summary>Number of addresses in the network (including network and broadcast addresses).</summary>
    public long Size => 1L << (32 - PrefixLength);

    public IPAddress BaseAddress => ToAddress(Base);

    /// <summary>The address at <paramref name="offset"/> from the network base (director = 1, VIP = 101 ...).</summary>
    public IPAddress At(int offset) => ToAddress(Base + (uint)offset);

    /// <summary>True when <paramref name="offset"/> is a usable host offset (not the network or broadcast address).</summary>
    public bool Fits(int offset) => offset > 0 && offset < Size - 1;

    public bool Overlaps(LabSubnet other)
    {
        // two prefixes overlap iff the shorter one contains the other's base
        var shorter = PrefixLength <= other.PrefixLength ? this : other;
        var longer = PrefixLength <= other.PrefixLength ? other : this;
        return (longer.Base & shorter.Mask) == shorter.Base;
    }

    public bool Contains(IPAddress address) => (ToUInt(address) & Mask) == Base;

    public override string ToString() => $"{BaseAddress}/{PrefixLength}";

    public static uint ToUInt(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"'{address}' is not an IPv4 address.", nameof(address));
        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    public static IPAddress ToAddress(uint value) =>
        new(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });

    /// <summary>
    /// Parses "a.b.c.d/len" strictly (dotted quad with four parts, prefix 0..32). Host bits are kept in <paramref name="hostBitsSet"/>
    /// and cleared in the result. A bare address ("a.b.c.d") is accepted only when <paramref name="allowBareAddress"/> (as a /32).
    /// </summary>
    public static bool TryParse(string? text, out LabSubnet subnet, out bool hostBitsSet, bool allowBareAddress = false)
    {
        subnet = default;
        hostBitsSet = false;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();

        string addrPart;
        int prefix;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            if (!allowBareAddress) return false;
            addrPart = text;
            prefix = 32;
        }
        else
        {
            addrPart = text[..slash];
            var lenPart = text[(slash + 1)..];
            if (lenPart.Length == 0 || lenPart.Length > 2 || !lenPart.All(char.IsAsciiDigit)) return false;
            prefix = int.Parse(lenPart, NumberStyles.None, CultureInfo.InvariantCulture);
            if (prefix > 32) return false;
        }

        if (!TryParseDottedQuad(addrPart, out var value)) return false;
        var s = new LabSubnet(0, prefix);
        var masked = value & s.Mask;
        hostBitsSet = masked != value;
        subnet = new LabSubnet(masked, prefix);
        return true;
    }

    private static bool TryParseDottedQuad(string text, out uint value)
    {
        value = 0;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
        {
            if (p.Length == 0 || p.Length > 3 || !p.All(char.IsAsciiDigit)) return false;
            var n = int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
            if (n > 255) return false;
            value = (value << 8) | (uint)n;
        }
        return true;
    }
}
