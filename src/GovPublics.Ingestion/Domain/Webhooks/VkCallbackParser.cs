using System.Globalization;
using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.Ingestion.Domain.Webhooks;

/// <summary>
/// One VK Callback API delivery: the envelope fields as sent (<c>type</c>, <c>group_id</c>, <c>event_id</c>,
/// <c>secret</c>, <c>v</c>) and the event normalized from its <c>object</c>. <see cref="EventId"/>,
/// <see cref="ApiVersion"/> are empty and <see cref="Secret"/> is null when VK (or an old SDK) left them out.
/// </summary>
public sealed record VkCallback(
    string Type,
    long GroupId,
    string EventId,
    string? Secret,
    string ApiVersion,
    WebhookEvent Event);

/// <summary>
/// Reads a VK Callback API body into a <see cref="VkCallback"/>. Any body it cannot accept, whatever its bytes,
/// ends in a <see cref="WebhookFormatException"/> whose message names the field, e.g.
/// <c>object.message.peer_id: expected a number, got string</c>; event types we do not use are
/// <see cref="WebhookEventKind.Ignored"/>, never an error.
/// </summary>
/// <remarks>
/// Ids are qualified so they stay unique per page and message kind: <c>msg:&lt;id&gt;</c> (a chat message that has
/// only a <c>conversation_message_id</c>, which is unique only within its conversation:
/// <c>msg:&lt;peer_id&gt;_&lt;cmid&gt;</c>), <c>post:&lt;id&gt;</c>, and <c>wall:</c>, <c>photo:</c>, <c>video:</c>,
/// <c>board:</c>, <c>market:</c> for comments. An object that is not on the community's own wall, album or board
/// (a repost on a user's wall) carries its owner too: <c>post:&lt;owner_id&gt;_&lt;id&gt;</c>.
/// </remarks>
public static class VkCallbackParser
{
    private const int MaxDepth = 64;
    private const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z
    private const int MaxRawInError = 40;

    private static readonly string[] _legacyPhotoSizes =
        ["photo_2560", "photo_1280", "photo_807", "photo_604", "photo_130", "photo_75"];

    private static readonly CommentSource _wall = new("wall", ["owner_id", "post_owner_id"], "post_id", true);
    private static readonly CommentSource _photo = new("photo", ["photo_owner_id", "owner_id"], "photo_id", true);
    private static readonly CommentSource _video = new("video", ["video_owner_id", "owner_id"], "video_id", true);
    private static readonly CommentSource _board = new("board", ["topic_owner_id", "owner_id"], "topic_id", false);
    private static readonly CommentSource _market = new("market", ["market_owner_id", "owner_id"], "item_id", true);

