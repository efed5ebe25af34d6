using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;
using LvsPS.Ipvs.Sync;

namespace LvsPS.Ipvs.Tests;

/// <summary>The sync daemon's values with ipvsadm 1.31's ranges; each refusal names the bad value.</summary>
public sealed class SyncDaemonValidatorTests
{
    private static SyncDaemonSpec Good() => new() { Role = SyncDaemonRole.Master, Interface = "eth0", SyncId = 7 };

    /// <summary>The refusal of <see cref="Good"/> with one value changed.</summary>
    private static LvsException Refused(Action<SyncDaemonSpec> change)
    {
        var d = Good();
        change(d);
        return Assert.Throws<LvsException>(() => SyncDaemonValidator.Validate(d));
    }

    [Fact]
    public void TheKernelsDefaultsAndTheRangesEndsAreAccepted()
    {
        SyncDaemonValidator.Validate(Good());
        SyncDaemonValidator.Validate(new SyncDaemonSpec
        {
            Role = SyncDaemonRole.Backup, Interface = "a23456789012345", SyncId = 255, Group = IPAddress.Parse("10.0.0.2"),
            Port = 65535, Ttl = 255, MaxLength = SyncDaemonValidator.MaxSyncMaxLength,
        });
        SyncDaemonValidator.Validate(new SyncDaemonSpec { Interface = "eth0", SyncId = 0, Port = 1, Ttl = 1, MaxLength = 1, Group = IPAddress.Parse("ff02::81") });
    }

    public static TheoryData<Action<SyncDaemonSpec>, string, object> BadValues() => new()
    {
        { d => d.SyncId = 256, "The sync id 256 is out of range; use 0..255 (ipvsadm --syncid).", 256 },
        { d => d.SyncId = -1, "The sync id -1 is out of range; use 0..255 (ipvsadm --syncid).", -1 },
        { d => d.Port = 0, "The sync daemon port 0 is out of range; use 1..65535 (ipvsadm --mcast-port, default 8848).", 0 },
        { d => d.Port = 65536, "The sync daemon port 65536 is out of range; use 1..65535 (ipvsadm --mcast-port, default 8848).", 65536 },
        { d => d.Ttl = 0, "The sync daemon TTL 0 is out of range; use 1..255 (ipvsadm --mcast-ttl).", 0 },
        { d => d.Ttl = 256, "The sync daemon TTL 256 is out of range; use 1..255 (ipvsadm --mcast-ttl).", 256 },
        { d => d.MaxLength = 65508, "The sync message length 65508 is out of range; use 1..65507 bytes, or 0 for the interface's MTU (ipvsadm --sync-maxlen).", 65508 },
        { d => d.Role = (SyncDaemonRole)9, "Unknown sync daemon role value 9; use Master or Backup.", (SyncDaemonRole)9 },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ABadValueIsRefusedWithInvalidSyncDaemonNamingIt(Action<SyncDaemonSpec> change, string message, object target)
    {
        var e = Refused(change);
        Assert.Equal((LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Equal(message, e.Message);
        Assert.Equal(target, e.Target);
    }

    [Theory]
    [InlineData("0.0.0.0", "it is the unspecified address")]
    [InlineData("255.255.255.255", "it is the broadcast address")]
    [InlineData("127.0.0.1", "it is a loopback address")]
    [InlineData("::1", "it is a loopback address")]
    public void AGroupThatCannotCarryMessagesIsRefused(string group, string reason)
    {
        var e = Refused(d => d.Group = IPAddress.Parse(group));
        Assert.Equal(LvsErrorIds.InvalidSyncDaemon, e.ErrorId);
        Assert.StartsWith($"The sync daemon group '{group}' cannot be used: {reason}", e.Message);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("a234567890123456", "it is longer than 15 characters")]
    [InlineData("eth0:1", "it contains ':'")]
    [InlineData("eth 0", "it contains whitespace or control characters")]
    [InlineData("../x", "it contains '/'")]
    public void ABadInterfaceIsRefusedWithInvalidInterfaceName(string name, string reason)
    {
        var e = Refused(d => d.Interface = name);
        Assert.Equal((LvsErrorIds.InvalidInterfaceName, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.StartsWith($"Invalid sync daemon interface name '{name}': {reason}", e.Message);
    }

    [Fact]
    public void NoDaemonIsRefused() =>
        Assert.Equal(LvsErrorIds.InvalidSyncDaemon, Assert.Throws<LvsException>(() => SyncDaemonValidator.Validate(null)).ErrorId);
}
