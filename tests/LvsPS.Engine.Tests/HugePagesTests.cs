using System.Runtime.InteropServices;
using LvsPS.Engine.Host;
using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// lvsd's managed heap on transparent huge pages (Host/HugePages.cs): the THP mode and /proc/PID/maps parsed, the
/// heap's run found among the mappings, --huge-pages refused when it is neither auto nor off, and the real advice read
/// back from the kernel (VmFlags "hg" in /proc/PID/smaps), in this process and in real lvsd processes started with
/// auto and with off, which also report it in their status (Get-LvsDirector's HugePages). Where the kernel has THP
/// "never" (or none), auto must advise nothing, and that is asserted.
/// </summary>
[Collection(LvsdProcessCollection.Name)]
public sealed class HugePagesTests : IDisposable
{
    private readonly LvsdSandbox _box = new();
    private readonly LvsdNamespace _ns = new();

    public void Dispose()
    {
        _box.Dispose();
        _ns.Dispose();
    }

    private static bool ThpUsable => HugePages.SystemMode() is "always" or "madvise";

    [Theory]
    [InlineData("always [madvise] never\n", "madvise")]
    [InlineData("[always] madvise never", "always")]
    [InlineData("always madvise [never]", "never")]
    [InlineData("always madvise never", null)]
    [InlineData("[]", null)]
    public void TheMode_IsTheBracketedWord(string text, string? mode) => Assert.Equal(mode, HugePages.ParseMode(text));

    private const string Maps =
        "55d0a000-55d0b000 r-xp 00000000 08:01 1234 /usr/bin/dotnet\n" +
        "7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n" +
        "7f0000400000-7f0040000000 ---p 00000000 00:00 0\n" +
        "7f0040000000-7f0040200000 rw-p 00000000 00:00 0\n" +
        "7f0040200000-7f0040300000 r--p 00000000 08:01 99 /usr/lib/libc.so.6\n" +
        "7f0040300000-7f0040400000 rw-p 00000000 00:00 0\n" +
        "7f0040500000-7f0040600000 rw-p 00000000 00:00 0\n" +
        "7ffc0000000-7ffc0021000 rw-p 00000000 00:00 0 [stack]\n";

    [Fact]
    public void Maps_AreParsed_AnonymousAndWritableTold()
    {
        var m = HugePages.ParseMaps(Maps);
        Assert.Equal(8, m.Count);
        Assert.Equal(new HugePages.Mapping(0x55d0a000, 0x55d0b000, false, false), m[0]);
        Assert.Equal(new HugePages.Mapping(0x7f0000000000, 0x7f0000400000, true, true), m[1]);   // a trailing space
        Assert.Equal(new HugePages.Mapping(0x7f0000400000, 0x7f0040000000, true, false), m[2]);  // reserved, no path
        Assert.False(m[7].Anonymous);                                                              // [stack]
    }

    [Fact]
    public void TheRun_IsTheContiguousAnonymousMappingsAroundTheAddress()
    {
        var m = HugePages.ParseMaps(Maps);
        // committed, reserved and committed again side by side: one run, up to the file mapping
        Assert.Equal((0x7f0000000000UL, 0x7f0040200000UL), HugePages.RunContaining(m, 0x7f0000500000));
        Assert.Equal((0x7f0000000000UL, 0x7f0040200000UL), HugePages.RunContaining(m, 0x7f00401fffff));
        // after the file mapping, and a gap ends a run
        Assert.Equal((0x7f0040300000UL, 0x7f0040400000UL), HugePages.RunContaining(m, 0x7f0040300000));
        Assert.Equal((0x7f0040500000UL, 0x7f0040600000UL), HugePages.RunContaining(m, 0x7f0040500010));
        Assert.Null(HugePages.RunContaining(m, 0x55d0a010));        // a file
        Assert.Null(HugePages.RunContaining(m, 0x7f0040450000));    // in no mapping
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("auto", true)]
    [InlineData(" AUTO ", true)]
    [InlineData("off", false)]
    public void TheOption_IsAutoOrOff(string? text, bool wanted) => Assert.Equal(wanted, HugePages.ParseOption(text));

