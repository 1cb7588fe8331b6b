using System.Text.Json;
using System.Text.Json.Serialization;
using GovPublics.Routing.Domain.Moderation;

namespace GovPublics.Routing.Storage;

/// <summary>Source-generated JSON for routing's own records in Redis: moderation items, history, corrections.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModerationItem))]
[JsonSerializable(typeof(DecisionHistoryEntry))]
[JsonSerializable(typeof(LabelledCorrection))]
internal sealed partial class RoutingJson : JsonSerializerContext
{
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, typeof(T), Default);

    public static T Deserialize<T>(string json) =>
        (T)(JsonSerializer.Deserialize(json, typeof(T), Default)
            ?? throw new JsonException($"Empty {typeof(T).Name} record."));
}
