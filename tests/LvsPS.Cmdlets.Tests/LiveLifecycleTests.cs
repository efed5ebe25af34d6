using System.Diagnostics;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Start-/Stop-LvsDirector and a director's life: the -WhatIf command shell-quoted word for word, a bad state file
/// refused at once with lvsd's own StateFileInvalid, and a hung director (SIGSTOP) that Start refuses to twin and
/// Stop ends with signals. The directors here are this class's own, in a namespace of its own.
/// </summary>
public sealed class LiveLifecycleTests : CmdletTestBase
{
    private static string Shell(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    [Fact]
    public void StartLvsDirector_WhatIf_IsTheShellQuotedCommand_ThatAShellReadsBackWordForWord()
    {
        const string ns = "ns 1;$(touch /tmp/lvsps-whatif-injected)'\"";
        var line = Assert.Single(Run("Start-LvsDirector -Name d1 -Interface eth7 -NetworkNamespace $ns -WhatIf", ("ns", ns)).Ok().WhatIf);
        int at = line.IndexOf(": 'setsid' ", StringComparison.Ordinal);
        Assert.True(at > 0, line);
        Assert.EndsWith("\".", line);
        var command = line[(at + 2)..^2];
        var words = Shell("printf '%s\\n' " + command).TrimEnd('\n').Split('\n');
        var engine = Path.Combine(Hosting.LvsSession.RepositoryRoot, "out", "lvsd", "lvsd.dll");
        Assert.Equal(new[] { "setsid", "ip", "netns", "exec", ns }, words[..5]);
        Assert.EndsWith("dotnet", words[5]);
        Assert.Equal(new[] { engine, "run", "--name", "d1", "--interface", "eth7", "--table-bits", "12", "--namespace", ns }, words[6..]);
        Assert.False(File.Exists("/tmp/lvsps-whatif-injected"));
    }

    [RootFact]
    public void StartLvsDirector_ABadStateFile_IsStateFileInvalid_AtOnce_AndTheFileIsKept()
    {
        Directory.CreateDirectory(StateDir);
        var path = Path.Combine(StateDir, "bad1.json");
        const string content = "{\"version\":1,\"services\":[{\"address\":\"10.252.0.101\",\"port\":80,\"scheduler\":77}]}";
        File.WriteAllText(path, content);
        var clock = Stopwatch.StartNew();
        var r = Run("Start-LvsDirector -Name bad1 -Interface lvsnone0 -TimeoutSec 120");
        clock.Stop();
        var e = r.SingleError();
        AssertLvsError(e, "StateFileInvalid", ErrorCategory.ParserError, "bad1", "StartLvsDirectorCommand");
        Assert.NotNull(r.Terminating);
        Assert.Contains(path, e.Exception.Message);
        Assert.Contains("Unknown scheduler value 77", e.Exception.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"refused after {clock.Elapsed}");
        Assert.Equal(content, File.ReadAllText(path));
    }

    [RootFact]
    public void AHungDirector_StartRefusesNamingItsPid_AndStopEndsItWithSignals()
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        string name = "hung" + id, ns = "lvsct-h" + id;
        DirectorFixture.Ip("netns", "add", ns);
        int pid = 0;
        try
        {
            DirectorFixture.Ip("-n", ns, "link", "add", DirectorFixture.Interface, "type", "veth", "peer", "name", DirectorFixture.Peer);
            DirectorFixture.Ip("-n", ns, "link", "set", DirectorFixture.Interface, "up");
            DirectorFixture.Ip("-n", ns, "link", "set", DirectorFixture.Peer, "up");
            // Started through the launcher, not Start-LvsDirector, so this session's default director stays the
            // collection's (Start-LvsDirector makes the director it starts the default).
            var engine = Path.Combine(Hosting.LvsSession.RepositoryRoot, "out", "lvsd", "lvsd.dll");
            var started = Run("[LvsPS.Management.Lvsd.DirectorLauncher]::Start($n, $i, $ns, $e, 12, [TimeSpan]::FromSeconds(120), [NullString]::Value)",
                ("n", name), ("i", DirectorFixture.Interface), ("ns", ns), ("e", engine)).Ok().Output.Single().BaseObject;
            pid = (int)PSObject.AsPSObject(started).Properties["ProcessId"].Value;
            Shell($"kill -STOP {pid}");

            var again = Run("Start-LvsDirector -Name $n -Interface $i -NetworkNamespace $ns -TimeoutSec 120",
                ("n", name), ("i", DirectorFixture.Interface), ("ns", ns));
            var e = again.SingleError();
            AssertLvsError(e, "DirectorAlreadyRunning", ErrorCategory.ResourceExists, name, "StartLvsDirectorCommand");
            Assert.Contains($"lvsd pid {pid}", e.Exception.Message);
            Assert.Contains("does not answer", e.Exception.Message);

            var stop = Run("Stop-LvsDirector -Name $n -Confirm:$false -Verbose", ("n", name)).Ok();
            Assert.Contains(stop.Warnings, w => w.Message.Contains($"lvsd pid {pid}") && w.Message.Contains("does not answer"));
            Assert.Contains(stop.Warnings, w => w.Message.Contains("SIGKILL"));
            Assert.Contains(stop.Verbose, v => v.Message.Contains("Killed"));
            Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "));
            Assert.False(File.Exists(Path.Combine(RunDir, name + ".sock")));
        }
        finally
        {
            // Only the lvsd this test started (its pid, still running under this test's director name).
            if (pid > 0 && File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("\0" + name + "\0"))
                Shell($"kill -CONT {pid}; kill -KILL {pid}");
            try { DirectorFixture.Ip("netns", "del", ns); } catch (InvalidOperationException) { }
        }
    }
}
