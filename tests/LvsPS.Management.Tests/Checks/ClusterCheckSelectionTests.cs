using LvsPS.Management.Checks;

namespace LvsPS.Management.Tests.Checks;

/// <summary>Include/Exclude name checks or categories of the catalogue; anything else is refused before a check runs.</summary>
public sealed class ClusterCheckSelectionTests
{
    [Theory]
    [InlineData(new[] { "Bogus" }, null, "Bogus", "Include")]
    [InlineData(new[] { "Director", "DirectorRuning" }, null, "DirectorRuning", "Include")]
    [InlineData(null, new[] { "" }, "", "Exclude")]
    [InlineData(null, new[] { "Network", "VipArp" }, "VipArp", "Exclude")]
    public void UnknownName_IsRefused_NamingItAndTheKnownOnes(string[]? include, string[]? exclude, string bad, string list)
    {
        var e = Assert.Throws<LvsException>(() => ClusterChecks.ValidateSelection(include, exclude));
        Assert.Equal((LvsErrorIds.UnknownClusterCheck, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Equal(bad, e.Target);
        Assert.StartsWith($"Unknown check or category '{bad}' in {list}; the checks are ", e.Message);
        foreach (var c in ClusterChecks.Catalogue)
        {
            Assert.Contains(c.Check, e.Message);
            Assert.Contains(c.Category, e.Message);
        }
    }

    [Fact]
    public void ChecksAndCategories_InAnyCase_AreTaken()
    {
        ClusterChecks.ValidateSelection(new[] { "directorrunning", "Network", "REALSERVER" }, new[] { "VipArpOwner" });
        ClusterChecks.ValidateSelection(null, null);
        ClusterChecks.ValidateSelection(Array.Empty<string>(), Array.Empty<string>());
    }

    [Fact]
    public void Run_WithAnUnknownName_ThrowsBeforeAskingTheDirector()
    {
        var options = new ClusterCheckOptions { Director = "edge", Include = new[] { "Bogus" } };
        var e = Assert.Throws<LvsException>(() => ClusterChecks.Run(null!, options).ToList());
        Assert.Equal(LvsErrorIds.UnknownClusterCheck, e.ErrorId);
    }
}
