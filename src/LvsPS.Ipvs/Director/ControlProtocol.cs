using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using LvsPS.Ipvs.Model;

namespace LvsPS.Ipvs.Director;

/// <summary>Operations the director understands on its control socket (one JSON object per line).</summary>
public static class ControlOps
{
    public const string Ping = "ping";
    public const string ListServices = "list-services";
    public const string AddService = "add-service";
    public const string EditService = "edit-service";
    public const string DeleteService = "delete-service";
    public const string AddRealServer = "add-real-server";
    public const string EditRealServer = "edit-real-server";
    public const string DeleteRealServer = "delete-real-server";
    public const string ListConnections = "list-connections";
    public const string Zero = "zero";
    public const string GetTimeouts = "get-timeouts";
    public const string SetTimeouts = "set-timeouts";
    public const string AddMarkRule = "add-mark-rule";
    public const string DeleteMarkRule = "delete-mark-rule";
    public const string ListMarkRules = "list-mark-rules";
    public const string Clear = "clear";
    public const string Shutdown = "shutdown";
}

/// <summary>A request from a client (cmdlet) to the director.</summary>
public sealed class ControlRequest
{
    public string Op { get; set; } = "";
    /// <summary>The service to act on (identity: protocol, address, port; plus settings for add/edit).</summary>
    public ServiceSpec? Service { get; set; }
    /// <summary>The real server to add, edit or delete.</summary>
    public RealServerSpec? RealServer { get; set; }
    /// <summary>For set-timeouts.</summary>
    public TimeoutSpec? Timeouts { get; set; }
    /// <summary>For add-mark-rule / delete-mark-rule.</summary>
    public MarkRuleSpec? MarkRule { get; set; }
}

/// <summary>The three timeouts ipvsadm --set changes (seconds; 0 = leave as it is).</summary>
public sealed class TimeoutSpec
{
    public int Tcp { get; set; }
    public int TcpFin { get; set; }
    public int Udp { get; set; }

    public override string ToString() => $"{Tcp} {TcpFin} {Udp}";
}

/// <summary>A virtual service as configured (what the state file and the requests carry).</summary>
public sealed class ServiceSpec
{
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    public IPAddress Address { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    /// <summary>Non-zero: a firewall-mark service (ipvsadm -f); Protocol, Address and Port are then not used.</summary>
    public uint FirewallMark { get; set; }
    public LvsScheduler Scheduler { get; set; } = LvsScheduler.Wlc;
    /// <summary>Scheduler flags (ipvsadm -b): sh/mh fallback and port.</summary>
    public LvsSchedulerFlags SchedulerFlags { get; set; }
    /// <summary>Persistence timeout in seconds (ipvsadm -p); 0 = not persistent.</summary>
    public uint PersistentTimeout { get; set; }
    /// <summary>Persistence granularity (ipvsadm -M); null = /32.</summary>
    public IPAddress? PersistenceNetmask { get; set; }
    /// <summary>Real servers in kernel list order (newest first).</summary>
    public List<RealServerSpec> RealServers { get; set; } = new();

    public override string ToString() => FirewallMark != 0 ? $"FWM {FirewallMark}" : $"{Protocol.ToString().ToUpperInvariant()} {Address}:{Port}";
}

/// <summary>
/// A firewall-mark rule: the user-space stand-in for the iptables/nftables rule that marks packets for a kernel
/// fwmark service (no kernel mark reaches user space). A packet to Address/PrefixLength, of Protocol (or TCP and UDP),
/// with a destination port in PortFrom..PortTo (0..0 = any) gets Mark; rules are tried in order, first match wins.
/// </summary>
public sealed class MarkRuleSpec
{
    public uint Mark { get; set; }
    /// <summary>Tcp, Udp, or null for both.</summary>
    public LvsProtocol? Protocol { get; set; }
    public IPAddress Address { get; set; } = IPAddress.None;
    public int PrefixLength { get; set; } = 32;
    public ushort PortFrom { get; set; }
    public ushort PortTo { get; set; }

