using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovPublics.Sla.Domain.Clock;

/// <summary>Strict JSON settings shared by the SLA policy files: snake_case names, no unknown or missing members.</summary>
internal static class PolicyJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>Deserializes <paramref name="json"/>, turning every format error into an <see cref="InvalidDataException"/> naming <paramref name="origin"/>.</summary>
    public static T Read<T>(Stream json, string origin)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new InvalidDataException($"{origin}: the document is empty (null).");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{origin}: invalid policy JSON: {ex.Message}", ex);
        }
    }
}
