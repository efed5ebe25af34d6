using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LvsPS.Engine.Tests;

/// <summary>
/// Two network namespaces made for one test, joined by a veth pair (each end named <see cref="Link"/>, 10.254.N.1 and
/// .2/24, or 10.<secondOctet>.N): two hosts on one segment. <see cref="In"/> runs code on a thread inside one of them, so the sockets it
/// opens live there. Removed (with everything in them) on Dispose.
/// </summary>
internal sealed class NetnsPair : IDisposable
{
    public const string Link = "sync0";
    private static int _next;
    public readonly string A, B;
    public readonly IPAddress AddressA, AddressB;

    public NetnsPair(string prefix, int secondOctet = 254)
    {
        int n = 100 + (Environment.ProcessId + Interlocked.Increment(ref _next)) % 100;
        string tag = prefix + Guid.NewGuid().ToString("N")[..6];
        A = tag + "a";
        B = tag + "b";
        AddressA = IPAddress.Parse($"10.{secondOctet}.{n}.1");
        AddressB = IPAddress.Parse($"10.{secondOctet}.{n}.2");
        Ip($"netns add {A}");
        Ip($"netns add {B}");
        Ip($"link add {Link} netns {A} type veth peer name {Link} netns {B}");
        foreach (var (ns, addr) in new[] { (A, AddressA), (B, AddressB) })
        {
            Ip($"-n {ns} link set lo up");
            Ip($"-n {ns} addr add {addr}/24 dev {Link}");
            Ip($"-n {ns} link set {Link} up");
        }
    }

    private static void Ip(string args)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ip {args}: {err}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    /// <summary>Runs <paramref name="action"/> on a new thread inside namespace <paramref name="ns"/>.</summary>
    public static void In(string ns, Action action)
    {
        Exception? failed = null;
        var t = new Thread(() =>
        {
            try
            {
                using var f = File.OpenHandle($"/run/netns/{ns}");
                if (setns((int)f.DangerousGetHandle(), 0x40000000) != 0) throw new InvalidOperationException($"setns {ns}: errno {Marshal.GetLastPInvokeError()}");
                action();
            }
            catch (Exception e) { failed = e; }
        });
        t.Start();
        t.Join();
        if (failed is not null) throw new AggregateException(failed);
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
            try { Ip($"netns delete {ns}"); } catch (InvalidOperationException) { }
    }
}
