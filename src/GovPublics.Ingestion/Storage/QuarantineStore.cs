using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Ingestion.Storage;

/// <summary>A refused webhook call as kept for staff.</summary>
public sealed record QuarantineEntry(string Id, string Platform, int Status, string Reason, string Body, bool Truncated, DateTimeOffset ReceivedAt);

/// <summary>
/// Refused webhook bodies (malformed, too large, unauthenticated) with the reason, in a capped stream: what a
/// platform really sent stays visible to staff without letting a flood grow Redis without bound.
/// </summary>
public sealed partial class QuarantineStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    public const int Capacity = 10_000;

    /// <summary>
    /// At most this many bytes of a body are kept, counted as stored (UTF-8, after invalid bytes became U+FFFD): a
    /// real platform event is a few KB, and a full quarantine stays within Capacity × 16 KiB (160 MiB) of Redis.
    /// </summary>
    public const int MaxBodyBytes = 16 * 1024;

    public async Task AddAsync(string platform, int status, string reason, ReadOnlyMemory<byte> body)
    {
        var (text, truncated) = Kept(body);
        await redis.GetDatabase().StreamAddAsync(keys.QuarantineStream,
        [
            new("platform", platform), new("status", status), new("reason", reason),
            new("body", text), new("truncated", truncated ? 1 : 0),
            new("received_at", time.GetUtcNow().ToUnixTimeMilliseconds()),
        ], maxLength: Capacity, useApproximateMaxLength: true);
    }

    /// <summary>
    /// The body as kept: decoded (invalid UTF-8 as U+FFFD), any secret member masked, and cut to
    /// <see cref="MaxBodyBytes"/> of UTF-8 at a character boundary.
    /// </summary>
    public static (string Text, bool Truncated) Kept(ReadOnlyMemory<byte> body)
    {
        var read = body.Length > MaxBodyBytes ? body[..MaxBodyBytes] : body;
        var text = Redacted(Encoding.UTF8.GetString(read.Span));
        var truncated = body.Length > MaxBodyBytes;
        if (Encoding.UTF8.GetByteCount(text) > MaxBodyBytes)
        {
            // Each invalid byte became a three-byte U+FFFD: cut by stored bytes, not by bytes received.
            var length = 0;
            var bytes = 0;
            while (length < text.Length)
            {
                var step = char.IsHighSurrogate(text[length]) && length + 1 < text.Length ? 2 : 1;
                var size = Encoding.UTF8.GetByteCount(text.AsSpan(length, step));
                if (bytes + size > MaxBodyBytes)
                {
                    break;
                }

                bytes += size;
                length += step;
            }

            text = text[..length];
            truncated = true;
        }

        return (text, truncated);
    }

    /// <summary>The text with the value of every <c>"secret"</c> JSON member replaced by <c>***</c>.</summary>
    public static string Redacted(string text)
    {
        try
        {
            return SecretMember().Replace(text, "$1***$2");
        }
        catch (RegexMatchTimeoutException)
        {
            // A body built to make the pattern slow: keep none of it rather than risk keeping a secret.
            return "[not kept: the body could not be checked for secrets]";
        }
    }

    /// <summary>Whether <paramref name="token"/> can be a page token of <see cref="ListAsync"/> (a stream entry id).</summary>
    public static bool IsPageToken(string token) => StreamEntryId().IsMatch(token);

    [GeneratedRegex(@"^\d{1,20}-\d{1,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex StreamEntryId();

    /// <summary>
    /// A JSON <c>"secret": "…"</c> member, or one cut off at the end of a truncated body. VK sends the community's
    /// secret in every body, and a body refused for any reason would otherwise show it to whoever lists the quarantine.
    /// </summary>
    [GeneratedRegex(@"(""secret""\s*:\s*"")(?:[^""\\]|\\.)*(""|\\?$)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SecretMember();

    /// <summary>Newest first, before the entry id <paramref name="before"/> (exclusive) when given; see <see cref="IsPageToken"/>.</summary>
    public async Task<(List<QuarantineEntry> Items, string? Next)> ListAsync(int pageSize, string? before)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(keys.QuarantineStream, "-", before is null ? "+" : "(" + before, pageSize + 1, Order.Descending);
        var items = entries.Take(pageSize).Select(e => new QuarantineEntry(
            e.Id.ToString(), e["platform"].ToString(), (int)e["status"], e["reason"].ToString(), e["body"].ToString(),
            e["truncated"] == 1, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(e["received_at"].ToString(), CultureInfo.InvariantCulture)))).ToList();
        return (items, entries.Length > pageSize ? items[^1].Id : null);
    }
}
