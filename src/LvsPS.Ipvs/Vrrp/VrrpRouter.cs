// The VRRP router of one instance (RFC 5798 §6.4, RFC 3768 §6.4) with keepalived 2.2's choices where the RFCs leave
// room (vrrp.c vrrp_state_backup / vrrp_state_master_rx, vrrp_scheduler.c vrrp_init_state): a deterministic object
// driven by (now, event) that returns what to do. No clock, no socket, no thread: lvsd's VrrpSpeaker owns those.
//
// Timers (milliseconds):
//   Skew_Time            v3: ((256 - priority) × Master_Adver_Interval [cs]) / 256, in whole centiseconds;
//                        v2: (256 - priority) / 256 s
//   Master_Down_Interval 3 × Master_Adver_Interval + Skew_Time
// Backup: an advert from the master (any priority when preemption is off or the advert's priority ≥ ours, or while
// a preempt_delay runs) re-arms the down timer, and in v3 the backup takes the master's interval; priority 0 sets the
// down timer to Skew_Time; a lower-priority advert with preemption allowed (and its delay over) is ignored, so the
// down timer runs out and this router preempts. Master: a higher priority (or the same priority from a higher
// address) makes it backup at once; priority 0 and lower priorities are answered with an advert at once.

namespace LvsPS.Ipvs.Vrrp;

public enum VrrpActionKind
{
    /// <summary>Send an advert with <see cref="VrrpAction.Priority"/> (0 = this router stops being master).</summary>
    SendAdvert,
    /// <summary>The state changed to <see cref="VrrpAction.State"/>: own or release the VIPs, log, run the notify commands.</summary>
    StateChanged,
    /// <summary>Send <see cref="VrrpAction.Count"/> gratuitous ARPs for every VIP (garp_master_repeat).</summary>
    GratuitousArp,
    /// <summary>Only a line for the log (<see cref="VrrpAction.Message"/>).</summary>
    Log,
    /// <summary>A misconfiguration seen on the wire (two address owners): a line for the log, as an error.</summary>
    ConfigurationError,
}

public readonly record struct VrrpAction(VrrpActionKind Kind, int Priority = 0, VrrpState State = VrrpState.Init, int Count = 0, string? Message = null)
{
    public override string ToString() => Kind switch
    {
        VrrpActionKind.SendAdvert => $"advert priority {Priority}",
        VrrpActionKind.StateChanged => $"{State}: {Message}",
        VrrpActionKind.GratuitousArp => $"garp x{Count}",
        _ => Message ?? "",
    };
}

public sealed class VrrpRouter
{
    public const int OwnerPriority = 255;
    public const long Never = long.MaxValue;

    private long _timerAt = Never;
    private long _garpAt = Never;
    private long _preemptAt = Never;
    /// <summary>Until when a lower priority master's advert brings no new gratuitous ARP burst.</summary>
    private long _lowerPriorityGarpUntil;

    public VrrpRouter(VrrpInstanceSpec spec, uint ownAddress)
    {
        Spec = spec.Clone();
        OwnAddress = ownAddress;
        EffectivePriority = spec.Priority;
        MasterAdvertIntervalCentiseconds = spec.AdvertIntervalCentiseconds;
    }

    public VrrpInstanceSpec Spec { get; }
    /// <summary>The address this router's adverts come from (the elections compare it).</summary>
    public uint OwnAddress { get; }
    public VrrpState State { get; private set; } = VrrpState.Init;
    /// <summary>The priority in our adverts (keepalived lowers an owner's to 254 when a second owner shows up).</summary>
    public int EffectivePriority { get; private set; }
    /// <summary>The master's interval as a backup knows it (v3 takes it from the master's adverts).</summary>
    public int MasterAdvertIntervalCentiseconds { get; private set; }
    public uint MasterAddress { get; private set; }
    public int MasterPriority { get; private set; }
    /// <summary>When the state last changed (the driver's clock, ms).</summary>
    public long LastTransitionMs { get; private set; }
    /// <summary>When a running preempt_delay ends (ms), else <see cref="Never"/>.</summary>
    public long PreemptAtMs => _preemptAt;
    public ulong Transitions { get; private set; }
    public ulong AdvertsSent { get; private set; }
    public ulong AdvertsReceived { get; private set; }
    public ulong AdvertsDropped { get; private set; }
    public ulong BecameMaster { get; private set; }
    public ulong ReleasedMaster { get; private set; }

