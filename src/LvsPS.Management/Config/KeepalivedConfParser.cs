using System.Globalization;
using System.Net;
using System.Text;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Management.Config;

/// <summary>The LVS part of a keepalived.conf as <see cref="KeepalivedConfParser"/> reads it.</summary>
public sealed class KeepalivedConfiguration
{
    /// <summary>The file name used in messages (as given to the parser).</summary>
    public string SourceFile { get; set; } = "";

    /// <summary>The virtual_server blocks, in file order, each with its real_server blocks in file order.</summary>
    public List<LvsServiceDefinition> Services { get; set; } = new();

    /// <summary>
    /// The health-check blocks of the real servers (TCP_CHECK, HTTP_GET, MISC_CHECK ...), by name only: LvsPS does
    /// not run them yet, they are kept for when it does.
    /// </summary>
    public List<KeepalivedHealthCheck> HealthChecks { get; set; } = new();

    /// <summary>Non-fatal remarks, each "file:line: text" (defaults keepalived applies, settings that were ignored).</summary>
    public List<string> Warnings { get; set; } = new();

    /// <summary>The names of the health checks of one real server, in file order.</summary>
    public IReadOnlyList<string> HealthChecksOf(LvsRealServerDefinition realServer)
        => HealthChecks.Where(h => ReferenceEquals(h.RealServer, realServer)).Select(h => h.Name).ToList();

    /// <summary>The services as the director would list them (see <see cref="LvsServiceDefinition.ToLvsService"/>).</summary>
    public List<LvsService> ToLvsServices(string director = "") => Services.Select(s => s.ToLvsService(director)).ToList();
}

/// <summary>One health-check block of a real_server (not interpreted yet).</summary>
public sealed class KeepalivedHealthCheck
{
    /// <summary>The block's keyword: TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, SMTP_CHECK, DNS_CHECK ...</summary>
    public string Name { get; set; } = "";
    public LvsServiceDefinition Service { get; set; } = null!;
    public LvsRealServerDefinition RealServer { get; set; } = null!;
    /// <summary>1-based line of the block's keyword.</summary>
    public int Line { get; set; }

    public override string ToString() => $"{Name} {RealServer.RealAddress}:{RealServer.RealPort}";
}

/// <summary>
/// Reads the LVS configuration of a keepalived.conf: every <c>virtual_server IP PORT { ... }</c> and
/// <c>virtual_server fwmark N { ... }</c> block.
/// <para>
/// The syntax is keepalived's: one keyword and its values per line, blocks in braces, comments from '#' or '!' to the
/// end of the line (anywhere, except inside a double-quoted string). Other top-level blocks (global_defs,
/// vrrp_instance, vrrp_script, virtual_server_group ...) are skipped with their nested braces; <c>include</c> is
/// refused, since it would read other files: import the included file itself.
/// </para>
/// <para>
/// In a virtual_server: <c>lvs_sched</c>/<c>lb_algo</c> (default wlc, as keepalived's IPVS_DEF_SCHED),
/// <c>lvs_method</c>/<c>lb_kind</c> NAT|DR|TUN (default NAT, as keepalived; DR = Route, NAT = Masq, TUN = Tunnel),
/// <c>protocol</c> TCP|UDP|SCTP (without one keepalived uses UDP, and so does this parser, with a warning),
/// <c>persistence_timeout [N]</c> (bare: 360 s), <c>persistence_granularity MASK</c> (which, as in keepalived, makes
/// the service persistent for 360 s if no timeout is set) and its <c>real_server IP [PORT] { ... }</c> blocks with
/// <c>weight</c> (default 1), <c>uthreshold</c>, <c>lthreshold</c>, an <c>lvs_method</c> of their own and health-check
/// blocks (recorded by name in <see cref="KeepalivedConfiguration.HealthChecks"/>). Other keywords (delay_loop,
/// quorum, alpha, notify_up ...) are ignored.
/// </para>
/// <para>
/// keepalived's corrections are repeated and reported as warnings: a real server without a port, or (for DR and TUN)
/// with a port other than the service's, gets the service port; a repeated real server is dropped; a virtual_server
/// without real servers is ignored. A <c>virtual_server fwmark N</c> (N in 1..4294967295) becomes a definition with
/// <see cref="LvsServiceDefinition.FirewallMark"/> N, protocol TCP, address 0.0.0.0 and port 0 (a <c>protocol</c>
/// line is accepted and has no effect: the mark selects the packets); its real servers keep the port they are given,
/// or 0, whatever the forwarding method. <c>virtual_server group NAME</c>, IPv6, GUE/GRE tunnels,
/// persistence engines and scheduler flags (ops, sh-port ...) are refused as not supported yet. Unlike keepalived,
/// which logs and carries on, an invalid value is an error.
/// </para>
/// Every problem is an <see cref="LvsException"/> (ConfigParseError, or HostNameNotResolved /
/// ServiceNameNotResolved) whose message starts with "file:line:" and quotes the bad value; nothing is returned from
/// a file with an error.
/// </summary>
public static class KeepalivedConfParser
{
    /// <summary>keepalived's IPVS_DEF_SCHED: the scheduler of a virtual_server without lvs_sched.</summary>
    public const LvsScheduler DefaultScheduler = LvsScheduler.Wlc;

