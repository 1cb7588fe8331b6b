using System.Globalization;
using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using static GovPublics.Ingestion.Domain.Webhooks.WebhookJson;

namespace GovPublics.Ingestion.Domain.Webhooks;

/// <summary>
/// Reads a Telegram Bot API webhook body (an <c>Update</c>) into a <see cref="WebhookEvent"/>.
/// <list type="bullet">
/// <item><c>message</c> / <c>edited_message</c>: New / Edit. A private chat is a PrivateMessage (thread = chat id); a
/// group or supergroup message is a Comment (thread = <c>"{chat.id}:{message_thread_id or reply_to_message.message_id}"</c>,
/// or the chat id for a message that starts no thread). In a channel's discussion group the channel post mirrored by
/// Telegram (<c>is_automatic_forward</c>) is recorded as the thread root: a PagePost from the page whose own thread id
/// (<c>"{chat.id}:{message_id}"</c>) is the one its comments carry.</item>
/// <item><c>channel_post</c> / <c>edited_channel_post</c>: New / Edit of a PagePost from the page (the channel's own post).</item>
/// <item>Every other update type, service messages without text or media, and chats of unknown types: Ignored.</item>
/// </list>
/// Malformed JSON, wrong types and missing required fields throw <see cref="WebhookFormatException"/> naming the field;
/// no other exception leaves <see cref="Parse(ReadOnlySpan{byte})"/>.
/// </summary>
public static class TelegramUpdateParser
{
    private const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z, the last second DateTimeOffset holds

    private static readonly string[] _messageUpdateTypes = ["message", "edited_message", "channel_post", "edited_channel_post"];

    // Media whose single object carries a file_id; photo (an array of sizes) and location are read apart.
    private static readonly string[] _fileAttachmentTypes = ["video", "document", "voice", "sticker", "audio", "video_note"];

    /// <summary>Parses an Update. Official answers are recognized when sent on behalf of the chat itself or of the
    /// channel whose mirrored post the message replies to.</summary>
    public static WebhookEvent Parse(ReadOnlySpan<byte> body) => Parse(body, linkedChannelId: null);

    /// <summary>
    /// Parses an Update. <paramref name="linkedChannelId"/> is the id of the channel linked to the discussion group the
    /// webhook serves, when the caller knows it: a message sent on behalf of that channel is then the official page
    /// answering even when it replies to a comment rather than to the mirrored post.
    /// </summary>
    public static WebhookEvent Parse(ReadOnlySpan<byte> body, string? linkedChannelId)
    {
        using var document = ParseDocument(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail("body", $"must be a JSON object (a Telegram Update), got {Describe(root.ValueKind)}");
        }

        var eventId = RequireInt64(root, "", "update_id").ToString(CultureInfo.InvariantCulture);
        foreach (var updateType in _messageUpdateTypes)
        {
            if (OptionalObject(root, "", updateType) is { } message)
            {
                return ParseMessage(updateType, message, eventId, linkedChannelId);
            }
        }

        return IgnoredUpdate(root, eventId);
    }

