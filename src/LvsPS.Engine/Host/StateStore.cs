using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using LvsPS.Engine.DataPath;

namespace LvsPS.Engine.Host;

/// <summary>
/// The state file (StateDirectory/NAME.json): everything configured, in a versioned format
/// (<see cref="DirectorState.Version"/>).
/// <para>Read at start and checked whole before anything is applied: the JSON (strict: no unknown or duplicate
/// property), the format version (an unknown one, e.g. from a newer LvsPS, is refused), then every timeout, mark rule
/// and service applied to a scratch engine, so each spec meets exactly the rules of a live Add (SpecValidator, then
/// lvsd's own limits, duplicates included). Any fault refuses the start (StateFileInvalid, naming the file and the
/// problem) and leaves the file untouched for the admin.</para>
/// <para>Written after every change (the dispatcher calls <see cref="Save"/> under the lock of the change it
/// records): a unique temporary file in the same folder, fsync'ed; the current file kept as NAME.json.bak (a hard
/// link, so the last good copy is never a partial one); rename(2) over NAME.json; fsync of the folder. A crash at any
/// point leaves NAME.json either the old or the new state, never a mixture or nothing.</para>
/// </summary>
internal sealed class StateStore
{
    /// <summary>A state file larger than this is refused (about 200,000 services).</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>The wire format's options (duplicate keys and non-addresses refused), and no unknown property either.</summary>
    private static readonly JsonSerializerOptions Strict = new(DirectorJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
    private readonly object _sync = new();
    private long _sequence;

    public StateStore(string path) => Path = path;

    public string Path { get; }

    /// <summary>The copy of the state before its last change.</summary>
    public string BackupPath => Path + ".bak";

    /// <summary>
    /// Reads and checks the whole file (no file: an empty state). Throws StateFileInvalid, naming the file and the
    /// problem, when any of it cannot be used.
    /// </summary>
    public DirectorState Load(string directorName)
    {
        if (Directory.Exists(Path)) throw Invalid("it is a directory, not a file");
        if (!File.Exists(Path)) return new DirectorState();
        byte[] bytes;
        try
        {
            long length = new FileInfo(Path).Length;
            if (length > MaxBytes) throw Invalid($"it has {length} bytes, more than the {MaxBytes} a state file may have");
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid("it cannot be read: " + e.Message);
        }
        var state = Parse(bytes);
        Check(directorName, state);
        return state;
    }

    private DirectorState Parse(byte[] bytes)
    {
        if (bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) throw Invalid("it is empty");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw Invalid("it is not valid JSON: " + Describe(e)); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Null) throw Invalid("it holds null, not a director state");
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid($"it holds a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not a JSON object (a director state)");
            if (!root.TryGetProperty("version", out var version))
                throw Invalid($"it has no format version ('version'); this lvsd reads format version {DirectorState.CurrentVersion}");
            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v))
                throw Invalid($"its format version {version.GetRawText()} is not a whole number");
            if (v > DirectorState.CurrentVersion)
                throw Invalid($"it has format version {v}, from a newer LvsPS; this lvsd reads format version {DirectorState.CurrentVersion} only");
            if (v < 1) throw Invalid($"its format version {v} is not valid (versions start at 1)");
            try
            {
                return root.Deserialize<DirectorState>(Strict) ?? throw Invalid("it holds no director state");
            }
            catch (JsonException e) { throw Invalid(Describe(e)); }
        }
    }

    /// <summary>Every item present, then every item applied to a scratch engine: the rules of a live Add.</summary>
    private void Check(string directorName, DirectorState state)
    {
        if (state.Services is null) throw Invalid("'services' is null; use [] for no services");
        if (state.MarkRules is null) throw Invalid("'markRules' is null; use [] for no rules");
        if (state.SyncDaemons is null) throw Invalid("'syncDaemons' is null; use [] for no sync daemons");
        if (state.VrrpInstances is null) throw Invalid("'vrrpInstances' is null; use [] for no VRRP instances");
        for (int i = 0; i < state.Services.Count; i++)
            if (state.Services[i] is null) throw Invalid($"service {i + 1} is null");
        for (int i = 0; i < state.VrrpInstances.Count; i++)
            if (state.VrrpInstances[i] is null) throw Invalid($"VRRP instance {i + 1} is null");
        for (int i = 0; i < state.MarkRules.Count; i++)
            if (state.MarkRules[i] is null) throw Invalid($"mark rule {i + 1} is null");
        var scratch = new DirectorEngine(directorName, new byte[6], 0, new DiscardSink(), 8);
        Apply(scratch, state, (what, e) => Invalid($"{what} is refused: {(e is LvsException l ? l.ErrorId : e.GetType().Name)}: {e.Message}"), live: false);
    }

    /// <summary>
    /// Applies a checked state to the engine: the timeouts, the mark rules, the services in order, then the sync
    /// daemons. A daemon that cannot start now (its interface gone, its port taken) is logged and left out: the
    /// director starts and serves without it.
    /// </summary>
    public void Apply(DirectorEngine engine, DirectorState state) =>
        Apply(engine, state, (what, e) => Invalid($"{what} could not be restored: {e.Message}"), live: true);

    private static void Apply(DirectorEngine engine, DirectorState state, Func<string, Exception, LvsException> refuse, bool live)
    {
        void Step(string what, Action apply)
        {
            try { apply(); }
            catch (Exception e) when (e is LvsException or NullReferenceException or ArgumentException or InvalidOperationException
                                          or FormatException or OverflowException or KeyNotFoundException)
            {
                throw refuse(what, e);
            }
        }

        if (state.Timeouts is { } t) Step($"the timeouts ({t})", () => engine.SetTimeouts(t));
        for (int i = 0; i < state.MarkRules.Count; i++)
        {
            var rule = state.MarkRules[i];
            Step($"mark rule {i + 1} ({rule})", () => engine.AddMarkRule(rule));
        }
        // The VRRP instances before the services: their VIPs are gated (silent until VRRP makes this director master)
        // before a restored service could announce them with the gratuitous ARP a new VIP gets, which would pull the
        // clients to a director that comes back as backup.
        for (int i = 0; i < state.VrrpInstances.Count; i++)
        {
            var instance = state.VrrpInstances[i];
            Step($"VRRP instance {i + 1} ({instance})", () => engine.AddVrrpInstance(instance));
        }
        for (int i = 0; i < state.Services.Count; i++)
        {
            var service = state.Services[i];
            Step($"service {i + 1} ({service})", () => engine.AddService(service));
        }
        for (int i = 0; i < state.SyncDaemons.Count; i++)
        {
            var daemon = state.SyncDaemons[i];
            Step($"sync daemon {i + 1} ({daemon})", () =>
            {
                // Checked like a live start; the scratch engine of the check opens no socket.
                DirectorEngine.ValidateSyncDaemon(daemon);
                if (state.SyncDaemons.Take(i).Any(d => d?.Role == daemon.Role))
                    throw new LvsException(LvsErrorIds.SyncDaemonExists, LvsErrorKind.ResourceExists, $"a second {daemon.Role} daemon");
            });
            if (!live) continue;
            try { engine.StartSyncDaemon(daemon); }
            catch (LvsException e) { engine.Log?.Invoke(LvsLogSource.Control, LvsLogSeverity.Warning, $"state: sync daemon {daemon} not started: {e.ErrorId}: {e.Message}"); }
        }
    }

    private LvsException Invalid(string problem)
    {
        var backup = File.Exists(BackupPath) ? $"the copy before its last change is '{BackupPath}'" : "there is no earlier copy";
        return new LvsException(LvsErrorIds.StateFileInvalid, LvsErrorKind.ParserError,
            $"The state file '{Path}' cannot be used: {problem.TrimEnd('.')}. lvsd did not start and left the file as it is; {backup}. " +
            "Correct the file or replace it with that copy, or move it away to start with no services.", Path);
    }

    /// <summary>A JSON error as "where: what" (the serializer's own "Path: ..." suffix folded in).</summary>
    private static string Describe(JsonException e)
    {
        var what = e.Message;
        int cut = what.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0) cut = what.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        if (cut >= 0) what = what[..cut];
        var where = !string.IsNullOrEmpty(e.Path) && e.Path != "$" ? e.Path + ": " : "";
        var line = e.LineNumber is long l && string.IsNullOrEmpty(where) ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
        return where + what.TrimEnd('.') + line;
    }

    /// <summary>
    /// Saves the state durably (see the class). Serialised: the dispatcher holds the lock of the change while it calls
    /// this, and saves never interleave. Throws IOException (or UnauthorizedAccessException) when it cannot; the old
    /// file and its copy are then as they were, and no temporary file is left.
    /// </summary>
    public void Save(DirectorState state)
    {
        state.Version = DirectorState.CurrentVersion;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(state, DirectorJson.Options);
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        lock (_sync)
        {
            var tmp = $"{Path}.{Environment.ProcessId}.{++_sequence}.tmp";
            var bakTmp = tmp + ".bak";
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var f = new FileStream(tmp, options))
                {
                    f.Write(bytes);
                    f.Flush(flushToDisk: true);
                }
                if (File.Exists(Path) || Directory.Exists(Path))
                {
                    KeepCopy(bakTmp);
                    File.Move(bakTmp, BackupPath, overwrite: true);
                }
                File.Move(tmp, Path, overwrite: true);
                SyncFolder(folder);
            }
            finally
            {
                TryDelete(tmp);
                TryDelete(bakTmp);
            }
        }
    }

    /// <summary>The current file as <paramref name="copy"/>: a hard link (the same, already durable bytes), else a copy.</summary>
    private void KeepCopy(string copy)
    {
        if (Libc.link(Path, copy) == 0) return;
        File.Copy(Path, copy);
        using var f = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite);
        f.Flush(flushToDisk: true);
    }

    /// <summary>fsync(2) of the folder, so the renames in it are on disk too.</summary>
    private static void SyncFolder(string folder)
    {
        int fd = Libc.open(folder, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new IOException($"Cannot open the folder '{folder}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Libc.fsync(fd) != 0) throw new IOException($"fsync of the folder '{folder}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally { Libc.close(fd); }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The scratch engine's frames go nowhere.</summary>
    private sealed class DiscardSink : IFrameSink
    {
        public void Send(ReadOnlySpan<byte> frame) { }
    }
}
