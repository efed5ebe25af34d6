using System.Net.Sockets;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Management.Config;

/// <summary>The LVS part of a keepalived.conf as <see cref="KeepalivedConfParser"/> reads it.</summary>
public sealed class KeepalivedConfiguration
{
    /// <summary>The file name used in messages (as given to the parser).</summary>
    public string SourceFile { get; set; } = "";

    /// <summary>
    /// The virtual services, in file order, each with its real servers in file order; a <c>virtual_server group</c>
    /// gives one service per address, address of a range, and fwmark of its virtual_server_group.
    /// </summary>
    public List<LvsServiceDefinition> Services { get; set; } = new();

    /// <summary>
    /// Every checker block of the real servers, in file order: those LvsPS runs (TCP_CHECK, HTTP_GET, SSL_GET,
    /// MISC_CHECK) with their <see cref="KeepalivedHealthCheck.Spec"/> (also in the real server's HealthChecks), the
    /// others (SMTP_CHECK, DNS_CHECK, BFD_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK) by name only, with a warning.
    /// </summary>
    public List<KeepalivedHealthCheck> HealthChecks { get; set; } = new();

    /// <summary>
    /// The vrrp_instance blocks, in file order, with the keywords <see cref="VrrpInstanceSpec"/> models (the others are
    /// named in <see cref="Warnings"/>); an instance without a version takes global_defs' vrrp_version, else keepalived's 2.
    /// </summary>
    public List<VrrpInstanceSpec> VrrpInstances { get; set; } = new();

    /// <summary>Non-fatal remarks, each "file:line: text" (defaults and corrections keepalived applies, settings that were ignored).</summary>
    public List<string> Warnings { get; set; } = new();

    /// <summary>The names of the health checks of one real server, in file order.</summary>
    public IReadOnlyList<string> HealthChecksOf(LvsRealServerDefinition realServer)
        => HealthChecks.Where(h => ReferenceEquals(h.RealServer, realServer)).Select(h => h.Name).ToList();

    /// <summary>The services as the director would list them (see <see cref="LvsServiceDefinition.ToLvsService"/>).</summary>
    public List<LvsService> ToLvsServices(string director = "") => Services.Select(s => s.ToLvsService(director)).ToList();

    /// <summary>The services as specs, with their health settings and checkers (see <see cref="LvsServiceDefinition.ToServiceSpec"/>).</summary>
    public List<ServiceSpec> ToServiceSpecs() => Services.Select(s => s.ToServiceSpec()).ToList();
}

/// <summary>One checker block of a real_server.</summary>
public sealed class KeepalivedHealthCheck
{
    /// <summary>The block's keyword: TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, SMTP_CHECK, DNS_CHECK ...</summary>
    public string Name { get; set; } = "";
    public LvsServiceDefinition Service { get; set; } = null!;
    public LvsRealServerDefinition RealServer { get; set; } = null!;
    /// <summary>The file of the block (the main file or an included one).</summary>
    public string File { get; set; } = "";
    /// <summary>1-based line of the block's keyword.</summary>
    public int Line { get; set; }
    /// <summary>The checker as LvsPS runs it; null for a checker type LvsPS does not run.</summary>
    public HealthCheckSpec? Spec { get; set; }

    public override string ToString() => $"{Name} {RealServer.RealAddress}:{RealServer.RealPort}";
}

/// <summary>How <see cref="KeepalivedConfParser"/> reads a file beyond the text itself.</summary>
public sealed class KeepalivedParseOptions
{
    /// <summary>keepalived's config id (-i) for <c>@id</c> lines; null = keepalived's default, the node name up to its first '.'.</summary>
    public string? ConfigId { get; set; }
    /// <summary>The folder relative includes start from when the text has no file of its own; null = the file's folder, else the current one.</summary>
    public string? BaseDirectory { get; set; }
}

/// <summary>
/// Reads the LVS configuration of a keepalived.conf as keepalived (2.2) reads it: every <c>virtual_server IP [PORT]</c>,
/// <c>virtual_server fwmark N</c> and <c>virtual_server group NAME</c> block with its real servers and their checkers.
/// <para>
/// Preprocessing is keepalived's (<see cref="KeepalivedPreprocessor"/>): comments, <c>include</c> with globs relative to
/// the including file, <c>@id</c> lines, <c>$NAME</c> parameters and <c>~SEQ</c>/<c>~LST</c> blocks. Other top-level
/// blocks (global_defs, vrrp_instance ...) are skipped; a virtual_server_group gives its addresses (also ranges
/// a.b.c.d-e, a.b.c.d-e.f.g.h, a.b.c.d/nn, IPv6 ranges of the last group) and fwmarks to the virtual servers that use it.
/// </para>
/// <para>
/// In a virtual_server: lvs_sched/lb_algo (default wlc), lvs_method/lb_kind NAT|DR|TUN (default NAT), protocol (default
/// UDP, as keepalived, with a warning), persistence_timeout [N] (bare: 360; 0: none, as keepalived logs and does),
/// persistence_granularity (which, since keepalived 1.3.7, makes nothing persistent without a persistence_timeout),
/// sh-port, sh-fallback, mh-port, mh-fallback, flag-1..3, ops, ip_family; the health settings delay_loop, alpha, omega,
/// quorum, hysteresis, quorum_up, quorum_down, sorry_server, sorry_server_inhibit, sorry_server_lvs_method,
/// inhibit_on_failure, virtualhost (<see cref="LvsServiceDefinition.Health"/>); and connect_timeout, retry,
/// delay_before_retry, warmup as defaults of its checkers. In a real_server: weight, uthreshold, lthreshold, lvs_method,
/// notify_up, notify_down, inhibit_on_failure, and alpha, connect_timeout, retry, delay_before_retry, warmup,
/// delay_loop, virtualhost as defaults of its checkers; TCP_CHECK, HTTP_GET, SSL_GET and MISC_CHECK with all their
/// parameters become <see cref="HealthCheckSpec"/>s. Checkers LvsPS does not run, and keywords it does not keep, are
/// named in a warning with their file and line.
/// </para>
/// <para>
/// keepalived's corrections are repeated and reported as warnings: a real server without a port gets the service's;
/// with DR or TUN a real server's port is the service's (an address service) or none (a fwmark service); a repeated
/// real server is dropped; a virtual_server with an invalid address or without real servers is skipped; a real
/// server of another address family than its service (not tunnelled) is skipped. IPv6 services are read (the LvsPS
/// engine refuses them when they are added; a kernel director takes them).
/// </para>
/// Every error is an <see cref="LvsException"/> (ConfigParseError, or HostNameNotResolved / ServiceNameNotResolved)
/// whose message starts with "file:line:" and quotes the bad value; nothing is returned from a file with an error.
/// </summary>
public static partial class KeepalivedConfParser
{
    /// <summary>keepalived's IPVS_DEF_SCHED: the scheduler of a virtual_server without lvs_sched.</summary>
    public const LvsScheduler DefaultScheduler = LvsScheduler.Wlc;

    /// <summary>keepalived's forwarding method when neither the virtual_server nor the real_server sets one.</summary>
    public const LvsForwarding DefaultForwarding = LvsForwarding.Masq;

    /// <summary>IPVS_SVC_PERSISTENT_TIMEOUT: a bare persistence_timeout.</summary>
    public const uint DefaultPersistentTimeout = 360;