    private static WebhookEvent ParseMessage(string updateType, JsonElement message, string eventId, string? linkedChannelId)
    {
        var path = updateType;
        var isEdit = updateType.StartsWith("edited_", StringComparison.Ordinal);
        var messageId = RequireInt64(message, path, "message_id").ToString(CultureInfo.InvariantCulture);
        var chat = RequireObject(message, path, "chat");
        var chatPath = Join(path, "chat");
        var chatId = RequireInt64(chat, chatPath, "id");
        var chatIdText = chatId.ToString(CultureInfo.InvariantCulture);
        var chatType = RequireString(chat, chatPath, "type");
        var date = RequireUnixSeconds(message, path, "date");
        var editDate = OptionalUnixSeconds(message, path, "edit_date");
        var isChannelPost = updateType is "channel_post" or "edited_channel_post" || chatType == "channel";
        var isGroup = chatType is "group" or "supergroup";
        if (!isChannelPost && !isGroup && chatType != "private")
        {
            // A chat type this parser does not know yet (Telegram adds them): acknowledge, do not guess.
            return WebhookEvent.Ignored(Platform.Telegram, chatIdText, updateType, eventId);
        }

        var text = OptionalString(message, path, "text") ?? OptionalString(message, path, "caption") ?? "";
        var (attachments, latitude, longitude) = ReadContent(message, path);
        if (string.IsNullOrWhiteSpace(text) && attachments.Count == 0)
        {
            // Service messages (members joined, pinned, topic created, …) and content we do not take (polls, dice).
            return WebhookEvent.Ignored(Platform.Telegram, chatIdText, updateType, eventId);
        }

        var (authorId, authorName) = ReadAuthor(message, path, chat, chatPath, isChannelPost);
        var replyTo = OptionalObject(message, path, "reply_to_message");
        var replyToPath = Join(path, "reply_to_message");
        var replyToId = replyTo is { } reply ? RequireInt64(reply, replyToPath, "message_id") : (long?)null;
        var replyToText = replyToId?.ToString(CultureInfo.InvariantCulture) ?? "";

        MessageKind kind;
        string threadId;
        bool fromPage;
        if (isChannelPost)
        {
            kind = MessageKind.PagePost;
            threadId = $"{chatIdText}:{messageId}";
            fromPage = true;
        }
        else if (!isGroup)
        {
            kind = MessageKind.PrivateMessage;
            threadId = chatIdText;
            fromPage = false;
        }
        else if (OptionalBool(message, path, "is_automatic_forward") == true)
        {
            // The channel post mirrored into its discussion group: the root of the comment thread.
            kind = MessageKind.PagePost;
            threadId = $"{chatIdText}:{messageId}";
            fromPage = true;
        }
        else
        {
            kind = MessageKind.Comment;
            var root = OptionalInt64(message, path, "message_thread_id") ?? replyToId;
            threadId = root is { } r ? $"{chatIdText}:{r.ToString(CultureInfo.InvariantCulture)}" : chatIdText;
            fromPage = IsSentByPage(message, path, chatIdText, linkedChannelId, replyTo, replyToPath);
        }

        var incoming = new IncomingMessage(
            Platform.Telegram,
            chatIdText,
            kind,
            messageId,
            threadId,
            authorId,
            authorName,
            text,
            attachments,
            latitude,
            longitude,
            isEdit ? editDate ?? date : date,
            fromPage,
            replyToText);
        return new WebhookEvent(
            isEdit ? WebhookEventKind.Edit : WebhookEventKind.New, Platform.Telegram, chatIdText, updateType, eventId, incoming);
    }

    /// <summary>
    /// A group message is the page's when sent on behalf of the chat itself (an anonymous admin), of the linked channel
    /// the caller named, or of the channel whose mirrored post it replies to.
    /// </summary>
    private static bool IsSentByPage(
        JsonElement message, string path, string chatId, string? linkedChannelId, JsonElement? replyTo, string replyToPath)
    {
        if (OptionalObject(message, path, "sender_chat") is not { } senderChat)
        {
            return false;
        }

        var senderId = RequireInt64(senderChat, Join(path, "sender_chat"), "id").ToString(CultureInfo.InvariantCulture);
        if (senderId == chatId || (!string.IsNullOrWhiteSpace(linkedChannelId) && senderId == linkedChannelId.Trim()))
        {
            return true;
        }

        return replyTo is { } reply && OptionalBool(reply, replyToPath, "is_automatic_forward") == true
            && MirroredChannelId(reply, replyToPath) == senderId;
    }

    /// <summary>The channel a mirrored post came from: its sender_chat, else its forward origin.</summary>
    private static string? MirroredChannelId(JsonElement mirrored, string path)
    {
        if (OptionalObject(mirrored, path, "sender_chat") is { } senderChat)
        {
            return RequireInt64(senderChat, Join(path, "sender_chat"), "id").ToString(CultureInfo.InvariantCulture);
        }

        if (OptionalObject(mirrored, path, "forward_origin") is { } origin
            && OptionalObject(origin, Join(path, "forward_origin"), "chat") is { } originChat)
        {
            return RequireInt64(originChat, Join(path, "forward_origin.chat"), "id").ToString(CultureInfo.InvariantCulture);
        }

        if (OptionalObject(mirrored, path, "forward_from_chat") is { } fromChat)
        {
            return RequireInt64(fromChat, Join(path, "forward_from_chat"), "id").ToString(CultureInfo.InvariantCulture);
        }

        return null;
    }

    private static (string Id, string Name) ReadAuthor(
        JsonElement message, string path, JsonElement chat, string chatPath, bool isChannelPost)
    {
        if (OptionalObject(message, path, "sender_chat") is { } senderChat)
        {
            var senderPath = Join(path, "sender_chat");
            var id = RequireInt64(senderChat, senderPath, "id").ToString(CultureInfo.InvariantCulture);
            var name = OptionalString(senderChat, senderPath, "title") ?? OptionalString(senderChat, senderPath, "username") ?? "";
            return (id, name);
        }

        if (OptionalObject(message, path, "from") is { } from)
        {
            var fromPath = Join(path, "from");
            var id = RequireInt64(from, fromPath, "id").ToString(CultureInfo.InvariantCulture);
            var first = OptionalString(from, fromPath, "first_name") ?? "";
            var last = OptionalString(from, fromPath, "last_name") ?? "";
            var name = $"{first} {last}".Trim();
            return (id, name.Length > 0 ? name : OptionalString(from, fromPath, "username") ?? "");
        }

        if (isChannelPost)
        {
            var id = RequireInt64(chat, chatPath, "id").ToString(CultureInfo.InvariantCulture);
            return (id, OptionalString(chat, chatPath, "title") ?? "");
        }

        return ("", "");
    }

