using System.Buffers.Binary;
using System.Text;

namespace LvsPS.Ipvs.Sync;

/// <summary>
/// Why a received message, or one entry of it, was not (wholly) used: the checks of ip_vs_process_message and
/// ip_vs_proc_sync_conn, in their order. The message-level ones drop the rest of the message (entries before the
/// fault were used, as the kernel's backup has applied them by then); the entry-level ones skip one entry.
/// </summary>
public enum SyncDropReason : long
{
    // ------------------------------------------------------------------ the whole message (or its rest)
    /// <summary>Shorter than a version 0 header (4 bytes).</summary>
    HeaderTooShort,
    /// <summary>The header's size is not the datagram's length.</summary>
    SizeMismatch,
    /// <summary>Another sync id than the backup's (a backup with sync id 0 takes any).</summary>
    SyncIdIgnored,
    /// <summary>A version 0 message (reserved byte not 0, version not 1 or spare not 0): lvsd reads version 1 only.</summary>
    Version0,
    /// <summary>An entry runs past the end of the message (or there is no room for the next one).</summary>
    EntryTruncated,
    /// <summary>An entry's version (top 4 bits of ver_size) is not 0.</summary>
    EntryVersion,
    /// <summary>An entry's type is neither IPv4 (0) nor IPv6 (bit 0): -10.</summary>
    EntryType,
    /// <summary>An entry's size is smaller than its fixed part (-20), or an option header or data is cut short (-30, -40).</summary>
    EntrySize,
    /// <summary>A sequence option of the wrong length or given twice (-50).</summary>
    BadSequenceOption,
    /// <summary>Persistence-engine data or name given twice, or a name longer than 16 (-60, -70).</summary>
    BadPeOption,

    // ------------------------------------------------------------------ one entry
    /// <summary>An IPv6 entry (lvsd is IPv4 only): skipped.</summary>
    Ipv6,
    /// <summary>An unknown mandatory parameter (type without IPVS_OPT_F_PARAM): the entry is skipped (retc 20).</summary>
    UnknownMandatoryOption,
    /// <summary>A protocol the backup does not handle (not TCP, UDP or SCTP) (retc 30).</summary>
    UnsupportedProtocol,
    /// <summary>A state number beyond the protocol's states (retc 40).</summary>
    InvalidState,
    /// <summary>Persistence-engine data (lvsd has no persistence engine), or data without a name (retc 50).</summary>
    PersistenceEngine,
}

/// <summary>The entries a message carried and what was dropped or skipped.</summary>
public sealed class SyncDecodeResult
{
    public byte SyncId { get; internal set; }
    /// <summary>The entries to install, in message order.</summary>
    public List<SyncConnection> Entries { get; } = new();
    /// <summary>Why the message (or its rest) was dropped; null when every entry was read.</summary>
    public SyncDropReason? Dropped { get; internal set; }
    /// <summary>Entries skipped one by one, with why.</summary>
    public List<SyncDropReason> Skipped { get; } = new();
}

/// <summary>Counts by <see cref="SyncDropReason"/> (thread-safe; read as a snapshot).</summary>
public sealed class SyncDropCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<SyncDropReason>().Length];

    public void Count(SyncDropReason reason) => Interlocked.Increment(ref _counts[(int)reason]);

    public void Count(SyncDecodeResult r)
    {
        if (r.Dropped is { } d) Count(d);
        foreach (var s in r.Skipped) Count(s);
    }

    public long this[SyncDropReason reason] => Interlocked.Read(ref _counts[(int)reason]);

    /// <summary>The reasons counted at least once, with their counts.</summary>
    public Dictionary<SyncDropReason, long> Snapshot() =>
        Enum.GetValues<SyncDropReason>().Where(r => this[r] != 0).ToDictionary(r => r, r => this[r]);
}

