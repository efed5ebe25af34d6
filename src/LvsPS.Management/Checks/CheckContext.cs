using LvsPS.Ipvs.Director;
using LvsPS.Management.Kernel;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

/// <summary>
/// What every stage of a Test-LvsCluster run shares: the director and what it answered once at the start, the
/// lab (if any), and the hosts commands run on. Read once, used by every check; disposed at the end of the run
/// (it closes the SSH sessions the checks opened).
/// </summary>
public sealed class CheckContext : IDisposable
{
    private readonly Dictionary<string, ICheckHost?> _realServerHosts = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = new();
    private readonly Func<string, bool> _want;

    public CheckContext(IDirector client, ClusterCheckOptions options, Func<string, bool> want)
    {
        Client = client;
        Options = options;
        _want = want;
        Say($"Reading the status and the table of director '{client.Name}'");
        try
        {
            Status = client.GetStatus();
            Listed = client.ListServices();
            Say($"Director '{client.Name}' ({Status.Kind}) has {DirectorVerbose.Describe(Listed)}");
        }
        catch (LvsException e) { WhyNot = e.Message; Say($"Director '{client.Name}' did not answer: {e.Message}"); }
        Services = Listed ?? new List<LvsService>();
        Vips = Services.Select(s => s.VirtualAddress).Distinct().ToList();
        if (options.Lab is null && Status?.VirtualAddresses is { Length: > 0 } v) Vips = v.ToList();
        Lab = options.Lab;
        Labs = Lab is null ? null : new LabManager();
        DirectorNode = Lab is null ? null : Lab.FindDirector(options.Director ?? "") ?? Lab.Director;
        IsKernel = (Lab is not null && Lab.KindOf(DirectorNode!) == LvsLabDirectorKind.Kernel)
                   || Status?.Kind == LvsDirectorKind.Kernel || client is KernelDirector;
        RealServers = Services.SelectMany(s => s.RealServers).GroupBy(r => r.RealAddress.ToString()).Select(g => g.First()).ToList();
        DirectorHost = options.DirectorHost
            ?? (Lab is not null ? new LabCheckHost(Labs!, Lab, DirectorNode!)
                : client is KernelDirector k ? new KernelDirectorCheckHost(k)
                : new LocalCheckHost { NetworkNamespace = Status?.NetworkNamespace, Name = Status?.NetworkNamespace is { Length: > 0 } ns ? $"{Environment.MachineName} (netns {ns})" : Environment.MachineName });
        ClientHost = options.ClientHost ?? (Lab is not null ? new LabCheckHost(Labs!, Lab, Lab.Client) : null);
        Listen(DirectorHost);
        Listen(ClientHost);
    }

    /// <summary>Tells the run's verbose sink (Test-LvsCluster -Verbose) what happens.</summary>
    public void Say(string message) => DirectorVerbose.Say(Options.Verbose, message);

    /// <summary>Gives a host the run's verbose sink, so it names each command it runs and where.</summary>
    private void Listen(ICheckHost? host)
    {
        if (host is IVerboseSource v && Options.Verbose is not null) v.Verbose = Options.Verbose;
    }

    public IDirector Client { get; }
    public ClusterCheckOptions Options { get; }
    /// <summary>The director's status, null when it did not answer (then <see cref="WhyNot"/> says why).</summary>
    public DirectorStatus? Status { get; }
    /// <summary>The director's services as it listed them, null when it did not answer.</summary>
    public List<LvsService>? Listed { get; }
    public string? WhyNot { get; }
    /// <summary>The services (empty when the director did not answer).</summary>
    public List<LvsService> Services { get; }
    public List<IPAddress> Vips { get; }
    /// <summary>Every real server once (the first service's entry for it).</summary>
    public List<LvsRealServer> RealServers { get; }
    public LvsLab? Lab { get; }
    public LabManager? Labs { get; }
    /// <summary>The lab's director node being checked (a pair's: the one -Director names).</summary>
    public LvsLabNode? DirectorNode { get; }
    /// <summary>Kernel IPVS (its kernel holds the VIP) rather than lvsd (owns it in user space).</summary>
    public bool IsKernel { get; }
    /// <summary>The director's shell: its lab node, its kernel director's SSH session, or this machine for lvsd.</summary>
    public ICheckHost DirectorHost { get; }
    /// <summary>Where traffic probes are sent from; null when no client was named (outside a lab).</summary>
    public ICheckHost? ClientHost { get; }
    /// <summary>The director's name as results show it.</summary>
    public string DirectorName => Options.Director;

    public bool Want(string check) => _want(check);

    /// <summary>The run's progress (Test-LvsCluster's Write-Progress), told on the enumerating thread only.</summary>
    public IProgress<(string Activity, int Percent)>? Progress { get; set; }

    /// <summary>The real server's shell over SSH (cached for the run), or null when no SSH access was given for it.</summary>
    public ICheckHost? RealServerHost(IPAddress address)
    {
        var key = address.ToString();
        if (_realServerHosts.TryGetValue(key, out var cached)) return cached;
        var target = Options.SshTargetFor?.Invoke(address);
        ICheckHost? host = null;
        if (target is not null)
        {
            var node = Lab?.Nodes.FirstOrDefault(n => n.Address.Equals(address));
            var ssh = new SshCheckHost(target, node is null ? key : $"{node.Name} ({key})") { Cancellation = Options.Cancellation };
            Listen(ssh);
            _owned.Add(ssh);
            host = ssh;
        }
        _realServerHosts[key] = host;
        return host;
    }

    /// <summary>The lab node at <paramref name="address"/>, if any (results name it, remedies use -Node).</summary>
    public LvsLabNode? LabNodeAt(IPAddress address) => Lab?.Nodes.FirstOrDefault(n => n.Address.Equals(address));

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
