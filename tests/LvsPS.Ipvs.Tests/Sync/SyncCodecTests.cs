using LvsPS.Ipvs.Sync;
using F = LvsPS.Ipvs.Sync.SyncConnectionFlags;

namespace LvsPS.Ipvs.Tests.Sync;

/// <summary>
/// ip_vs_sync.c protocol version 1: byte-exact vectors laid out by hand from the kernel's structs (struct
/// ip_vs_sync_mesg, 8 bytes; struct ip_vs_sync_v4, 36 bytes; options as type, length, data; 32-bit padding between
/// entries), and the backup's checks, each with its reason.
/// </summary>
public class SyncCodecTests
{
    private static uint A(string s) => (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(IPAddress.Parse(s).GetAddressBytes()));

    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", "").Replace("|", ""));

    /// <summary>192.168.10.200:40000 -> 192.168.10.101:80 -> 192.168.10.3:80, DR, ESTABLISHED, 900 s.</summary>
    private static readonly SyncConnection Established = new()
    {
        Protocol = 6, Flags = F.DirectRoute | F.NoOutput, State = 1, ClientPort = 40000, VirtualPort = 80,
        DestinationPort = 80, TimeoutSeconds = 900, ClientAddress = A("192.168.10.200"),
        VirtualAddress = A("192.168.10.101"), DestinationAddress = A("192.168.10.3"),
    };

    // type 0, proto 6, ver_size 0x0024 | flags 0x00000083 | state 1, cport 40000 | vport 80, dport 80 | fwmark 0 |
    // timeout 900 | caddr | vaddr | daddr
    private const string EstablishedEntry =
        "00 06 0024 | 00000083 | 0001 9c40 | 0050 0050 | 00000000 | 00000384 | c0a80ac8 | c0a80a65 | c0a80a03";

    [Fact]
    public void OneIPv4Entry_IsTheKernelsLayoutByteForByte()
    {
        var m = Assert.Single(SyncCodec.Encode(7, new[] { Established }, 1472));
        // reserved 0, syncid 7, size 44 | nr_conns 1, version 1, spare 0
        Assert.Equal(Hex("00 07 002c | 01 01 0000 | " + EstablishedEntry), m);
    }

    [Fact]
    public void ATemplate_CarriesItsFlagsAndNoClientPort()
    {
        var t = Established with
        {
            Flags = F.Template | F.Inactive | F.DirectRoute | F.NoOutput, State = 0, ClientPort = 0, TimeoutSeconds = 300,
        };
        var m = Assert.Single(SyncCodec.Encode(1, new[] { t }, 1472));
        Assert.Equal(Hex("00 01 002c 01 01 0000 | 00 06 0024 00001183 0000 0000 0050 0050 00000000 0000012c c0a80ac8 c0a80a65 c0a80a03"), m);
        var back = Assert.Single(SyncCodec.Decode(m).Entries);
        Assert.True(back.IsTemplate);
        Assert.Equal(t with { Flags = t.Flags | F.Sync }, back);
    }

    [Fact]
    public void ASequenceOption_IsParamTypeLengthData_AndTheNextEntryIsPaddedTo32Bits()
    {
        var nat = Established with
        {
            Flags = F.Masq | F.InSeq | F.OutSeq, Sequence = (new SyncSequence(0x01020304, 5, -1), new SyncSequence(0xA0B0C0D0, -2, 0)),
        };
        var m = Assert.Single(SyncCodec.Encode(2, new[] { nat, Established }, 1472));
        // 8 + (36 + 2 + 24 = 62) + 2 padding + 36 = 108 bytes, 2 entries
        Assert.Equal(Hex(
            "00 02 006c 02 01 0000 | 00 06 003e 00000600 0001 9c40 0050 0050 00000000 00000384 c0a80ac8 c0a80a65 c0a80a03" +
            " 01 18 01020304 00000005 ffffffff a0b0c0d0 fffffffe 00000000 | 0000 | " + EstablishedEntry), m);
        var r = SyncCodec.Decode(m);
        Assert.Null(r.Dropped);
        Assert.Equal(new[] { nat with { Flags = nat.Flags | F.Sync }, Established with { Flags = Established.Flags | F.Sync } }, r.Entries);
    }

