namespace LvsPS.Engine.Tests;

/// <summary>Keeps a copy of every frame the engine sends (the engine reuses its buffers).</summary>
internal sealed class RecordingSink : IFrameSink
{
    public readonly List<byte[]> Sent = new();

    public void Send(ReadOnlySpan<byte> frame) => Sent.Add(frame.ToArray());

    public void Clear() => Sent.Clear();

    public IEnumerable<byte[]> Arp => Sent.Where(f => f.Length >= 14 && Frames.U16(f, 12) == Frames.EtherTypeArp);

    public IEnumerable<byte[]> IPv4 => Sent.Where(f => f.Length >= 14 && Frames.U16(f, 12) == Frames.EtherTypeIPv4);
}

/// <summary>Counts frames without allocating (for the allocation test).</summary>
internal sealed class CountingSink : IFrameSink
{
    public int Count;
    public int LastLength;

    public void Send(ReadOnlySpan<byte> frame)
    {
        Count++;
        LastLength = frame.Length;
    }
}

/// <summary>
/// A director on 10.250.0.0/24 as the lab builds it: director .1, real servers .3/.4/.5, VIP .101, client .200
/// (reached through the router MAC). The clock is fake and starts at 1,000,000 ms.
/// </summary>
internal sealed class EngineHarness : LabAddresses
{

    public long NowMs = 1_000_000;
    public readonly RecordingSink Sink = new();
    public readonly DirectorEngine Engine;

    public EngineHarness(int tableBits = 12)
    {
        Engine = new DirectorEngine("test", (byte[])DirectorMac.Clone(), DirectorIp, Sink, tableBits, () => NowMs);
    }

    public static IPAddress Ip(uint v) => Frames.ToAddress(v);

    public static byte[] MacOf(uint rs) => rs switch
    {
        Rs1 => Rs1Mac,
        Rs2 => Rs2Mac,
        Rs3 => Rs3Mac,
        _ => throw new ArgumentOutOfRangeException(nameof(rs)),
    };

    public static ServiceSpec Spec(ushort port = 80, LvsScheduler scheduler = LvsScheduler.Rr, LvsProtocol protocol = LvsProtocol.Tcp, uint vip = Vip) =>
        new() { Protocol = protocol, Address = Ip(vip), Port = port, Scheduler = scheduler };

    public static RealServerSpec Real(uint address, int weight = 1, LvsForwarding forwarding = LvsForwarding.Route, ushort port = 0) =>
        new() { Address = Ip(address), Port = port, Forwarding = forwarding, Weight = weight };

    /// <summary>Adds a service, then its real servers one by one (ipvsadm -A then -a, -a ...).</summary>
    public ServiceSpec AddService(ushort port, LvsScheduler scheduler, params (uint Address, int Weight)[] reals) =>
        AddService(Spec(port, scheduler), reals);

    public ServiceSpec AddService(ServiceSpec spec, params (uint Address, int Weight)[] reals)
    {
        Engine.AddService(spec);
        foreach (var (a, w) in reals) Engine.AddRealServer(spec, Real(a, w));
        return spec;
    }

    /// <summary>The real server answers the director's ARP request.</summary>
    public void Resolve(uint rs) => Process(TestFrames.ArpReply(MacOf(rs), rs, DirectorMac, DirectorIp));

    public void ResolveAll(params uint[] rs)
    {
        foreach (var r in rs) Resolve(r);
    }

    /// <summary>Feeds a copy of the frame (the engine rewrites frames in place).</summary>
    public void Process(byte[] frame) => Engine.ProcessFrame((byte[])frame.Clone());

    public byte[] Tcp(ushort clientPort, byte flags, int payload = 0, ushort port = 80, uint vip = Vip, uint client = Client) =>
        TestFrames.Tcp(ClientMac, DirectorMac, client, vip, clientPort, port, flags, payload);

    public byte[] Udp(ushort clientPort, int payload = 20, ushort port = 53, uint vip = Vip, uint client = Client) =>
        FrameKit.Udp(ClientMac, DirectorMac, client, vip, clientPort, port, payload);

    /// <summary>Sends the frame and returns what the engine forwarded (null when nothing was sent).</summary>
    public byte[]? Forward(byte[] frame)
    {
        int before = Sink.Sent.Count;
        Process(frame);
        return Sink.Sent.Count > before ? Sink.Sent[^1] : null;
    }

    /// <summary>The real server a frame went to, by its destination MAC (null when not forwarded).</summary>
    public static uint? RealServerOf(byte[]? forwarded)
    {
        if (forwarded is null) return null;
        var dst = forwarded.AsSpan(0, 6);
        if (dst.SequenceEqual(Rs1Mac)) return Rs1;
        if (dst.SequenceEqual(Rs2Mac)) return Rs2;
        if (dst.SequenceEqual(Rs3Mac)) return Rs3;
        throw new InvalidOperationException("Forwarded to an unknown MAC " + Frames.MacToString(dst));
    }

    public uint? Syn(ushort clientPort, ushort port = 80) => RealServerOf(Forward(Tcp(clientPort, Frames.Syn, 0, port)));

    public LvsService Service(ushort port = 80, LvsProtocol protocol = LvsProtocol.Tcp) =>
        Engine.ListServices().Single(s => s.Port == port && s.Protocol == protocol);

    public LvsRealServer RealServer(uint rs, ushort port = 80, LvsProtocol protocol = LvsProtocol.Tcp) =>
        Service(port, protocol).RealServers.Single(r => r.RealAddress.Equals(Ip(rs)));

