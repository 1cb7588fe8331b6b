using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Ingestion.Domain;
using GovPublics.Ingestion.Domain.Webhooks;

namespace GovPublics.UnitTests.Ingestion;

public sealed class VkCallbackParserTests
{
    private static readonly DateTimeOffset _now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private const string Written = "Во дворе дома 12 по ул. Ленина открыт люк, фото и видео прилагаю";
    private const string CommunityAnswer =
        "Здравствуйте! Заявка передана в управление ЖКХ, срок ответа — 10 рабочих дней.";

    /// <summary>What each fixture in Fixtures/vk must parse to.</summary>
    private static readonly Dictionary<string, Expected> _expected = new()
    {
        ["vk_confirmation.vksdk.json"] = new(WebhookEventKind.Confirmation, "-123456"),
        ["vk_group_join.vkwave.json"] = new(WebhookEventKind.Ignored, "-123"),
        ["vk_group_join_request.vknet.json"] = new(WebhookEventKind.Ignored, "-1234"),
        ["vk_message_typing_state.vkwave.json"] = new(WebhookEventKind.Ignored, "-191949777"),
        ["vk_poll_vote_new.vkwave.json"] = new(WebhookEventKind.Ignored, "-191949777"),

        ["vk_message_new.vkwave.json"] = Message(WebhookEventKind.New, "-191949777", "msg:305", "578716413",
            "578716413", false, "bruh"),
        ["vk_message_new_5_103.vknet.json"] = Message(WebhookEventKind.New, "-123456789", "msg:985", "123456789",
            "123456789", false, "f"),
        ["vk_message_new_legacy.vknet-adapted.json"] = Message(WebhookEventKind.New, "-123456789", "msg:985",
            "123456789", "123456789", false, "f"),
        ["vk_message_new_carousel.vknet.json"] = Message(WebhookEventKind.New, "-123456789", "msg:985", "123456789",
            "123456789", false, "f"),
        ["vk_message_new_chat_poll.vkwave.json"] = Message(WebhookEventKind.New, "-191949777",
            "msg:2000000002_469", "2000000002", "578716413", false, ""),
        // A chat service message (chat_kick_user): nothing a citizen wrote.
        ["vk_message_new_legacy_chat.vksdk.json"] = new(WebhookEventKind.Ignored, "-123456"),
        ["vk_message_new_attachments_geo.written.json"] = Message(WebhookEventKind.New, "-191949777", "msg:4120",
            "578716413", "578716413", false, Written),
        ["vk_message_reply.vknet.json"] = Message(WebhookEventKind.New, "-1234", "msg:830", "123", "123", true, "test"),
        ["vk_message_edit.vknet.json"] = Message(WebhookEventKind.Edit, "-1234", "msg:791", "123", "123", true, "test1"),

        ["vk_wall_post_new.vkwave.json"] = Post("-191949777", "post:1", "wall-191949777_1", "-191949777", true,
            "hello its poll"),
        ["vk_wall_post_new_user.vknet.json"] = Post("-1234", "post:6", "wall-1234_6", "123", false, "test"),
        ["vk_wall_post_new_suggest_geo.written.json"] = Post("-191949777", "post:412", "wall-191949777_412",
            "578716413", false, "Предлагаю новость: на перекрёстке Мира и Гагарина не работает светофор"),
        ["vk_wall_repost.written.json"] = Post("-191949777", "post:410021337_88", "wall410021337_88", "410021337",
            false, "Поддерживаю, у нас то же самое"),

        ["vk_wall_reply_new.vknet.json"] = Comment(WebhookEventKind.New, "wall:9", "wall-1234_6", "123", "test"),
        ["vk_wall_reply_edit.vknet.json"] = Comment(WebhookEventKind.Edit, "wall:9", "wall-1234_6", "123", "test1"),
        ["vk_wall_reply_restore.vknet.json"] =
            Comment(WebhookEventKind.Restore, "wall:9", "wall-1234_6", "123", "test1"),
        ["vk_wall_reply_delete.vknet.json"] = Comment(WebhookEventKind.Delete, "wall:9", "wall-1234_6", "", ""),
        ["vk_wall_reply_new_community.adapted.json"] = Comment(WebhookEventKind.New, "wall:10", "wall-1234_6",
            "-1234", CommunityAnswer, fromPage: true, replyTo: "wall:9"),

        ["vk_photo_comment_new.vkwave.json"] = Comment(WebhookEventKind.New, "photo:1", "photo-191949777_457239017",
            "578716413", "а", page: "-191949777"),
        ["vk_photo_comment_delete.vkwave.json"] = Comment(WebhookEventKind.Delete, "photo:1",
            "photo-191949777_457239017", "578716413", "", page: "-191949777"),
        ["vk_photo_comment_edit.vknet.json"] =
            Comment(WebhookEventKind.Edit, "photo:4", "photo-1234_456239020", "123", "test1"),
        ["vk_photo_comment_restore.vknet.json"] =
            Comment(WebhookEventKind.Restore, "photo:4", "photo-1234_456239020", "123", "test1"),

        ["vk_video_comment_new.vknet.json"] = Comment(WebhookEventKind.New, "video:1", "video-1234_4444", "123", "test"),
        ["vk_video_comment_edit.vknet.json"] =
            Comment(WebhookEventKind.Edit, "video:1", "video-1234_4444", "123", "test1"),
        ["vk_video_comment_restore.vknet.json"] =
            Comment(WebhookEventKind.Restore, "video:1", "video-1234_4444", "123", "test1"),
        ["vk_video_comment_delete.vknet.json"] =
            Comment(WebhookEventKind.Delete, "video:4", "video-1234_123456", "", ""),

        ["vk_board_post_new.vknet.json"] =
            Comment(WebhookEventKind.New, "board:3", "board-1234_38446232", "123", "test"),
        ["vk_board_post_new_community.vknet.json"] =
            Comment(WebhookEventKind.New, "board:2", "board-1234_6", "-1234", "test", fromPage: true),
        ["vk_board_post_edit.vknet.json"] =
            Comment(WebhookEventKind.Edit, "board:2", "board-1234_38446232", "-1234", "test1", fromPage: true),
        ["vk_board_post_restore.vknet.json"] =
            Comment(WebhookEventKind.Restore, "board:3", "board-1234_38446232", "123", "test"),
        ["vk_board_post_delete.vknet.json"] = Comment(WebhookEventKind.Delete, "board:3", "board-1234_6", "", ""),

        ["vk_market_comment_new.vknet.json"] =
            Comment(WebhookEventKind.New, "market:1", "market-1234_1686058", "123", "test"),
        ["vk_market_comment_edit.vknet.json"] =
            Comment(WebhookEventKind.Edit, "market:1", "market-1234_1686058", "123", "test1"),
        ["vk_market_comment_restore.vknet.json"] =
            Comment(WebhookEventKind.Restore, "market:1", "market-1234_1686058", "123", "test1"),
        ["vk_market_comment_delete.vknet.json"] =
            Comment(WebhookEventKind.Delete, "market:1", "market-1234_4444", "", ""),
    };

