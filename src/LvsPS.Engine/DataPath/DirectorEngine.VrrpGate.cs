// DirectorEngine, packet path: the VIPs a VRRP instance owns. A VIP listed by an instance is answered (ARP) and
// forwarded only while that instance is master here; while it is backup (or not yet running) the engine is silent
// for it and drops what still arrives for it (DropReason.VrrpBackup: a client with a stale ARP entry). VIPs in no
// instance behave as before. The speaker (Vrrp/VrrpSpeaker.cs) says which instance is master and asks for the
// gratuitous ARP bursts; it never holds its own lock while it calls in here.

using System.Net;

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>Every VIP a VRRP instance lists, and the instance's name.</summary>
    private Dictionary<uint, string> _vrrpGated = new();
    /// <summary>The VIPs of the instances that are master here.</summary>
    private HashSet<uint> _vrrpOwned = new();
    /// <summary>Fast path: no VRRP instance, no look-up.</summary>
    private bool _vrrpAny;

    /// <summary>True when a VRRP instance lists the VIP and is not master here: no ARP answer, nothing forwarded.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool VrrpSilent(uint vip) => _vrrpAny && _vrrpGated.ContainsKey(vip) && !_vrrpOwned.Contains(vip);

    /// <summary>A VIP a VRRP instance owns here now (answered even when no service uses it yet, as keepalived's kernel would).</summary>
    private bool VrrpOwns(uint vip) => _vrrpAny && _vrrpOwned.Contains(vip);

    /// <summary>The gated VIPs follow the configured instances (called under the lock when one is added, edited or deleted).</summary>
    private void RebuildVrrpGate()
    {
        var gated = new Dictionary<uint, string>();
        foreach (var spec in _vrrpSpecs)
            foreach (var vip in spec.VirtualAddresses) gated[Frames.ToUInt32(vip)] = spec.Name;
        _vrrpOwned.RemoveWhere(v => !gated.ContainsKey(v) || !_vrrpMasters.Contains(gated[v]));
        _vrrpGated = gated;
        _vrrpAny = gated.Count > 0;
        // A silenced VIP gets no more of the gratuitous ARP a new service VIP gets.
        foreach (var v in _garpPending.Keys.Where(VrrpSilent).ToList()) _garpPending.Remove(v);
    }

    private readonly HashSet<string> _vrrpMasters = new(StringComparer.Ordinal);

    /// <summary>The speaker: instance <paramref name="name"/> is master here now (true) or not (false).</summary>
    public void SetVrrpMaster(string name, bool master)
    {
        lock (Sync)
        {
            if (master) _vrrpMasters.Add(name); else _vrrpMasters.Remove(name);
            _vrrpOwned = _vrrpGated.Where(kv => _vrrpMasters.Contains(kv.Value)).Select(kv => kv.Key).ToHashSet();
        }
    }

    /// <summary>The speaker: a burst of <paramref name="count"/> gratuitous ARPs for each of these VIPs, back to back.</summary>
    public void SendVrrpGratuitousArp(IEnumerable<IPAddress> vips, int count)
    {
        lock (Sync)
            foreach (var vip in vips)
            {
                uint v = Frames.ToUInt32(vip);
                for (int i = 0; i < count; i++) SendGratuitousArp(v);
            }
    }
}
