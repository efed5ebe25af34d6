// lvsd's health probes: TCP_CHECK, HTTP_GET, SSL_GET and MISC_CHECK as keepalived runs them. Each probe runs from
// lvsd's own network context (its namespace, the director's addresses), never under the engine's lock, and ends
// within its timeout. A probe only reports what it saw; HealthMonitor decides.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;

namespace LvsPS.Engine.Health;

/// <summary>What one probe found.</summary>
internal readonly record struct ProbeResult(bool Up, string Detail, int? DynamicWeight = null)
{
    public static ProbeResult Pass(string detail, int? weight = null) => new(true, detail, weight);
    public static ProbeResult Fail(string detail) => new(false, detail);
}

/// <summary>Where a probe goes and how long it may take.</summary>
internal readonly record struct ProbeTarget(IPAddress Address, ushort Port, IPAddress? BindAddress, ushort BindPort, TimeSpan Timeout);

internal static class Probes
{
    /// <summary>Runs the checker once against <paramref name="target"/>.</summary>
    public static Task<ProbeResult> RunAsync(HealthCheckSpec check, ProbeTarget target, string? virtualHost, TimeSpan miscTimeout) => check.Type switch
    {
        LvsHealthCheckType.Tcp => TcpAsync(target),
        LvsHealthCheckType.Http => HttpAsync(check, target, virtualHost, tls: false),
        LvsHealthCheckType.Ssl => HttpAsync(check, target, virtualHost, tls: true),
        LvsHealthCheckType.Misc => MiscAsync(check, miscTimeout),
        _ => Task.FromResult(ProbeResult.Fail($"unknown checker {check.Type}")),
    };

