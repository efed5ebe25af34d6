using System.Globalization;

namespace LvsPS.Commands;

/// <summary>
/// One health checker of one real server, as Get-LvsHealthCheck writes it: the service and real server it belongs to
/// (so it pipes to the cmdlets that take a real server) and the checker's members flattened (read from the
/// objects it was made of). A member that is null takes keepalived's default; the Effective* members give the value
/// the checker runs with.
/// </summary>
public sealed class LvsHealthCheckInfo
{
    private readonly LvsService _service;
    private readonly LvsRealServer _realServer;

    private LvsHealthCheckInfo(LvsService service, LvsRealServer realServer, HealthCheckSpec check)
    {
        _service = service;
        _realServer = realServer;
        Check = check;
        EffectiveIntervalSec = check.EffectiveIntervalSec(service.Health);
        EffectiveTimeoutSec = HealthText.EffectiveTimeoutSec(check, EffectiveIntervalSec);
    }

    /// <summary>The info of checker <paramref name="check"/> of real server <paramref name="r"/> of service <paramref name="s"/>.</summary>
    public static LvsHealthCheckInfo From(LvsService s, LvsRealServer r, HealthCheckSpec check) => new(s, r, check);

    public string Director => _service.Director;
    public LvsProtocol Protocol => _service.Protocol;
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress VirtualAddress => _service.VirtualAddress;
    public ushort Port => _service.Port;
    public uint FirewallMark => _service.FirewallMark;
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress RealAddress => _realServer.RealAddress;
    public ushort RealPort => _realServer.RealPort;
    /// <summary>The real server's state (Up, Down, Draining, Quiesced, Unresolved).</summary>
    public LvsRealServerState State => _realServer.State;

    public LvsHealthCheckType Type => Check.Type;
    /// <summary>TCP_CHECK, HTTP_GET, SSL_GET or MISC_CHECK.</summary>
    public string KeepalivedName => Check.KeepalivedName;
    /// <summary>delay_loop of this checker; null = the service's (default 60 s).</summary>
    public double? IntervalSec => Check.IntervalSec;
    /// <summary>connect_timeout; null = 5 s.</summary>
    public double? TimeoutSec => Check.ConnectTimeoutSec;
    /// <summary>retry; null = 1 (MISC_CHECK 0).</summary>
    public int? Retry => Check.Retry;
    /// <summary>delay_before_retry; null = 3 s for HTTP_GET and SSL_GET, 1 s otherwise.</summary>
    public double? DelayBeforeRetrySec => Check.DelayBeforeRetrySec;
    /// <summary>warmup; null = up to the interval.</summary>
    public double? WarmupSec => Check.WarmupSec;
    /// <summary>alpha; null = the service's.</summary>
    public bool? Alpha => Check.Alpha;
    /// <summary>connect_ip; null = the real server's address.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? ConnectAddress => Check.ConnectAddress;
    /// <summary>connect_port; 0 = the real server's port.</summary>
    public ushort ConnectPort => Check.ConnectPort;
    /// <summary>bindto; null = the director's choice.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? BindAddress => Check.BindAddress;
    /// <summary>bind_port; 0 = any.</summary>
    public ushort BindPort => Check.BindPort;
    /// <summary>HTTP_GET / SSL_GET: the url paths, in order.</summary>
    public string[] Path => Check.Urls.Select(u => u.Path).ToArray();
    /// <summary>The status codes of each url (null = 200-299), in the order of <see cref="Path"/>.</summary>
    public string?[] StatusCode => Check.Urls.Select(u => u.StatusCode).ToArray();
    /// <summary>The MD5 digest of each url (null = not checked), in the order of <see cref="Path"/>.</summary>
    public string?[] Digest => Check.Urls.Select(u => u.Digest).ToArray();
    /// <summary>The urls with everything keepalived's url block holds.</summary>
    public List<HttpUrlSpec> Urls => Check.Urls;
    public string? HttpProtocol => Check.HttpProtocol;
    public string? VirtualHost => Check.VirtualHost;
    public bool EnableSni => Check.EnableSni;
    /// <summary>MISC_CHECK misc_path.</summary>
    public string? Command => Check.MiscPath;
    /// <summary>MISC_CHECK misc_timeout; null = the interval.</summary>
    public double? CommandTimeoutSec => Check.MiscTimeoutSec;
    /// <summary>MISC_CHECK misc_dynamic.</summary>
    public bool Dynamic => Check.MiscDynamic;

    public double EffectiveIntervalSec { get; }
    /// <summary>The probe's timeout: connect_timeout, or for MISC_CHECK misc_timeout (default: the interval).</summary>
    public double EffectiveTimeoutSec { get; }
    public int EffectiveRetry => Check.EffectiveRetry;
    public double EffectiveDelayBeforeRetrySec => Check.EffectiveDelayBeforeRetrySec;
    /// <summary>keepalived's worst-case detection time: delay_loop + connect_timeout × (retry + 1) + delay_before_retry × retry.</summary>
    public double DetectionTimeSec => EffectiveIntervalSec + EffectiveTimeoutSec * (EffectiveRetry + 1) + EffectiveDelayBeforeRetrySec * EffectiveRetry;

    /// <summary>The checker as the director holds it.</summary>
    public HealthCheckSpec Check { get; }

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
}
