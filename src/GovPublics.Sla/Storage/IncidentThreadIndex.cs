using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Sla.Domain.Incidents;
using StackExchange.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>
/// Incidents by platform thread (platform, page, thread id), and citizens' later messages that joined an incident
/// instead of becoming one. Both are written after the incident itself and idempotently (ZADD NX, SET NX), so a
/// redelivered routed entry repairs what a crash left undone.
/// </summary>
public sealed class IncidentThreadIndex(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>A lookup reads at most this many incidents of a thread, newest first.</summary>
    public const int MaxPerLookup = 200;

    /// <summary>Adds the incident to its thread's index; nothing for a message without a thread.</summary>
    public async Task AddAsync(string incidentId, Incident incident)
    {
        if (incident.ThreadId.Length == 0)
        {
            return;
        }

        var db = redis.GetDatabase();
        var score = incident.ReceivedAt.ToUnixTimeMilliseconds();
        var thread = db.SortedSetAddAsync(Key(incident.Platform, incident.PageExternalId, incident.ThreadId), incidentId, score, SortedSetWhen.NotExists);
        if (incident.AuthorId.Length > 0)
        {
            await db.SortedSetAddAsync(
                keys.IncidentsByThreadAuthor(EnumText.Format(incident.Platform), incident.PageExternalId, incident.ThreadId, incident.AuthorId),
                incidentId, score, SortedSetWhen.NotExists);
        }

        await thread;
    }

    /// <summary>A citizen's incidents in a thread, newest first, at most <paramref name="max"/>.</summary>
    /// <remarks>
    /// A popular post gathers hundreds of incidents from different people; a citizen writing again is matched
    /// against their own few only, so the cost of a comment does not grow with the thread.
    /// </remarks>
    public async Task<IReadOnlyList<Incident>> ByAuthorInThreadAsync(Platform platform, string pageExternalId, string threadId, string authorId, int max = 20)
    {
        if (threadId.Length == 0 || authorId.Length == 0)
        {
            return [];
        }

        var db = redis.GetDatabase();
        var ids = await db.SortedSetRangeByRankAsync(
            keys.IncidentsByThreadAuthor(EnumText.Format(platform), pageExternalId, threadId, authorId), 0, max - 1, Order.Descending);
        if (ids.Length == 0)
        {
            return [];
        }

        var records = await db.HashGetAsync(keys.IncidentRecords, ids);
        return [.. records.Where(r => !r.IsNullOrEmpty).Select(r => IncidentJson.Deserialize(r.ToString()))];
    }

    /// <summary>The thread's incidents, newest first, at most <see cref="MaxPerLookup"/>.</summary>
    public async Task<IReadOnlyList<Incident>> InThreadAsync(Platform platform, string pageExternalId, string threadId)
    {
        if (threadId.Length == 0)
        {
            return [];
        }

        var db = redis.GetDatabase();
        var ids = await db.SortedSetRangeByRankAsync(Key(platform, pageExternalId, threadId), 0, MaxPerLookup - 1, Order.Descending);
        if (ids.Length == 0)
        {
            return [];
        }

        var records = await db.HashGetAsync(keys.IncidentRecords, ids);
        return [.. records.Where(r => !r.IsNullOrEmpty).Select(r => IncidentJson.Deserialize(r.ToString()))];
    }

    /// <summary>How many of the page's replies a thread keeps (the newest); a thread this busy has no held comment's answer to find.</summary>
    public const int MaxRepliesKept = 100;

    /// <summary>How long a thread's replies are kept after its last one: longer than a comment waits in moderation.</summary>
    public static readonly TimeSpan RepliesKeptFor = TimeSpan.FromDays(30);

    // KEYS: the thread's replies. ARGV: the reply's JSON, its time (ms), how many to keep, how long (ms).
    // Adding the same reply again (a redelivered entry) changes nothing but the key's lifetime.
    private const string AddReplyScript = """
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """;

    /// <summary>Keeps a page's reply with its thread (bounded, idempotent); nothing for a reply without a thread.</summary>
    public async Task AddReplyAsync(CitizenMessage reply)
    {
        if (reply.ThreadId.Length == 0)
        {
            return;
        }

        await redis.GetDatabase().ScriptEvaluateAsync(AddReplyScript,
            [RepliesKey(reply.Platform, reply.PageExternalId, reply.ThreadId)],
            [PipelineJson.SerializeToUtf8(reply), reply.CreatedAt.ToUnixTimeMilliseconds(), MaxRepliesKept, (long)RepliesKeptFor.TotalMilliseconds]);
    }

    /// <summary>The page's replies kept for a thread that were written at or after <paramref name="since"/>, oldest first.</summary>
    public async Task<IReadOnlyList<CitizenMessage>> RepliesSinceAsync(Platform platform, string pageExternalId, string threadId, DateTimeOffset since)
    {
        if (threadId.Length == 0)
        {
            return [];
        }

        var values = await redis.GetDatabase().SortedSetRangeByScoreAsync(
            RepliesKey(platform, pageExternalId, threadId), since.ToUnixTimeMilliseconds(), double.PositiveInfinity, take: MaxRepliesKept);
        return [.. values.Select(v => PipelineJson.Deserialize<CitizenMessage>((byte[])v!))];
    }

    /// <summary>Records that <paramref name="messageId"/> joined incident <paramref name="incidentId"/>.</summary>
    public Task AttachAsync(string messageId, string incidentId) =>
        redis.GetDatabase().StringSetAsync(keys.IncidentByFollowUp(messageId), incidentId, when: When.NotExists);

    /// <summary>The incident <paramref name="messageId"/> joined as a follow-up, or null.</summary>
    public async Task<string?> AttachedToAsync(string messageId)
    {
        var id = await redis.GetDatabase().StringGetAsync(keys.IncidentByFollowUp(messageId));
        return id.IsNullOrEmpty ? null : id.ToString();
    }

    private string Key(Platform platform, string pageExternalId, string threadId) =>
        keys.IncidentsByThread(EnumText.Format(platform), pageExternalId, threadId);

    private string RepliesKey(Platform platform, string pageExternalId, string threadId) =>
        keys.PageRepliesByThread(EnumText.Format(platform), pageExternalId, threadId);
}
