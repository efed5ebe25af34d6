using System.Text.Json.Serialization;

namespace LvsPS.Management.Lab;

public enum LvsLabRole
{
    Client,
    Director,
    RealServer,
}

/// <summary>What forwards a lab's traffic: LvsPS's own director (lvsd, the default) or the Linux kernel's IPVS.</summary>
public enum LvsLabDirectorKind
{
    /// <summary>lvsd, started with Start-LvsDirector -Lab.</summary>
    Engine,
    /// <summary>Linux IPVS, managed through the kernel backend (ipvsadm over SSH).</summary>
    Kernel,
}

/// <summary>Where a lab node runs.</summary>
public enum LvsLabNodeHost
{
    /// <summary>A network namespace of this machine (every node of an engine lab).</summary>
    Namespace,
    /// <summary>A QEMU virtual machine with its own kernel (a kernel director on a host without ip_vs).</summary>
    VirtualMachine,
}

/// <summary>One host of a lab: a network namespace with one Ethernet interface on the lab's bridge.</summary>
public sealed class LvsLabNode
{
    public string Lab { get; set; } = "";
    /// <summary>client, director, rs1, rs2 ...</summary>
    public string Name { get; set; } = "";
    public LvsLabRole Role { get; set; }
    /// <summary>1-based index for real servers (rs1 = 1) and for the directors of a pair (director1 = 1), 0 otherwise.</summary>
    public int Index { get; set; }
    /// <summary>
    /// The node's network namespace; for a <see cref="LvsLabNodeHost.VirtualMachine"/> node, the namespace its QEMU
    /// process and tap device live in (the switch's).
    /// </summary>
    public string Namespace { get; set; } = "";
    public LvsLabNodeHost Host { get; set; } = LvsLabNodeHost.Namespace;
    public string Interface { get; set; } = "eth0";
    public IPAddress Address { get; set; } = IPAddress.None;
    public string MacAddress { get; set; } = "";
    /// <summary>NAT labs, director only: its interface on the internal network of the real servers.</summary>
    public string? InsideInterface { get; set; }
    public IPAddress? InsideAddress { get; set; }
    public string? InsideMacAddress { get; set; }
    /// <summary>Director nodes: what forwards on this director (Engine: lvsd; Kernel: Linux IPVS); null for other nodes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LvsLabDirectorKind? DirectorKind { get; set; }
    /// <summary>
    /// Director nodes: the director's name, what -Director selects (the lab's name in a one-director lab,
    /// &lt;lab&gt;-director1 and &lt;lab&gt;-director2 in a pair); null for other nodes.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DirectorName { get; set; }

    public override string ToString() => $"{Name} {Address}";
}

