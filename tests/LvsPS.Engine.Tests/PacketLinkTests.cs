using System.Collections.Concurrent;
using LvsPS.Engine.IO;

namespace LvsPS.Engine.Tests;

/// <summary>
/// lvsd's AF_PACKET link (IO/PacketLink.cs) with real frames on a veth pair between two namespaces (10.191.N.0/24):
/// the link under test in A, a libpcap link in B as the other host on the wire.
/// </summary>
[Collection(nameof(PacketLinkTests))]
public sealed class PacketLinkTests
{
    /// <summary>Keeps a copy of each frame a link delivers, with the thread that delivered it.</summary>
    private sealed class Recorder : IFrameProcessor
    {
        public readonly ConcurrentQueue<(byte[] Frame, int Thread)> Frames = new();
        public Action<Span<byte>>? OnFrame;

        public void ProcessFrame(Span<byte> frame, int link)
        {
            Frames.Enqueue((frame.ToArray(), Environment.CurrentManagedThreadId));
            OnFrame?.Invoke(frame);
        }

        public IEnumerable<byte[]> To(uint daddr) => Frames.Select(f => f.Frame)
            .Where(f => f.Length >= 34 && LvsPS.Engine.DataPath.Frames.U16(f, 12) == LvsPS.Engine.DataPath.Frames.EtherTypeIPv4 && LvsPS.Engine.DataPath.Frames.U32(f, 30) == daddr);
    }

    private static uint U(IPAddress a) => LvsPS.Engine.DataPath.Frames.ToUInt32(a);

    private static bool WaitFor(Func<bool> condition, int ms = 3000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(ms);
        while (DateTime.UtcNow < until) { if (condition()) return true; Thread.Sleep(10); }
        return condition();
    }

    /// <summary>A UDP frame from B's MAC to <paramref name="dstMac"/>, <paramref name="saddr"/> → <paramref name="daddr"/>.</summary>
    private static byte[] Udp(byte[] srcMac, byte[] dstMac, uint saddr, uint daddr, ushort sport) =>
        TestFrames.EthernetIPv4(srcMac, dstMac, saddr, daddr, LvsPS.Engine.DataPath.Frames.ProtoUdp, 8 + 18, id: sport, flagsAndOffset: 0)
            .Also(f => { LvsPS.Engine.DataPath.Frames.W16(f, 34, sport); LvsPS.Engine.DataPath.Frames.W16(f, 36, 9); LvsPS.Engine.DataPath.Frames.W16(f, 38, 26); });

    private sealed class Pair : IDisposable
    {
        public readonly NetnsPair Net = new("pio", 191);
        public PacketLink? Link;
        public PcapLink? Peer;
        public readonly Recorder Seen = new();
        public readonly Recorder PeerSeen = new();
        public uint Vip => U(Net.AddressA) + 100;
        public uint Vip2 => U(Net.AddressA) + 101;

        public Pair(int threads = 1, PacketLink.RingOptions? ring = null)
        {
            NetnsPair.In(Net.A, () => Link = PacketLink.Open(NetnsPair.Link, threads, ring));
            NetnsPair.In(Net.B, () => Peer = PcapLink.Open(NetnsPair.Link));
            Peer!.UseInsideFilter(); // B sees every ARP and IPv4 frame A sends
            Peer.Start(PeerSeen);
        }

        public void Dispose()
        {
            Link?.Dispose();
            Peer?.Dispose();
            Net.Dispose();
        }
    }

