using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Ipvs.Tests.Vrrp;

/// <summary>
/// The router state machine, driven by (now, event) with no clock or sleep: RFC 5798/3768 timers and keepalived
/// 2.2.7's choices (vrrp_state_backup, vrrp_state_master_rx, vrrp_init_state).
/// </summary>
public sealed class VrrpRouterTests
{
    private const uint Me = 0x0a000001, Lower = 0x0a000000 + 0, Higher = 0x0a000009, Other = 0x0a000002;

    private static VrrpInstanceSpec Spec(int priority = 100, int intervalCs = 100, int version = 3) => new()
    {
        Name = "VI_1", Interface = "eth0", VirtualRouterId = 51, Priority = priority, Version = version,
        AdvertIntervalCentiseconds = intervalCs, VirtualAddresses = { IPAddress.Parse("10.0.0.101") },
        GarpMasterRepeat = 5, GarpMasterDelaySeconds = 5,
    };

    private static VrrpAdvert Advert(int priority, uint from = Other, int intervalCs = 100) =>
        new() { Version = 3, VirtualRouterId = 51, Priority = priority, AdvertIntervalCentiseconds = intervalCs, Source = from, Ttl = 255 };

    private static bool BecameMaster(List<VrrpAction> a) => a.Any(x => x.Kind == VrrpActionKind.StateChanged && x.State == VrrpState.Master);
    private static bool BecameBackup(List<VrrpAction> a) => a.Any(x => x.Kind == VrrpActionKind.StateChanged && x.State == VrrpState.Backup);
    private static int[] Adverts(List<VrrpAction> a) => a.Where(x => x.Kind == VrrpActionKind.SendAdvert).Select(x => x.Priority).ToArray();

    /// <summary>A router on <paramref name="address"/>, started at 0 (so in BACKUP, or MASTER if it owns the addresses).</summary>
    private static VrrpRouter Started(VrrpInstanceSpec spec, uint address = Me)
    {
        var r = new VrrpRouter(spec, address);
        r.Start(0);
        return r;
    }

    /// <summary>A router started at 0 that heard no one and became MASTER when its down timer ran out.</summary>
    private static VrrpRouter StartedMaster(VrrpInstanceSpec spec, uint address = Me)
    {
        var r = Started(spec, address);
        r.OnTimer(r.Deadline);
        return r;
    }

    /// <summary>
    /// A master of <paramref name="priority"/> advertising every second from <paramref name="from"/> to
    /// <paramref name="to"/>; the router does nothing between its adverts.
    /// </summary>
    private static void AdvertsEverySecond(VrrpRouter r, long from, long to, int priority)
    {
        for (long t = from; t <= to; t += 1000)
        {
            Assert.Empty(Run(r, t - 999, t - 1));
            r.OnAdvert(t, Advert(priority));
        }
    }

    /// <summary>Runs the router's timers from <paramref name="from"/> to <paramref name="to"/>; every action with its time.</summary>
    private static List<(long At, VrrpAction Action)> Run(VrrpRouter r, long from, long to)
    {
        var all = new List<(long, VrrpAction)>();
        for (long t = from; t <= to;)
        {
            long next = r.Deadline;
            if (next > to) break;
            t = Math.Max(t, next);
            foreach (var a in r.OnTimer(t)) all.Add((t, a));
        }
        return all;
    }

    [Theory]
    [InlineData(3, 100, 100, 3000 + 600)]   // Skew = (156 × 100 / 256) cs = 60 cs
    [InlineData(3, 200, 100, 3000 + 210)]   // (56 × 100 / 256) = 21 cs
    [InlineData(3, 100, 25, 750 + 150)]     // (156 × 25 / 256) = 15 cs
    [InlineData(3, 254, 25, 750 + 0)]       // (2 × 25 / 256) = 0 cs
    [InlineData(3, 1, 4095, 12285 * 10 + 4079 * 10)]
    [InlineData(2, 100, 100, 3000 + 609)]   // v2: (156 / 256) s = 609 ms
    [InlineData(2, 255, 300, 9000 + 3)]
    public void MasterDownInterval_IsThreeIntervalsPlusSkew(int version, int priority, int cs, long expectedMs)
    {
        Assert.Equal(expectedMs, VrrpRouter.MasterDownMs(version, priority, cs));
    }

    [Fact]
    public void Start_IsBackup_ThenMasterAfterTheDownInterval_WithAdvertAndGarp()
    {
        var r = new VrrpRouter(Spec(100, 25), Me);
        var start = r.Start(1000);
        Assert.True(BecameBackup(start));
        Assert.Equal(VrrpState.Backup, r.State);
        Assert.Equal(1000 + 900, r.Deadline);
        Assert.Empty(r.OnTimer(1899));
        var up = r.OnTimer(1900);
        Assert.True(BecameMaster(up));
        Assert.Equal(new[] { 100 }, Adverts(up));
        Assert.Equal(5, up.Single(a => a.Kind == VrrpActionKind.GratuitousArp).Count);
        Assert.Equal(VrrpState.Master, r.State);
        Assert.Equal(Me, r.MasterAddress);
    }

