using LvsPS.Management.Checks;

namespace LvsPS.Management.Reports;

/// <summary>
/// The HTML report of a Test-LvsCluster run: a summary (what was checked, when, counts per result in colour), the
/// problems first, every check grouped by category (one table each, in the catalogue's order), and per service a
/// chart of requests per real server against the share the weights promise. One self-contained file: inline CSS
/// and SVG, no script, no outside asset (no CDN, font or style sheet); every value from a check is HTML-escaped.
/// </summary>
public static class HtmlReport
{
    private static readonly LvsCheckResultKind[] Severity =
        { LvsCheckResultKind.Failed, LvsCheckResultKind.Warning, LvsCheckResultKind.Passed, LvsCheckResultKind.NotApplicable };

    /// <summary>HTML-escapes text for an element or a quoted attribute (&lt; &gt; &amp; " ').</summary>
    public static string E(string? s) => WebUtility.HtmlEncode(ClusterReport.Clean(s ?? ""));

    private static string Css(LvsCheckResultKind k) => k.ToString().ToLowerInvariant();

    private static string Pct(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static void Write(TextWriter w, ClusterReport report)
    {
        var title = $"Test-LvsCluster: {report.Subject}";
        w.WriteLine("<!DOCTYPE html>");
        w.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
        w.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
        w.WriteLine($"<title>{E(title)}</title>");
        w.WriteLine("<style>");
        w.WriteLine(Style);
        w.WriteLine("</style></head><body>");
        w.WriteLine($"<h1>{E(title)}</h1>");
        Summary(w, report);
        Problems(w, report);
        Categories(w, report);
        Charts(w, report);
        w.WriteLine($"<footer>Written by LvsPS Test-LvsCluster on {E(report.Host)} at {E(ClusterReport.Iso(report.Finished))}.</footer>");
        w.WriteLine("</body></html>");
    }

    private static void Summary(TextWriter w, ClusterReport report)
    {
        w.WriteLine("<section id=\"summary\"><h2>Summary</h2><dl class=\"facts\">");
        w.WriteLine($"<dt>Director</dt><dd id=\"director\">{E(report.Director)}</dd>");
        if (report.Lab is not null) w.WriteLine($"<dt>Lab</dt><dd id=\"lab\">{E(report.Lab)}</dd>");
        w.WriteLine($"<dt>Checked from</dt><dd>{E(report.Host)}</dd>");
        w.WriteLine($"<dt>Started</dt><dd><time datetime=\"{E(ClusterReport.Iso(report.Started))}\">{E(report.Started.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}</time></dd>");
        w.WriteLine($"<dt>Took</dt><dd>{E(ClusterReport.Seconds(report.Finished - report.Started))} s</dd>");
        w.WriteLine("</dl><ul class=\"counts\">");
        var counts = report.Counts;
        foreach (var k in Severity)
            w.WriteLine($"<li class=\"{Css(k)}\"><span class=\"n\" id=\"count-{k}\">{counts[k]}</span> {k}</li>");
        w.WriteLine($"<li class=\"total\"><span class=\"n\" id=\"count-Total\">{report.Results.Count}</span> checks</li>");
        w.WriteLine("</ul>");
        var verdict = counts[LvsCheckResultKind.Failed] > 0 ? "failed" : counts[LvsCheckResultKind.Warning] > 0 ? "warning" : "passed";
        var text = verdict switch { "failed" => "Some checks failed: see the remedies below.", "warning" => "No check failed; some warn.", _ => "Every check passed or did not apply." };
        w.WriteLine($"<p class=\"verdict {verdict}\" id=\"verdict\">{text}</p>");
        var cats = report.ByCategory.Select(g => g.Key).ToList();
        if (cats.Count > 0)
            w.WriteLine("<nav>Categories: " + string.Join(" · ", cats.Select(c => $"<a href=\"#cat-{E(Anchor(c))}\">{E(c)}</a>")) + "</nav>");
        w.WriteLine("</section>");
    }

    private static void Problems(TextWriter w, ClusterReport report)
    {
        var problems = report.Results.Where(r => r.Result is LvsCheckResultKind.Failed or LvsCheckResultKind.Warning)
            .OrderBy(r => Array.IndexOf(Severity, r.Result)).ToList();
        if (problems.Count == 0) return;
        w.WriteLine("<section id=\"problems\"><h2>Problems first</h2>");
        Table(w, problems, "problems-table", withCategory: true);
        w.WriteLine("</section>");
    }

    private static void Categories(TextWriter w, ClusterReport report)
    {
        w.WriteLine("<section id=\"checks\"><h2>Checks by category</h2>");
        foreach (var g in report.ByCategory)
        {
            var results = g.ToList();
            var worst = Severity.First(k => k == LvsCheckResultKind.NotApplicable || results.Any(r => r.Result == k));
            var badge = string.Join(" ", Severity.Where(k => results.Any(r => r.Result == k))
                .Select(k => $"<span class=\"badge {Css(k)}\">{results.Count(r => r.Result == k)} {k}</span>"));
            // <details open>: folded and unfolded by the browser itself, no script needed.
            w.WriteLine($"<details open=\"\" id=\"cat-{E(Anchor(g.Key))}\" class=\"category {Css(worst)}\"><summary><h3>{E(g.Key)}</h3> {badge}</summary>");
            Table(w, results, null, withCategory: false);
            w.WriteLine("</details>");
        }
        w.WriteLine("</section>");
    }

    private static void Table(TextWriter w, IReadOnlyList<LvsCheckResult> results, string? id, bool withCategory)
    {
        w.WriteLine(id is null ? "<table class=\"checks\">" : $"<table class=\"checks\" id=\"{id}\">");
        w.WriteLine("<thead><tr><th>Result</th>" + (withCategory ? "<th>Category</th>" : "") + "<th>Check</th><th>Target</th><th>Message</th><th>Remedy</th><th class=\"num\">Duration (s)</th></tr></thead><tbody>");
        foreach (var r in results)
        {
            w.Write($"<tr class=\"result {Css(r.Result)}\"><td class=\"res\">{r.Result}</td>");
            if (withCategory) w.Write($"<td>{E(r.Category)}</td>");
            w.Write($"<td class=\"check\">{E(r.Check)}</td><td>{E(r.Target)}</td><td>{E(r.Message)}</td>");
            w.Write(r.Remedy is null ? "<td></td>" : $"<td><code>{E(r.Remedy)}</code></td>");
            w.WriteLine($"<td class=\"num\">{E(ClusterReport.Seconds(r.Duration))}</td></tr>");
        }
        w.WriteLine("</tbody></table>");
    }

    private static void Charts(TextWriter w, ClusterReport report)
    {
        var probes = report.Results.Where(r => r.Distribution is { Length: > 0 }).ToList();
        w.WriteLine("<section id=\"distribution\"><h2>Requests per real server</h2>");
        if (probes.Count == 0)
        {
            w.WriteLine("<p class=\"none\">No traffic check ran with a distribution to draw (the traffic checks need a lab or -ClientComputerName and were not excluded).</p>");
            w.WriteLine("</section>");
            return;
        }
        w.WriteLine("<p>Filled bar: the share of the probe's requests each real server got; outlined bar: the share its weight promises.</p>");
        foreach (var r in probes) Chart(w, r);
        w.WriteLine("</section>");
    }

    /// <summary>One service's chart: a row per real server, observed share filled, promised share outlined.</summary>
    public static void Chart(TextWriter w, LvsCheckResult r)
    {
        var rows = r.Distribution!;
        const double label = 170, bars = 380, value = 230, rowH = 34, top = 8;
        double width = label + bars + value, height = top * 2 + rows.Length * rowH;
        double max = Math.Max(0.01, rows.Max(s => Math.Max(s.ExpectedShare, s.ObservedShare)));
        double scale = bars / Math.Min(1, max * 1.1);
        long total = rows.Sum(s => s.Observed);
        var aria = $"Requests per real server for {r.Target}: " + string.Join("; ", rows.Select(s => $"{s.RealServer} {s.Observed} ({Pct(s.ObservedShare)}, promised {Pct(s.ExpectedShare)})"));
        w.WriteLine($"<figure class=\"chart {Css(r.Result)}\"><figcaption>{E(r.Target)} — {E(r.Check)}: {r.Result}, {total} requests</figcaption>");
        w.WriteLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"share\" role=\"img\" aria-label=\"{E(aria)}\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\">");
        w.WriteLine($"<title>{E(aria)}</title>");
        for (int i = 0; i < rows.Length; i++)
        {
            var s = rows[i];
            double y = top + i * rowH;
            w.WriteLine($"<g class=\"rs\"><text x=\"{N(label - 8)}\" y=\"{N(y + 20)}\" text-anchor=\"end\">{E(s.RealServer)} (w {s.Weight})</text>");
            w.WriteLine($"<rect class=\"observed\" x=\"{N(label)}\" y=\"{N(y + 6)}\" width=\"{N(Math.Max(0, s.ObservedShare * scale))}\" height=\"12\"/>");
            w.WriteLine($"<rect class=\"expected\" x=\"{N(label)}\" y=\"{N(y + 20)}\" width=\"{N(Math.Max(0, s.ExpectedShare * scale))}\" height=\"8\"/>");
            w.WriteLine($"<text x=\"{N(label + bars + 8)}\" y=\"{N(y + 20)}\">{s.Observed} = {Pct(s.ObservedShare)} (promised {Pct(s.ExpectedShare)})</text></g>");
        }
        w.WriteLine("</svg></figure>");
    }

