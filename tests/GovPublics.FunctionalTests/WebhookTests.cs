using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Ingestion.Grpc;
using GovPublics.Ingestion.Webhooks;
using GovPublics.Registry.Grpc;
using GovPublics.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace GovPublics.FunctionalTests;

/// <summary>The platforms' webhooks on ingestion's HTTP port, with real payloads and a real registry.</summary>
public sealed class WebhookTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string VkGroup = "208424532";      // vk-adm-tolyatti in the seed
    private const string TelegramChat = "-1002438824230"; // tg-adm-samara
    private const string OkGroup = "70000415827194";  // ok-adm-tolyatti
    private const string Secret = "vk_secret-Tlt-2026";
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private ServiceHost<IngestionGrpcService> _ingestion = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        var registry = new RegistryService.RegistryServiceClient(_registry.Channel);
        await Eventually.GrpcReady(() => registry.ListPagesAsync(new ListPagesRequest { PageSize = 1 }).ResponseAsync);
        foreach (var (platform, id, confirmation) in new[] { (Platform.Vk, "-" + VkGroup, "c0nf1rm"), (Platform.Telegram, TelegramChat, ""), (Platform.Ok, OkGroup, "") })
        {
            var page = (await registry.ResolvePageAsync(new ResolvePageRequest { Platform = platform, ExternalId = id })).Page;
            if (!page.HasSecret)
            {
                await registry.SetPageSecretAsync(new SetPageSecretRequest { PageId = page.Id, Version = page.Version, Secret = Secret, ConfirmationCode = confirmation });
            }
        }

        _ingestion = new ServiceHost<IngestionGrpcService>(redis.Server.ConnectionString,
            new Dictionary<string, string?> { ["Registry:Address"] = _registry.GrpcAddress });
        _http = _ingestion.CreateHttpClient();
        await Eventually.True(async () => (await _http.GetAsync("/health")).IsSuccessStatusCode, "ingestion healthy (catalogue loaded)");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _ingestion.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private static string FixturesDir([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "GovPublics.UnitTests", "Ingestion", "Fixtures");

    /// <summary>A real VK payload, addressed to the registered community with the secret and a fresh event id.</summary>
    private static string Vk(string fixture, string? secret = Secret, string? eventId = null, Action<JsonObject>? edit = null)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDir(), "vk", fixture)))!.AsObject();
        json["group_id"] = long.Parse(VkGroup, System.Globalization.CultureInfo.InvariantCulture);
        json["event_id"] = eventId ?? Guid.NewGuid().ToString("N");
        if (secret is not null)
        {
            json["secret"] = secret;
        }

        edit?.Invoke(json);
        return json.ToJsonString();
    }

    private Task<HttpResponseMessage> Post(string path, string body, string? telegramSecret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (telegramSecret is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", telegramSecret);
        }

        return _http.SendAsync(request);
    }

    private Task<long> Messages() => redis.Db.StreamLengthAsync("gp:{63}:messages");

    private Task<long> Events() => redis.Db.StreamLengthAsync("gp:{63}:message-events");

    [Fact]
    public async Task The_VK_confirmation_handshake_answers_the_communitys_string()
    {
        var response = await Post("/webhooks/vk", Vk("vk_confirmation.vksdk.json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("c0nf1rm", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_VK_comment_is_stored_once_and_answered_ok_even_when_VK_sends_it_again()
    {
        var before = await Messages();
        var body = Vk("vk_wall_reply_new.vknet.json", eventId: "evt-comment-1", edit: j => j["object"]!["id"] = 70001);
        var first = await Post("/webhooks/vk", body);
        Assert.Equal("ok", await first.Content.ReadAsStringAsync());
        var again = await Post("/webhooks/vk", body);
        Assert.Equal("ok", await again.Content.ReadAsStringAsync());
        Assert.Equal(before + 1, await Messages());
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_event_store_it_once()
    {
        var before = await Messages();
        var body = Vk("vk_wall_reply_new.vknet.json", eventId: "evt-race", edit: j => j["object"]!["id"] = 70004);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ => await (await Post("/webhooks/vk", body)).Content.ReadAsStringAsync()));
        Assert.All(answers, a => Assert.Equal("ok", a));
        Assert.Equal(before + 1, await Messages());
    }

    [Fact]
    public async Task Both_shapes_of_message_new_are_one_message_and_a_community_reply_is_the_pages_own()
    {
        var before = await Messages();
        foreach (var fixture in new[] { "vk_message_new_5_103.vknet.json", "vk_message_new_legacy.vknet-adapted.json", "vk_wall_reply_new_community.adapted.json" })
        {
            var response = await Post("/webhooks/vk", Vk(fixture));
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        // The API 5.103 and the older shape carry the same message: stored once.
        Assert.Equal(before + 2, await Messages());
        var last = (await redis.Db.StreamRangeAsync("gp:{63}:messages", "-", "+", 1, StackExchange.Redis.Order.Descending))[0];
        Assert.Contains("\"from_page\":true", last["data"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_comment_deleted_before_its_own_event_got_through_does_not_come_in_afterwards_until_restored()
    {
        // VK's wall_reply_new met a 503 (Redis away); the citizen deleted the comment; then VK's retry of the
        // wall_reply_new arrives. No incident should be made of a comment that no longer exists.
        var messages = await Messages();
        var delete = await Post("/webhooks/vk", Vk("vk_wall_reply_delete.vknet.json", edit: j => j["object"]!["id"] = 70301));
        Assert.Equal("ok", await delete.Content.ReadAsStringAsync());
        var late = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", edit: j => j["object"]!["id"] = 70301));
        Assert.Equal("ok", await late.Content.ReadAsStringAsync());
        Assert.Equal(messages, await Messages());

        // Restored on the platform: now it is a message like any other.
        var restore = await Post("/webhooks/vk", Vk("vk_wall_reply_restore.vknet.json", edit: j => j["object"]!["id"] = 70301));
        Assert.Equal("ok", await restore.Content.ReadAsStringAsync());
        Assert.Equal(messages + 1, await Messages());
    }

    [Fact]
    public async Task Edits_and_deletions_are_recorded_without_a_new_message()
    {
        await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", edit: j => j["object"]!["id"] = 70002));
        var messages = await Messages();
        var events = await Events();
        var edit = await Post("/webhooks/vk", Vk("vk_wall_reply_edit.vknet.json", edit: j =>
        {
            j["object"]!["id"] = 70002;
            j["object"]!["post_id"] = 6;
            j["object"]!["post_owner_id"] = -1234;
        }));
        Assert.Equal("ok", await edit.Content.ReadAsStringAsync());
        var delete = await Post("/webhooks/vk", Vk("vk_wall_reply_delete.vknet.json", edit: j => j["object"]!["id"] = 70002));
        Assert.Equal("ok", await delete.Content.ReadAsStringAsync());
        Assert.Equal(messages, await Messages());
        Assert.Equal(events + 2, await Events());
    }

    [Fact]
    public async Task Event_types_we_do_not_use_are_acknowledged_and_not_stored()
    {
        var before = await Messages();
        var response = await Post("/webhooks/vk", Vk("vk_group_join.vkwave.json"));
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await Messages());
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_and_quarantined()
    {
        var response = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", secret: "guess"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("wrong secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var missing = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", secret: null));
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);

        var quarantine = await new IngestionService.IngestionServiceClient(_ingestion.Channel).ListQuarantineAsync(new ListQuarantineRequest { PageSize = 10 });
        Assert.Contains(quarantine.Requests, q => q.Platform == "vk" && q.Status == 403 && q.Body.Contains("\"secret\":\"***\"", StringComparison.Ordinal));
        Assert.DoesNotContain(quarantine.Requests, q => q.Body.Contains("guess", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_body_with_the_right_secret_is_quarantined_without_it()
    {
        var response = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", edit: j => j["object"]!["post_id"] = "six"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var quarantine = await new IngestionService.IngestionServiceClient(_ingestion.Channel).ListQuarantineAsync(new ListQuarantineRequest { PageSize = 50 });
        Assert.Contains(quarantine.Requests, q => q.Status == 400 && q.Body.Contains("\"six\"", StringComparison.Ordinal));
        Assert.DoesNotContain(quarantine.Requests, q => q.Body.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_token_no_response_gave_is_invalid_argument_naming_it()
    {
        var client = new IngestionService.IngestionServiceClient(_ingestion.Channel);
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ListQuarantineAsync(new ListQuarantineRequest { PageToken = "abc" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["page_token"], FieldViolations.Of(ex));
    }

    [Fact]
    public async Task VK_posts_and_messages_without_text_of_their_own_are_stored_and_chat_service_messages_acknowledged()
    {
        var before = await Messages();

        // A community reposting another page's news without a word, as official pages do every day.
        var repost = await Post("/webhooks/vk", Vk("vk_wall_repost.written.json", edit: j =>
        {
            j["object"]!["id"] = 70101;
            j["object"]!["text"] = "";
        }));
        Assert.Equal("ok", await repost.Content.ReadAsStringAsync());

        // A citizen forwarding a neighbour's message, and one sending only a location pin.
        var forwarded = await Post("/webhooks/vk", Vk("vk_message_new_attachments_geo.written.json", edit: j =>
        {
            var message = j["object"]!["message"]!;
            message["id"] = 70102;
            message["text"] = "";
            message["attachments"] = new JsonArray();
            message.AsObject().Remove("geo");
            message["fwd_messages"] = new JsonArray(new JsonObject { ["from_id"] = 5, ["text"] = "Третий день нет горячей воды на Ленина, 12" });
        }));
        Assert.Equal("ok", await forwarded.Content.ReadAsStringAsync());
        var pin = await Post("/webhooks/vk", Vk("vk_message_new_attachments_geo.written.json", edit: j =>
        {
            var message = j["object"]!["message"]!;
            message["id"] = 70103;
            message["text"] = "";
            message["attachments"] = new JsonArray();
        }));
        Assert.Equal("ok", await pin.Content.ReadAsStringAsync());

        // A chat's service message (someone left the chat) has nothing to store, and VK must not send it again.
        var service = await Post("/webhooks/vk", Vk("vk_message_new_legacy_chat.vksdk.json"));
        Assert.Equal("ok", await service.Content.ReadAsStringAsync());

        var texts = (await redis.Db.StreamRangeAsync("gp:{63}:messages", count: 1000, messageOrder: Order.Descending))
            .Take((int)(await Messages() - before))
            .Select(e => JsonNode.Parse(e["data"].ToString())!["text"]!.GetValue<string>())
            .ToList();
        Assert.Equal(3, texts.Count);
        Assert.Contains("[repost] Опрос: как убирают снег в вашем дворе?", texts);
        Assert.Contains("[forwarded] Третий день нет горячей воды на Ленина, 12", texts);
        Assert.Contains("[geo]", texts);
    }

    [Fact]
    public async Task Unknown_pages_are_not_remembered_however_many_are_tried()
    {
        var cache = _ingestion.Services.GetRequiredService<WebhookCredentialsCache>();
        var before = cache.Count;
        for (var i = 0; i < 50; i++)
        {
            var response = await Post($"/webhooks/ok/{new string('9', 200)}{i}/s", "{}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(before, cache.Count);
    }

    [Fact]
    public async Task Malformed_bodies_are_400_with_the_reason_and_huge_ones_413_never_5xx()
    {
        var notJson = await Post("/webhooks/vk", "{\"type\": \"wall_reply_new\", ");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        var wrongType = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", edit: j => j["object"]!["post_id"] = "six"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("post_id", await wrongType.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var huge = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", edit: j => j["object"]!["text"] = new string('я', 700_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        var unknown = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", edit: j => j["group_id"] = 1));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var quarantine = await new IngestionService.IngestionServiceClient(_ingestion.Channel).ListQuarantineAsync(new ListQuarantineRequest { PageSize = 50 });
        Assert.Contains(quarantine.Requests, q => q.Status == 400 && q.Reason.Contains("post_id", StringComparison.Ordinal));
        Assert.Contains(quarantine.Requests, q => q.Status == 413);
    }

    [Fact]
    public async Task Private_chats_with_the_bot_reach_the_page_its_webhook_URL_names()
    {
        JsonObject PrivateMessage(long citizen, int messageId, string text)
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDir(), "telegram", "tg_message_private.teloxide.json")))!.AsObject();
            json["update_id"] = Random.Shared.Next();
            json["message"]!["chat"]!["id"] = citizen;
            json["message"]!["from"]!["id"] = citizen;
            json["message"]!["message_id"] = messageId;
            json["message"]!["text"] = text;
            return json;
        }

        var before = await Messages();
        // Two citizens' chats with the bot: message ids count per chat, so both are 7.
        var first = PrivateMessage(70201, 7, "Здравствуйте, во дворе на Садовой не вывозят мусор неделю");
        var second = PrivateMessage(70202, 7, "Не горит фонарь у школы №5");
        Assert.Equal(HttpStatusCode.Forbidden, (await Post($"/webhooks/telegram/{TelegramChat}", first.ToJsonString(), "nope")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post($"/webhooks/telegram/{TelegramChat}", first.ToJsonString(), Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post($"/webhooks/telegram/{TelegramChat}", second.ToJsonString(), Secret)).StatusCode);
        Assert.Equal(before + 2, await Messages());
        var stored = (await redis.Db.StreamRangeAsync("gp:{63}:messages", count: 2, messageOrder: Order.Descending))
            .Select(e => JsonNode.Parse(e["data"].ToString())!).ToList();
        Assert.All(stored, m => Assert.Equal(TelegramChat, m["page_external_id"]!.GetValue<string>()));
        Assert.Equal(["70201:7", "70202:7"], stored.Select(m => m["external_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        // A URL naming a chat that is no page is refused; the plain URL cannot place a private chat, which is
        // acknowledged and kept in the quarantine with the way to fix it.
        Assert.Equal(HttpStatusCode.NotFound, (await Post("/webhooks/telegram/-100999", PrivateMessage(70203, 1, "тест").ToJsonString(), Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post("/webhooks/telegram", PrivateMessage(70204, 1, "тест").ToJsonString(), Secret)).StatusCode);
        Assert.Equal(before + 2, await Messages());
        var quarantine = await new IngestionService.IngestionServiceClient(_ingestion.Channel).ListQuarantineAsync(new ListQuarantineRequest { PageSize = 10 });
        Assert.Contains(quarantine.Requests, q => q.Platform == "telegram" && q.Status == 200 && q.Reason.Contains("/webhooks/telegram/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_in_a_chat_that_is_no_page_is_acknowledged_and_kept_for_staff()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDir(), "telegram", "tg_discussion_comment.docs.json")))!.AsObject();
        json["update_id"] = Random.Shared.Next();
        json["message"]!["chat"]!["id"] = -1009876543210;
        var before = await Messages();
        Assert.Equal(HttpStatusCode.OK, (await Post("/webhooks/telegram", json.ToJsonString(), Secret)).StatusCode);
        Assert.Equal(before, await Messages());
        var quarantine = await new IngestionService.IngestionServiceClient(_ingestion.Channel).ListQuarantineAsync(new ListQuarantineRequest { PageSize = 10 });
        Assert.Contains(quarantine.Requests, q => q.Platform == "telegram" && q.Status == 200 && q.Reason.Contains("-1009876543210", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Telegram_updates_need_the_secret_token_header()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDir(), "telegram", "tg_message_text.official.json")))!.AsObject();
        json["update_id"] = Random.Shared.Next();
        json["message"]!["chat"]!["id"] = long.Parse(TelegramChat, System.Globalization.CultureInfo.InvariantCulture);
        json["message"]!["chat"]!["type"] = "supergroup";
        json["message"]!["message_id"] = Random.Shared.Next();
        var before = await Messages();
        Assert.Equal(HttpStatusCode.Forbidden, (await Post("/webhooks/telegram", json.ToJsonString(), "nope")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post("/webhooks/telegram", json.ToJsonString(), Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post("/webhooks/telegram", json.ToJsonString(), Secret)).StatusCode);
        Assert.Equal(before + 1, await Messages());
    }

    [Fact]
    public async Task In_a_discussion_group_linked_to_the_pages_channel_the_channels_reply_to_a_comment_is_the_official_answer()
    {
        // The group and its channel as in the fixture; the registry knows the link, the update alone does not say it.
        const string group = "-1001500000002", channel = "-1001500000001";
        var registry = new RegistryService.RegistryServiceClient(_registry.Channel);
        var bad = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => registry.CreatePageAsync(new CreatePageRequest
        {
            Page = new Page { Id = "vk-linked-" + Guid.NewGuid().ToString("N")[..6], Platform = Platform.Vk, ExternalId = "91234567", Title = "x", Kind = PageKind.Authority, OwnerAuthorityId = "minzdrav", LinkedExternalId = channel },
        }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("linked_external_id", bad.Status.Detail, StringComparison.Ordinal);

        var created = await registry.CreatePageAsync(new CreatePageRequest
        {
            Page = new Page
            {
                Id = "tg-minzdrav-discussion", Platform = Platform.Telegram, ExternalId = group, Title = "Минздрав — обсуждение",
                Kind = PageKind.Authority, OwnerAuthorityId = "minzdrav", CommentsOpen = true, Status = PageStatus.Active, LinkedExternalId = channel,
            },
        });
        Assert.Equal(channel, created.LinkedExternalId);
        await registry.SetPageSecretAsync(new SetPageSecretRequest { PageId = created.Id, Version = created.Version, Secret = Secret });

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDir(), "telegram", "tg_discussion_official_reply_to_comment.docs.json")))!.AsObject();
        json["update_id"] = Random.Shared.Next();
        // Until the new page reaches ingestion, its chat is unknown and the update is acknowledged and dropped (as
        // Telegram must not re-send it); Telegram's retry after the page is known is stored. Other tests of this
        // class store messages too: find this one by its page.
        JsonNode? message = null;
        await Eventually.True(async () =>
        {
            var response = await Post("/webhooks/telegram", json.ToJsonString(), Secret);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            message = (await redis.Db.StreamRangeAsync("gp:{63}:messages"))
                .Select(e => JsonNode.Parse(e["data"].ToString())!)
                .SingleOrDefault(m => m["page_external_id"]!.GetValue<string>() == group);
            return message is not null;
        }, "the update stored once the page is known");
        Assert.Equal("Comment", message!["kind"]!.GetValue<string>());
        Assert.True(message["from_page"]?.GetValue<bool>(), $"the channel's reply in its linked group is the page's: {message}");
    }

    [Fact]
    public async Task OK_messages_carry_the_secret_in_the_path()
    {
        var body = File.ReadAllText(Path.Combine(FixturesDir(), "ok", "ok_message_created_text.docs.json"));
        var before = await Messages();
        Assert.Equal(HttpStatusCode.Forbidden, (await Post($"/webhooks/ok/{OkGroup}/wrong", body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post($"/webhooks/ok/{OkGroup}/{Secret}", body)).StatusCode);
        Assert.Equal(before + 1, await Messages());
    }

    [Fact]
    public async Task While_Redis_is_away_the_platform_gets_503_and_its_retry_is_stored()
    {
        var body = Vk("vk_wall_reply_new.vknet.json", edit: j => j["object"]!["id"] = 70003);
        // The community's credentials are known from an earlier event (a secret cannot be checked while the
        // registry's store is away: that is a 503 too).
        Assert.Equal("ok", await (await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", edit: j => j["object"]!["id"] = 70005))).Content.ReadAsStringAsync());
        await redis.Server.StopAsync();
        try
        {
            var response = await Post("/webhooks/vk", body);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

            // A refusal does not depend on the store: it is the same answer, only not quarantined.
            var malformed = await Post("/webhooks/vk", "{\"type\": ");
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            var forged = await Post("/webhooks/vk", Vk("vk_wall_reply_new.vknet.json", secret: "guess"));
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }
        finally
        {
            await redis.Server.StartAgainAsync();
        }

        await Eventually.True(async () => await (await Post("/webhooks/vk", body)).Content.ReadAsStringAsync() == "ok", "the retry to be stored");
        var entries = await redis.Db.StreamRangeAsync("gp:{63}:messages");
        Assert.Single(entries, e => e["data"].ToString().Contains("_70003\"", StringComparison.Ordinal));
    }
}
