using LvsPS.Management.Checks;

namespace LvsPS.Management.Reports;

/// <summary>The formats Test-LvsCluster -ReportPath writes.</summary>
public enum LvsReportFormat
{
    /// <summary>A page for people: summary, checks by category, a chart per service (no outside assets).</summary>
    Html,
    /// <summary>JUnit XML for CI: a testsuite per category, a testcase per result.</summary>
    JUnit,
    /// <summary>NUnit 3 test-run XML, as Pester writes it.</summary>
    NUnit,
}

/// <summary>One Test-LvsCluster run as the report writers see it.</summary>
public sealed class ClusterReport
{
    /// <summary>The director checked in full.</summary>
    public string Director { get; init; } = "";
    /// <summary>The lab, when the run checked one.</summary>
    public string? Lab { get; init; }
    /// <summary>The machine the checks ran on.</summary>
    public string Host { get; init; } = Environment.MachineName;
    public DateTime Started { get; init; } = DateTime.UtcNow;
    public DateTime Finished { get; init; } = DateTime.UtcNow;
    public IReadOnlyList<LvsCheckResult> Results { get; init; } = Array.Empty<LvsCheckResult>();

    /// <summary>What the run checked, for titles: "lab x (director y)" or "director y".</summary>
    public string Subject => Lab is null ? $"director {Director}" : $"lab {Lab} (director {Director})";

    /// <summary>Results per kind, every kind present (0 where none).</summary>
    public IReadOnlyDictionary<LvsCheckResultKind, int> Counts =>
        Enum.GetValues<LvsCheckResultKind>().ToDictionary(k => k, k => Results.Count(r => r.Result == k));

    /// <summary>Categories in the order their first result came (the catalogue's order), each with its results.</summary>
    public IEnumerable<IGrouping<string, LvsCheckResult>> ByCategory => Results.GroupBy(r => r.Category);

    /// <summary>A testcase name unique enough for CI: "Check Target" (or Check alone).</summary>
    internal static string CaseName(LvsCheckResult r) => string.IsNullOrEmpty(r.Target) ? r.Check : $"{r.Check} {r.Target}";

    /// <summary>The text a CI failure or note carries: the message, then the remedy.</summary>
    internal static string Detail(LvsCheckResult r) => r.Remedy is null ? r.Message : $"{r.Message}\nRemedy: {r.Remedy}";

    /// <summary>The text without the characters XML 1.0 cannot carry (control characters from a remote command's output).</summary>
    internal static string Clean(string s) =>
        s.All(System.Xml.XmlConvert.IsXmlChar) ? s : new string(s.Where(System.Xml.XmlConvert.IsXmlChar).ToArray());

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Iso(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Where and how a report is written: the format from -ReportFormat or the extension (.html/.htm: Html, .xml:
/// JUnit unless -ReportFormat NUnit), the path checked before the run (an existing folder or a missing parent
/// folder is refused), an existing file replaced as Out-File does unless noClobber.
/// </summary>
public static class ReportFile
{
    /// <summary>The format for a path: the one asked for, else what its extension says.</summary>
    public static LvsReportFormat ResolveFormat(string path, LvsReportFormat? asked)
    {
        if (asked is { } f) return f;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".html" or ".htm" => LvsReportFormat.Html,
            ".xml" => LvsReportFormat.JUnit,
            var e => throw new LvsException(LvsErrorIds.ReportFormatUnknown, LvsErrorKind.InvalidArgument,
                $"Cannot tell the report format of '{path}' from its extension '{e}': use .html, .htm or .xml, or give -ReportFormat Html, JUnit or NUnit.", path),
        };
    }

    /// <summary>Refuses a path that cannot take the report, before the checks run.</summary>
    public static void Validate(string path, bool noClobber)
    {
        if (Directory.Exists(path))
            throw new LvsException(LvsErrorIds.ReportPathInvalid, LvsErrorKind.InvalidArgument,
                $"The report path '{path}' is a folder; give a file name in it, e.g. '{Path.Combine(path, "report.html")}'.", path);
        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is not null && !Directory.Exists(parent))
            throw new LvsException(LvsErrorIds.ReportPathInvalid, LvsErrorKind.ObjectNotFound,
                $"The folder '{parent}' of the report path '{path}' does not exist; create it first (New-Item -ItemType Directory '{parent}').", path);
        if (noClobber && File.Exists(path))
            throw new LvsException(LvsErrorIds.ReportFileExists, LvsErrorKind.ResourceExists,
                $"The report file '{path}' exists and -NoClobber was given; remove it or leave out -NoClobber to replace it.", path);
    }

    /// <summary>Writes the report (UTF-8, no BOM) through a temporary file beside it, so a reader never sees half a report.</summary>
    public static void Write(string path, LvsReportFormat format, ClusterReport report)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var w = new StreamWriter(tmp, false, new System.Text.UTF8Encoding(false)))
                Render(w, format, report);
            File.Move(tmp, full, true);
        }
        finally { if (File.Exists(tmp)) File.Delete(tmp); }
    }

    /// <summary>Renders the report in a format to a writer.</summary>
    public static void Render(TextWriter w, LvsReportFormat format, ClusterReport report)
    {
        switch (format)
        {
            case LvsReportFormat.Html: HtmlReport.Write(w, report); break;
            case LvsReportFormat.JUnit: JUnitReport.Write(w, report); break;
            default: NUnitReport.Write(w, report); break;
        }
    }

    /// <summary>The report as a string (for tests and small reports).</summary>
    public static string Render(LvsReportFormat format, ClusterReport report)
    {
        var sw = new StringWriter();
        Render(sw, format, report);
        return sw.ToString();
    }
}
