using System.Text.RegularExpressions;

namespace LvsPS.Management.Config;

/// <summary>One configuration line after keepalived's preprocessing, with the file and line it came from.</summary>
internal readonly record struct KeepalivedLine(string File, int Line, string Text);

/// <summary>
/// keepalived's reading of its configuration before the keywords (keepalived.conf(5), "ADVANCED CONFIGURATION"):
/// comments ('#' or '!' to the end of the line, outside double quotes), <c>include</c> (and includer, includem,
/// includew, includeb, includea) with globs and brace expressions, relative to the including file's directory;
/// conditional lines (<c>@id</c>, <c>@^id</c>, compared with the config id: keepalived's -i, by default the first part
/// of the node name); parameters (<c>$NAME=value</c>, multi-line definitions ending lines with '\', <c>$NAME</c> and
/// <c>${NAME}</c> replaced recursively at use, the predefined _PWD, _INSTANCE, _HASH and _BANG); sequence and list
/// blocks (<c>~SEQ(var, start, step, end)</c>, <c>~SEQx</c>, <c>~LST</c>), nested.
/// </summary>
internal sealed class KeepalivedPreprocessor
{
    /// <summary>Most lines one file may expand into (a guard against runaway ~SEQ blocks).</summary>
    public const int MaxLines = 2_000_000;
    private const int MaxIncludeDepth = 32;
    private const int MaxSubstitutionDepth = 32;

    private static readonly Regex Definition = new(@"^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex Parameter = new(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant);

    private readonly string _configId;
    private readonly List<string> _warnings;
    private readonly Dictionary<string, List<KeepalivedLine>> _multi = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _single = new(StringComparer.Ordinal);
    private readonly List<KeepalivedLine> _out = new();
    private readonly Func<string, string> _readFile;
    private string _pwd = ".";

    public KeepalivedPreprocessor(string configId, List<string> warnings, Func<string, string> readFile)
    {
        _configId = configId;
        _warnings = warnings;
        _readFile = readFile;
    }

    /// <summary>keepalived's default config id: the node name up to its first '.'.</summary>
    public static string DefaultConfigId()
    {
        string name = Environment.MachineName;
        int dot = name.IndexOf('.');
        return dot > 0 ? name[..dot] : name;
    }

    /// <summary>The lines of <paramref name="text"/> (read from <paramref name="file"/>) and of every file it includes.</summary>
    public List<KeepalivedLine> Run(string text, string file, string directory)
    {
        ReadText(text, file, directory, 0);
        return _out;
    }

    private void Warn(string file, int line, string text) => _warnings.Add($"{file}:{line}: {text}");

    private void ReadText(string text, string file, string directory, int depth)
    {
        string savedPwd = _pwd;
        _pwd = directory;
        var raw = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < raw.Length; i++)
        {
            int lineNo = i + 1;
            string line = StripComment(raw[i]).Trim();
            if (line.Length == 0)
                continue;
            var m = Definition.Match(line);
            if (m.Success && m.Groups[2].Value.TrimEnd().EndsWith('\\') && m.Groups[2].Value.Trim() == "\\")
            {
                // a multi-line definition: every following line ending with '\' and the first one that does not
                var body = new List<KeepalivedLine>();
                while (++i < raw.Length)
                {
                    string l = StripComment(raw[i]).TrimEnd();
                    bool more = l.EndsWith('\\');
                    if (more)
                        l = l[..^1];
                    if (l.Trim().Length > 0)
                        body.Add(new KeepalivedLine(file, i + 1, l.Trim()));
                    if (!more)
                        break;
                }
                _multi[m.Groups[1].Value] = body;
                _single.Remove(m.Groups[1].Value);
                continue;
            }
            // include is recognised before conditions and parameters, as keepalived does
            var words = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (words[0] is "include" or "includer" or "includem" or "includew" or "includeb" or "includea")
            {
                Include(words.Length > 1 ? Unquote(words[1].Trim()) : "", file, lineNo, directory, depth);
                continue;
            }
            Process(new KeepalivedLine(file, lineNo, line), 0);
        }
        _pwd = savedPwd;
    }