    public static TheoryData<string> Fixtures => [.. _expected.Keys.Order(StringComparer.Ordinal)];

    public static TheoryData<string> FixturesWithText =>
    [
        .. _expected.Where(e => e.Value.MessageKind is not null && e.Value.Kind != WebhookEventKind.Delete
                && !string.IsNullOrWhiteSpace(e.Value.Text))
            .Select(e => e.Key).Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void Every_fixture_file_has_an_expectation_and_every_expectation_a_file()
    {
        var files = Directory.GetFiles(VkFixtures.Folder, "*.json").Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(_expected.Keys.Order(StringComparer.Ordinal), files);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Each_fixture_parses_to_its_expected_event(string fixture)
    {
        var expected = _expected[fixture];
        var callback = VkCallbackParser.Parse(VkFixtures.Read(fixture));
        var e = callback.Event;

        Assert.Equal(expected.Kind, e.Kind);
        Assert.Equal(Platform.Vk, e.Platform);
        Assert.Equal(expected.Page, e.PageExternalId);
        Assert.Equal(expected.Page, "-" + callback.GroupId);
        Assert.Equal(callback.Type, e.EventType);
        Assert.Equal(callback.EventId, e.EventId);
        if (expected.MessageKind is null)
        {
            Assert.Null(e.Message);
            return;
        }

        var m = Assert.IsType<IncomingMessage>(e.Message);
        Assert.Equal(Platform.Vk, m.Platform);
        Assert.Equal(expected.Page, m.PageExternalId);
        Assert.Equal(expected.MessageKind, m.Kind);
        Assert.Equal(expected.ExternalId, m.ExternalId);
        Assert.Equal(expected.ThreadId, m.ThreadId);
        Assert.Equal(expected.AuthorId, m.AuthorId);
        Assert.Equal("", m.AuthorName);
        Assert.Equal(expected.FromPage, m.FromPage);
        Assert.Equal(expected.Text, m.Text);
        Assert.Equal(expected.ReplyTo, m.ReplyToExternalId);
        if (e.Kind == WebhookEventKind.Delete)
        {
            Assert.Empty(m.Attachments);
            Assert.Null(m.CreatedAt);
        }
        else
        {
            Assert.NotNull(m.CreatedAt);
        }
    }

    [Theory]
    [MemberData(nameof(FixturesWithText))]
    public void Events_with_text_pass_ingest_validation(string fixture)
    {
        var m = VkCallbackParser.Parse(VkFixtures.Read(fixture)).Event.Message!;

        var normalized = IngestValidation.Normalize(m, _now);

        Assert.Equal(_expected[fixture].MessageKind, normalized.Kind);
        Assert.Equal(m.ExternalId, normalized.ExternalId);
        Assert.Equal(MessageIdentity.Derive(Platform.Vk, m.PageExternalId, normalized.Kind, m.ExternalId),
            normalized.MessageId);
    }

    [Fact]
    public void Both_message_new_shapes_give_the_same_message()
    {
        var current = VkCallbackParser.Parse(VkFixtures.Read("vk_message_new_5_103.vknet.json")).Event;
        var legacy = VkCallbackParser.Parse(VkFixtures.Read("vk_message_new_legacy.vknet-adapted.json")).Event;
        AssertSameMessage(current, legacy);

        // The same with attachments: unwrap the message of a real 5.103 payload into the pre-5.103 shape.
        var body = VkFixtures.Read("vk_message_new.vkwave.json");
        var node = JsonNode.Parse(body)!.AsObject();
        var message = node["object"]!["message"]!.DeepClone();
        node["object"] = message;
        var unwrapped = VkCallbackParser.Parse(Encoding.UTF8.GetBytes(node.ToJsonString())).Event;
        AssertSameMessage(VkCallbackParser.Parse(body).Event, unwrapped);
    }

    [Fact]
    public void Message_attachments_geo_date_and_envelope_are_read()
    {
        var callback = VkCallbackParser.Parse(VkFixtures.Read("vk_message_new_attachments_geo.written.json"));

        Assert.Equal("message_new", callback.Type);
        Assert.Equal(191949777, callback.GroupId);
        Assert.Equal("7c4e1f0b2a3d4c5e6f708192a3b4c5d6e7f80912", callback.EventId);
        Assert.Equal("s3cr3t", callback.Secret);
        Assert.Equal("5.199", callback.ApiVersion);
        var m = callback.Event.Message!;
        Assert.Equal(
            [
                new MessageAttachment("photo", "https://sun9-1.userapi.com/impg/a/w.jpg"),
                new MessageAttachment("video", "https://vk.com/video578716413_456239017"),
                new MessageAttachment("doc", "https://vk.com/doc578716413_613459231?hash=abc&dl=def"),
                new MessageAttachment("link", "https://www.gosuslugi.ru/10091/1"),
            ],
            m.Attachments);
        Assert.Equal(58.010455, m.Latitude);
        Assert.Equal(56.229443, m.Longitude);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), m.CreatedAt);
    }

