using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Common.Pipeline;

/// <summary>Settings of one stream consumer.</summary>
public sealed class StreamConsumerOptions
{
    /// <summary>Entries read per poll.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Longest pause between polls of an empty stream.</summary>
    public TimeSpan MaxPollDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>An entry delivered but not acknowledged for this long is taken over and retried.</summary>
    public TimeSpan ClaimIdle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After this many failed deliveries an entry goes to the dead-letter stream.</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>
    /// How many entries of a batch are handled at once, when the consumer names an ordering key (entries with the
    /// same key are always handled one after another, in stream order). 1 handles every entry in turn.
    /// </summary>
    public int Parallelism { get; set; } = 16;

    /// <summary>
    /// How many batches are read and handled at once by this replica. Only for consumers whose entries need no
    /// order across batches (a later batch may be stored before an earlier one): with one batch at a time the
    /// replica alternates between its own work and waiting for Redis, so neither keeps a core busy.
    /// </summary>
    public int ConcurrentBatches { get; set; } = 1;

    /// <summary>This consumer's name in the group; unique per replica.</summary>
    public string ConsumerName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>
/// Consumes a Redis stream in a consumer group with at-least-once delivery: an entry is acknowledged only after
/// <see cref="HandleAsync"/> stored its effect (handlers are idempotent by message id, so a redelivery after a
/// crash does no harm); entries left pending by a dead replica are reclaimed after <see cref="StreamConsumerOptions.ClaimIdle"/>;
/// an entry that keeps failing moves to the dead-letter stream with the reason, and the pipeline goes on.
/// </summary>
public abstract class RedisStreamConsumer : BackgroundService
{
    private static readonly Counter<long> _processed = PipelineTelemetry.Meter.CreateCounter<long>(
        "govpublics.pipeline.entries.processed", description: "Stream entries handled and acknowledged");

    private static readonly Counter<long> _failed = PipelineTelemetry.Meter.CreateCounter<long>(
        "govpublics.pipeline.entries.failed", description: "Stream entry deliveries that failed");

    private static readonly Counter<long> _deadLettered = PipelineTelemetry.Meter.CreateCounter<long>(
        "govpublics.pipeline.entries.dead_lettered", description: "Stream entries moved to a dead-letter stream");

    private readonly IConnectionMultiplexer _redis;
    private readonly StreamConsumerOptions _options;
    private readonly TimeProvider _time;
    private DateTimeOffset _nextClaim;
    private RedisValue _claimCursor = "0-0";
    private bool _groupReady;

    protected RedisStreamConsumer(IConnectionMultiplexer redis, StreamConsumerOptions options, ILogger logger, TimeProvider time)
    {
        _redis = redis;
        _options = options;
        _time = time;
        Logger = logger;
    }

    protected ILogger Logger { get; }

    protected TimeProvider Time => _time;

    // Per poll loop: when it last completed a poll (UTC ticks, 0 = not yet) and why its last poll failed.
    private long[] _completedTicks = [0];
    private string?[] _failures = [null];

    /// <summary>
    /// When the stalest poll loop last completed a poll (null until every loop has completed one): a stalled consumer
    /// shows here, and so does one loop that keeps failing while the others go on.
    /// </summary>
    public DateTimeOffset? LastPollCompleted
    {
        get
        {
            var loops = _completedTicks;
            var oldest = long.MaxValue;
            for (var i = 0; i < loops.Length; i++)
            {
                oldest = Math.Min(oldest, Volatile.Read(ref loops[i]));
            }

            return oldest is 0 or long.MaxValue ? null : new DateTimeOffset(oldest, TimeSpan.Zero);
        }
    }

    /// <summary>Why a poll loop's last poll failed, or null while every loop's last poll was good.</summary>
    public string? LastFailure
    {
        get
        {
            var loops = _failures;
            for (var i = 0; i < loops.Length; i++)
            {
                if (Volatile.Read(ref loops[i]) is { } failure)
                {
                    return failure;
                }
            }

            return null;
        }
    }

    /// <summary>The consumer group's name, for health reports.</summary>
    public string ConsumerGroup => Group;

    /// <summary>The stream this consumer reads.</summary>
    protected abstract string Stream { get; }

    /// <summary>The consumer group (one per consuming service).</summary>
    protected abstract string Group { get; }

    /// <summary>Where failing entries go.</summary>
    protected abstract string DeadLetterStream { get; }

