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
    /// <summary>1-based index for real servers (rs1 = 1), 0 otherwise.</summary>
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
    /// <summary>Engine (lvsd) or Kernel (Linux IPVS on the director node, managed over SSH).</summary>
    public LvsLabDirectorKind DirectorKind { get; set; } = LvsLabDirectorKind.Engine;
    /// <summary>Kernel labs: the kernel director's guest (kernel package and version, accelerator, boot seconds).</summary>
    public string? KernelGuest { get; set; }
    /// <summary>Namespace that holds the bridge.</summary>
    public string SwitchNamespace { get; set; } = "";
    /// <summary>Folder holding every file the lab made (configs, keys, logs, pid files).</summary>
    public string Directory { get; set; } = "";
    public LvsLabNode Client { get; set; } = new();
    public LvsLabNode Director { get; set; } = new();
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

    public IEnumerable<LvsLabNode> Nodes
    {
        get
        {
            yield return Client;
            yield return Director;
            foreach (var rs in RealServers) yield return rs;
        }
    }

    public LvsLabNode? FindNode(string name) =>
        Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)
                                  || (n.Role == LvsLabRole.Director && string.Equals(name, "vs1", StringComparison.OrdinalIgnoreCase)));

    public override string ToString() => Name;
}
