using System.Globalization;
using System.Text;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Management.Tests.Config;

/// <summary>Shared inputs of the configuration tests: a services table, a host resolver and a canonical text of a table.</summary>
internal static class ConfigTestData
{
    public static readonly ServicesDatabase Services = ServicesDatabase.Parse(
        "ftp\t\t21/tcp\n" +
        "telnet\t\t23/tcp\n" +
        "domain\t\t53/tcp\n" +
        "domain\t\t53/udp\n" +
        "http\t\t80/tcp\t\twww www-http\n" +
        "https\t\t443/tcp\n");

    public static IPAddress? Resolve(string name) => name switch
    {
        "rs1" => IPAddress.Parse("192.168.0.3"),
        "rs2" => IPAddress.Parse("192.168.0.4"),
        "ns2" => IPAddress.Parse("192.168.1.22"),
        "lvs" => IPAddress.Parse("192.168.0.101"),
        _ => null,
    };

    /// <summary>Rules text parsed as the file "rules", with the table's names and the resolver here.</summary>
    public static IpvsadmRules ParseRules(string text) => IpvsadmRulesParser.Parse(text, "rules", Resolve, Services);

    /// <summary>keepalived.conf text parsed as the file "keepalived.conf", with the table's names and the resolver here.</summary>
    public static KeepalivedConfiguration ParseKeepalived(string text) => KeepalivedConfParser.Parse(text, "keepalived.conf", Resolve, Services);

    public static LvsRealServer Rs(string addr, ushort port, int weight = 1, LvsForwarding fwd = LvsForwarding.Route, int upper = 0, int lower = 0,
        int active = 0, int inactive = 0)
        => new()
        {
            RealAddress = IPAddress.Parse(addr), RealPort = port, Weight = weight, Forwarding = fwd, UpperThreshold = upper, LowerThreshold = lower,
            ActiveConnections = active, InactiveConnections = inactive,
        };

    /// <summary>A service with its real servers given in kernel order (newest first).</summary>
    public static LvsService Svc(string vip, ushort port, LvsScheduler sched, LvsProtocol proto = LvsProtocol.Tcp,
        uint persistent = 0, string? mask = null, params LvsRealServer[] kernelOrder)
    {
        var svc = new LvsService
        {
            Protocol = proto,
            VirtualAddress = IPAddress.Parse(vip),
            Port = port,
            Scheduler = sched,
            PersistentTimeout = persistent,
            PersistenceNetmask = mask is null ? null : IPAddress.Parse(mask),
        };
        foreach (var r in kernelOrder)
        {
            r.Protocol = proto;
            r.VirtualAddress = svc.VirtualAddress;
            r.Port = port;
            svc.RealServers.Add(r);
        }
        return svc;
    }

    /// <summary>
    /// Asserts that <paramref name="parse"/> fails with <paramref name="errorId"/> and <paramref name="kind"/> (null: either
    /// is not checked) and a message that starts with "file:line: " and contains <paramref name="fragment"/>.
    /// </summary>
    public static void AssertParseError(Action parse, string file, int line, string fragment,
        string? errorId = LvsErrorIds.ConfigParseError, LvsErrorKind? kind = LvsErrorKind.ParserError)
    {
        var ex = Assert.Throws<LvsException>(parse);
        if (errorId is not null) Assert.Equal(errorId, ex.ErrorId);
        if (kind is not null) Assert.Equal(kind, ex.Kind);
        Assert.StartsWith($"{file}:{line}: ", ex.Message);
        Assert.Contains(fragment, ex.Message);
    }

    /// <summary>Writes <paramref name="script"/> to a temporary file and asserts that <c>sh -n</c> finds no syntax error in it.</summary>
    public static void AssertShSyntax(string script)
    {
        using var dir = new TempDir();
        string path = dir.File("script.sh");
        File.WriteAllText(path, script);
        var r = Proc.Run("sh", "-n", path);
        Assert.True(r.ExitCode == 0, "sh -n failed: " + r.Error);
    }

    /// <summary>Every configurable field of a table, services and real servers in the order given.</summary>
    public static string Canon(IEnumerable<LvsService> services, bool sorted = false)
    {
        var sb = new StringBuilder();
        var list = services.ToList();
        if (sorted)
            list = list.OrderBy(s => s.Protocol).ThenBy(s => s.VirtualAddress.ToString(), StringComparer.Ordinal).ThenBy(s => s.Port).ToList();
        foreach (var s in list)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{s.Protocol} {s.VirtualAddress}:{s.Port} {SchedulerFactory.Name(s.Scheduler)} p={s.PersistentTimeout} m={s.PersistenceNetmask?.ToString() ?? "-"}\n");
            var rss = sorted ? s.RealServers.OrderBy(r => r.RealAddress.ToString(), StringComparer.Ordinal).ThenBy(r => r.RealPort).ToList() : s.RealServers;
            foreach (var r in rss)
                sb.Append(CultureInfo.InvariantCulture, $"  {r.RealAddress}:{r.RealPort} {r.Forwarding} w={r.Weight} x={r.UpperThreshold} y={r.LowerThreshold} [{r.Protocol} {r.VirtualAddress}:{r.Port}]\n");
        }
        return sb.ToString();
    }
}
