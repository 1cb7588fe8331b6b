using System.Text.Json;
using System.Text.Json.Serialization;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Storage;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Incident))]
internal sealed partial class IncidentJson : JsonSerializerContext
{
    public static string Serialize(Incident incident) => JsonSerializer.Serialize(incident, Default.Incident);

    public static Incident Deserialize(string json) =>
        JsonSerializer.Deserialize(json, Default.Incident) ?? throw new JsonException("Empty incident record.");
}
