using System.Net;
using LvsPS.Engine.DataPath;
using LvsPS.Engine.Host;
using LvsPS.Engine.IO;
using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The kernel-copy filter (lvsd drops the director kernel's copy of VIP frames at tc ingress): the cBPF program's
/// shape, and real lvsd processes in a namespace of the test's own, read back with the real tc: the filter follows the
/// VIPs, leaves an admin's qdisc and filters alone, takes over a killed lvsd's filter, steps aside for another
/// filter at its preference and for a VIP the kernel holds, and --kernel-copy keep adds nothing. The packets
/// themselves (the kernel sees none, lvsd still forwards) are shown in tests/pester/KernelCopy.Tests.ps1.
/// </summary>
[Collection(LvsdProcessCollection.Name)]
public sealed class KernelCopyFilterTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private const string Vip = "10.252.0.101", Vip2 = "10.252.0.102";
    private readonly LvsdSandbox _box = new();
    private readonly LvsdNamespace _ns = new();

    public void Dispose()
    {
        _box.Dispose();
        _ns.Dispose();
    }

    private DirectorStatus Start(string name, LvsKernelCopy mode = LvsKernelCopy.Drop) =>
        DirectorLauncher.Start(name, LvsdNamespace.Interface, _ns.Name, LvsdSandbox.EnginePath, timeout: StartTimeout, kernelCopy: mode);

    private string Tc(params string[] args)
    {
        var (code, output) = LvsdSandbox.Run("ip", new[] { "netns", "exec", _ns.Name, "tc" }.Concat(args).ToArray());
        Assert.True(code == 0, $"tc {string.Join(' ', args)}: {output}");
        return output;
    }

    private string Qdisc() => Tc("qdisc", "show", "dev", LvsdNamespace.Interface, "ingress");
    private string Filters() => Tc("filter", "show", "dev", LvsdNamespace.Interface, "ingress");
    private static uint Be(string a) => Frames.ToUInt32(IPAddress.Parse(a));

    /// <summary>The filter's program as tc lists it, once the posted VIP set has been applied (its own thread).</summary>
    private string WaitForProgram(Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string f;
        while (!done(f = Filters()) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        return f;
    }

    [Fact]
    public void Bytecode_JumpsEachVipToTheDrop_AndEverythingElseOn()
    {
        var text = KernelCopyFilter.BuildBytecode(new[] { Be(Vip), Be(Vip2) });
        var parts = text.Split(',');
        Assert.Equal("6", parts[0]);
        Assert.Equal(6, parts.Length - 1);
        Assert.Equal($"0 0 0 {KernelCopyFilter.Marker}", parts[1]);
        Assert.Equal("32 0 0 30", parts[2]);
        // jeq: the first skips the second jeq and "ret unspec" (2), the second only "ret unspec" (1)
        Assert.Equal($"21 2 0 {Be(Vip)}", parts[3]);
        Assert.Equal($"21 1 0 {Be(Vip2)}", parts[4]);
        Assert.Equal("6 0 0 4294967295", parts[5]);
        Assert.Equal("6 0 0 2", parts[6]);
        Assert.True(KernelCopyFilter.IsOurs($"filter protocol ip pref 49152 bpf chain 0 handle 0x1 direct-action not_in_hw bytecode '{text}'"));
        Assert.False(KernelCopyFilter.IsOurs("filter protocol ip pref 49152 bpf chain 0 handle 0x1 direct-action bytecode '4,32 0 0 30,21 0 1 1,6 0 0 2,6 0 0 0'"));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelCopyFilter.BuildBytecode(Array.Empty<uint>()));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            KernelCopyFilter.BuildBytecode(Enumerable.Range(1, KernelCopyFilter.MaxAddresses + 1).Select(i => (uint)i).ToArray()));
    }

    [Fact]
    public void Partition_KeepsTheVipsTheKernelHolds()
    {
        var (drop, held) = KernelCopyFilter.Partition(new[] { Be(Vip), Be(Vip2), Be(Vip) }, new HashSet<uint> { Be(Vip2) });
        Assert.Equal(new[] { Be(Vip) }, drop);
        Assert.Equal(new[] { Be(Vip2) }, held);
    }

    [Theory]
    [InlineData(null, LvsKernelCopy.Drop)]
    [InlineData("drop", LvsKernelCopy.Drop)]
    [InlineData(" Keep ", LvsKernelCopy.Keep)]
    public void KernelCopyOption_IsParsed(string? text, LvsKernelCopy expected) => Assert.Equal(expected, Program.ParseKernelCopy(text));

    [Fact]
    public void KernelCopyOption_RefusesOtherValues_NamingThem()
    {
        var e = Assert.Throws<LvsException>(() => Program.ParseKernelCopy("sometimes"));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
        Assert.Contains("'sometimes'", e.Message);
    }

    [Fact]
    public void TheFilter_FollowsTheVips_AndGoesWithLvsd_TogetherWithTheQdiscItAdded()
    {
        var name = _box.NewName("kc");
        Assert.DoesNotContain("ingress", Qdisc());
        var status = Start(name);
        Assert.Contains("qdisc ingress", Qdisc());
        Assert.Equal(LvsKernelCopy.Keep, status.KernelCopy);   // no VIP yet
        Assert.Equal("kept: no VIP yet", status.KernelCopyNote);
        Assert.Equal("", Filters().Trim());

        var client = DirectorClient.Connect(name);
        client.AddService(States.Service(80));
        var listing = WaitForProgram(f => f.Contains($"21 0 0 {Be(Vip)}", StringComparison.Ordinal));
        Assert.Contains($"pref {KernelCopyFilter.Preference} bpf", listing);
        Assert.Contains("direct-action", listing);
        Assert.Contains($"'{KernelCopyFilter.BuildBytecode(new[] { Be(Vip) })}'", listing);
        var s = client.GetStatus();
        Assert.Equal((LvsKernelCopy.Drop, null), (s.KernelCopy, s.KernelCopyNote));

        // A second VIP: the program is replaced, still one filter.
        client.AddService(States.Service(443, vip: Vip2));
        listing = WaitForProgram(f => f.Contains(Be(Vip2).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Contains($"'{KernelCopyFilter.BuildBytecode(new[] { Be(Vip), Be(Vip2) })}'", listing);
        Assert.Single(listing.Split('\n'), l => l.Contains("handle 0x1", StringComparison.Ordinal));

        // No service left: no filter, the qdisc stays until lvsd goes.
        client.DeleteService(States.Service(80));
        client.DeleteService(States.Service(443, vip: Vip2));
        Assert.Equal("", WaitForProgram(f => f.Trim().Length == 0).Trim());
        client.AddService(States.Service(80));
        WaitForProgram(f => f.Contains("bytecode", StringComparison.Ordinal));

        Assert.Equal(DirectorStopMethod.ShutDown, DirectorLauncher.Stop(name));
        Assert.Equal("", Filters().Trim());
        Assert.Equal("", Qdisc().Trim());
    }

    [Fact]
    public void AnAdminsQdiscAndFilter_AreLeftAsTheyWere()
    {
        Tc("qdisc", "add", "dev", LvsdNamespace.Interface, "ingress");
        // the admin's own filter at another preference: drops frames to 10.252.0.250
        Tc("filter", "add", "dev", LvsdNamespace.Interface, "ingress", "pref", "10", "protocol", "ip", "bpf", "da", "bytecode",
            $"4,32 0 0 30,21 0 1 {Be("10.252.0.250")},6 0 0 2,6 0 0 4294967295");
        var before = Filters();
        var name = _box.NewName("ka");
        Start(name);
        DirectorClient.Connect(name).AddService(States.Service(80));
        var listing = WaitForProgram(f => f.Contains($"pref {KernelCopyFilter.Preference} ", StringComparison.Ordinal) && f.Contains("handle 0x1", StringComparison.Ordinal)
            && f.Split('\n').Count(l => l.Contains("handle 0x1", StringComparison.Ordinal)) == 2);
        Assert.Contains("pref 10 bpf", listing);
        DirectorLauncher.Stop(name);
        Assert.Equal(before, Filters());
        Assert.Contains("qdisc ingress", Qdisc());
    }

    [Fact]
    public void AnotherFilterAtItsPreference_IsLeftAlone_AndTheCopyKept()
    {
        Tc("qdisc", "add", "dev", LvsdNamespace.Interface, "ingress");
        Tc("filter", "add", "dev", LvsdNamespace.Interface, "ingress", "pref", KernelCopyFilter.Preference.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "protocol", "ip", "bpf", "da", "bytecode", "1,6 0 0 4294967295");
        var before = Filters();
        var name = _box.NewName("ko");
        Start(name);
        var client = DirectorClient.Connect(name);
        client.AddService(States.Service(80));
        Thread.Sleep(500);
        var s = client.GetStatus();
        Assert.Equal(LvsKernelCopy.Keep, s.KernelCopy);
        Assert.Contains($"another filter holds tc preference {KernelCopyFilter.Preference}", s.KernelCopyNote);
        Assert.Equal(before, Filters());
        DirectorLauncher.Stop(name);
        Assert.Equal(before, Filters());
    }

    /// <summary>kill -9, then wait until its lock is free (the last of its threads gone, not only the leader a zombie).</summary>
    private static void Kill(string name, int pid)
    {
        LvsdSandbox.Signal(pid, "KILL");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DirectorLauncher.LockHolder(name) is not null && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Null(DirectorLauncher.LockHolder(name));
    }

    [Fact]
    public void AKilledLvsdsFilter_IsReplaced_ThenRemovedWithItsQdisc_AndKeepRemovesItToo()
    {
        var name = _box.NewName("kk");
        var first = Start(name);
        DirectorClient.Connect(name).AddService(States.Service(80));
        WaitForProgram(f => f.Contains("bytecode", StringComparison.Ordinal));
        Kill(name, first.ProcessId);
        Assert.Contains("bytecode", Filters());   // left behind by the kill

        // Restarted: the service comes back from the state, the stale filter is replaced (one filter), and on a
        // clean stop removed with the qdisc, which was lvsd's.
        var second = Start(name);
        var listing = WaitForProgram(f => f.Contains($"'{KernelCopyFilter.BuildBytecode(new[] { Be(Vip) })}'", StringComparison.Ordinal));
        Assert.Single(listing.Split('\n'), l => l.Contains("handle 0x1", StringComparison.Ordinal));
        Assert.Equal(LvsKernelCopy.Drop, DirectorClient.Connect(name).GetStatus().KernelCopy);
        Kill(name, second.ProcessId);

        // Started with Keep after a kill: the stale filter goes at once, nothing is added, and the qdisc goes at the stop.
        var third = Start(name, LvsKernelCopy.Keep);
        Assert.Equal(LvsKernelCopy.Keep, third.KernelCopy);
        Assert.Equal("kept (--kernel-copy keep)", third.KernelCopyNote);
        Assert.Equal("", Filters().Trim());
        DirectorLauncher.Stop(name);
        Assert.Equal("", Qdisc().Trim());
    }

    [Fact]
    public void AStaleFilter_IsRemovedAtStart_EvenWithNoVipToDrop()
    {
        // what a killed lvsd leaves: its qdisc and its program (signature first) for a VIP this lvsd does not have
        Tc("qdisc", "add", "dev", LvsdNamespace.Interface, "ingress");
        Tc("filter", "add", "dev", LvsdNamespace.Interface, "ingress", "pref", KernelCopyFilter.Preference.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "handle", "1", "protocol", "ip", "bpf", "da", "bytecode", KernelCopyFilter.BuildBytecode(new[] { Be("10.252.0.250") }));
        var name = _box.NewName("ks");
        var status = Start(name);
        Assert.Equal("", Filters().Trim());
        Assert.Equal((LvsKernelCopy.Keep, "kept: no VIP yet"), (status.KernelCopy, status.KernelCopyNote));
        DirectorLauncher.Stop(name);
        Assert.Equal("", Qdisc().Trim());   // the stale filter was its only one: the qdisc was lvsd's
    }

    [Fact]
    public void Keep_AddsNoQdisc()
    {
        var name = _box.NewName("kn");
        Start(name, LvsKernelCopy.Keep);
        DirectorClient.Connect(name).AddService(States.Service(80));
        Thread.Sleep(500);
        Assert.Equal("", Qdisc().Trim());
        Assert.Equal(LvsKernelCopy.Keep, DirectorClient.Connect(name).GetStatus().KernelCopy);
        DirectorLauncher.Stop(name);
    }

    [Fact]
    public void AVipTheKernelHolds_KeepsItsCopy_AndIsNamed_AlsoWhenAddedByHandLater()
    {
        LvsdSandbox.Check("ip", "-n", _ns.Name, "addr", "add", Vip2 + "/32", "dev", "lo");
        var name = _box.NewName("kh");
        Start(name);
        var client = DirectorClient.Connect(name);
        client.AddService(States.Service(80));
        client.AddService(States.Service(443, vip: Vip2));
        string onlyVip = $"'{KernelCopyFilter.BuildBytecode(new[] { Be(Vip) })}'", both = $"'{KernelCopyFilter.BuildBytecode(new[] { Be(Vip), Be(Vip2) })}'";
        Assert.Contains(onlyVip, WaitForProgram(f => f.Contains(onlyVip, StringComparison.Ordinal)));
        Thread.Sleep(300);
        Assert.Contains(onlyVip, Filters());
        var s = client.GetStatus();
        Assert.Equal(LvsKernelCopy.Drop, s.KernelCopy);
        Assert.Equal($"kept for {Vip2}: held by the kernel", s.KernelCopyNote);

        // Taken off the kernel by hand: its copy is dropped too at the next check; put back: kept again.
        LvsdSandbox.Check("ip", "-n", _ns.Name, "addr", "del", Vip2 + "/32", "dev", "lo");
        Assert.Contains(both, WaitForProgram(f => f.Contains(both, StringComparison.Ordinal)));
        Assert.Null(client.GetStatus().KernelCopyNote);
        LvsdSandbox.Check("ip", "-n", _ns.Name, "addr", "add", Vip2 + "/32", "dev", "lo");
        Assert.Contains(onlyVip, WaitForProgram(f => f.Contains(onlyVip, StringComparison.Ordinal)));
        DirectorLauncher.Stop(name);
    }
}
