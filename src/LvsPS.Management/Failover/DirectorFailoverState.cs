using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Failover;

/// <summary>A director's place in a failover pair, over all of its VRRP instances.</summary>
public enum DirectorRole : long
{
    /// <summary>The director runs no VRRP instance (or cannot say).</summary>
    None,
    /// <summary>Every instance is starting (INIT).</summary>
    Init,
    /// <summary>Every instance is backup.</summary>
    Backup,
    /// <summary>Every instance is master.</summary>
    Master,
    /// <summary>At least one instance is in FAULT (its interface is down).</summary>
    Fault,
    /// <summary>Master of some instances, backup of others.</summary>
    Mixed,
}

/// <summary>
/// What Get-LvsDirector adds to a director's status: its role, priority, the master it hears, its last VRRP
/// transition and its sync daemons, composed from <see cref="IDirector.ListVrrpInstances"/> and
/// <see cref="IDirector.ListSyncDaemons"/>.
/// </summary>
public sealed class DirectorFailoverState
{
    public string Director { get; set; } = "";
    public DirectorRole Role { get; set; }
    /// <summary>The configured priority (the highest where instances differ); null without VRRP.</summary>
    public int? Priority { get; set; }
    /// <summary>The master this director hears (its own address while it is master); null = none heard.</summary>
    public IPAddress? Peer { get; set; }
    /// <summary>The latest state change of any instance (UTC).</summary>
    public DateTime? LastTransition { get; set; }
    public VrrpInstanceStatus[] VrrpInstances { get; set; } = Array.Empty<VrrpInstanceStatus>();
    public SyncDaemonStatus[] SyncDaemons { get; set; } = Array.Empty<SyncDaemonStatus>();
    /// <summary>Why the VRRP or sync state could not be read (the director refused or did not answer), else null.</summary>
    public string? Error { get; set; }

    /// <summary>The roles of the running sync daemons, "Master,Backup" style; "" for none.</summary>
    public string Sync => string.Join(",", SyncDaemons.OrderBy(d => d.Role).Select(d => d.Role.ToString()));

    /// <summary>
    /// Reads a director's VRRP instances and sync daemons. A director that does not offer them
    /// (NotSupportedByDirector) has none; any other refusal is kept in <see cref="Error"/>, not thrown.
    /// </summary>
    public static DirectorFailoverState Read(IDirector director)
    {
        var vrrp = new List<VrrpInstanceStatus>();
        var sync = new List<SyncDaemonStatus>();
        var errors = new List<string>();
        try { vrrp = director.ListVrrpInstances() ?? vrrp; }
        catch (LvsException e) when (e.ErrorId != LvsErrorIds.NotSupportedByDirector) { errors.Add(e.Message); }
        catch (LvsException) { }
        try { sync = director.ListSyncDaemons() ?? sync; }
        catch (LvsException e) when (e.ErrorId != LvsErrorIds.NotSupportedByDirector) { errors.Add(e.Message); }
        catch (LvsException) { }
        var state = Compose(director.Name, vrrp, sync);
        state.Error = errors.Count == 0 ? null : string.Join(" ", errors.Distinct());
        return state;
    }

    /// <summary>The role over all instances: Fault wins, then all alike, else Mixed.</summary>
    public static DirectorFailoverState Compose(string director, IEnumerable<VrrpInstanceStatus> instances, IEnumerable<SyncDaemonStatus> daemons)
    {
        var list = instances.OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
        var states = list.Select(i => i.State).Distinct().ToList();
        var role = list.Length == 0 ? DirectorRole.None
            : states.Contains(VrrpState.Fault) ? DirectorRole.Fault
            : states.Count == 1 ? states[0] switch
            {
                VrrpState.Master => DirectorRole.Master,
                VrrpState.Backup => DirectorRole.Backup,
                _ => DirectorRole.Init,
            }
            : DirectorRole.Mixed;
        return new DirectorFailoverState
        {
            Director = director,
            Role = role,
            Priority = list.Length == 0 ? null : list.Max(i => i.Priority),
            Peer = list.Select(i => i.MasterAddress).FirstOrDefault(a => a is not null),
            LastTransition = list.Length == 0 ? null : list.Max(i => i.LastTransition),
            VrrpInstances = list,
            SyncDaemons = daemons.OrderBy(d => d.Role).ToArray(),
        };
    }

    public override string ToString() => Role == DirectorRole.None ? $"{Director}: no VRRP" : $"{Director}: {Role} (priority {Priority})";
}
