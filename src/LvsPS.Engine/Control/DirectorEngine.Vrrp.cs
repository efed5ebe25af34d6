// DirectorEngine, control plane: the VRRP instances (IDirector's List/Add/Edit/DeleteVrrpInstance). The engine keeps
// the configuration (saved in the state file with the services) and the VIP gate (DataPath/DirectorEngine.VrrpGate.cs);
// the protocol runs in lvsd's VrrpSpeaker (Vrrp/VrrpSpeaker.cs), on its own thread and sockets, which the engine
// reaches through IVrrpHost outside its lock. An engine without a speaker (a scratch engine checking a state file, a
// test) keeps the instances and reports them in state Init: their VIPs stay silent, as a router that never won.

namespace LvsPS.Engine.DataPath;

/// <summary>Where the VRRP instances run (lvsd's speaker).</summary>
internal interface IVrrpHost
{
    void Add(VrrpInstanceSpec spec);
    void Edit(VrrpInstanceSpec spec);
    void Delete(string name);
    /// <summary>The running state of an instance, or null when the host does not run it.</summary>
    VrrpInstanceStatus? Status(string name);
}

internal sealed partial class DirectorEngine
{
    private readonly List<VrrpInstanceSpec> _vrrpSpecs = new();

    /// <summary>lvsd's VRRP speaker; null = the instances are kept but not run.</summary>
    public IVrrpHost? VrrpHost { get; set; }

    /// <summary>lvsd's outside interface: a VRRP instance must name it (null = not checked).</summary>
    public string? InterfaceName { get; set; }

    public List<VrrpInstanceStatus> ListVrrpInstances()
    {
        List<VrrpInstanceSpec> specs;
        lock (Sync) specs = _vrrpSpecs.Select(s => s.Clone()).ToList();
        return specs.Select(s => WithConfiguration(VrrpHost?.Status(s.Name) ?? VrrpInstanceStatus.Of(Name, s, VrrpState.Init), s)).ToList();
    }

    /// <summary>The status with the instance's whole configuration (what Set-LvsVrrpInstance starts from).</summary>
    private static VrrpInstanceStatus WithConfiguration(VrrpInstanceStatus status, VrrpInstanceSpec spec)
    {
        status.Configuration = spec;
        return status;
    }

    public void AddVrrpInstance(VrrpInstanceSpec instance)
    {
        VrrpInstanceSpec spec;
        lock (Sync)
        {
            VrrpValidator.Instance(instance);
            if (_vrrpSpecs.Any(s => s.Name == instance.Name))
                throw new LvsException(LvsErrorIds.VrrpInstanceExists, LvsErrorKind.ResourceExists,
                    $"The VRRP instance '{instance.Name}' already exists on director '{Name}'.", instance.Name);
            spec = CheckVrrpInstance(instance, null);
            _vrrpSpecs.Add(spec);
            RebuildVrrpGate();
        }
        VrrpHost?.Add(spec.Clone());
    }

    public void EditVrrpInstance(VrrpInstanceSpec instance)
    {
        VrrpInstanceSpec spec;
        lock (Sync)
        {
            int at = IndexOfVrrp(instance?.Name);
            spec = CheckVrrpInstance(instance!, _vrrpSpecs[at].Name);
            _vrrpSpecs[at] = spec;
            RebuildVrrpGate();
        }
        VrrpHost?.Edit(spec.Clone());
    }

    public void DeleteVrrpInstance(string name)
    {
        lock (Sync)
        {
            _vrrpSpecs.RemoveAt(IndexOfVrrp(name));
            _vrrpMasters.Remove(name);
            RebuildVrrpGate();
        }
        VrrpHost?.Delete(name);
    }

    /// <summary>The configured instances, for the state file.</summary>
    private List<VrrpInstanceSpec> VrrpSpecs() => _vrrpSpecs.Select(s => s.Clone()).ToList();

    private int IndexOfVrrp(string? name)
    {
        int at = _vrrpSpecs.FindIndex(s => s.Name == name);
        if (at < 0)
            throw new LvsException(LvsErrorIds.VrrpInstanceNotFound, LvsErrorKind.ObjectNotFound,
                $"No VRRP instance '{name}' exists on director '{Name}'.", name);
        return at;
    }

    /// <summary>
    /// The shared rules (VrrpValidator), then lvsd's: the instance runs on lvsd's interface, its VRID is not another
    /// instance's of the same version (keepalived: one VRID per interface and family), no VIP belongs to two instances.
    /// </summary>
    private VrrpInstanceSpec CheckVrrpInstance(VrrpInstanceSpec instance, string? replacing)
    {
        VrrpValidator.Instance(instance);
        var spec = instance.Clone();
        if (InterfaceName is not null && spec.Interface != InterfaceName)
            throw new LvsException(LvsErrorIds.InvalidVrrpInstance, LvsErrorKind.InvalidArgument,
                $"The VRRP instance '{spec.Name}' cannot be used: its interface '{spec.Interface}' is not director '{Name}''s interface '{InterfaceName}'.", spec.Interface);
        foreach (var other in _vrrpSpecs.Where(s => s.Name != replacing))
        {
            if (other.VirtualRouterId == spec.VirtualRouterId && other.Version == spec.Version)
                throw new LvsException(LvsErrorIds.InvalidVrrpInstance, LvsErrorKind.InvalidArgument,
                    $"The VRRP instance '{spec.Name}' cannot be used: virtual_router_id {spec.VirtualRouterId} (VRRPv{spec.Version}) is already the instance '{other.Name}''s.", spec.VirtualRouterId);
            var shared = spec.VirtualAddresses.FirstOrDefault(other.VirtualAddresses.Contains);
            if (shared is not null)
                throw new LvsException(LvsErrorIds.InvalidVrrpInstance, LvsErrorKind.InvalidArgument,
                    $"The VRRP instance '{spec.Name}' cannot be used: the VIP {shared} already belongs to the instance '{other.Name}'.", shared);
        }
        return spec;
    }
}
