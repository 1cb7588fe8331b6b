using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.Ingestion.Domain;

/// <summary>An incoming message before validation, as any transport (gRPC, webhook) hands it in.</summary>
public sealed record IncomingMessage(
    Platform Platform,
    string PageExternalId,
    MessageKind? Kind,
    string ExternalId,
    string ThreadId,
    string AuthorId,
    string AuthorName,
    string Text,
    IReadOnlyList<MessageAttachment> Attachments,
    double? Latitude,
    double? Longitude,
    DateTimeOffset? CreatedAt,
    bool FromPage,
    string ReplyToExternalId);

/// <summary>Checks an incoming message and turns it into the pipeline's normalized message with its id.</summary>
public static class IngestValidation
{
    public const int MaxTextLength = 16_384;
    public const int MaxIdLength = 128;
    public const int MaxAttachments = 50;

    /// <summary>
    /// Normalizes an edit, deletion or restoration: the ids must be valid, the text may be empty (a deletion
    /// carries none).
    /// </summary>
    public static CitizenMessage NormalizeEvent(IncomingMessage m, DateTimeOffset now) =>
        Normalize(string.IsNullOrWhiteSpace(m.Text) ? m with { Text = "[deleted]" } : m, now);

    public static CitizenMessage Normalize(IncomingMessage m, DateTimeOffset now)
    {
        var v = new Validator();
        if (m.Platform == Platform.Unspecified || !Enum.IsDefined(m.Platform))
        {
            v.Add("platform", "is required: one of PLATFORM_VK, PLATFORM_OK, PLATFORM_TELEGRAM");
        }

        v.Require("page_external_id", m.PageExternalId).MaxLength("page_external_id", m.PageExternalId, MaxIdLength);
        v.Require("external_id", m.ExternalId).MaxLength("external_id", m.ExternalId, MaxIdLength);
        v.MaxLength("thread_id", m.ThreadId, MaxIdLength).MaxLength("author.id", m.AuthorId, MaxIdLength);
        v.MaxLength("author.display_name", m.AuthorName, 256);
        if (string.IsNullOrWhiteSpace(m.Text))
        {
            v.Add("text", "is required and must not be empty or only whitespace");
        }

        v.MaxLength("text", m.Text, MaxTextLength);
        if (m.Kind is { } kind && !Enum.IsDefined(kind))
        {
            v.Add("kind", "must be one of MESSAGE_KIND_COMMENT, MESSAGE_KIND_PRIVATE_MESSAGE, MESSAGE_KIND_PAGE_POST");
        }

        if (m.Attachments.Count > MaxAttachments)
        {
            v.Add("attachments", $"at most {MaxAttachments} attachments");
        }

        if (m.Latitude is { } lat && (lat < -90 || lat > 90 || double.IsNaN(lat)))
        {
            v.Add("geo.latitude", "must be between -90 and 90");
        }

        if (m.Longitude is { } lon && (lon < -180 || lon > 180 || double.IsNaN(lon)))
        {
            v.Add("geo.longitude", "must be between -180 and 180");
        }

        if (m.CreatedAt is { } created && created > now.AddDays(1))
        {
            v.Add("created_at", "must not be more than a day in the future");
        }

        v.ThrowIfInvalid();
        var messageKind = m.Kind ?? MessageKind.Comment;
        var page = m.PageExternalId.Trim();
        var external = m.ExternalId.Trim();
        return new CitizenMessage
        {
            MessageId = MessageIdentity.Derive(m.Platform, page, messageKind, external),
            Platform = m.Platform,
            PageExternalId = page,
            Kind = messageKind,
            ExternalId = external,
            ThreadId = m.ThreadId.Trim(),
            AuthorId = m.AuthorId.Trim(),
            AuthorName = m.AuthorName.Trim(),
            Text = m.Text.Trim(),
            Attachments = m.Attachments,
            Latitude = m.Latitude,
            Longitude = m.Longitude,
            CreatedAt = m.CreatedAt ?? now,
            ReceivedAt = now,
            FromPage = m.FromPage,
            ReplyToExternalId = m.ReplyToExternalId.Trim(),
        };
    }
}
