using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LvsPS.Ipvs.Director;

/// <summary>One operation of <see cref="IDirector"/> as it travels: its name, parameters and result type.</summary>
public sealed class DirectorOperation
{
    internal DirectorOperation(MethodInfo method)
    {
        Method = method;
        Name = method.Name;
        Parameters = method.GetParameters();
        ChangesConfiguration = method.GetCustomAttribute<ChangesConfigurationAttribute>() is not null;
    }

    public string Name { get; }
    public MethodInfo Method { get; }
    public IReadOnlyList<ParameterInfo> Parameters { get; }
    public bool ChangesConfiguration { get; }
    public bool ReturnsValue => Method.ReturnType != typeof(void);

    /// <summary>The arguments as a JSON object keyed by parameter name.</summary>
    public JsonObject EncodeArguments(object?[]? args)
    {
        var o = new JsonObject();
        for (int i = 0; i < Parameters.Count; i++)
            o[Parameters[i].Name!] = JsonSerializer.SerializeToNode(args?[i], Parameters[i].ParameterType, DirectorJson.Options);
        return o;
    }

    /// <summary>The arguments back from the wire; a missing non-nullable argument is a protocol error.</summary>
    public object?[] DecodeArguments(JsonObject? args)
    {
        var values = new object?[Parameters.Count];
        var nullability = new NullabilityInfoContext();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            JsonNode? node = null;
            args?.TryGetPropertyValue(p.Name!, out node);
            values[i] = node is null ? null : node.Deserialize(p.ParameterType, DirectorJson.Options);
            if (values[i] is null && nullability.Create(p).ReadState != NullabilityState.Nullable)
                throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidArgument,
                    $"The request '{Name}' has no '{p.Name}'.");
        }
        return values;
    }
}

/// <summary>
/// The operations of <see cref="IDirector"/>, found once from the interface itself: both ends of the control
/// socket (the lvsd client and lvsd's dispatcher) use this one table, so they cannot disagree about an operation.
/// </summary>
public static class DirectorOperations
{
    private static readonly Dictionary<string, DirectorOperation> ByName = Build();

    private static Dictionary<string, DirectorOperation> Build()
    {
        var d = new Dictionary<string, DirectorOperation>(StringComparer.Ordinal);
        foreach (var m in typeof(IDirector).GetMethods())
        {
            if (m.IsSpecialName) continue; // property accessors (Name) are answered locally

            if (!d.TryAdd(m.Name, new DirectorOperation(m)))
                throw new InvalidOperationException($"IDirector.{m.Name} is overloaded; every operation needs its own name.");
        }
        return d;
    }

    public static IReadOnlyCollection<DirectorOperation> All => ByName.Values;

    /// <summary>The operation of that name, or a DirectorProtocolError naming it.</summary>
    public static DirectorOperation Get(string? name) =>
        name is not null && ByName.TryGetValue(name, out var op) ? op
        : throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidArgument, $"Unknown operation '{name}'.", name);

    /// <summary>The operation a method of <see cref="IDirector"/> stands for.</summary>
    public static DirectorOperation Of(MethodInfo method) => Get(method.Name);

    /// <summary>True for the methods of <see cref="IDirector"/> that travel (not the property accessors).</summary>
    public static bool IsOperation(MethodInfo method) => method.DeclaringType == typeof(IDirector) && !method.IsSpecialName;
}

/// <summary>A request on the control socket: one JSON object per line.</summary>
public sealed class DirectorRequest
{
    /// <summary>The operation: an <see cref="IDirector"/> method's name.</summary>
    public string Op { get; set; } = "";
    /// <summary>Its arguments, by parameter name.</summary>
    public JsonObject? Args { get; set; }
}

/// <summary>The director's answer to one request: a result, or a refusal with a stable ErrorId.</summary>
public sealed class DirectorReply
{
    public bool Ok { get; set; }
    public string? ErrorId { get; set; }
    public LvsErrorKind ErrorKind { get; set; }
    public string? Message { get; set; }
    /// <summary>What the operation returned (absent for void operations); a parsed document, not a tree of nodes, so a
    /// page of a thousand entries costs one buffer at each end.</summary>
    public JsonElement? Result { get; set; }

    public static DirectorReply Failure(LvsException e) =>
        new() { Ok = false, ErrorId = e.ErrorId, ErrorKind = e.Kind, Message = e.Message };

    /// <summary>The refusal as the exception the director threw.</summary>
    public LvsException ToException(string fallbackMessage) =>
        new(ErrorId ?? LvsErrorIds.DirectorProtocolError, ErrorKind, Message ?? fallbackMessage);
}
