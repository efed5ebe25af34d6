namespace LvsPS.Management.Config;

/// <summary>
/// An /etc/services-format table ("name port/proto [alias ...] [# comment]"), looked up like getservbyname and
/// getservbyport: names and aliases are case-sensitive, the first matching line wins, malformed lines are skipped.
/// </summary>
public sealed class ServicesDatabase
{
    private readonly Dictionary<(string Name, string Proto), ushort> _byName = new();
    private readonly Dictionary<(ushort Port, string Proto), string> _byPort = new();

    private ServicesDatabase() { }

    /// <summary>Number of name and alias entries.</summary>
    public int Count => _byName.Count;

    /// <summary>Reads a services file; throws <see cref="FileNotFoundException"/> when it is missing.</summary>
    public static ServicesDatabase Load(string path) => Parse(File.ReadAllText(path));

    public static ServicesDatabase Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var db = new ServicesDatabase();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw;
            int hash = line.IndexOf('#');
            if (hash >= 0)
                line = line[..hash];
            var tok = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tok.Length < 2)
                continue;
            int slash = tok[1].IndexOf('/');
            if (slash <= 0 || slash == tok[1].Length - 1)
                continue;
            if (!ushort.TryParse(tok[1].AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
                continue;
            string proto = tok[1][(slash + 1)..].ToLowerInvariant();
            db._byPort.TryAdd((port, proto), tok[0]);
            for (int i = 0; i < tok.Length; i++)
            {
                if (i == 1)
                    continue;
                db._byName.TryAdd((tok[i], proto), port);
            }
        }
        return db;
    }

    /// <summary>getservbyname(name, "tcp"|"udp").</summary>
    public bool TryGetPort(string name, LvsProtocol protocol, out ushort port)
        => _byName.TryGetValue((name, ProtoName(protocol)), out port);

    /// <summary>getservbyport: the official name of the first line with that port and protocol, or null.</summary>
    public string? GetName(ushort port, LvsProtocol protocol)
        => _byPort.TryGetValue((port, ProtoName(protocol)), out var name) ? name : null;

    private static string ProtoName(LvsProtocol p) => p == LvsProtocol.Udp ? "udp" : "tcp";
}
