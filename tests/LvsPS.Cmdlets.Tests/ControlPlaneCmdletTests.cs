using System.Diagnostics;
using System.Net.Sockets;

namespace LvsPS.Cmdlets.Tests;

/// <summary>A director name that is a path, and a socket that is not root's, as the cmdlets report them.</summary>
public sealed class ControlPlaneCmdletTests : CmdletTestBase
{
    [Theory]
    [InlineData("Get-LvsService -Director '../../tmp/evil'")]
    [InlineData("Get-LvsConnection -Director '../../tmp/evil'")]
    [InlineData("New-LvsService -VirtualAddress 10.0.0.1 -Port 80 -Director 'a/b' -Confirm:$false")]
    public void ADirectorNameThatIsAPath_IsInvalidDirectorName(string script)
    {
        var e = Run(script).SingleError();
        AssertLvsError(e, "InvalidDirectorName", ErrorCategory.InvalidArgument);
        Assert.Contains("is not valid", e.Exception.Message);
    }

    [RootFact]
    public void ASocketOwnedBySomeoneElse_IsDirectorSocketNotTrusted()
    {
        Directory.CreateDirectory(RunDir);
        var path = Path.Combine(RunDir, "fake.sock");
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.Listen(1);
        using (var chown = Process.Start("chown", new[] { "65534", path })) chown.WaitForExit();
        var e = Run("Get-LvsService -Director fake").SingleError();
        AssertLvsError(e, "DirectorSocketNotTrusted", ErrorCategory.SecurityError, "fake");
        Assert.Contains("owned by uid 65534", e.Exception.Message);
    }
}
