using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Kernel;

public sealed partial class KernelDirector
{
    /// <summary>The kernel's IPVS messages and keepalived's log, filtered here (<see cref="KernelLog"/>).</summary>
    public List<LvsLogRecord> GetLog(LogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var (records, _) = Locked(() => KernelLog.Parse(RunChecked(KernelLog.ReadCommand, null).Output, Name));
        return query.Apply(records);
    }

    /// <summary>echo N &gt; /proc/sys/net/ipv4/vs/debug_level; LogLevelNotSupported when the kernel has none.</summary>
    public DirectorLogSettings SetLogLevel(int level)
    {
        var command = KernelLog.SetCommand(level);
        return Locked(() =>
        {
            var r = Run(command);
            if (r.ExitStatus == KernelLog.NotSupportedExit) throw KernelLog.NotSupported(Name);
            if (!r.Succeeded) throw IpvsadmErrors.FromResult(r, Name, ComputerName, KernelLog.DebugLevelPath);
            var (records, now) = KernelLog.Parse(RunChecked(KernelLog.ReadCommand, null).Output, Name);
            return new DirectorLogSettings { Director = Name, DebugLevel = now ?? level, Records = records.Count };
        });
    }
}