    private static (IReadOnlyList<MessageAttachment> Attachments, double? Latitude, double? Longitude) ReadContent(
        JsonElement message, string path)
    {
        var attachments = new List<MessageAttachment>();
        if (OptionalArray(message, path, "photo") is { } photo && LargestPhoto(photo, Join(path, "photo")) is { } fileId)
        {
            attachments.Add(new MessageAttachment("photo", "tg-file:" + fileId));
        }

        foreach (var type in _fileAttachmentTypes)
        {
            if (OptionalObject(message, path, type) is { } media)
            {
                attachments.Add(new MessageAttachment(type, "tg-file:" + RequireString(media, Join(path, type), "file_id")));
            }
        }

        double? latitude = null;
        double? longitude = null;
        if (OptionalObject(message, path, "location") is { } location)
        {
            var locationPath = Join(path, "location");
            latitude = RequireDouble(location, locationPath, "latitude");
            longitude = RequireDouble(location, locationPath, "longitude");
            var geo = string.Create(CultureInfo.InvariantCulture, $"geo:{latitude.Value:R},{longitude.Value:R}");
            attachments.Add(new MessageAttachment("location", geo));
        }

        return (attachments, latitude, longitude);
    }

    /// <summary>The file id of the largest size of a photo (by area, then by file size; Telegram lists them ascending).</summary>
    private static string? LargestPhoto(JsonElement sizes, string path)
    {
        string? best = null;
        var bestArea = long.MinValue;
        var bestBytes = long.MinValue;
        var index = 0;
        foreach (var size in sizes.EnumerateArray())
        {
            var sizePath = $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]";
            index++;
            if (size.ValueKind != JsonValueKind.Object)
            {
                throw Fail(sizePath, $"must be an object (a PhotoSize), got {Describe(size.ValueKind)}");
            }

            var fileId = RequireString(size, sizePath, "file_id");
            var width = OptionalInt64(size, sizePath, "width") ?? 0;
            var height = OptionalInt64(size, sizePath, "height") ?? 0;
            var area = width > 0 && height > 0 && width <= int.MaxValue && height <= int.MaxValue ? width * height : 0;
            var bytes = OptionalInt64(size, sizePath, "file_size") ?? 0;
            if (best is null || area > bestArea || (area == bestArea && bytes >= bestBytes))
            {
                (best, bestArea, bestBytes) = (fileId, area, bytes);
            }
        }

        return best;
    }

    /// <summary>An update type we do not take; the page is the chat it names, when it names one plainly.</summary>
    private static WebhookEvent IgnoredUpdate(JsonElement root, string eventId)
    {
        var eventType = "unknown";
        var page = "";
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("update_id"))
            {
                continue;
            }

            eventType = property.Name;
            page = TryChatId(property.Value) ?? "";
            break;
        }

        return WebhookEvent.Ignored(Platform.Telegram, page, eventType, eventId);
    }

    /// <summary>Best effort, never throws: value.chat.id or value.message.chat.id (callback queries).</summary>
    private static string? TryChatId(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (value.TryGetProperty("chat", out var chat) && chat.ValueKind == JsonValueKind.Object
            && chat.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var chatId))
        {
            return chatId.ToString(CultureInfo.InvariantCulture);
        }

        return value.TryGetProperty("message", out var message) ? TryChatId(message) : null;
    }

    private static long RequireInt64(JsonElement parent, string path, string name) =>
        OptionalInt64(parent, path, name) ?? throw Fail(Join(path, name), "is required");

    private static long? OptionalInt64(JsonElement parent, string path, string name)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Fail(Join(path, name), $"must be an integer, got {Describe(value.ValueKind)}");
        }

        return value.TryGetInt64(out var number)
            ? number
            : throw Fail(Join(path, name), "must be an integer within 64 bits");
    }

    private static bool? OptionalBool(JsonElement parent, string path, string name)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail(Join(path, name), $"must be a boolean, got {Describe(value.ValueKind)}"),
        };
    }

    private static DateTimeOffset RequireUnixSeconds(JsonElement parent, string path, string name) =>
        OptionalUnixSeconds(parent, path, name) ?? throw Fail(Join(path, name), "is required");

    private static DateTimeOffset? OptionalUnixSeconds(JsonElement parent, string path, string name)
    {
        if (OptionalInt64(parent, path, name) is not { } seconds)
        {
            return null;
        }

        return seconds is >= 0 and <= MaxUnixSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw Fail(Join(path, name), "must be a Unix time in seconds between 1970 and 9999");
    }
}
