// DirectorEngine, packet path: connection sync (ip_vs_sync.c protocol version 1) as the table sees it. Master side:
// which entries are queued for the backups and when (better than the kernel's 3rd-then-every-50th packet: at once
// when an entry is created, on every state change, then refreshed at a fraction of its timeout while it carries
// traffic, by the packet path and by a sweep of the table in Tick); the queue is the master daemon's SyncOutbox, and
// queuing never waits on I/O. Backup side: a received entry installed or refreshed as ip_vs_proc_conn does. The
// daemons (sockets, threads) are Sync/SyncMasterDaemon.cs and Sync/SyncBackupDaemon.cs; the IDirector operations
// Control/DirectorEngine.Sync.cs.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>The running master daemon's queue, or null: the packet path queues only while a master runs.</summary>
    private SyncOutbox? _syncOut;

    /// <summary>The sweep's next bucket; each Tick looks at <see cref="SyncSweepBuckets"/> buckets.</summary>
    private int _syncSweepBucket;

    /// <summary>A refresh is at most this long after the last send, and at least this fraction of the timeout.</summary>
    public const long SyncRefreshMaxMs = 60_000, SyncRefreshMinMs = 1_000;
    public const int SyncRefreshFraction = 8;

    /// <summary>Backup: entries installed, refreshed, and those skipped because this director has no such service or real server.</summary>
    public ulong SyncInstalled, SyncRefreshed, SyncNoDestination;

    /// <summary>Buckets the sweep looks at per Tick: the whole table in about 16 s.</summary>
    private int SyncSweepBuckets => Math.Max(16, _connections.Size / 16);

    internal void AttachSyncOutbox(SyncOutbox? outbox)
    {
        lock (Sync)
        {
            _syncOut = outbox;
            if (outbox is null) return;
            // A new master sends the whole table once: every entry counts as never sent.
            foreach (var c in _connections.All()) c.SyncSentAtMs = 0;
            _syncSweepBucket = 0;
            long now = _clockMs();
            foreach (var pass in new[] { true, false })
                foreach (var c in _connections.All())
                    if (c.IsTemplate == pass && !c.Dest.Removed) QueueSync(c, now);
        }
    }

    /// <summary>The timeout an entry has now (what the wire carries and what the refresh is a fraction of).</summary>
    private long SyncTimeoutMs(Connection c) => c.IsTemplate ? c.TimeoutMs : StateTimeoutMs(c.Key.Protocol, c.State);

    private long SyncRefreshMs(Connection c) => Math.Clamp(SyncTimeoutMs(c) / SyncRefreshFraction, SyncRefreshMinMs, SyncRefreshMaxMs);

    private bool SyncDue(Connection c, long now) =>
        c.SyncSentAtMs == 0 || c.State != c.SyncSentState || now - c.SyncSentAtMs >= SyncRefreshMs(c);

    /// <summary>
    /// After a packet moved <paramref name="c"/> (under the lock): queued when new, when its state changed, or when its
    /// refresh is due; its template first when that is due too, so the backup has it before the connection.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void SyncAfterPacket(Connection c, long now)
    {
        if (_syncOut is not null) SyncAfterPacketSlow(c, now);
    }

    private void SyncAfterPacketSlow(Connection c, long now)
    {
        if (c.Control is { IsTemplate: true } t && SyncDue(t, now)) QueueSync(t, now);
        if (SyncDue(c, now)) QueueSync(c, now);
    }

    /// <summary>Tick: entries that carried packets since they were last sent and whose refresh is due (idle ones are not re-sent).</summary>
    private void SyncSweep(long now)
    {
        if (_syncOut is null) return;
        int n = SyncSweepBuckets;
        _syncSweepBucket = _connections.ScanBuckets(_syncSweepBucket, c =>
        {
            if (c.Dest.Removed) return;
            bool moved = c.IsTemplate ? c.Controlled > 0 : c.MovedSinceSync;
            if ((moved || c.SyncSentAtMs == 0) && SyncDue(c, now)) QueueSync(c, now);
        }, () => --n <= 0);
        if (_syncSweepBucket >= _connections.Size) _syncSweepBucket = 0;
    }

    private void QueueSync(Connection c, long now)
    {
        var outbox = _syncOut;
        if (outbox is null) return;
        c.SyncSentAtMs = now == 0 ? 1 : now;
        c.SyncSentState = c.State;
        c.SyncSentPackets = c.Packets;
        outbox.Add(ToSyncEntry(c));
    }

    /// <summary>The kernel's view of an entry: its flags (forwarding bits, NOOUTPUT for DR and tunnel, INACTIVE,
    /// TEMPLATE, SYNC), the kernel's state number, and for a template the kernel's key (protocol 0 and the mark as the
    /// virtual address for a firewall-mark service; client port 0).</summary>
    private SyncConnection ToSyncEntry(Connection c)
    {
        var svc = c.Service;
        var fwd = c.Forwarding switch
        {
            LvsForwarding.Route => SyncConnectionFlags.DirectRoute | SyncConnectionFlags.NoOutput,
            LvsForwarding.Tunnel => SyncConnectionFlags.Tunnel | SyncConnectionFlags.NoOutput,
            LvsForwarding.Local => SyncConnectionFlags.LocalNode,
            _ => SyncConnectionFlags.Masq,
        };
        var flags = fwd | (c.Synced ? SyncConnectionFlags.Sync : 0);
        if (c.IsTemplate) flags |= SyncConnectionFlags.Template | SyncConnectionFlags.Inactive;
        else if (c.Inactive) flags |= SyncConnectionFlags.Inactive;
        byte protocol = c.IsTemplate ? (svc.FirewallMark != 0 ? (byte)0 : (byte)svc.Protocol) : c.Key.Protocol;
        return new SyncConnection
        {
            Protocol = protocol,
            Flags = flags,
            State = SyncStates.ToWire(protocol, c.IsTemplate, c.State),
            ClientAddress = c.Key.ClientAddress,
            ClientPort = c.Key.ClientPort,
            VirtualAddress = c.Key.VirtualAddress,
            VirtualPort = c.Key.VirtualPort,
            DestinationAddress = c.Dest.AddressValue,
            DestinationPort = c.IsTemplate ? c.Dest.Port : c.RealPort,
            FirewallMark = svc.FirewallMark,
            TimeoutSeconds = (uint)Math.Max(1, SyncTimeoutMs(c) / 1000),
        };
    }

    /// <summary>
    /// Backup: installs or refreshes received entries as ip_vs_proc_conn does. An entry is bound to the real server of
    /// its service here (found by mark, then protocol/VIP/port, then the VIP's port-zero service; the real server by
    /// address and port, then address and port 0) and flagged as synced; its timeout is the one sent (0: the state's
    /// own, 180 s for a template). A connection already known with another real server is replaced unless the message
    /// marks it INACTIVE (an old expiry message). The kernel keeps an entry without a service unbound; lvsd, which
    /// binds every entry, skips it (SyncNoDestination). Returns the entries installed or refreshed.
    /// </summary>
    public int ApplySync(IReadOnlyList<SyncConnection> entries)
    {
        lock (Sync)
        {
            long now = _clockMs();
            int applied = 0;
            foreach (var e in entries)
                if (ApplySyncEntry(e, now)) applied++;
            return applied;
        }
    }

    private bool ApplySyncEntry(SyncConnection e, long now)
    {
        bool template = e.IsTemplate;
        if (!SyncStates.TryFromWire(e.Protocol, template, e.State, out var state)) return false;
        var svc = FindSyncService(e);
        var dest = svc is null ? null : svc.FindDestination(e.DestinationAddress, e.DestinationPort) ?? svc.FindDestination(e.DestinationAddress, 0);
        if (svc is null || dest is null || dest.Removed) { SyncNoDestination++; return false; }

        var key = template
            ? (svc.FirewallMark != 0
                ? new ConnKey(TemplateKeyBit, e.ClientAddress, 0, svc.FirewallMark, 0)
                : new ConnKey(TemplateProtocol((byte)svc.Protocol), e.ClientAddress, 0, e.VirtualAddress, svc.Port))
            : new ConnKey(e.Protocol, e.ClientAddress, e.ClientPort, e.VirtualAddress, e.VirtualPort);
        bool inactive = (e.Flags & SyncConnectionFlags.Inactive) != 0;
        long timeoutMs = e.TimeoutSeconds != 0 ? Math.Min(e.TimeoutSeconds, int.MaxValue / 1000) * 1000L
            : template ? 180_000L
            : StateTimeoutMs(e.Protocol, state);

        var c = _connections.Find(key);
        if (c is not null && !template && (c.Dest != dest || c.RealPort != e.DestinationPort))
        {
            if (inactive) return false; // the expiry of a connection this backup already has anew
            _connections.Remove(c);
            Release(c);
            c = null;
        }
        if (c is not null)
        {
            if (template) c.State = state;
            else SetState(c, state, !inactive);
            c.Synced = true;
            if (template) c.TimeoutMs = timeoutMs;
            c.ExpiresAtMs = now + timeoutMs;
            c.SyncSentPackets = c.Packets; // nothing for this director's own master to re-send
            SyncRefreshed++;
            return true;
        }
        if (_connections.Count >= _maxConnections) return false;
        c = _connections.Rent();
        c.Key = key;
        c.Dest = dest;
        c.Service = svc;
        c.State = template ? state : (e.Protocol == Frames.ProtoUdp ? LvsConnectionState.Udp : LvsConnectionState.None);
        c.Inactive = true;
        c.IsTemplate = template;
        c.Forwarding = dest.Forwarding;
        c.Link = dest.Link;
        c.RealPort = template ? (ushort)0 : e.DestinationPort;
        c.Synced = true;
        c.ExpiresAtMs = now + timeoutMs;
        c.TimeoutMs = template ? timeoutMs : 0;
        if (template)
        {
            dest.PersistentConnections++;
            CheckOverloadOnBind(dest);
        }
        else
        {
            if (svc.PersistentTimeout != 0 && _connections.Find(TemplateKey(svc, key)) is { IsTemplate: true } t)
            {
                c.Control = t;
                t.Controlled++;
            }
            dest.InactiveConnections++;
            SetState(c, state, !inactive);
            CheckOverloadOnBind(dest);
        }
        _connections.Add(c);
        SyncInstalled++;
        return true;
    }

    /// <summary>ip_vs_service_find for a received entry: the mark first, then protocol/VIP/port, then the VIP's port 0.</summary>
    private ServiceRuntime? FindSyncService(SyncConnection e)
    {
        if (e.FirewallMark != 0 && _services.TryGetValue(ServiceRuntime.MarkKey(e.FirewallMark), out var m)) return m;
        // A firewall-mark service's template: protocol IPPROTO_IP and the mark as its virtual address.
        if (e.IsTemplate && e.Protocol == 0 && _services.TryGetValue(ServiceRuntime.MarkKey(e.VirtualAddress), out m)) return m;
        if (_services.TryGetValue(ServiceRuntime.MakeKey(e.Protocol, e.VirtualAddress, e.VirtualPort), out var s)) return s;
        return _portZeroServices > 0 && _services.TryGetValue(ServiceRuntime.MakeKey(e.Protocol, e.VirtualAddress, 0), out s) ? s : null;
    }
}