    [Fact]
    public void Photo_urls_are_the_largest_size_and_other_attachments_get_a_vk_link()
    {
        var sample = VkCallbackParser.Parse(VkFixtures.Read("vk_message_new.vkwave.json")).Event.Message!;
        // r and x are both 394x373: the larger size letter wins.
        Assert.Equal(
            new MessageAttachment("photo", "https://sun9-34.userapi.com/c206620/v206620889/3dc7f/nmakgKHhLi8.jpg"),
            Assert.Single(sample.Attachments));

        var post = VkCallbackParser.Parse(VkFixtures.Read("vk_wall_post_new.vkwave.json")).Event.Message!;
        Assert.Equal(new MessageAttachment("poll", "https://vk.com/poll-191949777_364694272"),
            Assert.Single(post.Attachments));

        var chat = VkCallbackParser.Parse(VkFixtures.Read("vk_message_new_chat_poll.vkwave.json")).Event.Message!;
        Assert.Equal(new MessageAttachment("poll", "https://vk.com/poll578716413_463223772"),
            Assert.Single(chat.Attachments));
        Assert.Null(chat.Latitude); // "geo": null
    }

    [Fact]
    public void A_repost_without_words_of_its_own_carries_the_reposted_text()
    {
        var body = JsonNode.Parse(VkFixtures.Read("vk_wall_repost.written.json"))!;
        body["object"]!["text"] = "";
        var m = VkCallbackParser.Parse(Encoding.UTF8.GetBytes(body.ToJsonString())).Event.Message!;
        Assert.Equal("[repost] Опрос: как убирают снег в вашем дворе?", m.Text);

        body["object"]!["copy_history"]![0]!["text"] = "";
        m = VkCallbackParser.Parse(Encoding.UTF8.GetBytes(body.ToJsonString())).Event.Message!;
        Assert.Equal("[repost]", m.Text);
    }

