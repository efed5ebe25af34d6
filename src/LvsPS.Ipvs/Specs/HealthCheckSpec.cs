namespace LvsPS.Ipvs.Specs;

/// <summary>The checkers LvsPS runs, as keepalived names them.</summary>
public enum LvsHealthCheckType : long
{
    /// <summary>TCP_CHECK: a TCP connection is opened and closed.</summary>
    Tcp,
    /// <summary>HTTP_GET: each url is fetched; status code and, when given, the MD5 digest of the body decide.</summary>
    Http,
    /// <summary>SSL_GET: HTTP_GET over TLS.</summary>
    Ssl,
    /// <summary>MISC_CHECK: a command on the director; exit 0 = up, anything else down (misc_dynamic: 2..255 up, weight = exit - 2).</summary>
    Misc,
}

/// <summary>One url of an HTTP_GET or SSL_GET checker (keepalived's <c>url { }</c> block).</summary>
public sealed class HttpUrlSpec
{
    /// <summary>The path requested, starting with '/'.</summary>
    public string Path { get; set; } = "/";
    /// <summary>The MD5 digest (32 hex digits, as genhash prints it) the body must have; null = not checked.</summary>
    public string? Digest { get; set; }
    /// <summary>Status codes and ranges that pass, as keepalived writes them ("200", "200-299 301"); null = 200-299.</summary>
    public string? StatusCode { get; set; }
    /// <summary>The Host header for this url; null = the checker's, real server's or service's virtualhost.</summary>
    public string? VirtualHost { get; set; }

    /// <summary>A copy that can be changed without changing this one.</summary>
    public HttpUrlSpec Clone() => (HttpUrlSpec)MemberwiseClone();

    public override string ToString() => Path;
}

/// <summary>
/// One health checker of a real server, with keepalived's parameters (keepalived.conf(5)); a null value takes
/// keepalived's default, given by the Effective* members.
/// </summary>
public sealed class HealthCheckSpec
{
    /// <summary>keepalived's connect_timeout default: 5 s.</summary>
    public const double DefaultConnectTimeoutSec = 5;
    /// <summary>keepalived's delay_loop default: 60 s.</summary>
    public const double DefaultIntervalSec = 60;

    public LvsHealthCheckType Type { get; set; } = LvsHealthCheckType.Tcp;
    /// <summary>connect_ip: where the probe goes; null = the real server's address.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? ConnectAddress { get; set; }
    /// <summary>connect_port: 0 = the real server's port.</summary>
    public ushort ConnectPort { get; set; }
    /// <summary>bindto: the probe's source address; null = the director's choice.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? BindAddress { get; set; }
    /// <summary>bind_port: the probe's source port; 0 = any.</summary>
    public ushort BindPort { get; set; }
    /// <summary>connect_timeout in seconds (default 5).</summary>
    public double? ConnectTimeoutSec { get; set; }
    /// <summary>retry: extra tries before a live server is declared down (default 1; MISC_CHECK 0).</summary>
    public int? Retry { get; set; }
    /// <summary>delay_before_retry in seconds (default 3 for HTTP_GET and SSL_GET, 1 otherwise).</summary>
    public double? DelayBeforeRetrySec { get; set; }
    /// <summary>delay_loop of this checker in seconds; null = the service's delay_loop (default 60).</summary>
    public double? IntervalSec { get; set; }
    /// <summary>warmup: the first check waits a random time up to this; null = up to the interval; 0 = at once.</summary>
    public double? WarmupSec { get; set; }
    /// <summary>alpha: the real server starts down until this checker has passed; null = the service's alpha.</summary>
    public bool? Alpha { get; set; }

    /// <summary>HTTP_GET / SSL_GET: the urls checked (all must pass).</summary>
    public List<HttpUrlSpec> Urls { get; set; } = new();
    /// <summary>http_protocol: "1.0", "1.0C" or "1.1"; null = 1.0 as keepalived sends it.</summary>
    public string? HttpProtocol { get; set; }
    /// <summary>virtualhost for every url of this checker; null = the real server's or service's.</summary>
    public string? VirtualHost { get; set; }
    /// <summary>SSL_GET enable_sni: send the virtualhost (or the address) as Server Name Indication.</summary>
    public bool EnableSni { get; set; }