    [Fact]
    public void FramesForTheVirtualAddressesReachTheProcessorAndTheFilterIsReplaced()
    {
        using var p = new Pair();
        var link = p.Link!;
        link.SetVirtualAddresses(new[] { p.Vip });
        link.Start(p.Seen);
        uint b = U(p.Net.AddressB);
        p.Peer!.Send(Udp(p.Peer.Mac, link.Mac, b, p.Vip, 1000));
        p.Peer.Send(Udp(p.Peer.Mac, link.Mac, b, p.Vip2, 1001));   // not a VIP yet: filtered out in the kernel
        p.Peer.Send(TestFrames.ArpRequest(p.Peer.Mac, b, p.Vip));   // ARP always passes
        Assert.True(WaitFor(() => p.Seen.To(p.Vip).Any() && p.Seen.Frames.Any(f => LvsPS.Engine.DataPath.Frames.U16(f.Frame, 12) == LvsPS.Engine.DataPath.Frames.EtherTypeArp)));
        Thread.Sleep(200);
        Assert.Empty(p.Seen.To(p.Vip2));
        var first = p.Seen.To(p.Vip).First();
        Assert.Equal(1000, LvsPS.Engine.DataPath.Frames.U16(first, 34));
        Assert.Equal(p.Peer.Mac, first[6..12]);

        // The VIPs change: the new filter is swapped in on the running socket.
        link.SetVirtualAddresses(new[] { p.Vip2 });
        p.Peer.Send(Udp(p.Peer.Mac, link.Mac, b, p.Vip2, 1002));
        p.Peer.Send(Udp(p.Peer.Mac, link.Mac, b, p.Vip, 1003));
        Assert.True(WaitFor(() => p.Seen.To(p.Vip2).Any()));
        Thread.Sleep(200);
        Assert.Single(p.Seen.To(p.Vip));
        Assert.True(link.ReadStatistics().Received >= 3);
    }

    [Fact]
    public void FramesSentInAndOutsideAReceiveRunAreOnTheWireAndNotRecaptured()
    {
        using var p = new Pair();
        var link = p.Link!;
        uint b = U(p.Net.AddressB);
        link.SetVirtualAddresses(new[] { p.Vip, p.Vip2 });
        // On the receive thread (batched, sent after the run): each frame to VIP goes back to B, rewritten in place as
        // the engine does, and one more to VIP2 with a foreign source MAC that the filter admits, so only
        // PACKET_IGNORE_OUTGOING (or the pkttype check) keeps it out of the link's own ring.
        var foreign = new byte[] { 0x02, 0x4c, 0x56, 0x99, 0x00, 0x01 };
        p.Seen.OnFrame = f =>
        {
            if (LvsPS.Engine.DataPath.Frames.U16(f, 12) != LvsPS.Engine.DataPath.Frames.EtherTypeIPv4 || LvsPS.Engine.DataPath.Frames.U32(f, 30) != p.Vip) return;
            p.Peer!.Mac.CopyTo(f);
            link.Mac.CopyTo(f[6..]);
            link.Send(f);
            var again = f.ToArray();
            foreign.CopyTo(again, 6);
            link.Mac.CopyTo(again, 0);
            LvsPS.Engine.DataPath.Frames.W32(again, 30, p.Vip2);
            link.Send(again);
        };
        link.Start(p.Seen);
        for (ushort port = 2000; port < 2010; port++) p.Peer!.Send(Udp(p.Peer.Mac, link.Mac, b, p.Vip, port));
        Assert.True(WaitFor(() => p.PeerSeen.To(p.Vip).Count() == 10));
        var echoed = p.PeerSeen.To(p.Vip).Select(f => (int)LvsPS.Engine.DataPath.Frames.U16(f, 34)).Order().ToArray();
        Assert.Equal(Enumerable.Range(2000, 10).ToArray(), echoed);
        Assert.All(p.PeerSeen.To(p.Vip), f => Assert.Equal(link.Mac, f[6..12]));
        Assert.True(WaitFor(() => p.PeerSeen.To(p.Vip2).Count() == 10));
        Thread.Sleep(200);
        Assert.Empty(p.Seen.To(p.Vip2));
        Assert.Equal(10, p.Seen.To(p.Vip).Count());
        Assert.True(link.Batches >= 1 && link.BatchedFrames == 20, $"batches {link.Batches}, frames {link.BatchedFrames}");

        // From another thread (the timer, ARP): sent at once.
        link.Send(Udp(link.Mac, p.Peer!.Mac, U(p.Net.AddressA), b, 3000));
        Assert.True(WaitFor(() => p.PeerSeen.To(b).Any(f => LvsPS.Engine.DataPath.Frames.U16(f, 34) == 3000)));
        Assert.Equal(20UL, link.BatchedFrames);
        Assert.True(link.IgnoresOutgoing);
    }

