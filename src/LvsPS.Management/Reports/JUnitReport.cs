using System.Xml;
using LvsPS.Management.Checks;

namespace LvsPS.Management.Reports;

/// <summary>
/// JUnit XML (the shape Jenkins, GitLab and Azure Pipelines read): testsuites, a testsuite per category, a testcase
/// per result (name "Check Target", classname "LvsPS.Category.Check", time in seconds). Failed: a failure with the
/// message and remedy. NotApplicable: skipped with the message. Warning: passed, with the message and remedy in
/// system-out and a property result=Warning, so a warning shows in the log without failing the build.
/// </summary>
public static class JUnitReport
{
    public static void Write(TextWriter output, ClusterReport report)
    {
        using var w = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteAttributeString("name", $"Test-LvsCluster {report.Subject}");
        Counts(w, report.Results);
        w.WriteAttributeString("timestamp", ClusterReport.Iso(report.Started));
        int id = 0;
        foreach (var group in report.ByCategory)
        {
            var results = group.ToList();
            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", group.Key);
            w.WriteAttributeString("id", (id++).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("package", "LvsPS");
            w.WriteAttributeString("hostname", report.Host);
            w.WriteAttributeString("timestamp", ClusterReport.Iso(results.Min(r => r.Time)));
            Counts(w, results);
            w.WriteStartElement("properties");
            Property(w, "director", report.Director);
            if (report.Lab is not null) Property(w, "lab", report.Lab);
            w.WriteEndElement();
            foreach (var r in results) Case(w, r);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void Counts(XmlWriter w, IReadOnlyCollection<LvsCheckResult> results)
    {
        w.WriteAttributeString("tests", results.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("failures", results.Count(r => r.Result == LvsCheckResultKind.Failed).ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("errors", "0");
        w.WriteAttributeString("skipped", results.Count(r => r.Result == LvsCheckResultKind.NotApplicable).ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("time", ClusterReport.Seconds(TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks))));
    }

    private static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", value);
        w.WriteEndElement();
    }

    private static void Case(XmlWriter w, LvsCheckResult r)
    {
        w.WriteStartElement("testcase");
        w.WriteAttributeString("name", ClusterReport.Clean(ClusterReport.CaseName(r)));
        w.WriteAttributeString("classname", $"LvsPS.{r.Category}.{r.Check}");
        w.WriteAttributeString("time", ClusterReport.Seconds(r.Duration));
        switch (r.Result)
        {
            case LvsCheckResultKind.Failed:
                w.WriteStartElement("failure");
                w.WriteAttributeString("message", ClusterReport.Clean(r.Message));
                w.WriteAttributeString("type", "Failed");
                w.WriteString(ClusterReport.Clean(ClusterReport.Detail(r)));
                w.WriteEndElement();
                break;
            case LvsCheckResultKind.NotApplicable:
                w.WriteStartElement("skipped");
                w.WriteAttributeString("message", ClusterReport.Clean(r.Message));
                w.WriteEndElement();
                break;
            case LvsCheckResultKind.Warning:
                w.WriteStartElement("properties");
                Property(w, "result", "Warning");
                w.WriteEndElement();
                w.WriteElementString("system-out", ClusterReport.Clean("WARNING: " + ClusterReport.Detail(r)));
                break;
            default:
                w.WriteElementString("system-out", ClusterReport.Clean(r.Message));
                break;
        }
        w.WriteEndElement();
    }
}
