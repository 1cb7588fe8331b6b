using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Ingestion.Domain;
using GovPublics.Ingestion.Storage;

namespace GovPublics.Ingestion.Demo;

/// <summary>
/// Ingests the demo messages of <c>Ingestion:DemoMessagesFile</c> at start, through the same validation and store
/// as any message, so a freshly started suite has incidents to look at. Message ids are deterministic: a restart
/// stores nothing new. Off unless the file is configured (the app host sets it; tests do not).
/// </summary>
public sealed class DemoMessagesSeeder(
    IConfiguration configuration,
    MessageStore store,
    TimeProvider time,
    ILogger<DemoMessagesSeeder> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions _json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var file = configuration["Ingestion:DemoMessagesFile"];
        if (string.IsNullOrWhiteSpace(file))
        {
            return;
        }

        var path = Path.IsPathRooted(file) ? file : Path.Combine(AppContext.BaseDirectory, file);
        await using var stream = File.OpenRead(path);
        var document = await JsonSerializer.DeserializeAsync<DemoFile>(stream, _json, stoppingToken)
            ?? throw new InvalidDataException($"{path} is empty");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var stored = 0;
                foreach (var m in document.Messages)
                {
                    EnumText.TryParse<Platform>(m.Platform, out var platform);
                    var kind = m.Kind == "private_message" ? MessageKind.PrivateMessage : m.Kind == "page_post" ? MessageKind.PagePost : MessageKind.Comment;
                    var message = IngestValidation.Normalize(new IncomingMessage(platform, m.PageExternalId, kind, m.ExternalId, m.ThreadId,
                        m.AuthorId, m.AuthorName, m.Text, [], null, null, null, m.FromPage, m.ReplyToExternalId), time.GetUtcNow());
                    stored += (await store.StoreAsync(message, cancellationToken: stoppingToken)).Duplicate ? 0 : 1;
                }

                logger.LogInformation("Demo messages from {File}: {Stored} new of {Total}", path, stored, document.Messages.Count);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && RedisFailures.IsStoreFailure(ex))
            {
                logger.LogWarning(ex, "Redis unavailable while storing demo messages; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private sealed record DemoFile(List<DemoMessage> Messages);

    private sealed record DemoMessage(
        string Platform, string PageExternalId, string Kind, string ExternalId, string ThreadId, string AuthorId,
        string AuthorName, string Text, bool FromPage = false, string ReplyToExternalId = "");
}
