using System.Net.Sockets;

namespace LvsPS.Management.Config;

/// <summary>
/// The vrrp_instance blocks of a keepalived.conf (and global_defs' vrrp_version) as <see cref="VrrpInstanceSpec"/>s,
/// with keepalived 2.2.7's defaults and corrections: no version = vrrp_version, else 2; no interface = eth0 (keepalived's
/// default_interface); no virtual_router_id = the instance is dropped; an out-of-range value keeps the default, with a
/// warning; a VRRPv2 fractional advert_int is rounded to whole seconds; an auth_pass over 8 characters is cut to 8.
/// IPv6 virtual addresses, virtual_ipaddress_excluded, tracking, routes and rules, sync groups and the other keywords
/// LvsPS does not model are named in a warning with their file and line.
/// </summary>
public static partial class KeepalivedConfParser
{
    private sealed partial class Parser
    {
        private int? _globalVrrpVersion;
        private readonly List<(VrrpInstanceSpec Spec, int? Version, double? Advert, string File, int Line)> _vrrp = new();

        private void GlobalDefs(Statement st)
        {
            if (!st.HasBlock) return;
            foreach (var s in BlockStatements(st))
            {
                At(s);
                if (s.Keyword == "vrrp_version" && Integer(s, 2, 3) is { } v)
                    _globalVrrpVersion = v;
                if (s.HasBlock)
                    SkipBlock(s);
            }
        }

