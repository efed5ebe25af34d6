// DirectorEngine, packet path: connections that outlive a restart of lvsd. The table as a snapshot (written by the
// host every second and at a clean stop, read back at start, after the services), and, while the restart is recent
// (for one ESTABLISHED timeout after a snapshot was read back: any flow older than that would have expired in the
// old table too; afterwards lvsd drops such packets as the kernel does), for a TCP flow the table does not know
// (opened after the last snapshot), what the kernel's sloppy_tcp does where the scheduler gives a
// flow the same real server every time (sh, mh, dh: a hash of the packet's addresses over the same table): a non-SYN
// packet is scheduled like a SYN. Where a flow cannot continue (any other scheduler), the client gets a TCP RST at
// once instead of a silent drop, so it does not hang (counted, and logged at most once a second).
using System.Buffers.Binary;

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private const uint SnapshotMagic = 0x4C565343; // "LVSC"
    private const int SnapshotVersion = 1;
    /// <summary>At most this many RSTs a second (a stream of stray ACKs must not become a stream of RSTs).</summary>
    public const int MaxResetsPerSecond = 1000;

    /// <summary>Entries restored from a snapshot at start.</summary>
    public ulong ConnectionsRestored;
    /// <summary>
    /// Unknown TCP flows scheduled from a non-SYN packet, as sloppy_tcp does: on an mh service or with sloppy_tcp on
    /// (DirectorEngine.Sloppy.cs), and after a restart (sh, dh, a restored template).
    /// </summary>
    public ulong SloppyConnections;
    /// <summary>RSTs sent to clients whose flow the table does not know and cannot place.</summary>
    public ulong ResetsSent;

    /// <summary>Until when (engine clock) a non-SYN packet of an unknown flow may be one the restarted director forgot.</summary>
    private long _restartGraceUntilMs = long.MinValue;
    private long _resetSecond;
    private int _resetsThisSecond;
    private readonly byte[] _resetFrame = new byte[Frames.EthHeader + 40];

    /// <summary>A scheduler that gives a flow the same real server every time it is asked (a hash over a fixed table).</summary>
    private static bool SchedulesConsistently(ServiceRuntime svc) =>
        svc.SchedulerKind is LvsScheduler.Sh or LvsScheduler.Mh or LvsScheduler.Dh;

    /// <summary>
    /// A TCP packet without SYN of a flow the table does not know: scheduled where the scheduler places it as it placed
    /// the flow before (sloppy_tcp), else, unless it is a RST, answered with a RST. Returns the new entry or null.
    /// </summary>
    private Connection? UnknownTcpFlow(in Ipv4Packet p, ServiceRuntime svc, in ConnKey key, byte flags, long now)
    {
        if ((flags & Frames.Rst) != 0) return null;
        var ctx = new SchedulingContext(key.ClientAddress, key.ClientPort, key.VirtualAddress, key.VirtualPort, now);
        Connection? conn = null;
        if (svc.PersistentTimeout != 0)
        {
            // Persistence: the client's template (restored with the table) names the real server it had.
            if (_connections.Find(TemplateKey(svc, key)) is { Dest.Removed: false } && AdmitNewConnection(in key, true, now))
                conn = NewPersistentConnection(svc, key, ctx, now);
        }
        else if (SchedulesConsistently(svc) && AdmitNewConnection(in key, false, now))
        {
            conn = NewConnection(svc, key, svc.Scheduler.Schedule(svc.Destinations, ctx), null);
        }
        if (conn is not null) { SloppyConnections++; return conn; }
        SendReset(in p, now);
        return null;
    }

    /// <summary>
    /// RFC 793's reset for a segment that belongs to no connection: from VIP:vport back to the client; with the
    /// segment's ACK number as its sequence when the segment has ACK, else RST+ACK acknowledging the segment.
    /// </summary>
    private void SendReset(in Ipv4Packet p, long now)
    {
        long second = now / 1000;
        if (second != _resetSecond) { _resetSecond = second; _resetsThisSecond = 0; }
        if (++_resetsThisSecond > MaxResetsPerSecond) return;

        var tcpIn = p.L4;
        if (tcpIn.Length < 20) return;
        byte flags = tcpIn[13];
        int dataOffset = (tcpIn[12] >> 4) * 4;
        uint seqLen = (uint)Math.Max(0, p.TotalLength - p.Ihl - dataOffset);
        if ((flags & Frames.Syn) != 0) seqLen++;
        if ((flags & Frames.Fin) != 0) seqLen++;

        var f = _resetFrame.AsSpan();
        f.Clear();
        p.Frame.Slice(6, 6).CopyTo(f);     // back to the sender's MAC
        _mac.CopyTo(f.Slice(6));
        Frames.W16(f, 12, Frames.EtherTypeIPv4);
        var ip = f.Slice(Frames.EthHeader, 20);
        ip[0] = 0x45;
        Frames.W16(ip, 2, 40);
        ip[8] = 64;
        ip[9] = Frames.ProtoTcp;
        Frames.W32(ip, 12, p.Destination);
        Frames.W32(ip, 16, p.Source);
        Frames.W16(ip, 10, Checksum(ip));
        var tcp = f.Slice(Frames.EthHeader + 20, 20);
        Frames.W16(tcp, 0, p.DestinationPort);
        Frames.W16(tcp, 2, p.SourcePort);
        if ((flags & Frames.Ack) != 0)
        {
            Frames.W32(tcp, 4, Frames.U32(tcpIn, 8));
            tcp[13] = Frames.Rst;
        }
        else
        {
            Frames.W32(tcp, 8, Frames.U32(tcpIn, 4) + seqLen);
            tcp[13] = (byte)(Frames.Rst | Frames.Ack);
        }
        tcp[12] = 5 << 4;
        Frames.W16(tcp, 16, TcpChecksum(p.Destination, p.Source, tcp));
        _sink.Send(f);
        ResetsSent++;
        if (_resetsThisSecond == 1)
            Log?.Invoke(LvsLogSource.DataPath, LvsLogSeverity.Notice, $"restart: RST to {Frames.ToAddress(p.Source)}:{p.SourcePort} for an unknown flow to {Frames.ToAddress(p.Destination)}:{p.DestinationPort} (its scheduler cannot place it again); {ResetsSent} RST(s) so far");
    }

    /// <summary>The TCP checksum over the pseudo header and a 20-byte segment.</summary>
    private ushort TcpChecksum(uint source, uint destination, ReadOnlySpan<byte> segment)
    {
        Span<byte> buf = stackalloc byte[12 + 20];
        Frames.W32(buf, 0, source);
        Frames.W32(buf, 4, destination);
        buf[9] = Frames.ProtoTcp;
        Frames.W16(buf, 10, (ushort)segment.Length);
        segment.CopyTo(buf.Slice(12));
        return Checksum(buf.Slice(0, 12 + segment.Length));
    }

    // ------------------------------------------------------------------ snapshot

    /// <summary>
    /// The table as bytes: every entry but those still in their opening handshake (their clients send the SYN again),
    /// with what is left of its timer; templates first, so a connection's template is there when it is read back.
    /// </summary>
    public byte[] SnapshotConnections(long unixNowMs)
    {
        lock (Sync)
        {
            long now = _clockMs();
            using var ms = new MemoryStream();
            using var w = new BinaryWriter(ms);
            w.Write(SnapshotMagic);
            w.Write(SnapshotVersion);
            w.Write(unixNowMs);
            long countAt = ms.Position;
            w.Write(0);
            int n = 0;
            foreach (var pass in new[] { true, false })
                foreach (var c in _connections.All())
                {
                    if (c.IsTemplate != pass || IsEmbryonic(c) || c.Dest.Removed) continue;
                    WriteEntry(w, c, now);
                    n++;
                }
            w.Flush();
            var bytes = ms.ToArray();
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan((int)countAt), n);
            return bytes;
        }
    }

    private static void WriteKey(BinaryWriter w, in ConnKey k)
    {
        w.Write(k.Protocol); w.Write(k.ClientAddress); w.Write(k.ClientPort); w.Write(k.VirtualAddress); w.Write(k.VirtualPort);
    }

    private static ConnKey ReadKey(BinaryReader r) => new(r.ReadByte(), r.ReadUInt32(), r.ReadUInt16(), r.ReadUInt32(), r.ReadUInt16());

    private static void WriteEntry(BinaryWriter w, Connection c, long now)
    {
        WriteKey(w, c.Key);
        w.Write(c.Service.Key);
        w.Write(c.Dest.AddressValue);
        w.Write(c.Dest.Port);
        w.Write(c.RealPort);
        w.Write((byte)c.Forwarding);
        w.Write((byte)c.Link);
        w.Write((byte)c.State);
        byte flags = (byte)((c.IsTemplate ? 1 : 0) | (c.Control is not null ? 2 : 0) | (c.HasClientMac ? 4 : 0));
        w.Write(flags);
        w.Write(Math.Max(0, c.ExpiresAtMs - now));
        w.Write(c.Packets);
        w.Write(c.TimeoutMs);
        if (c.Control is not null) WriteKey(w, c.Control.Key);
        if (c.ClientMacBytes() is { } mac) w.Write(mac);
    }

    /// <summary>
    /// Reads a snapshot back (after the services): each entry whose service and real server still exist is put in the
    /// table, bound as before, with what was left of its timer less the time since the snapshot; the rest are skipped.
    /// A snapshot that cannot be read changes nothing. Returns the entries restored.
    /// </summary>
    public int RestoreConnections(byte[] data, long unixNowMs)
    {
        lock (Sync)
        {
            var entries = new List<(Connection Conn, ConnKey? Control)>();
            try
            {
                using var r = new BinaryReader(new MemoryStream(data, false));
                if (r.ReadUInt32() != SnapshotMagic || r.ReadInt32() != SnapshotVersion) return 0;
                long elapsed = Math.Max(0, unixNowMs - r.ReadInt64());
                int count = r.ReadInt32();
                long now = _clockMs();
                _restartGraceUntilMs = now + Timeouts.Tcp * 1000L;
                for (int i = 0; i < count; i++)
                {
                    var key = ReadKey(r);
                    ulong svcKey = r.ReadUInt64();
                    uint daddr = r.ReadUInt32();
                    ushort dport = r.ReadUInt16();
                    ushort realPort = r.ReadUInt16();
                    var fwd = (LvsForwarding)r.ReadByte();
                    int link = r.ReadByte();
                    var state = (LvsConnectionState)r.ReadByte();
                    byte flags = r.ReadByte();
                    long left = r.ReadInt64() - elapsed;
                    ulong packets = r.ReadUInt64();
                    long timeoutMs = r.ReadInt64();
                    ConnKey? control = (flags & 2) != 0 ? ReadKey(r) : null;
                    byte[]? mac = (flags & 4) != 0 ? r.ReadBytes(6) : null;
                    if (left <= 0 || !_services.TryGetValue(svcKey, out var svc)) continue;
                    var dest = svc.FindDestination(daddr, dport);
                    if (dest is null || dest.Removed || _connections.Find(key) is not null) continue;
                    var entry = new Connection
                    {
                        Key = key, Dest = dest, Service = svc, State = state, Inactive = true, IsTemplate = (flags & 1) != 0,
                        Forwarding = fwd, Link = link, RealPort = realPort, ExpiresAtMs = now + left, Packets = packets,
                        TimeoutMs = timeoutMs,
                    };
                    if (mac is { Length: 6 }) entry.SetClientMac(mac);
                    entries.Add((entry, control));
                }
            }
            catch (EndOfStreamException)
            {
                return 0;
            }
            int restored = 0;
            foreach (var (c, control) in entries)
            {
                if (_connections.Count >= _maxConnections) break;
                if (c.IsTemplate)
                {
                    c.Dest.PersistentConnections++;
                }
                else
                {
                    if (control is { } ck && _connections.Find(ck) is { IsTemplate: true } t) { c.Control = t; t.Controlled++; }
                    c.Dest.InactiveConnections++;
                    bool active = c.Key.Protocol == Frames.ProtoSctp ? SctpStateTable.IsActive(c.State)
                        : c.Key.Protocol == Frames.ProtoTcp && TcpStateTable.IsActive(c.State);
                    SetState(c, c.State, active);
                    if (c.Forwarding == LvsForwarding.Masq && c.HasClientMac)
                    {
                        _replies[new ConnKey(c.Key.Protocol, c.Dest.AddressValue, c.RealPort, c.Key.ClientAddress, c.Key.ClientPort)] = c;
                        c.InReplyIndex = true;
                    }
                }
                _connections.Add(c);
                restored++;
            }
            ConnectionsRestored += (ulong)restored;
            return restored;
        }
    }
}