    [Fact]
    public void StateMaster_StartsAsBackup_AsKeepalived227Does()
    {
        var spec = Spec(120);
        spec.InitialState = VrrpState.Master;
        var r = Started(spec);
        Assert.Equal(VrrpState.Backup, r.State);
        Assert.Equal(VrrpRouter.MasterDownMs(3, 120, 100), r.Deadline);
    }

    [Fact]
    public void Owner_StartsAsMaster_AtOnce()
    {
        var r = new VrrpRouter(Spec(255), Me);
        var a = r.Start(0);
        Assert.True(BecameMaster(a));
        Assert.Equal(new[] { 255 }, Adverts(a));
    }

    [Fact]
    public void Master_AdvertisesEveryInterval_AndRepeatsTheGarpBurstAfterGarpMasterDelay()
    {
        var r = Started(Spec(255, 25));
        var run = Run(r, 1, 6000);
        var adverts = run.Where(x => x.Action.Kind == VrrpActionKind.SendAdvert).Select(x => x.At).ToList();
        Assert.Equal(Enumerable.Range(1, 24).Select(i => i * 250L), adverts);
        var garp = Assert.Single(run, x => x.Action.Kind == VrrpActionKind.GratuitousArp);
        Assert.Equal((5000L, 5), (garp.At, garp.Action.Count));
    }

    [Fact]
    public void NoSecondGarpBurst_WhenGarpMasterDelayIsZero()
    {
        var spec = Spec(255);
        spec.GarpMasterDelaySeconds = 0;
        var r = Started(spec);
        Assert.DoesNotContain(Run(r, 1, 20000), x => x.Action.Kind == VrrpActionKind.GratuitousArp);
    }

    [Fact]
    public void Backup_HigherPriorityAdverts_KeepItBackup_ForEver()
    {
        var r = Started(Spec(100));
        for (long t = 500; t < 60_000; t += 1000)
        {
            Run(r, t - 1000 + 1, t - 1);
            Assert.Empty(r.OnAdvert(t, Advert(200)));
            Assert.Equal(VrrpState.Backup, r.State);
        }
        Assert.Equal((Other, 200), (r.MasterAddress, r.MasterPriority));
    }

    [Fact]
    public void Backup_TakesOver_OneDownIntervalAfterTheLastAdvert()
    {
        var r = Started(Spec(100));
        r.OnAdvert(2000, Advert(200));
        Assert.Equal(2000 + 3600, r.Deadline);
        var run = Run(r, 2001, 5599);
        Assert.Empty(run);
        Assert.True(BecameMaster(r.OnTimer(5600)));
    }

    [Fact]
    public void Backup_PriorityZero_TakesOverAfterSkewTime()
    {
        var r = Started(Spec(100));
        r.OnAdvert(1000, Advert(200));
        r.OnAdvert(1500, Advert(0));
        Assert.Equal(1500 + 600, r.Deadline);
        Assert.True(BecameMaster(r.OnTimer(2100)));
    }

    [Fact]
    public void Backup_LowerPriorityMaster_IsPreempted_AfterTheDownInterval()
    {
        var r = Started(Spec(150));
        long deadline = r.Deadline;
        // The lower priority master's adverts are ignored: the timer set at start runs out.
        r.OnAdvert(1000, Advert(100));
        r.OnAdvert(2000, Advert(100));
        Assert.Equal(deadline, r.Deadline);
        Assert.True(BecameMaster(r.OnTimer(deadline)));
    }

    [Fact]
    public void Backup_Nopreempt_LowerPriorityMasterStays()
    {
        var spec = Spec(150);
        spec.Preempt = false;
        var r = Started(spec);
        AdvertsEverySecond(r, 1000, 29_000, 100);
        Assert.Equal(VrrpState.Backup, r.State);
        // ... and takes over when that master goes silent.
        Assert.True(BecameMaster(r.OnTimer(29_000 + VrrpRouter.MasterDownMs(3, 150, 100))));
    }

    /// <summary>A backup of priority 150 with a preempt delay of 10 s that heard a lower master (100) at 1000.</summary>
    private static VrrpRouter PreemptDelayed()
    {
        var spec = Spec(150);
        spec.PreemptDelaySeconds = 10;
        var r = Started(spec);
        r.OnAdvert(1000, Advert(100)); // starts the delay: preempt at 11 000
        Assert.Equal(11_000, r.PreemptAtMs);
        return r;
    }

