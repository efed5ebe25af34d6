using System.Collections;
using System.Reflection;

namespace LvsPS;

/// <summary>
/// The getters and setters of LvsPS.Types.ps1xml's CodeProperties (LvsEtsMembers.g.cs has one pair per property
/// name): a property an output type hides from ConvertTo-Json with [Newtonsoft.Json.JsonIgnore], given back under
/// its own name: an IPAddress as its text, a list of addresses as an LvsTextList, a list of objects as an
/// LvsObjectList, another object as a PSObject (so ConvertTo-Json applies its members too). C# code, not script, so
/// they work in any runspace and on any thread.
/// </summary>
public static partial class LvsEtsMembers
{
    /// <summary>
    /// <paramref name="value"/> (a PSObject taken as its base object) converted as PowerShell converts arguments, with
    /// the invariant culture: what every setter here and LvsTextList's Add and indexer store. A bad value throws the
    /// conversion's error, which names it.
    /// </summary>
    internal static object? ConvertValue(object? value, Type type) =>
        value is null ? null : LanguagePrimitives.ConvertTo(value is PSObject w ? w.BaseObject : value, type, System.Globalization.CultureInfo.InvariantCulture);

    private static PropertyInfo? PropertyOf(object target, string name) =>
        target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);

    private static object? Get(PSObject instance, string name)
    {
        var target = instance.BaseObject;
        var value = PropertyOf(target, name)?.GetValue(target);
        return value switch
        {
            null => null,
            IPAddress a => a.ToString(),
            IEnumerable<IPAddress> list => new LvsTextList(list),
            string s => s,
            IEnumerable items => new LvsObjectList(items),
            _ => PSObject.AsPSObject(value),
        };
    }

    private static void Set(PSObject instance, string name, object? value)
    {
        var target = instance.BaseObject;
        var p = PropertyOf(target, name) ?? throw new PSInvalidOperationException($"{target.GetType().Name} has no property {name}.");
        if (!p.CanWrite) throw new PSInvalidOperationException($"{name} of {target.GetType().Name} is read-only.");
        if (value is IEnumerable items and not string && p.PropertyType.IsGenericType)
        {
            // an LvsObjectList (or any list) back to the property's own list type, item by item
            var elem = p.PropertyType.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elem))!;
            foreach (var o in items) list.Add(ConvertValue(o, elem));
            p.SetValue(target, ConvertValue(list, p.PropertyType));
            return;
        }
        p.SetValue(target, ConvertValue(value, p.PropertyType));
    }
}