    private static string Where(ProbeTarget t) => t.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{t.Address}]:{t.Port}" : $"{t.Address}:{t.Port}";

    private static async Task<Socket> ConnectAsync(ProbeTarget t, CancellationToken ct)
    {
        var s = new Socket(t.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (t.BindAddress is not null || t.BindPort != 0)
                s.Bind(new IPEndPoint(t.BindAddress ?? (t.Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any), t.BindPort));
            await s.ConnectAsync(new IPEndPoint(t.Address, t.Port), ct).ConfigureAwait(false);
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    private static string Describe(Exception e, ProbeTarget t) => e switch
    {
        OperationCanceledException => $"no answer from {Where(t)} within {t.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s",
        SocketException se => $"{Where(t)}: {se.SocketErrorCode switch { SocketError.ConnectionRefused => "connection refused", SocketError.HostUnreachable => "host unreachable", SocketError.NetworkUnreachable => "network unreachable", SocketError.TimedOut => "timed out", _ => se.Message }}",
        IOException io => $"{Where(t)}: {io.InnerException?.Message ?? io.Message}",
        AuthenticationException au => $"{Where(t)}: TLS handshake failed: {au.Message}",
        _ => $"{Where(t)}: {e.Message}",
    };

    public static async Task<ProbeResult> TcpAsync(ProbeTarget t)
    {
        using var cts = new CancellationTokenSource(t.Timeout);
        var sw = Stopwatch.StartNew();
        try
        {
            using var s = await ConnectAsync(t, cts.Token).ConfigureAwait(false);
            return ProbeResult.Pass($"connected to {Where(t)} in {sw.ElapsedMilliseconds} ms");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return ProbeResult.Fail(Describe(e, t));
        }
    }

    public static async Task<ProbeResult> HttpAsync(HealthCheckSpec check, ProbeTarget t, string? virtualHost, bool tls)
    {
        var urls = check.Urls.Count > 0 ? check.Urls : new List<HttpUrlSpec> { new() { Path = "/" } };
        string last = "";
        foreach (var url in urls)
        {
            var r = await OneUrlAsync(check, url, t, url.VirtualHost ?? check.VirtualHost ?? virtualHost, tls).ConfigureAwait(false);
            if (!r.Up) return r;
            last = r.Detail;
        }
        return ProbeResult.Pass(urls.Count == 1 ? last : $"{urls.Count} urls passed ({last})");
    }

    private static async Task<ProbeResult> OneUrlAsync(HealthCheckSpec check, HttpUrlSpec url, ProbeTarget t, string? host, bool tls)
    {
        using var cts = new CancellationTokenSource(t.Timeout);
        string name = (tls ? "https " : "http ") + url.Path;
        try
        {
            using var s = await ConnectAsync(t, cts.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(s, ownsSocket: false);
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true); // keepalived checks liveness, not the certificate
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = check.EnableSni && !string.IsNullOrEmpty(host) ? host : t.Address.ToString(),
                }, cts.Token).ConfigureAwait(false);
                stream = ssl;
            }
            await using (stream.ConfigureAwait(false))
            {
                var (version, close) = (check.HttpProtocol ?? "1.0") switch
                {
                    "1.1" => ("HTTP/1.1", true),
                    "1.0C" => ("HTTP/1.0", true),
                    _ => ("HTTP/1.0", false),
                };
                var hostHeader = host ?? (t.Port is 80 or 443 ? t.Address.ToString() : Where(t));
                var request = $"GET {url.Path} {version}\r\nUser-Agent: KeepAliveClient\r\nHost: {hostHeader}\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token).ConfigureAwait(false);
                using var ms = new MemoryStream();
                var buf = new byte[16384];
                int n;
                while ((n = await stream.ReadAsync(buf, cts.Token).ConfigureAwait(false)) > 0)
                {
                    ms.Write(buf, 0, n);
                    if (ms.Length > 16 << 20) break; // bound what a misbehaving server can make us hold
                }
                return Judge(url, ms.ToArray(), name);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or AuthenticationException)
        {
            return ProbeResult.Fail($"{name}: {Describe(e, t)}");
        }
    }

    /// <summary>The status line against status_code (default 200-299), then the body's MD5 against digest.</summary>
    internal static ProbeResult Judge(HttpUrlSpec url, byte[] response, string name)
    {
        int headerEnd = IndexOf(response, "\r\n\r\n"u8);
        if (headerEnd < 0) return ProbeResult.Fail($"{name}: no complete HTTP header ({response.Length} bytes)");
        var head = Encoding.ASCII.GetString(response, 0, headerEnd);
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
            return ProbeResult.Fail($"{name}: not an HTTP answer ('{lines[0]}')");
        if (!StatusMatches(url.StatusCode, code))
            return ProbeResult.Fail($"{name}: HTTP {code}, expected {url.StatusCode ?? "200-299"}");
        if (url.Digest is { Length: > 0 } digest)
        {
            var body = response.AsSpan(headerEnd + 4).ToArray();
            if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
                body = Dechunk(body);
            var md5 = Convert.ToHexString(MD5.HashData(body)).ToLowerInvariant();
            if (!string.Equals(md5, digest, StringComparison.OrdinalIgnoreCase))
                return ProbeResult.Fail($"{name}: digest {md5}, expected {digest.ToLowerInvariant()}");
            return ProbeResult.Pass($"{name}: HTTP {code}, digest matches");
        }
        return ProbeResult.Pass($"{name}: HTTP {code}");
    }

    /// <summary>keepalived's status_code list: codes and ranges separated by spaces ("200-299 301").</summary>
    internal static bool StatusMatches(string? spec, int code)
    {
        if (string.IsNullOrWhiteSpace(spec)) return code is >= 200 and <= 299;
        foreach (var part in spec.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-', 2);
            if (range.Length == 2 && int.TryParse(range[0], out int lo) && int.TryParse(range[1], out int hi))
            {
                if (code >= lo && code <= hi) return true;
            }
            else if (int.TryParse(part, out int one) && one == code) return true;
        }
        return false;
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> what) => data.AsSpan().IndexOf(what);

    private static byte[] Dechunk(byte[] body)
    {
        using var ms = new MemoryStream();
        int i = 0;
        while (i < body.Length)
        {
            int eol = body.AsSpan(i).IndexOf("\r\n"u8);
            if (eol < 0) break;
            var sizeText = Encoding.ASCII.GetString(body, i, eol).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size) || size == 0) break;
            i += eol + 2;
            ms.Write(body, i, Math.Min(size, body.Length - i));
            i += size + 2;
        }
        return ms.ToArray();
    }

    /// <summary>MISC_CHECK: /bin/sh -c misc_path; exit 0 up, else down, but with misc_dynamic 2..255 up with weight = status - 2.</summary>
    public static async Task<ProbeResult> MiscAsync(HealthCheckSpec check, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(check.MiscPath ?? "false");
        using var p = new Process { StartInfo = psi };
        try { p.Start(); }
        catch (Exception e) { return ProbeResult.Fail($"misc_path could not start: {e.Message}"); }
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            return ProbeResult.Fail($"'{check.MiscPath}' did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (killed)");
        }
        int status = p.ExitCode;
        string said = (await stderr.ConfigureAwait(false)).Trim();
        _ = await stdout.ConfigureAwait(false);
        if (status == 0) return ProbeResult.Pass($"'{check.MiscPath}' exited 0");
        // Without misc_dynamic only 0 passes; with it, 2..255 pass too and set the weight to status - 2.
        if (check.MiscDynamic && status is >= 2 and <= 255)
            return ProbeResult.Pass($"'{check.MiscPath}' exited {status} (weight {status - 2})", status - 2);
        return ProbeResult.Fail($"'{check.MiscPath}' exited {status}" + (said.Length > 0 ? $": {Truncate(said)}" : ""));
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";

    /// <summary>Runs a notify or quorum command, detached from lvsd's stdio, bounded in time; returns what happened.</summary>
    public static async Task<string> RunCommandAsync(string command, TimeSpan timeout)
    {
        var r = await MiscAsync(new HealthCheckSpec { Type = LvsHealthCheckType.Misc, MiscPath = command }, timeout).ConfigureAwait(false);
        return r.Detail;
    }
}
