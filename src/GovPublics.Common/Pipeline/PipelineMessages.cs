using System.Text.Json;
using System.Text.Json.Serialization;
using GovPublics.Catalog;

namespace GovPublics.Common.Pipeline;

/// <summary>What a message is.</summary>
public enum MessageKind
{
    Comment = 1,
    PrivateMessage = 2,
    PagePost = 3,
}

/// <summary>An attachment of a message.</summary>
public sealed record MessageAttachment(string Type, string Url);

/// <summary>
/// One normalized message from any platform or integrator, as it travels on the <c>messages</c> stream.
/// </summary>
public sealed record CitizenMessage
{
    public required string MessageId { get; init; }
    public required Platform Platform { get; init; }
    public required string PageExternalId { get; init; }
    public required MessageKind Kind { get; init; }
    public required string ExternalId { get; init; }
    public string ThreadId { get; init; } = "";
    public string AuthorId { get; init; } = "";
    public string AuthorName { get; init; } = "";
    public required string Text { get; init; }
    public IReadOnlyList<MessageAttachment> Attachments { get; init; } = [];
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public bool FromPage { get; init; }
    public string ReplyToExternalId { get; init; } = "";
}

/// <summary>Routing's decision as it travels on the <c>routed</c> stream and is stored per message.</summary>
public sealed record RoutedDecision
{
    public required bool IsIncident { get; init; }
    public required string Category { get; init; }
    public string Subcategory { get; init; } = "";
    public bool Urgent { get; init; }
    public string MunicipalityId { get; init; } = "";
    public string MunicipalityName { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public string ResponsibleAuthorityId { get; init; } = "";
    public string ResponsibleAuthorityName { get; init; } = "";
    public double Confidence { get; init; }
    public string Explanation { get; init; } = "";
    public string RuleId { get; init; } = "";
    public bool NeedsModeration { get; init; }
    public IReadOnlyList<DecisionEvidence> Evidence { get; init; } = [];
    public DateTimeOffset DecidedAt { get; init; }
}

/// <summary>One signal behind a decision.</summary>
public sealed record DecisionEvidence(string Kind, string Detail, double Weight);

/// <summary>A message with its decision: an entry of the <c>routed</c> stream.</summary>
public sealed record RoutedMessage(CitizenMessage Message, RoutedDecision Decision);

/// <summary>Source-generated JSON for the pipeline's records: fast, and the same on every service.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CitizenMessage))]
[JsonSerializable(typeof(RoutedDecision))]
[JsonSerializable(typeof(RoutedMessage))]
public sealed partial class PipelineJson : JsonSerializerContext
{
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, typeof(T), Default);

    public static T Deserialize<T>(string json) =>
        (T)(JsonSerializer.Deserialize(json, typeof(T), Default)
            ?? throw new JsonException($"Empty {typeof(T).Name} payload."));
}
