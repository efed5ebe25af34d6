namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Export-LvsConfiguration -Format IpvsadmRules as ipvsadm 1.31 -S -n prints (no thresholds, signed marks), and
/// -IncludeThresholds; no director: the services are built here and bound from the pipeline.
/// </summary>
public sealed class ExportIncludeThresholdsTests : CmdletTestBase
{
    private static LvsService Table(uint mark = 0)
    {
        var svc = mark != 0
            ? new LvsService { FirewallMark = mark, Protocol = LvsProtocol.Tcp, VirtualAddress = IPAddress.Any, Scheduler = LvsScheduler.Wlc }
            : new LvsService { Protocol = LvsProtocol.Tcp, VirtualAddress = IPAddress.Parse("10.9.0.101"), Port = 80, Scheduler = LvsScheduler.Rr };
        svc.RealServers.Add(new LvsRealServer
        {
            RealAddress = IPAddress.Parse("10.9.0.3"), RealPort = (ushort)(mark != 0 ? 0 : 80), Weight = 1, Forwarding = LvsForwarding.Route,
            UpperThreshold = 10, LowerThreshold = 5,
        });
        return svc;
    }

    private string Export(string switches, LvsService svc) =>
        Assert.IsType<string>(Session.Run($"$s | Export-LvsConfiguration -Format IpvsadmRules {switches}", new Dictionary<string, object?> { ["s"] = svc })
            .Ok().Output.Single().BaseObject);

    [Fact]
    public void ByDefault_TheTextIsIpvsadmSaves_WithoutThresholds()
    {
        Assert.Equal("-A -t 10.9.0.101:80 -s rr\n-a -t 10.9.0.101:80 -r 10.9.0.3:80 -g -w 1\n", Export("", Table()));
    }

    [Fact]
    public void IncludeThresholds_WritesXAndY()
    {
        Assert.Equal("-A -t 10.9.0.101:80 -s rr\n-a -t 10.9.0.101:80 -r 10.9.0.3:80 -g -w 1 -x 10 -y 5\n", Export("-IncludeThresholds", Table()));
    }

    [Fact]
    public void IncludeThresholds_ToAFile_ReadsBackWithTheThresholds()
    {
        var path = Path.Combine(TempDir, "t.rules");
        Session.Run("$s | Export-LvsConfiguration -Format IpvsadmRules -IncludeThresholds -Path $p",
            new Dictionary<string, object?> { ["s"] = Table(), ["p"] = path }).Ok();
        var back = Session.Run("Import-LvsConfiguration $p | ForEach-Object ToLvsService", new Dictionary<string, object?> { ["p"] = path })
            .Ok().Single<LvsService>();
        var rs = Assert.Single(back.RealServers);
        Assert.Equal((10, 5), (rs.UpperThreshold, rs.LowerThreshold));
    }

    [Fact]
    public void AMarkAbove2To31_IsWrittenSigned_AndImportedBackToTheSameMark()
    {
        var text = Export("", Table(4294967295));
        Assert.Equal("-A -f -1 -s wlc\n-a -f -1 -r 10.9.0.3:0 -g -w 1\n", text);
        var path = Path.Combine(TempDir, "m.rules");
        File.WriteAllText(path, text);
        var back = Session.Run("Import-LvsConfiguration $p | ForEach-Object ToLvsService", new Dictionary<string, object?> { ["p"] = path })
            .Ok().Single<LvsService>();
        Assert.Equal(4294967295u, back.FirewallMark);
    }

    [Fact]
    public void IncludeThresholds_IsASwitch()
    {
        var p = Command("Export-LvsConfiguration").Parameters["IncludeThresholds"];
        Assert.Equal(typeof(SwitchParameter), p.ParameterType);
    }
}

/// <summary>
/// A persistent port-0 service and generic scheduler flags through the cmdlets against a real lvsd, as the kernel
/// takes them: New-LvsService -Port 0 -Persistent, real servers listed with port 0, the refusal of a non-persistent
/// one (InvalidPort), and -SchedulerFlags Fallback with rr listed as "rr (flag-1)".
/// </summary>
public sealed class LivePortZeroAndFlagsTests : DirectorTestBase
{
    public LivePortZeroAndFlagsTests(DirectorFixture director) : base(director) { }

    [RootFact]
    public void APersistentPort0Service_IsCreated_WithItsRealServersOnPort0()
    {
        var created = Ok($"New-LvsService -VirtualAddress {Vip} -Port 0 -Scheduler rr -Persistent 360").Single<LvsService>();
        Assert.Equal(((ushort)0, 360u), (created.Port, created.PersistentTimeout));
        Ok($"Add-LvsRealServer -VirtualAddress {Vip} -Port 0 -RealAddress {Rs1}");
        Ok($"Add-LvsRealServer -VirtualAddress {Vip} -Port 0 -RealAddress {Rs2} -RealPort 8080 -Forwarding Masq -Weight 2");

        Assert.Equal(
            $"-A -t {Vip}:0 -s rr -p 360\n-a -t {Vip}:0 -r {Rs1}:0 -g -w 1\n-a -t {Vip}:0 -r {Rs2}:8080 -m -w 2\n",
            (string)Ok("Export-LvsConfiguration -Format IpvsadmRules").Objects.Single());
        Assert.Contains($"TCP  {Vip}:0 rr persistent 360\n", (string)Ok("Get-LvsService -AsText").Objects.Single());

        // Named with port 0 they are found again.
        Ok($"Set-LvsRealServer -VirtualAddress {Vip} -Port 0 -RealAddress {Rs1} -Weight 3");
        Assert.Equal(3, Ok($"Get-LvsRealServer -VirtualAddress {Vip} -Port 0").Objects.Cast<LvsRealServer>().Single(r => r.RealAddress.ToString() == Rs1).Weight);
        Ok($"Remove-LvsService -VirtualAddress {Vip} -Port 0 -Confirm:$false");
        Assert.Empty(Ok("Get-LvsService").Objects);
    }

    [RootFact]
    public void ANonPersistentPort0Service_IsInvalidPort_AndNothingIsCreated()
    {
        var r = RunChangingNothing($"New-LvsService -VirtualAddress {Vip} -Port 0 -Scheduler rr");
        AssertLvsError(r.SingleError(), "InvalidPort", ErrorCategory.InvalidArgument, null, "NewLvsServiceCommand");
        Assert.Contains("Zero port specified for non-persistent service", r.SingleError().Exception.Message);

        Ok($"New-LvsService -VirtualAddress {Vip} -Port 0 -Scheduler rr -Persistent 60");
        var edit = Run($"Set-LvsService -VirtualAddress {Vip} -Port 0 -Persistent 0");
        Assert.Equal("InvalidPort", edit.SingleError().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(60u, Ok("Get-LvsService").Single<LvsService>().PersistentTimeout);
    }

    [RootFact]
    public void GenericFlagsGoWithRr_AndAreListedAsTheKernelListsThem()
    {
        var created = Ok($"New-LvsService -VirtualAddress {Vip} -Port 80 -Scheduler rr -SchedulerFlags Fallback").Single<LvsService>();
        Assert.Equal(LvsSchedulerFlags.Fallback, created.SchedulerFlags);
        Assert.Contains($"TCP  {Vip}:80 rr (flag-1)\n", (string)Ok("Get-LvsService -AsText").Objects.Single());
        Assert.Equal($"-A -t {Vip}:80 -s rr -b flag-1\n", (string)Ok("Export-LvsConfiguration -Format IpvsadmRules").Objects.Single());
    }
}
