using System.Text.Json.Nodes;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Ipvs.Tests;

/// <summary>The table both ends of the control socket build from <see cref="IDirector"/>.</summary>
public sealed class DirectorOperationsTests
{
    [Fact]
    public void EveryInterfaceMethodIsOneNamedOperation_PropertiesAreNot()
    {
        var methods = typeof(IDirector).GetMethods().Where(m => !m.IsSpecialName).Select(m => m.Name).OrderBy(n => n).ToArray();
        Assert.Equal(methods, DirectorOperations.All.Select(o => o.Name).OrderBy(n => n).ToArray());
        Assert.DoesNotContain(DirectorOperations.All, o => o.Name == "get_Name");
        Assert.Equal(methods.Length, methods.Distinct().Count());
    }

    [Fact]
    public void ChangesAreMarked_ReadsAreNot()
    {
        var changes = DirectorOperations.All.Where(o => o.ChangesConfiguration).Select(o => o.Name).OrderBy(n => n);
        Assert.Equal(new[]
        {
            "AddHealthCheck", "AddMarkRule", "AddRealServer", "AddService", "AddVrrpInstance", "Clear", "DeleteMarkRule", "DeleteRealServer",
            "DeleteService", "DeleteVrrpInstance", "EditRealServer", "EditService", "EditVrrpInstance", "RemoveHealthCheck", "ResumeRealServer",
            "SetHealthCheck", "SetLogLevel", "SetServiceHealth", "SetTimeouts", "StartSyncDaemon", "StopSyncDaemon", "SuspendRealServer",
        }, changes);
    }

    [Fact]
    public void ArgumentsRoundTripByParameterName()
    {
        var op = DirectorOperations.Get("AddRealServer");
        var svc = new ServiceSpec { Address = IPAddress.Parse("10.0.0.1"), Port = 80, Scheduler = LvsScheduler.Mh, SchedulerFlags = LvsSchedulerFlags.Port };
        var rs = new RealServerSpec { Address = IPAddress.Parse("10.0.0.3"), Weight = 7, Forwarding = LvsForwarding.Tunnel, UpperThreshold = 9 };
        var json = op.EncodeArguments(new object?[] { svc, rs });
        Assert.Equal("10.0.0.1", (string?)json["service"]!["address"]);
        Assert.Equal("Tunnel", (string?)json["realServer"]!["forwarding"]);
        var back = op.DecodeArguments(JsonNode.Parse(json.ToJsonString())!.AsObject());
        var svc2 = Assert.IsType<ServiceSpec>(back[0]);
        var rs2 = Assert.IsType<RealServerSpec>(back[1]);
        Assert.Equal((svc.Address, svc.Port, svc.Scheduler, svc.SchedulerFlags), (svc2.Address, svc2.Port, svc2.Scheduler, svc2.SchedulerFlags));
        Assert.Equal((rs.Address, rs.Weight, rs.Forwarding, rs.UpperThreshold), (rs2.Address, rs2.Weight, rs2.Forwarding, rs2.UpperThreshold));
    }

    [Fact]
    public void AMissingRequiredArgumentIsAProtocolError_ANullableOneIsNot()
    {
        var e = Assert.Throws<LvsException>(() => DirectorOperations.Get("DeleteService").DecodeArguments(new JsonObject()));
        Assert.Equal(LvsErrorIds.DirectorProtocolError, e.ErrorId);
        Assert.Contains("'service'", e.Message);
        Assert.Equal(new object?[] { null }, DirectorOperations.Get("Zero").DecodeArguments(null));
    }

    [Fact]
    public void AnUnknownOperationNamesIt()
    {
        var e = Assert.Throws<LvsException>(() => DirectorOperations.Get("format-disk"));
        Assert.Equal((LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains("'format-disk'", e.Message);
    }
}
