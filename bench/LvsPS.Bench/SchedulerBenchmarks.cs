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
    private IIpvsScheduler _rr, _wrr, _wlc, _sh, _dh, _mh;
    private MaglevHashingScheduler _mhBuild;
    private uint _client = 0xC0A80000;
    private ushort _port = 1024;

    [GlobalSetup]
    public void Setup()
    {
        _list = new List<Destination>(Servers);
        for (int i = 0; i < Servers; i++)
        {
            uint a = 0x0A010000u + (uint)i + 1;
            var d = new Destination(new IPAddress(new[] { (byte)10, (byte)1, (byte)(a >> 8), (byte)a }), 80, LvsForwarding.Route, 1 + i % 5)
            {
                AddressValue = a,
                ActiveConnections = (i * 7) % 13,
                InactiveConnections = (i * 11) % 17,
            };
            _list.Insert(0, d); // kernel order: newest first
        }
        _rr = Make(LvsScheduler.Rr);
        _wrr = Make(LvsScheduler.Wrr);
        _wlc = Make(LvsScheduler.Wlc);
        _sh = Make(LvsScheduler.Sh);
        _dh = Make(LvsScheduler.Dh);
        _mh = Make(LvsScheduler.Mh);
        _mhBuild = new MaglevHashingScheduler();
        _mhBuild.OnDestinationsChanged(_list, null);
    }

    private IIpvsScheduler Make(LvsScheduler kind)
    {
        var s = SchedulerFactory.Create(kind);
        s.OnDestinationsChanged(_list, null);
        return s;
    }

    private SchedulingContext NextPacket()
    {
        _client = _client * 1664525u + 1013904223u; // a different client (and virtual address for dh) each time
        _port = (ushort)(_port == 65535 ? 1024 : _port + 1);
        return new SchedulingContext(_client, _port, 0x0AFA0000u | (_client >> 24), 80, 0);
    }

    [Benchmark(Baseline = true)]
    public Destination Rr() => _rr.Schedule(_list, NextPacket());

    [Benchmark]
    public Destination Wrr() => _wrr.Schedule(_list, NextPacket());

    [Benchmark]
    public Destination Wlc() => _wlc.Schedule(_list, NextPacket());

    [Benchmark]
    public Destination Sh() => _sh.Schedule(_list, NextPacket());

    [Benchmark]
    public Destination Dh() => _dh.Schedule(_list, NextPacket());

    [Benchmark]
    public Destination Mh() => _mh.Schedule(_list, NextPacket());

    /// <summary>ip_vs_mh_reassign for 100 servers: permutations and the 4093-entry fill (runs on every add/delete/edit).</summary>
    [Benchmark]
    public void MhTableBuild() => _mhBuild.OnDestinationsChanged(_list, null);
}
