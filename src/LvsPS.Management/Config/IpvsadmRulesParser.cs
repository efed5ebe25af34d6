using System.Net.Sockets;
using System.Text.RegularExpressions;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Management.Config;

/// <summary>A rules file as <see cref="IpvsadmRulesParser"/> reads it (the text of ipvsadm-save, fed to ipvsadm -R).</summary>
public sealed class IpvsadmRules
{
    /// <summary>The file name used in messages (as given to the parser).</summary>
    public string SourceFile { get; set; } = "";

    /// <summary>
    /// The file has a <c>-C</c> (<c>--clear</c>) line: loading it replaces the whole table. Services defined before
    /// the last -C line are not in <see cref="Services"/>, since the clear would remove them again.
    /// </summary>
    public bool Clears { get; set; }

    /// <summary>The -A lines, in file order, each with the real servers of its -a lines in file order.</summary>
    public List<LvsServiceDefinition> Services { get; set; } = new();

    /// <summary>Non-fatal remarks, each "file:line: text".</summary>
    public List<string> Warnings { get; set; } = new();

    /// <summary>The services as the director would list them (see <see cref="LvsServiceDefinition.ToLvsService"/>).</summary>
    public List<LvsService> ToLvsServices(string director = "") => Services.Select(s => s.ToLvsService(director)).ToList();
}

/// <summary>
/// Reads ipvsadm rules: the output of <c>ipvsadm-save</c> / <c>ipvsadm -S</c>, i.e. what <c>ipvsadm -R</c> reads.
/// <para>
/// Each line is one ipvsadm command, split on blanks (space, tab, CR) as ipvsadm's config_stream.c splits it;
/// a token equal to "ipvsadm" is dropped, so a file of full command lines ("ipvsadm -A -t ...") reads too; a '#'
/// starts a comment that runs to the end of the line (config_stream.c documents this; ipvsadm-restore strips such
/// lines before ipvsadm sees them). Options are read as popt reads them: short (<c>-s rr</c>, <c>-srr</c>) and long
/// (<c>--scheduler rr</c>, <c>--scheduler=rr</c>); <c>-p</c> takes the next token as its timeout only when that
/// token does not start with '-' (a bare -p is 360 seconds, libipvs' IPVS_SVC_PERSISTENT_TIMEOUT).
/// </para>
/// <para>
/// Commands: <c>-A</c> (add-service: <c>-t|-u|--sctp-service host:port</c> or <c>-f mark</c>, <c>-s</c>, <c>-p [N]</c>,
/// <c>-M mask</c>, <c>-b flags</c>), <c>-a</c> (add-server: <c>-t|-u|--sctp-service host:port</c> or <c>-f mark</c>, <c>-r host[:port]</c>,
/// <c>-g|-m|-i</c>, <c>-w</c>, <c>-x</c>, <c>-y</c>, <c>--tun-type ipip</c>) and <c>-C</c> (clear: sets
/// <see cref="IpvsadmRules.Clears"/>). Defaults as in ipvsadm: scheduler wlc, direct routing, weight 1; for -g and -i
/// the real server port is the service port. A service on port 0 (or with no port) is the VIP's every-port service,
/// taken with -p only, as ipvsadm takes it; its -g and -i real servers get port 0. A firewall-mark service (<c>-f N</c>, <c>--fwmark-service N</c>, N in
/// 1..4294967295, or -2147483648..-1 as ipvsadm -S prints a mark above 2147483647) becomes a definition with <see cref="LvsServiceDefinition.FirewallMark"/> N, protocol TCP (as
/// ipvsadm sets it), address 0.0.0.0 and port 0; its real servers keep the port they are given, whatever the
/// forwarding method (ipvsadm does not force ports for fwmark services), and port 0 without one. IPv6 fwmark services
/// (-6), persistence engines (--pe), one-packet scheduling (-o), GUE/GRE tunnels
/// and IPv6 are refused as not supported yet, as are the other ipvsadm commands (-E, -D, -e, -d ...).
/// </para>
/// Every problem is an <see cref="LvsException"/> (ConfigParseError, or HostNameNotResolved /
/// ServiceNameNotResolved) whose message starts with "file:line:" and quotes the bad token; nothing is returned
/// from a file with an error.
/// </summary>
public static class IpvsadmRulesParser
{
    /// <summary>IPVS_SVC_PERSISTENT_TIMEOUT of libipvs: the timeout of a bare -p (the ipvsadm man page says 300, the code 360).</summary>
    public const uint DefaultPersistentTimeout = 360;