    [Fact]
    public void Backup_PreemptDelay_WaitsThatLong_ThenPreempts()
    {
        var r = PreemptDelayed();
        AdvertsEverySecond(r, 2000, 11_000, 100);
        Assert.Equal(VrrpState.Backup, r.State);
        // From 11 000 on the adverts are ignored; the timer set by the last one taken (at 10 000) runs out.
        for (long t = 12_000; t < 10_000 + VrrpRouter.MasterDownMs(3, 150, 100); t += 1000) r.OnAdvert(t, Advert(100));
        Assert.True(BecameMaster(r.OnTimer(10_000 + VrrpRouter.MasterDownMs(3, 150, 100))));
    }

    [Fact]
    public void Backup_PreemptDelay_StopsWhenAHigherMasterAppears()
    {
        var r = PreemptDelayed();
        r.OnAdvert(2000, Advert(200));
        Assert.Equal(VrrpRouter.Never, r.PreemptAtMs);
    }

    [Fact]
    public void Backup_V3_TakesTheMastersInterval()
    {
        var r = Started(Spec(100, 100));
        r.OnAdvert(1000, Advert(200, intervalCs: 25));
        Assert.Equal(25, r.MasterAdvertIntervalCentiseconds);
        Assert.Equal(1000 + 750 + 150, r.Deadline);
    }

    [Fact]
    public void Master_HigherPriority_MakesItBackup_AfterOneAdvertAtItsOwnPriority_NotPriorityZero()
    {
        var m = StartedMaster(Spec(100));
        Assert.Equal(VrrpState.Master, m.State);
        var a = m.OnAdvert(5000, Advert(200));
        Assert.True(BecameBackup(a));
        // one advert at 100 (so the other master, seeing a lower priority master, re-sends its gratuitous ARPs), and
        // it goes before the change of state
        Assert.Equal(new[] { 100 }, Adverts(a));
        Assert.True(a.FindIndex(x => x.Kind == VrrpActionKind.SendAdvert) < a.FindIndex(x => x.Kind == VrrpActionKind.StateChanged));
        Assert.Equal((Other, 200, 1UL), (m.MasterAddress, m.MasterPriority, m.ReleasedMaster));
        Assert.Equal(5000 + 3600, m.Deadline);
    }

