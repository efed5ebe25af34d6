using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace LvsPS.Management.Tests.Config;

/// <summary>
/// The corpus of real keepalived.conf files (../shared/corpus/keepalived beside the repository, never copied into
/// it): every file keepalived -t accepts imports; every export of an import passes keepalived -t without a complaint
/// (checkers intact) and imports back as the same services with the same checkers.
/// </summary>
public sealed class KeepalivedCorpusTests
{
    private readonly ITestOutputHelper _out;

    public KeepalivedCorpusTests(ITestOutputHelper output) => _out = output;

    /// <summary>The corpus folder: from the test assembly up to the folder holding LvsPS.sln, then ../shared/corpus/keepalived.</summary>
    internal static string CorpusFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LvsPS.sln")))
            {
                string corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus", "keepalived"));
                Assert.True(Directory.Exists(corpus), $"the keepalived corpus is not at {corpus} (../shared/corpus/keepalived beside the repository)");
                return corpus;
            }
        }
        throw new InvalidOperationException($"no LvsPS.sln above {AppContext.BaseDirectory}");
    }

    private const string IPv6Notice = "an IPv6 service; the LvsPS engine refuses IPv6 services when they are added, a kernel director takes them";

    private sealed record Outcome(string File, KeepalivedTool.Result? Original, KeepalivedConfiguration? Import, string? ImportError,
        string? Export, string? ExportError, KeepalivedTool.Result? Exported, string? RoundTripError);

    [Fact]
    public void CorpusImportsExportsAndRoundTrips()
    {
        var files = Directory.GetFiles(CorpusFolder(), "*.conf").OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 100, $"only {files.Count} files in the corpus");
        bool ka = KeepalivedTool.Available;
        var tmp = Directory.CreateTempSubdirectory("lvsps-ka-export-");
        var outcomes = new ConcurrentBag<Outcome>();
        try
        {
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) }, file =>
            {
                var original = ka ? KeepalivedTool.Test(file) : null;
                KeepalivedConfiguration conf;
                try
                {
                    conf = KeepalivedConfParser.Parse(File.ReadAllText(file), file, null, Services);
                }
                catch (LvsException e)
                {
                    outcomes.Add(new Outcome(file, original, null, e.Message, null, null, null, null));
                    return;
                }
                string text;
                try
                {
                    text = ConfigurationWriter.WriteKeepalived(conf.ToServiceSpecs());
                }
                catch (LvsException e)
                {
                    outcomes.Add(new Outcome(file, original, conf, null, null, e.Message, null, null));
                    return;
                }
                string exported = Path.Combine(tmp.FullName, Path.GetFileName(file));
                File.WriteAllText(exported, text);
                var exportedCheck = ka ? KeepalivedTool.Test(exported) : null;
                string? roundTrip = null;
                try
                {
                    var back = KeepalivedConfParser.Parse(text, exported, null, Services);
                    // the only remarks on a written file: IPv6 services (which lvsd refuses), a file left without services
                    var remarks = back.Warnings.Where(w => !w.EndsWith(IPv6Notice, StringComparison.Ordinal) && !w.EndsWith(": no virtual_server block", StringComparison.Ordinal)).ToList();
                    if (remarks.Count > 0)
                        roundTrip = "re-import warns: " + string.Join(" | ", remarks);
                    else if (ConfigurationWriter.WriteKeepalived(back.ToServiceSpecs()) != text)
                        roundTrip = "the re-import writes another text";
                    else if (Canon(conf.ToLvsServices()) != Canon(back.ToLvsServices()))
                        roundTrip = "the re-import has other services";
                    else if (conf.HealthChecks.Count(h => h.Spec is not null) != back.HealthChecks.Count)
                        roundTrip = $"{conf.HealthChecks.Count(h => h.Spec is not null)} checkers imported, {back.HealthChecks.Count} back";
                }
                catch (LvsException e)
                {
                    roundTrip = "re-import fails: " + e.Message;
                }
                outcomes.Add(new Outcome(file, original, conf, null, text, null, exportedCheck, roundTrip));
            });
        }
        finally
        {
            tmp.Delete(true);
        }

        var all = outcomes.OrderBy(o => o.File, StringComparer.Ordinal).ToList();
        var imported = all.Where(o => o.Import is not null).ToList();
        // without keepalived (not installed) there is no verdict to compare with: only the other checks run
        var accepted = all.Where(o => o.Original?.Accepted ?? false).ToList();
        if (!ka)
            _out.WriteLine($"{KeepalivedTool.Program} is not installed: keepalived -t is not asked (./build.sh setup installs it)");
        var acceptedNotImported = accepted.Where(o => o.Import is null).Select(o => $"{Path.GetFileName(o.File)}: {o.ImportError}").ToList();
        var exportFailed = imported.Where(o => o.Export is null).Select(o => $"{Path.GetFileName(o.File)}: {o.ExportError}").ToList();
        var exportRejected = imported.Where(o => o.Exported is { Clean: false }).Select(o => $"{Path.GetFileName(o.File)}: {o.Exported}").ToList();
        var roundTrip = imported.Where(o => o.RoundTripError is not null).Select(o => $"{Path.GetFileName(o.File)}: {o.RoundTripError}").ToList();
        int checkers = imported.Sum(o => o.Import!.HealthChecks.Count(h => h.Spec is not null));
        int others = imported.Sum(o => o.Import!.HealthChecks.Count(h => h.Spec is null));
        int services = imported.Sum(o => o.Import!.Services.Count);

        _out.WriteLine($"{all.Count} corpus files; keepalived -t {(ka ? $"accepts {accepted.Count} (exit 0: {all.Count(o => o.Original!.ExitCode == 0)}, 5: {all.Count(o => o.Original!.ExitCode == 5)}, 6: {all.Count(o => o.Original!.ExitCode == 6)})" : "not installed")}");
        _out.WriteLine($"imported {imported.Count} ({accepted.Count - acceptedNotImported.Count} of the accepted), {services} services, {checkers} checkers kept, {others} checker blocks not imported, each with a warning (a type LvsPS does not run, or one keepalived drops)");
        _out.WriteLine($"exported {imported.Count - exportFailed.Count}; keepalived -t clean on {(ka ? imported.Count(o => o.Exported is { Clean: true }).ToString() : "(not installed)")}; round trips equal {imported.Count - roundTrip.Count}");
        foreach (var line in acceptedNotImported.Concat(exportFailed).Concat(exportRejected).Concat(roundTrip))
            _out.WriteLine("  " + line);

        Assert.True(acceptedNotImported.Count == 0, "accepted by keepalived -t but not imported:\n" + string.Join("\n", acceptedNotImported));
        Assert.True(exportFailed.Count == 0, "not exported:\n" + string.Join("\n", exportFailed));
        Assert.True(exportRejected.Count == 0, "the export does not pass keepalived -t cleanly:\n" + string.Join("\n", exportRejected));
        Assert.True(roundTrip.Count == 0, "import -> export -> import differs:\n" + string.Join("\n", roundTrip));
        Assert.True(checkers >= 1000, $"only {checkers} checkers kept"); // the corpus has ~2000 TCP_CHECK/HTTP_GET/SSL_GET/MISC_CHECK blocks
        Assert.True(imported.Count >= 120, $"only {imported.Count} files imported");

        // every checker not imported (a type LvsPS does not run, or one keepalived drops) is named in a warning with its file and line
        foreach (var o in imported)
            foreach (var h in o.Import!.HealthChecks.Where(h => h.Spec is null))
                Assert.Contains(o.Import.Warnings, w => w.StartsWith($"{h.File}:{h.Line}: {h.Name} ", StringComparison.Ordinal));
    }
}
