using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using LvsPS.Management.Checks;
using LvsPS.Management.Reports;

namespace LvsPS.Management.Tests.Reports;

public class ReportWriterTests
{
    private const string Nasty = "a <b> & \"c\" 'd' </td><script>alert(1)</script> ]]> end";

    private static ClusterReport Sample()
    {
        var t0 = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
        LvsCheckResult Res(string check, string cat, string target, LvsCheckResultKind k, string msg, string? remedy, int ms, LvsShareSample[]? d = null) =>
            new() { Check = check, Category = cat, Target = target, Result = k, Message = msg, Remedy = remedy, Time = t0, Duration = TimeSpan.FromMilliseconds(ms), Distribution = d };
        return new ClusterReport
        {
            Director = "d<1>", Lab = "lab&1", Host = "host\"x", Started = t0, Finished = t0.AddSeconds(3),
            Results = new[]
            {
                Res("DirectorRunning", "Director", "d1", LvsCheckResultKind.Passed, "lvsd answers", null, 12),
                Res("RealServerHidden", "RealServer", "rs1 10.0.0.11", LvsCheckResultKind.Failed, Nasty, "Set-LvsRealServerHidden -Lab 'x' -Node rs1 && echo \"ok\"", 1500),
                Res("RealServerHidden", "RealServer", "rs2 10.0.0.12", LvsCheckResultKind.Warning, "slow\u0001 answer", "look", 250),
                Res("VipArpOwner", "Network", "10.0.0.100", LvsCheckResultKind.NotApplicable, "needs a lab", null, 0),
                Res("ServiceDistribution", "Network", "TCP 10.0.0.100:80", LvsCheckResultKind.Passed, "ok", null, 800, new[]
                {
                    new LvsShareSample { RealServer = "10.0.0.11:80", Weight = 3, ExpectedShare = 0.75, Observed = 6, ObservedShare = 0.75 },
                    new LvsShareSample { RealServer = "<rs2>:80", Weight = 1, ExpectedShare = 0.25, Observed = 2, ObservedShare = 0.25 },
                }),
            },
        };
    }

