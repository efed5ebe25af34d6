namespace LvsPS.Ipvs.Model;

/// <summary>Counters as ipvsadm --stats shows them. In DR the director never sees replies, so Out* stay 0.</summary>
public sealed class LvsStatistics
{
    public ulong Connections { get; set; }
    public ulong InPackets { get; set; }
    public ulong OutPackets { get; set; }
    public ulong InBytes { get; set; }
    public ulong OutBytes { get; set; }

    /// <summary>Connections per second, as the kernel's estimator smooths it (ipvsadm --rate CPS).</summary>
    public ulong ConnectionsPerSecond { get; set; }
    public ulong InPacketsPerSecond { get; set; }
    public ulong OutPacketsPerSecond { get; set; }
    /// <summary>Bytes per second in (ipvsadm --rate InBPS).</summary>
    public ulong InBytesPerSecond { get; set; }
    public ulong OutBytesPerSecond { get; set; }

    public LvsStatistics Clone() => (LvsStatistics)MemberwiseClone();

    /// <summary>"Conns=3 InPkts=18 OutPkts=0 InBytes=1180 OutBytes=0", what Export-Csv writes for a Statistics column.</summary>
    public override string ToString() =>
        $"Conns={Connections} InPkts={InPackets} OutPkts={OutPackets} InBytes={InBytes} OutBytes={OutBytes}";
}
