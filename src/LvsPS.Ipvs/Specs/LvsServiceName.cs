namespace LvsPS.Ipvs.Specs;

/// <summary>
/// A virtual service named as ipvsadm names it: "tcp/10.0.0.1:80", "udp/10.0.0.1:53", "sctp/…", "fwm/5",
/// "10.0.0.1:80" (TCP), "[2001:db8::1]:80", LvsService.Name's "TCP 10.0.0.1:80" and "FWM 5", or a bare address
/// ("10.0.0.1", "2001:db8::1") that names the address only. Parse refuses anything else with a message naming the text.
/// </summary>
public sealed class LvsServiceName
{
    /// <summary>The protocol the text names; null when it names none (a bare address or "10.0.0.1:80").</summary>
    public LvsProtocol? Protocol { get; private init; }
    /// <summary>The VIP; null for a firewall-mark service.</summary>
    public IPAddress? Address { get; private init; }
    /// <summary>The port; null when the text gives none.</summary>
    public ushort? Port { get; private init; }
    /// <summary>The firewall mark of "fwm/5"; 0 otherwise.</summary>
    public uint FirewallMark { get; private init; }

    /// <summary>Whether the text named only an address (no protocol, port or mark).</summary>
    public bool IsAddressOnly => Protocol is null && Port is null && FirewallMark == 0;

    /// <summary>The name in ipvsadm's form: "tcp/10.0.0.1:80", "fwm/5", "[2001:db8::1]:80" (no protocol when none was named).</summary>
    public override string ToString() => FirewallMark != 0 ? $"fwm/{FirewallMark}"
        : $"{(Protocol is { } p ? p.ToString().ToLowerInvariant() + "/" : "")}{(Address!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}{(Port is null ? "" : ":" + Port)}";

    public static LvsServiceName Parse(string text) =>
        TryParse(text, out var name, out var error) ? name! : throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, error!, text);

    /// <summary>The service <paramref name="text"/> names, or false with why not (naming the text).</summary>
    public static bool TryParse(string? text, out LvsServiceName? name, out string? error)
    {
        name = null;
        error = null;
        var t = (text ?? "").Trim();
        string Bad(string why) =>
            $"'{text}' is not a virtual service: {why}. Name one as tcp/10.0.0.1:80, udp/10.0.0.1:53, sctp/10.0.0.1:80, fwm/5, 10.0.0.1:80 or [2001:db8::1]:80.";
        if (t.Length == 0) { error = Bad("it is empty"); return false; }

        LvsProtocol? protocol = null;
        // "tcp/…" or the display name's "TCP …".
        int sep = t.IndexOfAny(new[] { '/', ' ' });
        if (sep > 0 && !t.StartsWith('['))
        {
            var head = t[..sep];
            var rest = t[(sep + 1)..].Trim();
            switch (head.ToLowerInvariant())
            {
                case "tcp": protocol = LvsProtocol.Tcp; break;
                case "udp": protocol = LvsProtocol.Udp; break;
                case "sctp": protocol = LvsProtocol.Sctp; break;
                case "fwm":
                    if (!uint.TryParse(rest, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var mark) || mark == 0)
                    { error = Bad($"the firewall mark '{rest}' is not a number from 1 to {uint.MaxValue}"); return false; }
                    name = new LvsServiceName { FirewallMark = mark };
                    return true;
                default:
                    error = Bad($"'{head}' is no protocol (tcp, udp, sctp or fwm)"); return false;
            }
            t = rest;
            if (t.Length == 0) { error = Bad("no address follows the protocol"); return false; }
        }

        string addressText;
        string? portText = null;
        if (t.StartsWith('['))
        {
            int close = t.IndexOf(']');
            if (close < 0) { error = Bad("the '[' of the IPv6 address is not closed"); return false; }
            addressText = t[1..close];
            var after = t[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':') { error = Bad($"'{after}' follows the address where ':port' belongs"); return false; }
                portText = after[1..];
            }
        }
        else if (t.Count(c => c == ':') == 1)
        {
            int colon = t.IndexOf(':');
            addressText = t[..colon];
            portText = t[(colon + 1)..];
        }
        else addressText = t; // an IPv4 address, or an IPv6 one without a port

        if (!IPAddress.TryParse(addressText, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        { error = Bad($"'{addressText}' is not an IP address"); return false; }
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && t.StartsWith('[') == false && portText is not null)
        { error = Bad("an IPv6 address with a port goes in brackets, [2001:db8::1]:80"); return false; }
        ushort? port = null;
        if (portText is not null)
        {
            if (!ushort.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p))
            { error = Bad($"the port '{portText}' is not a number from 0 to 65535"); return false; }
            port = p;
        }
        name = new LvsServiceName { Protocol = protocol, Address = address, Port = port };
        return true;
    }
}