    [Fact]
    public void Html_escapes_every_value_and_has_no_outside_asset_or_script()
    {
        var html = ReportFile.Render(LvsReportFormat.Html, Sample());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&amp;&amp; echo &quot;ok&quot;", html);
        Assert.Contains("&lt;rs2&gt;:80", html);
        Assert.Contains("d&lt;1&gt;", html);
        // No outside asset: no URL at all except the SVG namespace, no link/import/src.
        foreach (var bad in new[] { "http://", "https://", "<link", "@import", "src=", "url(" })
            Assert.DoesNotContain(bad, html.Replace("http://www.w3.org/2000/svg", ""), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Html_is_well_formed_and_carries_counts_rows_durations_and_a_chart_per_service()
    {
        var html = ReportFile.Render(LvsReportFormat.Html, Sample());
        // The page is written as XHTML-compatible markup: parse it as XML (the doctype aside) to prove it is balanced.
        var doc = XDocument.Parse(html.Replace("<!DOCTYPE html>", ""));
        XNamespace svg = "http://www.w3.org/2000/svg";
        string Count(string k) => doc.Descendants("span").Single(e => (string?)e.Attribute("id") == $"count-{k}").Value;
        Assert.Equal("1", Count("Failed"));
        Assert.Equal("1", Count("Warning"));
        Assert.Equal("2", Count("Passed"));
        Assert.Equal("1", Count("NotApplicable"));
        Assert.Equal("5", Count("Total"));
        // Every result once in a category table, problems (failed first) once more in their own table.
        var categoryRows = doc.Descendants("details").SelectMany(d => d.Descendants("tr").Where(r => ((string?)r.Attribute("class"))?.StartsWith("result") == true)).ToList();
        Assert.Equal(5, categoryRows.Count);
        Assert.Equal(new[] { "Director", "RealServer", "Network" }, doc.Descendants("details").Select(d => d.Element("summary")!.Element("h3")!.Value));
        var problems = doc.Descendants("table").Single(t => (string?)t.Attribute("id") == "problems-table").Descendants("tbody").Single().Elements("tr").ToList();
        Assert.Equal(new[] { "Failed", "Warning" }, problems.Select(r => r.Elements("td").First().Value));
        Assert.Contains(categoryRows, r => r.Elements("td").Last().Value == "1.5");
        Assert.Contains(categoryRows, r => r.Elements("td").ElementAt(3).Value == Nasty);
        var chart = Assert.Single(doc.Descendants(svg + "svg"));
        var observed = chart.Descendants(svg + "rect").Where(r => (string?)r.Attribute("class") == "observed").Select(r => double.Parse((string)r.Attribute("width")!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, observed.Count);
        Assert.Equal(3.0, observed[0] / observed[1], 3);
    }

    [Fact]
    public void Html_says_so_when_no_distribution_was_measured()
    {
        var r = Sample();
        var html = ReportFile.Render(LvsReportFormat.Html, new ClusterReport { Director = "d", Results = r.Results.Where(x => x.Distribution is null).ToList() });
        Assert.DoesNotContain("<svg", html);
        Assert.Contains("No traffic check ran with a distribution", html);
    }

    [Fact]
    public void JUnit_has_a_suite_per_category_failure_skipped_and_warning_as_passed_output()
    {
        var x = XDocument.Parse(ReportFile.Render(LvsReportFormat.JUnit, Sample()));
        var root = x.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal(("5", "1", "1", "0"), ((string)root.Attribute("tests")!, (string)root.Attribute("failures")!, (string)root.Attribute("skipped")!, (string)root.Attribute("errors")!));
        Assert.Equal(new[] { "Director", "RealServer", "Network" }, root.Elements("testsuite").Select(s => (string)s.Attribute("name")!));
        var rs = root.Elements("testsuite").Single(s => (string)s.Attribute("name")! == "RealServer");
        Assert.Equal("1.75", (string)rs.Attribute("time")!);
        var cases = rs.Elements("testcase").ToList();
        Assert.Equal("RealServerHidden rs1 10.0.0.11", (string)cases[0].Attribute("name")!);
        Assert.Equal("LvsPS.RealServer.RealServerHidden", (string)cases[0].Attribute("classname")!);
        Assert.Equal("1.5", (string)cases[0].Attribute("time")!);
        var failure = cases[0].Element("failure")!;
        Assert.Equal(Nasty, (string)failure.Attribute("message")!);
        Assert.Contains("Remedy: Set-LvsRealServerHidden", failure.Value);
        Assert.Null(cases[1].Element("failure"));
        Assert.Equal("WARNING: slow answer\nRemedy: look", cases[1].Element("system-out")!.Value);
        Assert.NotNull(root.Descendants("testcase").Single(c => ((string)c.Attribute("name")!).StartsWith("VipArpOwner")).Element("skipped"));
        // Element order inside a testsuite as the JUnit schema wants it: properties, then the testcases.
        Assert.Equal("properties", rs.Elements().First().Name.LocalName);
    }

    [Fact]
    public void NUnit_has_pesters_shape_and_counts()
    {
        var x = XDocument.Parse(ReportFile.Render(LvsReportFormat.NUnit, Sample()));
        var run = x.Root!;
        Assert.Equal("test-run", run.Name.LocalName);
        Assert.Equal(("5", "3", "1", "1", "Failed"), ((string)run.Attribute("total")!, (string)run.Attribute("passed")!, (string)run.Attribute("failed")!, (string)run.Attribute("skipped")!, (string)run.Attribute("result")!));
        var assembly = run.Element("test-suite")!;
        Assert.Equal("Assembly", (string)assembly.Attribute("type")!);
        var fixtures = assembly.Elements("test-suite").ToList();
        Assert.All(fixtures, f => Assert.Equal("TestFixture", (string)f.Attribute("type")!));
        var cases = run.Descendants("test-case").ToList();
        Assert.Equal(5, cases.Count);
        Assert.Equal(cases.Count, cases.Select(c => (string)c.Attribute("id")!).Distinct().Count());
        Assert.Equal(new[] { "Passed", "Failed", "Passed", "Skipped", "Passed" }, cases.Select(c => (string)c.Attribute("result")!));
        Assert.Contains(Nasty, cases[1].Element("failure")!.Element("message")!.Value);
        Assert.Equal("needs a lab", cases[3].Element("reason")!.Element("message")!.Value);
        Assert.Equal("1.5", (string)cases[1].Attribute("duration")!);
    }

    [Theory]
    [InlineData("r.html", LvsReportFormat.Html)]
    [InlineData("r.HTM", LvsReportFormat.Html)]
    [InlineData("r.xml", LvsReportFormat.JUnit)]
    public void The_format_follows_the_extension(string path, LvsReportFormat expected) =>
        Assert.Equal(expected, ReportFile.ResolveFormat(path, null));

    [Fact]
    public void An_unknown_extension_needs_the_format_and_a_given_format_wins()
    {
        Assert.Equal(LvsErrorIds.ReportFormatUnknown, Assert.Throws<LvsException>(() => ReportFile.ResolveFormat("r.txt", null)).ErrorId);
        Assert.Equal(LvsReportFormat.NUnit, ReportFile.ResolveFormat("r.xml", LvsReportFormat.NUnit));
    }

    [Fact]
    public void A_folder_a_missing_parent_and_an_existing_file_with_noclobber_are_refused_naming_the_path()
    {
        var dir = Directory.CreateTempSubdirectory("lvsps-report-").FullName;
        try
        {
            var e = Assert.Throws<LvsException>(() => ReportFile.Validate(dir, false));
            Assert.Equal(LvsErrorIds.ReportPathInvalid, e.ErrorId);
            Assert.Contains(dir, e.Message);
            var missing = Path.Combine(dir, "no", "r.html");
            e = Assert.Throws<LvsException>(() => ReportFile.Validate(missing, false));
            Assert.Equal(LvsErrorIds.ReportPathInvalid, e.ErrorId);
            Assert.Contains(Path.Combine(dir, "no"), e.Message);
            var file = Path.Combine(dir, "r.xml");
            ReportFile.Write(file, LvsReportFormat.JUnit, Sample());
            ReportFile.Validate(file, false);
            Assert.Equal(LvsErrorIds.ReportFileExists, Assert.Throws<LvsException>(() => ReportFile.Validate(file, true)).ErrorId);
            // Written without a BOM and parseable from disk; no temporary file left beside it.
            Assert.NotEqual(0xEF, File.ReadAllBytes(file)[0]);
            using (var reader = XmlReader.Create(file)) while (reader.Read()) { }
            Assert.Single(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }
}
