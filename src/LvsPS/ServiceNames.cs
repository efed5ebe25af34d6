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
/// What LvsPS.Types.ps1xml gives for a nested list of output objects (a service's RealServers, a real server's
/// HealthChecks, a health record's History, an imported service's real servers). ConvertTo-Json's default depth (2)
/// reaches the items of such a list as leaves when the objects are piped as an array (array, object, list, item), so
/// each item is its text ("10.0.0.2:80") carrying every property of the object as a note property: PowerShell reads
/// $svc.RealServers[0].Weight, .RealAddress (as text), .Statistics.Connections, and binds the items by property name
/// (Set-LvsRealServer), while ConvertTo-Json writes the list as its texts without truncating it. Get-LvsRealServer
/// (and the other Get- cmdlets) give the objects themselves. ToString, what Export-Csv writes, joins the texts with ", ".
/// </summary>
public sealed class LvsObjectList : List<PSObject>
{
    public LvsObjectList(IEnumerable? items)
    {
        if (items is null) return;
        foreach (var o in items) if (o is not null) Add(AsLeaf(o is PSObject w ? w.BaseObject : o, nested: true));
    }

    public override string ToString() => string.Join(", ", this.Select(o => o.BaseObject.ToString()));

    private static PSObject AsLeaf(object item, bool nested)
    {
        var p = new PSObject(item.ToString() ?? "");
        foreach (var prop in item.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (prop.GetIndexParameters().Length > 0) continue;
            object? value;
            try { value = prop.GetValue(item); } catch (System.Reflection.TargetInvocationException) { continue; }
            object? leaf = value switch
            {
                null => null,
                IPAddress a => a.ToString(),
                string s => s,
                _ when IsLeaf(value.GetType()) => value,
                IEnumerable list => string.Join(", ", list.Cast<object?>().Select(x => x?.ToString())),
                _ => nested ? AsLeaf(value, nested: false) : value.ToString(),
            };
            p.Properties.Add(new PSNoteProperty(prop.Name, leaf));
        }
        return p;
    }

    private static bool IsLeaf(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(Guid);
    }
}

/// <summary>
/// A list of addresses as text (what LvsPS.Types.ps1xml gives for IPAddress lists): enumerated, indexed and joined
/// (ToString, with ',') as text, so ConvertTo-Json and Export-Csv write the addresses. It is a live view of the
/// object's own list: <c>$spec.VirtualAddresses.Add('10.0.0.9')</c> adds to the spec (the text converted to the
/// list's element type, an error naming a bad value), as it did before the property was given as text. Over an
/// array (an output's read-only list) it is fixed in size.
/// </summary>
public sealed class LvsTextList : IList
{
    private readonly IList _source;
    private readonly Type _element;

    public LvsTextList(IEnumerable? items)
    {
        _source = items as IList ?? new List<object>(items?.Cast<object>() ?? Enumerable.Empty<object>());
        var t = _source.GetType();
        _element = t.IsArray ? t.GetElementType()! : t.IsGenericType ? t.GetGenericArguments()[0] : typeof(object);
    }

    private object? ToElement(object? value) => LvsEtsMembers.ConvertValue(value, _element);

    private static string? Text(object? o) => o?.ToString();

    public int Count => _source.Count;
    public bool IsReadOnly => _source.IsReadOnly;
    public bool IsFixedSize => _source.IsFixedSize;
    public bool IsSynchronized => false;
    public object SyncRoot => this;

    public object? this[int index]
    {
        get => Text(_source[index]);
        set => _source[index] = ToElement(value);
    }

    /// <summary>Adds an address (or its text) to the object's list. Returns nothing, as List&lt;T&gt;.Add does, so a
    /// script that adds to a list emits nothing.</summary>
    public void Add(object? value) => _source.Add(ToElement(value));
    int IList.Add(object? value) => _source.Add(ToElement(value));
    public void Insert(int index, object? value) => _source.Insert(index, ToElement(value));
    public int IndexOf(object? value)
    {
        var text = Text(value is PSObject w ? w.BaseObject : value);
        for (int i = 0; i < _source.Count; i++) if (Text(_source[i]) == text) return i;
        return -1;
    }
    public bool Contains(object? value) => IndexOf(value) >= 0;
    public void Remove(object? value) { int i = IndexOf(value); if (i >= 0) _source.RemoveAt(i); }
    public void RemoveAt(int index) => _source.RemoveAt(index);
    public void Clear() => _source.Clear();
    public void CopyTo(Array array, int index) { foreach (var o in this) array.SetValue(o, index++); }
    public IEnumerator GetEnumerator() { foreach (var o in _source) yield return Text(o); }

    public override string ToString() => string.Join(",", this.Cast<string?>());
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