/// <summary>
/// Encodes and decodes ip_vs_sync.c's protocol version 1 (network byte order). No I/O: the daemons around it own the
/// sockets. Decoding never throws: every fault of a datagram is a <see cref="SyncDropReason"/>.
/// </summary>
public static class SyncCodec
{
    /// <summary>
    /// The messages that carry <paramref name="entries"/>, in order, as the kernel's master fills its buffers: each
    /// message at most <paramref name="maxLength"/> bytes (but always room for one entry), at most 255 entries, every
    /// entry after the first padded to 32 bits (the padding counted in the size, none after the last).
    /// </summary>
    public static List<byte[]> Encode(byte syncId, IEnumerable<SyncConnection> entries, int maxLength)
    {
        var messages = new List<byte[]>();
        byte[]? buf = null;
        int head = 0, count = 0;
        void Finish()
        {
            if (buf is null) return;
            buf[4] = (byte)count;
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), (ushort)head);
            messages.Add(buf.AsSpan(0, head).ToArray());
            buf = null;
        }
        foreach (var e in entries)
        {
            int len = e.WireSize;
            int pad = (4 - head) & 3;
            if (buf is not null && (head + pad + len > buf.Length || count == SyncWire.MaxEntriesPerMessage)) Finish();
            if (buf is null)
            {
                buf = new byte[Math.Max(len + SyncWire.HeaderSize, maxLength)];
                buf[0] = 0;             // reserved: a version 0 receiver reads it as nr_conns 0 and drops the message
                buf[1] = syncId;
                buf[5] = SyncWire.ProtocolVersion;
                head = SyncWire.HeaderSize;
                count = 0;
                pad = 0;
            }
            head += pad;                // the padding bytes are already 0
            WriteEntry(buf.AsSpan(head, len), e, len);
            head += len;
            count++;
        }
        Finish();
        return messages;
    }

    private static void WriteEntry(Span<byte> s, SyncConnection e, int len)
    {
        s[0] = 0;                       // type: IPv4
        s[1] = e.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], (ushort)(len & SyncWire.SizeMask)); // version 0
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], (uint)(e.Flags & ~SyncConnectionFlags.Hashed));
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], e.State);
        BinaryPrimitives.WriteUInt16BigEndian(s[10..], e.ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(s[12..], e.VirtualPort);
        BinaryPrimitives.WriteUInt16BigEndian(s[14..], e.DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(s[16..], e.FirewallMark);
        BinaryPrimitives.WriteUInt32BigEndian(s[20..], e.TimeoutSeconds);
        BinaryPrimitives.WriteUInt32BigEndian(s[24..], e.ClientAddress);
        BinaryPrimitives.WriteUInt32BigEndian(s[28..], e.VirtualAddress);
        BinaryPrimitives.WriteUInt32BigEndian(s[32..], e.DestinationAddress);
        int p = SyncWire.EntryV4Size;
        if (e.Sequence is { } seq)
        {
            s[p++] = SyncWire.OptionSeqData;
            s[p++] = SyncWire.SequenceOptionSize;
            WriteSeq(s[p..], seq.In); p += 12;
            WriteSeq(s[p..], seq.Out); p += 12;
        }
        if (e.PeData is { Length: > 0 } data)
        {
            s[p++] = SyncWire.OptionPeData;
            s[p++] = (byte)data.Length;
            data.CopyTo(s[p..]); p += data.Length;
            if (e.PeName is { Length: > 0 } name)
            {
                s[p++] = SyncWire.OptionPeName;
                s[p++] = (byte)name.Length;
                Encoding.ASCII.GetBytes(name, s[p..]); p += name.Length;
            }
        }
    }

    private static void WriteSeq(Span<byte> s, SyncSequence q)
    {
        BinaryPrimitives.WriteUInt32BigEndian(s, q.InitSeq);
        BinaryPrimitives.WriteInt32BigEndian(s[4..], q.Delta);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], q.PreviousDelta);
    }

    private static SyncSequence ReadSeq(ReadOnlySpan<byte> s) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(s), BinaryPrimitives.ReadInt32BigEndian(s[4..]), BinaryPrimitives.ReadInt32BigEndian(s[8..]));

    /// <summary>
    /// Decodes one datagram as the kernel's backup reads it (ip_vs_process_message): the length against the header's
    /// size, the sync id (<paramref name="backupSyncId"/> 0 = any), version 1, then entry by entry. The flags of each
    /// entry are masked with IP_VS_CONN_F_BACKUP_MASK and marked IP_VS_CONN_F_SYNC, as the backup keeps them.
    /// </summary>
    public static SyncDecodeResult Decode(ReadOnlySpan<byte> buffer, byte backupSyncId = 0)
    {
        var r = new SyncDecodeResult();
        if (buffer.Length < SyncWire.HeaderV0Size) { r.Dropped = SyncDropReason.HeaderTooShort; return r; }
        if (buffer.Length != BinaryPrimitives.ReadUInt16BigEndian(buffer[2..])) { r.Dropped = SyncDropReason.SizeMismatch; return r; }
        r.SyncId = buffer[1];
        if (backupSyncId != 0 && buffer[1] != backupSyncId) { r.Dropped = SyncDropReason.SyncIdIgnored; return r; }
        if (buffer.Length < SyncWire.HeaderSize || buffer[5] != SyncWire.ProtocolVersion || buffer[0] != 0
            || buffer[6] != 0 || buffer[7] != 0)
        {
            r.Dropped = SyncDropReason.Version0;
            return r;
        }
        int count = buffer[4];
        int next = SyncWire.HeaderSize;
        for (int i = 0; i < count; i++)
        {
            int p = next;
            if (p + SyncWire.EntryV4Size > buffer.Length) { r.Dropped = SyncDropReason.EntryTruncated; return r; }
            ushort verSize = BinaryPrimitives.ReadUInt16BigEndian(buffer[(p + 2)..]);
            int size = verSize & SyncWire.SizeMask;
            if (p + size > buffer.Length) { r.Dropped = SyncDropReason.EntryTruncated; return r; }
            if (verSize >> SyncWire.VersionShift != 0) { r.Dropped = SyncDropReason.EntryVersion; return r; }
            var drop = DecodeEntry(buffer[p..], size, r);
            if (drop is { } d) { r.Dropped = d; return r; }
            next = p + ((size + 3) & ~3);
        }
        return r;
    }

    /// <summary>
    /// One entry (ip_vs_proc_sync_conn) of <paramref name="size"/> bytes at the start of <paramref name="rest"/> (which
    /// holds at least the fixed IPv4 part, as the caller checked): a message-level fault is returned, an entry-level
    /// one recorded. The fixed fields are read from the message even when the size claims less, as the kernel reads
    /// them; the options end at the size.
    /// </summary>
    private static SyncDropReason? DecodeEntry(ReadOnlySpan<byte> rest, int size, SyncDecodeResult r)
    {
        var s = rest[..Math.Max(size, SyncWire.EntryV4Size)];
        int end = size;
        byte type = s[0];
        bool v6;
        if ((type & SyncWire.TypeInet6) != 0) v6 = true;
        else if (type == 0) v6 = false;
        else return SyncDropReason.EntryType;
        int p = v6 ? SyncWire.EntryV6Size : SyncWire.EntryV4Size;
        if (p > end) return SyncDropReason.EntrySize;

        (SyncSequence, SyncSequence)? seq = null;
        byte[]? peData = null;
        string? peName = null;
        SyncDropReason? skip = null;
        while (p < end)
        {
            if (p + 2 > end) return SyncDropReason.EntrySize;
            int ptype = s[p++];
            int plen = s[p++];
            if (plen == 0 || p + plen > end) return SyncDropReason.EntrySize;
            var data = s.Slice(p, plen);
            switch (ptype & ~SyncWire.OptionFlagParam)
            {
                case SyncWire.OptionSeqData:
                    if (plen != SyncWire.SequenceOptionSize || seq is not null) return SyncDropReason.BadSequenceOption;
                    seq = (ReadSeq(data), ReadSeq(data[12..]));
                    break;
                case SyncWire.OptionPeData:
                    if (peData is not null) return SyncDropReason.BadPeOption;
                    peData = data.ToArray();
                    break;
                case SyncWire.OptionPeName:
                    if (plen > SyncWire.PeNameMaxLength || peName is not null) return SyncDropReason.BadPeOption;
                    peName = Encoding.ASCII.GetString(data);
                    break;
                default:
                    // An unknown parameter is skipped when it says it may be (IPVS_OPT_F_PARAM), else the entry is.
                    if ((ptype & SyncWire.OptionFlagParam) == 0) { r.Skipped.Add(SyncDropReason.UnknownMandatoryOption); return null; }
                    break;
            }
            p += plen;
        }

        var flags = ((SyncConnectionFlags)BinaryPrimitives.ReadUInt32BigEndian(s[4..]) & SyncConnectionFlags.BackupMask)
                    | SyncConnectionFlags.Sync;
        ushort state = BinaryPrimitives.ReadUInt16BigEndian(s[8..]);
        byte protocol = s[1];
        bool template = (flags & SyncConnectionFlags.Template) != 0;
        if (!template && !SyncStates.IsSupportedProtocol(protocol)) skip = SyncDropReason.UnsupportedProtocol;
        else if (!template && state >= SyncStates.StateCount(protocol)) skip = SyncDropReason.InvalidState;
        else if (peData is not null) skip = SyncDropReason.PersistenceEngine;
        else if (v6) skip = SyncDropReason.Ipv6;
        if (skip is { } k) { r.Skipped.Add(k); return null; }

        r.Entries.Add(new SyncConnection
        {
            Protocol = protocol,
            Flags = flags,
            State = state,
            ClientPort = BinaryPrimitives.ReadUInt16BigEndian(s[10..]),
            VirtualPort = BinaryPrimitives.ReadUInt16BigEndian(s[12..]),
            DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(s[14..]),
            FirewallMark = BinaryPrimitives.ReadUInt32BigEndian(s[16..]),
            TimeoutSeconds = BinaryPrimitives.ReadUInt32BigEndian(s[20..]),
            ClientAddress = BinaryPrimitives.ReadUInt32BigEndian(s[24..]),
            VirtualAddress = BinaryPrimitives.ReadUInt32BigEndian(s[28..]),
            DestinationAddress = BinaryPrimitives.ReadUInt32BigEndian(s[32..]),
            Sequence = seq,
            PeName = peName,
        });
        return null;
    }
}
