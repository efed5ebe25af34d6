using System.Runtime.CompilerServices;

namespace LvsPS.Management.Config;

/// <summary>
/// What an imported service carries beyond what <see cref="LvsService"/> holds (health settings, checkers, notify
/// commands, one-packet scheduling), attached to the very objects <see cref="LvsServiceDefinition.ToLvsService"/>
/// returns, so that <c>Import-LvsConfiguration | Export-LvsConfiguration -Format Keepalived</c> writes the checkers
/// back. The writer takes only these extras from an attachment; everything LvsService holds (addresses, weights,
/// methods ...) comes from the object as it is now, so edits made in between are written as they are.
/// </summary>
internal static class ConfigAttachments
{
    private static readonly ConditionalWeakTable<LvsService, ServiceSpec> Services = new();
    private static readonly ConditionalWeakTable<LvsRealServer, RealServerSpec> RealServers = new();

    public static void Attach(LvsService service, ServiceSpec spec) => Services.AddOrUpdate(service, spec);

    public static void Attach(LvsRealServer realServer, RealServerSpec spec) => RealServers.AddOrUpdate(realServer, spec);

    public static ServiceSpec? Of(LvsService service) => Services.TryGetValue(service, out var s) ? s : null;

    public static RealServerSpec? Of(LvsRealServer realServer) => RealServers.TryGetValue(realServer, out var r) ? r : null;

    /// <summary>Gives a copy the side data of its original.</summary>
    public static void CopyTo(LvsService from, LvsService to)
    {
        if (Of(from) is { } spec) Attach(to, spec);
    }

    public static void CopyTo(LvsRealServer from, LvsRealServer to)
    {
        if (Of(from) is { } spec) Attach(to, spec);
    }
}