    /// <summary>An id fragment from a category name (letters, digits, dashes).</summary>
    private static string Anchor(string s) => new(s.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray());

    private const string Style = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.5em; margin: 0 0 .5em; } h2 { font-size: 1.2em; margin-top: 1.5em; border-bottom: 1px solid #ccc; }
h3 { display: inline; font-size: 1.05em; margin: 0; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: 0 0 1em; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
ul.counts { list-style: none; padding: 0; display: flex; gap: .6em; flex-wrap: wrap; }
ul.counts li { padding: .4em .9em; border-radius: .4em; font-weight: 600; }
ul.counts .n { font-size: 1.6em; margin-right: .2em; }
.passed { --c: #1e7d32; --bg: #e6f4e8; } .warning { --c: #9a5b00; --bg: #fff3d6; }
.failed { --c: #b3261e; --bg: #fde7e5; } .notapplicable { --c: #5f6368; --bg: #eef0f2; } .total { --c: #1d1d1f; --bg: #f4f4f4; }
ul.counts li, .badge, p.verdict { color: var(--c); background: var(--bg); }
.badge { padding: .1em .5em; border-radius: .3em; font-size: .85em; font-weight: 600; margin-left: .3em; }
p.verdict { padding: .5em .9em; border-left: .3em solid var(--c); }
details.category { margin: .8em 0; border-left: .3em solid var(--c); padding-left: .6em; }
details.category > summary { cursor: pointer; padding: .3em 0; }
table.checks { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
table.checks th, table.checks td { border: 1px solid #d0d0d0; padding: .3em .5em; text-align: left; vertical-align: top; }
table.checks th { background: #f4f4f4; } td.num, th.num { text-align: right; white-space: nowrap; }
tr.result td.res { color: var(--c); background: var(--bg); font-weight: 600; white-space: nowrap; }
td.check { white-space: nowrap; } code { white-space: pre-wrap; font-size: .9em; }
figure.chart { margin: 1em 0; } figcaption { font-weight: 600; margin-bottom: .3em; }
svg.share text { font: 13px system-ui, sans-serif; fill: #1d1d1f; }
svg.share rect.observed { fill: #2b6cb0; } svg.share rect.expected { fill: none; stroke: #1d1d1f; stroke-width: 1.5; stroke-dasharray: 4 2; }
footer { margin-top: 2em; color: #5f6368; font-size: .85em; }
@media print { details.category { break-inside: avoid; } }
""";
}