    /// <summary>MISC_CHECK misc_path: the command line run on the director.</summary>
    public string? MiscPath { get; set; }
    /// <summary>MISC_CHECK misc_timeout in seconds; null = the interval.</summary>
    public double? MiscTimeoutSec { get; set; }
    /// <summary>MISC_CHECK misc_dynamic: an exit status 2..255 sets the weight to status - 2.</summary>
    public bool MiscDynamic { get; set; }

    public double EffectiveConnectTimeoutSec => ConnectTimeoutSec ?? DefaultConnectTimeoutSec;
    public int EffectiveRetry => Retry ?? (Type == LvsHealthCheckType.Misc ? 0 : 1);
    public double EffectiveDelayBeforeRetrySec => DelayBeforeRetrySec ?? (Type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl ? 3 : 1);
    public double EffectiveIntervalSec(ServiceHealthSpec? service) => IntervalSec ?? service?.DelayLoopSec ?? DefaultIntervalSec;

    /// <summary>A copy that can be changed without changing this one (its urls copied too).</summary>
    public HealthCheckSpec Clone()
    {
        var c = (HealthCheckSpec)MemberwiseClone();
        c.Urls = (Urls ?? new List<HttpUrlSpec>()).Select(u => u.Clone()).ToList();
        return c;
    }

    /// <summary>keepalived's name for the checker block.</summary>
    public string KeepalivedName => Type switch
    {
        LvsHealthCheckType.Http => "HTTP_GET",
        LvsHealthCheckType.Ssl => "SSL_GET",
        LvsHealthCheckType.Misc => "MISC_CHECK",
        _ => "TCP_CHECK",
    };

    public override string ToString() => Type switch
    {
        LvsHealthCheckType.Misc => $"{KeepalivedName} {MiscPath}",
        LvsHealthCheckType.Http or LvsHealthCheckType.Ssl => $"{KeepalivedName} {string.Join(" ", Urls.Select(u => u.Path))}",
        _ => KeepalivedName + (ConnectPort != 0 ? $" port {ConnectPort}" : ""),
    };
}

/// <summary>
/// The health settings of a virtual service, as keepalived's virtual_server block has them: delay_loop, alpha, omega,
/// quorum with hysteresis and its commands, the sorry server.
/// </summary>
public sealed class ServiceHealthSpec
{
    /// <summary>delay_loop in seconds (default 60).</summary>
    public double DelayLoopSec { get; set; } = HealthCheckSpec.DefaultIntervalSec;
    /// <summary>alpha: every real server starts down until its checks pass.</summary>
    public bool Alpha { get; set; }
    /// <summary>omega: on shutdown, run the down notifiers and quorum_down.</summary>
    public bool Omega { get; set; }
    /// <summary>quorum: the least total weight of live real servers the service works with (default 1).</summary>
    public int Quorum { get; set; } = 1;
    /// <summary>hysteresis: quorum is lost below quorum - hysteresis and gained at quorum + hysteresis (default 0).</summary>
    public int Hysteresis { get; set; }
    /// <summary>quorum_up: a command run on the director when quorum is gained.</summary>
    public string? QuorumUp { get; set; }
    /// <summary>quorum_down: a command run on the director when quorum is lost.</summary>
    public string? QuorumDown { get; set; }
    /// <summary>sorry_server: put in when quorum is lost (every real server is then taken out).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? SorryServer { get; set; }
    /// <summary>The sorry server's port; 0 = the service's.</summary>
    public ushort SorryServerPort { get; set; }
    /// <summary>sorry_server_inhibit: the sorry server stays in the table with weight 0 instead of being removed.</summary>
    public bool SorryServerInhibit { get; set; }
    /// <summary>sorry_server_lvs_method; null = the service's real servers' method.</summary>
    public LvsForwarding? SorryServerForwarding { get; set; }
    /// <summary>inhibit_on_failure for every real server of the service (a real server may also set it).</summary>
    public bool InhibitOnFailure { get; set; }
    /// <summary>virtualhost: the Host header of HTTP_GET/SSL_GET checks that set none.</summary>
    public string? VirtualHost { get; set; }

    /// <summary>A copy that can be changed without changing this one.</summary>
    public ServiceHealthSpec Clone() => (ServiceHealthSpec)MemberwiseClone();
}
