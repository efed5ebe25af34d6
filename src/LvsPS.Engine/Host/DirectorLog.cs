using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LvsPS.Engine.Host;

/// <summary>
/// lvsd's levelled log (IDirector.GetLog/SetLogLevel). A record is written when its debug level is at most
/// <see cref="Level"/> (0..12, the kernel's debug_level); callers on the packet path compare <see cref="Level"/>
/// before they build any text, so a low level costs one int compare per frame. A written record goes into a bounded
/// ring (what GetLog reads) and into a bounded queue that one writer thread drains to the sinks: the log file (one
/// <see cref="DirectorLogFormat.FormatLine"/> line a record) and syslog (RFC 5424 datagrams, non-blocking). No sink
/// ever blocks a writer: a full queue, a full or absent syslog socket drops the record there and counts it.
/// </summary>
internal sealed class DirectorLog : IDisposable
{
    public const int DefaultRingCapacity = 10000;

    /// <summary>The process's log (lvsd's Program configures it; the control socket and the capture loop write to it).</summary>
    public static DirectorLog Shared { get; } = new("");
    private const int QueueCapacity = 8192;

    private volatile int _level;
    private readonly LvsLogRecord[] _ring;
    private long _next;
    private readonly Queue<LvsLogRecord> _queue = new();
    private readonly object _sync = new();
    private readonly AutoResetEvent _wake = new(false);
    private Thread? _writer;
    private volatile bool _stop;
    private TextWriter? _file;
    private Socket? _syslog;
    private EndPoint? _syslogEndPoint;
    private long _syslogRetryAt;
    private long _written, _dropped, _syslogSent, _syslogDropped;
    private readonly string _host = Environment.MachineName;
    private readonly int _pid = Environment.ProcessId;

    public DirectorLog(string director, int level = 0, int ringCapacity = DefaultRingCapacity)
    {
        DirectorLogFormat.ValidateLevel(level);
        Director = director;
        _level = level;
        _ring = new LvsLogRecord[Math.Max(1, ringCapacity)];
    }

    public string Director { get; set; }
    /// <summary>The debug level: records of a higher level are not written.</summary>
    public int Level => _level;
    public string? LogPath { get; private set; }
    public string? SyslogTarget { get; private set; }
    public LvsSyslogFacility Facility { get; private set; } = LvsSyslogFacility.Daemon;

    public void SetLevel(int level)
    {
        DirectorLogFormat.ValidateLevel(level);
        _level = level;
    }

    /// <summary>Log lines go to <paramref name="writer"/> (stderr, or the file at <paramref name="path"/>).</summary>
    public void UseFile(TextWriter writer, string? path)
    {
        _file = writer;
        LogPath = path;
        StartWriter();
    }