    private void Include(string pattern, string file, int line, string directory, int depth)
    {
        if (pattern.Length == 0)
        {
            Warn(file, line, "include without a file name; keepalived ignores it");
            return;
        }
        if (depth >= MaxIncludeDepth)
            throw new LvsException(LvsErrorIds.ConfigParseError, LvsErrorKind.ParserError,
                $"{file}:{line}: includes nest deeper than {MaxIncludeDepth} levels (does a file include itself?)", file);
        var files = Glob(Path.IsPathRooted(pattern) ? pattern : Path.Combine(directory, pattern));
        if (files.Count == 0)
        {
            Warn(file, line, $"include '{pattern}' matches no file; keepalived goes on without it");
            return;
        }
        foreach (var f in files)
        {
            string text;
            try
            {
                text = _readFile(f);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Warn(file, line, $"include '{f}' cannot be read ({ex.Message}); keepalived goes on without it");
                continue;
            }
            ReadText(text, f, Path.GetDirectoryName(Path.GetFullPath(f)) ?? ".", depth + 1);
        }
    }

    /// <summary>One logical line: condition, definition, sequence/list block, multi-line parameter, substitution.</summary>
    private void Process(KeepalivedLine l, int depth)
    {
        if (depth > MaxSubstitutionDepth)
        {
            Warn(l.File, l.Line, "parameters nest too deeply; the line is left as it is");
            Emit(l);
            return;
        }
        string t = l.Text.Trim();
        if (t.Length == 0)
            return;
        if (!Condition(ref t))
            return;
        var def = Definition.Match(t);
        if (def.Success)
        {
            _single[def.Groups[1].Value] = def.Groups[2].Value.Trim();
            _multi.Remove(def.Groups[1].Value);
            return;
        }
        if (t.StartsWith("~SEQ(", StringComparison.Ordinal) || t.StartsWith("~SEQx(", StringComparison.Ordinal) || t.StartsWith("~LST(", StringComparison.Ordinal))
        {
            Block(l with { Text = t }, depth);
            return;
        }
        // a multi-line parameter: its first line continues the line, its other lines follow, the rest of the line
        // goes after its last line (as keepalived splices it)
        foreach (Match pm in Parameter.Matches(t))
        {
            string name = pm.Groups[1].Success ? pm.Groups[1].Value : pm.Groups[2].Value;
            if (!_multi.TryGetValue(name, out var body))
                continue;
            string before = t[..pm.Index], after = t[(pm.Index + pm.Length)..];
            var lines = body.ToList();
            if (lines.Count == 0)
            {
                Process(l with { Text = before + after }, depth + 1);
                return;
            }
            for (int i = 0; i < lines.Count; i++)
            {
                string text = (i == 0 ? before : "") + lines[i].Text + (i == lines.Count - 1 ? after : "");
                Process(i == 0 && before.Trim().Length > 0 ? l with { Text = text } : lines[i] with { Text = text }, depth + 1);
            }
            return;
        }
        string s = Substitute(t);
        if (s != t)
        {
            // a substituted line may be a condition ($IF_MAIN=@main) or hold several lines of a multi-line parameter
            Process(l with { Text = s }, depth + 1);
            return;
        }
        Emit(l with { Text = s });
    }

    private void Emit(KeepalivedLine l)
    {
        if (_out.Count >= MaxLines)
            throw new LvsException(LvsErrorIds.ConfigParseError, LvsErrorKind.ParserError,
                $"{l.File}:{l.Line}: the configuration expands into more than {MaxLines} lines", l.File);
        _out.Add(l);
    }

    /// <summary>'@id rest' and '@^id rest': false when the line is not for this config id; the rest is left in <paramref name="t"/>.</summary>
    private bool Condition(ref string t)
    {
        if (!t.StartsWith('@'))
            return true;
        int end = 1;
        while (end < t.Length && !char.IsWhiteSpace(t[end]))
            end++;
        string word = t[1..end];
        bool negate = word.StartsWith('^');
        if (negate)
            word = word[1..];
        bool match = string.Equals(word, _configId, StringComparison.Ordinal);
        if (match == negate)
            return false;
        t = t[end..].Trim();
        return t.Length > 0;
    }

