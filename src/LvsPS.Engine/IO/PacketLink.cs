using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using static LvsPS.Engine.IO.PacketNative;

namespace LvsPS.Engine.IO;

/// <summary>
/// lvsd's own Ethernet port on an AF_PACKET socket. Receiving: a PACKET_RX_RING mmap'd into lvsd (TPACKET_V2 frames
/// by default, TPACKET_V3 blocks with LVSPS_TPACKET=3), the frames handed to the engine where they lie in the ring
/// (no copy), the ring polled until it is empty and poll() only then. Sending: the frames the engine emits while it
/// handles a run of received frames are copied into a per-thread batch and leave with one sendmmsg() after the run,
/// outside the engine's lock; frames from other threads (ARP refresh, the timer) are sent at once. PACKET_QDISC_BYPASS
/// skips the qdisc layer, PACKET_IGNORE_OUTGOING (and the filter's "not ether src") keeps the link's own sends out of
/// its ring. The filter is libpcap's compiler output attached with SO_ATTACH_FILTER, swapped atomically on change.
/// With more than one receive thread every thread has its own socket, ring and batch, joined in a PACKET_FANOUT
/// group (flow hash), all calling the one engine.
/// </summary>
internal sealed unsafe class PacketLink : IEngineLink
{
    /// <summary>Frames per sendmmsg() at most; a longer run is flushed when the batch is full.</summary>
    public const int BatchFrames = 64;
    /// <summary>Received frames handled before the batch is flushed, however many more the ring holds.</summary>
    public const int RunFrames = 128;

    [ThreadStatic] private static TxBatch? t_batch;

