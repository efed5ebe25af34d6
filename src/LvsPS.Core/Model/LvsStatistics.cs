namespace LvsPS.Core.Model;

/// <summary>Counters as ipvsadm --stats shows them. In DR the director never sees replies, so Out* stay 0.</summary>
public sealed class LvsStatistics
{
    public ulong Connections { get; set; }
    public ulong InPackets { get; set; }
    public ulong OutPackets { get; set; }
    public ulong InBytes { get; set; }
    public ulong OutBytes { get; set; }

    public LvsStatistics Clone() => (LvsStatistics)MemberwiseClone();
}