    /// <summary>~SEQ(var, [start, [step,]] end), ~SEQx(...) and ~LST(var|{v1,v2}, values...) with the rest of the line.</summary>
    private void Block(KeepalivedLine l, int depth)
    {
        string t = l.Text;
        int open = t.IndexOf('(');
        int close = MatchingParen(t, open);
        if (close < 0)
        {
            Warn(l.File, l.Line, $"'{t}': the block's ')' is missing; keepalived ignores the line");
            return;
        }
        string kind = t[1..open];
        string args = Substitute(t[(open + 1)..close]);
        string rest = t[(close + 1)..].Trim();
        if (kind == "LST")
        {
            var items = SplitArgs(args);
            if (items.Count < 2)
            {
                Warn(l.File, l.Line, $"'~LST({args})' needs a variable and at least one value; keepalived ignores the line");
                return;
            }
            var vars = Braced(items[0]);
            var saved = vars.Select(v => (v, _single.TryGetValue(v, out var old) ? old : null)).ToList();
            foreach (var item in items.Skip(1))
            {
                var values = Braced(item);
                for (int i = 0; i < vars.Count; i++)
                {
                    _single[vars[i]] = i < values.Count ? values[i] : "";
                    _multi.Remove(vars[i]);
                }
                Process(l with { Text = rest }, depth + 1);
            }
            Restore(saved);
            return;
        }
        var a = SplitArgs(args);
        bool hex = kind == "SEQx";
        if (a.Count is < 2 or > 4 || !a.Skip(1).All(x => TryInteger(x, out _)))
        {
            Warn(l.File, l.Line, $"'~{kind}({args})' is not a valid sequence (var, [start, [step,]] end); keepalived ignores the line");
            return;
        }
        var n = a.Skip(1).Select(x => { TryInteger(x, out long v); return v; }).ToList();
        long end = n[^1];
        long start = n.Count >= 2 ? n[0] : (end >= 0 ? 1 : -1);
        long step = n.Count == 3 ? n[1] : (end >= start ? 1 : -1);
        if (step == 0 || (step > 0 && start > end) || (step < 0 && start < end))
            return;
        string var = a[0];
        var keep = new List<(string, string?)> { (var, _single.TryGetValue(var, out var prev) ? prev : null) };
        for (long v = start; step > 0 ? v <= end : v >= end; v += step)
        {
            _single[var] = hex ? v.ToString("x", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
            _multi.Remove(var);
            Process(l with { Text = rest }, depth + 1);
        }
        Restore(keep);
    }

    private void Restore(List<(string Name, string? Value)> saved)
    {
        foreach (var (name, value) in saved)
        {
            if (value is null)
                _single.Remove(name);
            else
                _single[name] = value;
        }
    }

    private static bool TryInteger(string s, out long v)
    {
        s = s.Trim();
        bool neg = s.StartsWith('-');
        string body = neg ? s[1..] : s;
        bool ok = body.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v)
            : long.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (neg)
            v = -v;
        return ok;
    }

    private static int MatchingParen(string t, int open)
    {
        int depth = 0;
        for (int i = open; i < t.Length; i++)
        {
            if (t[i] == '(')
                depth++;
            else if (t[i] == ')' && --depth == 0)
                return i;
        }
        return -1;
    }

