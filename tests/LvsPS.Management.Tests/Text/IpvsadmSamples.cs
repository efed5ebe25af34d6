namespace LvsPS.Management.Tests;

/// <summary>ipvsadm text several tests share, spelled as ipvsadm 1.31 prints it (IPVS 1.2.1, connection table size 4096).</summary>
internal static class IpvsadmSamples
{
    /// <summary>The three header lines of <c>ipvsadm -L -n</c>.</summary>
    public const string ListHeader =
        "IP Virtual Server version 1.2.1 (size=4096)\n" +
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    /// <summary>The three header lines of <c>ipvsadm -L -n --stats</c>.</summary>
    public const string StatsHeader =
        "IP Virtual Server version 1.2.1 (size=4096)\n" +
        "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
        "  -> RemoteAddress:Port\n";

    /// <summary>
    /// The title of <c>ipvsadm -L -n -c</c> and four entries: an established and a SYN_RECV TCP connection, a persistence
    /// template (client port 0, state NONE) and a UDP entry.
    /// </summary>
    public const string ConnectionEntries =
        "IPVS connection entries\n" +
        "pro expire state       source             virtual            destination\n" +
        "TCP 14:57  ESTABLISHED 10.1.2.3:51514     192.168.1.100:80   192.168.1.11:80\n" +
        "TCP 00:37  SYN_RECV    10.1.2.4:40000     192.168.1.100:80   192.168.1.12:80\n" +
        "TCP 05:55  NONE        10.1.2.0:0         192.168.1.100:443  192.168.1.11:443\n" +
        "UDP 04:58  UDP         10.1.2.5:53001     192.168.1.100:53   192.168.1.13:53\n";
}
