using System.Net;
using BenchmarkDotNet.Attributes;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Bench;

/// <summary>
/// One new-connection scheduling decision per call, on a service of 100 real servers (weights 1..5, some load),
/// each call from another client address and port; and the rebuild of mh's 4093-entry Maglev table for 100 servers.
/// Scheduling should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class SchedulerBenchmarks
{
    private const int Servers = 100;

    private List<Destination> _list;
    private IIpvsScheduler _scheduler;
    private uint _client = 0xC0A80000;
    private ushort _port = 1024;

    /// <summary>The scheduler that decides.</summary>
    [Params(LvsScheduler.Rr, LvsScheduler.Wrr, LvsScheduler.Wlc, LvsScheduler.Sh, LvsScheduler.Dh, LvsScheduler.Mh)]
    public LvsScheduler Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _list = ServiceOf(Servers);
        _scheduler = SchedulerFactory.Create(Kind);
        _scheduler.OnDestinationsChanged(_list, null);
    }

    /// <summary><paramref name="count"/> real servers (weights 1..5, some load) in kernel order, newest first.</summary>
    internal static List<Destination> ServiceOf(int count)
    {
        var list = new List<Destination>(count);
        for (int i = 0; i < count; i++)
        {
            uint a = 0x0A010000u + (uint)i + 1;
            var d = new Destination(new IPAddress(new[] { (byte)10, (byte)1, (byte)(a >> 8), (byte)a }), 80, LvsForwarding.Route, 1 + i % 5)
            {
                AddressValue = a,
                ActiveConnections = (i * 7) % 13,
                InactiveConnections = (i * 11) % 17,
            };
            list.Insert(0, d); // kernel order: newest first
        }
        return list;
    }

    private SchedulingContext NextPacket()
    {
        _client = _client * 1664525u + 1013904223u; // a different client (and virtual address for dh) each time
        _port = (ushort)(_port == 65535 ? 1024 : _port + 1);
        return new SchedulingContext(_client, _port, 0x0AFA0000u | (_client >> 24), 80, 0);
    }

    /// <summary>One new-connection decision of <see cref="Kind"/>.</summary>
    [Benchmark]
    public Destination Schedule() => _scheduler.Schedule(_list, NextPacket());
}

/// <summary>The rebuild of mh's 4093-entry Maglev table for 100 servers (a scheduler benchmark of its own).</summary>
[MemoryDiagnoser]
public class SchedulerTableBenchmarks
{
    private List<Destination> _list;
    private MaglevHashingScheduler _mhBuild;

    [GlobalSetup]
    public void Setup()
    {
        _list = SchedulerBenchmarks.ServiceOf(100);
        _mhBuild = new MaglevHashingScheduler();
        _mhBuild.OnDestinationsChanged(_list, null);
    }

    /// <summary>ip_vs_mh_reassign for 100 servers: permutations and the 4093-entry fill (runs on every add/delete/edit).</summary>
    [Benchmark]
    public void MhTableBuild() => _mhBuild.OnDestinationsChanged(_list, null);
}
