using System.Runtime.CompilerServices;
using GovPublics.Common.Redis;
using GovPublics.Routing.Domain.Moderation;
using StackExchange.Redis;

namespace GovPublics.Routing.Storage;

/// <summary>
/// Reads the labelled corrections: one per message (its latest), written by the moderation and re-route scripts,
/// in the order they were last corrected.
/// </summary>
public sealed class CorrectionStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    private const int Chunk = 500;

    /// <summary>Every correction made at or after <paramref name="since"/> (all when null), oldest first.</summary>
    public async IAsyncEnumerable<LabelledCorrection> ReadAllAsync(DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        double cursor = 0;
        // A message corrected again during the export moves to the end of the order: give it once.
        var given = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = await db.SortedSetRangeByScoreWithScoresAsync(keys.CorrectionsOrder, cursor, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, Chunk);
            if (chunk.Length == 0)
            {
                yield break;
            }

            var values = await db.HashGetAsync(keys.Corrections, [.. chunk.Select(e => e.Element)]);
            foreach (var value in values)
            {
                if (value.IsNullOrEmpty)
                {
                    continue; // removed meanwhile: the message's latest decision agrees with the classifier again
                }

                var correction = RoutingJson.Deserialize<LabelledCorrection>(value.ToString());
                if ((since is null || correction.At >= since) && given.Add(correction.MessageId))
                {
                    yield return correction;
                }
            }

            cursor = chunk[^1].Score;
            if (chunk.Length < Chunk)
            {
                yield break;
            }
        }
    }
}
