using FsCheck;
using FsCheck.Fluent;
using LvsPS.Ipvs.Sync;

namespace LvsPS.Ipvs.Tests.Sync;

/// <summary>
/// FsCheck properties of the sync codec: decoding never throws, whatever the bytes (raw garbage, and valid messages
/// with bytes flipped, cut or appended), and what it accepts is what was encoded.
/// </summary>
public class SyncCodecPropertyTests
{
    private static Config Runs(int count) => Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true);

    private static readonly Gen<SyncConnection> Entries =
        from proto in Gen.Elements((byte)6, (byte)17, (byte)132)
        from template in Gen.Elements(false, false, true)
        from flags in Gen.Choose(0, 0x3fff)
        from state in Gen.Choose(0, proto == 6 ? 10 : proto == 17 ? 0 : 13)
        from ports in Gen.Choose(0, 65535).Three()
        from addrs in Gen.Choose(int.MinValue, int.MaxValue).Three()
        from mark in Gen.Choose(0, 1000)
        from timeout in Gen.Choose(0, 100000)
        from seq in Gen.Elements(false, false, true)
        from a in Gen.Choose(int.MinValue, int.MaxValue).Three()
        select new SyncConnection
        {
            Protocol = proto,
            Flags = ((SyncConnectionFlags)flags & SyncConnectionFlags.BackupMask & ~SyncConnectionFlags.Template)
                    | (template ? SyncConnectionFlags.Template : 0) | SyncConnectionFlags.Sync,
            State = (ushort)state,
            ClientPort = (ushort)ports.Item1, VirtualPort = (ushort)ports.Item2, DestinationPort = (ushort)ports.Item3,
            ClientAddress = (uint)addrs.Item1, VirtualAddress = (uint)addrs.Item2, DestinationAddress = (uint)addrs.Item3,
            FirewallMark = (uint)mark, TimeoutSeconds = (uint)timeout,
            Sequence = seq ? (new SyncSequence((uint)a.Item1, a.Item2, a.Item3), new SyncSequence((uint)a.Item3, a.Item1, 0)) : null,
        };

    [Fact]
    public void Decode_OnAnyBytes_NeverThrows()
    {
        var bytes = ArbMap.Default.ArbFor<byte[]>();
        Check.One(Runs(5_000), Prop.ForAll(bytes, raw => { SyncCodec.Decode(raw); }));
        // With a consistent header (size = length, version 1) so the entry checks are reached.
        Check.One(Runs(5_000), Prop.ForAll(bytes, raw =>
        {
            var m = new byte[8 + raw.Length];
            raw.CopyTo(m, 8);
            m[2] = (byte)(m.Length >> 8); m[3] = (byte)m.Length; m[4] = (byte)(raw.Length == 0 ? 0 : raw[0] % 8); m[5] = 1;
            var r = SyncCodec.Decode(m);
            Assert.True(r.Entries.Count + r.Skipped.Count <= m[4]);
        }));
    }

    [Fact]
    public void Decode_OfMutatedMessages_NeverThrows()
    {
        var gen = from list in Gen.ListOf(Entries).Select(l => l.Take(60).ToList())
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (list, seed);
        Check.One(Runs(2_000), Prop.ForAll(Arb.From(gen), t =>
        {
            var rnd = new Random(t.seed);
            foreach (var m in SyncCodec.Encode((byte)rnd.Next(256), t.list, 1472))
            {
                var x = (byte[])m.Clone();
                for (int i = rnd.Next(1, 6); i > 0; i--) x[rnd.Next(x.Length)] = (byte)rnd.Next(256);
                SyncCodec.Decode(x);
                SyncCodec.Decode(x.AsSpan(0, rnd.Next(x.Length)));
                SyncCodec.Decode(x.Concat(new byte[rnd.Next(1, 9)]).ToArray());
            }
        }));
    }

    [Fact]
    public void WhatIsEncoded_DecodesToTheSameEntries()
    {
        var gen = from list in Gen.NonEmptyListOf(Entries).Select(l => l.Take(300).ToList())
                  from max in Gen.Choose(1, 9000)
                  select (list, max);
        Check.One(Runs(500), Prop.ForAll(Arb.From(gen), t =>
        {
            var ms = SyncCodec.Encode(9, t.list, t.max);
            Assert.All(ms, m => Assert.True(m.Length <= Math.Max(t.max, 8 + 62)));
            var back = ms.SelectMany(m =>
            {
                var r = SyncCodec.Decode(m, 9);
                Assert.Null(r.Dropped);
                Assert.Empty(r.Skipped);
                return r.Entries;
            });
            Assert.Equal(t.list, back);
        }));
    }
}
