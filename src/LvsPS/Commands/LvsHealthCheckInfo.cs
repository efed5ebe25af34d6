using System.Globalization;

namespace LvsPS.Commands;

/// <summary>
/// One health checker of one real server, as Get-LvsHealthCheck writes it: the service and real server it belongs to
/// (so it pipes to the cmdlets that take a real server) and the checker's members flattened. A member that is null
/// takes keepalived's default; the Effective* members give the value the checker runs with.
/// </summary>
public sealed class LvsHealthCheckInfo
{
    public string Director { get; set; } = "";
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    public uint FirewallMark { get; set; }
    public IPAddress RealAddress { get; set; } = IPAddress.None;
    public ushort RealPort { get; set; }
    /// <summary>The real server's state (Up, Down, Draining, Quiesced, Unresolved).</summary>
    public LvsRealServerState State { get; set; }

    public LvsHealthCheckType Type { get; set; }
    /// <summary>TCP_CHECK, HTTP_GET, SSL_GET or MISC_CHECK.</summary>
    public string KeepalivedName { get; set; } = "";
    /// <summary>delay_loop of this checker; null = the service's (default 60 s).</summary>
    public double? IntervalSec { get; set; }
    /// <summary>connect_timeout; null = 5 s.</summary>
    public double? TimeoutSec { get; set; }
    /// <summary>retry; null = 1 (MISC_CHECK 0).</summary>
    public int? Retry { get; set; }
    /// <summary>delay_before_retry; null = 3 s for HTTP_GET and SSL_GET, 1 s otherwise.</summary>
    public double? DelayBeforeRetrySec { get; set; }
    /// <summary>warmup; null = up to the interval.</summary>
    public double? WarmupSec { get; set; }
    /// <summary>alpha; null = the service's.</summary>
    public bool? Alpha { get; set; }
    /// <summary>connect_ip; null = the real server's address.</summary>
    public IPAddress? ConnectAddress { get; set; }
    /// <summary>connect_port; 0 = the real server's port.</summary>
    public ushort ConnectPort { get; set; }
    /// <summary>bindto; null = the director's choice.</summary>
    public IPAddress? BindAddress { get; set; }
    /// <summary>bind_port; 0 = any.</summary>
    public ushort BindPort { get; set; }
    /// <summary>HTTP_GET / SSL_GET: the url paths, in order.</summary>
    public string[] Path { get; set; } = Array.Empty<string>();
    /// <summary>The status codes of each url (null = 200-299), in the order of <see cref="Path"/>.</summary>
    public string?[] StatusCode { get; set; } = Array.Empty<string?>();
    /// <summary>The MD5 digest of each url (null = not checked), in the order of <see cref="Path"/>.</summary>
    public string?[] Digest { get; set; } = Array.Empty<string?>();
    /// <summary>The urls with everything keepalived's url block holds.</summary>
    public List<HttpUrlSpec> Urls { get; set; } = new();
    public string? HttpProtocol { get; set; }
    public string? VirtualHost { get; set; }
    public bool EnableSni { get; set; }
    /// <summary>MISC_CHECK misc_path.</summary>
    public string? Command { get; set; }
    /// <summary>MISC_CHECK misc_timeout; null = the interval.</summary>
    public double? CommandTimeoutSec { get; set; }
    /// <summary>MISC_CHECK misc_dynamic.</summary>
    public bool Dynamic { get; set; }

    public double EffectiveIntervalSec { get; set; }
    /// <summary>The probe's timeout: connect_timeout, or for MISC_CHECK misc_timeout (default: the interval).</summary>
    public double EffectiveTimeoutSec { get; set; }
    public int EffectiveRetry { get; set; }
    public double EffectiveDelayBeforeRetrySec { get; set; }
    /// <summary>keepalived's worst-case detection time: delay_loop + connect_timeout × (retry + 1) + delay_before_retry × retry.</summary>
    public double DetectionTimeSec { get; set; }

    /// <summary>The checker as the director holds it.</summary>
    public HealthCheckSpec Check { get; set; } = new();

    /// <summary>"TCP 10.0.0.1:80" or "FWM 5".</summary>
    public string ServiceName => LvsService.DisplayName(FirewallMark, Protocol, VirtualAddress, Port);

    /// <summary>What the probe asks: "/test.html 200", "port 8080", the command.</summary>
    public string Probe => Type switch
    {
        LvsHealthCheckType.Misc => Command ?? "",
        LvsHealthCheckType.Http or LvsHealthCheckType.Ssl => Urls.Count == 0 ? "/"
            : string.Join(" ", Urls.Select(u => u.Path + (u.StatusCode is null ? "" : " " + u.StatusCode) + (u.Digest is null ? "" : " md5"))),
        _ => ConnectPort != 0 ? "port " + ConnectPort.ToString(CultureInfo.InvariantCulture) : "connect",
    } + (ConnectAddress is null ? "" : " @" + ConnectAddress);

    public override string ToString() => $"{Check} on {RealAddress}:{RealPort} in {ServiceName}";

    /// <summary>The info of checker <paramref name="check"/> of real server <paramref name="r"/> of service <paramref name="s"/>.</summary>
    public static LvsHealthCheckInfo From(LvsService s, LvsRealServer r, HealthCheckSpec check)
    {
        var interval = check.EffectiveIntervalSec(s.Health);
        // MISC_CHECK waits misc_timeout (default: the interval) for its command; the others connect_timeout.
        var timeout = check.Type == LvsHealthCheckType.Misc ? check.MiscTimeoutSec ?? interval : check.EffectiveConnectTimeoutSec;
        return new LvsHealthCheckInfo
        {
            Director = s.Director,
            Protocol = s.Protocol,
            VirtualAddress = s.VirtualAddress,
            Port = s.Port,
            FirewallMark = s.FirewallMark,
            RealAddress = r.RealAddress,
            RealPort = r.RealPort,
            State = r.State,
            Type = check.Type,
            KeepalivedName = check.KeepalivedName,
            IntervalSec = check.IntervalSec,
            TimeoutSec = check.ConnectTimeoutSec,
            Retry = check.Retry,
            DelayBeforeRetrySec = check.DelayBeforeRetrySec,
            WarmupSec = check.WarmupSec,
            Alpha = check.Alpha,
            ConnectAddress = check.ConnectAddress,
            ConnectPort = check.ConnectPort,
            BindAddress = check.BindAddress,
            BindPort = check.BindPort,
            Path = check.Urls.Select(u => u.Path).ToArray(),
            StatusCode = check.Urls.Select(u => u.StatusCode).ToArray(),
            Digest = check.Urls.Select(u => u.Digest).ToArray(),
            Urls = check.Urls,
            HttpProtocol = check.HttpProtocol,
            VirtualHost = check.VirtualHost,
            EnableSni = check.EnableSni,
            Command = check.MiscPath,
            CommandTimeoutSec = check.MiscTimeoutSec,
            Dynamic = check.MiscDynamic,
            EffectiveIntervalSec = interval,
            EffectiveTimeoutSec = timeout,
            EffectiveRetry = check.EffectiveRetry,
            EffectiveDelayBeforeRetrySec = check.EffectiveDelayBeforeRetrySec,
            DetectionTimeSec = interval + timeout * (check.EffectiveRetry + 1) + check.EffectiveDelayBeforeRetrySec * check.EffectiveRetry,
            Check = check,
        };
    }
}
