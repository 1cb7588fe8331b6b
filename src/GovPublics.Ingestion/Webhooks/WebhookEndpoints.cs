using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Ingestion.Domain;
using GovPublics.Ingestion.Domain.Webhooks;
using GovPublics.Ingestion.Storage;
using Grpc.Core;

namespace GovPublics.Ingestion.Webhooks;

/// <summary>
/// The platforms' webhooks, on the service's HTTP/1.1 endpoint (through the gateway's port 7080):
/// <c>POST /webhooks/vk</c> (Callback API: confirmation handshake, per-community secret in the body),
/// <c>POST /webhooks/telegram</c> or <c>/webhooks/telegram/{pageExternalId}</c> (Bot API:
/// <c>X-Telegram-Bot-Api-Secret-Token</c> header; the second form also takes citizens' private chats with the bot) and
/// <c>POST /webhooks/ok/{groupId}/{secret}</c> (OK Bot API: no signature, so the secret is in the path).
/// A platform is answered success only after the message is stored; 503 while Redis is away (it retries);
/// 400 for a body we cannot read, 413 over 1 MiB, 403 for a wrong secret, 404 for a page the registry does not
/// know, each with the reason, and every refused body goes to the quarantine.
/// </summary>
public static class WebhookEndpoints
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const string TelegramSecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    private static readonly Counter<long> _events = PipelineTelemetry.Meter.CreateCounter<long>(
        "govpublics.ingestion.webhook.events", description: "Webhook calls by platform, event type and outcome");

    public static IEndpointRouteBuilder MapPlatformWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhooks");
        group.MapPost("/vk", (HttpContext http, WebhookHandler handler) => handler.HandleVkAsync(http));
        group.MapPost("/telegram", (HttpContext http, WebhookHandler handler) => handler.HandleTelegramAsync(http, null));
        group.MapPost("/telegram/{pageExternalId}", (HttpContext http, string pageExternalId, WebhookHandler handler) =>
            handler.HandleTelegramAsync(http, pageExternalId));
        group.MapPost("/ok/{groupId}/{secret}", (HttpContext http, string groupId, string secret, WebhookHandler handler) =>
            handler.HandleOkAsync(http, groupId, secret));
        return app;
    }

    internal static void Count(string platform, string eventType, string outcome) =>
        _events.Add(1, new("platform", platform), new("event_type", eventType), new("outcome", outcome));
}

