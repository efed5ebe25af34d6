using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;

namespace LvsPS.Management.Lvsd;

/// <summary>
/// Something the cmdlets can send control requests to: the local lvsd over its Unix socket
/// (<see cref="DirectorClient"/>) or kernel IPVS on a remote director driven by ipvsadm over SSH
/// (<see cref="Kernel.KernelDirector"/>).
/// </summary>
public interface IDirectorConnection
{
    /// <summary>The director's name (what -Director selects).</summary>
    string Name { get; }

    /// <summary>
    /// Carries out one request. A refused request throws an <see cref="Model.LvsException"/> with a stable ErrorId
    /// when <paramref name="throwOnError"/> is true, else comes back as a response with Ok = false.
    /// </summary>
    ControlResponse Send(ControlRequest request, bool throwOnError = true);
}
