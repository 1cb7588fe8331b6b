using System.Text;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Ingestion.Domain;
using GovPublics.Ingestion.Domain.Webhooks;

namespace GovPublics.UnitTests.Ingestion;

public sealed class TelegramUpdateParserTests
{
    private const string Tg = "telegram";
    private const string Group = "-1001500000002";
    private const string Channel = "-1001500000001";
    private static readonly DateTimeOffset _now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>What each fixture must parse to. Every file in Fixtures/telegram has an entry (checked below).</summary>
    private static readonly Dictionary<string, Expected> _expected = new(StringComparer.Ordinal)
    {
        // core.telegram.org/bots/webhooks examples (private chats).
        ["tg_message_text.official.json"] = Expected.Message(
            WebhookEventKind.New, "message", "10000", "1111111", MessageKind.PrivateMessage, "1365", "1111111", false, "/start",
            "1111111", "Test Firstname Test Lastname", created: 1441645532),
        ["tg_message_reply.official.json"] = Expected.Message(
            WebhookEventKind.New, "message", "10000", "1111111", MessageKind.PrivateMessage, "1365", "1111111", false, "/start",
            "1111111", "Test Firstname Test Lastname", replyTo: "1334", created: 1441645532),
        ["tg_edited_message.official.json"] = Expected.Message(
            WebhookEventKind.Edit, "edited_message", "10000", "1111111", MessageKind.PrivateMessage, "1365", "1111111", false,
            "Edited text", "1111111", "Test Firstname Test Lastname", created: 1441646600),
        ["tg_message_voice.official.json"] = Expected.Message(
            WebhookEventKind.New, "message", "10000", "1111111", MessageKind.PrivateMessage, "1365", "1111111", false, "",
            "1111111", "Test Firstname Test Lastname", attachments: ["voice tg-file:AwADBAADbXXXXXXXXXXXGBdhD2l6_XX"]),
        ["tg_message_document.official.json"] = Expected.Message(
            WebhookEventKind.New, "message", "10000", "1111111", MessageKind.PrivateMessage, "1365", "1111111", false, "",
            "1111111", "Test Firstname Test Lastname", attachments: ["document tg-file:AwADBAADbXXXXXXXXXXXGBdhD2l6_XX"]),
        ["tg_callback_query.official.json"] = Expected.Ignored("callback_query", "10000", ""),
        ["tg_inline_query.official.json"] = Expected.Ignored("inline_query", "10000", ""),

        // teloxide test data (real updates and messages).
        ["tg_message_private.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "892252934", "218485655", MessageKind.PrivateMessage, "6557", "218485655", false,
            "hello there", "218485655", "Waffle", created: 1569518342),
        ["tg_message_story.teloxide.json"] = Expected.Ignored("message", "439432599", "-1001293752024"),
        ["tg_message_supergroup_reply.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "439432600", "-1001293752024", MessageKind.Comment, "134546",
            "-1001293752024:134545", false, "/report", "5964236329", "the Cable Guy", replyTo: "134545"),
        ["tg_pinned_message.teloxide.json"] = Expected.Ignored("message", "845402291", "-1001276785818"),
        ["tg_my_chat_member.teloxide.json"] = Expected.Ignored("my_chat_member", "0", "0"),
        ["tg_message_video.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000001", "250918540", MessageKind.PrivateMessage, "198283", "250918540", false,
            "", "250918540", "Андрей Власов", attachments: ["video tg-file:BAADAgADpgQAAgX9qEud6QcgPiOAlhYE"]),
        ["tg_message_sticker.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000002", "250918540", MessageKind.PrivateMessage, "199787", "250918540", false,
            "", "250918540", "Андрей Власов",
            attachments: ["sticker tg-file:CAACAgIAAxkBAAESLdBjMImep-J0W8XaTN6S_Lz1-j1QIQACIwADsND4DGmmygHGlyggKQQ"]),
        ["tg_message_photo.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000003", "250918540", MessageKind.PrivateMessage, "199791", "250918540", false,
            "", "250918540", "Андрей Власов",
            attachments: ["photo tg-file:AgADAgAD36sxG-PX0UvQSXIn9rccdw-ACA4ABAEAAwIAA3kAAyTcBAABFgQ"]),
        ["tg_message_photo_caption.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000006", "27433968", MessageKind.PrivateMessage, "3460", "27433968", false,
            "www.example.com", "27433968", "Crax | rats addict",
            attachments: ["photo tg-file:AgACAgQAAxkBAAINhGKvijUVSn2i3980bQIIc1fqWGNCAAJpvDEbEmaBUfuA43fR-BnlAQADAgADeQADJAQ"],
            created: 1655671349),
        ["tg_message_anonymous_admin.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000004", "-1001160242915", MessageKind.Comment, "1", "-1001160242915", true,
            "text", "-1001160242915", "a"),
        ["tg_message_location_venue.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000005", "0", MessageKind.PrivateMessage, "0", "0", false, "", "", "",
            attachments: ["location geo:0,0"], latitude: 0, longitude: 0),
        ["tg_message_forum_topic.teloxide.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000007", "-1001847508954", MessageKind.Comment, "5", "-1001847508954:4", false,
            "blah", "1253681278", "вафель'", replyTo: "4"),
        ["tg_channel_post_giveaway.teloxide.json"] = Expected.Ignored("channel_post", "900000008", "-1002236736395"),

        // Telegram.Bot test data: explicit nulls, as .NET and other SDKs write them.
        ["tg_message_photo_nulls.telegram-bot.json"] = Expected.Message(
            WebhookEventKind.New, "message", "900000009", "1234567", MessageKind.PrivateMessage, "1234", "1234567", false, "",
            "1234567", "Telegram_Bots",
            attachments: ["photo tg-file:AgADAgADvKgxGxW80EtRgjrTaWNmy7UerQ4ABP6uRLtwe8Z8wZ4BAAEC"]),

        // tgbot snapshots: a channel's own post and its edit.
        ["tg_channel_post.tgbot.json"] = Expected.Message(
            WebhookEventKind.New, "channel_post", "1", "1", MessageKind.PagePost, "1111", "1:1111", true,
            "test message from channel", "1", "Channel", created: 0),
        ["tg_edited_channel_post.tgbot.json"] = Expected.Message(
            WebhookEventKind.Edit, "edited_channel_post", "1", "1", MessageKind.PagePost, "1111", "1:1111", true,
            "test message from channel", "1", "Channel", created: 0),

        // Written from the Bot API docs: a channel with a linked discussion group.
        ["tg_channel_post_photo.docs.json"] = Expected.Message(
            WebhookEventKind.New, "channel_post", "731000008", Channel, MessageKind.PagePost, "813", $"{Channel}:813", true,
            "Открыт новый ФАП в селе Красный Яр.", Channel, "Минздрав Самарской области",
            attachments: ["photo tg-file:AgACAgIAAxkBAAIBexample-large"], created: 1769190000),
        ["tg_edited_channel_post_photo.docs.json"] = Expected.Message(
            WebhookEventKind.Edit, "edited_channel_post", "731000009", Channel, MessageKind.PagePost, "813", $"{Channel}:813",
            true, "Открыт новый фельдшерско-акушерский пункт в селе Красный Яр.", Channel, "Минздрав Самарской области",
            attachments: ["photo tg-file:AgACAgIAAxkBAAIBexample-large"], created: 1769190500),
        ["tg_discussion_automatic_forward.docs.json"] = Expected.Message(
            WebhookEventKind.New, "message", "731000001", Group, MessageKind.PagePost, "4301", $"{Group}:4301", true,
            "С 1 февраля поликлиники области переходят на запись к терапевту через Госуслуги. Вопросы задавайте в комментариях.",
            Channel, "Минздрав Самарской области", created: 1769106221),
        ["tg_discussion_edited_automatic_forward.docs.json"] = Expected.Message(
            WebhookEventKind.Edit, "edited_message", "731000010", Group, MessageKind.PagePost, "4301", $"{Group}:4301", true,
            "С 1 февраля поликлиники области переходят на запись к терапевту через Госуслуги. Вопросы задавайте в комментариях.",
            Channel, "Минздрав Самарской области", created: 1769106400),
        ["tg_discussion_comment.docs.json"] = Expected.Message(
            WebhookEventKind.New, "message", "731000002", Group, MessageKind.Comment, "4302", $"{Group}:4301", false,
            "В поликлинике №6 на Ново-Садовой запись через Госуслуги не работает уже неделю, талонов к терапевту нет до марта.",
            "5123456789", "Ирина Петрова", replyTo: "4301", created: 1769107000),
        ["tg_discussion_edited_comment.docs.json"] = Expected.Message(
            WebhookEventKind.Edit, "edited_message", "731000007", Group, MessageKind.Comment, "4302", $"{Group}:4301", false,
            "В поликлинике №6 на Ново-Садовой запись через Госуслуги не работает уже неделю, талонов к терапевту нет до 10 марта.",
            "5123456789", "Ирина Петрова", replyTo: "4301", created: 1769107300),
        ["tg_discussion_reply_to_comment.docs.json"] = Expected.Message(
            WebhookEventKind.New, "message", "731000004", Group, MessageKind.Comment, "4304", $"{Group}:4301", false,
            "Подтверждаю, в субботу тоже не записаться.", "6234567890", "Олег", replyTo: "4302"),
        ["tg_discussion_official_reply_to_post.docs.json"] = Expected.Message(
            WebhookEventKind.New, "message", "731000003", Group, MessageKind.Comment, "4303", $"{Group}:4301", true,
            "Уточнение: запись через Госуслуги работает во всех поликлиниках с 1 февраля, по телефону 122 — как прежде.",
            Channel, "Минздрав Самарской области", replyTo: "4301"),
        // Sent on behalf of the channel but replying to a comment: without the linked channel id it is not recognized.
        ["tg_discussion_official_reply_to_comment.docs.json"] = Expected.Message(
            WebhookEventKind.New, "message", "731000006", Group, MessageKind.Comment, "4306", $"{Group}:4301", false,
            "Ирина, передали вопрос главному врачу поликлиники №6, ответим здесь до конца дня.", Channel,
            "Минздрав Самарской области", replyTo: "4302"),
        // A citizen writing as their own channel is not the page.
        ["tg_discussion_comment_as_other_channel.docs.json"] = Expected.Message(
            WebhookEventKind.New, "message", "731000005", Group, MessageKind.Comment, "4305", $"{Group}:4301", false,
            "У нас в районе то же самое, люди жалуются.", "-1001999000111", "Новости Кировского района (неофициально)",
            replyTo: "4301"),
    };