    /// <summary>ipvsadm's upper bound for -p (31 days).</summary>
    public const uint MaxPersistentTimeout = 86400 * 31;

    /// <summary>The largest firewall mark (ipvsadm's parse_fwmark: 1..UINT_MAX).</summary>
    public const uint MaxFirewallMark = uint.MaxValue;

    /// <summary>Reads and parses a file; a missing file is ConfigFileNotFound (ObjectNotFound).</summary>
    /// <summary>ConfigFileNotFound (InvalidArgument) for a path that names a directory, not a configuration file.</summary>
    public static LvsException PathIsDirectory(string path) =>
        new(LvsErrorIds.ConfigFileNotFound, LvsErrorKind.InvalidArgument,
            $"'{path}' is a directory, not a configuration file; give the path of a file in it.", path);

    public static IpvsadmRules ParseFile(string path, Func<string, IPAddress?>? resolveHost = null, string servicesPath = LvsDrConfParser.DefaultServicesPath)
        => Parse(ConfigSyntax.ReadFile(path), path, resolveHost, servicesPath);

    /// <summary>Parses rules text; <paramref name="fileName"/> is used in messages and <see cref="LvsServiceDefinition.SourceFile"/>.</summary>
    public static IpvsadmRules Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost = null, string servicesPath = LvsDrConfParser.DefaultServicesPath)
    {
        ArgumentNullException.ThrowIfNull(servicesPath);
        return new Parser(text, new ConfigSyntax(fileName, resolveHost, () => ConfigSyntax.LoadServices(servicesPath), servicesPath)).Run();
    }

    /// <summary>Parses rules text with an already loaded services table.</summary>
    public static IpvsadmRules Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost, ServicesDatabase services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new Parser(text, new ConfigSyntax(fileName, resolveHost, () => services, "the services table")).Run();
    }

    private enum Arg { None, Required, Optional }

    private enum Opt
    {
        AddService, AddServer, Clear, OtherCommand,
        Tcp, Udp, Fwmark, Sctp, Scheduler, Persistent, Netmask, SchedFlags, Pe, Ops, Ipv6,
        RealServer, Gatewaying, Masquerading, Ipip, Weight, UThreshold, LThreshold,
        TunType, TunPort, TunNoCsum, TunCsum, TunRemCsum, Numeric,
    }

    private sealed record OptionSpec(Opt Opt, char Short, string Long, Arg Arg, string Name);

    /// <summary>The options ipvsadm 1.31 knows (ipvsadm.c options_table), with the names its messages use.</summary>
    private static readonly OptionSpec[] Options =
    {
        new(Opt.AddService, 'A', "add-service", Arg.None, "add-service"),
        new(Opt.AddServer, 'a', "add-server", Arg.None, "add-server"),
        new(Opt.Clear, 'C', "clear", Arg.None, "clear"),
        new(Opt.OtherCommand, 'E', "edit-service", Arg.None, "edit-service"),
        new(Opt.OtherCommand, 'D', "delete-service", Arg.None, "delete-service"),
        new(Opt.OtherCommand, 'e', "edit-server", Arg.None, "edit-server"),
        new(Opt.OtherCommand, 'd', "delete-server", Arg.None, "delete-server"),
        new(Opt.OtherCommand, 'L', "list", Arg.None, "list"),
        new(Opt.OtherCommand, 'l', "", Arg.None, "list"),
        new(Opt.OtherCommand, 'Z', "zero", Arg.None, "zero"),
        new(Opt.OtherCommand, 'R', "restore", Arg.None, "restore"),
        new(Opt.OtherCommand, 'S', "save", Arg.None, "save"),
        new(Opt.OtherCommand, '\0', "set", Arg.None, "set"),
        new(Opt.OtherCommand, '\0', "start-daemon", Arg.None, "start-daemon"),
        new(Opt.OtherCommand, '\0', "stop-daemon", Arg.None, "stop-daemon"),
        new(Opt.OtherCommand, 'h', "help", Arg.None, "help"),
        new(Opt.OtherCommand, 'v', "version", Arg.None, "version"),
        new(Opt.Tcp, 't', "tcp-service", Arg.Required, "tcp-service"),
        new(Opt.Udp, 'u', "udp-service", Arg.Required, "udp-service"),
        new(Opt.Fwmark, 'f', "fwmark-service", Arg.Required, "fwmark-service"),
        new(Opt.Sctp, '\0', "sctp-service", Arg.Required, "sctp-service"),
        new(Opt.Scheduler, 's', "scheduler", Arg.Required, "scheduler"),
        new(Opt.Persistent, 'p', "persistent", Arg.Optional, "persistent"),
        new(Opt.Netmask, 'M', "netmask", Arg.Required, "netmask"),
        new(Opt.SchedFlags, 'b', "sched-flags", Arg.Required, "sched-flags"),
        new(Opt.Pe, '\0', "pe", Arg.Required, "pe"),
        new(Opt.Ops, 'o', "ops", Arg.None, "ops"),
        new(Opt.Ipv6, '6', "ipv6", Arg.None, "ipv6"),
        new(Opt.RealServer, 'r', "real-server", Arg.Required, "real-server"),
        new(Opt.Gatewaying, 'g', "gatewaying", Arg.None, "forwarding-method"),
        new(Opt.Masquerading, 'm', "masquerading", Arg.None, "forwarding-method"),
        new(Opt.Ipip, 'i', "ipip", Arg.None, "forwarding-method"),
        new(Opt.Weight, 'w', "weight", Arg.Required, "weight"),
        new(Opt.UThreshold, 'x', "u-threshold", Arg.Required, "u-threshold"),
        new(Opt.LThreshold, 'y', "l-threshold", Arg.Required, "l-threshold"),
        new(Opt.TunType, '\0', "tun-type", Arg.Required, "tun-type"),
        new(Opt.TunPort, '\0', "tun-port", Arg.Required, "tun-port"),
        new(Opt.TunNoCsum, '\0', "tun-nocsum", Arg.None, "tun-nocsum"),
        new(Opt.TunCsum, '\0', "tun-csum", Arg.None, "tun-csum"),
        new(Opt.TunRemCsum, '\0', "tun-remcsum", Arg.None, "tun-remcsum"),
        new(Opt.Numeric, 'n', "numeric", Arg.None, "numeric"),
    };

    private sealed class Parser
    {
        private readonly string _text;
        private readonly ConfigSyntax _c;
        private readonly IpvsadmRules _rules;
        private readonly Dictionary<(uint, LvsProtocol, IPAddress, ushort), LvsServiceDefinition> _byKey = new();
        private readonly Dictionary<LvsRealServerDefinition, int> _rsLines = new();

        public Parser(string text, ConfigSyntax syntax)
        {
            _text = text ?? throw new ArgumentNullException(nameof(text));
            _c = syntax;
            _rules = new IpvsadmRules { SourceFile = _c.File };
        }

        public IpvsadmRules Run()
        {
            var lines = _text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                int hash = line.IndexOf('#');
                if (hash >= 0)
                    line = line[..hash];
                var tokens = line.Split(new[] { ' ', '\t', '\r' }, StringSplitOptions.RemoveEmptyEntries)
                                 .Where(t => t != "ipvsadm").ToList();
                if (tokens.Count == 0)
                    continue;
                _c.Line = i + 1;
                _c.LineText = string.Join(' ', tokens);
                ParseLine(tokens);
            }
            return _rules;
        }

        private void ParseLine(List<string> tokens)
        {
            var given = new Dictionary<string, (OptionSpec Spec, string Token, string? Value)>(StringComparer.Ordinal);
            OptionSpec? command = null;
            string? commandToken = null;

            for (int i = 0; i < tokens.Count; i++)
            {
                string t = tokens[i];
                OptionSpec? spec;
                string? value = null;
                bool hasInlineValue = false;
                if (t.StartsWith("--", StringComparison.Ordinal) && t.Length > 2)
                {
                    string name = t[2..];
                    int eq = name.IndexOf('=');
                    if (eq >= 0)
                    {
                        value = name[(eq + 1)..];
                        name = name[..eq];
                        hasInlineValue = true;
                    }
                    spec = Options.FirstOrDefault(o => o.Long.Length > 0 && o.Long == name);
                    if (spec is null)
                        throw _c.Error($"unknown option '{t}'");
                    if (hasInlineValue && spec.Arg == Arg.None)
                        throw _c.Error($"option '--{name}' takes no value, got '{t}'");
                }
                else if (t.Length >= 2 && t[0] == '-' && t[1] != '-')
                {
                    spec = Options.FirstOrDefault(o => o.Short == t[1]);
                    if (spec is null)
                        throw _c.Error($"unknown option '{t}'");
                    if (t.Length > 2)
                    {
                        if (spec.Arg == Arg.None)
                            throw _c.Error($"unknown option '{t}' (options cannot be grouped)");
                        value = t[2..];
                        hasInlineValue = true;
                    }
                }
                else
                {
                    throw _c.Error($"unexpected argument '{t}'");
                }

                if (!hasInlineValue && spec.Arg != Arg.None && i + 1 < tokens.Count
                    && (spec.Arg == Arg.Required || !tokens[i + 1].StartsWith('-')))
                {
                    value = tokens[++i];
                }
                // ipvsadm -S writes "-b " with nothing after it for sh or mh with flag-3 alone (it names no flag-3 there).
                if (spec.Opt == Opt.SchedFlags && value is null && i + 1 == tokens.Count)
                    value = "";
                if (spec.Arg == Arg.Required && value is null)
                    throw _c.Error($"option '{t}' needs a value");

                if (spec.Opt is Opt.AddService or Opt.AddServer or Opt.Clear or Opt.OtherCommand)
                {
                    if (command is not null)
                        throw _c.Error($"multiple commands specified ('{commandToken}' and '{t}')");
                    if (spec.Opt == Opt.OtherCommand)
                        throw _c.Error($"the command '{t}' ({spec.Name}) is not supported yet in a rules file; LvsPS imports -A, -a and -C lines",
                            kind: LvsErrorKind.NotImplemented);
                    command = spec;
                    commandToken = t;
                    continue;
                }

                string key = spec.Opt is Opt.Tcp or Opt.Udp or Opt.Fwmark or Opt.Sctp ? "service" : spec.Name;
                if (given.TryGetValue(key, out var first))
                    throw _c.Error($"multiple '{key}' options specified ('{first.Token}' and '{t}')");
                given[key] = (spec, t, value);
            }

            if (command is null)
                throw _c.Error("no command: a rules line starts with -A (add-service), -a (add-server) or -C (clear)");

            RejectUnsupported(given.Values);

            switch (command.Opt)
            {
                case Opt.Clear:
                    if (given.Count > 0)
                    {
                        var (spec, token, _) = given.Values.First();
                        throw _c.Error($"illegal '{spec.Name}' option ('{token}') with the 'clear' command");
                    }
                    _rules.Clears = true;
                    _rules.Services.Clear();
                    _byKey.Clear();
                    _rsLines.Clear();
                    break;
                case Opt.AddService:
                    CheckLegal(given, "add-service", "service", "scheduler", "persistent", "netmask", "sched-flags");
                    AddService(given);
                    break;
                case Opt.AddServer:
                    CheckLegal(given, "add-server", "service", "real-server", "forwarding-method", "weight",
                        "u-threshold", "l-threshold", "tun-type", "tun-nocsum");
                    AddServer(given);
                    break;
            }
        }

        private void RejectUnsupported(IEnumerable<(OptionSpec Spec, string Token, string? Value)> options)
        {
            foreach (var (spec, token, value) in options)
            {
                string? what = spec.Opt switch
                {
                    Opt.Pe => "persistence engines (--pe)",
                    Opt.Ops => "one-packet scheduling (-o)",
                    Opt.Ipv6 => "IPv6 firewall-mark services (-6)",
                    Opt.TunPort or Opt.TunCsum or Opt.TunRemCsum => "GUE/GRE tunnel options",
                    Opt.TunType when !string.Equals(value, "ipip", StringComparison.Ordinal) => $"the tunnel type '{value}' (only ipip)",
                    _ => null,
                };
                if (what is not null)
                    throw _c.Error($"'{token}': {what} is not supported yet", kind: LvsErrorKind.NotImplemented);
            }
        }

        private void CheckLegal(Dictionary<string, (OptionSpec Spec, string Token, string? Value)> given, string command, params string[] allowed)
        {
            foreach (var (key, (spec, token, _)) in given)
            {
                if (Array.IndexOf(allowed, key) < 0)
                    throw _c.Error($"illegal '{spec.Name}' option ('{token}') with the '{command}' command");
            }
            if (!given.ContainsKey("service"))
                throw _c.Error($"the '{command}' command needs a service (-t host:port, -u host:port, --sctp-service host:port or -f mark)");
            if (command == "add-server" && !given.ContainsKey("real-server"))
                throw _c.Error("You need to supply the 'real-server' option for the 'add-server' command");
        }

        /// <summary>A service selector: -t/-u/--sctp-service host:port, or -f mark (then TCP, 0.0.0.0, port 0, as ipvsadm fills it in).</summary>
        private (uint Mark, LvsProtocol Proto, IPAddress Address, ushort Port, string PortText) Service((OptionSpec Spec, string Token, string? Value) opt)
        {
            if (opt.Spec.Opt == Opt.Fwmark)
                return (FirewallMark(opt.Value!), LvsProtocol.Tcp, IPAddress.Any, 0, "");
            var proto = opt.Spec.Opt switch
            {
                Opt.Udp => LvsProtocol.Udp,
                Opt.Sctp => LvsProtocol.Sctp,
                _ => LvsProtocol.Tcp,
            };
            var (host, portText) = SplitHostPort(opt.Value!, opt.Token);
            var address = _c.Host(host);
            // No port, or port 0: the VIP's every-port service (ipvsadm takes it for a persistent service only).
            if (portText is null)
                return (0, proto, address, 0, "0");
            return (0, proto, address, _c.Port(portText, proto, allowZero: true), portText);
        }

        /// <summary>
        /// ipvsadm's parse_fwmark: a decimal number 1..4294967295; also -2147483648..-1, the form ipvsadm -S and -L
        /// print a mark above 2147483647 in ("%d"), read back to the same mark (ipvsadm -R itself refuses it).
        /// </summary>
        private uint FirewallMark(string value)
        {
            if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
                || v == 0 || v < int.MinValue || v > MaxFirewallMark || value.StartsWith('+'))
                throw _c.Error($"invalid fwmark value '{value}' (1..{MaxFirewallMark}), or -2147483648..-1 as ipvsadm -S writes a mark above 2147483647");
            return unchecked((uint)v);
        }

        /// <summary>
        /// ipvsadm's parse_sched_flags: flag-1, flag-2, flag-3 with any scheduler; sh-fallback, sh-port only with sh and
        /// mh-fallback, mh-port only with mh ("incompatible scheduler flag"), separated by commas.
        /// </summary>
        private LvsSchedulerFlags SchedulerFlags(string value, LvsScheduler sched)
        {
            if (value.Length == 0 && sched is LvsScheduler.Sh or LvsScheduler.Mh)
                return LvsSchedulerFlags.Flag3; // "-s sh -b " as ipvsadm -S saves sh with flag-3 alone
            var flags = LvsSchedulerFlags.None;
            foreach (var name in value.Split(','))
            {
                string? needs = name switch { "sh-fallback" or "sh-port" => "sh", "mh-fallback" or "mh-port" => "mh", _ => null };
                if (needs is not null && SchedulerFactory.Name(sched) != needs)
                    throw _c.Error($"incompatible scheduler flag '{name}' (it goes with the {needs} scheduler only, not {SchedulerFactory.Name(sched)})");
                flags |= name switch
                {
                    "flag-1" or "sh-fallback" or "mh-fallback" => LvsSchedulerFlags.Fallback,
                    "flag-2" or "sh-port" or "mh-port" => LvsSchedulerFlags.Port,
                    "flag-3" => LvsSchedulerFlags.Flag3,
                    _ => throw _c.Error($"invalid scheduler flag '{name}' (flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback, mh-port)"),
                };
            }
            return flags;
        }

        private static string ServiceText(uint mark, LvsProtocol proto, IPAddress address, ushort port)
            => mark != 0 ? $"FWM {mark.ToString(CultureInfo.InvariantCulture)}" : ConfigSyntax.ServiceText(proto, address, port);

        private (string Host, string? Port) SplitHostPort(string value, string option)
        {
            if (value.Length == 0)
                throw _c.Error($"empty address for '{option}'");
            if (value[0] == '[' || value.Count(ch => ch == ':') > 1)
                throw _c.Error($"'{value}': IPv6 addresses are not supported yet", kind: LvsErrorKind.NotImplemented);
            int colon = value.IndexOf(':');
            if (colon < 0)
                return (value, null);
            if (colon == 0)
                throw _c.Error($"'{value}' has no address");
            string port = value[(colon + 1)..];
            if (port.Length == 0)
                throw _c.Error($"'{value}' has an empty port");
            return (value[..colon], port);
        }

        private void AddService(Dictionary<string, (OptionSpec Spec, string Token, string? Value)> given)
        {
            var (fwmark, proto, address, port, portText) = Service(given["service"]);
            var sched = LvsScheduler.Wlc; // ipvsadm's default
            if (given.TryGetValue("scheduler", out var s) && !SchedulerFactory.TryParse(s.Value, out sched))
                throw _c.Error($"unknown scheduler '{s.Value}'");

            uint timeout = 0;
            if (given.TryGetValue("persistent", out var p))
                timeout = p.Value is null ? DefaultPersistentTimeout : Timeout(p.Value);

            IPAddress? mask = null;
            if (given.TryGetValue("netmask", out var m))
            {
                mask = ConfigSyntax.TryIpv4(m.Value!, out var a) ? a
                    : throw _c.Error($"invalid netmask '{m.Value}' (a dotted quad such as 255.255.255.0)");
                if (mask.Equals(IPAddress.Broadcast))
                    mask = null; // /32 is the default granularity
                if (timeout == 0 && mask is not null)
                {
                    _c.Warn(_rules.Warnings, $"-M {m.Value} without -p has no effect (the service is not persistent); ignored");
                    mask = null;
                }
            }

            if (fwmark == 0 && port == 0 && timeout == 0)
                throw _c.Error($"the service '{given["service"].Value}' is on port 0 (every port) but not persistent; give -p (ipvsadm: Zero port specified for non-persistent service)");
            var flags = given.TryGetValue("sched-flags", out var b) ? SchedulerFlags(b.Value!, sched) : LvsSchedulerFlags.None;

            var key = (fwmark, proto, address, port);
            if (_byKey.TryGetValue(key, out var existing))
                throw _c.Error($"the service {ServiceText(fwmark, proto, address, port)} is already defined on line {existing.Line}");

            var def = new LvsServiceDefinition
            {
                Protocol = proto,
                VirtualAddress = address,
                Port = port,
                Scheduler = sched,
                SchedulerFlags = flags,
                FirewallMark = fwmark,
                PersistentTimeout = timeout,
                PersistenceNetmask = mask,
                SourceFile = _c.File,
                Line = _c.Line,
                PortName = portText,
            };
            _byKey[key] = def;
            _rules.Services.Add(def);
        }

        private void AddServer(Dictionary<string, (OptionSpec Spec, string Token, string? Value)> given)
        {
            var (fwmark, proto, address, port, _) = Service(given["service"]);
            string svcText = ServiceText(fwmark, proto, address, port);
            if (!_byKey.TryGetValue((fwmark, proto, address, port), out var def))
                throw _c.Error($"the service {svcText} is not defined before this line (add it with -A first)");

            var fwd = LvsForwarding.Route; // ipvsadm's default: -g
            if (given.TryGetValue("forwarding-method", out var f))
                fwd = f.Spec.Opt switch { Opt.Masquerading => LvsForwarding.Masq, Opt.Ipip => LvsForwarding.Tunnel, _ => LvsForwarding.Route };
            if (given.TryGetValue("tun-type", out var tt) && fwd != LvsForwarding.Tunnel)
                throw _c.Error($"'{tt.Token}' needs the tunnel forwarding method (-i)");
            if (given.TryGetValue("tun-nocsum", out var nc) && fwd != LvsForwarding.Tunnel)
                throw _c.Error($"'{nc.Token}' needs the tunnel forwarding method (-i)");

            var r = given["real-server"];
            var (host, portText) = SplitHostPort(r.Value!, r.Token);
            var rsAddress = _c.Host(host);
            ushort rsPort = portText is null ? port : _c.Port(portText, proto, allowZero: true);
            if (rsPort == 0)
                rsPort = port;
            // ipvsadm forces the service port on -g and -i real servers, but not for fwmark services (whose port is 0).
            if (fwmark == 0 && fwd != LvsForwarding.Masq && rsPort != port)
            {
                // ipvsadm itself sets the port of a -g or -i destination to the service port.
                _c.Warn(_rules.Warnings, $"real server port {rsPort} differs from the service port {port}; "
                        + $"{(fwd == LvsForwarding.Route ? "direct routing (-g)" : "tunneling (-i)")} cannot change ports, so ipvsadm uses {port}");
                rsPort = port;
            }

            int weight = 1;
            if (given.TryGetValue("weight", out var w))
                weight = Number(w.Value!, "weight", 0, 65535);
            int upper = given.TryGetValue("u-threshold", out var x) ? Number(x.Value!, "u-threshold", 0, int.MaxValue) : 0;
            int lower = given.TryGetValue("l-threshold", out var y) ? Number(y.Value!, "l-threshold", 0, int.MaxValue) : 0;

            foreach (var other in def.RealServers)
            {
                if (other.RealAddress.Equals(rsAddress) && other.RealPort == rsPort)
                    throw _c.Error($"the real server {rsAddress}:{rsPort} is already in {svcText} (line {_rsLines[other]})");
            }
            var rs = new LvsRealServerDefinition
            {
                RealAddress = rsAddress,
                RealPort = rsPort,
                Weight = weight,
                Forwarding = fwd,
                UpperThreshold = upper,
                LowerThreshold = lower,
                HostName = ConfigSyntax.TryIpv4(host, out _) ? null : host,
            };
            _rsLines[rs] = _c.Line;
            def.RealServers.Add(rs);
        }

        private uint Timeout(string value)
        {
            if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint t) || t < 1 || t > MaxPersistentTimeout)
                throw _c.Error($"invalid persistent timeout '{value}' (1..{MaxPersistentTimeout} seconds)");
            return t;
        }

        private int Number(string value, string what, int min, int max)
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
                throw _c.Error($"invalid {what} '{value}' ({min}..{max})");
            return (int)v;
        }
    }
}

