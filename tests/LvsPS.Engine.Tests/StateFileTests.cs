using System.Diagnostics;
using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The state file against a real lvsd started by the management library's launcher: every corrupt or wrong file is
/// refused before anything is applied (StateFileInvalid, naming the file and the problem), at once and not after the
/// start timeout, and the file is left exactly as it was. The interface given does not exist: a refused file must
/// stop lvsd before it opens any interface (an lvsd that got that far would fail with InterfaceNotAvailable instead).
/// </summary>
[Collection(LvsdProcessCollection.Name)]
public sealed class StateFileTests : IDisposable
{
    private const string NoSuchInterface = "lvsnone0";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly LvsdSandbox _box = new();

    public void Dispose() => _box.Dispose();

    private static string With(string from, string to)
    {
        var good = States.Good();
        Assert.Contains(from, good);
        int i = good.IndexOf(from, StringComparison.Ordinal);
        return good[..i] + to + good[(i + from.Length)..];
    }

    /// <summary>(variant, file content as Latin-1 bytes, what the refusal must say).</summary>
    public static TheoryData<string, string, string> Variants()
    {
        var good = States.Good();
        return new TheoryData<string, string, string>
        {
            // Not JSON, or not a director state at all: lvsd crashed with a stack trace on these.
            { "empty file", "", "is empty" },
            { "only white space", " \n\t\n", "is empty" },
            { "truncated JSON", good[..(good.Length / 2)], "is not valid JSON" },
            { "garbage bytes", "\u00ff\u00fe\u0000garbage", "is not valid JSON" },
            { "trailing garbage", good + " }{", "is not valid JSON" },
            { "an array", "[]", "not a JSON object" },
            { "a number", "42", "not a JSON object" },
            { "wrong type: services is a string", "{\"version\":1,\"services\":\"web\"}", "$.services" },
            { "wrong type: port is a string", With("\"port\":80", "\"port\":\"eighty\""), "$.services[0].port" },
            { "wrong type: real servers is a string", With("\"realServers\":[", "\"realServers\":\"rs1\",\"x\":["), "$.services[0].realServers" },
            { "not an IP address", With("\"address\":\"10.252.0.101\"", "\"address\":\"not-an-ip\""), "not-an-ip" },
            { "a negative port", With("\"port\":80", "\"port\":-1"), "$.services[0].port" },
            // The format version.
            { "no version", With("\"version\":1,", ""), "no format version" },
            { "version is a string", With("\"version\":1", "\"version\":\"1\""), "format version" },
            { "a future version", With("\"version\":1", "\"version\":99"), "format version 99" },
            { "version 0", With("\"version\":1", "\"version\":0"), "format version 0" },
            // Parseable but wrong: these started with services silently dropped.
            { "null", "null", "holds null" },
            { "scheduler 77", With("\"scheduler\":\"Wlc\"", "\"scheduler\":77"), "Unknown scheduler value 77" },
            // Port 0 is taken only by a persistent service (ipvsadm: Zero port specified for non-persistent service).
            { "a port-0 service", With("\"port\":80", "\"port\":0"), "is taken only by a persistent service" },
            { "services is null", "{\"version\":1,\"services\":null}", "'services' is null" },
            { "a null service", "{\"version\":1,\"services\":[null]}", "service 1 is null" },
            { "the same service twice", With("\"services\":[", "\"services\":[" + FirstService(good) + ","), "ServiceExists" },
            { "an IPv6 service", With("\"address\":\"10.252.0.101\"", "\"address\":\"2001:db8::1\"").Replace("\"10.252.0.3\"", "\"2001:db8::3\""), "IPv4 only" },
            { "a negative weight", With("\"weight\":2", "\"weight\":-5"), "The weight -5 is out of range" },
            { "a mark rule with host bits", With("\"address\":\"10.252.0.0\"", "\"address\":\"10.252.0.9\""), "host bits" },
            { "a negative timeout", With("\"tcp\":900", "\"tcp\":-1"), "tcp timeout -1" },
            { "an unknown property", With("\"services\":", "\"servics\":"), "servics" },
            { "a duplicate property", With("\"version\":1", "\"version\":1,\"version\":1"), "version" },
        };
    }

    private static string FirstService(string good)
    {
        var state = DirectorJson.Deserialize<DirectorState>(good)!;
        return DirectorJson.Serialize(state.Services[0]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ABadStateFile_IsRefusedAtOnce_NamingTheFileAndTheProblem_AndLeftAsItWas(string variant, string content, string problem)
    {
        var name = _box.NewName("sf");
        var path = DirectorPaths.State(name);
        var bytes = States.Bytes(content);
        File.WriteAllBytes(path, bytes);

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<LvsException>(() => DirectorLauncher.Start(name, NoSuchInterface, null, LvsdSandbox.EnginePath, timeout: StartTimeout));
        clock.Stop();

        Assert.True(e.ErrorId == LvsErrorIds.StateFileInvalid, $"{variant}: {e.ErrorId}: {e.Message}\n{_box.LogTail(name)}");
        Assert.Equal(LvsErrorKind.ParserError, e.Kind);
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
        // lvsd's own refusal, as soon as it exited: not the launcher giving up after the start timeout.
        Assert.True(clock.Elapsed < StartTimeout / 2, $"{variant}: refused after {clock.Elapsed}");
        Assert.Contains("exited with code 2", e.Message);
        // The file is the admin's to fix: untouched, no copy made of it, no director left behind.
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".bak"));
        Assert.Empty(LvsdSandbox.LvsdPids(name));
        Assert.False(File.Exists(DirectorPaths.Socket(name)));
        Assert.False(File.Exists(DirectorPaths.Pid(name)));
    }

    [Fact]
    public void AGoodStateFile_GetsPastTheStateFile_ToTheInterface()
    {
        // The same start with the valid file the variants are made from: lvsd reads it, then refuses the interface,
        // so the variants above are refused for their content and nothing else.
        var name = _box.NewName("sf");
        File.WriteAllText(DirectorPaths.State(name), States.Good());
        var e = Assert.Throws<LvsException>(() => DirectorLauncher.Start(name, NoSuchInterface, null, LvsdSandbox.EnginePath, timeout: StartTimeout));
        Assert.True(e.ErrorId == LvsErrorIds.InterfaceNotAvailable, $"{e.ErrorId}: {e.Message}");
        Assert.Contains(NoSuchInterface, e.Message);
        Assert.Equal(States.Good(), File.ReadAllText(DirectorPaths.State(name)));
    }
}