    public override string ToString() =>
        $"mark {Mark}: {(Protocol?.ToString().ToUpperInvariant() ?? "TCP/UDP")} {Address}/{PrefixLength}" + (PortFrom == 0 && PortTo == 0 ? "" : PortFrom == PortTo ? $" port {PortFrom}" : $" ports {PortFrom}-{PortTo}");
}
public sealed class RealServerSpec
{
    public IPAddress Address { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;
    public int Weight { get; set; } = 1;
    /// <summary>Upper connection threshold (ipvsadm -x); 0 = none.</summary>
    public int UpperThreshold { get; set; }
    /// <summary>Lower connection threshold (ipvsadm -y); 0 = none.</summary>
    public int LowerThreshold { get; set; }

    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>The director's state file: everything configured, restored at start.</summary>
public sealed class DirectorState
{
    public int Version { get; set; } = 1;
    public List<ServiceSpec> Services { get; set; } = new();
    public TimeoutSpec? Timeouts { get; set; }
    public List<MarkRuleSpec> MarkRules { get; set; } = new();
}

/// <summary>The director's answer.</summary>
public sealed class ControlResponse
{
    public bool Ok { get; set; }
    public string? ErrorId { get; set; }
    public LvsErrorKind ErrorKind { get; set; }
    public string? Message { get; set; }
    public DirectorStatus? Director { get; set; }
    public List<LvsService>? Services { get; set; }
    public List<LvsConnection>? Connections { get; set; }
    public TimeoutSpec? Timeouts { get; set; }
    public List<MarkRuleSpec>? MarkRules { get; set; }

    public static ControlResponse Success() => new() { Ok = true };

    public static ControlResponse Failure(LvsException e) =>
        new() { Ok = false, ErrorId = e.ErrorId, ErrorKind = e.Kind, Message = e.Message };
}

/// <summary>A running director as Get-LvsDirector shows it.</summary>
public sealed class DirectorStatus
{
    public string Name { get; set; } = "";
    public int ProcessId { get; set; }
    public string Interface { get; set; } = "";
    public string? NetworkNamespace { get; set; }
    public string MacAddress { get; set; } = "";
    public IPAddress? InterfaceAddress { get; set; }
    /// <summary>The inside interface (LVS-NAT real servers on an internal network), if any.</summary>
    public string? InsideInterface { get; set; }
    public IPAddress? InsideAddress { get; set; }
    public DateTime StartTime { get; set; }
    public string Version { get; set; } = "";
    public int TableSize { get; set; }
    public int ServiceCount { get; set; }
    public int RealServerCount { get; set; }
    public int ConnectionCount { get; set; }
    public IPAddress[] VirtualAddresses { get; set; } = Array.Empty<IPAddress>();
    public ulong FramesReceived { get; set; }
    public ulong FramesForwarded { get; set; }
    public ulong FramesDropped { get; set; }
    public ulong ArpRepliesSent { get; set; }
    /// <summary>libpcap's own counters (pcap_stats): packets received and dropped by the capture ring.</summary>
    public ulong CaptureReceived { get; set; }
    public ulong CaptureDropped { get; set; }
    public ulong InterfaceDropped { get; set; }
    public string SocketPath { get; set; } = "";
    public string StatePath { get; set; } = "";
    public string LogPath { get; set; } = "";
    public bool Running { get; set; } = true;
}

/// <summary>JSON settings shared by the director and its clients.</summary>
public static class ControlJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        o.Converters.Add(new JsonStringEnumConverter());
        o.Converters.Add(new IPAddressJsonConverter());
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}

/// <summary>IPAddress as its text form.</summary>
public sealed class IPAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var s = reader.GetString();
        return s is null ? null : IPAddress.Parse(s);
    }

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