    /// <summary>Most services one virtual_server group may expand into.</summary>
    public const int MaxGroupServices = 65536;

    /// <summary>Reads and parses a file; a missing file is ConfigFileNotFound (ObjectNotFound).</summary>
    public static KeepalivedConfiguration ParseFile(string path, Func<string, IPAddress?>? resolveHost = null, string servicesPath = LvsDrConfParser.DefaultServicesPath)
        => Parse(ConfigSyntax.ReadFile(path), path, resolveHost, servicesPath);

    /// <summary>Reads and parses a file with options (the config id for <c>@id</c> lines).</summary>
    public static KeepalivedConfiguration ParseFile(string path, Func<string, IPAddress?>? resolveHost, string servicesPath, KeepalivedParseOptions? options)
        => Parse(ConfigSyntax.ReadFile(path), path, resolveHost, servicesPath, options);

    /// <summary>Parses keepalived.conf text; <paramref name="fileName"/> is used in messages and <see cref="LvsServiceDefinition.SourceFile"/>.</summary>
    public static KeepalivedConfiguration Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost = null, string servicesPath = LvsDrConfParser.DefaultServicesPath)
        => Parse(text, fileName, resolveHost, servicesPath, null);

    /// <summary>Parses keepalived.conf text with options.</summary>
    public static KeepalivedConfiguration Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost, string servicesPath, KeepalivedParseOptions? options)
    {
        ArgumentNullException.ThrowIfNull(servicesPath);
        ServicesDatabase? db = null;
        bool loaded = false;
        return new Parser(text, fileName, resolveHost, () => { if (!loaded) { db = ConfigSyntax.LoadServices(servicesPath); loaded = true; } return db; }, servicesPath, options).Run();
    }

    /// <summary>Parses keepalived.conf text with an already loaded services table.</summary>
    public static KeepalivedConfiguration Parse(string text, string fileName, Func<string, IPAddress?>? resolveHost, ServicesDatabase services, KeepalivedParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new Parser(text, fileName, resolveHost, () => services, "the services table", options).Run();
    }

    private enum TokenKind { Word, Open, Close, EndOfLine, End }

    private readonly record struct Token(TokenKind Kind, string Text, string File, int Line, int Index);

    /// <summary>A keyword with its values on one line, and whether a '{' block follows it.</summary>
    private sealed record Statement(List<string> Words, string File, int Line, bool HasBlock, string Text)
    {
        public string Keyword => Words[0];
        public int ValueCount => Words.Count - 1;
    }

    private sealed partial class Parser
    {
        private readonly List<KeepalivedLine> _lines;
        private readonly List<Token> _tokens = new();
        private readonly KeepalivedConfiguration _conf;
        private readonly string _file;
        private readonly Func<string, IPAddress?>? _resolve;
        private readonly Func<ServicesDatabase?> _services;
        private readonly string _servicesName;
        private readonly Dictionary<string, ConfigSyntax> _syntax = new(StringComparer.Ordinal);
        private readonly Dictionary<(uint, LvsProtocol, IPAddress, ushort), LvsServiceDefinition> _byKey = new();
        private readonly Dictionary<string, List<GroupEntry>> _groups = new(StringComparer.Ordinal);
        private readonly List<PendingVirtualServer> _pending = new();
        private ConfigSyntax _c;
        private int _pos;
        private bool _sawVirtualServer;

        public Parser(string text, string fileName, Func<string, IPAddress?>? resolve, Func<ServicesDatabase?> services, string servicesName, KeepalivedParseOptions? options)
        {
            ArgumentNullException.ThrowIfNull(text);
            _file = string.IsNullOrEmpty(fileName) ? "<text>" : fileName;
            _resolve = resolve;
            _services = services;
            _servicesName = servicesName;
            _c = Syn(_file);
            _conf = new KeepalivedConfiguration { SourceFile = _c.File };
            string dir = options?.BaseDirectory
                ?? (fileName.Length > 0 && fileName != "<text>" ? Path.GetDirectoryName(Path.GetFullPath(fileName)) : null)
                ?? Directory.GetCurrentDirectory();
            var pre = new KeepalivedPreprocessor(options?.ConfigId ?? KeepalivedPreprocessor.DefaultConfigId(), _conf.Warnings, ConfigSyntax.ReadFile);
            _lines = pre.Run(text, _c.File, dir);
            for (int i = 0; i < _lines.Count; i++)
                Tokenize(_lines[i], i);
            _tokens.Add(new Token(TokenKind.End, "", _lines.Count > 0 ? _lines[^1].File : _c.File, _lines.Count > 0 ? _lines[^1].Line : 0, _lines.Count));
        }

        private ConfigSyntax Syn(string file)
        {
            if (!_syntax.TryGetValue(file, out var s))
                _syntax[file] = s = new ConfigSyntax(file, _resolve, _services, _servicesName);
            return s;
        }

        /// <summary>Words, braces and the line end of one preprocessed line; a double-quoted string is one word.</summary>
        private void Tokenize(KeepalivedLine l, int index)
        {
            string text = l.Text;
            var word = new StringBuilder();
            bool inWord = false;
            void Flush()
            {
                if (inWord)
                    _tokens.Add(new Token(TokenKind.Word, word.ToString(), l.File, l.Line, index));
                word.Clear();
                inWord = false;
            }
            for (int i = 0; i < text.Length; i++)
            {
                char ch = text[i];
                if (char.IsWhiteSpace(ch))
                    Flush();
                else if (ch == '{' || ch == '}')
                {
                    Flush();
                    _tokens.Add(new Token(ch == '{' ? TokenKind.Open : TokenKind.Close, ch.ToString(), l.File, l.Line, index));
                }
                else if (ch == '"')
                {
                    int close = text.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        var c = Syn(l.File);
                        c.Line = l.Line;
                        c.LineText = "";
                        throw c.Error("unterminated double-quoted string");
                    }
                    word.Append(text, i + 1, close - i - 1);
                    inWord = true;
                    i = close;
                }
                else
                {
                    word.Append(ch);
                    inWord = true;
                }
            }
            Flush();
            _tokens.Add(new Token(TokenKind.EndOfLine, "", l.File, l.Line, index));
        }

        public KeepalivedConfiguration Run()
        {
            while (true)
            {
                var st = NextStatement(out bool closed, out var closeToken);
                if (closed)
                {
                    At(closeToken);
                    Warn("extra '}' (no block is open); keepalived ignores it");
                    continue;
                }
                if (st is null)
                    break;
                switch (st.Keyword)
                {
                    case "virtual_server":
                        _sawVirtualServer = true;
                        VirtualServer(st);
                        break;
                    case "virtual_server_group":
                        Group(st);
                        break;
                    case "vrrp_instance":
                        VrrpInstance(st);
                        break;
                    case "global_defs":
                        GlobalDefs(st);
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
            foreach (var p in _pending)
                Finish(p);
            FinishVrrp();
            if (!_sawVirtualServer)
            {
                _conf.Warnings.Add($"{_c.File}: no virtual_server block");
            }
            return _conf;
        }

        // --- statements ---------------------------------------------------------------------------------------

        private Statement? NextStatement(out bool closed, out Token closeToken)
        {
            closed = false;
            closeToken = default;
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
                    closeToken = t;
                    return null;
                }
                if (t.Kind == TokenKind.Open)
                {
                    At(t);
                    throw _c.Error("'{' without a keyword before it");
                }
                var words = new List<string>();
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
                return new Statement(words, t.File, t.Line, block, _lines[t.Index].Text.Trim());
            }
        }

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
                    _pos--;
                    At(owner);
                    Warn($"the '{owner.Keyword}' block opened here has no closing '}}'; keepalived closes it at the end of the configuration");
                    return;
                }
            }
        }

        /// <summary>A block where a plain statement belongs: warned about and skipped (true), as keepalived ignores it.</summary>
        private bool IgnoredBlock(Statement s, string warning)
        {
            if (!s.HasBlock)
                return false;
            Warn(warning);
            SkipBlock(s);
            return true;
        }

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
                    Warn($"the '{owner.Keyword}' block opened here has no closing '}}'; keepalived closes it at the end of the configuration");
                    yield break;
                }
                yield return st;
            }
        }

        private void At(Statement st)
        {
            _c = Syn(st.File);
            _c.Line = st.Line;
            _c.LineText = st.Text;
        }

        private void At(Token t)
        {
            _c = Syn(t.File);
            _c.Line = t.Line;
            _c.LineText = t.Index < _lines.Count ? _lines[t.Index].Text.Trim() : "";
        }

        private void Warn(string text) => _c.Warn(_conf.Warnings, text);

        // --- virtual_server_group -------------------------------------------------------------------------------

        private sealed record GroupEntry(IPAddress? First, IPAddress? Last, string? Port, uint Mark, bool Inet6, string File, int Line, string Text);

        private void Group(Statement st)
        {
            At(st);
            if (st.ValueCount < 1 || !st.HasBlock)
            {
                Warn("virtual_server_group needs a name and a '{' block; keepalived ignores it");
                if (st.HasBlock)
                    SkipBlock(st);
                return;
            }
            string name = st.Words[1];
            var entries = new List<GroupEntry>();
            if (_groups.ContainsKey(name))
                Warn($"virtual_server_group {name} is defined again; the virtual servers use the first definition, and this one is ignored");
            else
                _groups[name] = entries;
            foreach (var s in BlockStatements(st))
            {
                At(s);
                if (IgnoredBlock(s, $"unexpected block '{s.Keyword}' in virtual_server_group {name}; keepalived ignores it"))
                    continue;
                if (s.Keyword == "fwmark")
                {
                    if (s.ValueCount < 1 || !uint.TryParse(s.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint mark) || mark == 0)
                    {
                        Warn($"invalid fwmark '{(s.ValueCount > 0 ? s.Words[1] : "")}' in virtual_server_group {name}; keepalived skips it");
                        continue;
                    }
                    entries.Add(new GroupEntry(null, null, null, mark, s.ValueCount > 1 && s.Words[2] == "inet6", s.File, s.Line, s.Text));
                    continue;
                }
                if (!TryRange(s.Keyword, out var first, out var last))
                {
                    Warn($"invalid address or range '{s.Keyword}' in virtual_server_group {name}; keepalived skips it");
                    continue;
                }
                entries.Add(new GroupEntry(first, last, s.ValueCount > 0 ? s.Words[1] : null, 0, false, s.File, s.Line, s.Text));
            }
        }

        /// <summary>a.b.c.d, a.b.c.d-e, a.b.c.d-e.f.g.h, a.b.c.d/nn and their IPv6 forms (x::y-z: the last group).</summary>
        private static bool TryRange(string text, out IPAddress first, out IPAddress last)
        {
            first = last = IPAddress.None;
            int slash = text.IndexOf('/');
            if (slash > 0)
            {
                if (!TryAddress(text[..slash], out var a) || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int len))
                    return false;
                int bits = a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
                if (len > bits)
                    return false;
                var b = a.GetAddressBytes();
                var e = (byte[])b.Clone();
                for (int i = len; i < bits; i++)
                {
                    b[i / 8] &= (byte)~(0x80 >> (i % 8));
                    e[i / 8] |= (byte)(0x80 >> (i % 8));
                }
                first = new IPAddress(b);
                last = new IPAddress(e);
                return true;
            }
            int dash = text.IndexOf('-');
            if (dash < 0)
            {
                if (!TryAddress(text, out first))
                    return false;
                last = first;
                return true;
            }
            if (!TryAddress(text[..dash], out first))
                return false;
            string end = text[(dash + 1)..];
            if (TryAddress(end, out last))
                return last.AddressFamily == first.AddressFamily && Compare(first, last) <= 0;
            var bytes = first.GetAddressBytes();
            if (first.AddressFamily == AddressFamily.InterNetwork)
            {
                if (!byte.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out byte lastOctet) || lastOctet < bytes[3])
                    return false;
                bytes[3] = lastOctet;
            }
            else
            {
                if (!ushort.TryParse(end, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort group)
                    || group < (bytes[14] << 8 | bytes[15]))
                    return false;
                bytes[14] = (byte)(group >> 8);
                bytes[15] = (byte)group;
            }
            last = new IPAddress(bytes);
            return true;
        }

        private static int Compare(IPAddress a, IPAddress b)
        {
            var x = a.GetAddressBytes();
            var y = b.GetAddressBytes();
            for (int i = 0; i < x.Length; i++)
                if (x[i] != y[i])
                    return x[i].CompareTo(y[i]);
            return 0;
        }

        private static IPAddress Next(IPAddress a)
        {
            var b = a.GetAddressBytes();
            for (int i = b.Length - 1; i >= 0; i--)
                if (++b[i] != 0)
                    break;
            return new IPAddress(b);
        }

        /// <summary>A dotted IPv4 address or an IPv6 address (no host names, no scope).</summary>
        private static bool TryAddress(string text, out IPAddress address)
        {
            if (ConfigSyntax.TryIpv4(text, out address))
                return true;
            if (text.Contains(':') && !text.Contains('%') && IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address = a;
                return true;
            }
            address = IPAddress.None;
            return false;
        }

        // --- virtual_server -------------------------------------------------------------------------------------

        private sealed class Defaults
        {
            public double? ConnectTimeout, DelayBeforeRetry, Warmup, DelayLoop;
            public int? Retry;
            public bool? Alpha;
            public string? VirtualHost;
        }

        private sealed class PendingRealServer
        {
            public LvsRealServerDefinition Def = null!;
            public Statement Statement = null!;
            public IPAddress? Address;
            public string? PortText;
            public LvsForwarding? Forwarding;
            public bool? Inhibit;
            public Defaults Defaults = new();
            public List<(HealthCheckSpec? Spec, string Name, string File, int Line)> Checks = new();
        }

        private sealed class PendingVirtualServer
        {
            public Statement Statement = null!;
            public string Kind = "address"; // address, fwmark, group
            public IPAddress? Address;
            public string PortText = "";
            public uint Mark;
            public string? Group;
            public LvsScheduler? Scheduler;
            public LvsSchedulerFlags Flags;
            public bool Ops;
            public LvsForwarding? Forwarding;
            public LvsProtocol? Protocol;
            public Statement? ProtocolStatement;
            public uint Timeout;
            public bool TimeoutGiven;
            public IPAddress? Mask;
            public Statement? MaskStatement;
            public bool Inet6;
            public ServiceHealthSpec? Health;
            public Defaults Defaults = new();
            public List<PendingRealServer> RealServers = new();
        }

        private ServiceHealthSpec H(PendingVirtualServer v) => v.Health ??= new ServiceHealthSpec();

        private void VirtualServer(Statement st)
        {
            At(st);
            var v = new PendingVirtualServer { Statement = st };
            bool skip = false;
            if (st.ValueCount >= 1 && st.Words[1] == "group")
            {
                v.Kind = "group";
                if (st.ValueCount < 2)
                    throw _c.Error("virtual_server group needs a name (virtual_server group NAME { ... })");
                v.Group = st.Words[2];
            }
            else if (st.ValueCount >= 1 && st.Words[1] == "fwmark")
            {
                v.Kind = "fwmark";
                if (st.ValueCount < 2)
                    throw _c.Error("virtual_server fwmark needs a mark (virtual_server fwmark N { ... })");
                v.Mark = FirewallMark(st.Words[2]);
                if (st.ValueCount > 2)
                    throw _c.Error($"unexpected '{st.Words[3]}' after virtual_server fwmark {st.Words[2]}");
            }
            else
            {
                if (st.ValueCount < 1)
                    throw _c.Error("virtual_server needs an address (virtual_server IP [PORT] { ... })");
                if (st.ValueCount > 2)
                    Warn($"'{string.Join(' ', st.Words.Skip(3))}' after virtual_server {st.Words[1]} {st.Words[2]} ignored, as keepalived does");
                string addr = st.Words[1];
                if (TryAddress(addr, out var a))
                    v.Address = a;
                else if (addr.Contains(':') || addr.All(ch => char.IsAsciiDigit(ch) || ch == '.') || !addr.Any(char.IsAsciiLetter))
                {
                    Warn($"invalid virtual server address '{addr}'; keepalived skips this virtual_server, and so does this import");
                    skip = true;
                }
                else if (HostOrWarn(addr, "virtual_server") is { } named)
                    v.Address = named;
                else
                    skip = true;
                v.PortText = st.ValueCount >= 2 ? st.Words[2] : "";
            }
            if (!st.HasBlock)
                throw _c.Error("virtual_server needs a '{' block");

            foreach (var s in BlockStatements(st))
            {
                At(s);
                if (skip)
                {
                    if (s.HasBlock)
                        SkipBlock(s);
                    continue;
                }
                if (s.Keyword == "real_server")
                {
                    v.RealServers.Add(RealServer(s));
                    continue;
                }
                if (IgnoredBlock(s, $"'{s.Keyword}' {{ ... }} in a virtual_server is not a keepalived block; ignored"))
                    continue;
                if (CommonDefault(s, v.Defaults))
                    continue;
                switch (s.Keyword)
                {
                    case "lvs_sched" or "lb_algo":
                        v.Scheduler = Scheduler(s);
                        break;
                    case "lvs_method" or "lb_kind":
                        v.Forwarding = Method(s) ?? v.Forwarding;
                        break;
                    case "protocol":
                        v.Protocol = Protocol(s);
                        v.ProtocolStatement = s;
                        break;
                    case "persistence_timeout":
                        v.TimeoutGiven = true;
                        v.Timeout = s.ValueCount == 0 ? DefaultPersistentTimeout : Timeout(s);
                        break;
                    case "persistence_granularity":
                        v.Mask = Granularity(s);
                        v.MaskStatement = s;
                        break;
                    case "ip_family":
                        Values(s, 1);
                        if (s.Words[1] == "inet6")
                            v.Inet6 = true;
                        else if (s.Words[1] != "inet")
                            Warn($"unknown ip_family '{s.Words[1]}' (inet or inet6); keepalived ignores it");
                        break;
                    case "persistence_engine":
                        Warn($"persistence_engine '{(s.ValueCount > 0 ? s.Words[1] : "")}' ignored: LvsPS has no persistence engines");
                        break;
                    case "ops":
                        v.Ops = true;
                        break;
                    case "flag-1" or "sh-fallback" or "mh-fallback":
                        v.Flags |= LvsSchedulerFlags.Fallback;
                        break;
                    case "flag-2" or "sh-port" or "mh-port":
                        v.Flags |= LvsSchedulerFlags.Port;
                        break;
                    case "flag-3":
                        v.Flags |= LvsSchedulerFlags.Flag3;
                        break;
                    case "delay_loop":
                        if (Timer(s) is { } dl)
                            H(v).DelayLoopSec = dl;
                        break;
                    case "alpha":
                        H(v).Alpha = true; // a flag here: keepalived takes no value for the virtual server's alpha
                        break;
                    case "omega":
                        H(v).Omega = true;
                        break;
                    case "quorum":
                        if (Integer(s, 1, int.MaxValue) is { } q)
                            H(v).Quorum = q;
                        break;
                    case "hysteresis":
                        if (Integer(s, 0, int.MaxValue) is { } hy)
                            H(v).Hysteresis = hy;
                        break;
                    case "quorum_up":
                        H(v).QuorumUp = Script(s);
                        break;
                    case "quorum_down":
                        H(v).QuorumDown = Script(s);
                        break;
                    case "inhibit_on_failure":
                        H(v).InhibitOnFailure = true;
                        break;
                    case "virtualhost":
                        Values(s, 1);
                        H(v).VirtualHost = s.Words[1];
                        break;
                    case "sorry_server":
                        SorryServer(s, H(v));
                        break;
                    case "sorry_server_inhibit":
                        if (Bool(s) is { } si)
                            H(v).SorryServerInhibit = si;
                        break;
                    case "sorry_server_lvs_method":
                        if (Method(s) is { } sm)
                            H(v).SorryServerForwarding = sm;
                        break;
                    case "ha_suspend" or "smtp_alert" or "snmp_name" or "lvs_timeouts":
                        Warn($"'{s.Keyword}' is not kept: LvsPS has no equivalent");
                        break;
                    default:
                        Warn($"unknown keyword '{s.Keyword}' in virtual_server; keepalived ignores it");
                        break;
                }
            }
            if (!skip)
                _pending.Add(v);
        }

        /// <summary>connect_timeout, retry, nb_get_retry, delay_before_retry, warmup, delay_loop, alpha, virtualhost (real server level) as checker defaults.</summary>
        private bool CommonDefault(Statement s, Defaults d, bool realServer = false)
        {
            switch (s.Keyword)
            {
                case "connect_timeout":
                    d.ConnectTimeout = Timer(s) ?? d.ConnectTimeout;
                    return true;
                case "retry":
                    d.Retry = Integer(s, 0, int.MaxValue) ?? d.Retry;
                    return true;
                case "nb_get_retry":
                    Warn("nb_get_retry is keepalived's old name of retry; read as retry");
                    d.Retry = Integer(s, 0, int.MaxValue) ?? d.Retry;
                    return true;
                case "delay_before_retry":
                    d.DelayBeforeRetry = Timer(s, allowZero: true) ?? d.DelayBeforeRetry;
                    return true;
                case "warmup":
                    d.Warmup = Timer(s, allowZero: true) ?? d.Warmup;
                    return true;
                case "delay_loop" when realServer:
                    d.DelayLoop = Timer(s) ?? d.DelayLoop;
                    return true;
                case "alpha" when realServer:
                    d.Alpha = Bool(s) ?? d.Alpha;
                    return true;
                case "virtualhost" when realServer:
                    Values(s, 1);
                    d.VirtualHost = s.Words[1];
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// A host name through the caller's resolver (keepalived itself takes addresses only, and skips what is not
        /// one): a name that does not resolve skips the block with a warning.
        /// </summary>
        private IPAddress? HostOrWarn(string name, string what)
        {
            try
            {
                return _c.Host(name);
            }
            catch (LvsException e) when (e.ErrorId is LvsErrorIds.HostNameNotResolved or LvsErrorIds.ConfigParseError)
            {
                string detail = e.Message;
                int at = detail.IndexOf(": ", StringComparison.Ordinal);
                if (at >= 0)
                    detail = detail[(at + 2)..];
                int tail = detail.IndexOf(" in ", StringComparison.Ordinal);
                if (tail >= 0)
                    detail = detail[..tail];
                Warn($"{detail}; keepalived takes addresses only and skips this {what}, and so does this import");
                return null;
            }
        }

        private void SorryServer(Statement s, ServiceHealthSpec h)
        {
            if (s.ValueCount < 1)
            {
                Warn("sorry_server needs an address; keepalived ignores it");
                return;
            }
            if (!TryAddress(s.Words[1], out var a))
            {
                if (HostOrWarn(s.Words[1], "sorry_server") is not { } named)
                    return;
                a = named;
            }
            h.SorryServer = a;
            h.SorryServerPort = s.ValueCount >= 2 ? _c.Port(s.Words[2], LvsProtocol.Tcp, allowZero: true) : (ushort)0;
        }

        private PendingRealServer RealServer(Statement s)
        {
            if (s.ValueCount < 1)
                throw _c.Error("real_server needs an address (real_server IP [PORT] { ... })");
            if (s.ValueCount > 2)
                Warn($"'{string.Join(' ', s.Words.Skip(3))}' after real_server {s.Words[1]} {s.Words[2]} ignored, as keepalived does");
            var p = new PendingRealServer { Statement = s, PortText = s.ValueCount == 2 ? s.Words[2] : null };
            string addr = s.Words[1];
            IPAddress? address = null;
            if (TryAddress(addr, out var a))
                address = a;
            else if (addr.Contains(':') || !addr.Any(char.IsAsciiLetter))
                Warn($"invalid real server address '{addr}'; keepalived skips this real_server, and so does this import");
            else
                address = HostOrWarn(addr, "real_server");
            p.Address = address;
            p.Def = new LvsRealServerDefinition { RealAddress = address ?? IPAddress.None, HostName = address is not null && !TryAddress(addr, out _) ? addr : null };
            if (!s.HasBlock)
                return p;
            foreach (var r in BlockStatements(s))
            {
                At(r);
                if (r.HasBlock)
                {
                    if (IsHealthCheck(r.Keyword))
                        p.Checks.Add((Checker(r), r.Keyword, r.File, r.Line));
                    else
                    {
                        Warn($"unknown block '{r.Keyword}' in real_server; keepalived ignores it");
                        SkipBlock(r);
                    }
                    continue;
                }
                if (CommonDefault(r, p.Defaults, realServer: true))
                    continue;
                switch (r.Keyword)
                {
                    case "weight":
                        p.Def.Weight = Number(r, 0, 65535);
                        break;
                    case "uthreshold":
                        p.Def.UpperThreshold = Number(r, 0, int.MaxValue);
                        break;
                    case "lthreshold":
                        p.Def.LowerThreshold = Number(r, 0, int.MaxValue);
                        break;
                    case "lvs_method" or "lb_kind":
                        p.Forwarding = Method(r) ?? p.Forwarding;
                        break;
                    case "notify_up":
                        p.Def.NotifyUp = Script(r);
                        break;
                    case "notify_down":
                        p.Def.NotifyDown = Script(r);
                        break;
                    case "inhibit_on_failure":
                        p.Inhibit = Bool(r) ?? p.Inhibit;
                        break;
                    case "smtp_alert" or "snmp_name":
                        Warn($"'{r.Keyword}' is not kept: LvsPS has no equivalent");
                        break;
                    default:
                        Warn(IsHealthCheck(r.Keyword)
                            ? $"{r.Keyword} without a '{{' block; keepalived ignores it"
                            : $"unknown keyword '{r.Keyword}' in real_server; keepalived ignores it");
                        break;
                }
            }
            return p;
        }

        /// <summary>keepalived's checker blocks: HTTP_GET, SSL_GET and every *_CHECK (TCP, SMTP, DNS, MISC, BFD, UDP, PING, FILE).</summary>
        private static bool IsHealthCheck(string keyword)
            => keyword is "HTTP_GET" or "SSL_GET" || (keyword.EndsWith("_CHECK", StringComparison.Ordinal) && keyword.Length > 6);

        /// <summary>A checker block; null (with a warning) for a type LvsPS does not run or a checker keepalived drops.</summary>
        private HealthCheckSpec? Checker(Statement st)
        {
            LvsHealthCheckType? type = st.Keyword switch
            {
                "TCP_CHECK" => LvsHealthCheckType.Tcp,
                "HTTP_GET" => LvsHealthCheckType.Http,
                "SSL_GET" => LvsHealthCheckType.Ssl,
                "MISC_CHECK" => LvsHealthCheckType.Misc,
                _ => null,
            };
            if (type is null)
            {
                Warn($"{st.Keyword} is not a checker LvsPS runs (it runs TCP_CHECK, HTTP_GET, SSL_GET and MISC_CHECK); it is not imported");
                SkipBlock(st);
                return null;
            }
            var h = new HealthCheckSpec { Type = type.Value };
            foreach (var s in BlockStatements(st))
            {
                At(s);
                if (s.Keyword == "url" && type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl)
                {
                    if (!s.HasBlock)
                    {
                        Warn("url needs a '{' block; keepalived ignores it");
                        continue;
                    }
                    if (Url(s) is { } url)
                        h.Urls.Add(url);
                    continue;
                }
                if (IgnoredBlock(s, $"unknown block '{s.Keyword}' in {st.Keyword}; keepalived ignores it"))
                    continue;
                if (type == LvsHealthCheckType.Misc && s.Keyword is "connect_ip" or "connect_port" or "bindto" or "bind_port" or "bind_if" or "connect_timeout")
                {
                    Warn($"'{s.Keyword}' is not a MISC_CHECK keyword (misc_timeout limits the command); keepalived ignores it");
                    continue;
                }
                switch (s.Keyword)
                {
                    case "connect_ip":
                        h.ConnectAddress = CheckerAddress(s) ?? h.ConnectAddress;
                        break;
                    case "connect_port":
                        h.ConnectPort = CheckerPort(s);
                        break;
                    case "bindto":
                        h.BindAddress = CheckerAddress(s) ?? h.BindAddress;
                        break;
                    case "bind_port":
                        h.BindPort = CheckerPort(s);
                        break;
                    case "connect_timeout":
                        h.ConnectTimeoutSec = Timer(s) ?? h.ConnectTimeoutSec;
                        break;
                    case "retry" or "nb_get_retry":
                        if (s.Keyword == "nb_get_retry")
                            Warn("nb_get_retry is keepalived's old name of retry; read as retry");
                        h.Retry = Integer(s, 0, int.MaxValue) ?? h.Retry;
                        break;
                    case "delay_before_retry":
                        h.DelayBeforeRetrySec = Timer(s, allowZero: true) ?? h.DelayBeforeRetrySec;
                        break;
                    case "delay_loop":
                        h.IntervalSec = Timer(s) ?? h.IntervalSec;
                        break;
                    case "warmup":
                        h.WarmupSec = Timer(s, allowZero: true) ?? h.WarmupSec;
                        break;
                    case "alpha":
                        h.Alpha = Bool(s) ?? h.Alpha;
                        break;
                    case "http_protocol" when type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl:
                        Values(s, 1);
                        if (s.Words[1] is "1.0" or "1.0C" or "1.1")
                            h.HttpProtocol = s.Words[1];
                        else
                            Warn($"unknown http_protocol '{s.Words[1]}' (1.0, 1.0C or 1.1); keepalived ignores it");
                        break;
                    case "virtualhost" when type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl:
                        Values(s, 1);
                        h.VirtualHost = s.Words[1];
                        break;
                    case "enable_sni" when type == LvsHealthCheckType.Ssl:
                        h.EnableSni = Bool(s) ?? true;
                        break;
                    case "misc_path" when type == LvsHealthCheckType.Misc:
                        h.MiscPath = Script(s);
                        break;
                    case "misc_timeout" when type == LvsHealthCheckType.Misc:
                        h.MiscTimeoutSec = Timer(s) ?? h.MiscTimeoutSec;
                        break;
                    case "misc_dynamic" when type == LvsHealthCheckType.Misc:
                        h.MiscDynamic = Bool(s) ?? true;
                        break;
                    default:
                        Warn($"'{s.Keyword}' in {st.Keyword} is not kept: LvsPS does not support it");
                        break;
                }
            }
            At(st);
            if (type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl && h.Urls.Count == 0)
            {
                Warn($"{st.Keyword} has no url; keepalived ignores this checker, and so does this import");
                return null;
            }
            if (type == LvsHealthCheckType.Misc && string.IsNullOrEmpty(h.MiscPath))
            {
                Warn("MISC_CHECK has no misc_path; keepalived ignores this checker, and so does this import");
                return null;
            }
            return h;
        }

        private HttpUrlSpec? Url(Statement st)
        {
            var u = new HttpUrlSpec();
            bool path = false;
            foreach (var s in BlockStatements(st))
            {
                At(s);
                if (IgnoredBlock(s, $"unknown block '{s.Keyword}' in url; keepalived ignores it"))
                    continue;
                switch (s.Keyword)
                {
                    case "path":
                        Values(s, 1);
                        u.Path = s.Words[1];
                        path = true;
                        break;
                    case "digest":
                        Values(s, 1);
                        u.Digest = s.Words[1].ToLowerInvariant();
                        break;
                    case "status_code":
                        if (s.ValueCount < 1)
                            throw _c.Error("'status_code' needs a value");
                        foreach (var code in s.Words.Skip(1))
                        {
                            var parts = code.Split('-');
                            if (parts.Length > 2 || parts.Any(x => !int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out int c) || c < 100 || c > 599))
                                throw _c.Error($"invalid status_code '{code}' (100..599 or a range such as 200-299)");
                        }
                        u.StatusCode = string.Join(' ', s.Words.Skip(1));
                        break;
                    case "virtualhost":
                        Values(s, 1);
                        u.VirtualHost = s.Words[1];
                        break;
                    default:
                        Warn($"'{s.Keyword}' in url is not kept: LvsPS does not support it");
                        break;
                }
            }
            if (!path)
            {
                At(st);
                Warn("url without a path; keepalived ignores it");
                return null;
            }
            return u;
        }

        // --- finishing a virtual_server -------------------------------------------------------------------------

        private void Finish(PendingVirtualServer v)
        {
            At(v.Statement);
            var st = v.Statement;
            bool isFwmark = v.Kind == "fwmark";
            if (v.Protocol is not null && isFwmark)
            {
                At(v.ProtocolStatement!);
                Warn("protocol given for a fwmark service; keepalived ignores it (the mark selects the packets)");
                At(st);
            }
            var proto = v.Protocol;
            if (proto is null && !isFwmark)
            {
                Warn("no protocol set: keepalived defaults to UDP");
                proto = LvsProtocol.Udp;
            }
            proto ??= LvsProtocol.Tcp; // fwmark: ipvsadm fills in TCP
            uint timeout = v.Timeout;
            if (v.TimeoutGiven && timeout == 0)
                Warn("persistence_timeout 0 (or invalid): keepalived runs the service without persistence, and so does this import");
            IPAddress? mask = v.Mask;
            if (mask is not null && timeout == 0)
            {
                At(v.MaskStatement!);
                Warn("persistence_granularity without persistence_timeout: since keepalived 1.3.7 the service is not persistent, and the granularity is ignored");
                mask = null;
                At(st);
            }

            // the services this block stands for
            var targets = new List<(uint Mark, IPAddress Address, string PortText, string File, int Line)>();
            if (v.Kind == "group")
            {
                if (!_groups.TryGetValue(v.Group!, out var entries) || entries.Count == 0)
                {
                    Warn($"virtual_server group {v.Group}: no virtual_server_group {v.Group} with entries; keepalived skips it, and so does this import");
                    return;
                }
                foreach (var e in entries)
                {
                    if (e.Mark != 0)
                    {
                        targets.Add((e.Mark, e.Inet6 ? IPAddress.IPv6Any : IPAddress.Any, "", e.File, e.Line));
                        continue;
                    }
                    for (var a = e.First!; ; a = Next(a))
                    {
                        if (targets.Count >= MaxGroupServices)
                            throw _c.Error($"virtual_server_group {v.Group} expands into more than {MaxGroupServices} services");
                        targets.Add((0, a, e.Port ?? "", e.File, e.Line));
                        if (a.Equals(e.Last))
                            break;
                    }
                }
            }
            else
                targets.Add((v.Mark, isFwmark ? (v.Inet6 ? IPAddress.IPv6Any : IPAddress.Any) : v.Address!, v.PortText, st.File, st.Line));

            bool first = true; // the real servers' corrections are the same for every service of a group: said once
            foreach (var (mark, address, portText, file, line) in targets)
            {
                At(st);
                ushort port = 0;
                if (mark == 0)
                {
                    if (portText.Length > 0)
                    {
                        _c = Syn(file);
                        _c.Line = line;
                        port = _c.Port(portText, proto.Value, allowZero: true);
                        At(st);
                    }
                }
                uint svcTimeout = timeout;
                if (mark == 0 && port == 0 && timeout == 0)
                {
                    Warn($"virtual server {address} without a port (port 0) is only valid when persistent; keepalived makes it persistent ({DefaultPersistentTimeout} s), and so does this import");
                    svcTimeout = DefaultPersistentTimeout;
                }
                var key = (mark, mark != 0 ? LvsProtocol.Tcp : proto.Value, address, port);
                string svcText = mark != 0 ? $"fwmark {mark.ToString(CultureInfo.InvariantCulture)}"
                    : address.AddressFamily == AddressFamily.InterNetworkV6 ? $"{Text.IpvsadmFormatter.ProtocolName(proto.Value)} [{address}]:{port}"
                    : ConfigSyntax.ServiceText(proto.Value, address, port);
                if (_byKey.TryGetValue(key, out var dup))
                {
                    Warn($"the virtual_server {svcText} is already defined on line {dup.Line}; IPVS holds one such service: this one is ignored");
                    continue;
                }
                var def = new LvsServiceDefinition
                {
                    Protocol = mark != 0 ? LvsProtocol.Tcp : proto.Value,
                    VirtualAddress = address,
                    Port = port,
                    Scheduler = v.Scheduler ?? DefaultScheduler,
                    SchedulerFlags = v.Flags,
                    OnePacket = v.Ops,
                    FirewallMark = mark,
                    PersistentTimeout = svcTimeout,
                    PersistenceNetmask = mask,
                    Health = v.Health,
                    GroupName = v.Group,
                    SourceFile = st.File,
                    Line = st.Line,
                    PortName = portText,
                };
                if (address.AddressFamily == AddressFamily.InterNetworkV6 && mark == 0)
                    Warn($"{svcText}: an IPv6 service; the LvsPS engine refuses IPv6 services when they are added, a kernel director takes them");
                if ((v.Flags & (LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port)) != 0 && def.Scheduler is not (LvsScheduler.Sh or LvsScheduler.Mh) && first)
                    Warn($"scheduler flags {SchedulerFactory.FlagsText(def.Scheduler, v.Flags)} mean nothing to {SchedulerFactory.Name(def.Scheduler)} (the kernel keeps them on the service and lists them, but only sh and mh act on them)");
                if (v.Ops && proto != LvsProtocol.Udp && mark == 0)
                    Warn("ops (one-packet scheduling) applies to UDP services only; the kernel ignores it here");
                AddRealServers(v, def, first);
                if (v.Health is not null)
                {
                    def.Health = v.Health.Clone();
                    long total = def.RealServers.Sum(r => (long)r.Weight);
                    if (def.RealServers.Count > 0 && total >= 1 && def.Health.Quorum > total)
                    {
                        Warn($"quorum {def.Health.Quorum} of {svcText} exceeds the total weight of its real servers, {total}; keepalived reduces the quorum to {total}, and so does this import");
                        def.Health.Quorum = (int)total;
                    }
                    if (def.Health.SorryServer is { } sorry)
                    {
                        ushort sorryPort = def.Health.SorryServerPort != 0 ? def.Health.SorryServerPort : port;
                        var same = def.RealServers.FirstOrDefault(r => r.RealAddress.Equals(sorry) && r.RealPort == sorryPort);
                        if (same is not null && same.InhibitOnFailure != def.Health.SorryServerInhibit)
                        {
                            Warn($"the sorry server {sorry}:{sorryPort} is also a real server with another inhibit_on_failure; keepalived gives the sorry server the real server's, and so does this import");
                            def.Health.SorryServerInhibit = same.InhibitOnFailure;
                        }
                    }
                }
                first = false;
                if (def.RealServers.Count == 0)
                {
                    Warn($"virtual_server {svcText} has no real servers; keepalived ignores it, and so does this import");
                    continue;
                }
                _byKey[key] = def;
                _conf.Services.Add(def);
            }
        }

        private void AddRealServers(PendingVirtualServer v, LvsServiceDefinition def, bool warn)
        {
            bool warnedForwarding = false;
            bool isFwmark = def.FirewallMark != 0;
            var checks = new List<(PendingRealServer P, LvsRealServerDefinition Rs)>();
            foreach (var p in v.RealServers)
            {
                if (p.Address is null)
                    continue;
                At(p.Statement);
                var fwd = p.Forwarding ?? v.Forwarding;
                if (fwd is null && !warnedForwarding && warn)
                {
                    Warn("no lvs_method set: keepalived defaults to NAT");
                    warnedForwarding = true;
                }
                fwd ??= DefaultForwarding;
                if (!isFwmark && p.Address.AddressFamily != def.VirtualAddress.AddressFamily && fwd != LvsForwarding.Tunnel)
                {
                    if (warn)
                        Warn($"real server {p.Address} is not of the virtual server's address family; keepalived skips it, and so does this import");
                    continue;
                }
                var rs = Clone(p.Def);
                rs.RealAddress = p.Address;
                rs.Forwarding = fwd.Value;
                ushort given = p.PortText is null ? (ushort)0 : _c.Port(p.PortText, def.Protocol, allowZero: true);
                rs.RealPort = given != 0 ? given : def.Port;
                if (isFwmark)
                {
                    rs.RealPort = given;
                    if (fwd != LvsForwarding.Masq && given != 0)
                    {
                        if (warn)
                            Warn($"real server {p.Address} port {given} of fwmark {def.FirewallMark}: keepalived clears the port of a DR or TUN real server of a fwmark service, and so does this import");
                        rs.RealPort = 0;
                    }
                }
                else if (fwd != LvsForwarding.Masq && rs.RealPort != def.Port)
                {
                    if (warn)
                        Warn($"real server port {rs.RealPort} differs from the virtual server port {def.Port}; keepalived resets it to {def.Port}, since DR and TUN cannot change ports");
                    rs.RealPort = def.Port;
                }
                if (def.RealServers.Any(o => o.RealAddress.Equals(rs.RealAddress) && o.RealPort == rs.RealPort))
                {
                    if (warn)
                        Warn($"real server {rs.RealAddress}:{rs.RealPort} is repeated; keepalived drops the second one, and so does this import");
                    continue;
                }
                rs.InhibitOnFailure = p.Inhibit ?? def.Health?.InhibitOnFailure ?? false;
                foreach (var (spec, name, file, line) in p.Checks)
                {
                    HealthCheckSpec? c = spec is null ? null : Resolve(spec, p.Defaults, v.Defaults);
                    if (c is not null)
                        rs.HealthChecks.Add(c);
                    _conf.HealthChecks.Add(new KeepalivedHealthCheck { Name = name, Service = def, RealServer = rs, File = file, Line = line, Spec = c });
                }
                def.RealServers.Add(rs);
            }
        }

        /// <summary>The checker with the real server's and then the virtual server's settings filled in where it has none.</summary>
        private static HealthCheckSpec Resolve(HealthCheckSpec h, Defaults rs, Defaults vs)
        {
            var c = h.Clone();
            // MISC_CHECK has no connection: misc_timeout limits it, and keepalived takes no connect_timeout there
            c.ConnectTimeoutSec = h.Type == LvsHealthCheckType.Misc ? null : h.ConnectTimeoutSec ?? rs.ConnectTimeout ?? vs.ConnectTimeout;
            c.Retry = h.Retry ?? rs.Retry ?? vs.Retry;
            c.DelayBeforeRetrySec = h.DelayBeforeRetrySec ?? rs.DelayBeforeRetry ?? vs.DelayBeforeRetry;
            c.IntervalSec = h.IntervalSec ?? rs.DelayLoop;
            c.WarmupSec = h.WarmupSec ?? rs.Warmup ?? vs.Warmup;
            c.Alpha = h.Alpha ?? rs.Alpha;
            c.VirtualHost = h.VirtualHost ?? (h.Type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl ? rs.VirtualHost : null);
            return c;
        }

        private static LvsRealServerDefinition Clone(LvsRealServerDefinition d) => new()
        {
            RealAddress = d.RealAddress,
            RealPort = d.RealPort,
            Weight = d.Weight,
            Forwarding = d.Forwarding,
            UpperThreshold = d.UpperThreshold,
            LowerThreshold = d.LowerThreshold,
            HostName = d.HostName,
            NotifyUp = d.NotifyUp,
            NotifyDown = d.NotifyDown,
        };

        // --- values ---------------------------------------------------------------------------------------------

        private void Values(Statement s, int count)
        {
            if (s.ValueCount < count)
                throw _c.Error($"'{s.Keyword}' needs a value");
            if (s.ValueCount > count)
                throw _c.Error($"unexpected '{s.Words[count + 1]}' after {s.Keyword} {string.Join(' ', s.Words.Skip(1).Take(count))}");
        }

        /// <summary>A checker's connect_ip or bindto; an invalid address is warned about and ignored (null), as keepalived does.</summary>
        private IPAddress? CheckerAddress(Statement s)
        {
            Values(s, 1);
            if (TryAddress(s.Words[1], out var address))
                return address;
            Warn($"invalid {s.Keyword} '{s.Words[1]}'; keepalived ignores it");
            return null;
        }

        /// <summary>A checker's connect_port or bind_port (0 = the real server's port, or any).</summary>
        private ushort CheckerPort(Statement s)
        {
            Values(s, 1);
            return _c.Port(s.Words[1], LvsProtocol.Tcp, allowZero: true);
        }

        private LvsScheduler Scheduler(Statement s)
        {
            Values(s, 1);
            // keepalived compares scheduler names case-sensitively (rr, wlc ...).
            if (!SchedulerFactory.TryParse(s.Words[1], out var sched) || SchedulerFactory.Name(sched) != s.Words[1])
                throw _c.Error($"unknown scheduler '{s.Words[1]}' (rr, wrr, lc, wlc, lblc, lblcr, sh, mh, dh, fo, ovf, sed, nq, twos)");
            return sched;
        }

        /// <summary>NAT|DR|TUN [type ipip] [nocsum]; an unknown method is ignored with a warning, as keepalived does.</summary>
        private LvsForwarding? Method(Statement s)
        {
            if (s.ValueCount < 1)
            {
                Warn($"'{s.Keyword}' needs a value (NAT, DR or TUN); keepalived ignores it");
                return null;
            }
            LvsForwarding fwd;
            switch (s.Words[1])
            {
                case "NAT": fwd = LvsForwarding.Masq; break;
                case "DR": fwd = LvsForwarding.Route; break;
                case "TUN": fwd = LvsForwarding.Tunnel; break;
                default:
                    Warn($"unknown {s.Keyword} '{s.Words[1]}' (NAT, DR or TUN, in capitals); keepalived ignores it");
                    return null;
            }
            for (int i = 2; i < s.Words.Count; i++)
            {
                string w = s.Words[i];
                if (fwd != LvsForwarding.Tunnel)
                    throw _c.Error($"unexpected '{w}' after {s.Keyword} {s.Words[1]}");
                if (w == "type" && i + 1 < s.Words.Count)
                {
                    string type = s.Words[++i];
                    if (type is "gue" or "gre")
                    {
                        Warn($"the tunnel type '{type}' is not kept: LvsPS has ipip tunnels only, and imports this real server as an ipip tunnel");
                        for (i++; i < s.Words.Count; i++)
                            if (s.Words[i] == "port")
                                i++;
                        break;
                    }
                    if (type != "ipip")
                        throw _c.Error($"unknown tunnel type '{type}' (ipip, gue or gre)");
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

        private uint FirewallMark(string text)
        {
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint mark) || mark == 0)
                throw _c.Error($"invalid fwmark '{text}' (1..{IpvsadmRulesParser.MaxFirewallMark})");
            return mark;
        }

        /// <summary>persistence_timeout N: 1..2678400 as keepalived takes it; 0 or another value: no persistence (a warning follows).</summary>
        private uint Timeout(Statement s)
        {
            if (s.ValueCount != 1 || !uint.TryParse(s.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint t) || t > IpvsadmRulesParser.MaxPersistentTimeout)
            {
                Warn($"invalid persistence_timeout '{string.Join(' ', s.Words.Skip(1))}' (1..{IpvsadmRulesParser.MaxPersistentTimeout} seconds); keepalived ignores it");
                return 0;
            }
            return t;
        }

        /// <summary>An IPv4 netmask, or an IPv6 prefix length (kept as an IPv6 mask).</summary>
        private IPAddress? Granularity(Statement s)
        {
            Values(s, 1);
            if (ConfigSyntax.TryIpv4(s.Words[1], out var m))
                return m.Equals(IPAddress.Broadcast) ? null : m;
            if (int.TryParse(s.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int len) && len is >= 1 and <= 128)
            {
                var b = new byte[16];
                for (int i = 0; i < len; i++)
                    b[i / 8] |= (byte)(0x80 >> (i % 8));
                return len == 128 ? null : new IPAddress(b);
            }
            Warn($"invalid persistence_granularity '{s.Words[1]}' (a netmask such as 255.255.255.0, or an IPv6 prefix length); keepalived ignores it");
            return null;
        }

        private int Number(Statement s, int min, int max)
        {
            Values(s, 1);
            if (!long.TryParse(s.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
                throw _c.Error($"invalid {s.Keyword} '{s.Words[1]}' ({min}..{max})");
            return (int)v;
        }

        /// <summary>An integer setting; an invalid one is ignored with a warning, as keepalived does.</summary>
        private int? Integer(Statement s, int min, int max)
        {
            if (s.ValueCount < 1 || !long.TryParse(s.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
            {
                Warn($"invalid {s.Keyword} '{string.Join(' ', s.Words.Skip(1))}' ({min}..{max}); keepalived ignores it");
                return null;
            }
            return (int)v;
        }

        /// <summary>A TIMER: seconds with up to microseconds; invalid: ignored with a warning, as keepalived does.</summary>
        private double? Timer(Statement s, bool allowZero = false)
        {
            if (s.ValueCount < 1 || !double.TryParse(s.Words[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v)
                || v > 4294 || (v <= 0 && !allowZero) || double.IsNaN(v))
            {
                Warn($"invalid {s.Keyword} '{string.Join(' ', s.Words.Skip(1))}' (seconds{(allowZero ? ", 0 or more" : ", more than 0")}); keepalived ignores it");
                return null;
            }
            return Math.Round(v, 6);
        }

        /// <summary>A keyword alone (true) or with a BOOL: on|off|true|false|yes|no.</summary>
        private bool? Bool(Statement s)
        {
            if (s.ValueCount == 0)
                return true;
            switch (s.Words[1].ToLowerInvariant())
            {
                case "on" or "true" or "yes": return true;
                case "off" or "false" or "no": return false;
                default:
                    Warn($"invalid {s.Keyword} '{s.Words[1]}' (on, off, true, false, yes or no); keepalived ignores it");
                    return null;
            }
        }

        /// <summary>A script: one word or a quoted string; a user and group after it are not kept (warned).</summary>
        private string? Script(Statement s)
        {
            if (s.ValueCount < 1)
            {
                Warn($"'{s.Keyword}' needs a command; keepalived ignores it");
                return null;
            }
            if (s.ValueCount > 1)
                Warn($"{s.Keyword}: the user/group '{string.Join(' ', s.Words.Skip(2))}' is not kept; the command runs as the checker's default user");
            return s.Words[1];
        }
    }
}
