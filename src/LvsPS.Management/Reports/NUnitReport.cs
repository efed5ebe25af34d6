using System.Xml;
using LvsPS.Management.Checks;

namespace LvsPS.Management.Reports;

/// <summary>
/// NUnit 3 test-run XML in the shape Pester 5+ writes (test-run, an Assembly test-suite for the run, a
/// TestFixture per category, a test-case per result): Failed is a failure, NotApplicable Skipped with a reason,
/// Warning Passed with the message in output (NUnit's own "Warning" result would make many readers fail the run).
/// </summary>
public static class NUnitReport
{
    public static void Write(TextWriter output, ClusterReport report)
    {
        using var w = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        var all = report.Results;
        int next = 1000;
        string Id() => $"1-{next++}";
        w.WriteStartDocument(false);
        w.WriteStartElement("test-run");
        w.WriteAttributeString("id", "0");
        w.WriteAttributeString("name", "Test-LvsCluster");
        w.WriteAttributeString("fullname", $"Test-LvsCluster {report.Subject}");
        w.WriteAttributeString("testcasecount", all.Count.ToString(CultureInfo.InvariantCulture));
        Outcome(w, all);
        Times(w, report.Started, report.Finished);
        w.WriteElementString("filter", "");
        w.WriteStartElement("test-suite");
        w.WriteAttributeString("type", "Assembly");
        w.WriteAttributeString("id", Id());
        w.WriteAttributeString("name", report.Subject);
        w.WriteAttributeString("fullname", $"Test-LvsCluster {report.Subject}");
        w.WriteAttributeString("runstate", "Runnable");
        Outcome(w, all);
        w.WriteAttributeString("testcasecount", all.Count.ToString(CultureInfo.InvariantCulture));
        Times(w, report.Started, report.Finished);
        w.WriteStartElement("environment");
        w.WriteAttributeString("platform", Environment.OSVersion.Platform.ToString());
        w.WriteAttributeString("os-version", Environment.OSVersion.VersionString);
        w.WriteAttributeString("clr-version", Environment.Version.ToString());
        w.WriteAttributeString("machine-name", report.Host);
        w.WriteAttributeString("user", Environment.UserName);
        w.WriteAttributeString("cwd", Environment.CurrentDirectory);
        w.WriteEndElement();
        foreach (var group in report.ByCategory)
        {
            var results = group.ToList();
            var start = results.Min(r => r.Time);
            w.WriteStartElement("test-suite");
            w.WriteAttributeString("type", "TestFixture");
            w.WriteAttributeString("id", Id());
            w.WriteAttributeString("name", group.Key);
            w.WriteAttributeString("fullname", group.Key);
            w.WriteAttributeString("classname", group.Key);
            w.WriteAttributeString("runstate", "Runnable");
            Outcome(w, results);
            w.WriteAttributeString("testcasecount", results.Count.ToString(CultureInfo.InvariantCulture));
            Times(w, start, results.Max(r => r.Time + r.Duration));
            foreach (var r in results)
            {
                w.WriteStartElement("test-case");
                w.WriteAttributeString("id", Id());
                w.WriteAttributeString("name", $"{group.Key}.{ClusterReport.CaseName(r)}");
                w.WriteAttributeString("fullname", $"{group.Key}.{ClusterReport.CaseName(r)}");
                w.WriteAttributeString("methodname", ClusterReport.CaseName(r));
                w.WriteAttributeString("classname", group.Key);
                w.WriteAttributeString("runstate", "Runnable");
                w.WriteAttributeString("result", Result(r.Result));
                Times(w, r.Time, r.Time + r.Duration);
                w.WriteAttributeString("asserts", "1");
                if (r.Result == LvsCheckResultKind.Failed)
                {
                    w.WriteStartElement("failure");
                    w.WriteStartElement("message"); w.WriteString(ClusterReport.Clean(ClusterReport.Detail(r))); w.WriteEndElement();
                    w.WriteEndElement();
                }
                else if (r.Result == LvsCheckResultKind.NotApplicable)
                {
                    w.WriteStartElement("reason");
                    w.WriteStartElement("message"); w.WriteString(ClusterReport.Clean(r.Message)); w.WriteEndElement();
                    w.WriteEndElement();
                }
                else if (r.Result == LvsCheckResultKind.Warning)
                {
                    w.WriteStartElement("output"); w.WriteString(ClusterReport.Clean("WARNING: " + ClusterReport.Detail(r))); w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static string Result(LvsCheckResultKind k) => k switch
    {
        LvsCheckResultKind.Failed => "Failed",
        LvsCheckResultKind.NotApplicable => "Skipped",
        _ => "Passed",
    };

    private static void Outcome(XmlWriter w, IReadOnlyCollection<LvsCheckResult> results)
    {
        int failed = results.Count(r => r.Result == LvsCheckResultKind.Failed);
        int skipped = results.Count(r => r.Result == LvsCheckResultKind.NotApplicable);
        w.WriteAttributeString("result", failed > 0 ? "Failed" : "Passed");
        w.WriteAttributeString("total", results.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("passed", (results.Count - failed - skipped).ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("failed", failed.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("inconclusive", "0");
        w.WriteAttributeString("skipped", skipped.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("warnings", "0");
        w.WriteAttributeString("asserts", results.Count.ToString(CultureInfo.InvariantCulture));
    }

    private static void Times(XmlWriter w, DateTime start, DateTime end)
    {
        w.WriteAttributeString("start-time", ClusterReport.Iso(start));
        w.WriteAttributeString("end-time", ClusterReport.Iso(end));
        w.WriteAttributeString("duration", ClusterReport.Seconds(end - start));
    }
}
