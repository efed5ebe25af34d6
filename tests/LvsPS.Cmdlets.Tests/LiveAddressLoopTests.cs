using System.Management.Automation;
using LvsPS.Cmdlets.Tests.Infrastructure;
using LvsPS.Ipvs.Model;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Against a real lvsd: the service's own VIP as its real server, and the director's own interface address as a VIP,
/// are refused with InvalidAddress (the same ErrorId the kernel backend gives), and nothing is added.
/// </summary>
public sealed class LiveAddressLoopTests : DirectorTestBase
{
    public LiveAddressLoopTests(DirectorFixture director) : base(director) { }

    [RootFact]
    public void AddLvsRealServer_TheServicesOwnVip_IsInvalidAddress()
    {
        Seed();
        var before = Ok("Get-LvsRealServer").Objects.Count;
        var r = Run($"Add-LvsRealServer -VirtualAddress {Vip} -Port 80 -RealAddress {Vip}");
        AssertLvsError(r.SingleError(), "InvalidAddress", ErrorCategory.InvalidArgument, null, "AddLvsRealServerCommand");
        Assert.Contains(Vip, r.SingleError().Exception.Message);
        Assert.Equal(before, Ok("Get-LvsRealServer").Objects.Count);
    }

    [RootFact]
    public void NewLvsService_OnTheDirectorsInterfaceAddress_IsInvalidAddress()
    {
        var r = Run($"New-LvsService -VirtualAddress {DirectorFixture.InterfaceAddress} -Port 8080 -Scheduler rr");
        AssertLvsError(r.SingleError(), "InvalidAddress", ErrorCategory.InvalidArgument, null, "NewLvsServiceCommand");
        Assert.Contains("interface address", r.SingleError().Exception.Message);
        Assert.Empty(Ok("Get-LvsService").Objects.OfType<LvsService>());
    }
}
