using System.Collections;

namespace LvsPS;

/// <summary>
/// An -VirtualAddress given as a service name ("tcp/10.0.0.1:80", "fwm/5", "[::1]:80"): the address itself (so the
/// parameter stays an IPAddress) carrying the protocol, port and mark the name gave, which the service cmdlets read.
/// </summary>
public sealed class LvsServiceNameAddress : IPAddress
{
    public LvsServiceNameAddress(LvsServiceName name)
        : base((name.Address ?? IPAddress.Any).GetAddressBytes())
    {
        Name = name;
    }

    /// <summary>The name as parsed.</summary>
    public LvsServiceName Name { get; }
}

/// <summary>
/// Lets -VirtualAddress (alias -Service) take a service as ipvsadm names it, besides an address: text goes through
/// LvsServiceName.Parse (a bare address stays a plain IPAddress); bad text is refused with a message naming it.
/// An empty string is refused too (an address must be given when the parameter is).
/// </summary>
public sealed class LvsServiceNameTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (value is null or IPAddress) return value;
        if (value is not string text) text = value.ToString() ?? "";
        if (!LvsServiceName.TryParse(text, out var name, out var error))
        {
            // Text that tries to be just an address ("10.0.0.999") is left to PowerShell's conversion, whose error
            // names the value and the IPAddress type; text that tries to be a service name gets the parser's message.
            if (text.Trim().Length > 0 && text.IndexOfAny(new[] { '/', ' ', '[' }) < 0 && text.Count(c => c == ':') != 1) return inputData;
            throw new ArgumentTransformationMetadataException(error);
        }
        return name!.IsAddressOnly ? name.Address : new LvsServiceNameAddress(name);
    }
}

/// <summary>
/// An optional IPAddress parameter bound from text (Import-Csv, ConvertFrom-Json): '' (an empty CSV cell) is no
/// address ($null), anything else converts as PowerShell converts it.
/// </summary>
public sealed class EmptyAsNullAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        return value is string s && s.Trim().Length == 0 ? null : inputData;
    }
}

/// <summary>
/// What LvsPS.Types.ps1xml gives for a nested list of output objects (a service's RealServers, an imported service's
/// real servers): each item as a PSObject, so ConvertTo-Json applies the item type's members too (addresses as text),
/// and a ToString that Export-Csv writes ("10.0.0.2:80 10.0.0.3:80", not the list's type name).
/// ConvertTo-Json's default depth (2) reaches an item's properties as leaves, so each property of an item that holds
/// an object (Statistics, HealthChecks) is shadowed on the item by its text: a list becomes "TCP_CHECK, HTTP_GET /";
/// an object the text of its ToString that still has its properties ($svc.RealServers[0].Statistics.Connections
/// works, and ConvertTo-Json writes "Conns=3 InPkts=18 …" without truncating). The objects themselves are unchanged
/// (Get-LvsRealServer gives them whole).
/// </summary>
public sealed class LvsObjectList : List<PSObject>
{
    private readonly string _separator;

    public LvsObjectList(IEnumerable? items, string separator = " ")
    {
        _separator = separator;
        if (items is null) return;
        foreach (var o in items) if (o is not null) Add(AsLeaves(o));
    }

    public override string ToString() => string.Join(_separator, this.Select(o => o.BaseObject.ToString()));

    private static PSObject AsLeaves(object item)
    {
        // A new PSObject each time (not AsPSObject, which may hand back the one the pipeline holds), so the shadows
        // stay on this nested view.
        var p = new PSObject(item is PSObject w ? w.BaseObject : item);
        foreach (var prop in p.BaseObject.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (prop.GetIndexParameters().Length > 0 || IsLeaf(prop.PropertyType)) continue;
            object? value;
            try { value = prop.GetValue(p.BaseObject); } catch { continue; }
            if (value is null || value is IPAddress || value is System.Collections.Generic.IEnumerable<IPAddress>) continue; // addresses: the type's members give the text
            PSObject shadow;
            if (value is IEnumerable list and not string)
                shadow = new PSObject(string.Join(", ", list.Cast<object?>().Select(x => x?.ToString())));
            else
            {
                shadow = new PSObject(value.ToString() ?? "");
                foreach (var inner in value.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
                    if (inner.GetIndexParameters().Length == 0 && IsLeaf(inner.PropertyType))
                        shadow.Properties.Add(new PSNoteProperty(inner.Name, inner.GetValue(value)));
            }
            p.Properties.Add(new PSNoteProperty(prop.Name, shadow));
        }
        return p;
    }

    private static bool IsLeaf(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime)
            || t == typeof(DateTimeOffset) || t == typeof(Guid);
    }
}

/// <summary>A list of addresses as text (what LvsPS.Types.ps1xml gives for IPAddress lists); ToString joins them with ','.</summary>
public sealed class LvsTextList : List<string>
{
    public LvsTextList(IEnumerable? items)
    {
        if (items is null) return;
        foreach (var o in items) if (o is not null) Add(o.ToString()!);
    }

    public override string ToString() => string.Join(",", this);
}

/// <summary>The type names the output views select on (LvsPS.Format.ps1xml).</summary>
internal static class LvsViews
{
    public const string ServiceTable = "LvsPS.Ipvs.Model.LvsService#Table";
    public const string ServiceStats = "LvsPS.Ipvs.Model.LvsService#Stats";
    public const string ServiceRate = "LvsPS.Ipvs.Model.LvsService#Rate";
    public const string RealServerThresholds = "LvsPS.Ipvs.Model.LvsRealServer#Thresholds";
    public const string RealServerPersistentConn = "LvsPS.Ipvs.Model.LvsRealServer#PersistentConn";

    /// <summary>The object wrapped with <paramref name="typeName"/> first, so its views are picked before the type's others.</summary>
    public static PSObject As(object o, string typeName)
    {
        var p = PSObject.AsPSObject(o);
        if (!p.TypeNames.Contains(typeName)) p.TypeNames.Insert(0, typeName);
        return p;
    }
}
