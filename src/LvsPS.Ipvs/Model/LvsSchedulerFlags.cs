namespace LvsPS.Ipvs.Model;

/// <summary>
/// The scheduler flags of a virtual service (ipvsadm <c>-b, --sched-flags</c>; the kernel's IP_VS_SVC_F_SCHED1..3).
/// ipvsadm spells them <c>flag-1</c>, <c>flag-2</c>, <c>flag-3</c>, or by their meaning for the schedulers that use them:
/// <c>sh-fallback</c>/<c>mh-fallback</c> = flag-1, <c>sh-port</c>/<c>mh-port</c> = flag-2. No scheduler uses flag-3.
/// The kernel keeps the three on a service of any scheduler (ipvsadm lists them as flag-1..3 there, and on sh and mh
/// only by the sh-/mh- names); only sh and mh act on them.
/// </summary>
[Flags]
public enum LvsSchedulerFlags : long
{
    None = 0,
    /// <summary>flag-1 (IP_VS_SVC_F_SCHED1, 0x0008): sh-fallback / mh-fallback, probe on when the hashed server is unavailable.</summary>
    Fallback = 0x8,
    /// <summary>flag-2 (IP_VS_SVC_F_SCHED2, 0x0010): sh-port / mh-port, hash the client port with the client address.</summary>
    Port = 0x10,
    /// <summary>flag-3 (IP_VS_SVC_F_SCHED3, 0x0020): no scheduler uses it; accepted and kept, as ipvsadm does.</summary>
    Flag3 = 0x20,
}
