using LvsPS.Engine.DataPath;

namespace LvsPS.Engine.Host;

/// <summary>
/// Keeps lvsd's connection table on disk beside the state file (DirectorPaths.Connections): read back once at start
/// (after the services), then written every second and once more at a clean stop; each write is a temp file and a
/// rename, so a kill at any moment leaves the last whole snapshot. The engine's lock is held only while the table is
/// copied into bytes, not while they are written.
/// </summary>
internal sealed class ConnectionSnapshot : IDisposable
{
    private readonly DirectorEngine _engine;
    private readonly string _path;
    private readonly LogWriter _log;
    private readonly Timer _timer;
    private readonly object _writing = new();
    private bool _disposed;

    private ConnectionSnapshot(DirectorEngine engine, string path, LogWriter log)
    {
        _engine = engine;
        _path = path;
        _log = log;
        _timer = new Timer(_ => Save(), null, 1000, 1000);
    }

    /// <summary>Restores the table from <paramref name="path"/> if there is a snapshot, then writes one every second.</summary>
    public static ConnectionSnapshot Start(DirectorEngine engine, string path, LogWriter log)
    {
        if (File.Exists(path))
        {
            try
            {
                int n = engine.RestoreConnections(File.ReadAllBytes(path), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                log(LvsLogSource.Host, LvsLogSeverity.Notice, $"restore: {n} connection entr{(n == 1 ? "y" : "ies")} from {path}");
            }
            catch (IOException e)
            {
                log(LvsLogSource.Host, LvsLogSeverity.Warning, $"restore: connection snapshot {path} not read: {e.Message}");
            }
        }
        return new ConnectionSnapshot(engine, path, log);
    }

    public void Save()
    {
        lock (_writing)
        {
            if (_disposed) return;
            try
            {
                var bytes = _engine.SnapshotConnections(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                var tmp = _path + ".tmp";
                File.WriteAllBytes(tmp, bytes);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.Move(tmp, _path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log(LvsLogSource.Host, LvsLogSeverity.Warning, $"snapshot: {_path} not written: {e.Message}");
            }
        }
    }

    /// <summary>Stops the timer and writes the last snapshot (a clean stop).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Save();
        lock (_writing) _disposed = true;
    }
}
