using System.Text.Json;
using System.Text.Json.Serialization;
using GovPublics.Common.Json;
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
    // Letters unescaped (StoredJson); built on first use, as the generated Default is initialized in another part of this class.
    private static RoutingJson? _storedContext;

    private static RoutingJson _stored => _storedContext ??= new(StoredJson.Readable(Default.Options));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, typeof(T), _stored);

    public static T Deserialize<T>(string json) =>
        (T)(JsonSerializer.Deserialize(json, typeof(T), _stored)
            ?? throw new JsonException($"Empty {typeof(T).Name} record."));
}
