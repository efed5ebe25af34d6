using System.Management.Automation;
using System.Net;
using LvsPS.Core.Config;
using LvsPS.Core.Lab;
using LvsPS.Core.Model;

namespace LvsPS.Commands;

/// <summary>
/// Reads an LVS configure-script file (lvs_dr.conf: LVS_TYPE, VIP, DIRECTOR_INSIDEIP, SERVICE=..., SERVER_VIP_DEVICE ...)
/// and emits one service definition per SERVICE line, ready to pipe into New-LvsService. Host names are resolved
/// from the lab's nodes, -HostsFile and /etc/hosts (and DNS only with -UseDns); service names from /etc/services.
/// </summary>
[Cmdlet(VerbsData.Import, "LvsConfiguration")]
[OutputType(typeof(LvsServiceDefinition), typeof(LvsDrConfiguration))]
public sealed class ImportLvsConfigurationCommand : LvsCmdlet
{
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

    protected override void ProcessRecord()
    {
        try
        {
            var hosts = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
            if (Lab is not null)
            {
                var lab = new LabManager().Get(Lab) ?? throw new LvsException(LvsErrorIds.LabNotFound, LvsErrorKind.ObjectNotFound, $"No lab named '{Lab}' exists.", Lab);
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
            var conf = LvsDrConfParser.ParseFile(path, Resolve, GetUnresolvedProviderPathFromPSPath(ServicesFile));
            foreach (var w in conf.Warnings) WriteWarning(w);
            if (AsConfiguration) WriteObject(conf);
            else WriteObject(conf.Services, true);
        }
        catch (LvsException e)
        {
            WriteLvsError(e, Path);
        }
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
