using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Sla.Workflow;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Sla.Pipeline;

/// <summary>
/// The SLA consumer group on <c>message-events</c> (edits, deletions and restorations ingestion recorded): the
/// incident's text follows an edit of its message, and a deletion or restoration is recorded in its history (the
/// incident stays; staff decide). The entry is acknowledged after the change is stored.
/// </summary>
public sealed class MessageEventsConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IncidentWorkflow workflow,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<MessageEventsConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(OptionsName), logger, time)
{
    /// <summary>The group: SLA's, on its own stream.</summary>
    public const string GroupName = "sla";

    /// <summary>The name of this consumer's <see cref="StreamConsumerOptions"/> (section <c>Sla:MessageEventsConsumer</c>).</summary>
    public const string OptionsName = "sla-message-events";

    protected override string Stream => keys.MessageEventsStream;

    protected override string Group => GroupName;

    /// <summary>Entries of one message in order; different messages concurrently.</summary>
    protected override string? OrderingKey(StreamEntry entry) => entry["id"].ToString();

    protected override string DeadLetterStream => keys.DeadLetter(keys.MessageEventsStream);

    protected override string ActivityName => "sla message-events process";

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var kind = entry["event"].ToString();
        var message = PipelineJson.Deserialize<CitizenMessage>(entry["data"].ToString());
        var changed = await workflow.ApplyMessageEventAsync(kind, message, cancellationToken);
        Logger.LogDebug("Message event {Kind} for {MessageId}: {Outcome}", kind, message.MessageId, changed ? "incident updated" : "no change");
    }
}
