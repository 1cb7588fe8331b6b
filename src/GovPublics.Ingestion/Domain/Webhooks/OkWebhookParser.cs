using System.Globalization;
using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using static GovPublics.Ingestion.Domain.Webhooks.WebhookJson;

namespace GovPublics.Ingestion.Domain.Webhooks;

/// <summary>
/// Reads an OK (Odnoklassniki) Bot API webhook body into a <see cref="WebhookEvent"/>. OK posts
/// <c>{webhookType, sender: {user_id, name}, recipient: {chat_id}, message: {text, mid, seq, attachments?}, timestamp}</c>
/// (timestamp in milliseconds) and names no group, so the group the webhook URL belongs to is passed in.
/// <list type="bullet">
/// <item><c>MESSAGE_CREATED</c>: New PrivateMessage; thread = recipient.chat_id, id = message.mid, which is also the
/// event id (the body carries no delivery id, and a re-sent delivery repeats the mid).</item>
/// <item>No <c>webhookType</c> but a <c>message</c>: taken as <c>MESSAGE_CREATED</c>, the shape of the examples in OK's
/// graph.user.subscribe documentation.</item>
/// <item>Any other type (<c>MESSAGE_CALLBACK</c>, <c>CHAT_SYSTEM</c>, …): Ignored.</item>
/// </list>
/// Malformed JSON, wrong types and missing required fields throw <see cref="WebhookFormatException"/> naming the field;
/// no other exception leaves <see cref="Parse"/> for any body.
/// </summary>
public static class OkWebhookParser
{
    public const string MessageCreated = "MESSAGE_CREATED";

    private const long MaxUnixMilliseconds = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

    /// <summary>Parses a webhook body delivered to the URL of group <paramref name="groupId"/>.</summary>
    /// <exception cref="ArgumentException">groupId is empty: a wiring error of the caller, not a bad body.</exception>
    public static WebhookEvent Parse(ReadOnlySpan<byte> body, string groupId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var page = groupId.Trim();
        using var document = ParseDocument(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail("body", $"must be a JSON object (an OK webhook), got {Describe(root.ValueKind)}");
        }

        var webhookType = OptionalString(root, "", "webhookType");
        if (webhookType is null)
        {
            webhookType = Find(root, "message") is not null
                ? MessageCreated
                : throw Fail("webhookType", "is required (MESSAGE_CREATED, MESSAGE_CALLBACK, CHAT_SYSTEM, …)");
        }

        if (webhookType != MessageCreated)
        {
            return WebhookEvent.Ignored(Platform.Ok, page, webhookType, TryEventId(root));
        }

        var sender = RequireObject(root, "", "sender");
        var authorId = RequireString(sender, "sender", "user_id");
        var authorName = OptionalString(sender, "sender", "name") ?? "";
        var recipient = RequireObject(root, "", "recipient");
        var chatId = RequireString(recipient, "recipient", "chat_id");
        var message = RequireObject(root, "", "message");
        var mid = RequireString(message, "message", "mid");
        var text = OptionalString(message, "message", "text") ?? "";
        var createdAt = RequireUnixMilliseconds(root, "", "timestamp");
        var (attachments, latitude, longitude) = ReadAttachments(message);

        // OK sends no webhook for the token owner's own messages; a group sender is the page should one arrive anyway.
        var fromPage = authorId.StartsWith("group:", StringComparison.Ordinal);
        var incoming = new IncomingMessage(
            Platform.Ok,
            page,
            MessageKind.PrivateMessage,
            mid,
            chatId,
            authorId,
            authorName,
            text,
            attachments,
            latitude,
            longitude,
            createdAt,
            fromPage,
            "");
        return new WebhookEvent(WebhookEventKind.New, Platform.Ok, page, webhookType, mid, incoming);
    }

    /// <summary>
    /// Attachments as OK lists them (IMAGE, VIDEO, AUDIO, SHARE, FILE, STICKER, LOCATION, …): the type lower-cased and
    /// payload.url, else <c>ok-attachment:{payload.id or payload.token}</c>. A location's coordinates (on the attachment
    /// or its payload) become the message's geo.
    /// </summary>
    private static (IReadOnlyList<MessageAttachment> Attachments, double? Latitude, double? Longitude) ReadAttachments(
        JsonElement message)
    {
        var attachments = new List<MessageAttachment>();
        double? latitude = null;
        double? longitude = null;
        if (OptionalArray(message, "message", "attachments") is not { } items)
        {
            return (attachments, latitude, longitude);
        }

        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var path = $"message.attachments[{index.ToString(CultureInfo.InvariantCulture)}]";
            index++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Fail(path, $"must be an object, got {Describe(item.ValueKind)}");
            }

            var type = RequireString(item, path, "type").ToLowerInvariant();
            var payload = OptionalObject(item, path, "payload");
            var payloadPath = Join(path, "payload");
            var url = payload is { } p
                ? OptionalString(p, payloadPath, "url") ?? Reference(p, payloadPath)
                : null;
            if (type == "location")
            {
                var (holder, holderPath) = payload is { } withCoordinates && Find(withCoordinates, "latitude") is not null
                    ? (withCoordinates, payloadPath)
                    : (item, path);
                if (Find(holder, "latitude") is not null || Find(holder, "longitude") is not null)
                {
                    latitude = RequireDouble(holder, holderPath, "latitude");
                    longitude = RequireDouble(holder, holderPath, "longitude");
                    url ??= string.Create(CultureInfo.InvariantCulture, $"geo:{latitude.Value:R},{longitude.Value:R}");
                }
            }

            attachments.Add(new MessageAttachment(type, url ?? ""));
        }

        return (attachments, latitude, longitude);
    }

    private static string? Reference(JsonElement payload, string path)
    {
        foreach (var name in (ReadOnlySpan<string>)["id", "token"])
        {
            if (Find(payload, name) is not { } value)
            {
                continue;
            }

            var reference = value.ValueKind == JsonValueKind.Number
                ? value.GetRawText()
                : OptionalString(payload, path, name);
            return "ok-attachment:" + reference;
        }

        return null;
    }

    /// <summary>Best effort for an ignored event, never throws: message.mid, else callbackId, else empty.</summary>
    private static string TryEventId(JsonElement root)
    {
        if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
            && message.TryGetProperty("mid", out var mid) && mid.ValueKind == JsonValueKind.String && TryText(mid) is { } m)
        {
            return m;
        }

        return root.TryGetProperty("callbackId", out var callback) && callback.ValueKind == JsonValueKind.String
            ? TryText(callback) ?? ""
            : "";
    }

    private static string? TryText(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static DateTimeOffset RequireUnixMilliseconds(JsonElement parent, string path, string name)
    {
        if (Find(parent, name) is not { } value)
        {
            throw Fail(Join(path, name), "is required");
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Fail(Join(path, name), $"must be an integer (Unix time in milliseconds), got {Describe(value.ValueKind)}");
        }

        return value.TryGetInt64(out var ms) && ms is >= 0 and <= MaxUnixMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : throw Fail(Join(path, name), "must be an integer Unix time in milliseconds between 1970 and 9999");
    }
}
