using System.Text;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Ingestion.Domain;
using GovPublics.Ingestion.Domain.Webhooks;

namespace GovPublics.UnitTests.Ingestion;

public sealed class OkWebhookParserTests
{
    private const string Ok = "ok";
    private const string GroupId = "70000001234567";
    private static readonly DateTimeOffset _now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>What each fixture must parse to. Every file in Fixtures/ok has an entry (checked below).</summary>
    private static readonly Dictionary<string, Expected> _expected = new(StringComparer.Ordinal)
    {
        // OK's own examples (graph.user.subscribe): no webhookType, no sender name.
        ["ok_message_text.apiok-docs.json"] = new(
            WebhookEventKind.New, "MESSAGE_CREATED", "mid:C3ecb9d02a600.15cea67d78d2059", "chat:C3ecb9d02a600",
            "user:123456789012", "", "text", [], 1498581292941),
        ["ok_message_share.apiok-docs.json"] = new(
            WebhookEventKind.New, "MESSAGE_CREATED", "mid:C3ecb9d02a600.15cea668c4c2481", "chat:C3ecb9d02a600",
            "user:123456789012", "", "https://ya.ru/", ["share https://ya.ru/"], 1498581208140),

        // Written from the docs: the MESSAGE_CREATED shape with webhookType and sender name.
        ["ok_message_created_text.docs.json"] = new(
            WebhookEventKind.New, "MESSAGE_CREATED", "mid:C4a1f3b8e9d00.18d2b4c6e8f0a12", "chat:C4a1f3b8e9d00",
            "user:575123456789", "Василий Васильев",
            "Здравствуйте! Во дворе дома 12 по улице Стара-Загора третий день не вывозят мусор.", [], 1769001234567),
        ["ok_message_created_image.docs.json"] = new(
            WebhookEventKind.New, "MESSAGE_CREATED", "mid:C4a1f3b8e9d00.18d2b4c6e8f0b34", "chat:C4a1f3b8e9d00",
            "user:575123456789", "Василий Васильев", "Фото контейнерной площадки",
            ["image https://i.mycdn.me/i?r=example-image-1", "share https://yandex.ru/maps/?pt=50.1836,53.2001"], 1769001299000),
        ["ok_message_created_video_only.docs.json"] = new(
            WebhookEventKind.New, "MESSAGE_CREATED", "mid:C4a1f3b8e9d11.18d2b4c6e8f0c56", "chat:C4a1f3b8e9d11",
            "user:575987654321", "Анна Смирнова", "", ["video https://ok.ru/video/1234567890123"], 1769002000000),
        ["ok_message_callback.docs.json"] = new(WebhookEventKind.Ignored, "MESSAGE_CALLBACK", "cbk:C4a1f3b8e9d00.0001"),
        ["ok_chat_system.docs.json"] = new(WebhookEventKind.Ignored, "CHAT_SYSTEM", ""),
    };

    public static TheoryData<string> FixtureNames => [.. WebhookFixtures.Names(Ok)];

    [Fact]
    public void Every_fixture_has_an_expectation_and_every_expectation_a_fixture()
    {
        Assert.Equal(_expected.Keys.Order(StringComparer.Ordinal), WebhookFixtures.Names(Ok));
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Fixture_parses_as_expected(string name)
    {
        var expected = _expected[name];
        var parsed = OkWebhookParser.Parse(WebhookFixtures.Read(Ok, name), GroupId);

        Assert.Equal(expected.Kind, parsed.Kind);
        Assert.Equal(Platform.Ok, parsed.Platform);
        Assert.Equal(GroupId, parsed.PageExternalId);
        Assert.Equal(expected.EventType, parsed.EventType);
        Assert.Equal(expected.EventId, parsed.EventId);
        if (expected.Kind == WebhookEventKind.Ignored)
        {
            Assert.Null(parsed.Message);
            return;
        }

        var message = Assert.IsType<IncomingMessage>(parsed.Message);
        Assert.Equal(Platform.Ok, message.Platform);
        Assert.Equal(GroupId, message.PageExternalId);
        Assert.Equal(MessageKind.PrivateMessage, message.Kind);
        Assert.Equal(expected.EventId, message.ExternalId);
        Assert.Equal(expected.ThreadId, message.ThreadId);
        Assert.Equal(expected.AuthorId, message.AuthorId);
        Assert.Equal(expected.AuthorName, message.AuthorName);
        Assert.Equal(expected.Text, message.Text);
        Assert.Equal(expected.Attachments, message.Attachments.Select(a => $"{a.Type} {a.Url}"));
        Assert.False(message.FromPage);
        Assert.Equal("", message.ReplyToExternalId);
        Assert.Null(message.Latitude);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expected.TimestampMs), message.CreatedAt);
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void New_messages_with_text_pass_ingest_validation(string name)
    {
        var parsed = OkWebhookParser.Parse(WebhookFixtures.Read(Ok, name), GroupId);
        if (parsed.Message is not { } message || string.IsNullOrWhiteSpace(message.Text))
        {
            return;
        }

        var normalized = IngestValidation.Normalize(message, _now);
        Assert.Equal(MessageKind.PrivateMessage, normalized.Kind);
        Assert.Equal(MessageIdentity.Derive(Platform.Ok, GroupId, MessageKind.PrivateMessage, message.ExternalId),
            normalized.MessageId);
    }

