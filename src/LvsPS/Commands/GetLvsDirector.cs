using LvsPS.Management.Failover;

namespace LvsPS.Commands;

/// <summary>Gets running directors (and, with -All, stopped ones that have a saved state).</summary>
[Cmdlet(VerbsCommon.Get, "LvsDirector", HelpUri = LvsHelpUri.Base + "Get-LvsDirector.md")]
[OutputType(typeof(DirectorStatus), typeof(LvsPS.Management.Kernel.KernelDirectorStatus))]
public sealed class GetLvsDirectorCommand : LvsCmdlet
{
    /// <summary>Director names (wildcards allowed).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Director", "Lab")]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Also list directors that are stopped but have a saved configuration.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        var names = DirectorPaths.SocketNames().ToList();
        if (All) names = names.Union(DirectorPaths.StateNames()).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var patterns = (Name ?? new[] { "*" }).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        bool any = false;
        foreach (var n in names.Where(n => patterns.Any(p => p.IsMatch(n))))
        {
            any = true;
            DirectorStatus? status = null;
            IDirector? client = null;
            try { client = DirectorClient.Connect(n, TimeSpan.FromSeconds(3)); status = client.GetStatus(); }
            catch (LvsException) { client = null; }
            if (status is null)
            {
                if (!All && !File.Exists(DirectorPaths.State(n))) continue;
                status = new DirectorStatus { Name = n, Running = false, StatePath = DirectorPaths.State(n), LogPath = DirectorPaths.Log(n), SocketPath = DirectorPaths.Socket(n) };
            }
            WriteObject(WithFailover(status, client is null ? null : DirectorFailoverState.Read(client)));
        }
        // Kernel labs' directors not connected yet in this session: connected (and registered) as on first use.
        foreach (var lab in KernelLabNames().Where(n => patterns.Any(p => p.IsMatch(n)) && !LvsPS.Management.Kernel.KernelDirectorRegistry.TryGet(n, out _)))
        {
            try { Client(lab); }
            catch (LvsException e) { any = true; WriteLvsError(e, lab); }
        }
        // Kernel IPVS directors this session is connected to (Connect-LvsDirector, kernel labs): what Connect shows.
        foreach (var k in LvsPS.Management.Kernel.KernelDirectorRegistry.All.Where(k => patterns.Any(p => p.IsMatch(k.Name))))
        {
            any = true;
            try { WriteObject(WithFailover(k.Describe(), DirectorFailoverState.Read(k))); }
            catch (LvsException e) { WriteLvsError(e, k.Name); }
        }
        if (!any && Name is not null && Name.All(n => !WildcardPattern.ContainsWildcardCharacters(n)))
            WriteLvsError(new LvsException(LvsErrorIds.DirectorNotRunning, LvsErrorKind.ObjectNotFound,
                $"No director named '{string.Join("', '", Name)}' is running.", Name));
    }

    /// <summary>
    /// The status with the director's failover state as added properties (Role, Priority, Peer, LastTransition,
    /// VrrpInstances, SyncDaemons, Sync): a stopped director has role None.
    /// </summary>
    internal static PSObject WithFailover(object status, DirectorFailoverState? failover)
    {
        var o = PSObject.AsPSObject(status);
        failover ??= new DirectorFailoverState();
        o.Properties.Add(new PSNoteProperty("Role", failover.Role));
        o.Properties.Add(new PSNoteProperty("Priority", failover.Priority));
        o.Properties.Add(new PSNoteProperty("Peer", failover.Peer));
        o.Properties.Add(new PSNoteProperty("LastTransition", failover.LastTransition));
        o.Properties.Add(new PSNoteProperty("VrrpInstances", failover.VrrpInstances));
        o.Properties.Add(new PSNoteProperty("SyncDaemons", failover.SyncDaemons));
        o.Properties.Add(new PSNoteProperty("Sync", failover.Sync));
        return o;
    }
}
