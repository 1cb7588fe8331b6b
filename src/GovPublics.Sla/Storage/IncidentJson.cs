using System.Text.Json;
using System.Text.Json.Serialization;
using GovPublics.Common.Json;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Storage;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Incident))]
internal sealed partial class IncidentJson : JsonSerializerContext
{
    // Letters unescaped (StoredJson); built on first use, as the generated Default is initialized in another part of this class.
    private static IncidentJson? _storedContext;

    private static IncidentJson _stored => _storedContext ??= new(StoredJson.Readable(Default.Options));

    public static string Serialize(Incident incident) => JsonSerializer.Serialize(incident, _stored.Incident);

    public static Incident Deserialize(string json) =>
        JsonSerializer.Deserialize(json, _stored.Incident) ?? throw new JsonException("Empty incident record.");
}
