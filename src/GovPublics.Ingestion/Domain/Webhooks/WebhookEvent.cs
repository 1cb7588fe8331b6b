using GovPublics.Catalog;

namespace GovPublics.Ingestion.Domain.Webhooks;

/// <summary>What a platform's webhook call asks of us, once its body is read.</summary>
public enum WebhookEventKind
{
    /// <summary>VK's confirmation handshake: answer the community's confirmation string.</summary>
    Confirmation = 1,

    /// <summary>A new message, comment or page post.</summary>
    New = 2,

    /// <summary>An edit of a message already received: update it, no second incident.</summary>
    Edit = 3,

    /// <summary>The message was deleted on the platform: record it.</summary>
    Delete = 4,

    /// <summary>A deleted message was restored.</summary>
    Restore = 5,

    /// <summary>An event type we do not use: acknowledge it (or the platform re-sends forever) and count it.</summary>
    Ignored = 6,
}

/// <summary>
/// One platform event, normalized. For New, Edit and Restore, <see cref="Message"/> holds the message as any
/// integrator would send it (validated later by <see cref="IngestValidation"/>); for Delete it holds the ids and an
/// empty text. <see cref="EventId"/> is the platform's own id of the delivery (VK event_id, Telegram update_id),
/// used to drop re-sent deliveries.
/// </summary>
public sealed record WebhookEvent(
    WebhookEventKind Kind,
    Platform Platform,
    string PageExternalId,
    string EventType,
    string EventId,
    IncomingMessage? Message)
{
    public static WebhookEvent Ignored(Platform platform, string pageExternalId, string eventType, string eventId) =>
        new(WebhookEventKind.Ignored, platform, pageExternalId, eventType, eventId, null);
}

/// <summary>A webhook body we cannot accept: malformed JSON, wrong types, missing fields. Answered 400 with the reason.</summary>
public sealed class WebhookFormatException(string reason) : Exception(reason);
