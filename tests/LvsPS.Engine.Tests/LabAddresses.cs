namespace LvsPS.Engine.Tests;

/// <summary>
/// The lab's addresses on 10.250.0.0/24 as the lab builds it: director .1, real servers .3/.4/.5, VIPs .101/.102,
/// client .200, and its locally administered MACs. Shared by EngineHarness (which derives from it) and by the fuzz
/// generator (Fuzz/FrameFuzz.cs), which a console program without xUnit compiles too.
/// </summary>
internal abstract class LabAddresses
{
    /// <summary>The lab's locally administered MACs, 02:4c:56:00:segment:host (segment 0 outside, 1 inside).</summary>
    public static byte[] LabMac(byte segment, byte host) => new byte[] { 0x02, 0x4c, 0x56, 0x00, segment, host };

    public static readonly byte[] DirectorMac = LabMac(0x00, 0x01);
    public static readonly byte[] ClientMac = LabMac(0x00, 0xc8);
    public static readonly byte[] Rs1Mac = LabMac(0x00, 0x03);
    public static readonly byte[] Rs2Mac = LabMac(0x00, 0x04);
    public static readonly byte[] Rs3Mac = LabMac(0x00, 0x05);

    public const uint DirectorIp = 0x0AFA0001; // 10.250.0.1
    public const uint Rs1 = 0x0AFA0003;        // 10.250.0.3
    public const uint Rs2 = 0x0AFA0004;        // 10.250.0.4
    public const uint Rs3 = 0x0AFA0005;        // 10.250.0.5
    public const uint Vip = 0x0AFA0065;        // 10.250.0.101
    public const uint Vip2 = 0x0AFA0066;       // 10.250.0.102
    public const uint Client = 0x0AFA00C8;     // 10.250.0.200
}