    [Theory]
    [InlineData("on")]
    [InlineData("always")]
    public void AnyOtherOption_IsInvalidArgument_NamingIt(string text)
    {
        var e = Assert.Throws<LvsException>(() => HugePages.ParseOption(text));
        Assert.Equal((LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Apply_WithOff_OrWithoutThp_AdvisesNothing()
    {
        Assert.Equal("off (--huge-pages off)", HugePages.Apply(false, "madvise"));
        Assert.Equal("not used (transparent huge pages are 'never')", HugePages.Apply(true, "never"));
        Assert.Equal("not used (transparent huge pages not in this kernel)", HugePages.Apply(true, null));
    }

    /// <summary>The VmFlags of the mapping of /proc/PID/smaps that holds <paramref name="address"/>; null when none.</summary>
    private static string? VmFlagsAt(int pid, ulong address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out var end))
                inside = start <= address && address < end;
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal)) return line;
        }
        return null;
    }

    /// <summary>The mappings of a process whose VmFlags carry "hg" (advised MADV_HUGEPAGE).</summary>
    private static int AdvisedMappings(int pid) =>
        File.ReadLines($"/proc/{pid}/smaps").Count(l => l.StartsWith("VmFlags:", StringComparison.Ordinal) && l.Split(' ').Contains("hg"));

    [Fact]
    public void AdviseManagedHeap_MarksTheMappingThatHoldsTheHeap()
    {
        var obj = new byte[1024];
        var handle = GCHandle.Alloc(obj, GCHandleType.Pinned);
        try
        {
            ulong address = (ulong)handle.AddrOfPinnedObject();
            string line = HugePages.Apply(true, HugePages.SystemMode());
            string flags = VmFlagsAt(Environment.ProcessId, address) ?? throw new Xunit.Sdk.XunitException("no mapping holds the heap object");
            if (ThpUsable)
            {
                Assert.StartsWith("the managed heap's ", line);
                Assert.Contains(" hg", flags);
                // the whole reservation, not the probe's page: a heap object allocated much later is in it too
                var later = GC.AllocateUninitializedArray<byte>(8 << 20);   // the large-object heap
                var h2 = GCHandle.Alloc(later, GCHandleType.Pinned);
                try { Assert.Contains(" hg", VmFlagsAt(Environment.ProcessId, (ulong)h2.AddrOfPinnedObject()) ?? ""); }
                finally { h2.Free(); }
            }
            else
            {
                Assert.StartsWith("not used", line);
                Assert.DoesNotContain(" hg", flags);
            }
        }
        finally { handle.Free(); }
    }

    [Fact]
    public void Lvsd_AdvisesItsHeap_ByDefault_AndNotWithOff()
    {
        var auto = _box.NewName("hp");
        var status = DirectorLauncher.Start(auto, LvsdNamespace.Interface, _ns.Name, LvsdSandbox.EnginePath, timeout: TimeSpan.FromSeconds(120));
        string log = File.ReadAllText(DirectorPaths.Log(auto));
        if (ThpUsable)
        {
            Assert.Contains("huge pages: the managed heap's ", log);
            Assert.StartsWith("the managed heap's ", status.HugePages);
            Assert.True(AdvisedMappings(status.ProcessId) > 0, "lvsd started with --huge-pages auto has no mapping advised to huge pages");
        }
        else
        {
            Assert.Contains("huge pages: not used", log);
            Assert.StartsWith("not used", status.HugePages);
            Assert.Equal(0, AdvisedMappings(status.ProcessId));
        }
        DirectorLauncher.Stop(auto);

        var off = _box.NewName("hp");
        Environment.SetEnvironmentVariable("LVSPS_HUGE_PAGES", "off");
        try
        {
            var offStatus = DirectorLauncher.Start(off, LvsdNamespace.Interface, _ns.Name, LvsdSandbox.EnginePath, timeout: TimeSpan.FromSeconds(120));
            Assert.Contains("huge pages: off (--huge-pages off)", File.ReadAllText(DirectorPaths.Log(off)));
            Assert.Equal("off (--huge-pages off)", DirectorClient.Connect(off).GetStatus().HugePages);
            Assert.Equal(0, AdvisedMappings(offStatus.ProcessId));
            DirectorLauncher.Stop(off);
        }
        finally { Environment.SetEnvironmentVariable("LVSPS_HUGE_PAGES", null); }
    }

    [Fact]
    public void Lvsd_RefusesABadHugePagesOption_NamingIt()
    {
        var name = _box.NewName("hp");
        var (code, output) = LvsdSandbox.Run("ip", "netns", "exec", _ns.Name, DirectorLauncher.FindDotnet(), LvsdSandbox.EnginePath,
            "run", "--name", name, "--interface", LvsdNamespace.Interface, "--huge-pages", "sometimes");
        Assert.NotEqual(0, code);
        Assert.Contains("--huge-pages 'sometimes' is not valid (auto, off).", output);
    }
}
