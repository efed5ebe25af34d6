using LvsPS.Ipvs.Director;
using LvsPS.Management.Config;

namespace LvsPS.Management.Sync;

/// <summary>What a planned change does.</summary>
public enum LvsChangeAction : long { Add, Edit, Remove, Clear, Zero, SetTimeout }

/// <summary>What a planned change is about.</summary>
public enum LvsChangeObject : long { Service, RealServer, Table, Timeout }

/// <summary>
/// One change to a director's table, planned by <see cref="LvsSyncPlanner"/> or <see cref="IpvsadmCommandLine"/>:
/// what it does (Add, Edit, Remove ...), to which service and real server, the old and the new settings as
/// ipvsadm would write them, and the ipvsadm command that makes it. <see cref="Apply"/> makes it.
/// </summary>
public sealed class LvsConfigChange
{
    private readonly Action<IDirector> _apply;

    internal LvsConfigChange(LvsChangeAction action, LvsChangeObject kind, string service, string? realServer,
        string? oldValue, string? newValue, string command, Action<IDirector> apply)
    {
        Action = action;
        Object = kind;
        Service = service;
        RealServer = realServer;
        Old = oldValue;
        New = newValue;
        Command = command;
        _apply = apply;
    }

    public LvsChangeAction Action { get; }
    public LvsChangeObject Object { get; }
    /// <summary>The service as ipvsadm names it: "TCP 10.0.0.1:80" or "FWM 1"; empty for the whole table.</summary>
    public string Service { get; }
    /// <summary>The real server "10.0.0.2:80", or null when the change is about the service.</summary>
    public string? RealServer { get; }
    /// <summary>The settings before ("rr", "w1 Route"); null for an Add.</summary>
    public string? Old { get; }
    /// <summary>The settings after; null for a Remove.</summary>
    public string? New { get; }
    /// <summary>The ipvsadm command line that makes the same change.</summary>
    public string Command { get; }

    /// <summary>Whether the change destroys configuration or state (Remove, Clear, Zero): the cmdlets ask for it at ConfirmImpact High.</summary>
    public bool Destructive => Action is LvsChangeAction.Remove or LvsChangeAction.Clear or LvsChangeAction.Zero;

    /// <summary>"TCP 10.0.0.1:80" or "real server 10.0.0.2:80 in TCP 10.0.0.1:80".</summary>
    public string Target => RealServer is null ? (Service.Length == 0 ? "the table" : Service) : $"real server {RealServer} in {Service}";

    /// <summary>"Add", "Edit rr -> wlc", "Remove".</summary>
    public string Description => Action switch
    {
        LvsChangeAction.Edit => $"Edit {Old} -> {New}",
        LvsChangeAction.Add when New is not null => $"Add {New}",
        _ => Action.ToString(),
    };

    /// <summary>Makes the change on <paramref name="director"/>.</summary>
    public void Apply(IDirector director)
    {
        ArgumentNullException.ThrowIfNull(director);
        _apply(director);
    }

    public override string ToString() => $"{Description}: {Target}";
}