    [Fact]
    public void The_page_is_the_group_of_the_webhook_url_trimmed()
    {
        var parsed = OkWebhookParser.Parse(WebhookFixtures.Read(Ok, "ok_message_created_text.docs.json"), $" {GroupId} ");
        Assert.Equal(GroupId, parsed.PageExternalId);
        Assert.Equal(GroupId, parsed.Message!.PageExternalId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_missing_group_is_a_wiring_error_not_a_bad_body(string groupId)
    {
        Assert.Throws<ArgumentException>(() => OkWebhookParser.Parse(Body("{}"), groupId));
    }

    [Theory]
    [InlineData("MESSAGE_CALLBACK")]
    [InlineData("CHAT_SYSTEM")]
    [InlineData("MESSAGE_EDITED")]
    [InlineData("message_created")]
    public void Other_webhook_types_are_ignored(string webhookType)
    {
        var parsed = OkWebhookParser.Parse(Body($$$"""{"webhookType":"{{{webhookType}}}","message":{"mid":"mid:1"}}"""), GroupId);

        Assert.Equal(WebhookEventKind.Ignored, parsed.Kind);
        Assert.Equal(webhookType, parsed.EventType);
        Assert.Equal("mid:1", parsed.EventId);
        Assert.Null(parsed.Message);
    }

    [Fact]
    public void A_location_attachment_gives_the_message_its_geo()
    {
        var parsed = OkWebhookParser.Parse(Body(
            """{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"mid:C1.1","attachments":[{"type":"LOCATION","payload":{"latitude":53.2001,"longitude":50.15}}]},"timestamp":1769001234567}"""),
            GroupId);

        var message = parsed.Message!;
        Assert.Equal(53.2001, message.Latitude);
        Assert.Equal(50.15, message.Longitude);
        Assert.Equal("location geo:53.2001,50.15", Assert.Single(message.Attachments.Select(a => $"{a.Type} {a.Url}")));
    }

    [Fact]
    public void A_sender_that_is_a_group_is_the_page_answering()
    {
        var parsed = OkWebhookParser.Parse(Body(
            """{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"group:70000001234567","name":"Администрация"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"mid:C1.2","text":"Ответ"},"timestamp":1769001234567}"""),
            GroupId);

        Assert.True(parsed.Message!.FromPage);
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("{", "body")]
    [InlineData("[]", "body")]
    [InlineData("\"MESSAGE_CREATED\"", "body")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED"} trailing""", "body")]
    [InlineData("{}", "webhookType")]
    [InlineData("""{"webhookType":5}""", "webhookType")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED"}""", "sender")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":"user:1"}""", "sender")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{}}""", "sender.user_id")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":123}}""", "sender.user_id")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1","name":5}}""", "sender.name")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"}}""", "recipient")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{}}""", "recipient.chat_id")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"}}""", "message")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"text":"a"}}""", "message.mid")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","text":7}}""", "message.text")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","text":"\udc00"}}""", "message.text")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","text":"a"}}""", "timestamp")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","text":"a"},"timestamp":"1769001234567"}""", "timestamp")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","text":"a"},"timestamp":-1}""", "timestamp")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","text":"a"},"timestamp":1.5}""", "timestamp")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","attachments":{}},"timestamp":1}""", "message.attachments")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","attachments":["IMAGE"]},"timestamp":1}""", "message.attachments[0]")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","attachments":[{"payload":{}}]},"timestamp":1}""", "message.attachments[0].type")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","attachments":[{"type":"IMAGE","payload":"x"}]},"timestamp":1}""", "message.attachments[0].payload")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","attachments":[{"type":"IMAGE"},{"type":"IMAGE","payload":{"url":5}}]},"timestamp":1}""", "message.attachments[1].payload.url")]
    [InlineData("""{"webhookType":"MESSAGE_CREATED","sender":{"user_id":"user:1"},"recipient":{"chat_id":"chat:C1"},"message":{"mid":"m","attachments":[{"type":"LOCATION","latitude":"53"}]},"timestamp":1}""", "message.attachments[0].latitude")]
    public void Malformed_bodies_are_refused_naming_the_field(string json, string field)
    {
        var ex = Assert.Throws<WebhookFormatException>(() => OkWebhookParser.Parse(Body(json), GroupId));
        Assert.StartsWith(field + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzed_bodies_only_ever_throw_WebhookFormatException()
    {
        var random = new Random(20260302);
        var seeds = WebhookFixtures.Names(Ok).Select(name => WebhookFixtures.Read(Ok, name)).ToArray();
        var parsed = 0;
        for (var i = 0; i < 2000; i++)
        {
            var body = WebhookFixtures.Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                Assert.NotNull(OkWebhookParser.Parse(body, GroupId));
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

        Assert.InRange(parsed, 200, 1900);
    }

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);

    private sealed record Expected(
        WebhookEventKind Kind,
        string EventType,
        string EventId,
        string ThreadId = "",
        string AuthorId = "",
        string AuthorName = "",
        string Text = "",
        IReadOnlyList<string>? AttachmentList = null,
        long TimestampMs = 0)
    {
        public IReadOnlyList<string> Attachments => AttachmentList ?? [];
    }
}