        private void VrrpInstance(Statement st)
        {
            At(st);
            if (!st.HasBlock)
            {
                Warn("vrrp_instance without a '{' block; keepalived ignores it");
                return;
            }
            string name = st.ValueCount >= 1 ? st.Words[1] : "";
            var spec = new VrrpInstanceSpec { Name = name };
            int? version = null;
            double? advert = null;
            bool vrid = false, iface = false;
            foreach (var s in BlockStatements(st))
            {
                At(s);
                switch (s.Keyword)
                {
                    case "state":
                        if (s.ValueCount >= 1 && s.Words[1] is "MASTER" or "BACKUP")
                            spec.InitialState = s.Words[1] == "MASTER" ? VrrpState.Master : VrrpState.Backup;
                        else
                            Warn($"invalid state '{string.Join(' ', s.Words.Skip(1))}' (MASTER or BACKUP); keepalived starts in BACKUP");
                        break;
                    case "interface":
                        if (s.ValueCount >= 1 && InterfaceName.Problem(s.Words[1]) is null) { spec.Interface = s.Words[1]; iface = true; }
                        else Warn($"invalid interface '{string.Join(' ', s.Words.Skip(1))}'; keepalived uses its default interface");
                        break;
                    case "virtual_router_id":
                        if (Integer(s, 1, 255) is { } id) { spec.VirtualRouterId = id; vrid = true; }
                        break;
                    case "priority":
                        if (Integer(s, 1, 255) is { } pr) spec.Priority = pr;
                        break;
                    case "version":
                        if (Integer(s, 2, 3) is { } ver) version = ver;
                        break;
                    case "advert_int":
                        if (Timer(s) is { } secs)
                        {
                            if (secs < 0.01 || secs > 255) Warn($"advert_int {secs} is out of range (0.01..255 seconds); keepalived uses 1");
                            else advert = secs;
                        }
                        break;
                    case "nopreempt":
                        spec.Preempt = false;
                        break;
                    case "preempt":
                        spec.Preempt = true;
                        break;
                    case "preempt_delay":
                        if (Timer(s, allowZero: true) is { } d)
                        {
                            if (d > 1000) Warn($"preempt_delay {d} is out of range (0..1000 seconds); keepalived ignores it");
                            else spec.PreemptDelaySeconds = d;
                        }
                        break;
                    case "garp_master_delay":
                        if (Integer(s, 0, 255) is { } gd) spec.GarpMasterDelaySeconds = gd;
                        break;
                    case "garp_master_repeat":
                        if (Integer(s, 1, 255) is { } gr) spec.GarpMasterRepeat = gr;
                        break;
                    case "higher_prio_send_advert":
                        // LvsPS writes it on and lvsd always behaves so (VrrpRouter): off is not kept
                        if (s.ValueCount >= 1 && s.Words[1].ToLowerInvariant() is "false" or "off" or "no" or "0")
                            Warn($"higher_prio_send_advert {s.Words[1]} is not kept: LvsPS's masters always send one advert before they yield");
                        break;
                    case "unicast_src_ip" or "mcast_src_ip":
                        if (s.ValueCount >= 1 && TryAddress(s.Words[1], out var src) && src.AddressFamily == AddressFamily.InterNetwork) spec.SourceAddress = src;
                        else Warn($"{s.Keyword} '{string.Join(' ', s.Words.Skip(1))}' is not an IPv4 address LvsPS keeps; it is ignored");
                        break;
                    case "unicast_peer":
                        if (s.HasBlock)
                            foreach (var p in BlockStatements(s))
                            {
                                At(p);
                                if (TryAddress(p.Keyword, out var peer) && peer.AddressFamily == AddressFamily.InterNetwork) spec.UnicastPeers.Add(peer);
                                else Warn($"unicast_peer '{p.Keyword}' is not an IPv4 address LvsPS keeps; it is ignored");
                                if (p.ValueCount > 0) Warn($"unicast_peer {p.Keyword}: '{string.Join(' ', p.Words.Skip(1))}' is not kept");
                                if (p.HasBlock) SkipBlock(p);
                            }
                        break;
                    case "virtual_ipaddress":
                        if (s.HasBlock)
                            foreach (var a in BlockStatements(s))
                            {
                                At(a);
                                string addr = a.Keyword;
                                int slash = addr.IndexOf('/');
                                if (slash >= 0) addr = addr[..slash];
                                if (TryAddress(addr, out var vip) && vip.AddressFamily == AddressFamily.InterNetwork)
                                {
                                    if (!spec.VirtualAddresses.Contains(vip)) spec.VirtualAddresses.Add(vip);
                                    if (a.Keyword.Contains('/') && !a.Keyword.EndsWith("/32", StringComparison.Ordinal))
                                        Warn($"virtual address {a.Keyword}: LvsPS keeps the address and writes it as /32");
                                    int dev = a.Words.IndexOf("dev");
                                    if (dev > 0 && dev + 1 < a.Words.Count && a.Words[dev + 1] != spec.Interface && iface)
                                        Warn($"virtual address {a.Keyword} is on {a.Words[dev + 1]}: LvsPS puts every VIP of an instance on its interface {spec.Interface}");
                                }
                                else Warn($"virtual address '{a.Keyword}' is not an IPv4 address; LvsPS's VRRP instances are IPv4, it is ignored");
                                if (a.HasBlock) SkipBlock(a);
                            }
                        break;
                    case "authentication":
                        if (s.HasBlock)
                            foreach (var a in BlockStatements(s))
                            {
                                At(a);
                                if (a.Keyword == "auth_type" && a.ValueCount >= 1)
                                {
                                    if (a.Words[1] == "PASS") spec.AuthType = VrrpAuthType.Pass;
                                    else Warn($"auth_type {a.Words[1]} is not kept (LvsPS has PASS only); the instance is read without authentication");
                                }
                                else if (a.Keyword == "auth_pass" && a.ValueCount >= 1)
                                {
                                    string pw = a.Words[1];
                                    if (pw.Length > 8) { Warn($"auth_pass is longer than 8 characters; keepalived uses the first 8"); pw = pw[..8]; }
                                    spec.AuthPassword = pw;
                                }
                                else Warn($"'{a.Keyword}' in authentication is not kept");
                                if (a.HasBlock) SkipBlock(a);
                            }
                        break;
                    case "notify_master":
                        spec.NotifyMaster = Script(s);
                        break;
                    case "notify_backup":
                        spec.NotifyBackup = Script(s);
                        break;
                    case "notify_fault":
                        spec.NotifyFault = Script(s);
                        break;
                    case "notify":
                        spec.Notify = Script(s);
                        break;
                    default:
                        Warn($"'{s.Keyword}' in vrrp_instance {name} is not kept by LvsPS");
                        if (s.HasBlock) SkipBlock(s);
                        break;
                }
            }
            At(st);
            if (name.Length == 0 || NameProblem(name) is not null)
            {
                Warn($"vrrp_instance '{name}': the name is empty or not one LvsPS can keep (letters, digits, '_', '-', '.'); the instance is not read");
                return;
            }
            if (!vrid)
            {
                Warn($"vrrp_instance {name} has no valid virtual_router_id; keepalived drops the instance");
                return;
            }
            if (!iface)
            {
                spec.Interface = "eth0";
                Warn($"vrrp_instance {name} has no interface; keepalived uses its default interface, eth0");
            }
            if (_vrrp.Any(v => v.Spec.Name == name))
            {
                Warn($"vrrp_instance {name} is defined twice; the second is not read");
                return;
            }
            if (spec.AuthType == VrrpAuthType.Pass && string.IsNullOrEmpty(spec.AuthPassword))
            {
                Warn($"vrrp_instance {name}: auth_type PASS without auth_pass; keepalived uses no authentication");
                spec.AuthType = VrrpAuthType.None;
            }
            if (spec.AuthType == VrrpAuthType.None)
                spec.AuthPassword = null;
            if (!spec.Preempt && spec.InitialState == VrrpState.Master)
            {
                Warn($"vrrp_instance {name}: nopreempt does not work with state MASTER; keepalived clears it, and so does LvsPS");
                spec.Preempt = true;
            }
            if (spec.VirtualAddresses.Count == 0)
            {
                Warn($"vrrp_instance {name} has no IPv4 virtual address; LvsPS's VRRP instances are IPv4 and own at least one VIP, so it is not read");
                return;
            }
            _vrrp.Add((spec, version, advert, st.File, st.Line));
        }

        private static string? NameProblem(string name)
        {
            try { VrrpValidator.Name(name); return null; }
            catch (LvsException e) { return e.Message; }
        }

        private void FinishVrrp()
        {
            foreach (var (spec, version, advert, file, line) in _vrrp)
            {
                spec.Version = version ?? _globalVrrpVersion ?? 2;
                double a = advert ?? 1;
                if (spec.Version == 2 && Math.Abs(a - Math.Round(a)) > 1e-9)
                {
                    _c = Syn(file);
                    _c.Line = line;
                    double whole = Math.Max(1, Math.Round(a));
                    Warn($"vrrp_instance {spec.Name}: VRRPv2 sends whole seconds; advert_int {a} is read as {whole}");
                    a = whole;
                }
                spec.AdvertIntervalCentiseconds = (int)Math.Round(a * 100);
                if (spec.AuthType == VrrpAuthType.Pass && spec.Version == 3)
                {
                    _c = Syn(file);
                    _c.Line = line;
                    Warn($"vrrp_instance {spec.Name}: VRRPv3 has no authentication; keepalived ignores it");
                    spec.AuthType = VrrpAuthType.None;
                    spec.AuthPassword = null;
                }
                _conf.VrrpInstances.Add(spec);
            }
        }
    }
}