    [Fact]
    public void Master_LowerPriorityOrPriorityZero_AnswersWithAnAdvert_AndStays()
    {
        var m = Started(Spec(255));
        Assert.Equal(new[] { 255 }, Adverts(m.OnAdvert(100, Advert(100))));
        Assert.Equal(new[] { 255 }, Adverts(m.OnAdvert(200, Advert(0))));
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Master_LowerPriorityMaster_GetsAGratuitousArpBurst_AtMostOncePerDelay()
    {
        // After a split the clients' ARP caches point at the other master: win them back as keepalived's
        // garp_lower_prio_repeat does (garp_master_repeat GARPs, then quiet for garp_master_delay).
        var m = Started(Spec(255));
        static int Garps(List<VrrpAction> a) => a.Where(x => x.Kind == VrrpActionKind.GratuitousArp).Sum(x => x.Count);
        Assert.Equal(5, Garps(m.OnAdvert(10_000, Advert(100))));
        Assert.Equal(0, Garps(m.OnAdvert(12_000, Advert(100))));
        Assert.Equal(5, Garps(m.OnAdvert(15_000, Advert(100))));
        Assert.Equal(0, Garps(m.OnAdvert(30_000, Advert(0))));   // a master that stops needs no ARP fight
    }

    [Fact]
    public void EqualPriority_TheHigherAddressWins()
    {
        // Two masters of priority 100: the one with the lower address yields, the higher stays.
        var low = StartedMaster(Spec(100));
        Assert.True(BecameBackup(low.OnAdvert(5000, Advert(100, from: Higher))));
        var high = StartedMaster(Spec(100), Higher);
        Assert.Equal(new[] { 100 }, Adverts(high.OnAdvert(5000, Advert(100, from: Me))));
        Assert.Equal(VrrpState.Master, high.State);
    }

    [Fact]
    public void EqualPriority_ABackupDoesNotPreemptAMaster()
    {
        var r = Started(Spec(100), Higher);
        r.OnAdvert(1000, Advert(100, from: Me));
        Assert.Equal(1000 + 3600, r.Deadline);
    }

    [Fact]
    public void TwoOwners_TheReceivingOneLowersItsPriority()
    {
        var m = Started(Spec(255));
        var a = m.OnAdvert(100, Advert(255, from: Higher));
        Assert.Equal(254, m.EffectivePriority);
        Assert.True(BecameBackup(a));
    }

    [Fact]
    public void LinkDown_MakesAMasterFault_ReleasingTheVips_SilentAndDeafUntilTheLinkIsBack()
    {
        var r = Started(Spec(150, 25));
        Run(r, 0, 2000);
        Assert.Equal(VrrpState.Master, r.State);
        var down = r.OnLinkDown(2100);
        Assert.Contains(down, a => a.Kind == VrrpActionKind.StateChanged && a.State == VrrpState.Fault);
        Assert.Empty(Adverts(down));
        Assert.Equal(VrrpState.Fault, r.State);
        Assert.Equal(1UL, r.ReleasedMaster);
        Assert.Empty(Run(r, 2100, 60_000));                 // no advert, no takeover while the link is down
        Assert.Empty(r.OnAdvert(3000, Advert(100)));         // nor does an advert change anything
        Assert.Equal(VrrpState.Fault, r.State);
        Assert.Empty(r.OnLinkDown(3100));                    // a second down is nothing new
    }

    [Fact]
    public void LinkUp_AfterACut_IsBackup_AndWinsBackThroughPreemption_WithAGarpBurst()
    {
        // The director that was master before its link was cut must not assume it still is: the other took over and
        // the clients' ARP caches point at it. As keepalived leaves FAULT: backup, then the lower-priority master is
        // preempted when the down interval runs out, with adverts and a gratuitous ARP burst.
        var r = Started(Spec(150, 25));
        Run(r, 0, 2000);
        r.OnLinkDown(2100);
        var up = r.OnLinkUp(10_000);
        Assert.True(BecameBackup(up));
        Assert.Equal(VrrpState.Backup, r.State);
        Assert.Empty(r.OnAdvert(10_100, Advert(100)));       // the other (100) is master now: ignored, preempt
        var later = Run(r, 10_100, 10_100 + VrrpRouter.MasterDownMs(3, 150, 25));
        Assert.True(BecameMaster(later.Select(x => x.Action).ToList()));
        Assert.Contains(later, x => x.Action.Kind == VrrpActionKind.GratuitousArp && x.Action.Count == 5);
        Assert.Equal(2UL, r.BecameMaster);
    }

    [Fact]
    public void LinkUp_TheAddressOwner_IsMasterAtOnce()
    {
        var r = Started(Spec(255, 25));
        r.OnLinkDown(100);
        var up = r.OnLinkUp(200);
        Assert.True(BecameMaster(up));
        Assert.Contains(up, a => a.Kind == VrrpActionKind.GratuitousArp);
        Assert.Empty(new VrrpRouter(Spec(100, 25), Me).OnLinkUp(0));   // not in FAULT: nothing
    }

    [Fact]
    public void Stop_AMasterSendsPriorityZero_ABackupSendsNothing()
    {
        var m = Started(Spec(255));
        var stop = m.Stop(100);
        Assert.Equal(new[] { 0 }, Adverts(stop));
        Assert.Contains(stop, x => x.Kind == VrrpActionKind.StateChanged && x.State == VrrpState.Init);
        Assert.Equal(VrrpRouter.Never, m.Deadline);
        var b = Started(Spec(100));
        Assert.Empty(Adverts(b.Stop(100)));
    }

    [Fact]
    public void TwoRouters_OnOneWire_ElectTheHigherPriority_AndFailOverOnKill()
    {
        // Both routers exchange their adverts through a perfect wire; the 200 wins, the 100 takes over when it dies.
        var a = new VrrpRouter(Spec(200, 25), Higher);
        var b = new VrrpRouter(Spec(100, 25), Me);
        var adverts = new Queue<(VrrpRouter To, VrrpAdvert Ad, long At)>();
        void Emit(VrrpRouter from, VrrpRouter to, List<VrrpAction> acts, long now)
        {
            foreach (var p in Adverts(acts)) adverts.Enqueue((to, Advert(p, from.OwnAddress, 25), now));
        }
        Emit(a, b, a.Start(0), 0);
        Emit(b, a, b.Start(3), 3);
        bool aAlive = true;
        long? takeover = null;
        for (long t = 0; t <= 10_000; t++)
        {
            if (t == 5000) aAlive = false; // kill -9: no priority 0
            while (adverts.Count > 0) { var (to, ad, _) = adverts.Dequeue(); if (to == a && !aAlive) continue; Emit(to, to == a ? b : a, to.OnAdvert(t, ad), t); }
            if (aAlive && a.Deadline <= t) Emit(a, b, a.OnTimer(t), t);
            if (b.Deadline <= t) { var acts = b.OnTimer(t); if (BecameMaster(acts) && t > 5000) takeover = t; Emit(b, a, acts, t); }
            if (t == 4999) Assert.Equal((VrrpState.Master, VrrpState.Backup), (a.State, b.State));
        }
        Assert.Equal(VrrpState.Master, b.State);
        // The last advert from a came at or before 5000; b waits 3 × 250 + (156 × 25 / 256) cs = 900 ms.
        Assert.InRange(takeover!.Value, 5000 + 900 - 250, 5000 + 900);
    }
}
