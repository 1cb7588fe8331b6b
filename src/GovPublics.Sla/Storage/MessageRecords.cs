using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>A message as ingestion keeps it now: the latest text, and whether it was deleted on the platform.</summary>
public sealed record StoredMessage(CitizenMessage Message, bool Deleted);

/// <summary>
/// Reads ingestion's message records (written with the messages and message-events streams in one script). SLA
/// reads them once when it creates an incident, so an edit or deletion that arrived before the incident existed
/// still reaches it. A record holds the edited JSON only after an edit; the message as received is its entry on the
/// messages stream, which the record points to.
/// </summary>
public sealed class MessageRecords(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>The message as ingestion keeps it now, or null when it was neither edited nor deleted (or is unknown).</summary>
    public async Task<StoredMessage?> GetAsync(string messageId)
    {
        var db = redis.GetDatabase();
        var values = await db.HashGetAsync(keys.Message(messageId), ["data", "deleted_at", "entry"]);
        var deleted = !values[1].IsNullOrEmpty;
        if (!values[0].IsNullOrEmpty)
        {
            return new StoredMessage(PipelineJson.Deserialize<CitizenMessage>(values[0].ToString()), deleted);
        }

        if (!deleted || values[2].IsNullOrEmpty)
        {
            return null;
        }

        // Deleted, never edited: the message as received, from its stream entry.
        var entry = (await db.StreamRangeAsync(keys.MessagesStream, values[2], values[2], 1)).FirstOrDefault();
        return entry.IsNull ? null : new StoredMessage(PipelineJson.Deserialize<CitizenMessage>(entry["data"].ToString()), deleted);
    }
}
