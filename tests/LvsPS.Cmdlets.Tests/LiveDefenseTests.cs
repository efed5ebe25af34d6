using LvsPS.Ipvs.Connections;

namespace LvsPS.Cmdlets.Tests;

/// <summary>Get-/Set-LvsDefense against a real lvsd: the kernel's defence settings, lvsd's limit, -WhatIf, bad values.</summary>
public sealed class LiveDefenseTests : DirectorTestBase
{
    public LiveDefenseTests(DirectorFixture director) : base(director) { }

    private DefenseSpec Defense() => Assert.IsType<DefenseSpec>(Ok("Get-LvsDefense").Output.Single().BaseObject);

    [Fact]
    public void GetLvsDefense_ShowsLvsdsDefaults_AsTheKernelNamesThem()
    {
        var d = Defense();
        Assert.Equal(LvsDefenseMode.Auto, d.DropEntry);
        Assert.Equal(LvsDefenseMode.Auto, d.SecureTcp);
        Assert.Equal(LvsDefenseMode.Off, d.DropPacket);
        Assert.True(d.MaxConnections > 0);
        Assert.Equal(LvsDefenseLevel.None, d.Level);
        Assert.StartsWith("amemthresh=", d.ToString());
        Assert.Contains("drop_entry=1", d.ToString());
    }

    [Fact]
    public void SetLvsDefense_ChangesWhatIsGiven_KeepsTheRest_AndPassThruShowsIt()
    {
        var before = Defense();
        try
        {
            var after = Assert.IsType<DefenseSpec>(Ok("Set-LvsDefense -DropEntry Always -SecureTcp Off -MaxConnections 5000 -PassThru").Output.Single().BaseObject);
            Assert.Equal(LvsDefenseMode.Always, after.DropEntry);
            Assert.Equal(LvsDefenseMode.Off, after.SecureTcp);
            Assert.Equal(5000, after.MaxConnections);
            Assert.Equal(before.DropPacket, after.DropPacket);
            Assert.Equal(before.AvailableThreshold, after.AvailableThreshold);
            Assert.Empty(Ok("Set-LvsDefense -DropPacket AutoActive").Output);
            var again = Defense();
            Assert.Equal(LvsDefenseMode.AutoActive, again.DropPacket);
            Assert.Equal(LvsDefenseMode.Always, again.DropEntry);
        }
        finally
        {
            Ok($"Set-LvsDefense -DropEntry {before.DropEntry} -DropPacket {before.DropPacket} -SecureTcp {before.SecureTcp} -MaxConnections {before.MaxConnections}");
        }
        Assert.Equal(before.ToString(), Defense().ToString());
    }

    [Fact]
    public void SetLvsDefense_SloppyTcp_OnAndOff_AndLeftOutKeepsIt()
    {
        Assert.False(Defense().SloppyTcp);
        try
        {
            Assert.True(Assert.IsType<DefenseSpec>(Ok("Set-LvsDefense -SloppyTcp -PassThru").Output.Single().BaseObject).SloppyTcp);
            Ok("Set-LvsDefense -DropPacket Off");
            Assert.True(Defense().SloppyTcp);
            Assert.Contains("sloppy_tcp=1", Defense().ToString());
        }
        finally
        {
            Ok("Set-LvsDefense -SloppyTcp:$false");
        }
        Assert.False(Defense().SloppyTcp);
    }

    [Fact]
    public void SetLvsDefense_WhatIf_NamesTheSettings_AndChangesNothing()
    {
        var before = Defense().ToString();
        var r = Ok("Set-LvsDefense -DropEntry Off -MaxConnections 100 -WhatIf");
        Assert.Equal($"What if: Performing the operation \"Set defence drop_entry=Off, MaxConnections=100\" on target \"director '{Name}'\".", Assert.Single(r.WhatIf));
        Assert.Empty(r.Output);
        Assert.Equal(before, Defense().ToString());
    }

    [Theory]
    [InlineData("Set-LvsDefense -DropEntry Sometimes", "DropEntry", "CannotConvertArgumentNoMessage")]
    [InlineData("Set-LvsDefense -MaxConnections 0", "MaxConnections", "ParameterArgumentValidationError")]
    [InlineData("Set-LvsDefense -SynRecvTimeout 0", "SynRecvTimeout", "ParameterArgumentValidationError")]
    public void SetLvsDefense_BadValues_AreRefused_AndNothingChanges(string script, string parameter, string errorId)
    {
        var before = Defense().ToString();
        AssertBindingError(Run(script), errorId, parameter);
        Assert.Equal(before, Defense().ToString());
    }
}