    /// <summary>LVSPS_PACKET_OPTS (comma list) for measurements: nobypass, nobatch, noignore.</summary>
    private static readonly string[] Opts = (Environment.GetEnvironmentVariable("LVSPS_PACKET_OPTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    private static readonly bool NoBatch = Opts.Contains("nobatch");

    private readonly Receiver[] _receivers;
    private readonly object _statsLock = new();
    private ulong _received, _dropped;
    private IFrameProcessor? _processor;
    private int _linkIndex;
    private volatile bool _stop;
    private readonly long _spinTicks;
    private byte[] _filter = Array.Empty<byte>();

    public LinkKind Kind => LinkKind.Packet;
    public string Interface { get; }
    public byte[] Mac { get; }
    public IPAddress? Address { get; }
    public int PrefixLength { get; }
    public int Mtu { get; }
    public int ReceiveThreads => _receivers.Length;
    public int TpacketVersion { get; }
    /// <summary>Whether the kernel took PACKET_IGNORE_OUTGOING (4.20 and later); the filter and the pkttype check cover older ones.</summary>
    public bool IgnoresOutgoing { get; private set; }
    /// <summary>Frames the kernel refused to send (ENOBUFS, EAGAIN).</summary>
    public ulong SendFailed;
    /// <summary>sendmmsg() calls and the frames they carried (the batching's effect).</summary>
    public ulong Batches, BatchedFrames;

    /// <summary>The ring's shape; the defaults size it like PcapLink's 32 MiB buffer.</summary>
    public sealed record RingOptions
    {
        public int RingBytes { get; init; } = 32 << 20;
        public int BlockBytes { get; init; } = 256 << 10;
        public int Version { get; init; } = Environment.GetEnvironmentVariable("LVSPS_TPACKET") == "3" || Opts.Contains("v3") ? TPACKET_V3 : TPACKET_V2;
        /// <summary>TPACKET_V3: how long the kernel keeps a block open before it hands it over (ms).</summary>
        public int RetireTimeoutMs { get; init; } = 1;
    }

    private PacketLink(string name, int threads, RingOptions ring)
    {
        Interface = name;
        TpacketVersion = ring.Version;
        int mtu = 1500;
        try { mtu = int.Parse(File.ReadAllText($"/sys/class/net/{name}/mtu").Trim()); } catch (Exception) { /* keep 1500 */ }
        Mtu = mtu;
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name)
            ?? throw new InvalidOperationException($"The interface '{name}' was not found in this network namespace.");
        Mac = nic.GetPhysicalAddress().GetAddressBytes();
        if (Mac.Length != 6) throw new InvalidOperationException($"The interface '{name}' has no Ethernet address.");
        var v4 = nic.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        Address = v4?.Address;
        PrefixLength = v4?.PrefixLength ?? 0;
        _spinTicks = System.Diagnostics.Stopwatch.Frequency * PcapLink.SpinMicroseconds / 1_000_000;
        _receivers = new Receiver[threads];
        int ifindex = (int)if_nametoindex(name);
        if (ifindex == 0) throw new InvalidOperationException($"The interface '{name}' has no index (if_nametoindex).");
        _filter = CompileFilter(PcapLink.BuildFilter(Array.Empty<uint>(), Mac));
        int group = (Environment.ProcessId ^ (ifindex << 8)) & 0xffff;
        try
        {
            for (int i = 0; i < threads; i++) _receivers[i] = new Receiver(this, ifindex, ring, threads > 1 ? group : -1);
        }
        catch
        {
            foreach (var r in _receivers) r?.Close();
            throw;
        }
    }

    /// <summary>Opens the link; <see cref="PacketLinkException"/> when the socket or its ring cannot be set up.</summary>
    public static PacketLink Open(string interfaceName, int receiveThreads = 1, RingOptions? ring = null) =>
        new(interfaceName, Math.Max(1, receiveThreads), ring ?? new RingOptions());

    public void SetVirtualAddresses(IReadOnlyList<uint> vips, IReadOnlyList<uint>? natSources = null,
        IReadOnlyList<(uint Net, int PrefixLength)>? markNets = null) => SetFilter(PcapLink.BuildFilter(vips, Mac, natSources, markNets));

    public void UseInsideFilter() => SetFilter(PcapLink.BuildInsideFilter(Mac));

    /// <summary>Compiles <paramref name="expression"/> and swaps it in on every receive socket (the kernel swaps atomically).</summary>
    public void SetFilter(string expression)
    {
        var code = CompileFilter(expression);
        foreach (var r in _receivers)
            if (AttachFilter(r.Fd, code) != 0)
                throw new InvalidOperationException($"SO_ATTACH_FILTER on {Interface}: errno {Marshal.GetLastPInvokeError()}");
        _filter = code;
    }

    public void Start(IFrameProcessor processor, int linkIndex = 0)
    {
        _processor = processor;
        _linkIndex = linkIndex;
        for (int i = 0; i < _receivers.Length; i++)
        {
            var r = _receivers[i];
            r.Thread = new Thread(r.Loop) { IsBackground = true, Name = $"lvsd-rx{linkIndex}.{i}" };
            r.Thread.Start();
        }
    }

    /// <summary>
    /// On a receive thread of this link, the frame joins the thread's batch (sent after the run of received frames);
    /// from anywhere else it is sent now.
    /// </summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        var batch = t_batch;
        if (batch is not null && batch.Owner == this && !NoBatch) { batch.Add(frame); return; }
        fixed (byte* p = frame)
            if (send(_receivers[0].Fd, p, (nuint)frame.Length, 0) < 0) Interlocked.Increment(ref SendFailed);
    }

