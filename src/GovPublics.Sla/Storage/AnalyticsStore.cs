using System.Globalization;
using GovPublics.Catalog;
using GovPublics.Sla.Domain.Analytics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>What recording a message's decision did to the incident counts.</summary>
public enum IncidentRecordOutcome
{
    /// <summary>Nothing: not an incident, or this decision (or a later one) was applied before.</summary>
    Unchanged = 0,

    /// <summary>Counted as an incident for the first time.</summary>
    Counted = 1,

    /// <summary>A later decision moved it (other authority, place or topic) or withdrew it.</summary>
    Moved = 2,
}

/// <summary>A post's engagement observation for <see cref="AnalyticsStore.ReportPostStatsAsync"/>.</summary>
public sealed record PostStatsObservation(Platform Platform, string PageExternalId, string PostExternalId, PostEngagement Engagement);

/// <summary>
/// The analytics facts in Redis, each kept by one script that is idempotent per message id: page posts (with
/// visuals and the latest engagement), citizens' comments and when the page answered them in their thread,
/// incident indexes per authority, and incident counts per territory × topic and day.
/// </summary>
public sealed class AnalyticsStore(IConnectionMultiplexer redis, AnalyticsKeys keys, IOptions<AnalyticsOptions> options)
{
    /// <summary>How long a recorded message is remembered; a redelivery comes within seconds, a month is plenty.</summary>
    private static readonly TimeSpan _seenFor = TimeSpan.FromDays(30);

    /// <summary>At most this many expired entries are trimmed per write, so trimming is spread over the writes.</summary>
    private const int TrimPerWrite = 100;

