using System.Reflection;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Sync;

namespace LvsPS.Management.Tests.Sync;

/// <summary>An in-memory service table answering the table calls of <see cref="IDirector"/> (for planner unit tests only).</summary>
internal sealed class FakeTable
{
    private readonly List<LvsService> _services;
    private readonly IDirector _proxy;

    public FakeTable(List<LvsService> services)
    {
        _services = services;
        _proxy = DispatchProxy.Create<IDirector, TableProxy>();
        ((TableProxy)(object)_proxy).Table = this;
    }

    public List<LvsService> ListServices() => _services;

    private LvsService Find(ServiceSpec s) => _services.Single(x => s.Names(x));

    private static LvsRealServer Rs(LvsService svc, RealServerSpec r) => new(svc)
    {
        RealAddress = r.Address, RealPort = r.Port, Weight = r.Weight, Forwarding = r.Forwarding,
        UpperThreshold = r.UpperThreshold, LowerThreshold = r.LowerThreshold,
    };

    internal object? Call(string name, object?[] a)
    {
        switch (name)
        {
            case nameof(IDirector.ListServices): return _services;
            case nameof(IDirector.Name): return "fake";
            case nameof(IDirector.AddService):
            {
                var s = (ServiceSpec)a[0]!;
                if (_services.Any(x => s.Names(x))) throw new LvsException(LvsErrorIds.ServiceExists, LvsErrorKind.ResourceExists, "exists");
                var svc = new LvsService { Protocol = s.Protocol, VirtualAddress = s.Address, Port = s.Port, Scheduler = s.Scheduler, PersistentTimeout = s.PersistentTimeout };
                foreach (var r in s.RealServers) svc.RealServers.Add(Rs(svc, r));
                _services.Add(svc);
                return null;
            }
            case nameof(IDirector.EditService):
            {
                var s = (ServiceSpec)a[0]!;
                var svc = Find(s);
                svc.Scheduler = s.Scheduler;
                svc.SchedulerFlags = s.SchedulerFlags;
                svc.PersistentTimeout = s.PersistentTimeout;
                svc.PersistenceNetmask = s.PersistenceNetmask;
                return null;
            }
            case nameof(IDirector.DeleteService): _services.Remove(Find((ServiceSpec)a[0]!)); return null;
            case nameof(IDirector.AddRealServer):
            {
                var svc = Find((ServiceSpec)a[0]!);
                var r = (RealServerSpec)a[1]!;
                if (svc.RealServers.Any(x => x.RealAddress.Equals(r.Address) && x.RealPort == r.Port)) throw new LvsException(LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists, "exists");
                svc.RealServers.Insert(0, Rs(svc, r));
                return null;
            }
            case nameof(IDirector.EditRealServer):
            {
                var svc = Find((ServiceSpec)a[0]!);
                var r = (RealServerSpec)a[1]!;
                var x = svc.RealServers.Single(x => x.RealAddress.Equals(r.Address) && x.RealPort == r.Port);
                x.Weight = r.Weight;
                x.Forwarding = r.Forwarding;
                x.UpperThreshold = r.UpperThreshold;
                x.LowerThreshold = r.LowerThreshold;
                return null;
            }
            case nameof(IDirector.DeleteRealServer):
            {
                var svc = Find((ServiceSpec)a[0]!);
                var r = (RealServerSpec)a[1]!;
                svc.RealServers.Remove(svc.RealServers.Single(x => x.RealAddress.Equals(r.Address) && x.RealPort == r.Port));
                return null;
            }
            default: throw new NotSupportedException(name);
        }
    }

    public class TableProxy : DispatchProxy
    {
        internal FakeTable Table = null!;
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            Table.Call(targetMethod!.Name.StartsWith("get_", StringComparison.Ordinal) ? targetMethod.Name[4..] : targetMethod.Name, args ?? Array.Empty<object?>());
    }

    public IDirector Director => _proxy;
}
