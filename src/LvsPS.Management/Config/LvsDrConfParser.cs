using System.Text.RegularExpressions;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Management.Config;

/// <summary>
/// Reads the configure-script format of Joseph Mack's LVS-HOWTO (lvs_dr.conf and friends):
/// <code>
/// LVS_TYPE=VS_DR|VS_NAT|VS_TUN
/// INITIAL_STATE=on|off
/// VIP=dev[:alias] address netmask broadcast
/// DIRECTOR_INSIDEIP=dev address network netmask broadcast
/// DIRECTOR_DEFAULT_GW=host
/// SERVICE=t|u port scheduler rs[:port][,weight] ...
/// SERVER_VIP_DEVICE=dummy0
/// SERVER_NET_DEVICE=eth0
/// SERVER_DEFAULT_GW=host
/// </code>
/// '#' starts a comment (whole line or rest of line); blank lines are ignored; settings may come in any order.
/// Ports are numbers or names from an /etc/services-format file (aliases such as www count); host names go
/// through the caller's resolver, dotted IPv4 addresses need none. Every problem is an <see cref="LvsException"/>
/// whose message starts with "file:line:" and quotes the bad value.
/// </summary>
public static class LvsDrConfParser
{
    public const string DefaultServicesPath = "/etc/services";

    private static readonly Regex KeyPattern = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    /// <summary>Reads and parses a file; a missing file is ConfigFileNotFound (ObjectNotFound).</summary>
    public static LvsDrConfiguration ParseFile(string path, Func<string, IPAddress?>? resolveHost = null, string servicesPath = DefaultServicesPath)
    {
        return Parse(ConfigSyntax.ReadFile(path), path, resolveHost, servicesPath);
    }

