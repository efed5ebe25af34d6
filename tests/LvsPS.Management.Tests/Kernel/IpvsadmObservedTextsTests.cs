using LvsPS.Ipvs.Model;
using LvsPS.Management.Kernel;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// Texts a real ipvsadm 1.31 on Linux 6.1 printed (observed in the kernel lab, tests/pester/KernelBackend.Tests.ps1)
/// that the source-derived table in <see cref="KernelDirectorTests"/> did not cover.
/// </summary>
public sealed class IpvsadmObservedTextsTests
{
    private static LvsException Map(int exit, string stderr, string command) =>
        IpvsadmErrors.FromResult(new RemoteResult { Command = command, ExitStatus = exit, Error = stderr }, "edge", "lvs1.example", null);

    [Fact]
    public void ARealServerOfTheOtherFamilyIsInvalidAddress()
    {
        var e = Map(2, "Different address family is allowed only for tunneling servers\n", "ipvsadm '-a' '-t' '10.0.0.101:80' '-r' '[2001:db8::1]:80' '-m'");
        Assert.Equal(LvsErrorIds.InvalidAddress, e.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData("ipvsadm '-A' '-t' '10.0.0.101:84' '-s' 'rr' '-p' '9999999'", "InvalidPersistence")]
    [InlineData("ipvsadm -A -t 10.0.0.101:84 -s rr -p 9999999", "InvalidPersistence")]
    [InlineData("ipvsadm '--set' '9999999' '0' '0'", "InvalidTimeout")]
    public void InvalidTimeoutValueIsPersistenceForMinusP_AndTimeoutForSet(string command, string errorId)
    {
        var e = Map(2, "invalid timeout value `9999999' specified\n", command);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidArgument, e.Kind);
    }
}