    // KEYS: seen, posts, visual posts, post stats. ARGV: seen ttl (s), post id, written (ms), visual (1/0), cutoff (ms), trim count.
    private const string PostScript = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
        if ARGV[4] == '1' then redis.call('SADD', KEYS[3], ARGV[2]) end
        local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))
        if #old > 0 then
          redis.call('ZREM', KEYS[2], unpack(old))
          redis.call('SREM', KEYS[3], unpack(old))
          redis.call('HDEL', KEYS[4], unpack(old))
        end
        return 1
        """;

    // A comment is answered by the page's first message in its thread written at or after it.
    // KEYS: seen, page comments, page answers, thread comments, thread replies.
    // ARGV: seen ttl (s), message id, written (ms), thread ttl (s), cutoff (ms), trim count.
    private const string CommentScript = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
        redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
        local reply = redis.call('ZRANGEBYSCORE', KEYS[5], ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
        if #reply > 0 then redis.call('HSET', KEYS[3], ARGV[2], reply[2]) end
        redis.call('EXPIRE', KEYS[4], ARGV[4])
        redis.call('EXPIRE', KEYS[5], ARGV[4])
        local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))
        if #old > 0 then
          redis.call('ZREM', KEYS[2], unpack(old))
          redis.call('HDEL', KEYS[3], unpack(old))
        end
        return 1
        """;

    // A reply at R answers exactly the comments written after the thread's previous reply (before R) and up to R:
    // earlier ones were answered by that previous reply. So a reply that arrives late still sets the right answers.
    // KEYS: seen, page answers, thread comments, thread replies. ARGV: seen ttl (s), message id, written (ms), thread ttl (s).
    private const string ReplyScript = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        local prev = redis.call('ZREVRANGEBYSCORE', KEYS[4], '(' .. ARGV[3], '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
        local low = '-inf'
        if #prev > 0 then low = '(' .. prev[2] end
        local answered = redis.call('ZRANGEBYSCORE', KEYS[3], low, ARGV[3])
        for _, id in ipairs(answered) do redis.call('HSET', KEYS[2], id, ARGV[3]) end
        redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
        redis.call('EXPIRE', KEYS[3], ARGV[4])
        redis.call('EXPIRE', KEYS[4], ARGV[4])
        return 1
        """;

    // A decision counts once per revision: a redelivery (same revision) or an older decision changes nothing; a later
    // one first takes back what the previous decision counted, then counts its own.
    // KEYS: decision marker, received index, awaiting, first-responded, authority index, day counts, sample list per cell.
    // ARGV: revision, incident (1/0), message id, received (ms), marker ttl (s), day expiry (unix s), cutoff (ms),
    //       cell count, cells...
    private const string DecisionScript = """
        local cur = redis.call('HGET', KEYS[1], 'rev')
        if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
        local was = redis.call('HGET', KEYS[1], 'inc') == '1'
        if was then
          local m = redis.call('HMGET', KEYS[1], 'auth', 'day', 'cells', 'samples')
          redis.call('ZREM', m[1], ARGV[3])
          for cell in string.gmatch(m[3] or '', '[^\n]+') do redis.call('HINCRBY', m[2], cell, -1) end
          for key in string.gmatch(m[4] or '', '[^\n]+') do redis.call('LREM', key, 0, ARGV[3]) end
        end
        if ARGV[2] == '1' then
          redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
          if not was and not redis.call('ZSCORE', KEYS[4], ARGV[3]) then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3]) end
          redis.call('ZADD', KEYS[5], ARGV[4], ARGV[3])
          redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[7])
          local n = tonumber(ARGV[8])
          local cells, samples = {}, {}
          for i = 1, n do
            redis.call('HINCRBY', KEYS[6], ARGV[8 + i], 1)
            redis.call('LPUSH', KEYS[6 + i], ARGV[3])
            redis.call('LTRIM', KEYS[6 + i], 0, 4)
            redis.call('EXPIREAT', KEYS[6 + i], ARGV[6])
            cells[i] = ARGV[8 + i]
            samples[i] = KEYS[6 + i]
          end
          if n > 0 then redis.call('EXPIREAT', KEYS[6], ARGV[6]) end
          redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'inc', '1', 'auth', KEYS[5], 'day', KEYS[6],
            'cells', table.concat(cells, '\n'), 'samples', table.concat(samples, '\n'))
        else
          if was then
            redis.call('ZREM', KEYS[2], ARGV[3])
            redis.call('ZREM', KEYS[3], ARGV[3])
          end
          redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'inc', '0')
          redis.call('HDEL', KEYS[1], 'auth', 'day', 'cells', 'samples')
        end
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        if ARGV[2] == '1' and not was then return 1 end
        return 2
        """;

    // KEYS: post stats, posts. ARGV: post id, observed (ms), "likes,comments,reposts,views". Returns {stored, post known}.
    private const string StatsScript = """
        local known = 0
        if redis.call('ZSCORE', KEYS[2], ARGV[1]) then known = 1 end
        local cur = redis.call('HGET', KEYS[1], ARGV[1])
        if cur and tonumber(string.match(cur, '^[^,]+')) >= tonumber(ARGV[2]) then return {0, known} end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ',' .. ARGV[3])
        return {1, known}
        """;

    private readonly AnalyticsOptions _options = options.Value;

    /// <summary>Records one routed message's post, comment or page reply facts, once per message id. Safe to repeat.</summary>
    public async Task RecordAsync(MessageFacts facts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var db = redis.GetDatabase();
        var cutoff = (now - _options.Retention).ToUnixTimeMilliseconds();
        var written = facts.WrittenAt.ToUnixTimeMilliseconds();
        var seenTtl = (long)_seenFor.TotalSeconds;
        var threadTtl = (long)TimeSpan.FromDays(_options.ThreadIdleDays).TotalSeconds;
        var (platform, page) = (facts.Platform, facts.PageExternalId);
        switch (facts.Role)
        {
            case MessageRole.PagePost:
                await db.ScriptEvaluateAsync(PostScript,
                    [keys.Seen(facts.MessageId), keys.Posts(platform, page), keys.VisualPosts(platform, page), keys.PostStats(platform, page)],
                    [seenTtl, facts.ExternalId, written, facts.HasVisuals ? 1 : 0, cutoff, TrimPerWrite]);
                break;
            case MessageRole.CitizenComment:
                await db.ScriptEvaluateAsync(CommentScript,
                    [
                        keys.Seen(facts.MessageId), keys.Comments(platform, page), keys.Answers(platform, page),
                        keys.ThreadComments(platform, page, facts.ThreadId), keys.ThreadReplies(platform, page, facts.ThreadId),
                    ],
                    [seenTtl, facts.MessageId, written, threadTtl, cutoff, TrimPerWrite]);
                break;
            case MessageRole.PageReply:
                await db.ScriptEvaluateAsync(ReplyScript,
                    [
                        keys.Seen(facts.MessageId), keys.Answers(platform, page),
                        keys.ThreadComments(platform, page, facts.ThreadId), keys.ThreadReplies(platform, page, facts.ThreadId),
                    ],
                    [seenTtl, facts.MessageId, written, threadTtl]);
                break;
        }
    }

    /// <summary>
    /// Counts the incident of a message (<paramref name="incident"/>), or takes it out when a later decision says it
    /// is none (null), once per decision revision. Safe to repeat. The SLA calls it for the messages it made incidents
    /// of, never for a follow-up or a reopening (they joined an incident counted already).
    /// </summary>
    public async Task<IncidentRecordOutcome> PlaceIncidentAsync(string messageId, int revision, IncidentPlacement? incident, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        // The first decision on a message that is no incident has nothing to count and nothing to take back.
        if (incident is null && revision == 0)
        {
            return IncidentRecordOutcome.Unchanged;
        }

        var db = redis.GetDatabase();
        var cutoff = (now - _options.Retention).ToUnixTimeMilliseconds();
        var day = incident?.Day ?? DateOnly.MinValue;
        var cells = incident?.Cells.Select(c => c.Key).ToList() ?? [];
        var dayExpiry = incident is null ? 0
            : new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).Add(_options.Retention).AddDays(1).ToUnixTimeSeconds();
        RedisKey[] scriptKeys =
        [
            keys.Decision(messageId), keys.IncidentsReceived, keys.AwaitingFirstResponse, keys.FirstResponded,
            keys.IncidentsOfAuthority(incident?.AuthorityId ?? ""), keys.TensionDay(day),
            .. cells.Select(c => (RedisKey)keys.TensionSamples(day, c)),
        ];
        RedisValue[] args =
        [
            revision, incident is null ? 0 : 1, messageId, incident?.ReceivedAt.ToUnixTimeMilliseconds() ?? 0,
            (long)_options.Retention.TotalSeconds, dayExpiry, cutoff, cells.Count, .. cells.Select(c => (RedisValue)c),
        ];
        var result = (int)await db.ScriptEvaluateAsync(DecisionScript, scriptKeys, args);
        return (IncidentRecordOutcome)result;
    }

    /// <summary>
    /// Keeps each observation unless a newer (or equally old) one of the same post is stored. Returns per item
    /// whether it was stored and whether the post itself is known.
    /// </summary>
    public async Task<IReadOnlyList<(bool Stored, bool PostKnown)>> ReportPostStatsAsync(IReadOnlyList<PostStatsObservation> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var db = redis.GetDatabase();
        var calls = items.Select(i => db.ScriptEvaluateAsync(StatsScript,
            [keys.PostStats(i.Platform, i.PageExternalId), keys.Posts(i.Platform, i.PageExternalId)],
            [
                i.PostExternalId, i.Engagement.ObservedAt.ToUnixTimeMilliseconds(),
                string.Create(CultureInfo.InvariantCulture, $"{i.Engagement.Likes},{i.Engagement.Comments},{i.Engagement.Reposts},{i.Engagement.Views}"),
            ])).ToList();
        var results = await Task.WhenAll(calls);
        return [.. results.Select(r => (RedisResult[])r!).Select(r => ((int)r[0] == 1, (int)r[1] == 1))];
    }

    /// <summary>A page's posts written in [from, to), with visuals and latest engagement.</summary>
    public async Task<IReadOnlyList<PostFacts>> PostsAsync(Platform platform, string pageExternalId, DateTimeOffset from, DateTimeOffset to)
    {
        var db = redis.GetDatabase();
        var posts = await db.SortedSetRangeByScoreWithScoresAsync(keys.Posts(platform, pageExternalId),
            from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), Exclude.Stop);
        if (posts.Length == 0)
        {
            return [];
        }

        var ids = posts.Select(p => p.Element).ToArray();
        var visual = db.SetContainsAsync(keys.VisualPosts(platform, pageExternalId), ids);
        var stats = db.HashGetAsync(keys.PostStats(platform, pageExternalId), ids);
        await Task.WhenAll(visual, stats);
        return [.. posts.Select((p, i) => new PostFacts(
            p.Element.ToString(), FromMs(p.Score), visual.Result[i], stats.Result[i].IsNullOrEmpty ? null : ParseStats(stats.Result[i].ToString())))];
    }

    /// <summary>Citizens' comments on a page written in [from, to), with when the page answered each.</summary>
    public async Task<IReadOnlyList<CommentFacts>> CommentsAsync(Platform platform, string pageExternalId, DateTimeOffset from, DateTimeOffset to)
    {
        var db = redis.GetDatabase();
        var comments = await db.SortedSetRangeByScoreWithScoresAsync(keys.Comments(platform, pageExternalId),
            from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), Exclude.Stop);
        if (comments.Length == 0)
        {
            return [];
        }

        var answers = await db.HashGetAsync(keys.Answers(platform, pageExternalId), [.. comments.Select(c => c.Element)]);
        return [.. comments.Select((c, i) => new CommentFacts(
            FromMs(c.Score), answers[i].IsNullOrEmpty ? null : FromMs(double.Parse(answers[i].ToString(), CultureInfo.InvariantCulture))))];
    }

    /// <summary>The incident counts per cell of each given day, in the order given.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<TensionCell, long>>> TensionDaysAsync(IReadOnlyList<DateOnly> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var db = redis.GetDatabase();
        var hashes = await Task.WhenAll(days.Select(d => db.HashGetAllAsync(keys.TensionDay(d))));
        return [.. hashes.Select(h => (IReadOnlyDictionary<TensionCell, long>)h
            .Where(e => (long)e.Value > 0)
            .ToDictionary(e => TensionCell.Parse(e.Name.ToString()), e => (long)e.Value))];
    }

    /// <summary>Message ids of the newest incidents of a cell over the given days, newest day first, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<string>> TensionSamplesAsync(TensionCell cell, IReadOnlyList<DateOnly> days, int max)
    {
        ArgumentNullException.ThrowIfNull(days);
        var db = redis.GetDatabase();
        var lists = await Task.WhenAll(days.OrderDescending().Select(d => db.ListRangeAsync(keys.TensionSamples(d, cell.Key), 0, max - 1)));
        return [.. lists.SelectMany(l => l).Select(v => v.ToString()).Distinct().Take(max)];
    }

    private static PostEngagement ParseStats(string value)
    {
        var parts = value.Split(',');
        if (parts.Length != 5)
        {
            throw new FormatException($"Stored post stats '{value}' do not have 5 parts.");
        }

        var n = parts.Select(p => long.Parse(p, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
        return new PostEngagement(n[1], n[2], n[3], n[4], DateTimeOffset.FromUnixTimeMilliseconds(n[0]));
    }

    private static DateTimeOffset FromMs(double ms) => DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
}
