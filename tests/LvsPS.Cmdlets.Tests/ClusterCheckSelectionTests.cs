namespace LvsPS.Cmdlets.Tests;

/// <summary>Test-LvsCluster -Include/-Exclude: an unknown check or category is an error naming it; names complete.</summary>
public sealed class ClusterCheckSelectionTests : CmdletTestBase
{
    [Theory]
    [InlineData("Test-LvsCluster -Director nodirector -Include Bogus", "Bogus", "Include")]
    [InlineData("Test-LvsCluster -Director nodirector -Include Director, Bogus", "Bogus", "Include")]
    [InlineData("Test-LvsCluster -Director nodirector -Exclude VipArpOwner, NoSuchCheck", "NoSuchCheck", "Exclude")]
    [InlineData("Test-LvsCluster -Lab nolab -Include Bogus", "Bogus", "Include")]
    public void UnknownCheck_IsAnErrorNamingIt_AndListingTheKnownOnes(string script, string bad, string parameter)
    {
        var r = Run(script);
        var e = r.SingleError();
        AssertLvsError(e, "UnknownClusterCheck", ErrorCategory.InvalidArgument, bad, "TestLvsClusterCommand");
        Assert.Contains($"'{bad}'", e.Exception.Message);
        Assert.Contains(parameter, e.Exception.Message);
        Assert.Contains("DirectorRunning", e.Exception.Message);
        Assert.Contains("ServiceDistribution", e.Exception.Message);
        Assert.Contains("Network", e.Exception.Message);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void KnownChecksAndCategories_InAnyCase_AreNoSelectionError()
    {
        // No director by that name: the error is about the director, not the selection.
        var r = Run("Test-LvsCluster -Director nodirector -Include directorrunning, Network -Exclude REALSERVER");
        Assert.DoesNotContain(r.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("UnknownClusterCheck,", StringComparison.Ordinal));
    }

    [Fact]
    public void IncludeAndExclude_CompleteCheckAndCategoryNames()
    {
        var r = Run("""
            (TabExpansion2 'Test-LvsCluster -Include RealServerH' 36).CompletionMatches.CompletionText
            (TabExpansion2 'Test-LvsCluster -Exclude Net' 28).CompletionMatches.CompletionText
            """).Ok();
        Assert.Equal(new object[] { "RealServerHealthy", "RealServerHidden", "RealServerHttp", "Network" }, r.Objects);
    }
}
