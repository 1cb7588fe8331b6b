using System.Globalization;
using System.Text;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Ingestion.Storage;

/// <summary>A refused webhook call as kept for staff.</summary>
public sealed record QuarantineEntry(string Id, string Platform, int Status, string Reason, string Body, bool Truncated, DateTimeOffset ReceivedAt);

/// <summary>
/// Refused webhook bodies (malformed, too large, unauthenticated) with the reason, in a capped stream: what a
/// platform really sent stays visible to staff without letting a flood grow Redis without bound.
/// </summary>
public sealed class QuarantineStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    public const int Capacity = 10_000;
    public const int MaxBodyBytes = 64 * 1024;

    public async Task AddAsync(string platform, int status, string reason, ReadOnlyMemory<byte> body)
    {
        var kept = body.Length > MaxBodyBytes ? body[..MaxBodyBytes] : body;
        await redis.GetDatabase().StreamAddAsync(keys.QuarantineStream,
        [
            new("platform", platform), new("status", status), new("reason", reason),
            new("body", Encoding.UTF8.GetString(kept.Span)), new("truncated", body.Length > MaxBodyBytes ? 1 : 0),
            new("received_at", time.GetUtcNow().ToUnixTimeMilliseconds()),
        ], maxLength: Capacity, useApproximateMaxLength: true);
    }

    /// <summary>Newest first, before the entry id <paramref name="before"/> (exclusive) when given.</summary>
    public async Task<(List<QuarantineEntry> Items, string? Next)> ListAsync(int pageSize, string? before)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(keys.QuarantineStream, "-", before is null ? "+" : "(" + before, pageSize + 1, Order.Descending);
        var items = entries.Take(pageSize).Select(e => new QuarantineEntry(
            e.Id.ToString(), e["platform"].ToString(), (int)e["status"], e["reason"].ToString(), e["body"].ToString(),
            e["truncated"] == 1, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(e["received_at"].ToString(), CultureInfo.InvariantCulture)))).ToList();
        return (items, entries.Length > pageSize ? items[^1].Id : null);
    }
}
