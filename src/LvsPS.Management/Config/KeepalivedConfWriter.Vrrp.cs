namespace LvsPS.Management.Config;

/// <summary>
/// vrrp_instance blocks from <see cref="VrrpInstanceSpec"/>s, as keepalived 2.2.7 reads them (keepalived.conf(5)) and
/// <see cref="KeepalivedConfParser"/> reads them back: state, interface, virtual_router_id, priority, version (written
/// always: keepalived's own default is 2), advert_int in seconds (fractional for v3), nopreempt or preempt_delay,
/// garp_master_delay/repeat, higher_prio_send_advert (always on, as lvsd behaves), unicast_src_ip with unicast_peer (mcast_src_ip without peers), authentication PASS (v2),
/// virtual_ipaddress <c>VIP/32 dev IF</c>, and the notify commands. Scripts make keepalived refuse the file
/// ("SECURITY VIOLATION") unless script security is on, so a file with a notify command gets
/// <c>global_defs { enable_script_security; script_user root }</c>.
/// </summary>
internal static partial class KeepalivedConfWriter
{
    private static bool HasScripts(VrrpInstanceSpec v) =>
        v.NotifyMaster is not null || v.NotifyBackup is not null || v.NotifyFault is not null || v.Notify is not null;

    private static void GlobalDefs(StringBuilder sb, IReadOnlyList<VrrpInstanceSpec> vrrp)
    {
        if (!vrrp.Any(HasScripts)) return;
        sb.Append("\nglobal_defs {\n");
        sb.Append("    ! the notify commands run as root; keepalived refuses scripts without script security\n");
        sb.Append("    enable_script_security\n");
        sb.Append("    script_user root\n");
        sb.Append("}\n");
    }

    private static void VrrpInstance(StringBuilder sb, VrrpInstanceSpec v)
    {
        string owner = $"the VRRP instance '{v.Name}'";
        if (string.IsNullOrEmpty(v.Name) || v.Name.Any(c => char.IsWhiteSpace(c) || c is '{' or '}' or '"' or '!' or '#'))
            throw ConfigurationWriter.NotExportableError($"{owner}: its name cannot be written in keepalived.conf");
        if (string.IsNullOrEmpty(v.Interface))
            throw ConfigurationWriter.NotExportableError($"{owner}: it has no interface");
        sb.Append("\nvrrp_instance ").Append(v.Name).Append(" {\n");
        sb.Append("    state ").Append(v.InitialState == VrrpState.Master ? "MASTER" : "BACKUP").Append('\n');
        sb.Append("    interface ").Append(v.Interface).Append('\n');
        sb.Append("    virtual_router_id ").Append(v.VirtualRouterId.ToString(Inv)).Append('\n');
        sb.Append("    priority ").Append(v.Priority.ToString(Inv)).Append('\n');
        sb.Append("    version ").Append(v.Version.ToString(Inv)).Append('\n');
        sb.Append("    advert_int ").Append((v.AdvertIntervalCentiseconds / 100.0).ToString("0.##", Inv)).Append('\n');
        if (!v.Preempt)
            sb.Append("    nopreempt\n");
        else if (v.PreemptDelaySeconds > 0)
            sb.Append("    preempt_delay ").Append(Timer(v.PreemptDelaySeconds)).Append('\n');
        sb.Append("    garp_master_delay ").Append(v.GarpMasterDelaySeconds.ToString(Inv)).Append('\n');
        sb.Append("    garp_master_repeat ").Append(v.GarpMasterRepeat.ToString(Inv)).Append('\n');
        // a master that loses to a higher priority sends one advert first, so that the winner (which re-sends its
        // gratuitous ARPs on a lower priority advert) wins the clients' ARP caches back after a split; lvsd does so too
        sb.Append("    higher_prio_send_advert true\n");
        if (v.UnicastPeers.Count > 0)
        {
            if (v.SourceAddress is { } src)
                sb.Append("    unicast_src_ip ").Append(src).Append('\n');
            sb.Append("    unicast_peer {\n");
            foreach (var p in v.UnicastPeers)
                sb.Append("        ").Append(p).Append('\n');
            sb.Append("    }\n");
        }
        else if (v.SourceAddress is { } msrc)
            sb.Append("    mcast_src_ip ").Append(msrc).Append('\n');
        if (v.AuthType == VrrpAuthType.Pass)
        {
            string pw = v.AuthPassword ?? "";
            if (pw.Length == 0 || pw.Any(c => char.IsWhiteSpace(c) || c is '"' or '{' or '}' or '!' or '#'))
                throw ConfigurationWriter.NotExportableError($"{owner}: its password is empty or holds a character keepalived.conf cannot carry");
            sb.Append("    authentication {\n        auth_type PASS\n        auth_pass ").Append(pw).Append("\n    }\n");
        }
        sb.Append("    virtual_ipaddress {\n");
        foreach (var vip in v.VirtualAddresses)
            sb.Append("        ").Append(vip).Append(vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "/128" : "/32")
              .Append(" dev ").Append(v.Interface).Append('\n');
        sb.Append("    }\n");
        if (v.NotifyMaster is not null) sb.Append("    notify_master ").Append(Q(v.NotifyMaster, owner)).Append('\n');
        if (v.NotifyBackup is not null) sb.Append("    notify_backup ").Append(Q(v.NotifyBackup, owner)).Append('\n');
        if (v.NotifyFault is not null) sb.Append("    notify_fault ").Append(Q(v.NotifyFault, owner)).Append('\n');
        if (v.Notify is not null) sb.Append("    notify ").Append(Q(v.Notify, owner)).Append('\n');
        sb.Append("}\n");
    }
}