    /// <summary>Parses configuration text; <paramref name="fileName"/> is used in messages and <see cref="LvsServiceDefinition.SourceFile"/>.</summary>
    public static LvsDrConfiguration Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost = null, string servicesPath = DefaultServicesPath)
    {
        ArgumentNullException.ThrowIfNull(servicesPath);
        return new Parser(text, fileName, resolveHost, () => ConfigSyntax.LoadServices(servicesPath), servicesPath).Run();
    }

    /// <summary>Parses configuration text with an already loaded services table.</summary>
    public static LvsDrConfiguration Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost, ServicesDatabase services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new Parser(text, fileName, resolveHost, () => services, "the services table").Run();
    }

    private sealed class Parser
    {
        private readonly string _text;
        /// <summary>File, line, errors, host and port resolution shared with the other configuration parsers.</summary>
        private readonly ConfigSyntax _syn;

        private readonly LvsDrConfiguration _conf;
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
        private readonly List<(LvsServiceDefinition Def, string Text)> _pending = new();


        public Parser(string text, string file, Func<string, IPAddress?>? resolve, Func<ServicesDatabase?> loadServices, string servicesName)
        {
            _text = text ?? throw new ArgumentNullException(nameof(text));
            _syn = new ConfigSyntax(file, resolve, loadServices, servicesName);
            _conf = new LvsDrConfiguration { SourceFile = _syn.File };
        }

        public LvsDrConfiguration Run()
        {
            var lines = _text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                _syn.Line = i + 1;
                string line = lines[i].TrimEnd('\r');
                int hash = line.IndexOf('#');
                if (hash >= 0)
                    line = line[..hash];
                line = line.Trim();
                if (line.Length == 0)
                    continue;
                _syn.LineText = line;
                ParseLine(line);
            }
            Finish();
            return _conf;
        }

        private void ParseLine(string line)
        {
            int eq = line.IndexOf('=');
            if (eq < 0)
                throw Error($"expected KEY=value, got '{line}'");
            string key = line[..eq].Trim();
            string value = Unquote(line[(eq + 1)..].Trim());
            if (!KeyPattern.IsMatch(key))
                throw Error($"invalid setting name '{key}'");
            key = key.ToUpperInvariant();

            if (key != "SERVICE" && IsKnown(key))
            {
                if (_seen.TryGetValue(key, out int first))
                    throw Error($"duplicate {key} (first set on line {first})");
                _seen[key] = _syn.Line;
            }

            switch (key)
            {
                case "LVS_TYPE":
                    _conf.LvsType = value.ToUpperInvariant() switch
                    {
                        "VS_DR" => LvsForwarding.Route,
                        "VS_NAT" => LvsForwarding.Masq,
                        "VS_TUN" => LvsForwarding.Tunnel,
                        _ => throw Error($"unknown LVS_TYPE '{value}' (expected VS_DR, VS_NAT or VS_TUN)"),
                    };
                    break;
                case "INITIAL_STATE":
                    _conf.InitialState = value.ToLowerInvariant() switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw Error($"INITIAL_STATE must be on or off, not '{value}'"),
                    };
                    break;
                case "VIP":
                    ParseVip(value);
                    break;
                case "DIRECTOR_INSIDEIP":
                    ParseDirectorInside(value);
                    break;
                case "DIRECTOR_DEFAULT_GW":
                    _conf.DirectorDefaultGateway = SingleToken(key, value);
                    break;
                case "SERVER_DEFAULT_GW":
                    _conf.ServerDefaultGateway = SingleToken(key, value);
                    break;
                case "SERVER_VIP_DEVICE":
                    _conf.ServerVipDevice = Device(SingleToken(key, value) ?? throw Error($"SERVER_VIP_DEVICE needs a device name"));
                    break;
                case "SERVER_NET_DEVICE":
                    _conf.ServerNetDevice = Device(SingleToken(key, value) ?? throw Error($"SERVER_NET_DEVICE needs a device name"), allowAlias: false);
                    break;
                case "SERVICE":
                    ParseService(value);
                    break;
                default:
                    _conf.Warnings.Add($"{_syn.File}:{_syn.Line}: unknown setting '{key}' ignored");
                    break;
            }
        }

        private static bool IsKnown(string key) => key is "LVS_TYPE" or "INITIAL_STATE" or "VIP" or "DIRECTOR_INSIDEIP"
            or "DIRECTOR_DEFAULT_GW" or "SERVER_DEFAULT_GW" or "SERVER_VIP_DEVICE" or "SERVER_NET_DEVICE";

        private void ParseVip(string value)
        {
            string[] t;
            (_conf.VipDevice, _conf.VirtualAddress, t) = DeviceAndAddress("VIP", value, 4, "device[:alias] address netmask broadcast");
            _conf.VipNetmask = t.Length > 2 ? Netmask(t[2]) : IPAddress.Broadcast;
            _conf.VipBroadcast = t.Length > 3 ? _syn.Host(t[3]) : null;
        }

        private void ParseDirectorInside(string value)
        {
            string[] t;
            (_conf.DirectorDevice, _conf.DirectorAddress, t) = DeviceAndAddress("DIRECTOR_INSIDEIP", value, 5, "device address network netmask broadcast", allowAlias: false);
            _conf.DirectorNetwork = t.Length > 2 ? Ipv4Literal(t[2], "network") : null;
            _conf.DirectorNetmask = t.Length > 3 ? Netmask(t[3]) : null;
            _conf.DirectorBroadcast = t.Length > 4 ? Ipv4Literal(t[4], "broadcast") : null;
        }

        /// <summary>
        /// A "device address ..." setting (VIP, DIRECTOR_INSIDEIP): 2 to <paramref name="maxWords"/> words, else an error
        /// giving the expected <paramref name="form"/>; the device name checked, the address resolved, and all the words.
        /// </summary>
        private (string Device, IPAddress Address, string[] Words) DeviceAndAddress(string key, string value, int maxWords, string form, bool allowAlias = true)
        {
            var t = Tokens(value);
            if (t.Length < 2 || t.Length > maxWords)
                throw Error($"{key} needs '{form}', got '{value}'");
            return (Device(t[0], allowAlias), _syn.Host(t[1]), t);
        }

        private void ParseService(string value)
        {
            var t = Tokens(value);
            if (t.Length < 3)
                throw Error($"SERVICE needs 't|u port scheduler realserver[:port][,weight] ...', got '{value}'");

            LvsProtocol proto = t[0].ToLowerInvariant() switch
            {
                "t" or "tcp" => LvsProtocol.Tcp,
                "u" or "udp" => LvsProtocol.Udp,
                "f" => throw Error("fwmark services ('f') are not supported; use t or u"),
                _ => throw Error($"unknown protocol '{t[0]}' (expected t or u)"),
            };
            ushort port = _syn.Port(t[1], proto);
            if (!SchedulerFactory.TryParse(t[2], out var sched))
                throw Error($"unknown scheduler '{t[2]}'");

            var def = new LvsServiceDefinition
            {
                Protocol = proto,
                Port = port,
                Scheduler = sched,
                SourceFile = _syn.File,
                Line = _syn.Line,
                PortName = t[1],
            };
            for (int i = 3; i < t.Length; i++)
            {
                var rs = RealServer(t[i], proto, port);
                foreach (var other in def.RealServers)
                {
                    if (other.RealAddress.Equals(rs.RealAddress) && other.RealPort == rs.RealPort)
                        throw Error($"real server '{t[i]}' is listed twice ({rs.RealAddress}:{rs.RealPort})");
                }
                def.RealServers.Add(rs);
            }

            foreach (var (other, _) in _pending)
            {
                if (other.Protocol == proto && other.Port == port)
                    throw Error($"duplicate service {(proto == LvsProtocol.Tcp ? "t" : "u")} {t[1]} (port {port}, first defined on line {other.Line})");
            }
            _pending.Add((def, _syn.LineText));
            _conf.Services.Add(def);
        }

        private LvsRealServerDefinition RealServer(string token, LvsProtocol proto, ushort servicePort)
        {
            string hostPart = token;
            int weight = 1;
            int comma = token.IndexOf(',');
            if (comma >= 0)
            {
                string w = token[(comma + 1)..];
                if (!int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight > 65535)
                    throw Error($"invalid weight '{w}' in real server '{token}' (0..65535)");
                hostPart = token[..comma];
            }
            ushort rport = servicePort;
            int colon = hostPart.IndexOf(':');
            if (colon >= 0)
            {
                rport = _syn.Port(hostPart[(colon + 1)..], proto);
                hostPart = hostPart[..colon];
            }
            if (hostPart.Length == 0)
                throw Error($"real server '{token}' has no address");
            var addr = _syn.Host(hostPart);
            return new LvsRealServerDefinition
            {
                RealAddress = addr,
                RealPort = rport,
                Weight = weight,
                HostName = IsIpv4Literal(hostPart) ? null : hostPart,
            };
        }

        private void Finish()
        {
            _syn.Line = 0;
            if (!_seen.ContainsKey("LVS_TYPE"))
                throw FileError("no LVS_TYPE= line (VS_DR, VS_NAT or VS_TUN)");
            if (!_seen.ContainsKey("VIP"))
                throw FileError("no VIP= line (device[:alias] address netmask broadcast)");

            foreach (var (def, text) in _pending)
            {
                def.VirtualAddress = _conf.VirtualAddress;
                for (int i = 0; i < def.RealServers.Count; i++)
                {
                    var rs = def.RealServers[i];
                    rs.Forwarding = _conf.LvsType;
                    if (_conf.LvsType != LvsForwarding.Masq && rs.RealPort != def.Port)
                    {
                        _syn.Line = def.Line;
                        _syn.LineText = text;
                        throw Error($"real server port {rs.RealPort} differs from the service port {def.Port}; "
                                    + $"{(_conf.LvsType == LvsForwarding.Route ? "VS_DR" : "VS_TUN")} cannot change ports (use VS_NAT)");
                    }
                }
            }
        }

        // --- tokens ------------------------------------------------------------------------------------------

        private IPAddress Ipv4Literal(string token, string what)
            => ConfigSyntax.TryIpv4(token, out var a) ? a : throw Error($"invalid {what} address '{token}'");

        private IPAddress Netmask(string token)
        {
            if (!ConfigSyntax.TryIpv4(token, out var a))
                throw Error($"invalid netmask '{token}'");
            Span<byte> b = stackalloc byte[4];
            a.TryWriteBytes(b, out _);
            uint m = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b);
            if ((~m & (~m + 1)) != 0) // the zero bits must be a contiguous low run
                throw Error($"invalid netmask '{token}' (not a contiguous mask)");
            return a;
        }

        private string Device(string token, bool allowAlias = true)
        {
            if (LvsDrDeviceName.Problem(token, allowAlias) is { } why)
                throw Error($"invalid device name '{token}' ({why})");
            return token;
        }

        private string? SingleToken(string key, string value)
        {
            var t = Tokens(value);
            if (t.Length == 0)
                return null;
            if (t.Length > 1)
                throw Error($"{key} takes one value, got '{value}'");
            return t[0];
        }

        private static string[] Tokens(string value) => value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        private static string Unquote(string v)
            => v.Length >= 2 && ((v[0] == '"' && v[^1] == '"') || (v[0] == '\'' && v[^1] == '\'')) ? v[1..^1].Trim() : v;

        private static bool IsIpv4Literal(string s) => ConfigSyntax.TryIpv4(s, out _);

        private LvsException Error(string detail, string errorId = LvsErrorIds.ConfigParseError,
            LvsErrorKind kind = LvsErrorKind.ParserError, Exception? inner = null)
            => _syn.Error(detail, errorId, kind, inner);

        private LvsException FileError(string detail)
            => new(LvsErrorIds.ConfigParseError, LvsErrorKind.ParserError, $"{_syn.File}: {detail}", _syn.File);
    }
}