    /// <summary>keepalived's forwarding method when neither the virtual_server nor the real_server sets one.</summary>
    public const LvsForwarding DefaultForwarding = LvsForwarding.Masq;

    /// <summary>IPVS_SVC_PERSISTENT_TIMEOUT: a bare persistence_timeout, or persistence_granularity alone.</summary>
    public const uint DefaultPersistentTimeout = 360;

    /// <summary>Reads and parses a file; a missing file is ConfigFileNotFound (ObjectNotFound).</summary>
    public static KeepalivedConfiguration ParseFile(string path, Func<string, IPAddress?>? resolveHost = null, string servicesPath = LvsDrConfParser.DefaultServicesPath)
        => Parse(ConfigSyntax.ReadFile(path), path, resolveHost, servicesPath);

    /// <summary>Parses keepalived.conf text; <paramref name="fileName"/> is used in messages and <see cref="LvsServiceDefinition.SourceFile"/>.</summary>
    public static KeepalivedConfiguration Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost = null, string servicesPath = LvsDrConfParser.DefaultServicesPath)
    {
        ArgumentNullException.ThrowIfNull(servicesPath);
        return new Parser(text, new ConfigSyntax(fileName, resolveHost, () => ConfigSyntax.LoadServices(servicesPath), servicesPath)).Run();
    }

    /// <summary>Parses keepalived.conf text with an already loaded services table.</summary>
    public static KeepalivedConfiguration Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost, ServicesDatabase services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new Parser(text, new ConfigSyntax(fileName, resolveHost, () => services, "the services table")).Run();
    }

    private enum TokenKind { Word, Open, Close, EndOfLine, End }

    private readonly record struct Token(TokenKind Kind, string Text, int Line);

    /// <summary>A keyword with its values on one line, and whether a '{' block follows it.</summary>
    private sealed record Statement(List<string> Words, int Line, bool HasBlock, string Text)
    {
        public string Keyword => Words[0];
        public int ValueCount => Words.Count - 1;
    }

    /// <summary>Splits the text into words, braces and line ends; comments and quotes are resolved here.</summary>
    private static List<Token> Tokenize(string text, ConfigSyntax c)
    {
        var tokens = new List<Token>();
        int line = 1;
        int i = 0;
        var word = new StringBuilder();
        bool inWord = false;

        void Flush()
        {
            if (inWord)
                tokens.Add(new Token(TokenKind.Word, word.ToString(), line));
            word.Clear();
            inWord = false;
        }

        while (i < text.Length)
        {
            char ch = text[i];
            switch (ch)
            {
                case '\n':
                    Flush();
                    tokens.Add(new Token(TokenKind.EndOfLine, "", line));
                    line++;
                    i++;
                    break;
                case ' ' or '\t' or '\r' or '\f' or '\v':
                    Flush();
                    i++;
                    break;
                case '#' or '!':
                    Flush();
                    while (i < text.Length && text[i] != '\n')
                        i++;
                    break;
                case '{':
                    Flush();
                    tokens.Add(new Token(TokenKind.Open, "{", line));
                    i++;
                    break;
                case '}':
                    Flush();
                    tokens.Add(new Token(TokenKind.Close, "}", line));
                    i++;
                    break;
                case '"':
                {
                    int start = line;
                    int close = text.IndexOf('"', i + 1);
                    int eol = text.IndexOf('\n', i + 1);
                    if (close < 0 || (eol >= 0 && eol < close))
                    {
                        c.Line = start;
                        c.LineText = "";
                        throw c.Error("unterminated double-quoted string");
                    }
                    word.Append(text, i + 1, close - i - 1);
                    inWord = true;
                    i = close + 1;
                    break;
                }
                default:
                    word.Append(ch);
                    inWord = true;
                    i++;
                    break;
            }
        }
        Flush();
        tokens.Add(new Token(TokenKind.End, "", line));
        return tokens;
    }

    private sealed class Parser
    {
        private readonly string[] _lines;
        private readonly List<Token> _tokens;
        private readonly ConfigSyntax _c;
        private readonly KeepalivedConfiguration _conf;
        private readonly Dictionary<(uint, LvsProtocol, IPAddress, ushort), LvsServiceDefinition> _byKey = new();
        private int _pos;
        private bool _sawVirtualServer;

        public Parser(string text, ConfigSyntax syntax)
        {
            ArgumentNullException.ThrowIfNull(text);
            _c = syntax;
            _lines = text.Split('\n');
            _tokens = Tokenize(text, syntax);
            _conf = new KeepalivedConfiguration { SourceFile = _c.File };
        }

        public KeepalivedConfiguration Run()
        {
            while (true)
            {
                var st = NextStatement(out bool closed, out int closeLine);
                if (closed)
                {
                    At(closeLine);
                    throw _c.Error("unbalanced '}' (no block is open)");
                }
                if (st is null)
                    break;
                switch (st.Keyword)
                {
                    case "include":
                        At(st);
                        throw _c.Error($"include is not followed; import the included file{(st.ValueCount > 0 ? $" '{st.Words[1]}'" : "")} itself");
                    case "virtual_server":
                        _sawVirtualServer = true;
                        VirtualServer(st);
                        break;
                    default:
                        if (st.Keyword.StartsWith('-'))
                        {
                            // no keepalived keyword starts with '-': most likely ipvsadm rules read as keepalived.conf
                            At(st);
                            throw _c.Error($"'{st.Keyword}' is not a keepalived keyword (this looks like an ipvsadm rules file)");
                        }
                        if (st.HasBlock)
                            SkipBlock(st);
                        break;
                }
            }
            if (!_sawVirtualServer)
            {
                _c.Line = 0;
                _c.LineText = "";
                _conf.Warnings.Add($"{_c.File}: no virtual_server block");
            }
            return _conf;
        }

        // --- statements ---------------------------------------------------------------------------------------

        /// <summary>
        /// The next statement: its words up to the end of the line, a '{' (then HasBlock) or a '}' (left for the
        /// caller). Returns null at the end of the text, or with <paramref name="closed"/> at a '}'.
        /// </summary>
        private Statement? NextStatement(out bool closed, out int closeLine)
        {
            closed = false;
            closeLine = 0;
            while (true)
            {
                var t = _tokens[_pos];
                if (t.Kind == TokenKind.End)
                    return null;
                if (t.Kind == TokenKind.EndOfLine)
                {
                    _pos++;
                    continue;
                }
                if (t.Kind == TokenKind.Close)
                {
                    _pos++;
                    closed = true;
                    closeLine = t.Line;
                    return null;
                }
                if (t.Kind == TokenKind.Open)
                {
                    At(t.Line);
                    throw _c.Error("'{' without a keyword before it");
                }
                var words = new List<string>();
                int line = t.Line;
                while (_tokens[_pos].Kind == TokenKind.Word)
                    words.Add(_tokens[_pos++].Text);
                // The '{' may also stand at the start of a following line.
                int look = _pos;
                while (_tokens[look].Kind == TokenKind.EndOfLine)
                    look++;
                bool block = false;
                if (_tokens[look].Kind == TokenKind.Open)
                {
                    _pos = look + 1;
                    block = true;
                }
                return new Statement(words, line, block, LineTextAt(line));
            }
        }

        /// <summary>Skips the rest of a block whose '{' was read, nested blocks included.</summary>
        private void SkipBlock(Statement owner)
        {
            int depth = 1;
            while (depth > 0)
            {
                var t = _tokens[_pos++];
                if (t.Kind == TokenKind.Open)
                    depth++;
                else if (t.Kind == TokenKind.Close)
                    depth--;
                else if (t.Kind == TokenKind.End)
                {
                    At(owner);
                    throw _c.Error($"the '{owner.Keyword}' block opened here has no closing '}}'");
                }
            }
        }

        /// <summary>Reads the statements of a block whose '{' was read, up to its '}'.</summary>
        private IEnumerable<Statement> BlockStatements(Statement owner)
        {
            while (true)
            {
                var st = NextStatement(out bool closed, out _);
                if (closed)
                    yield break;
                if (st is null)
                {
                    At(owner);
                    throw _c.Error($"the '{owner.Keyword}' block opened here has no closing '}}'");
                }
                yield return st;
            }
        }

        private void At(Statement st)
        {
            _c.Line = st.Line;
            _c.LineText = st.Text;
        }

        private void At(int line)
        {
            _c.Line = line;
            _c.LineText = LineTextAt(line);
        }

        private string LineTextAt(int line)
            => line >= 1 && line <= _lines.Length ? _lines[line - 1].Trim() : "";

        // --- virtual_server -------------------------------------------------------------------------------------

        private sealed class PendingRealServer
        {
            public LvsRealServerDefinition Def = null!;
            public Statement Statement = null!;
            public bool PortGiven;
            public LvsForwarding? Forwarding;
        }

        private void VirtualServer(Statement st)
        {
            At(st);
            if (st.ValueCount >= 1 && st.Words[1] == "group")
                throw _c.Error("'virtual_server group' (virtual_server_group services) is not supported yet",
                    kind: LvsErrorKind.NotImplemented);
            bool isFwmark = st.ValueCount >= 1 && st.Words[1] == "fwmark";
            if (st.ValueCount < 2)
                throw _c.Error(isFwmark
                    ? "virtual_server fwmark needs a mark (virtual_server fwmark N { ... })"
                    : "virtual_server needs an address and a port (virtual_server IP PORT { ... })");
            if (st.ValueCount > 2)
                throw _c.Error($"unexpected '{st.Words[3]}' after virtual_server {st.Words[1]} {st.Words[2]}");
            if (!st.HasBlock)
                throw _c.Error("virtual_server needs a '{' block");

            uint fwmark = isFwmark ? FirewallMark(st.Words[2]) : 0;
            var address = isFwmark ? IPAddress.Any : _c.Host(st.Words[1]);
            string portText = isFwmark ? "" : st.Words[2];
            LvsScheduler? sched = null;
            LvsForwarding? fwd = null;
            LvsProtocol? proto = null;
            uint timeout = 0;
            IPAddress? mask = null;
            bool maskGiven = false;
            var realServers = new List<PendingRealServer>();
            var checks = new List<(PendingRealServer Rs, string Name, int Line)>();

            foreach (var s in BlockStatements(st))
            {
                At(s);
                switch (s.Keyword)
                {
                    case "lvs_sched" or "lb_algo":
                        NoBlock(s);
                        sched = Scheduler(s);
                        break;
                    case "lvs_method" or "lb_kind":
                        NoBlock(s);
                        fwd = Method(s);
                        break;
                    case "protocol":
                        NoBlock(s);
                        proto = Protocol(s);
                        break;
                    case "persistence_timeout":
                        NoBlock(s);
                        timeout = s.ValueCount == 0 ? DefaultPersistentTimeout : Timeout(s);
                        break;
                    case "persistence_granularity":
                        NoBlock(s);
                        Values(s, 1);
                        if (!ConfigSyntax.TryIpv4(s.Words[1], out var m))
                            throw _c.Error(s.Words[1].All(char.IsAsciiDigit)
                                ? $"'{s.Words[1]}': IPv6 persistence granularity is not supported yet"
                                : $"invalid persistence_granularity '{s.Words[1]}' (a dotted quad such as 255.255.255.0)",
                                kind: s.Words[1].All(char.IsAsciiDigit) ? LvsErrorKind.NotImplemented : LvsErrorKind.ParserError);
                        mask = m.Equals(IPAddress.Broadcast) ? null : m;
                        maskGiven = true;
                        break;
                    case "ip_family":
                        NoBlock(s);
                        Values(s, 1);
                        if (s.Words[1] == "inet6")
                            throw _c.Error("ip_family inet6: IPv6 services are not supported yet", kind: LvsErrorKind.NotImplemented);
                        if (s.Words[1] != "inet")
                            throw _c.Error($"unknown ip_family '{s.Words[1]}' (inet or inet6)");
                        break;
                    case "persistence_engine":
                        throw _c.Error($"'{s.Keyword}': persistence engines are not supported yet", kind: LvsErrorKind.NotImplemented);
                    case "ops" or "flag-1" or "flag-2" or "flag-3" or "sh-port" or "sh-fallback" or "mh-port" or "mh-fallback":
                        throw _c.Error($"'{s.Keyword}': scheduler flags and one-packet scheduling are not supported yet", kind: LvsErrorKind.NotImplemented);
                    case "sorry_server" or "sorry_server_inhibit" or "sorry_server_lvs_method":
                        _c.Warn(_conf.Warnings, $"'{s.Keyword}' ignored: sorry servers are not supported yet");
                        if (s.HasBlock)
                            SkipBlock(s);
                        break;
                    case "real_server":
                        realServers.Add(RealServer(s, checks));
                        break;
                    default:
                        if (s.HasBlock)
                            SkipBlock(s);
                        break;
                }
            }

            At(st);
            if (isFwmark)
                proto = LvsProtocol.Tcp; // the mark selects the packets; ipvsadm fills in TCP for fwmark services too
            if (proto is null)
            {
                // keepalived: "no protocol set - defaulting to UDP" (the kernel would take protocol 0 as UDP).
                _c.Warn(_conf.Warnings, "no protocol set: keepalived defaults to UDP");
                proto = LvsProtocol.Udp;
            }
            ushort port = isFwmark ? (ushort)0 : _c.Port(portText, proto.Value, allowZero: true);
            if (port == 0 && !isFwmark)
                throw _c.Error($"port 0 (every port of a persistent service) is not supported yet", kind: LvsErrorKind.NotImplemented);
            if (maskGiven && timeout == 0)
                timeout = DefaultPersistentTimeout; // keepalived: persistence_granularity implies persistence
            var key = (fwmark, proto.Value, address, port);
            string svcText = isFwmark ? $"fwmark {fwmark.ToString(CultureInfo.InvariantCulture)}" : ConfigSyntax.ServiceText(proto.Value, address, port);
            if (_byKey.TryGetValue(key, out var dup))
                throw _c.Error($"the virtual_server {svcText} is already defined on line {dup.Line}");

            if (realServers.Count == 0)
            {
                _c.Warn(_conf.Warnings, $"virtual_server {svcText} has no real servers; keepalived ignores it, and so does this import");
                return;
            }

            var def = new LvsServiceDefinition
            {
                Protocol = proto.Value,
                VirtualAddress = address,
                Port = port,
                Scheduler = sched ?? DefaultScheduler,
                FirewallMark = fwmark,
                PersistentTimeout = timeout,
                PersistenceNetmask = mask,
                SourceFile = _c.File,
                Line = st.Line,
                PortName = portText,
            };
            bool warnedForwarding = false;
            foreach (var p in realServers)
            {
                var rs = p.Def;
                At(p.Statement);
                if (p.Forwarding is null && fwd is null && !warnedForwarding)
                {
                    _c.Warn(_conf.Warnings, "no lvs_method set: keepalived defaults to NAT");
                    warnedForwarding = true;
                }
                rs.Forwarding = p.Forwarding ?? fwd ?? DefaultForwarding;
                rs.RealPort = port;
                if (p.PortGiven)
                {
                    ushort given = _c.Port(p.Statement.Words[2], proto.Value, allowZero: true);
                    if (given != 0)
                        rs.RealPort = given;
                }
                if (!isFwmark && rs.Forwarding != LvsForwarding.Masq && rs.RealPort != port)
                {
                    _c.Warn(_conf.Warnings, $"real server port {rs.RealPort} differs from the virtual server port {port}; keepalived resets it to {port}, since DR and TUN cannot change ports");
                    rs.RealPort = port;
                }
                if (def.RealServers.Any(o => o.RealAddress.Equals(rs.RealAddress) && o.RealPort == rs.RealPort))
                {
                    _c.Warn(_conf.Warnings, $"real server {rs.RealAddress}:{rs.RealPort} is repeated; keepalived drops the second one, and so does this import");
                    continue;
                }
                def.RealServers.Add(rs);
                foreach (var (crs, name, line) in checks)
                {
                    if (ReferenceEquals(crs, p))
                        _conf.HealthChecks.Add(new KeepalivedHealthCheck { Name = name, Service = def, RealServer = rs, Line = line });
                }
            }
            _byKey[key] = def;
            _conf.Services.Add(def);
        }

        private PendingRealServer RealServer(Statement s, List<(PendingRealServer, string, int)> checks)
        {
            if (s.ValueCount < 1)
                throw _c.Error("real_server needs an address (real_server IP [PORT] { ... })");
            if (s.ValueCount > 2)
                throw _c.Error($"unexpected '{s.Words[3]}' after real_server {s.Words[1]} {s.Words[2]}");
            var p = new PendingRealServer
            {
                Statement = s,
                PortGiven = s.ValueCount == 2,
                Def = new LvsRealServerDefinition
                {
                    RealAddress = _c.Host(s.Words[1]),
                    HostName = ConfigSyntax.TryIpv4(s.Words[1], out _) ? null : s.Words[1],
                },
            };
            if (!s.HasBlock)
                return p;
            foreach (var r in BlockStatements(s))
            {
                At(r);
                switch (r.Keyword)
                {
                    case "weight":
                        NoBlock(r);
                        p.Def.Weight = Number(r, 0, 65535);
                        break;
                    case "uthreshold":
                        NoBlock(r);
                        p.Def.UpperThreshold = Number(r, 0, int.MaxValue);
                        break;
                    case "lthreshold":
                        NoBlock(r);
                        p.Def.LowerThreshold = Number(r, 0, int.MaxValue);
                        break;
                    case "lvs_method" or "lb_kind":
                        NoBlock(r);
                        p.Forwarding = Method(r);
                        break;
                    default:
                        if (r.HasBlock)
                        {
                            if (IsHealthCheck(r.Keyword))
                                checks.Add((p, r.Keyword, r.Line));
                            SkipBlock(r);
                        }
                        break;
                }
            }
            return p;
        }

        /// <summary>keepalived's checker blocks: HTTP_GET, SSL_GET and every *_CHECK (TCP, SMTP, DNS, MISC, BFD, UDP, PING, FILE).</summary>
        private static bool IsHealthCheck(string keyword)
            => keyword is "HTTP_GET" or "SSL_GET" || (keyword.EndsWith("_CHECK", StringComparison.Ordinal) && keyword.Length > 6);

        // --- values ---------------------------------------------------------------------------------------------

        private void NoBlock(Statement s)
        {
            if (s.HasBlock)
                throw _c.Error($"'{s.Keyword}' takes no '{{' block");
        }

        private void Values(Statement s, int count)
        {
            if (s.ValueCount < count)
                throw _c.Error($"'{s.Keyword}' needs a value");
            if (s.ValueCount > count)
                throw _c.Error($"unexpected '{s.Words[count + 1]}' after {s.Keyword} {string.Join(' ', s.Words.Skip(1).Take(count))}");
        }

        private LvsScheduler Scheduler(Statement s)
        {
            Values(s, 1);
            // keepalived compares scheduler names case-sensitively (rr, wlc ...).
            if (!SchedulerFactory.TryParse(s.Words[1], out var sched) || SchedulerFactory.Name(sched) != s.Words[1])
                throw _c.Error($"unknown scheduler '{s.Words[1]}' (rr, wrr, lc, wlc, lblc, lblcr, sh, mh, dh, fo, ovf, sed, nq, twos)");
            return sched;
        }

        /// <summary>NAT|DR|TUN [type ipip] [nocsum] (keepalived compares the method case-sensitively).</summary>
        private LvsForwarding Method(Statement s)
        {
            if (s.ValueCount < 1)
                throw _c.Error($"'{s.Keyword}' needs a value (NAT, DR or TUN)");
            var fwd = s.Words[1] switch
            {
                "NAT" => LvsForwarding.Masq,
                "DR" => LvsForwarding.Route,
                "TUN" => LvsForwarding.Tunnel,
                _ => throw _c.Error($"unknown {s.Keyword} '{s.Words[1]}' (NAT, DR or TUN, in capitals)"),
            };
            for (int i = 2; i < s.Words.Count; i++)
            {
                string w = s.Words[i];
                if (fwd != LvsForwarding.Tunnel)
                    throw _c.Error($"unexpected '{w}' after {s.Keyword} {s.Words[1]}");
                if (w == "type" && i + 1 < s.Words.Count)
                {
                    string type = s.Words[++i];
                    if (type != "ipip")
                        throw _c.Error($"the tunnel type '{type}' is not supported yet (only ipip)", kind: LvsErrorKind.NotImplemented);
                }
                else if (w == "nocsum")
                {
                    // the default for ipip
                }
                else if (w is "port" or "csum" or "remcsum")
                {
                    throw _c.Error($"'{w}': GUE/GRE tunnel options are not supported yet", kind: LvsErrorKind.NotImplemented);
                }
                else
                {
                    throw _c.Error($"invalid tunnel option '{w}'");
                }
            }
            return fwd;
        }

        private LvsProtocol Protocol(Statement s)
        {
            Values(s, 1);
            return s.Words[1].ToUpperInvariant() switch
            {
                "TCP" => LvsProtocol.Tcp,
                "UDP" => LvsProtocol.Udp,
                "SCTP" => LvsProtocol.Sctp,
                _ => throw _c.Error($"unknown protocol '{s.Words[1]}' (TCP, UDP or SCTP)"),
            };
        }

        /// <summary>The mark of a virtual_server fwmark: a decimal number 1..4294967295.</summary>
        private uint FirewallMark(string text)
        {
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint mark) || mark == 0)
                throw _c.Error($"invalid fwmark '{text}' (1..{IpvsadmRulesParser.MaxFirewallMark})");
            return mark;
        }

        private uint Timeout(Statement s)
        {
            Values(s, 1);
            if (!uint.TryParse(s.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint t) || t < 1 || t > IpvsadmRulesParser.MaxPersistentTimeout)
                throw _c.Error($"invalid persistence_timeout '{s.Words[1]}' (1..{IpvsadmRulesParser.MaxPersistentTimeout} seconds)");
            return t;
        }

        private int Number(Statement s, int min, int max)
        {
            Values(s, 1);
            if (!long.TryParse(s.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
                throw _c.Error($"invalid {s.Keyword} '{s.Words[1]}' ({min}..{max})");
            return (int)v;
        }
    }
}
