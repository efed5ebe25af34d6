// DirectorEngine, control plane: the connection sync daemons (ipvsadm --start-daemon / --stop-daemon / -L --daemon).
// One master and one backup at most, as the kernel allows. The daemons themselves are Sync/SyncDaemons.cs; what the
// table queues and installs is DataPath/DirectorEngine.SyncTable.cs.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>Serialises start and stop (socket work happens outside the engine's lock).</summary>
    private readonly object _syncDaemonLock = new();
    private SyncMasterDaemon? _syncMaster;
    private SyncBackupDaemon? _syncBackup;

    public List<SyncDaemonStatus> ListSyncDaemons()
    {
        lock (_syncDaemonLock)
        {
            var list = new List<SyncDaemonStatus>();
            if (_syncMaster is { } m) list.Add(m.Status(Name));
            if (_syncBackup is { } b) list.Add(b.Status(Name));
            return list;
        }
    }

    /// <summary>The specs of the running daemons (saved in the state file).</summary>
    public List<SyncDaemonSpec> SyncDaemonSpecs()
    {
        lock (_syncDaemonLock)
            return new[] { _syncMaster?.Spec, _syncBackup?.Spec }.Where(s => s is not null).Select(s => s!.Clone()).ToList();
    }

    public void StartSyncDaemon(SyncDaemonSpec daemon)
    {
        ValidateSyncDaemon(daemon);
        lock (_syncDaemonLock)
        {
            if ((daemon.Role == SyncDaemonRole.Master ? (object?)_syncMaster : _syncBackup) is not null)
                throw new LvsException(LvsErrorIds.SyncDaemonExists, LvsErrorKind.ResourceExists,
                    $"A {daemon.Role.ToString().ToLowerInvariant()} sync daemon already runs on '{Name}'; stop it first.", daemon.Role);
            try
            {
                if (daemon.Role == SyncDaemonRole.Master)
                {
                    var m = SyncMasterDaemon.Start(daemon, Log);
                    _syncMaster = m;
                    AttachSyncOutbox(m.Outbox);
                }
                else
                {
                    _syncBackup = SyncBackupDaemon.Start(this, daemon, Log);
                }
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new LvsException(LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument,
                    $"The {daemon.Role.ToString().ToLowerInvariant()} sync daemon cannot use {daemon.Group}:{daemon.Port} on '{daemon.Interface}': {e.Message}", daemon.Group, e);
            }
            Log?.Invoke(LvsLogSource.Sync, LvsLogSeverity.Notice, $"sync: started {daemon} group {daemon.Group}:{daemon.Port}");
        }
    }

    public void StopSyncDaemon(SyncDaemonRole role)
    {
        lock (_syncDaemonLock)
        {
            SyncDaemon? d = role == SyncDaemonRole.Master ? _syncMaster : _syncBackup;
            if (d is null)
                throw new LvsException(LvsErrorIds.SyncDaemonNotFound, LvsErrorKind.ObjectNotFound,
                    $"No {role.ToString().ToLowerInvariant()} sync daemon runs on '{Name}'.", role);
            if (role == SyncDaemonRole.Master)
            {
                AttachSyncOutbox(null);
                _syncMaster = null;
            }
            else
            {
                _syncBackup = null;
            }
            d.Dispose();
            Log?.Invoke(LvsLogSource.Sync, LvsLogSeverity.Notice, $"sync: stopped {d.Spec}");
        }
    }

    /// <summary>The one validator (SyncDaemonValidator), then lvsd's own limit: an IPv4 group.</summary>
    internal static void ValidateSyncDaemon(SyncDaemonSpec? daemon)
    {
        SyncDaemonValidator.Validate(daemon);
        if (daemon!.Group.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument,
                $"The sync daemon group '{daemon.Group}' is IPv6; lvsd syncs IPv4 connections over IPv4 only.", daemon.Group);
    }

    /// <summary>Stops both daemons (lvsd's shutdown).</summary>
    public void StopSyncDaemons()
    {
        foreach (var role in new[] { SyncDaemonRole.Master, SyncDaemonRole.Backup })
            try { StopSyncDaemon(role); } catch (LvsException) { }
    }
}
