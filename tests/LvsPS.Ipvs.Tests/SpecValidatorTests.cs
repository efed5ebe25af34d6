using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Ipvs.Tests;

/// <summary>The one validator: one ErrorId and one message per rule, whoever asks (cmdlet, lvsd, ipvsadm builder).</summary>
public sealed class SpecValidatorTests
{
    private static LvsException Refused(Action a) => Assert.Throws<LvsException>(a);

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void Port_NamesTheValueAndTheRange(int port)
    {
        var e = Refused(() => SpecValidator.Port(port, "real server port"));
        Assert.Equal((LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Equal($"The real server port {port} is out of range; use 1..65535.", e.Message);
        Assert.Equal(port, e.Target);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("224.0.0.18")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("ff02::12")]
    public void Address_RefusesWhatNoDirectorCanServe(string address)
    {
        var e = Refused(() => SpecValidator.Address(IPAddress.Parse(address), "virtual address"));
        Assert.Equal(LvsErrorIds.InvalidAddress, e.ErrorId);
        Assert.StartsWith($"The virtual address '{address}' cannot be used:", e.Message);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("2001:db8::1")]
    public void Address_TakesUnicastOfBothFamilies(string address) => SpecValidator.Address(IPAddress.Parse(address), "virtual address");

    [Fact]
    public void Service_ChecksEveryRealServerAndRefusesOneListedTwice()
    {
        var svc = new ServiceSpec { Address = IPAddress.Parse("10.0.0.1"), Port = 80, Scheduler = LvsScheduler.Rr };
        svc.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse("10.0.0.3"), Weight = 1 });
        svc.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse("10.0.0.3"), Port = 8080, Weight = 1 }); // DR: the service port
        var e = Refused(() => SpecValidator.Service(svc));
        Assert.Equal(LvsErrorIds.RealServerExists, e.ErrorId);
        Assert.Contains("10.0.0.3:80 is listed twice", e.Message);
        svc.RealServers[1] = new RealServerSpec { Address = IPAddress.Parse("10.0.0.4"), Weight = 70000 };
        Assert.Equal(LvsErrorIds.InvalidWeight, Refused(() => SpecValidator.Service(svc)).ErrorId);
    }

    [Fact]
    public void Persistence_GivesThePrefixOfAContiguousNetmask()
    {
        var svc = new ServiceSpec { Address = IPAddress.Parse("10.0.0.1"), Port = 80, PersistentTimeout = 300, PersistenceNetmask = IPAddress.Parse("255.255.255.0") };
        Assert.Equal(24, SpecValidator.Persistence(svc));
        svc.PersistenceNetmask = IPAddress.Parse("255.0.255.0");
        Assert.Equal(LvsErrorIds.InvalidPersistence, Refused(() => SpecValidator.Persistence(svc)).ErrorId);
        svc.PersistenceNetmask = null;
        Assert.Equal(32, SpecValidator.Persistence(svc));
    }

    [Theory]
    [InlineData("200", true)]
    [InlineData("200-299 301 404", true)]
    [InlineData("700", false)]
    [InlineData("99", false)]
    [InlineData("300-200", false)]
    [InlineData("2xx", false)]
    [InlineData("", false)]
    public void StatusCodes_AreKeepalivedsList(string spec, bool ok)
    {
        if (ok) SpecValidator.StatusCodes(spec);
        else Assert.Equal(LvsErrorIds.InvalidHealthCheck, Refused(() => SpecValidator.StatusCodes(spec)).ErrorId);
    }

    [Fact]
    public void HealthCheck_RefusesWhatKeepalivedWouldNot_AndTakesItsDefaults()
    {
        var ok = new HealthCheckSpec { Type = LvsHealthCheckType.Http, Urls = { new HttpUrlSpec { Path = "/test.html", StatusCode = "200" } } };
        SpecValidator.HealthCheck(ok);
        Assert.Equal((5.0, 1, 3.0), (ok.EffectiveConnectTimeoutSec, ok.EffectiveRetry, ok.EffectiveDelayBeforeRetrySec));
        Assert.Equal(60, ok.EffectiveIntervalSec(null));
        Assert.Equal(7, ok.EffectiveIntervalSec(new ServiceHealthSpec { DelayLoopSec = 7 }));
        var misc = new HealthCheckSpec { Type = LvsHealthCheckType.Misc, MiscPath = "/bin/true" };
        Assert.Equal((0, 1.0), (misc.EffectiveRetry, misc.EffectiveDelayBeforeRetrySec));

        foreach (var (bad, text) in new (HealthCheckSpec, string)[]
        {
            (new() { IntervalSec = 0 }, "interval (delay_loop) 0 s"),
            (new() { ConnectTimeoutSec = -1 }, "timeout (connect_timeout) -1 s"),
            (new() { Retry = -1 }, "retry count -1"),
            (new() { Type = LvsHealthCheckType.Http, Urls = { new HttpUrlSpec { Path = "test.html" } } }, "'test.html'"),
            (new() { Type = LvsHealthCheckType.Http, Urls = { new HttpUrlSpec { Path = "/", Digest = "xyz" } } }, "'xyz' is not an MD5 digest"),
            (new() { Type = LvsHealthCheckType.Ssl, HttpProtocol = "2" }, "'2'"),
            (new() { Type = LvsHealthCheckType.Misc }, "misc_path"),
            (new() { Type = (LvsHealthCheckType)7 }, "value 7"),
            (new() { ConnectAddress = IPAddress.Parse("224.0.0.1") }, "not a host address"),
        })
        {
            var e = Refused(() => SpecValidator.HealthCheck(bad));
            Assert.Equal((LvsErrorIds.InvalidHealthCheck, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
            Assert.Contains(text, e.Message);
        }
        // connect_ip may be loopback (a local agent), unlike a real server's own address.
        SpecValidator.HealthCheck(new HealthCheckSpec { ConnectAddress = IPAddress.Loopback });
    }

    [Fact]
    public void ServiceHealth_QuorumAndSorryServer()
    {
        SpecValidator.ServiceHealth(new ServiceHealthSpec { Quorum = 2, Hysteresis = 1, SorryServer = IPAddress.Parse("10.0.0.9") });
        Assert.Contains("quorum 0", Refused(() => SpecValidator.ServiceHealth(new ServiceHealthSpec { Quorum = 0 })).Message);
        Assert.Contains("hysteresis -1", Refused(() => SpecValidator.ServiceHealth(new ServiceHealthSpec { Hysteresis = -1 })).Message);
        Assert.Equal(LvsErrorIds.InvalidAddress, Refused(() => SpecValidator.ServiceHealth(new ServiceHealthSpec { SorryServer = IPAddress.Loopback })).ErrorId);
        Assert.Contains("delay_loop 0", Refused(() => SpecValidator.ServiceHealth(new ServiceHealthSpec { DelayLoopSec = 0 })).Message);
    }

    [Fact]
    public void ARealServerTakesOneCheckerOfEachType()
    {
        var svc = new ServiceSpec { Address = IPAddress.Parse("10.0.0.1"), Port = 80 };
        var rs = new RealServerSpec { Address = IPAddress.Parse("10.0.0.3"), HealthChecks = { new HealthCheckSpec(), new HealthCheckSpec() } };
        Assert.Equal(LvsErrorIds.HealthCheckExists, Refused(() => SpecValidator.RealServer(svc, rs)).ErrorId);
    }
}