/// <summary>
/// What the configuration parsers share: the file and line for messages, host names through the caller's resolver
/// (dotted IPv4 needs none), ports by number or by name from an /etc/services-format table (loaded on first use).
/// </summary>
internal sealed class ConfigSyntax
{
    private static readonly Regex HostPattern = new(@"^[A-Za-z0-9_]([A-Za-z0-9_\-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_\-]*[A-Za-z0-9_])?)*\.?$", RegexOptions.CultureInvariant);

    private readonly Func<string, IPAddress?>? _resolve;
    private readonly Func<ServicesDatabase?> _loadServices;
    private readonly string _servicesName;
    private ServicesDatabase? _services;
    private bool _servicesLoaded;

    public ConfigSyntax(string file, Func<string, IPAddress?>? resolve, Func<ServicesDatabase?> loadServices, string servicesName)
    {
        File = string.IsNullOrEmpty(file) ? "<text>" : file;
        _resolve = resolve;
        _loadServices = loadServices;
        _servicesName = servicesName;
    }

    public string File { get; }
    /// <summary>1-based line of the statement being read (0 = the whole file).</summary>
    public int Line { get; set; }
    /// <summary>The statement being read, quoted at the end of messages ("" for none).</summary>
    public string LineText { get; set; } = "";

    public static string ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (System.IO.Directory.Exists(path)) throw IpvsadmRulesParser.PathIsDirectory(path);
        try
        {
            return System.IO.File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LvsException(LvsErrorIds.ConfigFileNotFound, LvsErrorKind.ObjectNotFound,
                $"The configuration file '{path}' does not exist.", path, ex);
        }
    }

    public static ServicesDatabase? LoadServices(string path)
    {
        try
        {
            return ServicesDatabase.Load(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"file:line: detail in statement".</summary>
    public LvsException Error(string detail, string errorId = LvsErrorIds.ConfigParseError,
        LvsErrorKind kind = LvsErrorKind.ParserError, Exception? inner = null)
    {
        string where = Line > 0 ? $"{File}:{Line}" : File;
        string tail = LineText.Length > 0 ? $" in {LineText}" : "";
        return new LvsException(errorId, kind, $"{where}: {detail}{tail}", File, inner);
    }

    public void Warn(List<string> warnings, string text) => warnings.Add($"{File}:{Line}: {text}");

    public static string ServiceText(LvsProtocol proto, IPAddress address, ushort port)
        => $"{LvsPS.Management.Text.IpvsadmFormatter.ProtocolName(proto)} {address}:{port}";

    /// <summary>A port number 1..65535 (0 with <paramref name="allowZero"/>) or a service name for the protocol.</summary>
    public ushort Port(string token, LvsProtocol proto, bool allowZero = false)
    {
        if (token.Length > 0 && token.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > 65535 || (p == 0 && !allowZero))
                throw Error($"invalid port '{token}' (1..65535)");
            return (ushort)p;
        }
        if (token.Length == 0)
            throw Error("empty port");
        // ipvsadm looks SCTP service names up as getservbyname(name, "sctp"); the services table here answers for
        // tcp and udp only, and a tcp port is not necessarily the sctp one, so ask for the number instead.
        if (proto == LvsProtocol.Sctp)
            throw Error($"service name '{token}' for sctp: service names of SCTP services are not supported yet; give the port number",
                kind: LvsErrorKind.NotImplemented);
        if (!_servicesLoaded)
        {
            _services = _loadServices();
            _servicesLoaded = true;
        }
        string protoName = proto == LvsProtocol.Udp ? "udp" : "tcp";
        if (_services is null)
            throw Error($"cannot resolve service name '{token}' for {protoName}: services file '{_servicesName}' not found",
                LvsErrorIds.ServiceNameNotResolved, LvsErrorKind.ObjectNotFound);
        if (!_services.TryGetPort(token, proto, out ushort port))
            throw Error($"unknown service name '{token}' for {protoName} (not in {_servicesName})",
                LvsErrorIds.ServiceNameNotResolved, LvsErrorKind.ObjectNotFound);
        if (port == 0)
            throw Error($"service name '{token}' maps to port 0");
        return port;
    }

    /// <summary>A dotted IPv4 address, or a host name resolved to one.</summary>
    public IPAddress Host(string token)
    {
        if (TryIpv4(token, out var literal))
            return literal;
        if (token.Contains(':') || token.StartsWith('['))
            throw Error($"'{token}': IPv6 addresses are not supported yet", kind: LvsErrorKind.NotImplemented);
        if (token.All(c => char.IsAsciiDigit(c) || c == '.'))
            throw Error($"invalid IPv4 address '{token}'");
        if (!HostPattern.IsMatch(token))
            throw Error($"invalid host name '{token}'");
        if (_resolve is null)
            throw Error($"cannot resolve host name '{token}': no host resolver was given",
                LvsErrorIds.HostNameNotResolved, LvsErrorKind.ObjectNotFound);
        IPAddress? a;
        try
        {
            a = _resolve(token);
        }
        catch (Exception ex) when (ex is not LvsException)
        {
            throw Error($"cannot resolve host name '{token}': {ex.Message}",
                LvsErrorIds.HostNameNotResolved, LvsErrorKind.ObjectNotFound, ex);
        }
        if (a is null)
            throw Error($"cannot resolve host name '{token}'", LvsErrorIds.HostNameNotResolved, LvsErrorKind.ObjectNotFound);
        if (a.IsIPv4MappedToIPv6)
            a = a.MapToIPv4();
        if (a.AddressFamily != AddressFamily.InterNetwork)
            throw Error($"host name '{token}' resolves to {a}, which is not an IPv4 address");
        return a;
    }

    /// <summary>Strict dotted quad: four decimal parts 0..255 (no "10.1", no hex, no leading '+').</summary>
    public static bool TryIpv4(string s, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = s.Split('.');
        if (parts.Length != 4)
            return false;
        var bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            var p = parts[i];
            if (p.Length == 0 || p.Length > 3 || !p.All(char.IsAsciiDigit))
                return false;
            int v = int.Parse(p, CultureInfo.InvariantCulture);
            if (v > 255)
                return false;
            bytes[i] = (byte)v;
        }
        address = new IPAddress(bytes);
        return true;
    }
}