    [Fact]
    public void A_message_of_forwarded_messages_only_carries_their_texts_and_its_own_text_wins()
    {
        var body = JsonNode.Parse(VkFixtures.Read("vk_message_new_5_103.vknet.json"))!;
        var message = body["object"]!["message"]!;
        message["text"] = "";
        message["fwd_messages"] = new JsonArray(
            new JsonObject { ["text"] = "Нет света в подъезде" },
            new JsonObject { ["text"] = "   " },
            "not an object",
            new JsonObject { ["text"] = "И лифт стоит" });
        var m = VkCallbackParser.Parse(Encoding.UTF8.GetBytes(body.ToJsonString())).Event.Message!;
        Assert.Equal("[forwarded] Нет света в подъезде\nИ лифт стоит", m.Text);

        message["text"] = "Посмотрите, что пишут соседи";
        m = VkCallbackParser.Parse(Encoding.UTF8.GetBytes(body.ToJsonString())).Event.Message!;
        Assert.Equal("Посмотрите, что пишут соседи", m.Text);
    }

    [Fact]
    public void Quoted_texts_are_cut_to_what_a_message_may_hold()
    {
        var body = JsonNode.Parse(VkFixtures.Read("vk_message_new_5_103.vknet.json"))!;
        var message = body["object"]!["message"]!;
        message["text"] = "";
        message["fwd_messages"] = new JsonArray(new JsonObject { ["text"] = new string('я', IngestValidation.MaxTextLength) });
        var m = VkCallbackParser.Parse(Encoding.UTF8.GetBytes(body.ToJsonString())).Event.Message!;

        Assert.Equal(IngestValidation.MaxTextLength, m.Text.Length);
        Assert.StartsWith("[forwarded] яя", m.Text, StringComparison.Ordinal);
        IngestValidation.Normalize(m, _now);
    }

    [Fact]
    public void Wall_post_geo_is_read_from_its_coordinate_string()
    {
        var m = VkCallbackParser.Parse(VkFixtures.Read("vk_wall_post_new_suggest_geo.written.json")).Event.Message!;
        Assert.Equal(55.755814, m.Latitude);
        Assert.Equal(37.617635, m.Longitude);
    }

    [Theory]
    [InlineData("""{"type":"like_add","group_id":5}""", "like_add")]
    [InlineData("""{"type":"group_leave","group_id":5,"object":[1,2]}""", "group_leave")]
    [InlineData("""{"type":"wall_reply_frobnicate","group_id":5,"object":"x"}""", "wall_reply_frobnicate")]
    [InlineData("""{"type":"some_future_event","group_id":5,"event_id":"e1","v":"5.250"}""", "some_future_event")]
    public void Types_we_do_not_use_are_ignored_whatever_their_object(string body, string type)
    {
        var e = VkCallbackParser.Parse(Encoding.UTF8.GetBytes(body)).Event;
        Assert.Equal(WebhookEvent.Ignored(Platform.Vk, "-5", type, e.EventId), e);
    }

