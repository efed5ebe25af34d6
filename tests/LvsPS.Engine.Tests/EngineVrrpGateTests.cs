using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The VIP gate with real frames: a VIP listed by a VRRP instance is answered and forwarded only while that instance
/// is master here; a backup is silent and drops (counted VrrpBackup); VIPs in no instance behave as before.
/// </summary>
public sealed class EngineVrrpGateTests
{
    private static VrrpInstanceSpec Instance(string name = "VI_1", int vrid = 51, params uint[] vips) => new()
    {
        Name = name, Interface = "eth0", VirtualRouterId = vrid, Priority = 100,
        VirtualAddresses = (vips.Length == 0 ? new[] { Vip } : vips).Select(Ip).ToList(),
    };

    private static EngineHarness Served()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.AddService(EngineHarness.Spec(80, vip: Vip2), (Rs1, 1));
        h.Resolve(Rs1);
        h.Sink.Clear();
        return h;
    }

    private static int ArpReplies(EngineHarness h, uint vip)
    {
        h.Sink.Clear();
        h.Process(TestFrames.ArpRequest(ClientMac, Client, vip));
        return h.Sink.Arp.Count();
    }

    [Fact]
    public void ABackupsVip_IsSilent_AndItsPacketsAreDroppedAsVrrpBackup()
    {
        var h = Served();
        h.Engine.AddVrrpInstance(Instance());
        Assert.Equal(0, ArpReplies(h, Vip));
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Syn)));
        Assert.Equal(1UL, h.Engine.GetStatus().DropsByReason["VrrpBackup"]);
        // The VIP of no instance is answered and forwarded as before.
        Assert.Equal(1, ArpReplies(h, Vip2));
        Assert.NotNull(h.Forward(h.Tcp(40001, Frames.Syn, vip: Vip2)));
    }

    [Fact]
    public void AMastersVip_IsAnsweredAndForwarded_UntilItIsBackupAgain()
    {
        var h = Served();
        h.Engine.AddVrrpInstance(Instance());
        h.Engine.SetVrrpMaster("VI_1", true);
        Assert.Equal(1, ArpReplies(h, Vip));
        Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Syn)));
        h.Engine.SetVrrpMaster("VI_1", false);
        Assert.Equal(0, ArpReplies(h, Vip));
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack)));
    }

    [Fact]
    public void AMaster_AnswersArpForItsVip_EvenWithoutAService()
    {
        var h = Served();
        const uint Vip3 = 0x0AFA0067;
        h.Engine.AddVrrpInstance(Instance(vips: Vip3));
        Assert.Equal(0, ArpReplies(h, Vip3));
        h.Engine.SetVrrpMaster("VI_1", true);
        Assert.Equal(1, ArpReplies(h, Vip3));
    }

    [Fact]
    public void GratuitousArpBurst_SendsRepeatPerVip()
    {
        var h = Served();
        h.Engine.SendVrrpGratuitousArp(new[] { Ip(Vip), Ip(Vip2) }, 5);
        var garps = h.Sink.Arp.ToList();
        Assert.Equal(10, garps.Count);
        Assert.All(garps, f => Assert.Equal(Frames.U32(f, 14 + 14), Frames.U32(f, 14 + 24))); // sender ip = target ip
    }

    [Fact]
    public void DeletingTheInstance_UngatesItsVip()
    {
        var h = Served();
        h.Engine.AddVrrpInstance(Instance());
        Assert.Equal(0, ArpReplies(h, Vip));
        h.Engine.DeleteVrrpInstance("VI_1");
        Assert.Equal(1, ArpReplies(h, Vip));
    }

    [Fact]
    public void Operations_RefuseClearly_AndChangeNothing()
    {
        var h = Served();
        h.Engine.AddVrrpInstance(Instance());
        var e = Assert.Throws<LvsException>(() => h.Engine.AddVrrpInstance(Instance()));
        Assert.Equal(LvsErrorIds.VrrpInstanceExists, e.ErrorId);
        e = Assert.Throws<LvsException>(() => h.Engine.AddVrrpInstance(Instance("VI_2", 51, Vip2)));
        Assert.Equal(LvsErrorIds.InvalidVrrpInstance, e.ErrorId);
        Assert.Contains("virtual_router_id 51 (VRRPv3) is already the instance 'VI_1''s", e.Message);
        e = Assert.Throws<LvsException>(() => h.Engine.AddVrrpInstance(Instance("VI_2", 52, Vip)));
        Assert.Contains("the VIP 10.250.0.101 already belongs to the instance 'VI_1'", e.Message);
        e = Assert.Throws<LvsException>(() => h.Engine.EditVrrpInstance(Instance("VI_9")));
        Assert.Equal(LvsErrorIds.VrrpInstanceNotFound, e.ErrorId);
        e = Assert.Throws<LvsException>(() => h.Engine.DeleteVrrpInstance("VI_9"));
        Assert.Equal((LvsErrorIds.VrrpInstanceNotFound, LvsErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        var bad = Instance();
        bad.Priority = 0;
        e = Assert.Throws<LvsException>(() => h.Engine.EditVrrpInstance(bad));
        Assert.Contains("priority 0 is out of range", e.Message);
        var listed = Assert.Single(h.Engine.ListVrrpInstances());
        Assert.Equal((100, VrrpState.Init), (listed.Priority, listed.State));
        h.Engine.InterfaceName = "eth1";
        e = Assert.Throws<LvsException>(() => h.Engine.AddVrrpInstance(Instance("VI_3", 53, 0x0AFA0068)));
        Assert.Contains("its interface 'eth0' is not director", e.Message);
    }

    [Fact]
    public void TheInstances_AreSavedAndRestored()
    {
        var h = Served();
        var spec = Instance();
        spec.Version = 2; spec.AdvertIntervalCentiseconds = 200; spec.AuthType = VrrpAuthType.Pass; spec.AuthPassword = "pw";
        spec.UnicastPeers.Add(Ip(0x0AFA0002)); spec.Preempt = false; spec.Notify = "/bin/true";
        h.Engine.AddVrrpInstance(spec);
        var json = DirectorJson.Serialize(h.Engine.ExportState());
        var again = new EngineHarness();
        foreach (var s in DirectorJson.Deserialize<DirectorState>(json)!.Services) again.Engine.AddService(s);
        foreach (var v in DirectorJson.Deserialize<DirectorState>(json)!.VrrpInstances) again.Engine.AddVrrpInstance(v);
        var back = Assert.Single(again.Engine.ExportState().VrrpInstances);
        Assert.Equal(DirectorJson.Serialize(spec), DirectorJson.Serialize(back));
        Assert.Equal(0, ArpReplies(again, Vip));
    }
}
