namespace LvsPS.Management.Tests.Kernel;

/// <summary>What the ipvsadm command-builder tests share.</summary>
internal static class IpvsadmTestKit
{
    public static string[] Lines(IEnumerable<IpvsadmCommand> commands) => commands.Select(c => c.CommandLine).ToArray();

    /// <summary>The call is refused before anything runs, with <paramref name="errorId"/>.</summary>
    public static void AssertRefused(string errorId, Action a)
    {
        var e = Assert.Throws<LvsException>(a);
        Assert.True(errorId == e.ErrorId, $"expected {errorId}, got {e.ErrorId}: {e.Message}");
    }
}
