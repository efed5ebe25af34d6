using LvsPS.Engine.Tests.Fuzz;
using static LvsPS.Engine.Tests.LabAddresses;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The fuzz oracle (<see cref="FuzzDirector.MayForward"/>) holds the engine to the early drops (DirectorEngine.Drops.cs):
/// nothing with a wrong IPv4 header checksum or a martian source is forwarded, while class E and 0/8 sources other
/// than 0.0.0.0 still are (as by a kernel); and the generator makes such frames often enough for the fuzz properties
/// of <see cref="FrameFuzzPropertyTests"/> to catch an engine that forwarded them.
/// </summary>
[Collection(FuzzCollection.Name)]
public class FrameFuzzValidityTests
{
    private static byte[] SynFrom(uint source) => TestFrames.Tcp(ClientMac, DirectorMac, source, Vip, 40000, 80, Frames.Syn, 0);

    private static long ForwardedByFreshDirector(byte[] frame)
    {
        var run = new FuzzRun();
        run.One(new FuzzDirector(), new FuzzFrame(frame, 0, "validity")); // throws if the engine forwards what the oracle refuses
        return run.Forwarded;
    }

    public static IEnumerable<object[]> Martians() => new[]
    {
        0xFFFFFFFFu, FuzzDirector.SubnetBroadcast, 0xE0000001u, 0xEFFFFFFEu, 0x7F000001u, 0x7FFFFFFFu, 0u,
        DirectorIp, FuzzDirector.InsideIp, Vip, FuzzDirector.MarkedVip,
    }.Select(a => new object[] { Frames.ToAddress(a).ToString() });

    [Theory]
    [MemberData(nameof(Martians))]
    public void Oracle_RefusesAMartianSource_AndTheEngineForwardsNone(string source)
    {
        var syn = SynFrom(Frames.ToUInt32(System.Net.IPAddress.Parse(source)));
        Assert.True(FuzzDirector.MayForward(syn, 0, validity: false)); // nothing else stands in its way
        Assert.False(FuzzDirector.MayForward(syn, 0));
        Assert.Equal(0, ForwardedByFreshDirector(syn));
    }

    [Theory]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.254")]
    [InlineData("0.0.0.1")]
    [InlineData("0.255.255.255")]
    [InlineData("10.250.0.254")]
    public void Oracle_AllowsClassEAndZeroNetSources_AndTheEngineForwardsThem(string source)
    {
        var syn = SynFrom(Frames.ToUInt32(System.Net.IPAddress.Parse(source)));
        Assert.True(FuzzDirector.MayForward(syn, 0));
        Assert.Equal(1, ForwardedByFreshDirector(syn));
    }

    [Theory]
    [InlineData(24, 0x01)] // the checksum field
    [InlineData(25, 0x80)]
    [InlineData(22, 0x01)] // TTL changed, checksum not
    [InlineData(15, 0x10)] // TOS
    public void Oracle_RefusesAWrongHeaderChecksum_AndTheEngineForwardsNone(int offset, byte flip)
    {
        var syn = SynFrom(Client);
        syn[offset] ^= flip;
        Assert.True(FuzzDirector.MayForward(syn, 0, validity: false));
        Assert.False(FuzzDirector.MayForward(syn, 0));
        Assert.Equal(0, ForwardedByFreshDirector(syn));
    }

    [Fact]
    public void OracleChecksum_AgreesWithTheEnginesOnTheGoodSyn()
    {
        var syn = SynFrom(Client);
        Assert.True(FuzzDirector.HeaderChecksumOk(syn.AsSpan(Frames.EthHeader, 20)));
        Assert.True(Ipv4Packet.HeaderChecksumValid(syn.AsSpan(Frames.EthHeader, 20)));
        Frames.W16(syn, 24, 0);
        Assert.False(FuzzDirector.HeaderChecksumOk(syn.AsSpan(Frames.EthHeader, 20)));
    }

    /// <summary>
    /// Of 20,000 generated frames, at least 3% are frames only a wrong checksum keeps from being forwardable and at
    /// least 3% frames only a martian source does; and some with a class E or 0/8 source are forwardable.
    /// </summary>
    [Fact]
    public void Generator_MakesFramesOnlyTheChecksumOrTheSourceKeepsFromForwarding()
    {
        var r = new Random(4242);
        int n = 20_000, badChecksum = 0, martian = 0, classEOrZeroNet = 0;
        for (int i = 0; i < n; i++)
        {
            var f = FrameGenerator.Next(r);
            if (!FuzzDirector.MayForward(f.Bytes, f.Link, validity: false)) continue;
            var header = f.Bytes.AsSpan(Frames.EthHeader, (f.Bytes[Frames.EthHeader] & 15) * 4);
            uint src = Frames.U32(f.Bytes, Frames.EthHeader + 12);
            if (!FuzzDirector.HeaderChecksumOk(header)) badChecksum++;
            else if (FuzzDirector.MartianSource(src)) martian++;
            else if (src >> 28 == 0xF || src >> 24 == 0) classEOrZeroNet++;
        }
        Assert.True(badChecksum >= n * 3 / 100, $"{badChecksum} frames with only a bad checksum");
        Assert.True(martian >= n * 3 / 100, $"{martian} frames with only a martian source");
        Assert.True(classEOrZeroNet >= n / 200, $"{classEOrZeroNet} frames from class E or 0/8");
    }
}
