using System.Net.Sockets;

namespace LvsPS.Engine.Sync;

/// <summary>What both daemons keep: the spec, the start time, the counters (read under no lock: each is one word).</summary>
internal abstract class SyncDaemon : IDisposable
{
    protected readonly Socket _socket;
    protected readonly LogWriter? _log;
    private readonly Thread _thread;
    protected volatile bool _stop;
    protected long _messages, _connections, _dropped, _lastMessageTicks;

    protected SyncDaemon(SyncDaemonSpec spec, SyncInterface nic, Socket socket, LogWriter? log, string threadName)
    {
        Spec = spec.Clone();
        Interface = nic;
        MaxLength = SyncWire.MaxLength(spec.Role, nic.Mtu, spec.MaxLength);
        _socket = socket;
        _log = log;
        _thread = new Thread(() =>
        {
            try { Run(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { if (!_stop) _log?.Invoke(LvsLogSource.Sync, LvsLogSeverity.Error, $"sync {Spec}: stopped: {e.Message}"); }
        }) { IsBackground = true, Name = threadName };
    }

    public SyncDaemonSpec Spec { get; }
    public SyncInterface Interface { get; }
    /// <summary>sync_maxlen: the largest message this daemon sends or takes.</summary>
    public int MaxLength { get; }
    public DateTime Started { get; } = DateTime.UtcNow;
    public SyncDropCounters Drops { get; } = new();

    protected void Start() => _thread.Start();

    protected abstract void Run();

    protected void Stamp() => Interlocked.Exchange(ref _lastMessageTicks, DateTime.UtcNow.Ticks);

    public virtual SyncDaemonStatus Status(string director)
    {
        long last = Interlocked.Read(ref _lastMessageTicks);
        return new SyncDaemonStatus
        {
            Director = director, Role = Spec.Role, Interface = Spec.Interface, SyncId = Spec.SyncId, Group = Spec.Group,
            Port = Spec.Port, Ttl = Spec.Ttl, MaxLength = MaxLength, Started = Started,
            LastMessage = last == 0 ? null : new DateTime(last, DateTimeKind.Utc),
            MessagesDropped = (ulong)Interlocked.Read(ref _dropped),
            DropReasons = Drops.Snapshot().ToDictionary(kv => kv.Key.ToString(), kv => (ulong)kv.Value),
        };
    }

    public virtual void Dispose()
    {
        _stop = true;
        OnStopping();
        if (!_thread.Join(TimeSpan.FromSeconds(2))) _log?.Invoke(LvsLogSource.Sync, LvsLogSeverity.Warning, $"sync {Spec}: the thread did not end in 2 s");
        _socket.Dispose();
    }

    protected virtual void OnStopping() { }
}

/// <summary>
/// The master daemon (sync_thread_master): its own thread drains the engine's <see cref="SyncOutbox"/> and sends
/// version 1 messages of at most sync_maxlen bytes to group:port. The packet path only queues.
/// </summary>
internal sealed class SyncMasterDaemon : SyncDaemon
{
    /// <summary>The longest an entry waits in the queue when fewer than a message's worth are queued.</summary>
    public const int FlushIntervalMs = 10;

    private long _sendErrors, _lastWaitMs;

    private SyncMasterDaemon(SyncDaemonSpec spec, SyncInterface nic, Socket socket, LogWriter? log)
        : base(spec, nic, socket, log, "lvsd-sync-master") { }

    public SyncOutbox Outbox { get; } = new();

    public static SyncMasterDaemon Start(SyncDaemonSpec spec, LogWriter? log)
    {
        var nic = SyncInterface.Find(spec.Interface);
        var d = new SyncMasterDaemon(spec, nic, SyncSockets.OpenSender(spec, nic), log);
        d.Start();
        return d;
    }

    protected override void Run()
    {
        while (!_stop)
        {
            Outbox.Wake.WaitOne(FlushIntervalMs);
            Flush();
        }
        Flush(); // what was queued before the stop still goes
    }

    private void Flush()
    {
        var batch = Outbox.TakeAll(out long waited);
        if (batch is null) return;
        Interlocked.Exchange(ref _lastWaitMs, waited);
        foreach (var m in SyncCodec.Encode((byte)Spec.SyncId, batch, MaxLength))
        {
            try
            {
                _socket.Send(m);
                Interlocked.Increment(ref _messages);
                Interlocked.Add(ref _connections, m[4]);
                Stamp();
            }
            catch (SocketException e)
            {
                // ENOBUFS, no route yet, a backup's port closed (ECONNREFUSED on a unicast group): counted, never fatal.
                if (Interlocked.Increment(ref _sendErrors) == 1 || _sendErrors % 1000 == 0)
                    _log?.Invoke(LvsLogSource.Sync, LvsLogSeverity.Warning, $"sync {Spec}: send failed ({e.SocketErrorCode}), {_sendErrors} so far");
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    protected override void OnStopping() => Outbox.Wake.Set();

    public override SyncDaemonStatus Status(string director)
    {
        var s = base.Status(director);
        s.MessagesSent = (ulong)Interlocked.Read(ref _messages);
        s.ConnectionsSent = (ulong)Interlocked.Read(ref _connections);
        s.ConnectionsQueued = Outbox.Queued;
        s.ConnectionsNotQueued = Outbox.Dropped;
        s.Lag = Outbox.Lag;
        s.LastSendWait = TimeSpan.FromMilliseconds(Interlocked.Read(ref _lastWaitMs));
        return s;
    }
}

/// <summary>
/// The backup daemon (sync_thread_backup): its own thread receives datagrams on group:port on the interface, decodes
/// them outside the engine's lock (sync id filter, version 1, each entry checked), and hands the entries to the engine,
/// which installs them (<see cref="DirectorEngine.ApplySync"/>).
/// </summary>
internal sealed class SyncBackupDaemon : SyncDaemon
{
    private readonly DirectorEngine _engine;
    private long _received, _installed;

    private SyncBackupDaemon(DirectorEngine engine, SyncDaemonSpec spec, SyncInterface nic, Socket socket, LogWriter? log)
        : base(spec, nic, socket, log, "lvsd-sync-backup") => _engine = engine;

    public static SyncBackupDaemon Start(DirectorEngine engine, SyncDaemonSpec spec, LogWriter? log)
    {
        var nic = SyncInterface.Find(spec.Interface);
        var d = new SyncBackupDaemon(engine, spec, nic, SyncSockets.OpenReceiver(spec, nic), log);
        d.Start();
        return d;
    }

    protected override void Run()
    {
        var buf = new byte[65536];
        while (!_stop)
        {
            int n;
            try { n = _socket.Receive(buf); }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted) { continue; }
            Interlocked.Increment(ref _messages);
            Stamp();
            // The kernel reads at most sync_maxlen bytes: a longer datagram is cut, and then its size does not match.
            var r = SyncCodec.Decode(buf.AsSpan(0, Math.Min(n, MaxLength)), (byte)Spec.SyncId);
            Drops.Count(r);
            if (r.Dropped is not null) Interlocked.Increment(ref _dropped);
            if (r.Entries.Count == 0) continue;
            Interlocked.Add(ref _received, r.Entries.Count);
            Interlocked.Add(ref _installed, _engine.ApplySync(r.Entries));
        }
    }

    public override SyncDaemonStatus Status(string director)
    {
        var s = base.Status(director);
        s.MessagesReceived = (ulong)Interlocked.Read(ref _messages);
        s.ConnectionsReceived = (ulong)Interlocked.Read(ref _received);
        s.ConnectionsInstalled = (ulong)Interlocked.Read(ref _installed);
        s.Lag = s.LastMessage is { } t ? DateTime.UtcNow - t : null;
        return s;
    }
}