    /// <summary>Opens <paramref name="path"/> for appending (created 0640 if new) as the log file.</summary>
    public void UseFile(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir))
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.ObjectNotFound, $"The log file's folder '{dir}' does not exist.", path);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        UseFile(new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true }, Path.GetFullPath(path));
    }

    /// <summary>
    /// Sends records as syslog datagrams to a unix datagram socket path (e.g. /dev/log) or udp://host:port. The socket
    /// is opened lazily and non-blocking; when it is absent the record is dropped and opening is tried again 5 s later.
    /// </summary>
    public void UseSyslog(string target, LvsSyslogFacility facility)
    {
        _syslogEndPoint = ParseSyslogTarget(target);
        SyslogTarget = target;
        Facility = facility;
        StartWriter();
    }

    /// <summary>A unix socket path (absolute) or udp://host:port (host an address or localhost).</summary>
    public static EndPoint ParseSyslogTarget(string target)
    {
        if (target.StartsWith("udp://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = target[6..];
            int colon = rest.LastIndexOf(':');
            string host = colon > 0 ? rest[..colon].Trim('[', ']') : rest;
            int port = 514;
            if (colon > 0 && (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
                throw BadTarget(target);
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) host = "127.0.0.1";
            if (!IPAddress.TryParse(host, out var ip)) throw BadTarget(target);
            return new IPEndPoint(ip, port);
        }
        if (target.StartsWith('/')) return new UnixDomainSocketEndPoint(target);
        throw BadTarget(target);
    }

    private static LvsException BadTarget(string target) =>
        new(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
            $"The syslog target '{target}' is neither a unix socket path (/dev/log) nor udp://address:port.", target);

    /// <summary>Writes a record when <paramref name="level"/> is at most <see cref="Level"/>.</summary>
    public void Write(int level, LvsLogSeverity severity, LvsLogSource source, string message)
    {
        if (level > _level) return;
        var r = new LvsLogRecord { Director = Director, Time = DateTime.UtcNow, Level = level, Severity = severity, Source = source, Message = message };
        lock (_sync)
        {
            r.Sequence = _next;
            _ring[_next % _ring.Length] = r;
            _next++;
            _written++;
            if (_writer is not null)
            {
                if (_queue.Count >= QueueCapacity) _dropped++;
                else _queue.Enqueue(r);
            }
        }
        if (_writer is not null) _wake.Set();
    }

    /// <summary>A level 0 record (start, stop, state and configuration changes, errors).</summary>
    public void Notice(LvsLogSource source, string message) => Write(0, LvsLogSeverity.Notice, source, message);

    public void Error(LvsLogSource source, string message) => Write(0, LvsLogSeverity.Error, source, message);

    /// <summary>A level 0 record from a room, with the room and severity it names (lvsd's <see cref="LogWriter"/>).</summary>
    public void Record(LvsLogSource source, LvsLogSeverity severity, string message) => Write(0, severity, source, message);

    /// <summary>The ring's records that match, oldest first.</summary>
    public List<LvsLogRecord> Read(LogQuery query)
    {
        query.Validate();
        List<LvsLogRecord> all;
        lock (_sync)
        {
            long n = Math.Min(_next, _ring.Length);
            all = new List<LvsLogRecord>((int)n);
            for (long i = _next - n; i < _next; i++) all.Add(_ring[i % _ring.Length]);
        }
        return query.Apply(all);
    }

    public DirectorLogSettings Settings()
    {
        lock (_sync)
            return new DirectorLogSettings
            {
                Director = Director, DebugLevel = _level, LogPath = LogPath, SyslogTarget = SyslogTarget, SyslogFacility = Facility,
                Records = (int)Math.Min(_next, _ring.Length), RingCapacity = _ring.Length, Written = _written,
                Dropped = _dropped, SyslogSent = _syslogSent, SyslogDropped = _syslogDropped,
            };
    }

    private void StartWriter()
    {
        lock (_sync)
        {
            if (_writer is not null) return;
            _writer = new Thread(WriterLoop) { IsBackground = true, Name = "lvsd log" };
            _writer.Start();
        }
    }

    private void WriterLoop()
    {
        var batch = new List<LvsLogRecord>();
        while (true)
        {
            bool stop = _stop;
            lock (_sync)
            {
                while (_queue.Count > 0) batch.Add(_queue.Dequeue());
            }
            foreach (var r in batch) Emit(r);
            batch.Clear();
            if (stop) return;
            _wake.WaitOne(500);
        }
    }

    private void Emit(LvsLogRecord r)
    {
        if (_file is { } f)
        {
            try { f.WriteLine(DirectorLogFormat.FormatLine(r)); }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { Interlocked.Increment(ref _dropped); }
        }
        if (_syslogEndPoint is not null) SendSyslog(r);
    }

    private void SendSyslog(LvsLogRecord r)
    {
        long now = Environment.TickCount64;
        if (_syslog is null)
        {
            if (now < _syslogRetryAt) { Interlocked.Increment(ref _syslogDropped); return; }
            try
            {
                var ep = _syslogEndPoint!;
                var s = ep is UnixDomainSocketEndPoint
                    ? new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
                    : new Socket(((IPEndPoint)ep).AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                s.Blocking = false;
                s.Connect(ep);
                _syslog = s;
            }
            catch (SocketException)
            {
                _syslogRetryAt = now + 5000;
                Interlocked.Increment(ref _syslogDropped);
                return;
            }
        }
        var bytes = Encoding.UTF8.GetBytes(DirectorLogFormat.FormatSyslog(r, Facility, _host, _pid));
        try
        {
            _syslog.Send(bytes, SocketFlags.None);
            Interlocked.Increment(ref _syslogSent);
        }
        catch (SocketException e)
        {
            Interlocked.Increment(ref _syslogDropped);
            // Gone (the listener closed or was replaced): open it again later; full (WouldBlock): just this one.
            if (e.SocketErrorCode != SocketError.WouldBlock)
            {
                _syslog.Dispose();
                _syslog = null;
                _syslogRetryAt = now + 1000;
            }
        }
    }

    /// <summary>Writes out what is queued (at most 2 s), then closes the sinks.</summary>
    public void Dispose()
    {
        _stop = true;
        _wake.Set();
        _writer?.Join(TimeSpan.FromSeconds(2));
        _syslog?.Dispose();
        if (_file is StreamWriter w) w.Dispose();
        else _file?.Flush();
    }
}
