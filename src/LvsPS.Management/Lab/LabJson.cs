using System.Text.Json;
using System.Text.Json.Serialization;

namespace LvsPS.Management.Lab;

/// <summary>How a lab is saved in lab.json: indented, enums and IP addresses as strings.</summary>
internal static class LabJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        // LvsLab.Nodes is computed from Client/Director/RealServers
        IgnoreReadOnlyProperties = true,
        Converters = { new JsonStringEnumConverter(), new IPAddressJsonConverter() },
    };

    public static string Serialize(LvsLab lab) => JsonSerializer.Serialize(lab, Options);

    public static LvsLab? Deserialize(string json) => JsonSerializer.Deserialize<LvsLab>(json, Options);

    private sealed class IPAddressJsonConverter : JsonConverter<IPAddress>
    {
        public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return IPAddress.None;
            var s = reader.GetString();
            if (string.IsNullOrEmpty(s)) return IPAddress.None;
            return IPAddress.TryParse(s, out var a) ? a : throw new JsonException($"'{s}' is not an IP address.");
        }

        public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}
