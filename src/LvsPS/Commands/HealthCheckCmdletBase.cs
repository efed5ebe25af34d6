using System.Globalization;

namespace LvsPS.Commands;

/// <summary>
/// Base of the cmdlets that act on one real server's health or scheduling (the health-check cmdlets,
/// Suspend-/Resume-LvsRealServer): the real server named by its service and -RealAddress/-RealPort, usually bound by
/// property name from Get-LvsRealServer.
/// </summary>
public abstract class LvsRealServerStateCmdlet : LvsRealServerCmdlet
{
    /// <summary>The service and the real server as the director lists them; ServiceNotFound or RealServerNotFound.</summary>
    internal (LvsService Service, LvsRealServer RealServer) RequireListed(IDirector client, ServiceSpec id)
    {
        var service = RequireService(client, id);
        return (service, RealServerOf(service, RealAddress, RealPortGiven) ?? throw RealServerNotFound(client, id));
    }

    /// <summary>The real server's identity as the director lists it (its own port).</summary>
    internal static RealServerSpec SpecOf(LvsRealServer rs) => new() { Address = rs.RealAddress, Port = rs.RealPort };

    /// <summary>The ShouldProcess target "10.0.0.3:80 in TCP 10.0.0.1:80 on director 'lab'".</summary>
    internal static string Target(ServiceSpec service, IDirector client, LvsRealServer rs) =>
        ShouldProcessTarget(service, client, $"{rs.RealAddress}:{rs.RealPort}");
}

/// <summary>Helpers of the health cmdlets: the kernel director's refusal and the messages.</summary>
internal static class HealthText
{
    /// <summary>Kernel IPVS runs no LvsPS checker: refused before anything is asked or shown.</summary>
    internal static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>"HTTP_GET /test.html (interval 1 s, timeout 1 s, retry 0)", with the values the checker runs with.</summary>
    internal static string Describe(HealthCheckSpec c, ServiceHealthSpec? service)
    {
        double interval = c.EffectiveIntervalSec(service);
        return $"{c} (interval {Seconds(interval)}, timeout {Seconds(EffectiveTimeoutSec(c, interval))}, retry {c.EffectiveRetry})";
    }

    /// <summary>
    /// The probe's timeout with checker <paramref name="c"/>'s effective <paramref name="interval"/>: MISC_CHECK waits
    /// misc_timeout (default: the interval) for its command; the others connect_timeout.
    /// </summary>
    internal static double EffectiveTimeoutSec(HealthCheckSpec c, double interval) =>
        c.Type == LvsHealthCheckType.Misc ? c.MiscTimeoutSec ?? interval : c.EffectiveConnectTimeoutSec;

    /// <summary>keepalived's name of a checker type.</summary>
    internal static string NameOf(LvsHealthCheckType type) => new HealthCheckSpec { Type = type }.KeepalivedName;

    internal static LvsException Bad(string message, object? value) =>
        new(LvsErrorIds.InvalidHealthCheck, LvsErrorKind.InvalidArgument, message, value);
}

/// <summary>
/// Base of Add-LvsHealthCheck and Set-LvsHealthCheck: the checker's parameters, named for PowerShell users with
/// keepalived's names as aliases. A parameter not given leaves the checker's value as it is (Add: keepalived's
/// default).
/// </summary>
public abstract class LvsHealthCheckParameterCmdlet : LvsRealServerStateCmdlet
{
    /// <summary>Directors worked on at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    /// <summary>delay_loop of this checker in seconds.</summary>
    [Parameter]
    [Alias("delay_loop", "Interval")]
    public double? IntervalSec { get; set; }

    /// <summary>connect_timeout in seconds.</summary>
    [Parameter]
    [Alias("connect_timeout", "Timeout")]
    public double? TimeoutSec { get; set; }

    /// <summary>retry: tries after the first failure before the real server is declared down.</summary>
    [Parameter]
    [Alias("nb_get_retry")]
    public int? Retry { get; set; }

    /// <summary>delay_before_retry in seconds.</summary>
    [Parameter]
    [Alias("delay_before_retry")]
    public double? DelayBeforeRetrySec { get; set; }

