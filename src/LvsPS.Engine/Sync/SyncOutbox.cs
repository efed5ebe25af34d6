namespace LvsPS.Engine.Sync;

/// <summary>
/// The master daemon's queue: the engine adds entries under its own lock (O(1), never waits on I/O), the sender
/// thread takes them all at once. Bounded: past <see cref="Capacity"/> an entry is dropped and counted (the periodic
/// refresh sends it again). The sender is woken when a message's worth is queued, else it looks every
/// <see cref="SyncMasterDaemon.FlushIntervalMs"/>.
/// </summary>
internal sealed class SyncOutbox
{
    public const int Capacity = 65536;
    /// <summary>About one message of plain IPv4 entries (1472 bytes / 36).</summary>
    public const int WakeAt = 40;

    private readonly object _lock = new();
    private List<SyncConnection> _pending = new();
    private long _oldestMs;
    private readonly Func<long> _clock;

    public SyncOutbox(Func<long>? clock = null) => _clock = clock ?? (() => Environment.TickCount64);

    /// <summary>Set when <see cref="WakeAt"/> entries wait.</summary>
    public AutoResetEvent Wake { get; } = new(false);
    public ulong Dropped { get; private set; }
    public ulong Queued { get; private set; }

    public void Add(SyncConnection e)
    {
        bool wake;
        lock (_lock)
        {
            if (_pending.Count >= Capacity) { Dropped++; return; }
            if (_pending.Count == 0) _oldestMs = _clock();
            _pending.Add(e);
            Queued++;
            wake = _pending.Count == WakeAt;
        }
        if (wake) Wake.Set();
    }

    /// <summary>Everything queued (null when nothing is), and how long the oldest of it waited.</summary>
    public List<SyncConnection>? TakeAll(out long waitedMs)
    {
        lock (_lock)
        {
            waitedMs = 0;
            if (_pending.Count == 0) return null;
            var batch = _pending;
            _pending = new List<SyncConnection>(Math.Min(batch.Count * 2, Capacity));
            waitedMs = _clock() - _oldestMs;
            return batch;
        }
    }

    /// <summary>The age of the oldest entry not yet taken; zero when none waits.</summary>
    public TimeSpan Lag
    {
        get { lock (_lock) return _pending.Count == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_clock() - _oldestMs); }
    }
}