    /// <summary>Splits on commas outside braces.</summary>
    private static List<string> SplitArgs(string s)
    {
        var list = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '{')
                depth++;
            else if (s[i] == '}')
                depth--;
            else if (s[i] == ',' && depth == 0)
            {
                list.Add(s[start..i].Trim());
                start = i + 1;
            }
        }
        list.Add(s[start..].Trim());
        return list;
    }

    private static List<string> Braced(string s)
    {
        s = s.Trim();
        if (s.StartsWith('{') && s.EndsWith('}'))
            return s[1..^1].Split(',').Select(x => x.Trim()).ToList();
        return new List<string> { s };
    }

    /// <summary>Replaces defined parameters (recursively: a value may name others); undefined ones stay as written.</summary>
    private string Substitute(string t)
    {
        for (int round = 0; round < MaxSubstitutionDepth && t.Contains('$'); round++)
        {
            bool changed = false;
            string next = Parameter.Replace(t, m =>
            {
                string name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                string? value = name switch
                {
                    "_PWD" => _pwd,
                    "_INSTANCE" => _configId,
                    "_HASH" => "#",
                    "_BANG" => "!",
                    _ => _single.TryGetValue(name, out var v) ? v : null,
                };
                if (value is null)
                    return m.Value;
                changed = true;
                return value;
            });
            t = next;
            if (!changed)
                break;
        }
        return t;
    }

    /// <summary>The line without its comment: '#' or '!' outside double quotes to the end.</summary>
    internal static string StripComment(string line)
    {
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '"')
                quoted = !quoted;
            else if ((c == '#' || c == '!') && !quoted)
                return line[..i];
        }
        return line;
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    // --- globs ------------------------------------------------------------------------------------------------

    /// <summary>glob(3) with GLOB_BRACE: '*', '?', '[...]' per path segment and csh braces; sorted, hidden files only when named.</summary>
    internal static List<string> Glob(string pattern)
    {
        var result = new List<string>();
        foreach (var p in ExpandBraces(pattern))
        {
            if (p.IndexOfAny(new[] { '*', '?', '[' }) < 0)
            {
                if (File.Exists(p))
                    result.Add(p);
                continue;
            }
            bool rooted = p.StartsWith('/');
            var segments = p.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var current = new List<string> { rooted ? "/" : "." };
            for (int i = 0; i < segments.Length; i++)
            {
                bool last = i == segments.Length - 1;
                string seg = segments[i];
                var next = new List<string>();
                foreach (var dir in current)
                {
                    if (seg.IndexOfAny(new[] { '*', '?', '[' }) < 0)
                    {
                        string c = Path.Combine(dir, seg);
                        if (last ? File.Exists(c) : Directory.Exists(c))
                            next.Add(c);
                        continue;
                    }
                    if (!Directory.Exists(dir))
                        continue;
                    var rx = new Regex("^" + GlobSegment(seg) + "$", RegexOptions.CultureInvariant);
                    IEnumerable<string> entries;
                    try
                    {
                        entries = last ? Directory.EnumerateFiles(dir) : Directory.EnumerateDirectories(dir);
                        entries = entries.ToList();
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        continue;
                    }
                    foreach (var e in entries.OrderBy(x => x, StringComparer.Ordinal))
                    {
                        string name = Path.GetFileName(e);
                        if (name.StartsWith('.') && !seg.StartsWith('.'))
                            continue;
                        if (rx.IsMatch(name))
                            next.Add(e);
                    }
                }
                current = next;
            }
            result.AddRange(current.Select(c => c.StartsWith("./", StringComparison.Ordinal) && !p.StartsWith("./", StringComparison.Ordinal) ? c[2..] : c));
        }
        return result;
    }

    private static string GlobSegment(string seg)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < seg.Length; i++)
        {
            char c = seg[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                {
                    int end = seg.IndexOf(']', i + 2);
                    if (end < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    string set = seg[(i + 1)..end];
                    if (set.StartsWith('!'))
                        set = "^" + set[1..];
                    sb.Append('[').Append(set.Replace("\\", "\\\\")).Append(']');
                    i = end;
                    break;
                }
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.ToString();
    }

    internal static List<string> ExpandBraces(string p)
    {
        int open = p.IndexOf('{');
        if (open < 0)
            return new List<string> { p };
        int depth = 0, close = -1;
        var commas = new List<int>();
        for (int i = open; i < p.Length; i++)
        {
            if (p[i] == '{')
                depth++;
            else if (p[i] == '}' && --depth == 0)
            {
                close = i;
                break;
            }
            else if (p[i] == ',' && depth == 1)
                commas.Add(i);
        }
        if (close < 0)
            return new List<string> { p };
        var parts = new List<string>();
        int start = open + 1;
        foreach (var c in commas)
        {
            parts.Add(p[start..c]);
            start = c + 1;
        }
        parts.Add(p[start..close]);
        var result = new List<string>();
        foreach (var part in parts)
            result.AddRange(ExpandBraces(p[..open] + part + p[(close + 1)..]));
        return result;
    }
}
