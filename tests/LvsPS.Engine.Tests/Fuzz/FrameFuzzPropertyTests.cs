using FsCheck;
using FsCheck.Fluent;
using LvsPS.Engine.Tests.Fuzz;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The CI-sized fuzz run (the long run is bench/LvsPS.Fuzz, see docs/RELIABILITY.md): FsCheck properties over the
/// frame parser (Ipv4Packet) and the engine's frame processing (IFrameProcessor.ProcessFrame), with frames from
/// <see cref="FrameGenerator"/> (well-formed, mutated, truncated, padded, random) and raw byte arrays from FsCheck.
/// </summary>
[Collection(FuzzCollection.Name)]
public class FrameFuzzPropertyTests
{
    private static readonly Arbitrary<int> Seeds = Arb.From(Gen.Choose(0, int.MaxValue));

    private static Config Runs(int count) => Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true);

    [Fact]
    public void Ipv4Parse_OnAnyBytes_NeverThrows_AndWhatItAcceptsIsWithinTheFrame()
    {
        var bytes = ArbMap.Default.ArbFor<byte[]>();
        Check.One(Runs(5_000), Prop.ForAll(bytes, raw =>
        {
            // Behind an Ethernet header, with the version nibble 4 half the time so the length checks are reached.
            var f = new byte[Frames.EthHeader + raw.Length];
            raw.CopyTo(f, Frames.EthHeader);
            if (raw.Length > 0 && raw[0] % 2 == 0) f[Frames.EthHeader] = (byte)(0x40 | (raw[0] & 15));
            AssertParseSound(f);
        }));
        Check.One(Runs(5_000), Prop.ForAll(Seeds, seed =>
        {
            var f = FrameGenerator.Next(new Random(seed)).Bytes;
            if (f.Length >= Frames.EthHeader) AssertParseSound(f);
        }));
    }

    private static void AssertParseSound(byte[] f)
    {
        var check = Ipv4Packet.Parse(f, out var p);
        if (check != Ipv4Check.Ok) return;
        Assert.Equal(4, f[14] >> 4);
        Assert.InRange(p.Ihl, 20, 60);
        Assert.InRange(p.TotalLength, p.Ihl, f.Length - Frames.EthHeader);
        Assert.Equal(p.TotalLength - p.Ihl, p.L4.Length); // the slice is inside the frame (it would throw otherwise)
        if (p.HasPorts)
        {
            Assert.True(Ipv4Packet.IsTransport(p.Protocol));
            Assert.False(p.IsFragment);
            Assert.True(p.L4.Length >= Ipv4Packet.MinL4Length(p.Protocol));
            Assert.Equal(Frames.U16(p.L4, 0), p.SourcePort);
            Assert.Equal(Frames.U16(p.L4, 2), p.DestinationPort);
        }
    }

    /// <summary>
    /// 600 runs of 200 frames (120,000 frames), each run into a fresh director: no exception, nothing forwarded that
    /// the oracle (<see cref="FuzzDirector.MayForward"/>) refuses, every frame sent whole, the real servers' counters
    /// add up to the table after every frame, and after every timeout the table is empty.
    /// </summary>
    [Fact]
    public void Engine_OnFuzzedFrames_NeverThrows_NeverForwardsAnInvalidFrame_AndStaysConsistent()
    {
        long frames = 0, forwarded = 0, sent = 0;
        Check.One(Runs(600), Prop.ForAll(Seeds, seed =>
        {
            var run = new FuzzRun { FramesPerDirector = 200 };
            run.Run(seed, 200);
            frames += run.Frames;
            forwarded += run.Forwarded;
            sent += run.Sent;
        }));
        Assert.Equal(600L * 200, frames);
        // The fuzzer reaches the forwarding paths, not only the drops: a good share of the frames went through.
        Assert.True(forwarded > frames / 20, $"only {forwarded} of {frames} frames forwarded");
        Assert.True(sent >= forwarded);
    }

    /// <summary>The oracle is not vacuous: it refuses what the engine must drop and allows the good frames the engine forwards.</summary>
    [Fact]
    public void Oracle_AllowsTheGoodSyn_AndRefusesItsBrokenVariants()
    {
        var d = new FuzzDirector();
        var syn = TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 80, Frames.Syn, 0);
        Assert.True(FuzzDirector.MayForward(syn, 0));
        var run = new FuzzRun();
        run.One(d, new FuzzFrame(syn, 0, "good syn"));
        Assert.Equal(1, run.Forwarded);

        var truncated = syn[..33];
        var fragment = (byte[])syn.Clone(); fragment[20] = 0x20;
        var badIhl = (byte[])syn.Clone(); badIhl[14] = 0x44;
        var otherPort = TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 81, Frames.Syn, 0);
        var notOurs = TestFrames.Tcp(ClientMac, Rs1Mac, Client, Vip, 40000, 80, Frames.Syn, 0);
        foreach (var f in new[] { truncated, fragment, badIhl, otherPort, notOurs })
            Assert.False(FuzzDirector.MayForward(f, 0), Convert.ToHexString(f));
    }

    /// <summary>
    /// Frames the engine drops allocate nothing: 20,000 fuzzed frames the oracle refuses (ARP left out: learning a
    /// MAC keeps a copy), fed after a warm-up pass, cost 0 bytes on the feeding thread.
    /// </summary>
    [Fact]
    public void DroppedFuzzedFrames_AllocateNothing()
    {
        var r = new Random(12345);
        var refused = new List<FuzzFrame>();
        while (refused.Count < 20_000)
        {
            var f = FrameGenerator.Next(r);
            bool arp = f.Bytes.Length >= 14 && Frames.U16(f.Bytes, 12) == Frames.EtherTypeArp;
            if (!arp && !FuzzDirector.MayForward(f.Bytes, f.Link)) refused.Add(f);
        }
        var copies = refused.Select(f => (byte[])f.Bytes.Clone()).ToList();
        var d = new FuzzDirector();
        for (int i = 0; i < copies.Count; i++) d.Engine.ProcessFrame(copies[i], refused[i].Link); // warm-up

        long allocated = Allocations.Least(
            prepare: _ => { for (int i = 0; i < copies.Count; i++) refused[i].Bytes.CopyTo(copies[i], 0); },
            window: _ => { for (int i = 0; i < copies.Count; i++) d.Engine.ProcessFrame(copies[i], refused[i].Link); },
            windows: out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(0UL, d.Engine.FramesForwarded);
        Assert.Equal((ulong)((1 + windows) * copies.Count + 4), d.Engine.FramesReceived); // + the 4 ARP replies of the set-up
    }

    /// <summary>
    /// No growth: the same 30,000 fuzzed frames fed three times into one director, every entry expired after each
    /// pass; the memory kept after the third pass is within 256 KB of that after the first (a table, index or
    /// per-destination list that kept what expired would grow by megabytes).
    /// </summary>
    [Fact]
    public void RepeatedFuzzPasses_DoNotGrowTheEnginesMemory()
    {
        var r = new Random(777);
        var frames = Enumerable.Range(0, 30_000).Select(_ => FrameGenerator.Next(r)).ToList();
        var d = new FuzzDirector();
        var run = new FuzzRun();
        long Pass()
        {
            foreach (var f in frames) run.One(d, f, checkTable: false);
            d.ExpireAll();
            Assert.Equal(0, d.Engine.ConnectionCount);
            Assert.Null(d.Inconsistency());
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetTotalMemory(true);
        }
        long first = Pass();
        Pass();
        long third = Pass();
        Assert.True(third - first < 256 * 1024, $"memory grew by {third - first} bytes from the first pass to the third");
        Assert.True(run.Forwarded > 1000, $"only {run.Forwarded} frames forwarded");
    }
}

/// <summary>The memory test reads the process's heap: nothing else runs beside this collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz (no parallel tests)";
}
