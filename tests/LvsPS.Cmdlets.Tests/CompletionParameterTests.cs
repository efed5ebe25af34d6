namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Tab completion without a director (issue 12): -Forwarding offers Route, Masq and Tunnel but never Local, which no
/// director takes as a choice and which every cmdlet refuses by name; the static completers offer their values with
/// tooltips; a completer asking a director that does not run offers nothing and throws nothing.
/// </summary>
public sealed class CompletionParameterTests : CmdletTestBase
{
    [Theory]
    [InlineData("Add-LvsRealServer", "Forwarding")]
    [InlineData("Set-LvsRealServer", "Forwarding")]
    [InlineData("New-LvsLab", "Forwarding")]
    [InlineData("Test-LvsRealServer", "Forwarding")]
    [InlineData("Set-LvsServiceHealth", "SorryServerForwarding")]
    public void Forwarding_OffersRouteMasqTunnel_NotLocal(string cmdlet, string parameter)
    {
        var line = $"{cmdlet} -{parameter} ";
        var r = Run($"(TabExpansion2 '{line}' {line.Length}).CompletionMatches.CompletionText").Ok();
        Assert.Equal(new object[] { "Masq", "Route", "Tunnel" }, r.Objects);
    }

    [Fact]
    public void Forwarding_Local_IsRefusedByName_BeforeAnyDirectorIsAsked()
    {
        var r = Run("Add-LvsRealServer -VirtualAddress 10.0.0.1 -Port 80 -RealAddress 10.0.0.3 -Forwarding Local -Director d1 -WhatIf");
        var e = AssertBindingError(r, "ParameterArgumentValidationError", "Forwarding");
        Assert.Contains("'Local' cannot be chosen", e.Message);
        Assert.Contains("Route (direct routing), Masq (NAT) or Tunnel (IP-in-IP)", e.Message);
        Assert.Empty(r.WhatIf);
        var ok = Run("Add-LvsRealServer -VirtualAddress 10.0.0.1 -Port 80 -RealAddress 10.0.0.3 -Forwarding Tunnel -Director d1 -WhatIf");
        Assert.DoesNotContain(ok.AllErrors, x => x.FullyQualifiedErrorId.StartsWith("ParameterArgumentValidationError,", StringComparison.Ordinal));
    }

    [Fact]
    public void VipInterface_OffersLoDummyAndTunnel_WithTooltips()
    {
        var r = Run("""
            (TabExpansion2 'Set-LvsRealServerHidden -Interface ' 35).CompletionMatches | ForEach-Object { "$($_.CompletionText)=$($_.ToolTip)" }
            """).Ok();
        Assert.Equal(3, r.Objects.Count);
        Assert.StartsWith("lo=loopback", (string)r.Objects[0]!);
        Assert.StartsWith("dummy0=", (string)r.Objects[1]!);
        Assert.StartsWith("tunl0=", (string)r.Objects[2]!);
    }

    [Fact]
    public void TableCompleters_ForADirectorThatDoesNotRun_OfferNothing_AndDoNotThrow()
    {
        var r = Run("""
            foreach ($line in 'Get-LvsRealServer -Director nosuch -VirtualAddress ', 'Set-LvsRealServer -Director nosuch -RealAddress ',
                              'Get-LvsVrrpInstance -Director nosuch -Name ', 'Start-LvsSyncDaemon -Director nosuch -Interface ') {
                @((TabExpansion2 $line $line.Length).CompletionMatches | Where-Object ResultType -EQ ParameterValue).Count
            }
            """).Ok();
        Assert.Equal(new object[] { 0, 0, 0, 0 }, r.Objects);
    }
}