    public (ulong Received, ulong Dropped, ulong InterfaceDropped) ReadStatistics()
    {
        lock (_statsLock)
        {
            // PACKET_STATISTICS resets the kernel's counters when read: they are summed here.
            uint* st = stackalloc uint[3];
            foreach (var r in _receivers)
            {
                int len = 12;
                if (getsockopt(r.Fd, SOL_PACKET, PACKET_STATISTICS, st, &len) == 0)
                {
                    _received += st[0];
                    _dropped += st[1];
                }
            }
            return (_received, _dropped, 0);
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (var r in _receivers) r.Thread?.Join(TimeSpan.FromSeconds(2));
        foreach (var r in _receivers) r.Close();
    }

    private void Deliver(byte* frame, int length)
    {
        try { _processor!.ProcessFrame(new Span<byte>(frame, length), _linkIndex); }
        catch (Exception e)
        {
            DirectorLog.Shared.Write(0, LvsLogSeverity.Error, LvsLogSource.DataPath, $"rx: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>One receive socket with its ring, its thread and its send batch.</summary>
    private sealed class Receiver
    {
        private readonly PacketLink _link;
        public readonly int Fd;
        private nint _ring;
        private readonly nuint _ringBytes;
        private readonly int _frameSize, _frameCount, _blockSize, _blockCount;
        private readonly int _version;
        public Thread? Thread;

        public Receiver(PacketLink link, int ifindex, RingOptions o, int fanoutGroup)
        {
            _link = link;
            _version = o.Version;
            // Protocol 0: nothing arrives before the ring and the filter are in place and bind() names ETH_P_ALL.
            Fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            if (Fd < 0) throw Fail("socket(AF_PACKET)");
            try
            {
                if (SetInt(Fd, SOL_PACKET, PACKET_VERSION, _version) != 0) throw Fail($"PACKET_VERSION {_version + 1}");
                link.IgnoresOutgoing = !Opts.Contains("noignore") && SetInt(Fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) == 0;
                if (!Opts.Contains("nobypass")) SetInt(Fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
                SetInt(Fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
                int need = link.Mtu + 18 + 96;
                _frameSize = 2048;
                while (_frameSize < need) _frameSize <<= 1;
                _blockSize = Math.Max(o.BlockBytes, _frameSize);
                _blockCount = Math.Max(2, o.RingBytes / Math.Max(1, _blockSize));
                _frameCount = _blockSize / _frameSize * _blockCount;
                var req = new TpacketReq3
                {
                    BlockSize = (uint)_blockSize, BlockCount = (uint)_blockCount, FrameSize = (uint)_frameSize, FrameCount = (uint)_frameCount,
                    RetireBlockTimeoutMs = (uint)o.RetireTimeoutMs,
                };
                int reqLength = _version == TPACKET_V3 ? sizeof(TpacketReq3) : 16;
                if (setsockopt(Fd, SOL_PACKET, PACKET_RX_RING, &req, reqLength) != 0)
                    throw Fail($"PACKET_RX_RING ({_blockCount} x {_blockSize} B blocks, {_frameSize} B frames)");
                _ringBytes = (nuint)((long)_blockSize * _blockCount);
                _ring = mmap(0, _ringBytes, PROT_READ | PROT_WRITE, MAP_SHARED, Fd, 0);
                if (_ring == -1) { _ring = 0; throw Fail("mmap of the receive ring"); }
                if (AttachFilter(Fd, link._filter) != 0) throw Fail("SO_ATTACH_FILTER");
                var sll = new SockaddrLl { Family = AF_PACKET, Protocol = Htons(ETH_P_ALL), IfIndex = ifindex };
                if (bind(Fd, &sll, sizeof(SockaddrLl)) != 0) throw Fail("bind");
                if (fanoutGroup >= 0 && SetInt(Fd, SOL_PACKET, PACKET_FANOUT, fanoutGroup | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16)) != 0)
                    throw Fail("PACKET_FANOUT");
            }
            catch
            {
                Close();
                throw;
            }
        }

        private static PacketLinkException Fail(string what) =>
            new($"{what}: errno {Marshal.GetLastPInvokeError()} ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");

        public void Close()
        {
            if (_ring != 0) { munmap(_ring, _ringBytes); _ring = 0; }
            if (Fd >= 0) close(Fd);
        }

        public void Loop()
        {
            var batch = new TxBatch(_link, Fd);
            t_batch = batch;
            try
            {
                if (_version == TPACKET_V3) LoopV3(batch); else LoopV2(batch);
            }
            finally
            {
                t_batch = null;
                batch.Dispose();
            }
        }

        private void Wait(long spinUntil)
        {
            if (_link._spinTicks > 0 && System.Diagnostics.Stopwatch.GetTimestamp() < spinUntil) { Thread.SpinWait(16); return; }
            var pfd = new PollFd { Fd = Fd, Events = POLLIN | POLLERR };
            poll(&pfd, 1, 100);
        }

        /// <summary>
        /// The frame of a V2 slot the kernel has handed over, or null when it is not one to deliver (a VLAN-tagged or
        /// truncated copy, or the link's own outgoing frame). struct tpacket2_hdr: tp_status 0, tp_len 4, tp_snaplen 8,
        /// tp_mac 12; then struct sockaddr_ll at 32.
        /// </summary>
        private static byte* FrameV2(byte* h, uint status, out int length)
        {
            length = (int)*(uint*)(h + 8);
            return (status & (TP_STATUS_VLAN_VALID | TP_STATUS_COPY)) == 0 && h[32 + 10] != PACKET_OUTGOING ? h + *(ushort*)(h + 12) : null;
        }

        /// <summary>The look-ahead's first step for the V2 slot <paramref name="index"/>, frame number <paramref name="seq"/>.</summary>
        private void HintV2(ref FlowLookAhead ahead, IFrameProcessor p, int index, long seq)
        {
            byte* h = (byte*)_ring + (long)(index % _frameCount) * _frameSize;
            uint status = Volatile.Read(ref *(uint*)h);
            int length = 0;
            byte* f = (status & TP_STATUS_USER) != 0 ? FrameV2(h, status, out length) : null;
            if (f is null) ahead.Forget(seq);
            else ahead.Far(p, seq, new ReadOnlySpan<byte>(f, length), _link._linkIndex);
        }

        private void LoopV2(TxBatch batch)
        {
            int index = 0;
            long seq = 0, spinUntil = 0;
            byte* ring = (byte*)_ring;
            var p = _link._processor!;
            var ahead = new FlowLookAhead();
            while (!_link._stop)
            {
                byte* h = ring + (long)index * _frameSize;
                if ((Volatile.Read(ref *(uint*)h) & TP_STATUS_USER) == 0)
                {
                    Wait(spinUntil);
                    continue;
                }
                // With a big table, the frames already waiting behind this one have their lookups started early.
                bool look = p.WantsLookAhead;
                if (look)
                    for (int k = 1; k < FlowLookAhead.BucketAhead; k++) HintV2(ref ahead, p, index + k, seq + k);
                int n = 0;
                do
                {
                    if (look)
                    {
                        ahead.Step(p, seq, long.MaxValue); // a stale token (a slot not ready in time) only wastes a prefetch
                        HintV2(ref ahead, p, index + FlowLookAhead.BucketAhead, seq + FlowLookAhead.BucketAhead);
                    }
                    byte* f = FrameV2(h, *(uint*)h, out int length);
                    if (f is not null) _link.Deliver(f, length);
                    Volatile.Write(ref *(uint*)h, TP_STATUS_KERNEL);
                    seq++;
                    index = index + 1 == _frameCount ? 0 : index + 1;
                    h = ring + (long)index * _frameSize;
                }
                while (++n < RunFrames && (Volatile.Read(ref *(uint*)h) & TP_STATUS_USER) != 0);
                batch.Flush();
                spinUntil = System.Diagnostics.Stopwatch.GetTimestamp() + _link._spinTicks;
            }
        }

        /// <summary>
        /// The frame of a V3 block's packet, or null when it is not one to deliver (as <see cref="FrameV2"/>).
        /// struct tpacket3_hdr: tp_next_offset 0, tp_snaplen 12, tp_status 20, tp_mac 24; struct sockaddr_ll at 48.
        /// </summary>
        private static byte* FrameV3(byte* h, out int length)
        {
            length = (int)*(uint*)(h + 12);
            return (*(uint*)(h + 20) & (TP_STATUS_VLAN_VALID | TP_STATUS_COPY)) == 0 && h[48 + 10] != PACKET_OUTGOING ? h + *(ushort*)(h + 24) : null;
        }

        /// <summary>The look-ahead's first step for the V3 frame at <paramref name="h"/>, number <paramref name="seq"/> in its block.</summary>
        private void HintV3(ref FlowLookAhead ahead, IFrameProcessor p, byte* h, long seq)
        {
            byte* f = FrameV3(h, out int length);
            if (f is null) ahead.Forget(seq);
            else ahead.Far(p, seq, new ReadOnlySpan<byte>(f, length), _link._linkIndex);
        }

        private void LoopV3(TxBatch batch)
        {
            int block = 0;
            long spinUntil = 0;
            var p = _link._processor!;
            var ahead = new FlowLookAhead();
            while (!_link._stop)
            {
                // struct tpacket_block_desc: version, offset_to_priv, then tpacket_hdr_v1: block_status 8, num_pkts 12, offset_to_first_pkt 16.
                byte* b = (byte*)_ring + (long)block * _blockSize;
                if ((Volatile.Read(ref *(uint*)(b + 8)) & TP_STATUS_USER) == 0)
                {
                    Wait(spinUntil);
                    continue;
                }
                uint count = *(uint*)(b + 12);
                byte* h = b + *(uint*)(b + 16);
                // With a big table, a frame's lookup is started BucketAhead frames before its turn (FlowLookAhead).
                bool look = p.WantsLookAhead;
                byte* a = h;
                uint ai = 0;
                if (look)
                    for (; ai < count && ai < FlowLookAhead.BucketAhead; ai++) { HintV3(ref ahead, p, a, ai); a += *(uint*)a; }
                for (uint i = 0; i < count; i++)
                {
                    if (look)
                    {
                        ahead.Step(p, i, count);
                        if (ai < count) { HintV3(ref ahead, p, a, ai); a += *(uint*)a; ai++; }
                    }
                    byte* f = FrameV3(h, out int length);
                    if (f is not null) _link.Deliver(f, length);
                    if (i % RunFrames == RunFrames - 1) batch.Flush();
                    h += *(uint*)h;
                }
                Volatile.Write(ref *(uint*)(b + 8), TP_STATUS_KERNEL);
                block = block + 1 == _blockCount ? 0 : block + 1;
                batch.Flush();
                spinUntil = System.Diagnostics.Stopwatch.GetTimestamp() + _link._spinTicks;
            }
        }
    }

    /// <summary>A receive thread's frames to send: copies in native memory, one sendmmsg() per flush.</summary>
    private sealed class TxBatch : IDisposable
    {
        public readonly PacketLink Owner;
        private readonly int _fd;
        private readonly int _slot;
        private readonly byte* _buffers;
        private readonly IoVec* _iov;
        private readonly MMsgHdr* _msgs;
        private int _count;

        public TxBatch(PacketLink owner, int fd)
        {
            Owner = owner;
            _fd = fd;
            _slot = (owner.Mtu + 18 + 63) & ~63;
            _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)(_slot * BatchFrames), 64);
            _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(sizeof(IoVec) * BatchFrames));
            _msgs = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(sizeof(MMsgHdr) * BatchFrames));
            for (int i = 0; i < BatchFrames; i++)
            {
                _iov[i].Base = _buffers + (long)i * _slot;
                _msgs[i].Iov = _iov + i;
                _msgs[i].IovLength = 1;
            }
        }

        public void Add(ReadOnlySpan<byte> frame)
        {
            if (frame.Length > _slot) { Interlocked.Increment(ref Owner.SendFailed); return; }
            if (_count == BatchFrames) Flush();
            frame.CopyTo(new Span<byte>(_iov[_count].Base, _slot));
            _iov[_count].Length = (nuint)frame.Length;
            _count++;
        }

        public void Flush()
        {
            int sent = 0;
            if (_count == 0) return;
            Interlocked.Increment(ref Owner.Batches);
            Interlocked.Add(ref Owner.BatchedFrames, (ulong)_count);
            while (sent < _count)
            {
                int n = sendmmsg(_fd, _msgs + sent, (uint)(_count - sent), 0);
                if (n > 0) { sent += n; continue; }
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                // ENOBUFS or another refusal: the rest of this batch is lost, as a full device queue loses frames.
                Interlocked.Add(ref Owner.SendFailed, (ulong)(_count - sent));
                break;
            }
            _count = 0;
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(_buffers);
            NativeMemory.Free(_iov);
            NativeMemory.Free(_msgs);
        }
    }
}