    /// <summary>Parses one Callback API request body (UTF-8 JSON; a leading BOM is tolerated).</summary>
    /// <exception cref="WebhookFormatException">The body is not a Callback API call we can read.</exception>
    public static VkCallback Parse(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw Fail("body: empty");
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                throw Fail("body: not valid JSON: more than one JSON value");
            }
        }
        catch (JsonException e)
        {
            throw Fail($"body: not valid JSON: {e.Message}");
        }

        using (document)
        {
            try
            {
                return ParseRoot(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                // The reader checks the structure, not that every string is valid text: a lone surrogate escape
                // ("\ud800") or bad UTF-8 shows only when a string or property name is decoded. String values go
                // through ReadString, which names the field; this is the net for property names.
                throw Fail("body: text is not valid Unicode");
            }
        }
    }

    private static VkCallback ParseRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail($"body: expected a JSON object, got {Describe(root.ValueKind)}");
        }

        var type = RequiredString(root, "type", "type");
        if (type.Length == 0)
        {
            throw Fail("type: must not be empty");
        }

        var groupId = RequiredLong(root, "group_id", "group_id");
        if (groupId <= 0)
        {
            throw Fail("group_id: must be a positive community id");
        }

        var eventId = OptionalString(root, "event_id", "event_id") ?? "";
        var secret = OptionalString(root, "secret", "secret");
        var apiVersion = OptionalString(root, "v", "v") ?? "";
        var context = new Context(type, groupId, "-" + Inv(groupId), eventId);
        var webhookEvent = ParseEvent(root, context);
        return new VkCallback(type, groupId, eventId, secret, apiVersion, webhookEvent);
    }

    private static WebhookEvent ParseEvent(JsonElement root, Context c)
    {
        switch (c.Type)
        {
            case "confirmation":
                return new WebhookEvent(WebhookEventKind.Confirmation, Platform.Vk, c.Page, c.Type, c.EventId, null);
            case "message_new":
            case "message_reply":
                return PrivateMessage(RequiredObject(root, "object", "object"), c, WebhookEventKind.New);
            case "message_edit":
                return PrivateMessage(RequiredObject(root, "object", "object"), c, WebhookEventKind.Edit);
            case "wall_post_new":
            case "wall_repost":
                return PagePost(RequiredObject(root, "object", "object"), c);
        }

        var (source, kind) = CommentEvent(c.Type);
        if (source is null)
        {
            return WebhookEvent.Ignored(Platform.Vk, c.Page, c.Type, c.EventId);
        }

        var obj = RequiredObject(root, "object", "object");
        return kind == WebhookEventKind.Delete ? CommentDeletion(obj, c, source) : Comment(obj, c, source, kind);
    }

    private static (CommentSource? Source, WebhookEventKind Kind) CommentEvent(string type)
    {
        CommentSource? source = null;
        var action = "";
        foreach (var (prefix, candidate) in new[]
                 {
                     ("wall_reply_", _wall), ("photo_comment_", _photo), ("video_comment_", _video),
                     ("board_post_", _board), ("market_comment_", _market),
                 })
        {
            if (type.StartsWith(prefix, StringComparison.Ordinal))
            {
                source = candidate;
                action = type[prefix.Length..];
                break;
            }
        }

        WebhookEventKind? kind = action switch
        {
            "new" => WebhookEventKind.New,
            "edit" => WebhookEventKind.Edit,
            "restore" => WebhookEventKind.Restore,
            "delete" => WebhookEventKind.Delete,
            _ => null,
        };
        return kind is { } k && source is not null ? (source, k) : (null, WebhookEventKind.Ignored);
    }

    // message_new (object = {message, client_info} since API 5.103, the message itself before), message_reply
    // (a message the community sent) and message_edit (the edited message itself).
    private static WebhookEvent PrivateMessage(JsonElement obj, Context c, WebhookEventKind kind)
    {
        var message = obj;
        var path = "object";
        if (Optional(obj, "message") is { } wrapped)
        {
            path = "object.message";
            message = wrapped.ValueKind == JsonValueKind.Object
                ? wrapped
                : throw Fail($"{path}: expected an object, got {Describe(wrapped.ValueKind)}");
        }

        var id = OptionalLong(message, "id", $"{path}.id");
        var conversationMessageId = OptionalLong(message, "conversation_message_id", $"{path}.conversation_message_id");
        // Messages of API versions before 5.80 name the sender user_id and the text body.
        var fromId = OptionalLong(message, "from_id", $"{path}.from_id")
            ?? OptionalLong(message, "user_id", $"{path}.user_id")
            ?? throw Fail($"{path}.from_id: missing");
        var peerId = OptionalLong(message, "peer_id", $"{path}.peer_id") ?? fromId;
        var text = OptionalString(message, "text", $"{path}.text")
            ?? OptionalString(message, "body", $"{path}.body")
            ?? "";
        var outgoing = OptionalFlag(message, "out", $"{path}.out");
        if (text.Length == 0 && TryObject(message, "action") is not null)
        {
            // A chat's service message (someone joined, left, renamed the chat, pinned a message): nothing a
            // citizen wrote. Acknowledged and counted like an event type we do not use, or VK would re-send it.
            return WebhookEvent.Ignored(Platform.Vk, c.Page, c.Type, c.EventId);
        }

        if (text.Length == 0 && QuotedText(message, "fwd_messages") is { } forwarded)
        {
            // Only forwarded messages: what they say is what the citizen brings to the page.
            text = Quoted("[forwarded]", forwarded);
        }

        var externalId = MessageExternalId(id, conversationMessageId, peerId, path);
        var replyTo = "";
        if (OptionalObject(message, "reply_message", $"{path}.reply_message") is { } reply)
        {
            var replyPath = $"{path}.reply_message";
            var replyId = OptionalLong(reply, "id", $"{replyPath}.id");
            var replyCmid = OptionalLong(reply, "conversation_message_id", $"{replyPath}.conversation_message_id");
            replyTo = replyId is > 0 ? "msg:" + Inv(replyId.Value)
                : replyCmid is > 0 ? string.Create(CultureInfo.InvariantCulture, $"msg:{peerId}_{replyCmid}")
                : "";
        }

        var (latitude, longitude) = Geo(message, path);
        var fromPage = c.Type == "message_reply" || outgoing || fromId == -c.GroupId;
        var incoming = new IncomingMessage(
            Platform.Vk, c.Page, MessageKind.PrivateMessage, externalId, Inv(peerId), Inv(fromId), "", text,
            Attachments(message, path), latitude, longitude, Date(message, path), fromPage, replyTo);
        return new WebhookEvent(kind, Platform.Vk, c.Page, c.Type, c.EventId, incoming);
    }

    private static string MessageExternalId(long? id, long? conversationMessageId, long peerId, string path)
    {
        if (id is > 0)
        {
            return "msg:" + Inv(id.Value);
        }

        if (id is < 0)
        {
            throw Fail($"{path}.id: must not be negative");
        }

        // id is 0 (chats since API 5.80) or absent: the message is known by its number in the conversation.
        return conversationMessageId switch
        {
            > 0 => string.Create(CultureInfo.InvariantCulture, $"msg:{peerId}_{conversationMessageId}"),
            null when id is null => throw Fail($"{path}.id: missing"),
            null => throw Fail($"{path}.conversation_message_id: missing (id is 0)"),
            _ => throw Fail($"{path}.conversation_message_id: must be positive when id is 0"),
        };
    }

    // wall_post_new and wall_repost: a wall_wallpost object.
    private static WebhookEvent PagePost(JsonElement post, Context c)
    {
        const string ObjectPath = "object";
        var id = RequiredLong(post, "id", "object.id");
        var ownerId = OptionalLong(post, "owner_id", "object.owner_id") ?? -c.GroupId;
        var fromId = RequiredLong(post, "from_id", "object.from_id");
        var text = OptionalString(post, "text", "object.text") ?? "";
        if (text.Length == 0 && QuotedText(post, "copy_history") is { } reposted)
        {
            // A repost without a word of its own (pages repost each other's news all the time): the reposted text.
            text = Quoted("[repost]", reposted);
        }

        var (latitude, longitude) = Geo(post, ObjectPath);
        // A community (the page itself; only it may post as a community on its wall) wrote it. A user's post on
        // their own wall, as a wall_repost is, has owner_id == from_id but is no post of the page.
        var fromPage = fromId < 0;
        var incoming = new IncomingMessage(
            Platform.Vk, c.Page, MessageKind.PagePost, Qualify("post", ownerId, id, c),
            string.Create(CultureInfo.InvariantCulture, $"wall{ownerId}_{id}"), Inv(fromId), "", text,
            Attachments(post, ObjectPath), latitude, longitude, Date(post, ObjectPath), fromPage, "");
        return new WebhookEvent(WebhookEventKind.New, Platform.Vk, c.Page, c.Type, c.EventId, incoming);
    }

    // *_new, *_edit, *_restore of wall, photo, video, board and market comments: the full comment.
    private static WebhookEvent Comment(JsonElement comment, Context c, CommentSource source, WebhookEventKind kind)
    {
        const string ObjectPath = "object";
        var id = RequiredLong(comment, "id", "object.id");
        var fromId = RequiredLong(comment, "from_id", "object.from_id");
        var ownerId = Owner(comment, source, c);
        var parentId = RequiredLong(comment, source.ParentField, "object." + source.ParentField);
        var text = OptionalString(comment, "text", "object.text") ?? "";
        var replyTo = "";
        if (source.HasReplies && OptionalLong(comment, "reply_to_comment", "object.reply_to_comment") is > 0 and var r)
        {
            replyTo = Qualify(source.Prefix, ownerId, r, c);
        }

        var incoming = new IncomingMessage(
            Platform.Vk, c.Page, MessageKind.Comment, Qualify(source.Prefix, ownerId, id, c),
            Thread(source, ownerId, parentId), Inv(fromId), "", text, Attachments(comment, ObjectPath), null, null,
            Date(comment, ObjectPath), fromId < 0, replyTo);
        return new WebhookEvent(kind, Platform.Vk, c.Page, c.Type, c.EventId, incoming);
    }

    // *_delete: only {owner_id, id, parent id, deleter_id, user_id?}; no text.
    private static WebhookEvent CommentDeletion(JsonElement deletion, Context c, CommentSource source)
    {
        var id = RequiredLong(deletion, "id", "object.id");
        var ownerId = Owner(deletion, source, c);
        var parentId = RequiredLong(deletion, source.ParentField, "object." + source.ParentField);
        var authorId = OptionalLong(deletion, "user_id", "object.user_id") is { } userId ? Inv(userId) : "";
        var incoming = new IncomingMessage(
            Platform.Vk, c.Page, MessageKind.Comment, Qualify(source.Prefix, ownerId, id, c),
            Thread(source, ownerId, parentId), authorId, "", "", [], null, null, null, false, "");
        return new WebhookEvent(WebhookEventKind.Delete, Platform.Vk, c.Page, c.Type, c.EventId, incoming);
    }

    private static long Owner(JsonElement obj, CommentSource source, Context c)
    {
        foreach (var field in source.OwnerFields)
        {
            if (OptionalLong(obj, field, "object." + field) is { } owner)
            {
                return owner;
            }
        }

        // Callback events are about the community's own objects: its wall, albums, videos, board and market.
        return -c.GroupId;
    }

    private static string Thread(CommentSource source, long ownerId, long parentId) =>
        string.Create(CultureInfo.InvariantCulture, $"{source.Prefix}{ownerId}_{parentId}");

    private static string Qualify(string prefix, long ownerId, long id, Context c) => ownerId == -c.GroupId
        ? prefix + ":" + Inv(id)
        : string.Create(CultureInfo.InvariantCulture, $"{prefix}:{ownerId}_{id}");

    private static DateTimeOffset? Date(JsonElement obj, string path)
    {
        var seconds = OptionalLong(obj, "date", $"{path}.date");
        if (seconds is not > 0)
        {
            return null; // absent, or 0 as some emulators send: unknown, the pipeline uses the receive time
        }

        return seconds.Value <= MaxUnixSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(seconds.Value)
            : throw Fail($"{path}.date: out of range");
    }

    // Messages: geo = {type, coordinates: {latitude, longitude}, place}; wall posts: coordinates = "<lat> <lon>".
    private static (double? Latitude, double? Longitude) Geo(JsonElement obj, string path)
    {
        if (OptionalObject(obj, "geo", $"{path}.geo") is not { } geo)
        {
            return (null, null);
        }

        var coordinatesPath = $"{path}.geo.coordinates";
        switch (Optional(geo, "coordinates"))
        {
            case null:
                return (null, null);
            case { ValueKind: JsonValueKind.Object } coordinates:
                return (RequiredDouble(coordinates, "latitude", $"{coordinatesPath}.latitude"),
                    RequiredDouble(coordinates, "longitude", $"{coordinatesPath}.longitude"));
            case { ValueKind: JsonValueKind.String } coordinates:
                var parts = ReadString(coordinates, coordinatesPath)
                    .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2
                    && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
                    && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
                    && double.IsFinite(latitude) && double.IsFinite(longitude))
                {
                    return (latitude, longitude);
                }

                throw Fail($"{coordinatesPath}: expected \"<latitude> <longitude>\"");
            case var other:
                throw Fail($"{coordinatesPath}: expected an object or a string, got {Describe(other.Value.ValueKind)}");
        }
    }

    /// <summary>
    /// The texts of a non-empty array of quoted items (<c>fwd_messages</c>, <c>copy_history</c>), one per line,
    /// read best effort (an item of an unexpected shape adds nothing); null when the array is absent or empty.
    /// </summary>
    private static string? QuotedText(JsonElement obj, string arrayName)
    {
        if (TryArray(obj, arrayName) is not { } items || items.GetArrayLength() == 0)
        {
            return null;
        }

        var texts = items.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.Object ? TryString(item, "text") ?? TryString(item, "body") : null)
            .Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => t!.Trim());
        return string.Join("\n", texts);
    }

    /// <summary>The marker, then the quoted text when there is any, cut to what a message may hold.</summary>
    private static string Quoted(string marker, string quoted)
    {
        var text = quoted.Length == 0 ? marker : marker + " " + quoted;
        return text.Length <= IngestValidation.MaxTextLength ? text : text[..IngestValidation.MaxTextLength];
    }

    private static IReadOnlyList<MessageAttachment> Attachments(JsonElement obj, string path)
    {
        var attachmentsPath = $"{path}.attachments";
        if (Optional(obj, "attachments") is not { } attachments)
        {
            return [];
        }

        if (attachments.ValueKind != JsonValueKind.Array)
        {
            throw Fail($"{attachmentsPath}: expected an array, got {Describe(attachments.ValueKind)}");
        }

        var result = new List<MessageAttachment>();
        var index = 0;
        foreach (var attachment in attachments.EnumerateArray())
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{attachmentsPath}[{index++}]");
            if (attachment.ValueKind != JsonValueKind.Object)
            {
                throw Fail($"{itemPath}: expected an object, got {Describe(attachment.ValueKind)}");
            }

            var type = RequiredString(attachment, "type", $"{itemPath}.type");
            var content = Optional(attachment, type) is { ValueKind: JsonValueKind.Object } o ? o : (JsonElement?)null;
            result.Add(new MessageAttachment(type, content is { } x ? AttachmentUrl(type, x) : ""));
        }

        return result;
    }

    // Best effort: what is inside an attachment varies by type and API version, so a field of an unexpected type
    // gives no URL rather than refusing the citizen's message.
    private static string AttachmentUrl(string type, JsonElement content) => type switch
    {
        "photo" => BestPhotoUrl(content),
        "video" => VkUrl("video", content),
        "doc" or "link" or "graffiti" => TryString(content, "url") ?? "",
        "audio" => TryString(content, "url") is { Length: > 0 } url ? url : VkUrl("audio", content),
        "audio_message" => TryString(content, "link_mp3") ?? TryString(content, "link_ogg") ?? "",
        "sticker" => LargestImageUrl(content, "images"),
        "wall" => VkUrl("wall", content, TryLong(content, "to_id") ?? TryLong(content, "from_id")),
        "market" => VkUrl("product", content),
        "poll" => VkUrl("poll", content),
        _ => "",
    };

    private static string VkUrl(string section, JsonElement content, long? fallbackOwner = null) =>
        (TryLong(content, "owner_id") ?? fallbackOwner, TryLong(content, "id")) is ({ } owner, { } id)
            ? string.Create(CultureInfo.InvariantCulture, $"https://vk.com/{section}{owner}_{id}")
            : "";

    private static string BestPhotoUrl(JsonElement photo)
    {
        var url = LargestImageUrl(photo, "sizes");
        if (TryObject(photo, "orig_photo") is { } original && TryString(original, "url") is { Length: > 0 } originalUrl
            && Area(original) >= BestArea(photo, "sizes"))
        {
            url = originalUrl;
        }

        if (url.Length > 0)
        {
            return url;
        }

        // Before API 5.77 a photo listed its copies as photo_75 ... photo_2560.
        foreach (var name in _legacyPhotoSizes)
        {
            if (TryString(photo, name) is { Length: > 0 } candidate)
            {
                return candidate;
            }
        }

        return url;
    }

    // The largest of [{url, width, height, type}]; copies without sizes are ranked by VK's size letters.
    private static string LargestImageUrl(JsonElement obj, string arrayName)
    {
        if (TryArray(obj, arrayName) is not { } images)
        {
            return "";
        }

        var url = "";
        var best = (Area: -1L, Rank: -1);
        foreach (var image in images.EnumerateArray())
        {
            if (image.ValueKind != JsonValueKind.Object || TryString(image, "url") is not { Length: > 0 } candidate)
            {
                continue;
            }

            var score = (Area(image), SizeRank(TryString(image, "type")));
            if (score.CompareTo(best) > 0)
            {
                best = score;
                url = candidate;
            }
        }

        return url;
    }

    private static long BestArea(JsonElement obj, string arrayName)
    {
        var best = 0L;
        if (TryArray(obj, arrayName) is { } images)
        {
            foreach (var image in images.EnumerateArray())
            {
                if (image.ValueKind == JsonValueKind.Object && TryString(image, "url") is { Length: > 0 })
                {
                    best = Math.Max(best, Area(image));
                }
            }
        }

        return best;
    }

    private static long Area(JsonElement image) =>
        (TryLong(image, "width"), TryLong(image, "height")) is ({ } w and > 0 and < int.MaxValue,
            { } h and > 0 and < int.MaxValue)
            ? w * h
            : 0;

    private static int SizeRank(string? type) => type is { Length: 1 } ? "smopqrxyzw".IndexOf(type[0]) : -1;

    // --- reading fields: required/optional ones throw on a wrong type, Try* ones (attachments) do not ---

    private static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static JsonElement RequiredObject(JsonElement obj, string name, string path) =>
        OptionalObject(obj, name, path) ?? throw Fail($"{path}: missing");

    private static JsonElement? OptionalObject(JsonElement obj, string name, string path) => Optional(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } value => value,
        var other => throw Fail($"{path}: expected an object, got {Describe(other.Value.ValueKind)}"),
    };

    private static string RequiredString(JsonElement obj, string name, string path) =>
        OptionalString(obj, name, path) ?? throw Fail($"{path}: missing");

    private static string? OptionalString(JsonElement obj, string name, string path) => Optional(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => ReadString(value, path),
        var other => throw Fail($"{path}: expected a string, got {Describe(other.Value.ValueKind)}"),
    };

    private static string ReadString(JsonElement value, string path)
    {
        try
        {
            return value.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw Fail($"{path}: not valid Unicode text");
        }
    }

    private static long RequiredLong(JsonElement obj, string name, string path) =>
        OptionalLong(obj, name, path) ?? throw Fail($"{path}: missing");

    private static long? OptionalLong(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Fail($"{path}: expected a number, got {Describe(value.ValueKind)}");
        }

        return value.TryGetInt64(out var result)
            ? result
            : throw Fail($"{path}: expected an integer, got {Raw(value)}");
    }

    private static double RequiredDouble(JsonElement obj, string name, string path)
    {
        var value = Optional(obj, name) ?? throw Fail($"{path}: missing");
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Fail($"{path}: expected a number, got {Describe(value.ValueKind)}");
        }

        return value.TryGetDouble(out var result) && double.IsFinite(result)
            ? result
            : throw Fail($"{path}: expected a finite number, got {Raw(value)}");
    }

    // VK sends flags as 0/1; some SDK re-serializations send true/false.
    private static bool OptionalFlag(JsonElement obj, string name, string path) => Optional(obj, name) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.Number } value => value.TryGetInt64(out var flag)
            ? flag != 0
            : throw Fail($"{path}: expected 0 or 1, got {Raw(value)}"),
        var other => throw Fail($"{path}: expected 0 or 1, got {Describe(other.Value.ValueKind)}"),
    };

    private static string? TryString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? TryString(value) : null;

    private static string? TryString(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static long? TryLong(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt64(out var result)
            ? result
            : null;

    private static JsonElement? TryObject(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static JsonElement? TryArray(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value : null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Raw(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= MaxRawInError ? raw : raw[..MaxRawInError] + "…";
    }

    private static string Inv(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static WebhookFormatException Fail(string reason) => new(reason);

    private sealed record Context(string Type, long GroupId, string Page, string EventId);

    /// <summary>Where a kind of comment lives: its id prefix (also the thread's), owner and parent fields.</summary>
    private sealed record CommentSource(string Prefix, string[] OwnerFields, string ParentField, bool HasReplies);
}
