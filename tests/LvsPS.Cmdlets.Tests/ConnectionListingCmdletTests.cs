using System.Management.Automation;
using LvsPS.Cmdlets.Tests.Infrastructure;

namespace LvsPS.Cmdlets.Tests;

/// <summary>Get-LvsConnection's filters and -First: typed parameters and completion (no director needed).</summary>
public sealed class ConnectionListingParameterTests : CmdletTestBase
{
    [Fact]
    public void ClientAddressIsTyped_AndFirstMustBePositive()
    {
        var r = Run("Get-LvsConnection -ClientAddress 10.0.0.999 -Director d1");
        var e = AssertBindingError(r, "CannotConvertArgumentNoMessage", "ClientAddress");
        Assert.Contains("System.Net.IPAddress", e.Message);
        r = Run("Get-LvsConnection -First 0 -Director d1");
        AssertBindingError(r, "ParameterArgumentValidationError", "First");
        Assert.Equal("CIP", Assert.Single(Run("(Get-Command Get-LvsConnection).Parameters['ClientAddress'].Aliases").Ok().Objects.Cast<string>()));
    }

    [Fact]
    public void StateCompletesTheKernelsStates()
    {
        var r = Run("(TabExpansion2 'Get-LvsConnection -State Syn' 28).CompletionMatches.CompletionText").Ok();
        Assert.Equal(new object[] { "SynAck", "SynRecv", "SynSent" }, r.Objects); // sorted by PowerShell
    }

}

/// <summary>Get-LvsConnection's filters and -First through a real lvsd's paged listing.</summary>
public sealed class ConnectionListingCmdletTests : DirectorTestBase
{
    public ConnectionListingCmdletTests(DirectorFixture director) : base(director) { }

    [RootFact]
    public void TheFiltersAndFirstGoToTheDirector_AndTheTextStaysIpvsadms()
    {
        Seed();
        Assert.Empty(Ok($"Get-LvsConnection -VirtualAddress {Vip} -Port 80 -ClientAddress 10.250.0.200 -RealAddress {Rs1} -State SynRecv -First 5").Output);
        // -First and the filters leave ipvsadm's text as it is (here: its two title lines)
        Assert.Equal(Ok("Get-LvsConnection -AsText").Objects.Single(), Ok($"Get-LvsConnection -First 3 -Port 80 -AsText").Objects.Single());
    }
}
