using LvsPS.Ipvs.Scheduling;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Config;
using LvsPS.Management.Text;

namespace LvsPS.Management.Sync;

/// <summary>The ipvsadm command of a command line.</summary>
public enum IpvsadmCommandKind { List, AddService, EditService, DeleteService, AddServer, EditServer, DeleteServer, Clear, Zero, Save, SetTimeout }

/// <summary>The listing an ipvsadm -L command asks for.</summary>
public enum IpvsadmListView { List, Stats, Rate, Thresholds, PersistentConn, Connections, Timeout }

/// <summary>One ipvsadm command line, parsed (<see cref="IpvsadmCommandLine.Parse"/>).</summary>
public sealed class IpvsadmInvocation
{
    public IpvsadmCommandKind Command { get; init; }
    /// <summary>The service the command names (for -A/-E its settings too), or null.</summary>
    public LvsServiceDefinition? Service { get; init; }
    /// <summary>The real server of -a/-e/-d.</summary>
    public LvsRealServerDefinition? RealServer { get; init; }
    public IpvsadmListView View { get; init; }
    public bool Exact { get; init; }
    /// <summary>--set tcp tcpfin udp.</summary>
    public TimeoutSpec? Timeouts { get; init; }
    /// <summary>Whether the command changes the director (everything but -L and -S).</summary>
    public bool Changes => Command is not (IpvsadmCommandKind.List or IpvsadmCommandKind.Save);
}

/// <summary>
/// ipvsadm's command line: tokenised as a shell would (blanks separate, single and double quotes group,
/// a backslash escapes), then parsed as ipvsadm 1.31 parses it. -A/-E/-a/-e (and the service of -D/-d/-L/-Z)
/// go through <see cref="IpvsadmRulesParser"/>, the parser Import-LvsConfiguration reads rules files with, so a
/// command line and a rules line mean the same; -E and -e take ipvsadm's defaults for what they do not name
/// (scheduler wlc, weight 1, direct routing), as ipvsadm does. Errors carry ipvsadm's texts where it has one
/// ("--foo: unknown option", "multiple commands specified", "Illegal 'weight' option with the 'delete-service'
/// command", "No such service").
/// </summary>
public static class IpvsadmCommandLine
{
    private static readonly Dictionary<string, IpvsadmCommandKind> Commands = new(StringComparer.Ordinal)
    {
        ["-A"] = IpvsadmCommandKind.AddService, ["--add-service"] = IpvsadmCommandKind.AddService,
        ["-E"] = IpvsadmCommandKind.EditService, ["--edit-service"] = IpvsadmCommandKind.EditService,
        ["-D"] = IpvsadmCommandKind.DeleteService, ["--delete-service"] = IpvsadmCommandKind.DeleteService,
        ["-a"] = IpvsadmCommandKind.AddServer, ["--add-server"] = IpvsadmCommandKind.AddServer,
        ["-e"] = IpvsadmCommandKind.EditServer, ["--edit-server"] = IpvsadmCommandKind.EditServer,
        ["-d"] = IpvsadmCommandKind.DeleteServer, ["--delete-server"] = IpvsadmCommandKind.DeleteServer,
        ["-C"] = IpvsadmCommandKind.Clear, ["--clear"] = IpvsadmCommandKind.Clear,
        ["-Z"] = IpvsadmCommandKind.Zero, ["--zero"] = IpvsadmCommandKind.Zero,
        ["-L"] = IpvsadmCommandKind.List, ["-l"] = IpvsadmCommandKind.List, ["--list"] = IpvsadmCommandKind.List,
        ["-S"] = IpvsadmCommandKind.Save, ["--save"] = IpvsadmCommandKind.Save,
        ["--set"] = IpvsadmCommandKind.SetTimeout,
    };

