using System.Security.Cryptography;

namespace LvsPS.Management.Remote;

/// <summary>The verdict of a known_hosts lookup for one presented host key.</summary>
public enum HostKeyStatus
{
    /// <summary>The presented key is listed for the host.</summary>
    Trusted,
    /// <summary>No key of the presented type is listed for the host.</summary>
    Unknown,
    /// <summary>A different key of the same type is listed for the host (possible man-in-the-middle).</summary>
    Mismatch,
    /// <summary>The presented key is listed as @revoked for the host; it is never accepted.</summary>
    Revoked,
}

/// <summary>The marker at the start of a known_hosts line.</summary>
public enum KnownHostsMarker
{
    None,
    Revoked,
    CertAuthority,
}

/// <summary>One parsed key line of a known_hosts file.</summary>
public sealed class KnownHostsEntry
{
    internal KnownHostsEntry(int lineNumber, KnownHostsMarker marker, string hostField, string keyType, byte[] keyBlob, string? comment)
    {
        LineNumber = lineNumber;
        Marker = marker;
        HostField = hostField;
        KeyType = keyType;
        KeyBlob = keyBlob;
        Comment = comment;
    }

    /// <summary>1-based line number in the file.</summary>
    public int LineNumber { get; }
    public KnownHostsMarker Marker { get; }
    /// <summary>The host field as written: a comma list of patterns, or one hashed |1|salt|hash entry.</summary>
    public string HostField { get; }
    public bool IsHashed => HostField.StartsWith("|1|", StringComparison.Ordinal);
    public string KeyType { get; }
    public byte[] KeyBlob { get; }
    public string? Comment { get; }

    /// <summary>
    /// True when this entry applies to <paramref name="hostKeyName"/>, which is the lower-case host name for
    /// port 22 and "[host]:port" otherwise (the form OpenSSH looks up).
    /// </summary>
    public bool MatchesHost(string hostKeyName)
    {
        if (IsHashed)
            return KnownHostsFile.HashedHostMatches(HostField, hostKeyName);
        bool positive = false;
        foreach (var raw in HostField.Split(','))
        {
            if (raw.Length == 0) continue;
            bool negated = raw[0] == '!';
            var pattern = negated ? raw[1..] : raw;
            if (!KnownHostsFile.WildcardMatch(pattern.ToLowerInvariant(), hostKeyName)) continue;
            if (negated) return false; // a matching negation vetoes the whole line, as in OpenSSH
            positive = true;
        }
        return positive;
    }
}