    [Fact]
    public void Messages_AreSplitAtTheMaximumLength_And255Entries()
    {
        var many = Enumerable.Range(0, 100).Select(i => Established with { ClientPort = (ushort)(1000 + i) }).ToList();
        // 8 + 40 * 36 = 1448 <= 1472 < 1484: forty to a message.
        var ms = SyncCodec.Encode(0, many, 1472);
        Assert.Equal(new[] { 40, 40, 20 }, ms.Select(m => (int)m[4]));
        Assert.All(ms, m => Assert.True(m.Length <= 1472));
        Assert.Equal(many, ms.SelectMany(m => SyncCodec.Decode(m).Entries).Select(e => e with { Flags = e.Flags & ~F.Sync }));
        var lots = Enumerable.Range(0, 300).Select(i => Established with { ClientPort = (ushort)i }).ToList();
        Assert.Equal(new[] { 255, 45 }, SyncCodec.Encode(0, lots, 65507).Select(m => (int)m[4]));
        // A length too small for any entry still carries one entry per message (ip_vs_sync_buff_create).
        Assert.Equal(new[] { 44, 44 }, SyncCodec.Encode(0, many.Take(2), 1).Select(m => m.Length));
        Assert.Empty(SyncCodec.Encode(0, Array.Empty<SyncConnection>(), 1472));
    }

    [Theory]
    [InlineData(SyncDaemonRole.Master, 1500, 0, 1472)]
    [InlineData(SyncDaemonRole.Master, 9000, 0, 1472)]   // a master assumes 1500 whatever the MTU
    [InlineData(SyncDaemonRole.Backup, 9000, 0, 8972)]
    [InlineData(SyncDaemonRole.Backup, 1280, 0, 1472)]   // a backup's MTU is clamped to at least 1500
    [InlineData(SyncDaemonRole.Backup, 1500, 100, 1024)] // --sync-maxlen clamped to [1024, 65507] on a backup
    [InlineData(SyncDaemonRole.Master, 1500, 100, 100)]
    [InlineData(SyncDaemonRole.Master, 1500, 70000, 65507)]
    public void TheMaximumLength_IsTheKernels(SyncDaemonRole role, int mtu, int requested, int expected) =>
        Assert.Equal(expected, SyncWire.MaxLength(role, mtu, requested));

    private static byte[] Message(params SyncConnection[] e) => SyncCodec.Encode(7, e, 1472)[0];

    [Fact]
    public void TheBackup_FiltersBySyncId_ZeroTakesAny()
    {
        var m = Message(Established);
        Assert.Single(SyncCodec.Decode(m, 0).Entries);
        Assert.Single(SyncCodec.Decode(m, 7).Entries);
        var other = SyncCodec.Decode(m, 5);
        Assert.Equal(SyncDropReason.SyncIdIgnored, other.Dropped);
        Assert.Empty(other.Entries);
    }

    [Fact]
    public void ReceivedFlags_AreMaskedWithTheBackupMask_AndMarkedSync()
    {
        var m = Message(Established);
        m[8 + 4] = 0xff; m[8 + 5] = 0xff; m[8 + 6] = 0xff; m[8 + 7] = 0xff;
        var e = Assert.Single(SyncCodec.Decode(m).Entries);
        // FWD_MASK | NOOUTPUT | INACTIVE | SEQ_MASK | NO_CPORT | TEMPLATE = 0x1f87, | SYNC 0x20
        Assert.Equal(0x1fa7u, (uint)e.Flags);
    }

