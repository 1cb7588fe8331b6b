using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Workflow;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Sla.Pipeline;

/// <summary>
/// The SLA consumer group on the <c>routed</c> stream: a decision that is an incident becomes exactly one incident
/// with its deadlines, a newer decision for a message reroutes or dismisses its incident, a page's reply records the
/// first response, and a citizen writing again joins or reopens their incident (<see cref="IncidentWorkflow.ApplyRoutedAsync"/>).
/// The entry is acknowledged after the effect is stored, the incident's analytics counts included.
/// </summary>
public sealed class SlaConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    CatalogCache catalog,
    IncidentWorkflow workflow,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<SlaConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "sla";

    protected override string Stream => keys.RoutedStream;

    protected override string Group => GroupName;

    /// <summary>
    /// Entries of one platform thread in order (a follow-up or an official reply must see the incidents written before
    /// it in its thread); different threads concurrently. A message without a thread is its own lane.
    /// </summary>
    protected override string? OrderingKey(StreamEntry entry)
    {
        try
        {
            var message = PipelineJson.Deserialize<RoutedMessage>(entry["data"].ToString()).Message;
            return message.ThreadId.Length > 0
                ? $"{message.Platform}:{message.PageExternalId}:{message.ThreadId}"
                : message.MessageId;
        }
        catch (System.Text.Json.JsonException)
        {
            // Unreadable: the handler dead-letters it; its lane is its own.
            return entry.Id.ToString();
        }
    }

    protected override string DeadLetterStream => keys.DeadLetter(keys.RoutedStream);

    /// <summary>
    /// A deadline that needs a calendar year with no data is the system's fault, not the message's: the entry waits
    /// (retried every second, logged) until the year's calendar is added, instead of being dead-lettered.
    /// </summary>
    protected override bool IsTransient(Exception ex) => base.IsTransient(ex) || ex is CalendarYearNotLoadedException;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Deadlines need each authority's time zone and calendar from the catalogue.
        await catalog.WaitLoadedAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var routed = PipelineJson.Deserialize<RoutedMessage>(entry["data"].ToString());
        var outcome = await workflow.ApplyRoutedAsync(routed, cancellationToken);
        Logger.LogDebug("Routed entry {EntryId} for message {MessageId} (revision {Revision}): {Outcome}",
            entry.Id, routed.Message.MessageId, routed.Decision.Revision, outcome);
    }
}