/// <summary>
/// An OpenSSH known_hosts file: plain and comma-listed hosts, [host]:port entries, hashed (|1|salt|hmac-sha1) entries,
/// wildcard and negated patterns, @revoked keys; @cert-authority lines are skipped (host certificates are not used).
/// The file is read again on every <see cref="Check"/>, so entries added by other tools are seen.
/// </summary>
public sealed class KnownHostsFile
{
    public KnownHostsFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("A known_hosts path is required.", nameof(path));
        Path = ExpandHome(path);
    }

    /// <summary>The full path of the file (a leading ~ is expanded).</summary>
    public string Path { get; }

    /// <summary>~/.ssh/known_hosts of the current user.</summary>
    public static string DefaultPath => System.IO.Path.Combine(HomeDirectory, ".ssh", "known_hosts");

    internal static string HomeDirectory
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return home;
        }
    }

    internal static string ExpandHome(string path)
    {
        if (path == "~") return HomeDirectory;
        if (path.StartsWith("~/", StringComparison.Ordinal)) return System.IO.Path.Combine(HomeDirectory, path[2..]);
        return System.IO.Path.GetFullPath(path);
    }

    /// <summary>The key lines of the file (an absent file has none). Malformed lines are ignored, as ssh does.</summary>
    public IReadOnlyList<KnownHostsEntry> ReadEntries()
    {
        if (!File.Exists(Path)) return Array.Empty<KnownHostsEntry>();
        return Parse(File.ReadAllText(Path));
    }

    /// <summary>Parses known_hosts text.</summary>
    public static IReadOnlyList<KnownHostsEntry> Parse(string text)
    {
        var list = new List<KnownHostsEntry>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var entry = ParseLine(lines[i], i + 1);
            if (entry != null) list.Add(entry);
        }
        return list;
    }

    private static KnownHostsEntry? ParseLine(string line, int lineNumber)
    {
        line = line.TrimEnd('\r').Trim(' ', '\t');
        if (line.Length == 0 || line[0] == '#') return null;
        var fields = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        int f = 0;
        var marker = KnownHostsMarker.None;
        if (fields[0].StartsWith('@'))
        {
            if (fields[0] == "@revoked") marker = KnownHostsMarker.Revoked;
            else if (fields[0] == "@cert-authority") marker = KnownHostsMarker.CertAuthority;
            else return null; // unknown marker: ignore the line (ssh does the same)
            f++;
        }
        if (fields.Length < f + 3) return null;
        var hostField = fields[f];
        var keyType = fields[f + 1];
        byte[] blob;
        try { blob = Convert.FromBase64String(fields[f + 2]); }
        catch (FormatException) { return null; }
        // The blob names its own type; a line whose type field disagrees with its blob is malformed.
        var blobType = KeyTypeOfBlob(blob);
        if (blobType == null || blobType != keyType) return null;
        string? comment = fields.Length > f + 3 ? string.Join(' ', fields, f + 3, fields.Length - f - 3) : null;
        return new KnownHostsEntry(lineNumber, marker, hostField, keyType, blob, comment);
    }

    /// <summary>
    /// Looks up the key a server at <paramref name="host"/>:<paramref name="port"/> presented.
    /// Revoked wins over everything; then an identical key means Trusted; then a different key of the same
    /// type means Mismatch; otherwise Unknown.
    /// </summary>
    public HostKeyStatus Check(string host, int port, string keyType, byte[] keyBlob)
        => Check(ReadEntries(), host, port, keyType, keyBlob);

    /// <summary>The same lookup over already parsed entries.</summary>
    public static HostKeyStatus Check(IEnumerable<KnownHostsEntry> entries, string host, int port, string keyType, byte[] keyBlob)
    {
        ArgumentNullException.ThrowIfNull(keyBlob);
        var name = HostKeyName(host, port);
        bool trusted = false, mismatch = false;
        foreach (var e in entries)
        {
            if (e.Marker == KnownHostsMarker.CertAuthority) continue;
            if (!e.MatchesHost(name)) continue;
            bool sameKey = e.KeyBlob.AsSpan().SequenceEqual(keyBlob);
            if (e.Marker == KnownHostsMarker.Revoked)
            {
                if (sameKey) return HostKeyStatus.Revoked;
                continue;
            }
            if (sameKey) trusted = true;
            else if (e.KeyType == keyType) mismatch = true;
        }
        if (trusted) return HostKeyStatus.Trusted;
        return mismatch ? HostKeyStatus.Mismatch : HostKeyStatus.Unknown;
    }

    /// <summary>The key types listed (not revoked) for host:port, in file order.</summary>
    public IReadOnlyList<string> KnownKeyTypes(string host, int port)
    {
        var name = HostKeyName(host, port);
        return ReadEntries()
            .Where(e => e.Marker == KnownHostsMarker.None && e.MatchesHost(name))
            .Select(e => e.KeyType).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The SHA256 fingerprints of the listed (not revoked) keys of <paramref name="keyType"/> for host:port.</summary>
    public IReadOnlyList<string> KnownFingerprints(string host, int port, string keyType)
    {
        var name = HostKeyName(host, port);
        return ReadEntries()
            .Where(e => e.Marker == KnownHostsMarker.None && e.KeyType == keyType && e.MatchesHost(name))
            .Select(e => Sha256Fingerprint(e.KeyBlob)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Appends "host keytype base64" (port 22) or "[host]:port keytype base64"; with <paramref name="hashHost"/>
    /// the host field is written hashed as ssh does with HashKnownHosts yes. Creates the file (0600) and its
    /// directory (0700) when missing.
    /// </summary>
    public void Add(string host, int port, string keyType, byte[] keyBlob, bool hashHost = false)
    {
        ArgumentNullException.ThrowIfNull(keyBlob);
        if (string.IsNullOrWhiteSpace(keyType) || keyType.Any(char.IsWhiteSpace))
            throw new ArgumentException($"Invalid key type '{keyType}'.", nameof(keyType));
        var name = HostKeyName(host, port);
        var field = hashHost ? HashHostName(name) : name;
        var line = $"{field} {keyType} {Convert.ToBase64String(keyBlob)}\n";

        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Logins to several hosts at once (a fleet run) may accept new keys at once: one appender at a time.
        lock (AppendLock) Append(line);
    }

    private static readonly object AppendLock = new();

    private void Append(string line)
    {
        bool exists = File.Exists(Path);
        using var fs = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (!exists && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (fs.Length > 0)
        {
            fs.Seek(-1, SeekOrigin.End);
            if (fs.ReadByte() != '\n') line = "\n" + line;
        }
        fs.Seek(0, SeekOrigin.End);
        var bytes = Encoding.UTF8.GetBytes(line);
        fs.Write(bytes, 0, bytes.Length);
        fs.Flush(true);
    }

    /// <summary>"SHA256:" and the unpadded base64 of SHA-256(blob), as ssh-keygen -l prints it.</summary>
    public static string Sha256Fingerprint(byte[] keyBlob)
    {
        ArgumentNullException.ThrowIfNull(keyBlob);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');
    }

    /// <summary>The type name inside an SSH public key blob (its first string), or null when malformed.</summary>
    public static string? KeyTypeOfBlob(byte[] blob)
    {
        if (blob == null || blob.Length < 4) return null;
        uint len = (uint)(blob[0] << 24 | blob[1] << 16 | blob[2] << 8 | blob[3]);
        if (len == 0 || len > 64 || len > blob.Length - 4) return null;
        var s = Encoding.ASCII.GetString(blob, 4, (int)len);
        foreach (var c in s) if (c <= ' ' || c > '~') return null;
        return s;
    }

    /// <summary>The name OpenSSH looks up: lower-case host for port 22, "[host]:port" otherwise.</summary>
    public static string HostKeyName(string host, int port)
    {
        if (string.IsNullOrWhiteSpace(host)) throw new ArgumentException("A host name is required.", nameof(host));
        if (port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "Port must be 1..65535.");
        host = host.Trim().ToLowerInvariant();
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1]; // bracketed IPv6 literal
        return port == 22 ? host : $"[{host}]:{port}";
    }

    /// <summary>Hashes a host name as ssh-keygen -H does: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).</summary>
    public static string HashHostName(string hostKeyName)
    {
        var salt = RandomNumberGenerator.GetBytes(20);
        var mac = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(hostKeyName));
        return $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(mac)}";
    }

    internal static bool HashedHostMatches(string field, string hostKeyName)
    {
        // |1|salt|hash
        var parts = field.Split('|');
        if (parts.Length != 4 || parts[0].Length != 0 || parts[1] != "1") return false;
        byte[] salt, hash;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException) { return false; }
        var mac = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(hostKeyName));
        return CryptographicOperations.FixedTimeEquals(mac, hash);
    }

    /// <summary>OpenSSH pattern match: '*' any run, '?' any one character; the whole name must match.</summary>
    internal static bool WildcardMatch(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