    /// <summary>The next time <see cref="OnTimer"/> has something to do (ms), or <see cref="Never"/>.</summary>
    public long Deadline => Math.Min(_timerAt, _garpAt);

    /// <summary>Skew_Time in ms for a priority and a master interval (see the top of the file).</summary>
    public static long SkewMs(int version, int priority, int masterIntervalCentiseconds) =>
        version == 3 ? (256L - priority) * masterIntervalCentiseconds / 256 * 10 : (256L - priority) * 1000 / 256;

    /// <summary>Master_Down_Interval in ms.</summary>
    public static long MasterDownMs(int version, int priority, int masterIntervalCentiseconds) =>
        3L * masterIntervalCentiseconds * 10 + SkewMs(version, priority, masterIntervalCentiseconds);

    private long Skew => SkewMs(Spec.Version, EffectivePriority, MasterAdvertIntervalCentiseconds);
    private long MasterDown => 3L * MasterAdvertIntervalCentiseconds * 10 + Skew;
    private long AdvertMs => Spec.AdvertIntervalCentiseconds * 10L;

    /// <summary>
    /// Startup (keepalived 2.2.7's vrrp_init_state): the address owner (priority 255) becomes master at once; every
    /// other instance, "state MASTER" included, starts as backup with the down timer at Master_Down_Interval (seen
    /// on keepalived 2.2.7: state MASTER, priority 120, VRRPv2 advert_int 2 became master 7 s after it started).
    /// </summary>
    public List<VrrpAction> Start(long now)
    {
        var actions = new List<VrrpAction>();
        if (State != VrrpState.Init) return actions;
        if (EffectivePriority == OwnerPriority)
            GoMaster(now, actions, "the address owner (priority 255) starts as master");
        else
        {
            MasterAdvertIntervalCentiseconds = Spec.AdvertIntervalCentiseconds;
            Change(VrrpState.Backup, now, actions, "started");
            _timerAt = now + MasterDown;
        }
        return actions;
    }

    /// <summary>
    /// Resumes as master without an election (an edit of a running master's instance): adverts go on at once, no
    /// state change is reported and no gratuitous ARP is sent.
    /// </summary>
    public List<VrrpAction> ResumeMaster(long now)
    {
        State = VrrpState.Master;
        MasterAddress = OwnAddress;
        MasterPriority = EffectivePriority;
        LastTransitionMs = now;
        _timerAt = now + AdvertMs;
        AdvertsSent++;
        return new List<VrrpAction> { new(VrrpActionKind.SendAdvert, EffectivePriority) };
    }

    /// <summary>Whatever is due at <paramref name="now"/>: the master's next advert and second ARP burst, the backup's down timer.</summary>
    public List<VrrpAction> OnTimer(long now)
    {
        var actions = new List<VrrpAction>();
        if (State == VrrpState.Master && now >= _garpAt)
        {
            _garpAt = Never;
            actions.Add(new VrrpAction(VrrpActionKind.GratuitousArp, Count: Spec.GarpMasterRepeat));
        }
        if (now < _timerAt) return actions;
        if (State == VrrpState.Master)
        {
            Send(actions, EffectivePriority);
            _timerAt = now + AdvertMs;
        }
        else if (State == VrrpState.Backup)
            GoMaster(now, actions, MasterAddress == 0 ? "no advert heard within the master down interval"
                : $"the master {VrrpPacket.ToAddress(MasterAddress)} went silent (master down interval {MasterDown} ms)");
        return actions;
    }

    /// <summary>A received advert that failed <see cref="VrrpPacket.Check"/>: counted, changes nothing.</summary>
    public void CountDropped() => AdvertsDropped++;