    [Theory]
    [InlineData("", "body: empty")]
    [InlineData(" \r\n ", "body: empty")]
    [InlineData("not json", "body: not valid JSON")]
    [InlineData("""{"type":"confirmation","group_id":1} {}""", "body: not valid JSON")]
    [InlineData("""{"type":"confirmation","group_id":1""", "body: not valid JSON")]
    [InlineData("[]", "body: expected a JSON object, got array")]
    [InlineData("\"message_new\"", "body: expected a JSON object, got string")]
    [InlineData("{}", "type: missing")]
    [InlineData("""{"type":null,"group_id":1}""", "type: missing")]
    [InlineData("""{"type":7,"group_id":1}""", "type: expected a string, got number")]
    [InlineData("""{"type":"","group_id":1}""", "type: must not be empty")]
    [InlineData("""{"type":"confirmation"}""", "group_id: missing")]
    [InlineData("""{"type":"confirmation","group_id":"123"}""", "group_id: expected a number, got string")]
    [InlineData("""{"type":"confirmation","group_id":1.5}""", "group_id: expected an integer, got 1.5")]
    [InlineData("""{"type":"confirmation","group_id":99999999999999999999}""", "group_id: expected an integer")]
    [InlineData("""{"type":"confirmation","group_id":0}""", "group_id: must be a positive community id")]
    [InlineData("""{"type":"confirmation","group_id":1,"event_id":5}""", "event_id: expected a string, got number")]
    [InlineData("""{"type":"confirmation","group_id":1,"secret":{}}""", "secret: expected a string, got object")]
    [InlineData("""{"type":"confirmation","group_id":1,"v":5.199}""", "v: expected a string, got number")]
    [InlineData("""{"type":"message_new","group_id":1}""", "object: missing")]
    [InlineData("""{"type":"wall_reply_new","group_id":1,"object":null}""", "object: missing")]
    [InlineData("""{"type":"wall_reply_new","group_id":1,"object":[]}""", "object: expected an object, got array")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":"hi"}}""",
        "object.message: expected an object, got string")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"from_id":1,"peer_id":1,"text":"a"}}}""",
        "object.message.id: missing")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":0,"from_id":1,"peer_id":1}}}""",
        "object.message.conversation_message_id: missing (id is 0)")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":5,"from_id":1,"peer_id":"1"}}}""",
        "object.message.peer_id: expected a number, got string")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":5,"peer_id":1}}}""",
        "object.message.from_id: missing")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":5,"from_id":1,"text":[]}}}""",
        "object.message.text: expected a string, got array")]
    [InlineData("""{"type":"message_edit","group_id":1,"object":{"id":5,"from_id":1,"out":"yes"}}""",
        "object.out: expected 0 or 1, got string")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":5,"from_id":1,"attachments":{}}}}""",
        "object.message.attachments: expected an array, got object")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":5,"from_id":1,"attachments":[{}]}}}""",
        "object.message.attachments[0].type: missing")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":5,"from_id":1,"attachments":[{"type":"doc"},3]}}}""",
        "object.message.attachments[1]: expected an object, got number")]
    [InlineData("""{"type":"message_new","group_id":1,"object":{"message":{"id":5,"from_id":1,"geo":{"coordinates":{"latitude":"55"}}}}}""",
        "object.message.geo.coordinates.latitude: expected a number, got string")]
    [InlineData("""{"type":"wall_post_new","group_id":1,"object":{"id":5,"from_id":1,"geo":{"coordinates":"north"}}}""",
        "object.geo.coordinates: expected \"<latitude> <longitude>\"")]
    [InlineData("""{"type":"wall_post_new","group_id":1,"object":{"id":5,"from_id":1,"date":99999999999999}}""",
        "object.date: out of range")]
    [InlineData("""{"type":"wall_post_new","group_id":1,"object":{"from_id":1}}""", "object.id: missing")]
    [InlineData("""{"type":"wall_reply_new","group_id":1,"object":{"id":9,"from_id":1,"text":"a"}}""",
        "object.post_id: missing")]
    [InlineData("""{"type":"wall_reply_new","group_id":1,"object":{"id":9,"post_id":1,"text":"a"}}""",
        "object.from_id: missing")]
    [InlineData("""{"type":"wall_reply_new","group_id":1,"object":{"id":9,"from_id":1,"post_id":1,"reply_to_comment":"8"}}""",
        "object.reply_to_comment: expected a number, got string")]
    [InlineData("""{"type":"photo_comment_delete","group_id":1,"object":{"id":9,"owner_id":-1}}""",
        "object.photo_id: missing")]
    [InlineData("""{"type":"board_post_delete","group_id":1,"object":{"topic_id":3,"topic_owner_id":-1}}""",
        "object.id: missing")]
    [InlineData("""{"type":"market_comment_new","group_id":1,"object":{"id":1,"from_id":2,"market_owner_id":"-1","item_id":3}}""",
        "object.market_owner_id: expected a number, got string")]
    public void Malformed_bodies_are_refused_with_the_field_named(string body, string reason)
    {
        var ex = Assert.Throws<WebhookFormatException>(() => VkCallbackParser.Parse(Encoding.UTF8.GetBytes(body)));
        Assert.StartsWith(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_and_deep_nesting_are_format_errors()
    {
        var invalidUtf8 = Encoding.UTF8.GetBytes("""{"type":"message_new","group_id":1,"object":{"id":1,"from_id":1,"text":"__"}}""");
        var at = Array.IndexOf(invalidUtf8, (byte)'_');
        invalidUtf8[at] = 0xFF;
        invalidUtf8[at + 1] = 0xFE;
        Assert.Throws<WebhookFormatException>(() => VkCallbackParser.Parse(invalidUtf8));

        var loneSurrogate = """{"type":"message_new","group_id":1,"object":{"id":1,"from_id":1,"text":"a\ud800"}}""";
        Assert.Equal("object.text: not valid Unicode text", Assert.Throws<WebhookFormatException>(
            () => VkCallbackParser.Parse(Encoding.UTF8.GetBytes(loneSurrogate))).Message);
        var surrogateKey = """{"type":"message_new","group_id":1,"object":{"id":1,"from_id":1,"\udc00":1}}""";
        Assert.Throws<WebhookFormatException>(() => VkCallbackParser.Parse(Encoding.UTF8.GetBytes(surrogateKey)));

        var deep = Encoding.UTF8.GetBytes("""{"type":"x","group_id":1,"object":""" + new string('[', 200) +
            new string(']', 200) + "}");
        Assert.StartsWith("body: not valid JSON", Assert.Throws<WebhookFormatException>(
            () => VkCallbackParser.Parse(deep)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_truncated_and_mutated_bodies_only_ever_give_a_format_exception()
    {
        var random = new Random(20260302);
        var seeds = _expected.Keys.Select(VkFixtures.Read).ToArray();
        JsonNode[] replacements =
        [
            "x", "", 0, -1, 1.5, long.MaxValue, double.MaxValue, true, false, new JsonArray(), new JsonObject(),
            new JsonArray(1, "a"), new JsonObject { ["type"] = "photo" },
        ];
        string[] tokens =
        [
            "{", "}", "[", "]", ",", ":", "\"type\"", "\"message_new\"", "\"wall_reply_new\"", "\"object\"",
            "\"message\"", "\"group_id\"", "\"id\"", "\"peer_id\"", "\"attachments\"", "\"geo\"", "\"coordinates\"",
            "1", "-7", "0", "1e400", "1.5", "null", "true", "\"\\ud800\"", "\"\\u0000\"", " ", "\"",
        ];

        byte[][] escapes = ["\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\\u0000"u8.ToArray(), "\\\""u8.ToArray()];

        for (var i = 0; i < 2_000; i++)
        {
            byte[] body;
            switch (i % 6)
            {
                case 0:
                    body = new byte[random.Next(0, 300)];
                    random.NextBytes(body);
                    break;
                case 1:
                    var seed = seeds[random.Next(seeds.Length)];
                    body = seed[..random.Next(0, seed.Length)];
                    break;
                case 2:
                    body = (byte[])seeds[random.Next(seeds.Length)].Clone();
                    for (var flips = random.Next(1, 6); flips > 0; flips--)
                    {
                        body[random.Next(body.Length)] = (byte)random.Next(256);
                    }

                    break;
                case 3:
                    body = Encoding.UTF8.GetBytes(string.Concat(
                        Enumerable.Range(0, random.Next(1, 40)).Select(_ => tokens[random.Next(tokens.Length)])));
                    break;
                case 4:
                    // An escape inserted anywhere: inside a string or a property name it is valid JSON.
                    var target = seeds[random.Next(seeds.Length)];
                    var position = random.Next(target.Length + 1);
                    body = [.. target[..position], .. escapes[random.Next(escapes.Length)], .. target[position..]];
                    break;
                default:
                    var root = JsonNode.Parse(WithoutBom(seeds[random.Next(seeds.Length)]))!;
                    ReplaceRandomValue(root, replacements[random.Next(replacements.Length)].DeepClone(), random);
                    body = Encoding.UTF8.GetBytes(root.ToJsonString());
                    break;
            }

            var ex = Record.Exception(() => VkCallbackParser.Parse(body));
            if (ex is not null and not WebhookFormatException)
            {
                Assert.Fail($"case {i}: {ex.GetType().Name}: {ex.Message}\nbody (base64): {Convert.ToBase64String(body)}");
            }
        }
    }

    private static ReadOnlySpan<byte> WithoutBom(byte[] body) =>
        body.AsSpan().StartsWith("\uFEFF"u8) ? body.AsSpan(3) : body;

    private static void ReplaceRandomValue(JsonNode root, JsonNode replacement, Random random)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        switch (target.Parent)
        {
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                break;
            case JsonArray parent:
                parent[target.GetElementIndex()] = replacement;
                break;
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        if (node.Parent is not null)
        {
            nodes.Add(node);
        }

        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is not null)
            {
                Collect(child, nodes);
            }
        }
    }

    private static void AssertSameMessage(WebhookEvent a, WebhookEvent b)
    {
        Assert.Equal(a.Kind, b.Kind);
        Assert.Equal(a.Message!.Attachments, b.Message!.Attachments);
        Assert.Equal(a.Message with { Attachments = [] }, b.Message with { Attachments = [] });
    }

    private static Expected Message(WebhookEventKind kind, string page, string externalId, string threadId,
        string authorId, bool fromPage, string text) =>
        new(kind, page, MessageKind.PrivateMessage, externalId, threadId, authorId, fromPage, text);

    private static Expected Post(string page, string externalId, string threadId, string authorId, bool fromPage,
        string text) =>
        new(WebhookEventKind.New, page, MessageKind.PagePost, externalId, threadId, authorId, fromPage, text);

    private static Expected Comment(WebhookEventKind kind, string externalId, string threadId, string authorId,
        string text, bool fromPage = false, string replyTo = "", string page = "-1234") =>
        new(kind, page, MessageKind.Comment, externalId, threadId, authorId, fromPage, text, replyTo);

    private sealed record Expected(
        WebhookEventKind Kind,
        string Page,
        MessageKind? MessageKind = null,
        string ExternalId = "",
        string ThreadId = "",
        string AuthorId = "",
        bool FromPage = false,
        string Text = "",
        string ReplyTo = "");
}

/// <summary>
/// The VK Callback API payloads under Fixtures/vk, found next to this source file (they are not copied to the test
/// output), or by walking up from the test binaries when the compiler mapped source paths away.
/// </summary>
internal static class VkFixtures
{
    private const string RelativeFolder = "Ingestion/Fixtures/vk";

    public static string Folder { get; } = Locate();

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Folder, name));

    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        var nextToSource = Path.Combine(Path.GetDirectoryName(sourceFile) ?? "", "Fixtures", "vk");
        if (Directory.Exists(nextToSource))
        {
            return nextToSource;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "GovPublics.UnitTests", RelativeFolder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{RelativeFolder} not found next to {sourceFile}");
    }
}
