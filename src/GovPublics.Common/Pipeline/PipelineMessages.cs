using System.Text.Json;
using System.Text.Json.Serialization;
using GovPublics.Catalog;
using GovPublics.Common.Json;

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

    /// <summary>The routing knowledge the classifier used ("cues@…#1;…;topics@…#3;…"); empty before it was recorded.</summary>
    public string KnowledgeVersion { get; init; } = "";
    public bool NeedsModeration { get; init; }
    public IReadOnlyList<DecisionEvidence> Evidence { get; init; } = [];
    public DateTimeOffset DecidedAt { get; init; }

    /// <summary>
    /// 0 for routing's first decision on a message; each later decision (a moderator's, or a re-route) has a higher
    /// revision. SLA applies a decision only when its revision is above the one the incident was last routed with.
    /// </summary>
    public int Revision { get; init; }

    /// <summary>Set when this decision replaces an earlier one: who changed it and why.</summary>
    public RerouteInfo? Reroute { get; init; }
}

/// <summary>Why and by whom a decision replaced an earlier one (moderation, or a re-route of an incident).</summary>
/// <param name="Reason">Required free text, e.g. "the road is regional, not municipal".</param>
/// <param name="By">Who did it: a moderator's or executor's login.</param>
/// <param name="PreviousAuthorityId">The authority of the replaced decision; empty when there was none.</param>
/// <param name="PreviousCategory">The topic of the replaced decision; empty when there was none.</param>
public sealed record RerouteInfo(string Reason, string By, string PreviousAuthorityId, string PreviousCategory);

/// <summary>
/// An incident rejected by its authority as "not ours": an entry of the <c>rejections</c> stream, which routing
/// turns into a ЦУР moderation item so the incident is re-routed with a new decision.
/// </summary>
public sealed record IncidentRejection
{
    public required string IncidentId { get; init; }
    public required string MessageId { get; init; }
    public required string AuthorityId { get; init; }
    public required string Reason { get; init; }
    public required string By { get; init; }
    public required DateTimeOffset RejectedAt { get; init; }
}

/// <summary>One signal behind a decision.</summary>
public sealed record DecisionEvidence(string Kind, string Detail, double Weight);

/// <summary>A message with its decision: an entry of the <c>routed</c> stream.</summary>
public sealed record RoutedMessage(CitizenMessage Message, RoutedDecision Decision)
{
    /// <summary>
    /// The entry routing publishes: the decision without its evidence, which stays in routing's decision record
    /// (the explanation travels on; nothing downstream reads the evidence, and it is most of a decision's size).
    /// </summary>
    public static RoutedMessage ForStream(CitizenMessage message, RoutedDecision decision) => new(message, ForStream(decision));

    /// <summary>The decision as a <c>routed</c> entry carries it: without its evidence.</summary>
    public static RoutedDecision ForStream(RoutedDecision decision) =>
        decision.Evidence.Count == 0 ? decision : decision with { Evidence = [] };
}

/// <summary>Source-generated JSON for the pipeline's records: fast, and the same on every service.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CitizenMessage))]
[JsonSerializable(typeof(RoutedDecision))]
[JsonSerializable(typeof(RoutedMessage))]
[JsonSerializable(typeof(IncidentRejection))]
public sealed partial class PipelineJson : JsonSerializerContext
{
    /// <summary>The context the services write and read with: letters unescaped (<see cref="StoredJson"/>).</summary>
    public static PipelineJson Stored => _stored ??= new(StoredJson.Readable(Default.Options));

    // Built on first use: the generated Default is initialized in another part of this class.
    private static PipelineJson? _stored;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, typeof(T), Stored);

    /// <summary>The JSON as UTF-8 bytes, as Redis stores it: no string, and no transcoding when it is written.</summary>
    public static byte[] SerializeToUtf8<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), Stored);

    /// <summary>Reads UTF-8 JSON as it came from Redis, without making a string of it first.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json) =>
        (T)(JsonSerializer.Deserialize(utf8Json, typeof(T), Stored)
            ?? throw new JsonException($"Empty {typeof(T).Name} payload."));

    /// <summary>
    /// A <c>routed</c> entry (<see cref="Pipeline.RoutedMessage"/>) from the message's JSON exactly as it was read from the
    /// <c>messages</c> stream, without reading it into objects and writing it again; the decision as in
    /// <see cref="Pipeline.RoutedMessage.ForStream(RoutedDecision)"/>. <paramref name="messageUtf8Json"/> must be a message this context wrote.
    /// </summary>
    public static byte[] RoutedEntryUtf8(ReadOnlySpan<byte> messageUtf8Json, RoutedDecision decision)
    {
        var writer = ScratchWriter(out var buffer);
        writer.WriteStartObject();
        writer.WritePropertyName("message"u8);
        writer.WriteRawValue(messageUtf8Json, skipInputValidation: true);
        writer.WritePropertyName("decision"u8);
        JsonSerializer.Serialize(writer, Pipeline.RoutedMessage.ForStream(decision), Default.RoutedDecision);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A decision as stored (with its evidence), as UTF-8: the same bytes as <see cref="SerializeToUtf8{T}"/>, written
    /// through this thread's reused buffer, so the exact-size result is the only allocation.
    /// </summary>
    public static byte[] DecisionUtf8(RoutedDecision decision)
    {
        var writer = ScratchWriter(out var buffer);
        JsonSerializer.Serialize(writer, decision, Default.RoutedDecision);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    // The routing consumer writes two documents per message; a buffer and writer per thread, reset for each document,
    // spare it a growing buffer, a writer and a copy each time. Only used synchronously (no await between reset and copy).
    // The writer carries the stored encoder, so the generated context's own options (no encoder of their own) can be
    // used: with them the source generator's fast path writes the same bytes in about 30% less time.
    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? _scratch;

    [ThreadStatic]
    private static Utf8JsonWriter? _scratchWriter;

    private static Utf8JsonWriter ScratchWriter(out System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        buffer = _scratch ??= new System.Buffers.ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = _scratchWriter ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Stored.Options.Encoder, SkipValidation = true });
        writer.Reset(buffer);
        return writer;
    }

    public static T Deserialize<T>(string json) =>
        (T)(JsonSerializer.Deserialize(json, typeof(T), Stored)
            ?? throw new JsonException($"Empty {typeof(T).Name} payload."));
}