    public LvsConnection Connection(ushort clientPort) => Engine.ListConnections().Single(c => c.ClientPort == clientPort);

    public void AdvanceSeconds(double s) => NowMs += (long)(s * 1000);

    /// <summary>Moves the fake clock on and runs the engine's timer work (expiry, rate estimator).</summary>
    public void TickAfter(double s)
    {
        AdvanceSeconds(s);
        Engine.Tick();
    }

    /// <summary>A harness with one service on <paramref name="port"/> whose real servers all answer ARP.</summary>
    public static EngineHarness Resolved(ushort port, LvsScheduler scheduler, params (uint Address, int Weight)[] reals) =>
        Resolved(Spec(port, scheduler), reals);

    public static EngineHarness Resolved(ServiceSpec spec, params (uint Address, int Weight)[] reals)
    {
        var h = new EngineHarness();
        h.AddService(spec, reals);
        foreach (var (a, _) in reals) h.Resolve(a);
        return h;
    }

    /// <summary>TCP 80 rr without a real server (its VIP is up), the sink cleared.</summary>
    public static EngineHarness EmptyService()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr);
        h.Sink.Clear();
        return h;
    }

    /// <summary>TCP 80 and UDP 53, both rr with Rs1 (resolved), the sink cleared.</summary>
    public static EngineHarness WebAndDns()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.AddService(Spec(53, LvsScheduler.Rr, LvsProtocol.Udp), (Rs1, 1));
        h.Resolve(Rs1);
        h.Sink.Clear();
        return h;
    }

    /// <summary>The exported state as lvsd writes its state file.</summary>
    public string State() => DirectorJson.Serialize(Engine.ExportState());

    /// <summary>
    /// The call is refused with <paramref name="errorId"/> and changes nothing: not the state, the listings, the VIPs
    /// or the connections, and no frame is sent (no GARP, no ARP request for a refused change).
    /// </summary>
    public void AssertRefused(string errorId, LvsErrorKind kind, Action call)
    {
        string before = State();
        string services = DirectorJson.Serialize(Engine.ListServices());
        var vips = Engine.VirtualAddresses.ToArray();
        int connections = Engine.ConnectionCount;
        Sink.Clear();

        var e = Assert.Throws<LvsException>(call);

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Equal(before, State());
        Assert.Equal(services, DirectorJson.Serialize(Engine.ListServices()));
        Assert.Equal(vips, Engine.VirtualAddresses);
        Assert.Equal(connections, Engine.ConnectionCount);
        Assert.Empty(Sink.Sent);
    }

    /// <summary>As lvsd restores its state file: through JSON, service by service; the result exports the same.</summary>
    public static void AssertRestoresThroughJson(DirectorState state)
    {
        var json = DirectorJson.Serialize(state);
        var restored = new EngineHarness();
        foreach (var s in DirectorJson.Deserialize<DirectorState>(json)!.Services) restored.Engine.AddService(s);
        Assert.Equal(json, restored.State());
    }
}

/// <summary>Frame builders the engine's TestFrames does not have.</summary>
internal static class FrameKit
{
    public static byte[] Udp(byte[] srcMac, byte[] dstMac, uint saddr, uint daddr, ushort sport, ushort dport, int payload)
    {
        var f = TestFrames.EthernetIPv4(srcMac, dstMac, saddr, daddr, Frames.ProtoUdp, 8 + payload, id: 0x1234, flagsAndOffset: 0);
        var udp = f.AsSpan(Frames.EthHeader + 20);
        Frames.W16(udp, 0, sport);
        Frames.W16(udp, 2, dport);
        Frames.W16(udp, 4, (ushort)(8 + payload));
        for (int i = 0; i < payload; i++) udp[8 + i] = (byte)('a' + i % 26);
        return f;
    }

    /// <summary>Appends zero bytes up to <paramref name="length"/> (Ethernet minimum-size padding).</summary>
    public static byte[] Pad(byte[] frame, int length = 60)
    {
        if (frame.Length >= length) return frame;
        var p = new byte[length];
        frame.CopyTo(p, 0);
        return p;
    }

    /// <summary>Fills the TCP/UDP payload with a recognisable pattern.</summary>
    public static byte[] WithPattern(byte[] frame, int from)
    {
        for (int i = from; i < frame.Length; i++) frame[i] = (byte)(i * 7 + 3);
        return frame;
    }

    /// <summary>Recomputes the IPv4 header checksum after a header change (for an IHL of 5).</summary>
    public static byte[] FixIpChecksum(byte[] frame)
    {
        var ip = frame.AsSpan(Frames.EthHeader);
        Frames.W16(ip, 10, 0);
        int ihl = Math.Max(20, (ip[0] & 0x0f) * 4);
        Frames.W16(ip, 10, DirectorEngine.Checksum(ip.Slice(0, Math.Min(ihl, ip.Length))));
        return frame;
    }

    /// <summary>The Internet checksum over data that includes its own checksum field: 0 when valid.</summary>
    public static ushort Verify(ReadOnlySpan<byte> data) => DirectorEngine.Checksum(data);

    /// <summary>An independent one's-complement sum, to check the engine's checksum routine itself.</summary>
    public static ushort ReferenceChecksum(ReadOnlySpan<byte> data)
    {
        long sum = 0;
        for (int i = 0; i < data.Length; i++)
            sum += (i % 2 == 0) ? data[i] << 8 : data[i];
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)(~sum & 0xffff);
    }
}