/// <summary>The work behind the webhook endpoints.</summary>
public sealed class WebhookHandler(
    WebhookCredentialsCache credentials,
    MessageStore messages,
    QuarantineStore quarantine,
    TimeProvider time,
    ILogger<WebhookHandler> logger)
{
    public async Task<IResult> HandleVkAsync(HttpContext http)
    {
        return await GuardAsync(http, "vk", async body =>
        {
            var callback = VkCallbackParser.Parse(body.Span);
            var page = await credentials.GetAsync(Platform.Vk, callback.Event.PageExternalId, http.RequestAborted);
            if (page is null)
            {
                return await RefuseAsync("vk", StatusCodes.Status404NotFound, $"community {callback.GroupId} is not a registered page", body);
            }

            if (page.Secret.Length == 0)
            {
                return await RefuseAsync("vk", StatusCodes.Status403Forbidden, $"no secret is set for community {callback.GroupId}: set it in the registry (SetPageSecret) and in the community's Callback API settings", body);
            }

            if (!SameSecret(callback.Secret, page.Secret))
            {
                return await RefuseAsync("vk", StatusCodes.Status403Forbidden, "wrong secret", body);
            }

            if (callback.Event.Kind == WebhookEventKind.Confirmation)
            {
                WebhookEndpoints.Count("vk", callback.Type, "confirmation");
                return page.ConfirmationCode.Length > 0
                    ? Results.Text(page.ConfirmationCode, "text/plain")
                    : await RefuseAsync("vk", StatusCodes.Status404NotFound, $"no confirmation string is set for community {callback.GroupId}", body);
            }

            await StoreAsync(callback.Event, page, $"vk:{callback.GroupId}:{callback.EventId}", callback.EventId.Length > 0);
            // VK wants exactly "ok" for every event it should not send again.
            return Results.Text("ok", "text/plain");
        });
    }

    /// <summary>
    /// A Telegram update. <paramref name="botPage"/> is the page the bot's webhook URL names
    /// (<c>/webhooks/telegram/{pageExternalId}</c>, the channel's id): a citizen's private chat with the bot belongs to
    /// that page, since the chat's own id is the citizen's. Group and channel updates belong to their chat's page.
    /// </summary>
    public async Task<IResult> HandleTelegramAsync(HttpContext http, string? botPage)
    {
        return await GuardAsync(http, "telegram", async body =>
        {
            var update = TelegramUpdateParser.Parse(body.Span);
            if (update.Message is { Kind: MessageKind.PrivateMessage } privateMessage)
            {
                if (botPage is null)
                {
                    // Acknowledged (Telegram would re-send it forever) but kept where staff look, not dropped unseen.
                    WebhookEndpoints.Count("telegram", update.EventType, "private_chat_without_page");
                    await QuarantineAsync("telegram", StatusCodes.Status200OK,
                        "a private chat with the bot, whose webhook URL names no page: set it to /webhooks/telegram/<the page's chat id> so private messages reach the page", body);
                    return Results.Ok();
                }

                // Message ids count per chat: the citizen's chat id keeps them apart within the page.
                update = update with
                {
                    PageExternalId = botPage,
                    Message = privateMessage with { PageExternalId = botPage, ExternalId = $"{privateMessage.ThreadId}:{privateMessage.ExternalId}" },
                };
            }

            var page = await credentials.GetAsync(Platform.Telegram, update.PageExternalId, http.RequestAborted);
            if (page is null && botPage is not null && update.PageExternalId == botPage)
            {
                return await RefuseAsync("telegram", StatusCodes.Status404NotFound, $"chat {botPage} in the webhook URL is not a registered page", body);
            }

            if (page is null)
            {
                // Updates of chats that are not registered pages (a bot added somewhere else, or a channel's
                // discussion group nobody registered) are acknowledged, or Telegram would re-send them; they are
                // counted, and those with a message are kept where staff look, so a missing registration shows.
                WebhookEndpoints.Count("telegram", update.EventType, "unknown_chat");
                if (update.Message is not null)
                {
                    await QuarantineAsync("telegram", StatusCodes.Status200OK,
                        $"chat {update.PageExternalId} is not a registered page; a channel's discussion group is registered as a page of its own with linked_external_id = the channel's id", body);
                }

                return Results.Ok();
            }

            var token = http.Request.Headers[WebhookEndpoints.TelegramSecretHeader].ToString();
            if (page.Secret.Length == 0 || !SameSecret(token, page.Secret))
            {
                return await RefuseAsync("telegram", StatusCodes.Status403Forbidden,
                    page.Secret.Length == 0 ? $"no secret token is set for chat {update.PageExternalId}" : $"wrong {WebhookEndpoints.TelegramSecretHeader}", body);
            }

            if (page.LinkedExternalId.Length > 0 && update.Message is { FromPage: false, Kind: MessageKind.Comment })
            {
                // A discussion group linked to the page's channel: a message sent on behalf of that channel is the
                // page answering, even as a reply to a citizen's comment. Only the registry knows the link.
                update = TelegramUpdateParser.Parse(body.Span, page.LinkedExternalId);
            }

            await StoreAsync(update, page, $"tg:{update.PageExternalId}:{update.EventId}", update.EventId.Length > 0);
            return Results.Ok();
        });
    }

    public async Task<IResult> HandleOkAsync(HttpContext http, string groupId, string secret)
    {
        return await GuardAsync(http, "ok", async body =>
        {
            var page = await credentials.GetAsync(Platform.Ok, groupId, http.RequestAborted);
            if (page is null)
            {
                return await RefuseAsync("ok", StatusCodes.Status404NotFound, $"group {groupId} is not a registered page", body);
            }

            if (page.Secret.Length == 0 || !SameSecret(secret, page.Secret))
            {
                return await RefuseAsync("ok", StatusCodes.Status403Forbidden, "wrong secret in the webhook URL", body);
            }

            var webhook = OkWebhookParser.Parse(body.Span, groupId);
            await StoreAsync(webhook, page, null, false);
            return Results.Ok();
        });
    }

    /// <summary>The common frame: size limit, body read, bad input, store outages.</summary>
    private async Task<IResult> GuardAsync(HttpContext http, string platform, Func<ReadOnlyMemory<byte>, Task<IResult>> handle)
    {
        ReadOnlyMemory<byte> body = default;
        try
        {
            var read = await ReadBodyAsync(http.Request, http.RequestAborted);
            if (read is null)
            {
                return await RefuseAsync(platform, StatusCodes.Status413PayloadTooLarge, $"the body is over {WebhookEndpoints.MaxBodyBytes} bytes", default);
            }

            body = read.Value;
            return await handle(body);
        }
        catch (WebhookFormatException ex)
        {
            return await RefuseAsync(platform, StatusCodes.Status400BadRequest, ex.Message, body);
        }
        catch (ValidationFailedException ex)
        {
            return await RefuseAsync(platform, StatusCodes.Status400BadRequest, ex.Message, body);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested
            && (RedisFailures.IsStoreFailure(ex) || ex is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded }))
        {
            // Not stored: the platform must send it again.
            logger.LogWarning(ex, "Webhook from {Platform} not stored: the store or the registry is unavailable", platform);
            WebhookEndpoints.Count(platform, "", "unavailable");
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporarily unavailable: nothing was stored, send it again.");
        }
    }

    private async Task StoreAsync(WebhookEvent e, PageCredentials page, string? deliveryKey, bool hasDeliveryId)
    {
        var key = hasDeliveryId ? deliveryKey : null;
        switch (e.Kind)
        {
            case WebhookEventKind.Ignored:
            case WebhookEventKind.Confirmation:
                WebhookEndpoints.Count(PlatformName(e.Platform), e.EventType, "ignored");
                return;
            case WebhookEventKind.New when page.Active:
                var message = IngestValidation.Normalize(WithText(e.Message!), time.GetUtcNow());
                var stored = await messages.StoreAsync(message, key);
                WebhookEndpoints.Count(PlatformName(e.Platform), e.EventType, stored.Duplicate ? "duplicate" : "stored");
                return;
            case WebhookEventKind.Edit or WebhookEventKind.Delete or WebhookEventKind.Restore when page.Active:
                var changed = IngestValidation.NormalizeEvent(WithText(e.Message!), time.GetUtcNow());
                var recorded = await messages.RecordEventAsync(e.Kind.ToString().ToLowerInvariant(), changed, key);
                WebhookEndpoints.Count(PlatformName(e.Platform), e.EventType, recorded ? e.Kind.ToString().ToLowerInvariant() : "duplicate");
                return;
            default:
                // An archived page: acknowledged so the platform stops, not stored.
                WebhookEndpoints.Count(PlatformName(e.Platform), e.EventType, "archived_page");
                return;
        }
    }

    /// <summary>
    /// A message with no text but with attachments (a photo comment) or a location (a pin sent in a chat) is kept,
    /// its text naming what it carries: refused, the platform would send it again and again.
    /// </summary>
    private static IncomingMessage WithText(IncomingMessage m) =>
        !string.IsNullOrWhiteSpace(m.Text) ? m
        : m.Attachments.Count > 0 ? m with { Text = "[" + string.Join(", ", m.Attachments.Select(a => a.Type).Distinct()) + "]" }
        : m.Latitude is not null ? m with { Text = "[geo]" }
        : m;

    private async Task<IResult> RefuseAsync(string platform, int status, string reason, ReadOnlyMemory<byte> body)
    {
        WebhookEndpoints.Count(platform, "", $"refused_{status}");
        logger.LogWarning("Webhook from {Platform} refused with {Status}: {Reason}", platform, status, reason);
        await QuarantineAsync(platform, status, reason, body);
        return Results.Problem(statusCode: status, title: reason);
    }

    /// <summary>Keeps the body for staff, best effort: the platform's answer never depends on it.</summary>
    private async Task QuarantineAsync(string platform, int status, string reason, ReadOnlyMemory<byte> body)
    {
        try
        {
            await quarantine.AddAsync(platform, status, reason, body);
        }
        catch (Exception ex) when (RedisFailures.IsStoreFailure(ex))
        {
            // Keeping the body is for staff; the answer is the platform's. A refusal is a refusal whether or not
            // the store is up (a 503 would make the platform send a bad body again, a 500 would be a lie).
            logger.LogWarning(ex, "A refused webhook body from {Platform} was not quarantined: the store is unavailable", platform);
            WebhookEndpoints.Count(platform, "", "quarantine_unavailable");
        }
    }

    /// <summary>The body, or null when it is over the limit (read no further than the limit).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > WebhookEndpoints.MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > WebhookEndpoints.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Constant-time comparison, so the time to refuse says nothing about how much of a guess was right.</summary>
    private static bool SameSecret(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private static string PlatformName(Platform platform) => EnumText.Format(platform);
}
