using System.Text.Json;
using System.Text.Json.Serialization;

namespace LvsPS.Ipvs.Director;

/// <summary>JSON settings shared by the director and its clients.</summary>
public static class DirectorJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
            // {"op":"Ping","op":"Clear"} is refused, not read as its last key: a request means one thing.
            AllowDuplicateProperties = false,
        };
        o.Converters.Add(new JsonStringEnumConverter());
        o.Converters.Add(new IPAddressJsonConverter());
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}

/// <summary>IPAddress as its text form; anything else (a number, an object, text that is no address) is a JsonException naming it.</summary>
public sealed class IPAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"An IP address must be a string, not {reader.TokenType}.");
        var s = reader.GetString()!;
        return IPAddress.TryParse(s, out var a) ? a : throw new JsonException($"'{s}' is not an IP address.");
    }

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