    /// <summary>warmup in seconds.</summary>
    [Parameter]
    [Alias("warmup")]
    public double? WarmupSec { get; set; }

    /// <summary>connect_ip: where the probe goes.</summary>
    [Parameter]
    [Alias("connect_ip")]
    public IPAddress? ConnectAddress { get; set; }

    /// <summary>connect_port: the port the probe goes to.</summary>
    [Parameter]
    [Alias("connect_port")]
    public int? ConnectPort { get; set; }

    /// <summary>bindto: the probe's source address.</summary>
    [Parameter]
    [Alias("bindto")]
    public IPAddress? BindAddress { get; set; }

    /// <summary>bind_port: the probe's source port.</summary>
    [Parameter]
    [Alias("bind_port")]
    public int? BindPort { get; set; }

    /// <summary>HTTP_GET / SSL_GET: the url paths (each starting with '/').</summary>
    [Parameter]
    [Alias("Url")]
    public string[]? Path { get; set; }

    /// <summary>HTTP_GET / SSL_GET status_code: codes and ranges ('200', '200-299').</summary>
    [Parameter]
    [Alias("status_code")]
    [ArgumentCompleter(typeof(StatusCodeCompleter))]
    public string[]? StatusCode { get; set; }

    /// <summary>HTTP_GET / SSL_GET digest: the MD5 of the body, one for every path (or one per path).</summary>
    [Parameter]
    public string[]? Digest { get; set; }

    /// <summary>HTTP_GET / SSL_GET virtualhost: the Host header.</summary>
    [Parameter]
    public string? VirtualHost { get; set; }

    /// <summary>http_protocol: 1.0, 1.0C or 1.1.</summary>
    [Parameter]
    [Alias("http_protocol")]
    [ArgumentCompleter(typeof(HttpProtocolCompleter))]
    public string? HttpProtocol { get; set; }

    /// <summary>SSL_GET enable_sni.</summary>
    [Parameter]
    [Alias("enable_sni")]
    public SwitchParameter EnableSni { get; set; }

    /// <summary>MISC_CHECK misc_path: the command run on the director.</summary>
    [Parameter]
    [Alias("misc_path")]
    public string? Command { get; set; }

    /// <summary>MISC_CHECK misc_timeout in seconds.</summary>
    [Parameter]
    [Alias("misc_timeout")]
    public double? CommandTimeoutSec { get; set; }

    /// <summary>MISC_CHECK misc_dynamic: exit status 2..255 sets the weight to status - 2.</summary>
    [Parameter]
    [Alias("misc_dynamic")]
    public SwitchParameter Dynamic { get; set; }

    /// <summary>alpha: the real server starts down until this checker passes.</summary>
    [Parameter]
    public SwitchParameter Alpha { get; set; }