/// <summary>A lab: client, director and real servers in network namespaces joined by a bridge.</summary>
public sealed class LvsLab
{
    public string Name { get; set; } = "";
    /// <summary>IPv4 subnet in CIDR form, e.g. 10.250.0.0/24.</summary>
    public string Subnet { get; set; } = "";
    public int PrefixLength { get; set; } = 24;
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    /// <summary>How the lab is wired for: Route (DR: every node on one segment) or Masq (NAT: the real servers on an
    /// internal network behind the director, their default gateway).</summary>
    public LvsPS.Ipvs.Model.LvsForwarding Forwarding { get; set; } = LvsPS.Ipvs.Model.LvsForwarding.Route;
    /// <summary>NAT labs: the internal network of the real servers (the next block after <see cref="Subnet"/>).</summary>
    public string? InsideSubnet { get; set; }
    /// <summary>Engine (lvsd) or Kernel (Linux IPVS on the director node, managed over SSH); in a two-director lab
    /// the first director's kind (each director's own is <see cref="LvsLabNode.DirectorKind"/>).</summary>
    public LvsLabDirectorKind DirectorKind { get; set; } = LvsLabDirectorKind.Engine;
    /// <summary>Kernel labs: the kernel director's guest (kernel package and version, accelerator, boot seconds).</summary>
    public string? KernelGuest { get; set; }
    /// <summary>Namespace that holds the bridge.</summary>
    public string SwitchNamespace { get; set; } = "";
    /// <summary>Folder holding every file the lab made (configs, keys, logs, pid files).</summary>
    public string Directory { get; set; } = "";
    public LvsLabNode Client { get; set; } = new();
    /// <summary>The first director (director1 of a pair; the only one, "director", of a one-director lab).</summary>
    public LvsLabNode Director
    {
        get => Directors[0];
        set
        {
            if (Directors.Count == 0) Directors.Add(value);
            else Directors[0] = value;
        }
    }
    /// <summary>Every director: one ("director", .1), or two for a pair ("director1" .1, "director2" .2).</summary>
    [JsonIgnore]
    public List<LvsLabNode> Directors { get; set; } = new() { new LvsLabNode() };
    /// <summary>lab.json: the directors of a pair (a one-director lab keeps only "Director", as before).</summary>
    [JsonInclude]
    [JsonPropertyName("Directors")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    internal List<LvsLabNode>? SavedDirectors
    {
        get => Directors.Count > 1 ? Directors : null;
        set { if (value is { Count: > 0 }) Directors = value; }
    }
    public List<LvsLabNode> RealServers { get; set; } = new();
    /// <summary>known_hosts with the real servers' lab host keys.</summary>
    public string KnownHostsFile { get; set; } = "";
    /// <summary>Private key (OpenSSH ed25519) allowed to log in as root on the real servers.</summary>
    public string KeyFile { get; set; } = "";
    /// <summary>hosts(5) file naming the lab's nodes (director/vs1, rs1, rs2, client).</summary>
    public string HostsFile { get; set; } = "";
    public DateTime Created { get; set; }

    /// <summary>
    /// The namespace the module's SSH sessions to lab hosts start from: the director's, or the client's when the
    /// director is a virtual machine (a VM has no namespace of this machine to start from).
    /// </summary>
    public string ManagementNamespace => Director.Host == LvsLabNodeHost.VirtualMachine ? Client.Namespace : Director.Namespace;

    /// <summary>Where SSH sessions to <paramref name="node"/> start from: the client's namespace for a virtual machine, else <see cref="ManagementNamespace"/>.</summary>
    public string ManagementNamespaceFor(LvsLabNode node) =>
        node.Host == LvsLabNodeHost.VirtualMachine ? Client.Namespace : ManagementNamespace;

    /// <summary>The director's name (what -Director selects): the lab's in a one-director lab, &lt;lab&gt;-directorN in a pair.</summary>
    public string DirectorNameOf(LvsLabNode director) =>
        director.DirectorName ?? (Directors.Count > 1 ? $"{Name}-{director.Name}" : Name);

    /// <summary>The director node named <paramref name="directorName"/> (as -Director names it), or null.</summary>
    public LvsLabNode? FindDirector(string directorName) =>
        Directors.FirstOrDefault(d => string.Equals(DirectorNameOf(d), directorName, StringComparison.OrdinalIgnoreCase));

    /// <summary>A director's kind: its own, else (a lab.json from before pairs) the lab's.</summary>
    public LvsLabDirectorKind KindOf(LvsLabNode director) => director.DirectorKind ?? DirectorKind;

    public IEnumerable<LvsLabNode> Nodes
    {
        get
        {
            yield return Client;
            foreach (var d in Directors) yield return d;
            foreach (var rs in RealServers) yield return rs;
        }
    }

    /// <summary>The node of that name (client, director, rs1 ...); vs1 (and vs2 in a pair) name the directors.</summary>
    public LvsLabNode? FindNode(string name) =>
        Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? Directors.Select((d, i) => (d, i)).Where(x => string.Equals(name, $"vs{x.i + 1}", StringComparison.OrdinalIgnoreCase))
            .Select(x => x.d).FirstOrDefault();

    /// <summary>Names a node can be given by: every node's, and vs1 (vs2) for the directors.</summary>
    public IEnumerable<string> NodeNames()
    {
        foreach (var n in Nodes) yield return n.Name;
        for (int i = 0; i < Directors.Count; i++) yield return $"vs{i + 1}";
    }

    public override string ToString() => Name;
}
