using System.Diagnostics;
using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// Real lvsd processes started and stopped by the management library's launcher, each in a network namespace of the
/// test's own: one lvsd per director name (a lock held for its life), a hung director (SIGSTOP) that is neither
/// twinned nor lost, Stop escalating from the socket to SIGTERM and SIGKILL, Start failing at once with lvsd's own
/// message, and concurrent changes through the real control socket, each answered, saved and kept over a restart.
/// </summary>
[Collection(LvsdProcessCollection.Name)]
public sealed class LvsdLifecycleTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly LvsdSandbox _box = new();
    private readonly LvsdNamespace _ns = new();

    public void Dispose()
    {
        _box.Dispose();
        _ns.Dispose();
    }

    private DirectorStatus Start(string name) =>
        DirectorLauncher.Start(name, LvsdNamespace.Interface, _ns.Name, LvsdSandbox.EnginePath, timeout: StartTimeout);

    private static long Inode(string path)
    {
        var (code, output) = LvsdSandbox.Run("stat", "-c", "%i", path);
        Assert.Equal(0, code);
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void AHungDirector_IsNotTwinned_AndStopKillsIt()
    {
        var name = _box.NewName("hd");
        var first = Start(name);
        DirectorClient.Connect(name).AddService(States.Service(80));
        int pid = first.ProcessId;
        Assert.Equal(new[] { pid }, LvsdSandbox.LvsdPids(name));
        var socket = DirectorPaths.Socket(name);
        long socketInode = Inode(socket);
        try
        {
            LvsdSandbox.Signal(pid, "STOP");
            Assert.Equal('T', LvsdSandbox.WaitForState(pid, 'T', TimeSpan.FromSeconds(5)));
            Assert.False(DirectorClient.IsRunning(name));

            // Start refuses while the lock's holder lives, answering or not, and names it.
            var e = Assert.Throws<LvsException>(() => Start(name));
            Assert.Equal((LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists), (e.ErrorId, e.Kind));
            Assert.Contains($"pid {pid}", e.Message);
            Assert.Contains("does not answer", e.Message);

            // An lvsd run by hand under the same name refuses too, without touching the socket or the pid file.
            var (code, output) = LvsdSandbox.Run("ip", "netns", "exec", _ns.Name, DirectorLauncher.FindDotnet(), LvsdSandbox.EnginePath,
                "run", "--name", name, "--interface", LvsdNamespace.Interface);
            Assert.Equal(2, code);
            Assert.Contains("DirectorAlreadyRunning", output);
            Assert.Contains($"pid {pid}", output);
            Assert.Equal(new[] { pid }, LvsdSandbox.LvsdPids(name));
            Assert.Equal(socketInode, Inode(socket));
            Assert.Equal(pid, DirectorLauncher.ReadPid(name));

            // Stop: the socket does not answer, SIGTERM cannot act on a stopped process, SIGKILL ends it.
            var how = DirectorLauncher.Stop(name, TimeSpan.FromSeconds(3));
            Assert.Equal(DirectorStopMethod.Killed, how);
            Assert.True(LvsdSandbox.State(pid) is null or 'Z');
            Assert.Empty(LvsdSandbox.LvsdPids(name));
            Assert.False(File.Exists(socket));
            Assert.False(File.Exists(DirectorPaths.Pid(name)));
        }
        finally
        {
            if (LvsdSandbox.State(pid) is not null) LvsdSandbox.Signal(pid, "CONT");
        }

        // The name is free again, and the configuration comes back.
        var again = Start(name);
        Assert.NotEqual(pid, again.ProcessId);
        Assert.Equal(1, again.ServiceCount);
        Assert.Equal(DirectorStopMethod.ShutDown, DirectorLauncher.Stop(name));
    }

    [Fact]
    public void Stop_AsksOverTheSocketFirst_AndRemovesTheSocketAndPidFile()
    {
        var name = _box.NewName("st");
        var status = Start(name);
        Assert.Equal(DirectorStopMethod.ShutDown, DirectorLauncher.Stop(name));
        Assert.Empty(LvsdSandbox.LvsdPids(name));
        Assert.False(File.Exists(DirectorPaths.Socket(name)));
        Assert.False(File.Exists(DirectorPaths.Pid(name)));
        // A clean stop: lvsd logged its own way out.
        Assert.Contains("stopping", File.ReadAllText(DirectorPaths.Log(name)));
        Assert.Contains($"lvsd[{status.ProcessId}] exited with code 0", File.ReadAllText(DirectorPaths.Log(name)));
        var e = Assert.Throws<LvsException>(() => DirectorLauncher.Stop(name));
        Assert.Equal(LvsErrorIds.DirectorNotRunning, e.ErrorId);
    }

    [Fact]
    public void Forget_KeepsALiveDirectorsLock_AndRemovesAFreeOne_AndTheNameStartsAgain()
    {
        var name = _box.NewName("fg");
        var first = Start(name);
        var lockFile = DirectorPaths.Lock(name);
        DirectorLauncher.Forget(name);
        // The holder lives: its lock file stays, and the name is still taken.
        Assert.True(File.Exists(lockFile));
        Assert.Equal(first.ProcessId, DirectorLauncher.LockHolder(name));
        Assert.Equal((LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists),
            Assert.Throws<LvsException>(() => Start(name)) is var e ? (e.ErrorId, e.Kind) : default);
        DirectorLauncher.Stop(name);
        DirectorLauncher.Forget(name);
        // Stopped and forgotten: nothing of the director is left in the run folder.
        Assert.False(File.Exists(lockFile));
        Assert.Empty(Directory.GetFiles(DirectorPaths.RunDirectory, name + ".*"));
        var second = Start(name);
        Assert.True(File.Exists(lockFile));
        Assert.Equal(second.ProcessId, DirectorLauncher.LockHolder(name));
        DirectorLauncher.Stop(name);
    }

    [Fact]
    public void AnLvsdThatExitsAtStart_FailsTheStartAtOnce_WithItsOwnMessage()
    {
        var name = _box.NewName("ee");
        File.WriteAllText(DirectorPaths.State(name), States.Good());
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<LvsException>(() => DirectorLauncher.Start(name, "lvsnone0", _ns.Name, LvsdSandbox.EnginePath, timeout: StartTimeout));
        clock.Stop();
        Assert.True(e.ErrorId == LvsErrorIds.InterfaceNotAvailable, $"{e.ErrorId}: {e.Message}");
        Assert.Contains("'lvsnone0'", e.Message);
        Assert.Contains("exited with code 2", e.Message);
        Assert.True(clock.Elapsed < StartTimeout / 2, $"failed after {clock.Elapsed}");
        Assert.Empty(LvsdSandbox.LvsdPids(name));
        Assert.Equal(States.Good(), File.ReadAllText(DirectorPaths.State(name)));
    }

    [Fact]
    public void FortyConcurrentAdds_AreEachAnswered_AllSaved_AndKeptOverARestart()
    {
        var name = _box.NewName("ca");
        Start(name);
        const int n = 40;
        var results = new string?[n];
        using (var go = new ManualResetEventSlim())
        {
            var threads = Enumerable.Range(0, n).Select(i => new Thread(() =>
            {
                go.Wait();
                try
                {
                    DirectorClient.Connect(name, TimeSpan.FromSeconds(60)).AddService(States.Service((ushort)(1000 + i)));
                    results[i] = "ok";
                }
                catch (LvsException e) { results[i] = $"{e.ErrorId}: {e.Message}"; }
            })).ToList();
            threads.ForEach(t => t.Start());
            go.Set();
            threads.ForEach(t => t.Join());
        }
        Assert.All(results, r => Assert.Equal("ok", r));

        var ports = Enumerable.Range(1000, n).ToList();
        var saved = DirectorJson.Deserialize<DirectorState>(File.ReadAllText(DirectorPaths.State(name)))!;
        Assert.Equal(DirectorState.CurrentVersion, saved.Version);
        Assert.Equal(ports, saved.Services.Select(s => (int)s.Port).Order());
        // The copy before the last change is kept, one service short; no temporary file is left.
        var bak = DirectorJson.Deserialize<DirectorState>(File.ReadAllText(DirectorPaths.State(name) + ".bak"))!;
        Assert.Equal(n - 1, bak.Services.Count);
        Assert.Empty(Directory.GetFiles(_box.StateDir, "*.tmp"));

        Assert.Equal(DirectorStopMethod.ShutDown, DirectorLauncher.Stop(name));
        var restarted = Start(name);
        Assert.Equal(n, restarted.ServiceCount);
        Assert.Equal(ports, DirectorClient.Connect(name).ListServices().Select(s => (int)s.Port).Order());
        DirectorLauncher.Stop(name);
    }

    [Fact]
    public void ASaveThatFails_IsLogged_AndTheNextChangeSavesEverything()
    {
        var name = _box.NewName("sv");
        Start(name);
        var d = DirectorClient.Connect(name);
        d.AddService(States.Service(80));
        var path = DirectorPaths.State(name);
        // The state file replaced by a directory: the rename onto it fails.
        File.Delete(path);
        Directory.CreateDirectory(path);
        d.AddService(States.Service(81));
        Assert.Equal(2, d.ListServices().Count);
        Assert.Contains("NOT SAVED", File.ReadAllText(DirectorPaths.Log(name)));
        Directory.Delete(path);
        d.AddService(States.Service(82));
        var saved = DirectorJson.Deserialize<DirectorState>(File.ReadAllText(path))!;
        Assert.Equal(new[] { 80, 81, 82 }, saved.Services.Select(s => (int)s.Port).Order());
        DirectorLauncher.Stop(name);
    }
}