    public static IEnumerable<object[]> Faults()
    {
        byte[] M(Action<byte[]> change, params SyncConnection[] e) { var m = Message(e.Length == 0 ? new[] { Established } : e); change(m); return m; }
        yield return new object[] { new byte[] { 0, 7, 0 }, SyncDropReason.HeaderTooShort, 0 };
        yield return new object[] { M(m => m[3]++), SyncDropReason.SizeMismatch, 0 };
        yield return new object[] { M(m => m[5] = 0), SyncDropReason.Version0, 0 };
        yield return new object[] { M(m => m[0] = 1), SyncDropReason.Version0, 0 };
        yield return new object[] { M(m => m[7] = 1), SyncDropReason.Version0, 0 };
        yield return new object[] { M(m => m[4] = 2), SyncDropReason.EntryTruncated, 1 };     // a second entry that is not there
        yield return new object[] { M(m => m[8 + 3] = 0x28), SyncDropReason.EntryTruncated, 0 };  // size past the end
        yield return new object[] { M(m => m[8 + 2] = 0x10), SyncDropReason.EntryVersion, 0 };
        yield return new object[] { M(m => m[8] = 2), SyncDropReason.EntryType, 0 };
        yield return new object[] { M(m => m[8 + 3] = 0x20), SyncDropReason.EntrySize, 0 };       // smaller than ip_vs_sync_v4
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void AMalformedMessage_IsDroppedWithItsReason(byte[] message, SyncDropReason reason, int entriesBefore)
    {
        var r = SyncCodec.Decode(message);
        Assert.Equal(reason, r.Dropped);
        Assert.Equal(entriesBefore, r.Entries.Count);
    }

    /// <summary>A message of two entries, the first with these option bytes appended (padded), the second plain.</summary>
    private static byte[] WithOptions(byte[] options, SyncConnection? first = null)
    {
        int len = 36 + options.Length, pad = (4 - len % 4) & 3;
        var m = new byte[8 + len + pad + 36];
        var one = Message(first ?? Established);
        one.AsSpan(8, 36).CopyTo(m.AsSpan(8));
        options.CopyTo(m, 8 + 36);
        m[8 + 2] = (byte)(len >> 8); m[8 + 3] = (byte)len;
        one.AsSpan(8, 36).CopyTo(m.AsSpan(8 + len + pad));
        m[1] = 7; m[2] = (byte)(m.Length >> 8); m[3] = (byte)m.Length; m[4] = 2; m[5] = 1;
        return m;
    }

    [Fact]
    public void Options_AreCheckedAsTheKernelDoes()
    {
        var seq = new byte[26]; seq[0] = 1; seq[1] = 24;
        Assert.Equal(2, SyncCodec.Decode(WithOptions(seq)).Entries.Count);
        Assert.Equal(SyncDropReason.BadSequenceOption, SyncCodec.Decode(WithOptions(new byte[] { 1, 4, 0, 0, 0, 0 })).Dropped);
        Assert.Equal(SyncDropReason.BadSequenceOption, SyncCodec.Decode(WithOptions(seq.Concat(seq).ToArray())).Dropped);
        Assert.Equal(SyncDropReason.EntrySize, SyncCodec.Decode(WithOptions(new byte[] { 1, 0 })).Dropped);      // length 0
        Assert.Equal(SyncDropReason.EntrySize, SyncCodec.Decode(WithOptions(new byte[] { 1, 30, 0, 0 })).Dropped); // past the entry
        Assert.Equal(SyncDropReason.EntrySize, SyncCodec.Decode(WithOptions(new byte[] { 1 })).Dropped);        // half a header
        var longName = new byte[] { 3, 17 }.Concat(new byte[17]).ToArray();
        Assert.Equal(SyncDropReason.BadPeOption, SyncCodec.Decode(WithOptions(longName)).Dropped);
        Assert.Equal(SyncDropReason.BadPeOption, SyncCodec.Decode(WithOptions(new byte[] { 2, 1, 9, 2, 1, 9 })).Dropped);

        // An unknown optional parameter (IPVS_OPT_F_PARAM, 64) is stepped over; an unknown mandatory one skips the entry.
        Assert.Equal(2, SyncCodec.Decode(WithOptions(new byte[] { 64 | 9, 2, 0, 0 })).Entries.Count);
        var r = SyncCodec.Decode(WithOptions(new byte[] { 9, 2, 0, 0 }));
        Assert.Equal((null, 1), (r.Dropped, r.Entries.Count));
        Assert.Equal(SyncDropReason.UnknownMandatoryOption, Assert.Single(r.Skipped));

        // Persistence-engine data: lvsd has no engine for it, the entry is skipped (data without a name too).
        r = SyncCodec.Decode(WithOptions(new byte[] { 2, 3, 1, 2, 3, 3, 3, (byte)'s', (byte)'i', (byte)'p' }));
        Assert.Equal((SyncDropReason?)null, r.Dropped);
        Assert.Equal(SyncDropReason.PersistenceEngine, Assert.Single(r.Skipped));
        Assert.Single(r.Entries);
    }

    [Fact]
    public void EntriesOfOtherProtocols_BadStates_AndIPv6_AreSkippedOneByOne()
    {
        var ah = SyncCodec.Decode(Message(Established with { Protocol = 51 }, Established));
        Assert.Equal(SyncDropReason.UnsupportedProtocol, Assert.Single(ah.Skipped));
        Assert.Single(ah.Entries);
        var bad = SyncCodec.Decode(Message(Established with { State = 11 }, Established with { Protocol = 17, State = 1 }, Established));
        Assert.Equal(new[] { SyncDropReason.InvalidState, SyncDropReason.InvalidState }, bad.Skipped);
        Assert.Single(bad.Entries);
        // A template's state is not checked against the protocol (only logged by the kernel).
        Assert.Single(SyncCodec.Decode(Message(Established with { Protocol = 0, Flags = F.Template, State = 5 })).Entries);

        // An IPv6 entry (type 1, 72 bytes) between two IPv4 ones.
        var v4 = Message(Established).AsSpan(8, 36).ToArray();
        var v6 = new byte[72]; v6[0] = 1; v6[1] = 6; v6[3] = 72;
        var m = new byte[8 + 36 + 72 + 36];
        v4.CopyTo(m, 8); v6.CopyTo(m, 44); v4.CopyTo(m, 116);
        m[2] = 0; m[3] = (byte)m.Length; m[4] = 3; m[5] = 1;
        var r = SyncCodec.Decode(m);
        Assert.Null(r.Dropped);
        Assert.Equal(2, r.Entries.Count);
        Assert.Equal(SyncDropReason.Ipv6, Assert.Single(r.Skipped));
    }

    [Fact]
    public void EntriesBeforeAFault_AreKept_AsTheKernelHasAppliedThem()
    {
        var m = Message(Established, Established with { ClientPort = 2 });
        m[8 + 36 + 2] = 0x10; // the second entry's version
        var r = SyncCodec.Decode(m);
        Assert.Equal(SyncDropReason.EntryVersion, r.Dropped);
        Assert.Single(r.Entries);
        var counters = new SyncDropCounters();
        counters.Count(r);
        counters.Count(SyncCodec.Decode(m, 3));
        Assert.Equal(new Dictionary<SyncDropReason, long> { [SyncDropReason.EntryVersion] = 1, [SyncDropReason.SyncIdIgnored] = 1 }, counters.Snapshot());
    }

    [Theory]
    [InlineData((byte)6, false, LvsConnectionState.None, 0)]
    [InlineData((byte)6, false, LvsConnectionState.Established, 1)]
    [InlineData((byte)6, false, LvsConnectionState.SynRecv, 3)]
    [InlineData((byte)6, false, LvsConnectionState.TimeWait, 5)]
    [InlineData((byte)6, false, LvsConnectionState.SynAck, 10)]
    [InlineData((byte)17, false, LvsConnectionState.Udp, 0)]
    [InlineData((byte)132, false, LvsConnectionState.SctpInit1, 1)]
    [InlineData((byte)132, false, LvsConnectionState.Established, 8)]
    [InlineData((byte)132, false, LvsConnectionState.SctpClosed, 13)]
    [InlineData((byte)6, true, LvsConnectionState.None, 0)]
    [InlineData((byte)6, true, LvsConnectionState.Assured, 1)]
    public void States_AreTheKernelsNumbers(byte protocol, bool template, LvsConnectionState state, int wire)
    {
        Assert.Equal(wire, SyncStates.ToWire(protocol, template, state));
        Assert.True(SyncStates.TryFromWire(protocol, template, (ushort)wire, out var back));
        Assert.Equal(state, back);
    }
}