    /// <summary>The options ipvsadm 1.31 knows (ipvsadm.c options_table).</summary>
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "-A", "-E", "-D", "-a", "-e", "-d", "-C", "-R", "-S", "-L", "-l", "-Z", "-h", "-v", "-t", "-u", "-f", "-s", "-p", "-M", "-b",
        "-o", "-6", "-r", "-g", "-m", "-i", "-w", "-x", "-y", "-n", "-c", "-X",
        "--add-service", "--edit-service", "--delete-service", "--add-server", "--edit-server", "--delete-server", "--clear",
        "--restore", "--save", "--list", "--zero", "--set", "--start-daemon", "--stop-daemon", "--help", "--version",
        "--tcp-service", "--udp-service", "--fwmark-service", "--sctp-service", "--scheduler", "--persistent", "--netmask",
        "--sched-flags", "--pe", "--ops", "--ipv6", "--real-server", "--gatewaying", "--masquerading", "--ipip", "--weight",
        "--u-threshold", "--l-threshold", "--tun-type", "--tun-port", "--tun-nocsum", "--tun-csum", "--tun-remcsum",
        "--numeric", "--connection", "--timeout", "--daemon", "--stats", "--rate", "--thresholds", "--persistent-conn",
        "--nosort", "--sort", "--exact", "--tun-info", "--syncid", "--mcast-interface", "--mcast-group", "--mcast-port",
        "--mcast-ttl", "--sync-maxlen",
    };

    private static readonly string[] Unsupported = { "-R", "--restore", "--start-daemon", "--stop-daemon", "-h", "--help", "-v", "--version" };
    private static readonly string[] Selectors = { "-t", "--tcp-service", "-u", "--udp-service", "-f", "--fwmark-service", "--sctp-service" };
    private static readonly string[] ListOptions = { "-n", "--numeric", "--stats", "--rate", "--thresholds", "--persistent-conn", "--exact", "-X", "-c", "--connection", "--timeout", "--nosort", "--sort" };

    /// <summary>Splits a command line as a POSIX shell does for plain words: blanks separate, '...' and "..." group, \ escapes.</summary>
    public static List<string> Tokenize(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var tokens = new List<string>();
        var sb = new StringBuilder();
        bool inToken = false;
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0'; else sb.Append(c);
                continue;
            }
            if (quote == '"')
            {
                if (c == '"') quote = '\0';
                else if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`') sb.Append(line[++i]);
                else sb.Append(c);
                continue;
            }
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                if (inToken) { tokens.Add(sb.ToString()); sb.Clear(); inToken = false; }
                continue;
            }
            inToken = true;
            if (c is '\'' or '"') quote = c;
            else if (c == '\\' && i + 1 < line.Length) sb.Append(line[++i]);
            else sb.Append(c);
        }
        if (quote != '\0')
            throw Usage($"unterminated {(quote == '"' ? "double" : "single")} quote in '{line}'");
        if (inToken) tokens.Add(sb.ToString());
        return tokens;
    }

    /// <summary>The arguments given one by one, or as one string (or a mix): each one tokenised, "ipvsadm" in front dropped.</summary>
    public static List<string> Arguments(IEnumerable<string> args)
    {
        var tokens = (args ?? throw new ArgumentNullException(nameof(args))).Where(a => a.Length > 0).SelectMany(a => a.Contains(' ') || a.Contains('\'') || a.Contains('"') ? Tokenize(a) : new List<string> { a }).ToList();
        if (tokens.Count > 0 && tokens[0] is "ipvsadm" or "lvsadm") tokens.RemoveAt(0);
        return tokens;
    }

    /// <summary>Parses ipvsadm's arguments (no arguments: -L, as ipvsadm lists the table when called bare).</summary>
    public static IpvsadmInvocation Parse(IReadOnlyList<string> args, Func<string, IPAddress?>? resolveHost = null, ServicesDatabase? services = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var tokens = args.ToList();
        string? commandToken = null;
        var kind = IpvsadmCommandKind.List;
        foreach (var t in tokens)
        {
            string name = t.Split('=')[0];
            if (Array.IndexOf(Unsupported, name) >= 0 || (name.Length > 2 && name[0] == '-' && name[1] != '-' && Array.IndexOf(Unsupported, name[..2]) >= 0))
                throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.NotImplemented,
                    $"ipvsadm: '{t}' is not supported by Invoke-LvsAdm" + (name is "-R" or "--restore" ? "; use Sync-LvsConfiguration -Path FILE (or Import-LvsConfiguration)." : "."), t);
            if (t.StartsWith('-') && t.Length > 1 && !char.IsAsciiDigit(t[1]) && !Known.Contains(t.StartsWith("--", StringComparison.Ordinal) ? name : t[..2]))
                throw Usage($"{t}: unknown option");
            if (!Commands.TryGetValue(name, out var k)) continue;
            if (commandToken is not null)
                throw Usage($"multiple commands specified ('{commandToken}' and '{t}')");
            commandToken = t;
            kind = k;
        }
        var rest = commandToken is null ? tokens : RemoveFirst(tokens, commandToken);

        switch (kind)
        {
            case IpvsadmCommandKind.AddService:
            case IpvsadmCommandKind.EditService:
                CheckScheduler(rest);
                return new IpvsadmInvocation { Command = kind, Service = RulesLine("-A", rest, resolveHost, services, CommandName(kind)).Services[0] };
            case IpvsadmCommandKind.AddServer:
            case IpvsadmCommandKind.EditServer:
            {
                var svc = RulesLine("-a", rest, resolveHost, services, CommandName(kind)).Services[0];
                return new IpvsadmInvocation { Command = kind, Service = svc, RealServer = svc.RealServers[^1] };
            }
            case IpvsadmCommandKind.DeleteService:
            {
                var svc = ServiceOnly(rest, CommandName(kind), required: true, resolveHost, services, allowed: Array.Empty<string>());
                return new IpvsadmInvocation { Command = kind, Service = svc };
            }
            case IpvsadmCommandKind.DeleteServer:
            {
                CheckOnly(rest, CommandName(kind), Selectors.Concat(new[] { "-r", "--real-server" }).ToArray());
                var svc = RulesLine("-a", rest, resolveHost, services, CommandName(kind)).Services[0];
                return new IpvsadmInvocation { Command = kind, Service = svc, RealServer = svc.RealServers[^1] };
            }
            case IpvsadmCommandKind.Clear:
                CheckOnly(rest, "clear", Array.Empty<string>());
                return new IpvsadmInvocation { Command = kind };
            case IpvsadmCommandKind.Zero:
                return new IpvsadmInvocation { Command = kind, Service = ServiceOnly(rest, "zero", required: false, resolveHost, services, Array.Empty<string>()) };
            case IpvsadmCommandKind.Save:
                CheckOnly(rest, "save", new[] { "-n", "--numeric" });
                return new IpvsadmInvocation { Command = kind };
            case IpvsadmCommandKind.SetTimeout:
            {
                var values = rest.Take(3).ToList();
                if (values.Count < 3 || rest.Count > 3)
                    throw Usage("--set takes three values: tcp tcpfin udp (seconds; 0 leaves one unchanged)");
                int V(string s, string what) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= LvsPS.Ipvs.Connections.LvsTimeouts.MaxSeconds
                    ? v : throw new LvsException(LvsErrorIds.InvalidTimeout, LvsErrorKind.InvalidArgument,
                        $"ipvsadm: invalid {what} timeout '{s}' (0..{LvsPS.Ipvs.Connections.LvsTimeouts.MaxSeconds})", s);
                return new IpvsadmInvocation { Command = kind, Timeouts = new TimeoutSpec { Tcp = V(values[0], "tcp"), TcpFin = V(values[1], "tcpfin"), Udp = V(values[2], "udp") } };
            }
            default:
                return ParseList(rest, resolveHost, services);
        }
    }

    private static IpvsadmInvocation ParseList(List<string> rest, Func<string, IPAddress?>? resolveHost, ServicesDatabase? services)
    {
        var views = new List<(string Token, IpvsadmListView View)>();
        bool exact = false;
        foreach (var t in rest)
        {
            var v = t switch
            {
                "--stats" => IpvsadmListView.Stats,
                "--rate" => IpvsadmListView.Rate,
                "--thresholds" => IpvsadmListView.Thresholds,
                "--persistent-conn" => IpvsadmListView.PersistentConn,
                "-c" or "--connection" => IpvsadmListView.Connections,
                "--timeout" => IpvsadmListView.Timeout,
                _ => (IpvsadmListView?)null,
            };
            if (v is { } view) views.Add((t, view));
            if (t is "--exact" or "-X") exact = true;
        }
        if (views.Count > 1)
            throw Usage($"The option '{OptionName(views[1].Token)}' conflicts with the '{OptionName(views[0].Token)}' option in the 'list' command");
        var selected = views.Count == 1 ? views[0].View : IpvsadmListView.List;
        var svc = ServiceOnly(rest, "list", required: false, resolveHost, services, ListOptions);
        if (svc is not null && selected is IpvsadmListView.Connections or IpvsadmListView.Timeout)
            throw Usage($"The option '{OptionName(views[0].Token)}' conflicts with the 'service' option in the 'list' command");
        return new IpvsadmInvocation { Command = IpvsadmCommandKind.List, View = selected, Exact = exact, Service = svc };
    }

    private static string OptionName(string token) => token switch
    {
        "-c" => "connection",
        _ => token.TrimStart('-'),
    };

    private static string CommandName(IpvsadmCommandKind k) => k switch
    {
        IpvsadmCommandKind.AddService => "add-service",
        IpvsadmCommandKind.EditService => "edit-service",
        IpvsadmCommandKind.DeleteService => "delete-service",
        IpvsadmCommandKind.AddServer => "add-server",
        IpvsadmCommandKind.EditServer => "edit-server",
        IpvsadmCommandKind.DeleteServer => "delete-server",
        _ => k.ToString().ToLowerInvariant(),
    };

    private static List<string> RemoveFirst(List<string> tokens, string token)
    {
        var copy = new List<string>(tokens);
        copy.RemoveAt(copy.IndexOf(token));
        return copy;
    }

    /// <summary>The option (and its value) of the tokens that is not allowed with the command: "Illegal 'x' option with the 'c' command".</summary>
    private static void CheckOnly(List<string> rest, string command, string[] allowed)
    {
        for (int i = 0; i < rest.Count; i++)
        {
            string t = rest[i];
            string name = t.StartsWith("--", StringComparison.Ordinal) ? t.Split('=')[0] : t.Length > 2 && t[0] == '-' ? t[..2] : t;
            if (Array.IndexOf(allowed, name) >= 0)
            {
                if (Array.IndexOf(Selectors, name) >= 0 || name is "-r" or "--real-server")
                    if (name == t && !t.Contains('=')) i++;
                continue;
            }
            if (!t.StartsWith('-'))
                throw Usage($"unexpected argument '{t}'");
            throw Usage($"Illegal '{name.TrimStart('-')}' option with the '{command}' command");
        }
    }

    /// <summary>The service selector among the tokens, parsed as a rules file's -A line would be; null when there is none and none is required.</summary>
    private static LvsServiceDefinition? ServiceOnly(List<string> rest, string command, bool required, Func<string, IPAddress?>? resolveHost,
        ServicesDatabase? services, string[] allowed)
    {
        CheckOnly(rest, command, Selectors.Concat(allowed).ToArray());
        var selector = Selector(rest);
        if (selector.Count == 0)
        {
            if (required) throw Usage($"The '{command}' command needs a service (-t host:port, -u host:port, --sctp-service host:port or -f mark)");
            return null;
        }
        return RulesLine("-A", selector, resolveHost, services, command).Services[0];
    }

    /// <summary>The service selector tokens (-t host:port ...) among the arguments.</summary>
    private static List<string> Selector(List<string> rest)
    {
        var selector = new List<string>();
        for (int i = 0; i < rest.Count; i++)
        {
            string name = rest[i].Split('=')[0];
            if (Array.IndexOf(Selectors, name) < 0) continue;
            selector.Add(rest[i]);
            if (name == rest[i] && i + 1 < rest.Count) selector.Add(rest[++i]);
        }
        return selector;
    }

    /// <summary>One rules line through <see cref="IpvsadmRulesParser"/>; its messages lose the "file:line:" and "in ..." parts.</summary>
    private static IpvsadmRules RulesLine(string command, List<string> rest, Func<string, IPAddress?>? resolveHost, ServicesDatabase? services, string commandName)
    {
        string line = command + " " + string.Join(' ', rest);
        // A real-server line needs its service defined before it, as in a rules file: the selector's own -A line first.
        string text = command == "-a" ? "-A " + string.Join(' ', Selector(rest)) + "\n" + line : line;
        try
        {
            return services is null
                ? IpvsadmRulesParser.Parse(text, "ipvsadm", resolveHost)
                : IpvsadmRulesParser.Parse(text, "ipvsadm", resolveHost, services);
        }
        catch (LvsException e)
        {
            string m = e.Message;
            foreach (var where in new[] { "ipvsadm:1: ", "ipvsadm:2: " })
                if (m.StartsWith(where, StringComparison.Ordinal)) m = m[where.Length..];
            int tail = m.LastIndexOf(" in " + line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], StringComparison.Ordinal);
            if (tail > 0) m = m[..tail];
            string name = command == "-A" ? "add-service" : "add-server";
            m = m.Replace($"'{name}' command", $"'{commandName}' command", StringComparison.Ordinal);
            throw new LvsException(e.ErrorId, e.Kind, "ipvsadm: " + m, string.Join(' ', rest), e);
        }
    }

    /// <summary>InvalidScheduler for a -s/--scheduler value that names no scheduler (ipvsadm's own word is the kernel's "not found").</summary>
    private static void CheckScheduler(List<string> rest)
    {
        for (int i = 0; i < rest.Count; i++)
        {
            string? value = rest[i] is "-s" or "--scheduler" && i + 1 < rest.Count ? rest[i + 1]
                : rest[i].StartsWith("--scheduler=", StringComparison.Ordinal) ? rest[i]["--scheduler=".Length..] : null;
            if (value is not null && !value.StartsWith('-') && !SchedulerFactory.TryParse(value, out _))
                throw new LvsException(LvsErrorIds.InvalidScheduler, LvsErrorKind.InvalidArgument,
                    $"ipvsadm: unknown scheduler '{value}' (known: {string.Join(", ", Enum.GetValues<LvsScheduler>().Select(SchedulerFactory.Name))})", value);
        }
    }

    private static LvsException Usage(string message) =>
        new(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, "ipvsadm: " + message);

    /// <summary>
    /// The change a changing command makes (for -E and -e the old settings come from <paramref name="actual"/>):
    /// "No such service" / "No such destination" (ipvsadm's texts) when it names what is not there.
    /// </summary>
    public static LvsConfigChange Change(IpvsadmInvocation inv, IReadOnlyList<LvsService> actual, string director)
    {
        ArgumentNullException.ThrowIfNull(inv);
        ArgumentNullException.ThrowIfNull(actual);
        var spec = inv.Service?.ToServiceSpec();
        LvsService? have = spec is null ? null : actual.FirstOrDefault(spec.Names);
        LvsService Existing() => have ?? throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound,
            $"ipvsadm: No such service ({LvsSyncPlanner.ServiceName(spec!)} on director '{director}')", LvsSyncPlanner.ServiceName(spec!));
        RealServerSpec Rs() => spec!.RealServers[0];
        LvsRealServer? HaveRs() => Existing().RealServers.FirstOrDefault(x => x.RealAddress.Equals(Rs().Address) && x.RealPort == Rs().Port);
        switch (inv.Command)
        {
            case IpvsadmCommandKind.AddService:
                return LvsSyncPlanner.AddService(spec!);
            case IpvsadmCommandKind.EditService:
            {
                var s = Existing();
                return LvsSyncPlanner.EditService(spec!, LvsSyncPlanner.ServiceSettings(s.Scheduler, s.SchedulerFlags, s.PersistentTimeout, s.PersistenceNetmask),
                    LvsSyncPlanner.ServiceSettings(spec!.Scheduler, spec.SchedulerFlags, spec.PersistentTimeout, spec.PersistenceNetmask));
            }
            case IpvsadmCommandKind.DeleteService:
            {
                var s = Existing();
                return LvsSyncPlanner.RemoveService(LvsSyncPlanner.Identity(s), LvsSyncPlanner.ServiceSettings(s.Scheduler, s.SchedulerFlags, s.PersistentTimeout, s.PersistenceNetmask));
            }
            case IpvsadmCommandKind.AddServer:
                Existing();
                return LvsSyncPlanner.RealServerChange(LvsChangeAction.Add, spec!, Rs(), null, LvsSyncPlanner.RealServerSettings(Rs().Weight, Rs().Forwarding, Rs().UpperThreshold, Rs().LowerThreshold));
            case IpvsadmCommandKind.EditServer:
            case IpvsadmCommandKind.DeleteServer:
            {
                var old = HaveRs() ?? throw new LvsException(LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound,
                    $"ipvsadm: No such destination ({Rs()} in {LvsSyncPlanner.ServiceName(spec!)} on director '{director}')", Rs().ToString());
                string oldText = LvsSyncPlanner.RealServerSettings(old.Weight, old.Forwarding, old.UpperThreshold, old.LowerThreshold);
                return inv.Command == IpvsadmCommandKind.EditServer
                    ? LvsSyncPlanner.RealServerChange(LvsChangeAction.Edit, spec!, Rs(), oldText, LvsSyncPlanner.RealServerSettings(Rs().Weight, Rs().Forwarding, Rs().UpperThreshold, Rs().LowerThreshold))
                    : LvsSyncPlanner.RealServerChange(LvsChangeAction.Remove, spec!, Rs(), oldText, null);
            }
            case IpvsadmCommandKind.Clear:
                return new LvsConfigChange(LvsChangeAction.Clear, LvsChangeObject.Table, "", null,
                    $"{actual.Count.ToString(CultureInfo.InvariantCulture)} services", null, "ipvsadm -C", d => d.Clear());
            case IpvsadmCommandKind.Zero:
            {
                if (spec is null)
                    return new LvsConfigChange(LvsChangeAction.Zero, LvsChangeObject.Table, "", null, null, null, "ipvsadm -Z", d => d.Zero(null));
                var id = LvsSyncPlanner.Identity(Existing());
                return new LvsConfigChange(LvsChangeAction.Zero, LvsChangeObject.Service, LvsSyncPlanner.ServiceName(spec), null, null, null,
                    $"ipvsadm -Z {LvsSyncPlanner.Selector(spec)}", d => d.Zero(id));
            }
            case IpvsadmCommandKind.SetTimeout:
            {
                var t = inv.Timeouts!;
                return new LvsConfigChange(LvsChangeAction.SetTimeout, LvsChangeObject.Timeout, "", null, null, t.ToString(),
                    $"ipvsadm --set {t}", d => d.SetTimeouts(t));
            }
            default:
                throw new InvalidOperationException($"{inv.Command} does not change the director.");
        }
    }

    /// <summary>The text ipvsadm prints for a listing command (-L ..., -S), byte for byte (numeric: names are not looked up).</summary>
    public static string Render(IpvsadmInvocation inv, IDirector director)
    {
        ArgumentNullException.ThrowIfNull(inv);
        ArgumentNullException.ThrowIfNull(director);
        if (inv.Command == IpvsadmCommandKind.Save)
            return IpvsadmFormatter.FormatSave(director.ListServices());
        if (inv.View == IpvsadmListView.Connections)
            return IpvsadmFormatter.FormatConnections(director.ListConnections());
        if (inv.View == IpvsadmListView.Timeout)
        {
            var t = director.GetTimeouts();
            var lt = new LvsPS.Ipvs.Connections.LvsTimeouts();
            lt.Set(t.Tcp, t.TcpFin, t.Udp);
            return IpvsadmFormatter.FormatTimeout(lt);
        }
        var all = director.ListServices();
        int size = all.Count > 0 ? all[0].TableSize : director.GetStatus().TableSize;
        var spec = inv.Service?.ToServiceSpec();
        var services = spec is null ? all : all.Where(spec.Names).ToList();
        if (spec is not null && services.Count == 0)
            throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound,
                $"ipvsadm: No such service ({LvsSyncPlanner.ServiceName(spec)} on director '{director.Name}')", LvsSyncPlanner.ServiceName(spec));
        return inv.View switch
        {
            IpvsadmListView.Stats => IpvsadmFormatter.FormatStats(services, size, exact: inv.Exact),
            IpvsadmListView.Rate => IpvsadmFormatter.FormatRate(services, size, exact: inv.Exact),
            IpvsadmListView.Thresholds => IpvsadmFormatter.FormatThresholds(services, size),
            IpvsadmListView.PersistentConn => IpvsadmFormatter.FormatPersistentConn(services, size),
            _ => IpvsadmFormatter.FormatList(services, size),
        };
    }
}