    public static TheoryData<string> FixtureNames => [.. WebhookFixtures.Names(Tg)];

    [Fact]
    public void Every_fixture_has_an_expectation_and_every_expectation_a_fixture()
    {
        Assert.Equal(_expected.Keys.Order(StringComparer.Ordinal), WebhookFixtures.Names(Tg));
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Fixture_parses_as_expected(string name)
    {
        var expected = _expected[name];
        var parsed = TelegramUpdateParser.Parse(WebhookFixtures.Read(Tg, name));

        Assert.Equal(expected.Kind, parsed.Kind);
        Assert.Equal(Platform.Telegram, parsed.Platform);
        Assert.Equal(expected.EventType, parsed.EventType);
        Assert.Equal(expected.EventId, parsed.EventId);
        Assert.Equal(expected.Page, parsed.PageExternalId);
        if (expected.Kind == WebhookEventKind.Ignored)
        {
            Assert.Null(parsed.Message);
            return;
        }

        var message = Assert.IsType<IncomingMessage>(parsed.Message);
        Assert.Equal(Platform.Telegram, message.Platform);
        Assert.Equal(expected.Page, message.PageExternalId);
        Assert.Equal(expected.MessageKind, message.Kind);
        Assert.Equal(expected.ExternalId, message.ExternalId);
        Assert.Equal(expected.ThreadId, message.ThreadId);
        Assert.Equal(expected.FromPage, message.FromPage);
        Assert.Equal(expected.Text, message.Text);
        Assert.Equal(expected.AuthorId, message.AuthorId);
        Assert.Equal(expected.AuthorName, message.AuthorName);
        Assert.Equal(expected.ReplyTo, message.ReplyToExternalId);
        Assert.Equal(expected.Attachments, message.Attachments.Select(a => $"{a.Type} {a.Url}"));
        Assert.Equal(expected.Latitude, message.Latitude);
        Assert.Equal(expected.Longitude, message.Longitude);
        if (expected.Created is { } created)
        {
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(created), message.CreatedAt);
        }
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void New_and_edited_messages_with_text_pass_ingest_validation(string name)
    {
        var parsed = TelegramUpdateParser.Parse(WebhookFixtures.Read(Tg, name));
        if (parsed.Message is not { } message || string.IsNullOrWhiteSpace(message.Text))
        {
            return;
        }

        var normalized = IngestValidation.Normalize(message, _now);
        Assert.Equal(message.Kind, normalized.Kind);
        Assert.Equal(MessageIdentity.Derive(Platform.Telegram, message.PageExternalId, normalized.Kind, message.ExternalId),
            normalized.MessageId);
    }

    [Fact]
    public void Comments_share_the_thread_of_the_mirrored_post_they_discuss()
    {
        var root = Parse("tg_discussion_automatic_forward.docs.json");
        var comment = Parse("tg_discussion_comment.docs.json");
        var reply = Parse("tg_discussion_reply_to_comment.docs.json");
        var answer = Parse("tg_discussion_official_reply_to_post.docs.json");

        Assert.Equal(root.ThreadId, comment.ThreadId);
        Assert.Equal(root.ThreadId, reply.ThreadId);
        Assert.Equal(root.ThreadId, answer.ThreadId);
        Assert.Equal(root.ExternalId, comment.ReplyToExternalId);
        Assert.Equal(comment.ExternalId, reply.ReplyToExternalId);
        Assert.True(root.FromPage);
        Assert.False(comment.FromPage);
        Assert.True(answer.FromPage);
    }

    [Fact]
    public void With_the_linked_channel_known_its_answer_to_a_comment_is_from_the_page()
    {
        var body = WebhookFixtures.Read(Tg, "tg_discussion_official_reply_to_comment.docs.json");

        Assert.False(TelegramUpdateParser.Parse(body).Message!.FromPage);
        Assert.True(TelegramUpdateParser.Parse(body, Channel).Message!.FromPage);
        Assert.False(TelegramUpdateParser.Parse(body, "-1009999999999").Message!.FromPage);
        // Knowing the channel never makes a citizen writing as another channel official.
        var other = WebhookFixtures.Read(Tg, "tg_discussion_comment_as_other_channel.docs.json");
        Assert.False(TelegramUpdateParser.Parse(other, Channel).Message!.FromPage);
    }

    [Fact]
    public void A_group_message_that_starts_no_thread_is_threaded_by_the_chat()
    {
        var parsed = TelegramUpdateParser.Parse(Body(
            """{"update_id":5,"message":{"message_id":9,"date":1769100000,"chat":{"id":-100123,"type":"group"},"from":{"id":42,"first_name":"Пётр"},"text":"Когда дадут воду?"}}"""));

        var message = parsed.Message!;
        Assert.Equal(MessageKind.Comment, message.Kind);
        Assert.Equal("-100123", message.ThreadId);
        Assert.Equal("", message.ReplyToExternalId);
        Assert.Equal("Пётр", message.AuthorName);
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("message_reaction")]
    [InlineData("chat_join_request")]
    [InlineData("business_message")]
    public void Update_types_we_do_not_take_are_ignored(string updateType)
    {
        var parsed = TelegramUpdateParser.Parse(Body(
            $$$"""{"update_id":77,"{{{updateType}}}":{"chat":{"id":-100555,"type":"supergroup"},"id":"x"}}"""));

        Assert.Equal(WebhookEventKind.Ignored, parsed.Kind);
        Assert.Equal(updateType, parsed.EventType);
        Assert.Equal("77", parsed.EventId);
        Assert.Equal("-100555", parsed.PageExternalId);
        Assert.Null(parsed.Message);
    }

    [Fact]
    public void An_update_with_only_its_id_is_ignored_and_a_chat_of_an_unknown_type_too()
    {
        Assert.Equal("unknown", TelegramUpdateParser.Parse(Body("""{"update_id":1}""")).EventType);
        var parsed = TelegramUpdateParser.Parse(Body(
            """{"update_id":2,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"hologram"},"text":"hi"}}"""));
        Assert.Equal(WebhookEventKind.Ignored, parsed.Kind);
        Assert.Equal("5", parsed.PageExternalId);
    }

    [Fact]
    public void A_byte_order_mark_and_surrounding_whitespace_are_accepted()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Body("  \n{\"update_id\":3}\r\n")).ToArray();
        Assert.Equal("3", TelegramUpdateParser.Parse(body).EventId);
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("   ", "body")]
    [InlineData("not json", "body")]
    [InlineData("[1,2]", "body")]
    [InlineData("null", "body")]
    [InlineData("""{"update_id":1} x""", "body")]
    [InlineData("""{"update_id":1}{"update_id":2}""", "body")]
    [InlineData("""{"update_id":1,"message":{""", "body")]
    [InlineData("{}", "update_id")]
    [InlineData("""{"update_id":"1"}""", "update_id")]
    [InlineData("""{"update_id":1.5}""", "update_id")]
    [InlineData("""{"update_id":1e30}""", "update_id")]
    [InlineData("""{"update_id":1,"message":5}""", "message")]
    [InlineData("""{"update_id":1,"message":{}}""", "message.message_id")]
    [InlineData("""{"update_id":1,"message":{"message_id":"7","date":1,"chat":{"id":1,"type":"private"}}}""", "message.message_id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1}}""", "message.chat")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":[]}}""", "message.chat")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"type":"private"}}}""", "message.chat.id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":"-100","type":"group"}}}""", "message.chat.id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1}}}""", "message.chat.type")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":2}}}""", "message.chat.type")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"chat":{"id":1,"type":"private"}}}""", "message.date")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":-5,"chat":{"id":1,"type":"private"}}}""", "message.date")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":99999999999999,"chat":{"id":1,"type":"private"}}}""", "message.date")]
    [InlineData("""{"update_id":1,"edited_message":{"message_id":7,"date":1,"edit_date":"x","chat":{"id":1,"type":"private"},"text":"a"}}""", "edited_message.edit_date")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"text":5}}""", "message.text")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"text":"\ud800"}}""", "message.text")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"caption":[]}}""", "message.caption")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"photo":{}}}""", "message.photo")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"photo":[5]}}""", "message.photo[0]")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"photo":[{"file_id":"a"},{"width":5}]}}""", "message.photo[1].file_id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"video":{"duration":3}}}""", "message.video.file_id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"voice":"v"}}""", "message.voice")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"location":{"latitude":"53.2","longitude":50.1}}}""", "message.location.latitude")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"location":{"latitude":53.2}}}""", "message.location.longitude")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"location":{"latitude":1e999,"longitude":1}}}""", "message.location.latitude")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"text":"a","from":{"first_name":"A"}}}""", "message.from.id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"text":"a","from":{"id":1,"first_name":7}}}""", "message.from.first_name")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":-1,"type":"group"},"text":"a","sender_chat":{"title":"x"}}}""", "message.sender_chat.id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":-1,"type":"group"},"text":"a","reply_to_message":{"text":"b"}}}""", "message.reply_to_message.message_id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":-1,"type":"group"},"text":"a","message_thread_id":"4"}}""", "message.message_thread_id")]
    [InlineData("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":-1,"type":"group"},"text":"a","is_automatic_forward":"yes"}}""", "message.is_automatic_forward")]
    [InlineData("""{"update_id":1,"channel_post":{"message_id":7,"date":1,"chat":{"type":"channel"},"text":"a"}}""", "channel_post.chat.id")]
    [InlineData("""{"update_id":1,"edited_channel_post":{"message_id":7,"date":1,"chat":{"id":-100,"type":"channel"},"text":"a","sender_chat":5}}""", "edited_channel_post.sender_chat")]
    public void Malformed_bodies_are_refused_naming_the_field(string json, string field)
    {
        var ex = Assert.Throws<WebhookFormatException>(() => TelegramUpdateParser.Parse(Body(json)));
        Assert.StartsWith(field + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_text_names_its_field_and_over_deep_nesting_is_refused_as_the_body()
    {
        // The JSON reader leaves string contents to the reader of the value, so bad UTF-8 is caught where it is read.
        byte[] invalidUtf8 =
        [
            .. Body("""{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":1,"type":"private"},"text":"a"""),
            0xC3, 0x28,
            .. Body("\"}}"),
        ];
        byte[] invalidName = [.. Body("""{"update_id":1,"pol"""), 0xFF, .. Body("\":{}}")];
        var deep = new string('[', 200) + new string(']', 200);

        Assert.StartsWith("message.text: ", Refusal(invalidUtf8), StringComparison.Ordinal);
        Assert.StartsWith("body: ", Refusal(invalidName), StringComparison.Ordinal);
        Assert.StartsWith("body: ", Refusal(Body(deep)), StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzed_bodies_only_ever_throw_WebhookFormatException()
    {
        var random = new Random(20260302);
        var seeds = WebhookFixtures.Names(Tg).Select(name => WebhookFixtures.Read(Tg, name)).ToArray();
        var parsed = 0;
        for (var i = 0; i < 2000; i++)
        {
            var body = WebhookFixtures.Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                Assert.NotNull(TelegramUpdateParser.Parse(body));
                parsed++;
            }
            catch (WebhookFormatException ex)
            {
                Assert.Contains(": ", ex.Message, StringComparison.Ordinal);
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i}: {ex.GetType().Name}: {ex.Message}\n{Encoding.UTF8.GetString(body)}");
            }
        }

        // The mutations must not all be rejected outright, or the fuzz would only ever test the JSON reader.
        Assert.InRange(parsed, 200, 1900);
    }

    private static IncomingMessage Parse(string name) =>
        TelegramUpdateParser.Parse(WebhookFixtures.Read(Tg, name)).Message!;

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);

    private static string Refusal(byte[] body) =>
        Assert.Throws<WebhookFormatException>(() => TelegramUpdateParser.Parse(body)).Message;

    private sealed record Expected(
        WebhookEventKind Kind,
        string EventType,
        string EventId,
        string Page,
        MessageKind? MessageKind = null,
        string ExternalId = "",
        string ThreadId = "",
        bool FromPage = false,
        string Text = "",
        string AuthorId = "",
        string AuthorName = "",
        string ReplyTo = "",
        IReadOnlyList<string>? AttachmentList = null,
        double? Latitude = null,
        double? Longitude = null,
        long? Created = null)
    {
        public IReadOnlyList<string> Attachments => AttachmentList ?? [];

        public static Expected Ignored(string eventType, string eventId, string page) =>
            new(WebhookEventKind.Ignored, eventType, eventId, page);

        public static Expected Message(
            WebhookEventKind kind,
            string eventType,
            string eventId,
            string page,
            MessageKind messageKind,
            string externalId,
            string threadId,
            bool fromPage,
            string text,
            string authorId,
            string authorName,
            string replyTo = "",
            IReadOnlyList<string>? attachments = null,
            double? latitude = null,
            double? longitude = null,
            long? created = null) =>
            new(kind, eventType, eventId, page, messageKind, externalId, threadId, fromPage, text, authorId, authorName, replyTo,
                attachments, latitude, longitude, created);
    }
}
