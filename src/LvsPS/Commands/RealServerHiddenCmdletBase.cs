using LvsPS.Management.Util;

namespace LvsPS.Commands;

/// <summary>
/// Shared targeting of the real-server cmdlets that log in over SSH: a lab's real servers (its key, its
/// known_hosts, reached from the lab's director namespace), or any hosts by name with a key file or a
/// credential and a known_hosts file. Host keys are always verified.
/// </summary>
public abstract class LvsRealServerRemoteCmdlet : LvsCmdlet
{
    protected const string LabSet = "Lab";
    protected const string ComputerSet = "ComputerName";

    [Parameter(Mandatory = true, ParameterSetName = LabSet)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Lab { get; set; } = "";

    /// <summary>Lab real servers to act on (default: all).</summary>
    [Parameter(ParameterSetName = LabSet)]
    [ArgumentCompleter(typeof(LabRealServerNodeCompleter))]
    public string[]? Node { get; set; }

    /// <summary>Real servers to log in to (names or addresses). Binds RealAddress from Get-LvsRealServer.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ComputerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("RealAddress", "HostName")]
    [RealServerHostTransformation]
    [ArgumentCompleter(typeof(RealAddressCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    /// <summary>The VIP (default with -Lab: the lab's VIP).</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP")]
    [ArgumentCompleter(typeof(VirtualAddressCompleter))]
    public IPAddress? VirtualAddress { get; set; }

    [Parameter(ParameterSetName = ComputerSet)]
    [ValidateRange(1, 65535)]
    public int SshPort { get; set; } = 22;

    /// <summary>User name and password; with -KeyFile the password is the key's passphrase. Default user root.</summary>
    [Parameter(ParameterSetName = ComputerSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>OpenSSH private key file.</summary>
    [Parameter(ParameterSetName = ComputerSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    /// <summary>known_hosts to verify host keys against (default ~/.ssh/known_hosts).</summary>
    [Parameter(ParameterSetName = ComputerSet)]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsFile { get; set; }

    /// <summary>Trust and record a host key that is not yet in known_hosts (a changed key is still refused).</summary>
    [Parameter(ParameterSetName = ComputerSet)]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary>Open the SSH connection from inside this Linux network namespace (e.g. a director in a netns).</summary>
    [Parameter(ParameterSetName = ComputerSet)]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,64}$")]
    [ArgumentCompleter(typeof(NetworkNamespaceCompleter))]
    public string? NetworkNamespace { get; set; }

    /// <summary>Interface that holds the VIP: lo (default) or dummy0 as the walkthrough does.</summary>
    [Parameter]
    [Alias("VipInterface")]
    [ArgumentCompleter(typeof(VipInterfaceCompleter))]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,15}$")]
    public string Interface { get; set; } = "lo";

    /// <summary>The real server's network interface (SERVER_NET_DEVICE), whose ARP settings are set too.</summary>
    [Parameter]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,15}$")]
    [ArgumentCompleter(typeof(RealServerNetInterfaceCompleter))]
    public string? NetInterface { get; set; }

    /// <summary>
    /// How many hosts are worked on at once (default 32, as Invoke-Command); 1 does them one after another. Output
    /// stays in the order the hosts were given.
    /// </summary>
    [Parameter]
    [ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    /// <summary>The fleet run of <see cref="LvsCmdlet.RunFleet"/> at this command's -ThrottleLimit.</summary>
    internal bool RunFleet<TJob, TResult>(int activityId, IReadOnlyList<TJob> jobs, Func<TJob, string> hostOf,
        Func<TJob, CancellationToken, TResult> work, Action<TJob, TResult> each) =>
        RunFleet(activityId, ThrottleLimit, jobs, hostOf, work, each);

    private LvsLab? _lab;

    internal LvsLab? LoadLab()
    {
        if (ParameterSetName != LabSet) return null;
        return _lab ??= LoadLab(Lab);
    }

    /// <summary>The hosts to act on with how to reach each.</summary>
    internal IEnumerable<SshTarget> Targets()
    {
        if (ParameterSetName == LabSet)
        {
            var lab = LoadLab()!;
            var nodes = Node is null
                ? lab.RealServers
                : Node.Select(n => lab.RealServers.FirstOrDefault(r => string.Equals(r.Name, n, StringComparison.OrdinalIgnoreCase))
                                   ?? throw new LvsException(LvsErrorIds.LabNodeNotFound, LvsErrorKind.ObjectNotFound,
                                       $"Lab '{lab.Name}' has no real server '{n}' (it has {string.Join(", ", lab.RealServers.Select(r => r.Name))}).", n)).ToList();
            foreach (var n in nodes) yield return LabTarget(lab, n.Address);
            yield break;
        }
        foreach (var host in ComputerName)
            yield return SshLogin(host, SshPort, Credential, KeyFile, KnownHostsFile, AcceptNewHostKey, NetworkNamespace);
    }

    /// <summary>
    /// How the lab's real servers are reached: from the lab's management namespace (the director's, or the client's
    /// when the director is a virtual machine), with the lab key and known_hosts.
    /// </summary>
    internal static SshTarget LabTarget(LvsLab lab, IPAddress address) => new(address.ToString())
    {
        KeyFile = lab.KeyFile,
        KnownHostsFile = lab.KnownHostsFile,
        NetworkNamespace = lab.ManagementNamespace,
    };

    /// <summary>-VirtualAddress, else the lab's VIP; InvalidAddress without either.</summary>
    internal IPAddress ResolveVip()
    {
        if (VirtualAddress is not null) return VirtualAddress;
        var lab = LoadLab();
        if (lab is not null) return lab.VirtualAddress;
        throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, "Give -VirtualAddress (the VIP the real servers must hold).");
    }
}

/// <summary>
/// Lets a real server object stand for its address in -ComputerName. Without it, an LvsRealServer piped from
/// Get-LvsRealServer binds by value (string[] with coercion, which PowerShell tries before the by-property-name
/// binding that would need the IPAddress RealAddress converted) as its ToString(), "address:port", which is no host name.
/// </summary>
internal sealed class RealServerHostTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        static object? One(object? o)
        {
            var value = o is PSObject ps ? ps.BaseObject : o;
            if (value is null or string) return o;
            if (value is LvsRealServer rs) return rs.RealAddress.ToString();
            var address = PSObject.AsPSObject(o).Properties["RealAddress"]?.Value;
            return address is null ? o : (address is PSObject pa ? pa.BaseObject : address).ToString();
        }

        var input = inputData is PSObject p ? p.BaseObject : inputData;
        if (input is System.Collections.IList list)
        {
            var result = new object?[list.Count];
            for (int i = 0; i < list.Count; i++) result[i] = One(list[i]);
            return result;
        }
        return One(inputData);
    }
}