    private static ushort CheckPort(int port, string what, bool zeroAllowed)
    {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535)
            throw HealthText.Bad($"The {what} {port} is out of range; use {(zeroAllowed ? 0 : 1)}..65535.", port);
        return (ushort)port;
    }

    /// <summary>
    /// The checker <paramref name="check"/> (a new one, or a copy of the real server's) with the parameters given
    /// applied, then validated (SpecValidator.HealthCheck): InvalidHealthCheck naming the bad value.
    /// </summary>
    internal HealthCheckSpec Apply(HealthCheckSpec check)
    {
        bool http = check.Type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl;
        foreach (var p in new[] { nameof(Path), nameof(StatusCode), nameof(Digest), nameof(VirtualHost), nameof(HttpProtocol) })
            if (Given(p) && !http)
                throw HealthText.Bad($"-{p} applies to Http and Ssl checkers, not to {check.KeepalivedName}.", p);
        if (Given(nameof(EnableSni)) && check.Type != LvsHealthCheckType.Ssl)
            throw HealthText.Bad($"-EnableSni applies to Ssl checkers (SSL_GET), not to {check.KeepalivedName}.", nameof(EnableSni));
        foreach (var p in new[] { nameof(Command), nameof(CommandTimeoutSec), nameof(Dynamic) })
            if (Given(p) && check.Type != LvsHealthCheckType.Misc)
                throw HealthText.Bad($"-{p} applies to Misc checkers (MISC_CHECK), not to {check.KeepalivedName}.", p);

        if (Given(nameof(IntervalSec))) check.IntervalSec = IntervalSec;
        if (Given(nameof(TimeoutSec))) check.ConnectTimeoutSec = TimeoutSec;
        if (Given(nameof(Retry))) check.Retry = Retry;
        if (Given(nameof(DelayBeforeRetrySec))) check.DelayBeforeRetrySec = DelayBeforeRetrySec;
        if (Given(nameof(WarmupSec))) check.WarmupSec = WarmupSec;
        if (Given(nameof(Alpha))) check.Alpha = Alpha.IsPresent;
        if (Given(nameof(ConnectAddress))) check.ConnectAddress = ConnectAddress;
        if (Given(nameof(ConnectPort))) check.ConnectPort = ConnectPort is { } cp ? CheckPort(cp, "health check port (connect_port)", zeroAllowed: true) : (ushort)0;
        if (Given(nameof(BindAddress))) check.BindAddress = BindAddress;
        if (Given(nameof(BindPort))) check.BindPort = BindPort is { } bp ? CheckPort(bp, "health check source port (bind_port)", zeroAllowed: true) : (ushort)0;
        if (Given(nameof(HttpProtocol))) check.HttpProtocol = string.IsNullOrEmpty(HttpProtocol) ? null : HttpProtocol;
        if (Given(nameof(VirtualHost))) check.VirtualHost = string.IsNullOrEmpty(VirtualHost) ? null : VirtualHost;
        if (Given(nameof(EnableSni))) check.EnableSni = EnableSni.IsPresent;
        if (Given(nameof(Command))) check.MiscPath = string.IsNullOrEmpty(Command) ? null : Command;
        if (Given(nameof(CommandTimeoutSec))) check.MiscTimeoutSec = CommandTimeoutSec;
        if (Given(nameof(Dynamic))) check.MiscDynamic = Dynamic.IsPresent;

        check.Urls ??= new List<HttpUrlSpec>();
        if (Path is { } paths)
        {
            // The paths given replace the list; a path the checker had keeps its status code and digest.
            var old = check.Urls;
            check.Urls = paths.Select(p => old.FirstOrDefault(u => u.Path == p) is { } u ? u.Clone() : new HttpUrlSpec { Path = p ?? "" }).ToList();
        }
        if ((StatusCode is not null || Digest is not null) && check.Urls.Count == 0)
            check.Urls.Add(new HttpUrlSpec { Path = "/" });
        if (StatusCode is not null)
        {
            var codes = string.Join(" ", StatusCode.Where(s => s is not null));
            foreach (var u in check.Urls) u.StatusCode = codes;
        }
        if (Digest is not null)
        {
            if (Digest.Length != 1 && Digest.Length != check.Urls.Count)
                throw HealthText.Bad($"{Digest.Length} digests were given for {check.Urls.Count} path(s); give one digest for every path, or one per path in the order of -Path.", string.Join(",", Digest));
            for (int i = 0; i < check.Urls.Count; i++)
                check.Urls[i].Digest = Digest.Length == 1 ? Digest[0] : Digest[i];
        }
        SpecValidator.HealthCheck(check);
        return check;
    }
}

/// <summary>
/// Lets -Type take keepalived's checker names too (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, in any case); any other
/// value goes on to PowerShell's own conversion to <see cref="LvsHealthCheckType"/>, which names the valid values.
/// </summary>
public sealed class KeepalivedCheckTypeAttribute : ArgumentTransformationAttribute
{
    private static object? Map(object? value)
    {
        var v = value is PSObject p ? p.BaseObject : value;
        if (v is not string s) return value;
        return s.Trim().ToUpperInvariant() switch
        {
            "TCP_CHECK" => LvsHealthCheckType.Tcp,
            "HTTP_GET" => LvsHealthCheckType.Http,
            "SSL_GET" => LvsHealthCheckType.Ssl,
            "MISC_CHECK" => LvsHealthCheckType.Misc,
            _ => value,
        };
    }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var v = inputData is PSObject p ? p.BaseObject : inputData;
        if (v is object[] list) return list.Select(Map).ToArray();
        return Map(inputData);
    }
}
