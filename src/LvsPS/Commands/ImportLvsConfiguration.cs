using LvsPS.Management.Config;

namespace LvsPS.Commands;

/// <summary>
/// Reads an LVS configuration file and emits one service definition per service, ready to pipe into New-LvsService:
/// an LVS configure-script file (lvs_dr.conf: LVS_TYPE, VIP, DIRECTOR_INSIDEIP, SERVICE=..., SERVER_VIP_DEVICE ...),
/// ipvsadm rules (ipvsadm-save output, as ipvsadm -R reads it) or the virtual_server blocks of a keepalived.conf.
/// -Format Auto (the default) tells them apart by their content. Host names are resolved from the lab's nodes,
/// -HostsFile and /etc/hosts (and DNS only with -UseDns); service names from /etc/services.
/// </summary>
[Cmdlet(VerbsData.Import, "LvsConfiguration", HelpUri = LvsHelpUri.Base + "Import-LvsConfiguration.md")]
[OutputType(typeof(LvsServiceDefinition), typeof(LvsDrConfiguration), typeof(IpvsadmRules), typeof(KeepalivedConfiguration))]
public sealed class ImportLvsConfigurationCommand : LvsCmdlet
{
    public const string FormatAuto = "Auto";
    public const string FormatLvsDrConf = "LvsDrConf";
    public const string FormatIpvsadmRules = "IpvsadmRules";
    public const string FormatKeepalived = "Keepalived";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Resolve host names (rs1, rs2, vs1, director, client) to this lab's addresses.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    public string? Lab { get; set; }

    /// <summary>An extra hosts(5) file to resolve names with.</summary>
    [Parameter]
    public string? HostsFile { get; set; }

    /// <summary>services(5) file for names like telnet and www (default /etc/services).</summary>
    [Parameter]
    public string ServicesFile { get; set; } = "/etc/services";

    /// <summary>Fall back to DNS for names no hosts file knows.</summary>
    [Parameter]
    public SwitchParameter UseDns { get; set; }

    /// <summary>Emit the whole configuration object instead of its services.</summary>
    [Parameter]
    public SwitchParameter AsConfiguration { get; set; }

    /// <summary>The file's format; Auto tells lvs_dr.conf, ipvsadm rules and keepalived.conf apart by their content.</summary>
    [Parameter]
    [ValidateSet(FormatAuto, FormatLvsDrConf, FormatIpvsadmRules, FormatKeepalived, IgnoreCase = true)]
    public string Format { get; set; } = FormatAuto;

    protected override void ProcessRecord()
    {
        try
        {
            var hosts = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
            if (Lab is not null)
            {
                var lab = LoadLab(Lab);
                ReadHosts(lab.HostsFile, hosts);
                foreach (var n in lab.Nodes) hosts.TryAdd(n.Name, n.Address);
            }
            if (HostsFile is not null) ReadHosts(GetUnresolvedProviderPathFromPSPath(HostsFile), hosts);
            ReadHosts("/etc/hosts", hosts);
            IPAddress? Resolve(string name)
            {
                if (hosts.TryGetValue(name, out var a)) return a;
                if (!UseDns) return null;
                try { return Dns.GetHostAddresses(name).FirstOrDefault(x => x.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork); }
                catch (System.Net.Sockets.SocketException) { return null; }
            }
            var path = GetUnresolvedProviderPathFromPSPath(Path);
            var servicesFile = GetUnresolvedProviderPathFromPSPath(ServicesFile);
            string format = Format;
            if (string.Equals(format, FormatAuto, StringComparison.OrdinalIgnoreCase))
            {
                if (System.IO.Directory.Exists(path)) throw IpvsadmRulesParser.PathIsDirectory(path);
                if (!File.Exists(path))
                    throw new LvsException(LvsErrorIds.ConfigFileNotFound, LvsErrorKind.ObjectNotFound,
                        $"The configuration file '{path}' does not exist.", path);
                format = DetectFormat(File.ReadAllText(path))
                    ?? throw new LvsException(LvsErrorIds.ConfigParseError, LvsErrorKind.ParserError,
                        $"{path}: cannot tell the format of this file: it has no ipvsadm rule (-A, -a, -C), no virtual_server block "
                        + "and no KEY=value setting; name it with -Format LvsDrConf, IpvsadmRules or Keepalived.", path);
                WriteVerbose($"{path}: read as {format}");
            }
            object conf;
            List<LvsServiceDefinition> services;
            List<string> warnings;
            if (string.Equals(format, FormatIpvsadmRules, StringComparison.OrdinalIgnoreCase))
            {
                var rules = IpvsadmRulesParser.ParseFile(path, Resolve, servicesFile);
                (conf, services, warnings) = (rules, rules.Services, rules.Warnings);
            }
            else if (string.Equals(format, FormatKeepalived, StringComparison.OrdinalIgnoreCase))
            {
                var keepalived = KeepalivedConfParser.ParseFile(path, Resolve, servicesFile);
                (conf, services, warnings) = (keepalived, keepalived.Services, keepalived.Warnings);
            }
            else
            {
                var drConf = LvsDrConfParser.ParseFile(path, Resolve, servicesFile);
                (conf, services, warnings) = (drConf, drConf.Services, drConf.Warnings);
            }
            foreach (var w in warnings) WriteWarning(w);
            if (conf is IpvsadmRules { Clears: true })
                WriteVerbose($"{path} clears the table (-C) before adding its services.");
            if (AsConfiguration) WriteObject(conf);
            else WriteObject(services, true);
        }
        catch (LvsException e)
        {
            WriteLvsError(e, Path);
        }
    }

    /// <summary>
    /// Tells the format from the first line that decides it (comments, blank lines and "ipvsadm" words skipped):
    /// a line starting with -A, -a, -C or a long ipvsadm command (--add-service, --add-server, --clear) is ipvsadm
    /// rules; a keepalived keyword (virtual_server, global_defs, vrrp_*, include ...) or a brace is keepalived.conf;
    /// KEY=value is lvs_dr.conf. Null when no line decides.
    /// </summary>
    internal static string? DetectFormat(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw;
            int cut = line.IndexOfAny(new[] { '#', '!' });
            if (cut >= 0) line = line[..cut];
            var words = line.Split(new[] { ' ', '\t', '\r' }, StringSplitOptions.RemoveEmptyEntries).Where(w => w != "ipvsadm").ToArray();
            if (words.Length == 0) continue;
            string first = words[0];
            if (first is "-A" or "-a" or "-C" || first.StartsWith("--add-", StringComparison.Ordinal) || first == "--clear"
                || (first.StartsWith('-') && words.Any(w => w is "-A" or "-a" or "-C" or "--add-service" or "--add-server" or "--clear")))
                return FormatIpvsadmRules;
            if (first is "virtual_server" or "virtual_server_group" or "global_defs" or "include" or "real_server" or "{" or "}"
                || first.StartsWith("vrrp_", StringComparison.Ordinal) || first.StartsWith("static_", StringComparison.Ordinal)
                || line.Contains('{') || line.Contains('}'))
                return FormatKeepalived;
            if (System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s*[A-Za-z_][A-Za-z0-9_]*\s*="))
                return FormatLvsDrConf;
        }
        return null;
    }

    private static void ReadHosts(string file, Dictionary<string, IPAddress> map)
    {
        if (!File.Exists(file)) return;
        foreach (var raw in File.ReadLines(file))
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !IPAddress.TryParse(parts[0], out var addr) || addr.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) continue;
            foreach (var name in parts.Skip(1)) map.TryAdd(name, addr);
        }
    }
}