    /// <summary>The span name for one handled entry.</summary>
    protected virtual string ActivityName => $"{Group} process";

    /// <summary>
    /// The entries that must be handled in stream order share a key (e.g. the message id, or the thread); entries of
    /// different keys are handled concurrently, up to <see cref="StreamConsumerOptions.Parallelism"/>. A handler's
    /// effects are round trips to Redis, so a batch handled one entry at a time is bound by latency, not CPU. Null
    /// (the default) handles the whole batch in order.
    /// </summary>
    protected virtual string? OrderingKey(StreamEntry entry) => null;

    /// <summary>Stores the effect of one entry. Must be idempotent; throwing leaves the entry for a retry.</summary>
    protected abstract Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the effects of a freshly read batch at once (e.g. one script for all of it instead of one round trip
    /// per entry), for consumers that can. Returns the ids of the entries it handled; every other entry of the
    /// batch then goes through <see cref="HandleAsync"/> one by one, which counts its deliveries and dead-letters it
    /// when it keeps failing. Null (the default): the consumer handles entries one by one only. A Redis error that
    /// is not transient (a script error) sends the whole batch the one-by-one way, so one bad entry is isolated.
    /// Retried entries (taken over from the pending list) always go one by one.
    /// </summary>
    protected virtual Task<IReadOnlyCollection<RedisValue>?> HandleManyAsync(StreamEntry[] entries, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<RedisValue>?>(null);

    /// <summary>
    /// True for failures of the system rather than of the entry (Redis away or slow, a command the Redis client gave
    /// up on, a missing calendar year):
    /// the batch stops, nothing is counted against the entry, and it is retried after a pause.
    /// </summary>
    protected virtual bool IsTransient(Exception ex) => RedisFailures.IsStoreFailure(ex);

    /// <summary>
    /// A Redis server reply to a handler's own command that is not "not now" (a script error, WRONGTYPE on a key
    /// the entry names): retrying would fail forever and block the batch, so it counts as this entry's failure and
    /// ends, after the bounded retries, in the dead-letter stream. The poll loop itself still retries every Redis error.
    /// </summary>
    private static bool IsEntryError(Exception ex) => ex is RedisServerException && !RedisFailures.IsTransient(ex);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = Math.Max(1, _options.ConcurrentBatches);
        _completedTicks = new long[loops];
        _failures = new string?[loops];
        return Task.WhenAll(Enumerable.Range(0, loops)
            .Select(loop => Task.Run(() => PollLoopAsync(loop, stoppingToken), CancellationToken.None)));
    }

    /// <summary>How long a poll loop waits after a failure that is neither transient nor any one entry's.</summary>
    private static readonly TimeSpan UnexpectedFailurePause = TimeSpan.FromSeconds(5);

    /// <summary>
    /// One poll loop. With <see cref="StreamConsumerOptions.ConcurrentBatches"/> above 1, only the first takes over
    /// stale entries and polls at once after any entries; the others poll at once only after a full batch.
    /// </summary>
    private async Task PollLoopAsync(int loop, CancellationToken stoppingToken)
    {
        var takesOver = loop == 0;
        void Failed(string reason) => Volatile.Write(ref _failures[loop], reason);
        var delay = TimeSpan.FromMilliseconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EnsureGroupAsync();
                var handled = await PollOnceAsync(takesOver, stoppingToken);
                Volatile.Write(ref _completedTicks[loop], _time.GetUtcNow().UtcTicks);
                Volatile.Write(ref _failures[loop], null);
                if (takesOver)
                {
                    delay = handled > 0 ? TimeSpan.FromMilliseconds(1) : Min(delay * 2, _options.MaxPollDelay);
                    if (handled == 0)
                    {
                        await Task.Delay(delay, _time, stoppingToken);
                    }
                }
                else if (handled < _options.BatchSize)
                {
                    // A helper loop works only while batches come back full (a backlog); at a trickle the first loop
                    // alone keeps up, and eight loops racing for one entry each would cost more than they do.
                    await Task.Delay(_options.MaxPollDelay, _time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // The stream or its group vanished (flushed, or a Redis without persistence restarted): recreate it.
                Logger.LogWarning("Consumer group {Group} of {Stream} is missing; creating it again", Group, Stream);
                Failed(ex.Message);
                _groupReady = false;
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                // Nothing is lost: unacknowledged entries stay pending and are read again.
                Logger.LogWarning(ex, "Consuming {Stream} failed; retrying", Stream);
                Failed($"{ex.GetType().Name}: {ex.Message}");
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A bug outside any one entry (a batch handler, a reply not understood): the loop must not end, or
                // the host would stop and take the service's API with it. A fresh batch's entries stay pending and
                // come back one by one on reclaim, where each failure counts against its entry (an entry whose
                // ordering key cannot be read goes alone); a loop that keeps failing stops completing polls, which
                // the health check reports.
                Logger.LogError(ex, "Consuming {Stream} failed unexpectedly; retrying in {Pause}", Stream, UnexpectedFailurePause);
                Failed($"{ex.GetType().Name}: {ex.Message}");
                await Task.Delay(UnexpectedFailurePause, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Reads and handles one batch (entries left pending too long first) and acknowledges what was handled, also
    /// when a transient failure stops the batch halfway. Returns how many entries it read.
    /// </summary>
    public Task<int> PollOnceAsync(CancellationToken cancellationToken) => PollOnceAsync(takesOver: true, cancellationToken);

    private async Task<int> PollOnceAsync(bool takesOver, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var entries = Array.Empty<StreamEntry>();
        var fresh = false;
        if (takesOver && _time.GetUtcNow() >= _nextClaim)
        {
            var claimed = await db.StreamAutoClaimAsync(Stream, Group, _options.ConsumerName,
                (long)_options.ClaimIdle.TotalMilliseconds, _claimCursor, _options.BatchSize);
            entries = [.. claimed.ClaimedEntries.Where(e => !e.IsNull)];
            // Walk the pending list across polls; back at the start, wait before the next sweep.
            _claimCursor = claimed.NextStartId.IsNullOrEmpty ? "0-0" : claimed.NextStartId;
            if (_claimCursor == "0-0")
            {
                _nextClaim = _time.GetUtcNow() + _options.ClaimIdle / 2;
            }
        }

        if (entries.Length == 0)
        {
            entries = await db.StreamReadGroupAsync(Stream, Group, _options.ConsumerName, StreamPosition.NewMessages, _options.BatchSize);
            fresh = true;
        }

        var acknowledged = new List<RedisValue>(entries.Length);
        try
        {
            var rest = entries;
            if (fresh && entries.Length > 0 && await TryHandleManyAsync(entries, cancellationToken) is { } handled)
            {
                acknowledged.AddRange(handled);
                var done = handled as IReadOnlySet<RedisValue> ?? handled.ToHashSet();
                rest = done.Count == 0 ? entries : [.. entries.Where(e => !done.Contains(e.Id))];
            }

            await HandleBatchAsync(db, rest, acknowledged, cancellationToken);
        }
        finally
        {
            if (acknowledged.Count > 0)
            {
                await db.StreamAcknowledgeAsync(Stream, Group, [.. acknowledged]);
                _processed.Add(acknowledged.Count, new KeyValuePair<string, object?>("group", Group));
            }
        }

        return entries.Length;
    }

    private async Task<IReadOnlyCollection<RedisValue>?> TryHandleManyAsync(StreamEntry[] entries, CancellationToken cancellationToken)
    {
        try
        {
            return await HandleManyAsync(entries, cancellationToken);
        }
        catch (Exception ex) when (IsEntryError(ex))
        {
            _failed.Add(1, new KeyValuePair<string, object?>("group", Group));
            Logger.LogWarning(ex, "A batch of {Count} entries of {Stream} failed at once; handling them one by one", entries.Length, Stream);
            return null;
        }
    }

    /// <summary>
    /// The entry's <see cref="OrderingKey"/>; an entry whose key cannot be read (a payload missing what the key is made
    /// of) gets one of its own, so it goes alone and its handler's failure counts against it, not against the batch.
    /// </summary>
    private string? KeyOf(StreamEntry entry)
    {
        try
        {
            return OrderingKey(entry);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Logger.LogWarning(ex, "Entry {EntryId} of {Stream} has no readable ordering key; it is handled alone", entry.Id, Stream);
            return "\0unreadable:" + entry.Id;
        }
    }

    /// <summary>
    /// Handles the batch: in turn, or in ordered lanes (one per <see cref="OrderingKey"/>) run concurrently. A transient
    /// failure stops every lane after its current entry; what was handled is in <paramref name="acknowledged"/> and the
    /// first failure is thrown.
    /// </summary>
    private async Task HandleBatchAsync(IDatabase db, StreamEntry[] entries, List<RedisValue> acknowledged, CancellationToken cancellationToken)
    {
        StreamEntry[][] lanes = [entries];
        if (_options.Parallelism > 1 && entries.Length > 1)
        {
            // Each key once: a consumer's key may have to read the entry. One entry without a key: all in turn.
            var keys = Array.ConvertAll(entries, KeyOf);
            if (Array.IndexOf(keys, null) < 0)
            {
                lanes = [.. entries.Select((entry, i) => (entry, key: keys[i]!))
                    .GroupBy(e => e.key, StringComparer.Ordinal)
                    .Select(g => g.Select(e => e.entry).ToArray())];
            }
        }

        Exception? stop = null;
        async Task RunLane(StreamEntry[] lane)
        {
            foreach (var entry in lane)
            {
                if (cancellationToken.IsCancellationRequested || Volatile.Read(ref stop) is not null)
                {
                    return;
                }

                try
                {
                    if (await HandleOneAsync(db, entry, cancellationToken))
                    {
                        lock (acknowledged)
                        {
                            acknowledged.Add(entry.Id);
                        }
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref stop, ex, null);
                    return;
                }
            }
        }

        if (lanes.Length == 1)
        {
            await RunLane(lanes[0]);
        }
        else
        {
            await Parallel.ForEachAsync(lanes, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism },
                async (lane, _) => await RunLane(lane));
        }

        if (stop is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(stop);
        }
    }

    /// <summary>
    /// Handles one entry. True: acknowledge it (handled, or moved to the dead-letter stream). False: it failed and
    /// stays pending, to be reclaimed and retried after <see cref="StreamConsumerOptions.ClaimIdle"/>. A transient
    /// failure is thrown, stopping the batch.
    /// </summary>
    private async Task<bool> HandleOneAsync(IDatabase db, StreamEntry entry, CancellationToken cancellationToken)
    {
        using var activity = PipelineTelemetry.StartConsume(ActivityName, entry[PipelineTelemetry.TraceParentField], Stream, entry.Id!);
        try
        {
            await HandleAsync(entry, cancellationToken);
            return true;
        }
        catch (Exception ex) when ((IsTransient(ex) && !IsEntryError(ex)) || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            _failed.Add(1, new KeyValuePair<string, object?>("group", Group));
            var deliveries = await DeliveryCountAsync(db, entry.Id);
            var unreadable = ex is FormatException or System.Text.Json.JsonException;
            if (deliveries < _options.MaxDeliveries && !unreadable)
            {
                Logger.LogWarning(ex, "Entry {EntryId} of {Stream} failed (delivery {Delivery} of {Max}); it will be retried",
                    entry.Id, Stream, deliveries, _options.MaxDeliveries);
                return false;
            }

            // A payload that cannot be read will never succeed; anything else has had its chances.
            Logger.LogError(ex, "Entry {EntryId} of {Stream} moved to {DeadLetter} after {Delivery} deliveries", entry.Id, Stream, DeadLetterStream, deliveries);
            var fields = entry.Values.ToList();
            fields.Add(new NameValueEntry("dead_reason", $"{ex.GetType().Name}: {ex.Message}"));
            fields.Add(new NameValueEntry("dead_source_id", entry.Id));
            fields.Add(new NameValueEntry("dead_deliveries", deliveries));
            fields.Add(new NameValueEntry("dead_at", _time.GetUtcNow().ToString("O")));
            await db.StreamAddAsync(DeadLetterStream, [.. fields], maxLength: 100_000, useApproximateMaxLength: true);
            _deadLettered.Add(1, new KeyValuePair<string, object?>("group", Group));
            return true;
        }
    }

    private async Task<long> DeliveryCountAsync(IDatabase db, RedisValue entryId)
    {
        var pending = await db.StreamPendingMessagesAsync(Stream, Group, 1, RedisValue.Null, entryId, entryId);
        return pending.Length == 0 ? 1 : pending[0].DeliveryCount;
    }

    private async Task EnsureGroupAsync()
    {
        if (_groupReady)
        {
            return;
        }

        try
        {
            await _redis.GetDatabase().StreamCreateConsumerGroupAsync(Stream, Group, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists already: another replica or an earlier run made it.
        }

        _groupReady = true;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
