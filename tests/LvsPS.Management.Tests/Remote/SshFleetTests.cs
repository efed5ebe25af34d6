namespace LvsPS.Management.Tests.Remote;

/// <summary>A fleet run's failure names its host: in the message and as the target, with the ErrorId kept.</summary>
public sealed class SshFleetTests
{
    [Fact]
    public void An_error_that_does_not_name_the_host_gets_it_as_prefix_and_target()
    {
        var e = SshFleet.ForHost(new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation, "Reading the state failed.", "cat x"), "10.197.1.3");
        Assert.Equal(LvsErrorIds.RemoteCommandFailed, e.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidOperation, e.Kind);
        Assert.Equal("10.197.1.3: Reading the state failed.", e.Message);
        Assert.Equal("10.197.1.3", e.Target);
    }

    [Fact]
    public void An_error_that_names_the_host_keeps_its_message()
    {
        var inner = new LvsException(LvsErrorIds.SshConnectFailed, LvsErrorKind.ConnectionError, "Cannot connect to 10.197.1.3:22: refused", "10.197.1.3:22");
        var e = SshFleet.ForHost(inner, "10.197.1.3");
        Assert.Equal("Cannot connect to 10.197.1.3:22: refused", e.Message);
        Assert.Equal(LvsErrorIds.SshConnectFailed, e.ErrorId);
        Assert.Equal(LvsErrorKind.ConnectionError, e.Kind);
        Assert.Equal("10.197.1.3", e.Target);
    }

    [Fact]
    public void Another_exception_becomes_RemoteCommandFailed_for_the_host()
    {
        var e = SshFleet.ForHost(new IOException("broken pipe"), "rs.example");
        Assert.Equal(LvsErrorIds.RemoteCommandFailed, e.ErrorId);
        Assert.Equal("rs.example: broken pipe", e.Message);
        Assert.IsType<IOException>(e.InnerException);
    }
}