    /// <summary>A received advert that passed <see cref="VrrpPacket.Check"/> for this instance.</summary>
    public List<VrrpAction> OnAdvert(long now, VrrpAdvert advert)
    {
        var actions = new List<VrrpAction>();
        AdvertsReceived++;
        if (State == VrrpState.Backup) Backup(now, advert, actions);
        else if (State == VrrpState.Master) Master(now, advert, actions);
        return actions;
    }

    private void Backup(long now, VrrpAdvert a, List<VrrpAction> actions)
    {
        if (a.Priority == 0)
        {
            // The master is leaving: take over after Skew_Time (the highest priority backup first).
            _timerAt = now + Skew;
            MasterPriority = 0;
            actions.Add(Log($"the master {VrrpPacket.ToAddress(a.Source)} sent priority 0; taking over in {Skew} ms unless another backup does"));
            return;
        }
        bool delaying = Spec.PreemptDelaySeconds > 0 && (_preemptAt == Never || _preemptAt > now);
        if (!Spec.Preempt || a.Priority >= EffectivePriority || delaying)
        {
            if (Spec.Version == 3 && a.AdvertIntervalCentiseconds != MasterAdvertIntervalCentiseconds)
            {
                actions.Add(Log($"advert interval {a.AdvertIntervalCentiseconds} cs taken from the master (was {MasterAdvertIntervalCentiseconds} cs)"));
                MasterAdvertIntervalCentiseconds = a.AdvertIntervalCentiseconds;
            }
            _timerAt = now + MasterDown;
            MasterAddress = a.Source;
            MasterPriority = a.Priority;
            if (Spec.Preempt && Spec.PreemptDelaySeconds > 0)
            {
                if (a.Priority >= EffectivePriority) _preemptAt = Never;
                else if (_preemptAt == Never)
                {
                    _preemptAt = now + (long)(Spec.PreemptDelaySeconds * 1000);
                    actions.Add(Log($"lower priority master {VrrpPacket.ToAddress(a.Source)} ({a.Priority}); preempting after preempt_delay {Spec.PreemptDelaySeconds} s"));
                }
            }
            return;
        }
        // Preemption allowed and no delay left: the lower priority master is ignored, the down timer runs out.
        MasterAddress = a.Source;
        MasterPriority = a.Priority;
    }

    private void Master(long now, VrrpAdvert a, List<VrrpAction> actions)
    {
        int cmp = a.Source.CompareTo(OwnAddress);
        if (a.Priority == 0)
        {
            Send(actions, EffectivePriority);
            return;
        }
        if (a.Priority == EffectivePriority && cmp != 0 && EffectivePriority == OwnerPriority)
        {
            actions.Add(new VrrpAction(VrrpActionKind.ConfigurationError, Message: $"CONFIGURATION ERROR: {VrrpPacket.ToAddress(a.Source)} is an address owner (priority 255) too; lowering ours to 254"));
            EffectivePriority = OwnerPriority - 1;
        }
        if (a.Priority < EffectivePriority || (a.Priority == EffectivePriority && cmp < 0))
        {
            // A lower priority router thinks it is master: force a new election by advertising now, and win the
            // clients' ARP caches back (after a split, they point at the other master): keepalived's
            // garp_lower_prio_repeat, which defaults to garp_master_repeat, at most once per garp_lower_prio_delay
            // (default garp_master_delay).
            Send(actions, EffectivePriority);
            if (a.Priority > 0 && now >= _lowerPriorityGarpUntil)
            {
                actions.Add(new VrrpAction(VrrpActionKind.GratuitousArp, Count: Spec.GarpMasterRepeat));
                _lowerPriorityGarpUntil = now + Math.Max(1, Spec.GarpMasterDelaySeconds) * 1000L;
            }
            return;
        }
        if (a.Priority > EffectivePriority || (a.Priority == EffectivePriority && cmp > 0))
        {
            // Two masters (a link came back after a split): the clients' ARP caches may point at us. One last advert
            // at our priority before we go makes the winner see a lower priority master and send its gratuitous ARPs
            // (keepalived's garp_lower_prio_repeat; keepalived itself does this with vrrp_higher_prio_send_advert).
            // Without it, when the winner's advert reaches us before ours reaches it, nobody re-announces the VIPs
            // and the clients go on sending to a backup until their ARP entries go stale.
            Send(actions, EffectivePriority);
            MasterAddress = a.Source;
            MasterPriority = a.Priority;
            ReleasedMaster++;
            _garpAt = Never;
            _preemptAt = Never;
            MasterAdvertIntervalCentiseconds = Spec.AdvertIntervalCentiseconds;
            Change(VrrpState.Backup, now, actions, a.Priority > EffectivePriority
                ? $"{VrrpPacket.ToAddress(a.Source)} advertises a higher priority ({a.Priority} > {EffectivePriority})"
                : $"{VrrpPacket.ToAddress(a.Source)} advertises the same priority ({a.Priority}) from a higher address");
            _timerAt = now + MasterDown;
        }
    }

