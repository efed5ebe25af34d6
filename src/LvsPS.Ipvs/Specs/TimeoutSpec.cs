namespace LvsPS.Ipvs.Specs;

/// <summary>The three timeouts ipvsadm --set changes (seconds; 0 = leave as it is).</summary>
public sealed class TimeoutSpec
{
    public int Tcp { get; set; }
    public int TcpFin { get; set; }
    public int Udp { get; set; }

    public override string ToString() => $"{Tcp} {TcpFin} {Udp}";
}
