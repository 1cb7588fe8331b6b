using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>A message as ingestion keeps it now: the latest text, and whether it was deleted on the platform.</summary>
public sealed record StoredMessage(CitizenMessage Message, bool Deleted);

/// <summary>
/// Reads ingestion's message records (written with the messages and message-events streams in one script). SLA
/// reads them once when it creates an incident, so an edit or deletion that arrived before the incident existed
/// still reaches it.
/// </summary>
public sealed class MessageRecords(IConnectionMultiplexer redis, RedisKeys keys)
{
    public async Task<StoredMessage?> GetAsync(string messageId)
    {
        var values = await redis.GetDatabase().HashGetAsync(keys.Message(messageId), ["data", "deleted_at"]);
        return values[0].IsNullOrEmpty
            ? null
            : new StoredMessage(PipelineJson.Deserialize<CitizenMessage>(values[0].ToString()), !values[1].IsNullOrEmpty);
    }
}
