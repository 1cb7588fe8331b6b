using System.Diagnostics;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Domain.Moderation;
using GovPublics.Routing.Knowledge;
using GovPublics.Routing.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Routing.Pipeline;

/// <summary>
/// The routing consumer group on the <c>messages</c> stream: decides each message and stores the decision and
/// either appends it to <c>routed</c> or, when the classifier is not sure enough, puts it in the ЦУР moderation
/// queue without routing it; then acknowledges. A freshly read batch is decided in process and stored in one script
/// (one round trip for up to <see cref="StreamConsumerOptions.BatchSize"/> messages); an entry that cannot be
/// decided, and every retried entry, goes one by one.
/// </summary>
public sealed partial class RoutingConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    CatalogCache catalog,
    ClassifierHolder classifiers,
    MessageRouter router,
    DecisionStore decisions,
    IOptions<RoutingOptions> routing,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<RoutingConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "routing";

    protected override string Stream => keys.MessagesStream;

    protected override string Group => GroupName;

    /// <summary>Entries of one message in order; different messages concurrently (the one-by-one path).</summary>
    protected override string? OrderingKey(StreamEntry entry) => entry["id"].ToString();

    protected override string DeadLetterStream => keys.DeadLetter(keys.MessagesStream);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Routing without the catalogue would send everything to the fallback, and without knowledge it cannot
        // classify: wait for both.
        await catalog.WaitLoadedAsync(stoppingToken);
        await classifiers.WaitLoadedAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var decided = Decide(entry, catalog.Current, PipelineTelemetry.CurrentTraceParent());
        var outcomes = await decisions.StoreFirstAsync([decided]);
        LogOutcome(decided, outcomes[0]);
    }

    /// <summary>
    /// Decides every readable entry of the batch, each in its own span continuing the producer's trace (the span
    /// ends once the batch is stored), and stores all decisions in one script. An entry whose payload cannot be read
    /// or decided is left out and goes the one-by-one way, which dead-letters it with the reason.
    /// </summary>
    protected override async Task<IReadOnlyCollection<RedisValue>?> HandleManyAsync(StreamEntry[] entries, CancellationToken cancellationToken)
    {
        var snapshot = catalog.Current;
        var batch = new List<FirstDecision>(entries.Length);
        var handled = new HashSet<RedisValue>(entries.Length);
        var spans = new List<Activity>(entries.Length);
        var outer = Activity.Current;
        try
        {
            foreach (var entry in entries)
            {
                var span = PipelineTelemetry.StartConsume(ActivityName, entry[PipelineTelemetry.TraceParentField], Stream, entry.Id!);
                if (span is not null)
                {
                    spans.Add(span);
                }

                try
                {
                    batch.Add(Decide(entry, snapshot, PipelineTelemetry.CurrentTraceParent()));
                    handled.Add(entry.Id);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    span?.SetStatus(ActivityStatusCode.Error, ex.Message);
                    LogLeftForRetry(entry.Id.ToString(), ex.Message);
                }
                finally
                {
                    Activity.Current = outer;
                }
            }

            var outcomes = await decisions.StoreFirstAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                LogOutcome(batch[i], outcomes[i]);
            }

            return handled;
        }
        catch (Exception ex)
        {
            foreach (var span in spans)
            {
                span.SetStatus(ActivityStatusCode.Error, ex.Message);
            }

            throw;
        }
        finally
        {
            foreach (var span in spans)
            {
                span.Dispose();
            }

            Activity.Current = outer;
        }
    }

    private FirstDecision Decide(StreamEntry entry, CatalogSnapshot snapshot, string traceParent)
    {
        // The entry's bytes as read: parsed without a string, and passed on as they are in the routed entry.
        var json = (ReadOnlyMemory<byte>)entry["data"];
        var message = PipelineJson.Deserialize<CitizenMessage>(json.Span);
        var decision = router.Decide(message, snapshot);
        var item = decision.NeedsModeration
            ? ModerationItem.ForLowConfidence(message, decision,
                snapshot.FindPage(message.Platform, message.PageExternalId)?.OwnerAuthorityId ?? "",
                routing.Value.ModerationThreshold, Time.GetUtcNow())
            : null;
        return new FirstDecision(message, json, decision, item, entry.Id.ToString(), traceParent);
    }

    private void LogOutcome(FirstDecision decided, FirstDecisionOutcome outcome)
    {
        if (!Logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var d = decided.Decision;
        LogDecided(decided.Message.MessageId, outcome switch
        {
            FirstDecisionOutcome.Routed => "routed",
            FirstDecisionOutcome.Queued => "held for moderation",
            _ => "already decided before",
        }, d.IsIncident, d.Category, d.Subcategory, d.ResponsibleAuthorityId, d.Confidence);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Message {MessageId} {Outcome}: incident={IsIncident} {Category}/{Subcategory} → {Authority} (confidence {Confidence:F2})")]
    private partial void LogDecided(string messageId, string outcome, bool isIncident, string category, string subcategory, string authority, double confidence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entry {EntryId} could not be decided in its batch ({Reason}); it goes one by one")]
    private partial void LogLeftForRetry(string entryId, string reason);
}