    [Fact]
    public void TheEngineAnswersArpAndForwardsByDirectRoutingThroughTheLink()
    {
        using var p = new Pair();
        var link = p.Link!;
        uint a = U(p.Net.AddressA), b = U(p.Net.AddressB);
        var engine = new DirectorEngine("pio", link.Mac, a, link);
        engine.VirtualAddressesChanged += (vips, nat) => link.SetVirtualAddresses(vips, nat);
        var spec = new ServiceSpec { Protocol = LvsProtocol.Tcp, Address = LvsPS.Engine.DataPath.Frames.ToAddress(p.Vip), Port = 80, Scheduler = LvsScheduler.Rr };
        engine.AddService(spec);
        // B is the real server; its kernel answers the engine's ARP request for it.
        engine.AddRealServer(spec, new RealServerSpec { Address = p.Net.AddressB, Forwarding = LvsForwarding.Route, Weight = 1 });
        link.Start(engine);
        engine.Tick();
        p.Peer!.Send(TestFrames.ArpRequest(p.Peer.Mac, b, p.Vip));
        Assert.True(WaitFor(() => p.PeerSeen.Frames.Any(f => LvsPS.Engine.DataPath.Frames.U16(f.Frame, 12) == LvsPS.Engine.DataPath.Frames.EtherTypeArp
            && LvsPS.Engine.DataPath.Frames.U16(f.Frame, 20) == 2 && LvsPS.Engine.DataPath.Frames.U32(f.Frame, 28) == p.Vip)), "no ARP reply for the VIP");
        // A SYN from a client behind B to the VIP: forwarded to B's MAC, the VIP kept (DR).
        uint client = b + 50;
        bool forwarded = WaitFor(() =>
        {
            p.Peer.Send(TestFrames.Tcp(p.Peer.Mac, link.Mac, client, p.Vip, 40000, 80, 0x02, 0));
            return WaitFor(() => p.PeerSeen.To(p.Vip).Any(f => f[6..12].SequenceEqual(link.Mac)), 300);
        }, 5000);
        Assert.True(forwarded, "the SYN was not forwarded");
        var syn = p.PeerSeen.To(p.Vip).First(f => f[6..12].SequenceEqual(link.Mac));
        Assert.Equal(p.Peer.Mac, syn[0..6]);
        Assert.Equal(client, LvsPS.Engine.DataPath.Frames.U32(syn, 26));
        Assert.True(engine.FramesForwarded >= 1);
    }

    [Fact]
    public void TwoFanoutThreadsEachGetFlowsAndEveryFrameOnce()
    {
        using var p = new Pair(threads: 2);
        var link = p.Link!;
        Assert.Equal(2, link.ReceiveThreads);
        link.SetVirtualAddresses(new[] { p.Vip });
        link.Start(p.Seen);
        uint b = U(p.Net.AddressB);
        for (ushort port = 5000; port < 5064; port++) p.Peer!.Send(Udp(p.Peer.Mac, link.Mac, b, p.Vip, port));
        Assert.True(WaitFor(() => p.Seen.To(p.Vip).Count() >= 64));
        Thread.Sleep(200);
        var ports = p.Seen.Frames.Where(f => LvsPS.Engine.DataPath.Frames.U32(f.Frame, 30) == p.Vip).Select(f => (int)LvsPS.Engine.DataPath.Frames.U16(f.Frame, 34)).Order().ToArray();
        Assert.Equal(Enumerable.Range(5000, 64).ToArray(), ports);
        Assert.Equal(2, p.Seen.Frames.Select(f => f.Thread).Distinct().Count());
    }

    /// <summary>
    /// A processor that asks for the look-ahead and logs, in order, each hint it is given and each frame delivered; the
    /// token of a frame is its UDP source port, so a hint can be matched to the frame it was meant for.
    /// </summary>
    private sealed class LookAheadLog : IFrameProcessor
    {
        public readonly ConcurrentQueue<(char Event, int Port)> Log = new();
        public readonly ManualResetEventSlim Release = new(false);
        private static int Port(ReadOnlySpan<byte> f) => f.Length >= 36 ? LvsPS.Engine.DataPath.Frames.U16(f, 34) : -1;
        public bool WantsLookAhead => true;
        public int PrefetchFlow(ReadOnlySpan<byte> frame, int link) { Log.Enqueue(('F', Port(frame))); return Port(frame); }
        public void PrefetchConnection(int token) => Log.Enqueue(('N', token));
        public void PrefetchNextConnection(int token) => Log.Enqueue(('2', token));
        public void ProcessFrame(Span<byte> frame, int link)
        {
            Log.Enqueue(('D', Port(frame)));
            Release.Wait(TimeSpan.FromSeconds(5)); // the first frame holds the loop until the burst waits in the ring
        }
    }