    /// <summary>
    /// The interface lost its link (carrier down, or set down): FAULT, as keepalived does. The VIPs are released, no
    /// advert is sent (none could leave) and received ones are ignored until the link is back.
    /// </summary>
    public List<VrrpAction> OnLinkDown(long now)
    {
        var actions = new List<VrrpAction>();
        if (State is VrrpState.Init or VrrpState.Fault) return actions;
        if (State == VrrpState.Master) ReleasedMaster++;
        _timerAt = _garpAt = _preemptAt = Never;
        MasterAddress = 0;
        MasterPriority = 0;
        Change(VrrpState.Fault, now, actions, "the interface's link is down");
        return actions;
    }

    /// <summary>
    /// The link is back: out of FAULT as keepalived leaves it, as a backup with the down timer armed (the address
    /// owner straight to master). A router that was master before the cut therefore wins the election again through
    /// preemption (after its preempt_delay) and announces itself with a gratuitous ARP burst, instead of assuming it
    /// still is master while the clients' ARP caches point at the director that took over.
    /// </summary>
    public List<VrrpAction> OnLinkUp(long now)
    {
        var actions = new List<VrrpAction>();
        if (State != VrrpState.Fault) return actions;
        if (EffectivePriority == OwnerPriority)
        {
            GoMaster(now, actions, "the interface's link is up again; the address owner is master");
            return actions;
        }
        MasterAdvertIntervalCentiseconds = Spec.AdvertIntervalCentiseconds;
        Change(VrrpState.Backup, now, actions, "the interface's link is up again");
        _timerAt = now + MasterDown;
        return actions;
    }

    /// <summary>
    /// The router stops (lvsd shuts down or the instance is deleted): a master sends priority 0 so a backup takes
    /// over after its Skew_Time instead of the whole down interval, and releases the VIPs.
    /// </summary>
    public List<VrrpAction> Stop(long now)
    {
        var actions = new List<VrrpAction>();
        if (State == VrrpState.Master)
        {
            Send(actions, 0);
            ReleasedMaster++;
        }
        if (State != VrrpState.Init) Change(VrrpState.Init, now, actions, "stopped");
        _timerAt = _garpAt = _preemptAt = Never;
        return actions;
    }

    private void GoMaster(long now, List<VrrpAction> actions, string why)
    {
        BecameMaster++;
        MasterAddress = OwnAddress;
        MasterPriority = EffectivePriority;
        _preemptAt = Never;
        Change(VrrpState.Master, now, actions, why);
        Send(actions, EffectivePriority);
        actions.Add(new VrrpAction(VrrpActionKind.GratuitousArp, Count: Spec.GarpMasterRepeat));
        _garpAt = Spec.GarpMasterDelaySeconds > 0 ? now + Spec.GarpMasterDelaySeconds * 1000L : Never;
        _timerAt = now + AdvertMs;
    }

    private void Change(VrrpState state, long now, List<VrrpAction> actions, string why)
    {
        State = state;
        LastTransitionMs = now;
        Transitions++;
        actions.Add(new VrrpAction(VrrpActionKind.StateChanged, State: state, Priority: EffectivePriority, Message: why));
    }

    private void Send(List<VrrpAction> actions, int priority)
    {
        AdvertsSent++;
        actions.Add(new VrrpAction(VrrpActionKind.SendAdvert, priority));
    }

    private static VrrpAction Log(string message) => new(VrrpActionKind.Log, Message: message);
}
