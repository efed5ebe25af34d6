using LvsPS.Ipvs.Director;
using LvsPS.Management.Config;

namespace LvsPS.Management.Kernel;

// VRRP on a kernel director is keepalived's: LvsPS keeps each instance as a vrrp_instance block in the keepalived.conf
// it owns on the director (beside the virtual_server blocks of the health checks), tests the file with keepalived -t,
// installs it and starts keepalived with its VRRP process, or reloads it (SIGHUP). The state comes from keepalived's
// own dumps (KernelVrrp).
public sealed partial class KernelDirector
{
    private List<VrrpInstanceSpec> _lastVrrp = new();

    /// <summary>
    /// The instances of keepalived.conf, each with the state keepalived reports (Init when keepalived does not run or
    /// has not got to it), the master's address (this director's own source address while it is master), the master's
    /// priority, the last transition and keepalived's counters.
    /// </summary>
    public List<VrrpInstanceStatus> ListVrrpInstances() => Locked(() =>
    {
        ReadFile();
        var configured = _lastVrrp;
        var list = new List<VrrpInstanceStatus>();
        if (configured.Count == 0) return list;
        var parts = RunChecked(KernelVrrp.StatusCommand, null).Output.Split(KernelVrrp.Marker);
        var dump = KernelVrrp.ParseDump(parts[0]);
        var stats = parts.Length > 1 ? KernelVrrp.ParseStats(parts[1]) : new Dictionary<string, KernelVrrp.InstanceStats>();
        foreach (var v in configured)
        {
            var s = VrrpInstanceStatus.Of(Name, v, VrrpState.Init);
            // the whole instance as keepalived.conf holds it, so Set-LvsVrrpInstance keeps what it is not given
            s.Configuration = v.Clone();
            if (dump.TryGetValue(v.Name, out var d))
            {
                s.State = d.State;
                s.LastTransition = d.LastTransition;
                if (d.State == VrrpState.Master)
                {
                    s.MasterAddress = v.SourceAddress ?? d.SourceAddress;
                    s.MasterPriority = d.EffectivePriority != 0 ? d.EffectivePriority : v.Priority;
                }
                else if (d.State == VrrpState.Backup && d.MasterAddress is { } m)
                {
                    s.MasterAddress = m;
                    s.MasterPriority = d.MasterPriority;
                }
            }
            if (stats.TryGetValue(v.Name, out var st))
            {
                s.AdvertsSent = st.Sent;
                s.AdvertsReceived = st.Received;
                s.AdvertsDropped = st.Errors;
                s.BecameMaster = st.BecameMaster;
                s.ReleasedMaster = st.ReleasedMaster;
                s.Transitions = st.BecameMaster + st.ReleasedMaster;
            }
            list.Add(s);
        }
        return list;
    });

    /// <summary>
    /// Adds a vrrp_instance to keepalived.conf (validated first); a name already there, or the same virtual router id
    /// on the same interface, is VrrpInstanceExists. Nothing changes when keepalived -t refuses the file.
    /// </summary>
    public void AddVrrpInstance(VrrpInstanceSpec instance)
    {
        VrrpValidator.Instance(instance);
        ChangeVrrp(list =>
        {
            if (list.Any(v => v.Name == instance.Name))
                throw new LvsException(LvsErrorIds.VrrpInstanceExists, LvsErrorKind.ResourceExists,
                    $"Director '{Name}' already has the VRRP instance '{instance.Name}'.", instance.Name);
            RefuseSameRouter(list, instance);
            list.Add(instance.Clone());
        });
    }

    /// <summary>Replaces the instance of that name (VrrpInstanceNotFound when there is none); keepalived reloads it.</summary>
    public void EditVrrpInstance(VrrpInstanceSpec instance)
    {
        VrrpValidator.Instance(instance);
        ChangeVrrp(list =>
        {
            int i = list.FindIndex(v => v.Name == instance.Name);
            if (i < 0) throw NoInstance(instance.Name);
            RefuseSameRouter(list.Where((_, j) => j != i), instance);
            list[i] = instance.Clone();
        });
    }

    /// <summary>Takes the instance out of keepalived.conf; keepalived gives up its VIPs. VrrpInstanceNotFound when there is none.</summary>
    public void DeleteVrrpInstance(string name)
    {
        VrrpValidator.Name(name);
        ChangeVrrp(list =>
        {
            if (list.RemoveAll(v => v.Name == name) == 0) throw NoInstance(name);
        });
    }

    private void RefuseSameRouter(IEnumerable<VrrpInstanceSpec> others, VrrpInstanceSpec instance)
    {
        var same = others.FirstOrDefault(v => v.Interface == instance.Interface && v.VirtualRouterId == instance.VirtualRouterId);
        if (same is not null)
            throw new LvsException(LvsErrorIds.VrrpInstanceExists, LvsErrorKind.ResourceExists,
                $"The VRRP instance '{same.Name}' on director '{Name}' already uses virtual router id {instance.VirtualRouterId} on {instance.Interface}; give '{instance.Name}' another id.",
                instance.VirtualRouterId);
    }

    private LvsException NoInstance(string name) =>
        new(LvsErrorIds.VrrpInstanceNotFound, LvsErrorKind.ObjectNotFound, $"Director '{Name}' has no VRRP instance '{name}'.", name);

    /// <summary>Reads the file, changes its VRRP instances, writes it back with its services unchanged, and installs it.</summary>
    private void ChangeVrrp(Action<List<VrrpInstanceSpec>> change) => Locked(() =>
    {
        var services = ReadFile();
        var list = _lastVrrp.Select(v => v.Clone()).ToList();
        change(list);
        Install(services, list);
    });
}