    /// <summary>
    /// FlowLookAhead in both ring formats: with the burst waiting in the ring, every frame is delivered once and in
    /// order, and every hint is for a frame still to come: its bucket (F) asked for before its entry (N), that before
    /// the next entry (2), and all of them before the frame itself (D). A run's first frames miss the early steps.
    /// </summary>
    [Theory]
    [InlineData(1)] // TPACKET_V2
    [InlineData(2)] // TPACKET_V3
    public void TheLookAheadHintsEachWaitingFrameBeforeItsTurn(int version)
    {
        using var p = new Pair(ring: new PacketLink.RingOptions { Version = version });
        var link = p.Link!;
        var log = new LookAheadLog();
        link.SetVirtualAddresses(new[] { p.Vip });
        link.Start(log);
        uint b = U(p.Net.AddressB);
        const int first = 6000, count = 40;
        for (int port = first; port < first + count; port++) p.Peer!.Send(Udp(p.Peer.Mac, link.Mac, b, p.Vip, (ushort)port));
        Thread.Sleep(300); // V3: the block retires after its 1 ms timer; V2: the frames are in their slots
        log.Release.Set();
        Assert.True(WaitFor(() => log.Log.Count(e => e.Event == 'D' && e.Port >= first) >= count));
        Thread.Sleep(100);
        var events = log.Log.Where(e => e.Port >= first && e.Port < first + count).ToList();
        Assert.Equal(Enumerable.Range(first, count), events.Where(e => e.Event == 'D').Select(e => e.Port));
        int At(char ev, int port) => events.FindIndex(e => e.Event == ev && e.Port == port);
        int hinted = 0;
        for (int port = first; port < first + count; port++)
        {
            int f = At('F', port), n = At('N', port), second = At('2', port), d = At('D', port);
            if (f >= 0) Assert.True(f < d, $"the bucket hint of {port} came after it");
            if (n >= 0) Assert.True(f >= 0 && f < n && n < d, $"the entry hint of {port} is out of order");
            if (second >= 0) Assert.True(f >= 0 && f < second && n < second && second < d, $"the next-entry hint of {port} is out of order");
            if (f >= 0 && n >= 0 && second >= 0) hinted++;
        }
        // Only the frames of a run's first few places miss a step: most of the burst got all three.
        Assert.True(hinted >= count - 16, $"{hinted} of {count} frames got all three hints: " + string.Join(" ", events.Select(e => $"{e.Event}{e.Port - first}")));
    }

    [Fact]
    public void ARingTheKernelRefusesFallsBackToLibpcap()
    {
        using var net = new NetnsPair("pio", 191);
        IEngineLink? link = null;
        string? reason = null;
        // A block that is not a multiple of the page size: the kernel refuses PACKET_RX_RING (EINVAL).
        NetnsPair.In(net.A, () => link = EngineLinks.Open(NetnsPair.Link, LinkKind.Packet, 1, out reason, new PacketLink.RingOptions { BlockBytes = 5000, RingBytes = 50000 }));
        using (link)
        {
            Assert.IsType<PcapLink>(link);
            Assert.Equal(LinkKind.Pcap, link!.Kind);
            Assert.Contains("PACKET_RX_RING", reason);
        }
        NetnsPair.In(net.A, () => link = EngineLinks.Open(NetnsPair.Link, LinkKind.Packet, 1, out reason));
        using (link)
        {
            Assert.IsType<PacketLink>(link);
            Assert.Null(reason);
        }
    }

    [Theory]
    [InlineData(null, "Pcap")]
    [InlineData("pcap", "Pcap")]
    [InlineData("packet", "Packet")]
    public void TheLinkKindIsParsed(string? text, string kind) => Assert.Equal(kind, EngineLinks.ParseKind(text).ToString());

    [Fact]
    public void AnUnknownLinkKindOrThreadCountIsAnInvalidArgument()
    {
        Assert.Equal(LvsErrorIds.InvalidArgument, Assert.Throws<LvsException>(() => EngineLinks.ParseKind("xdp")).ErrorId);
        Assert.Equal(LvsErrorIds.InvalidArgument, Assert.Throws<LvsException>(() => EngineLinks.ParseThreads("0")).ErrorId);
        Assert.Equal(2, EngineLinks.ParseThreads("2"));
    }
}

internal static class TestExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
