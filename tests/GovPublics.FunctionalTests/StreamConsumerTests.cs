using GovPublics.Common.Pipeline;
using GovPublics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace GovPublics.FunctionalTests;

/// <summary>The consumer-group loop every service uses, against a real Redis: retries, reclaim, dead letters.</summary>
public sealed class StreamConsumerTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private sealed class ScriptedConsumer(IConnectionMultiplexer connection, string stream, string consumer, int maxDeliveries, Func<StreamEntry, int, Task> handle)
        : RedisStreamConsumer(connection, new StreamConsumerOptions
        {
            ConsumerName = consumer,
            ClaimIdle = TimeSpan.FromMilliseconds(100),
            MaxDeliveries = maxDeliveries,
            MaxPollDelay = TimeSpan.FromMilliseconds(20),
        }, NullLogger.Instance, TimeProvider.System)
    {
        private readonly Dictionary<string, int> _calls = [];

        public int Calls(string id) => _calls.GetValueOrDefault(id);

        protected override string Stream => stream;

        protected override string Group => "test";

        protected override string DeadLetterStream => stream + ":dead";

        protected override Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
        {
            var id = entry["id"].ToString();
            _calls[id] = Calls(id) + 1;
            return handle(entry, _calls[id]);
        }
    }

    /// <summary>Orders by the entry's "key" field and records, per key, the order entries were handled in.</summary>
    private sealed class LanedConsumer(IConnectionMultiplexer connection, string stream, Func<StreamEntry, Task> handle)
        : RedisStreamConsumer(connection, new StreamConsumerOptions { ConsumerName = "laned", Parallelism = 8, MaxPollDelay = TimeSpan.FromMilliseconds(20) },
            NullLogger.Instance, TimeProvider.System)
    {
        private int _running;

        public System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentQueue<int>> Order { get; } = new();

        public int MostAtOnce { get; private set; }

        protected override string Stream => stream;

        protected override string Group => "test";

        protected override string DeadLetterStream => stream + ":dead";

        // As a real key read from the payload: an entry without one cannot be ordered.
        protected override string? OrderingKey(StreamEntry entry) =>
            entry["key"].IsNull ? throw new FormatException("the entry has no key") : entry["key"].ToString();

        protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            lock (Order)
            {
                MostAtOnce = Math.Max(MostAtOnce, now);
            }

            try
            {
                await handle(entry);
                Order.GetOrAdd(entry["key"].ToString(), _ => new()).Enqueue((int)entry["n"]);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }

    /// <summary>
    /// Handles fresh batches at once (all but entries whose data is "bad", which it leaves to the one-by-one path);
    /// an entry "wrongtype" makes the whole batch fail with a real server error. Counts every handling per id.
    /// </summary>
    private sealed class BatchConsumer(IConnectionMultiplexer connection, IDatabase db, string stream, int concurrentBatches, string wrongTypeKey, TimeSpan claimIdle)
        : RedisStreamConsumer(connection, new StreamConsumerOptions
        {
            ConsumerName = "batch", BatchSize = 10, ConcurrentBatches = concurrentBatches, MaxDeliveries = 2,
            ClaimIdle = claimIdle, MaxPollDelay = TimeSpan.FromMilliseconds(20),
        }, NullLogger.Instance, TimeProvider.System)
    {
        private int _running;

        public System.Collections.Concurrent.ConcurrentDictionary<string, int> Handled { get; } = new();

        public int OneByOne;

        public int MostBatchesAtOnce { get; private set; }

        protected override string Stream => stream;

        protected override string Group => "test";

        protected override string DeadLetterStream => stream + ":dead";

        protected override async Task<IReadOnlyCollection<RedisValue>?> HandleManyAsync(StreamEntry[] entries, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            lock (Handled)
            {
                MostBatchesAtOnce = Math.Max(MostBatchesAtOnce, now);
            }

            try
            {
                // Until two batches have run at once, a batch waits (at most 2 s) for another to start beside it: on a
                // loaded machine one loop could otherwise drain the stream before the others poll, and the overlap
                // this consumer is built for would go unseen.
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (concurrentBatches > 1 && MostBatchesAtOnce < 2 && Volatile.Read(ref _running) < 2 && waited.Elapsed < TimeSpan.FromSeconds(2))
                {
                    await Task.Delay(5, cancellationToken);
                }

                await Task.Delay(20, cancellationToken);
                if (entries.Any(e => e["data"] == "bug"))
                {
                    throw new InvalidOperationException("a bug in the batch path");
                }

                if (entries.Any(e => e["data"] == "wrongtype"))
                {
                    await db.HashSetAsync(wrongTypeKey, "f", "v");
                }

                var good = entries.Where(e => e["data"] != "bad").ToArray();
                foreach (var entry in good)
                {
                    Handled.AddOrUpdate(entry["id"].ToString(), 1, (_, n) => n + 1);
                }

                return [.. good.Select(e => e.Id)];
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref OneByOne);
            if (entry["data"] == "bad")
            {
                throw new FormatException("unreadable");
            }

            if (entry["data"] == "wrongtype")
            {
                await db.HashSetAsync(wrongTypeKey, "f", "v");
            }

            Handled.AddOrUpdate(entry["id"].ToString(), 1, (_, n) => n + 1);
        }
    }

    /// <summary>
    /// A batch consumer on a new group. <paramref name="claimIdle"/> (default 100 ms, so retries come back at once):
    /// an entry still being handled that long after it was read is taken over and handled again (at-least-once).
    /// </summary>
    private async Task<BatchConsumer> BatchConsumerWithGroup(string stream, int concurrentBatches, TimeSpan? claimIdle = null)
    {
        await redis.Db.StreamCreateConsumerGroupAsync(stream, "test", "0-0", createStream: true);
        var wrongType = stream + ":not-a-hash";
        await redis.Db.StringSetAsync(wrongType, "a string");
        return new BatchConsumer(redis.Connection, redis.Db, stream, concurrentBatches, wrongType, claimIdle ?? TimeSpan.FromMilliseconds(100));
    }

    private static string NewStream() => $"gp:{{test}}:{Guid.NewGuid():N}";

    private async Task<ScriptedConsumer> ConsumerWithGroup(string stream, string name, int maxDeliveries, Func<StreamEntry, int, Task> handle)
    {
        await redis.Db.StreamCreateConsumerGroupAsync(stream, "test", "0-0", createStream: true);
        return new ScriptedConsumer(redis.Connection, stream, name, maxDeliveries, handle);
    }

    private async Task PollUntil(ScriptedConsumer consumer, Func<Task<bool>> done, string what)
    {
        await Eventually.True(async () =>
        {
            await consumer.PollOnceAsync(CancellationToken.None);
            return await done();
        }, what);
    }

    private async Task<long> Pending(string stream) => (await redis.Db.StreamPendingAsync(stream, "test")).PendingMessageCount;

    [Fact]
    public async Task An_entry_that_keeps_failing_is_retried_then_dead_lettered_with_the_reason_and_acknowledged()
    {
        var stream = NewStream();
        var consumer = await ConsumerWithGroup(stream, "a", maxDeliveries: 3, (_, _) => throw new InvalidOperationException("the registry has no such page"));
        await redis.Db.StreamAddAsync(stream, [new("id", "m1"), new("data", "{}")]);

        await PollUntil(consumer, async () => await redis.Db.StreamLengthAsync(stream + ":dead") == 1, "the entry to be dead-lettered");

        var dead = (await redis.Db.StreamRangeAsync(stream + ":dead")).Single();
        Assert.Equal("m1", dead["id"].ToString());
        Assert.Equal("3", dead["dead_deliveries"].ToString());
        Assert.Contains("the registry has no such page", dead["dead_reason"].ToString(), StringComparison.Ordinal);
        Assert.Equal(3, consumer.Calls("m1"));
        Assert.Equal(0, await Pending(stream));
    }

    [Fact]
    public async Task A_script_error_of_the_handler_is_the_entrys_failure_and_ends_dead_lettered_not_retried_forever()
    {
        var stream = NewStream();
        var wrongType = stream + ":not-a-hash";
        await redis.Db.StringSetAsync(wrongType, "a string");
        // A real server error (WRONGTYPE) for what this entry names; a busy server (LOADING) would be waited out instead.
        var consumer = await ConsumerWithGroup(stream, "a", maxDeliveries: 2, (_, _) => redis.Db.HashSetAsync(wrongType, "f", "v"));
        await redis.Db.StreamAddAsync(stream, [new("id", "m-wrongtype"), new("data", "{}")]);
        await redis.Db.StreamAddAsync(stream, [new("id", "m-next"), new("data", "{}")]);

        await PollUntil(consumer, async () => await redis.Db.StreamLengthAsync(stream + ":dead") == 2, "both entries to be dead-lettered");

        var dead = await redis.Db.StreamRangeAsync(stream + ":dead");
        Assert.Contains("WRONGTYPE", dead[0]["dead_reason"].ToString(), StringComparison.Ordinal);
        Assert.Equal(2, consumer.Calls("m-wrongtype"));
        Assert.Equal(0, await Pending(stream));
    }

    [Fact]
    public async Task An_entry_whose_ordering_key_cannot_be_read_goes_alone_to_the_dead_letter_stream_and_its_batch_goes_on()
    {
        var stream = NewStream();
        await redis.Db.StreamCreateConsumerGroupAsync(stream, "test", "0-0", createStream: true);
        // The handler cannot read that entry either, as with a payload missing what the key is made of.
        var consumer = new LanedConsumer(redis.Connection, stream, e => e["key"].IsNull ? throw new FormatException("no thread in the payload") : Task.CompletedTask);
        await redis.Db.StreamAddAsync(stream, [new("id", "a"), new("key", "k1"), new("n", 1)]);
        await redis.Db.StreamAddAsync(stream, [new("id", "b"), new("n", 2)]);
        await redis.Db.StreamAddAsync(stream, [new("id", "c"), new("key", "k2"), new("n", 3)]);

        Assert.Equal(3, await consumer.PollOnceAsync(CancellationToken.None));

        Assert.Equal([1], consumer.Order["k1"]);
        Assert.Equal([3], consumer.Order["k2"]);
        var dead = Assert.Single(await redis.Db.StreamRangeAsync(stream + ":dead"));
        Assert.Equal("b", dead["id"].ToString());
        Assert.Equal(0, await Pending(stream));
    }

    [Fact]
    public async Task Entries_of_one_key_are_handled_in_stream_order_and_different_keys_at_once()
    {
        var stream = NewStream();
        await redis.Db.StreamCreateConsumerGroupAsync(stream, "test", "0-0", createStream: true);
        // A handler that waits on Redis, as the real ones do: lanes overlap while one waits.
        var consumer = new LanedConsumer(redis.Connection, stream, _ => redis.Db.PingAsync());
        for (var n = 0; n < 60; n++)
        {
            await redis.Db.StreamAddAsync(stream, [new("id", $"m{n}"), new("key", $"k{n % 6}"), new("n", n)]);
        }

        Assert.Equal(60, await consumer.PollOnceAsync(CancellationToken.None));

        Assert.Equal(6, consumer.Order.Count);
        foreach (var (key, handled) in consumer.Order)
        {
            var k = int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => k + 6 * i), handled);
        }

        Assert.True(consumer.MostAtOnce > 1, $"lanes ran one at a time ({consumer.MostAtOnce})");
        Assert.Equal(0, await Pending(stream));
    }

    [Fact]
    public async Task A_transient_failure_in_one_lane_stops_the_batch_and_acknowledges_only_what_was_handled()
    {
        var stream = NewStream();
        await redis.Db.StreamCreateConsumerGroupAsync(stream, "test", "0-0", createStream: true);
        var consumer = new LanedConsumer(redis.Connection, stream, e => e["key"] == "bad"
            ? throw new RedisConnectionException(ConnectionFailureType.SocketFailure, "Redis went away")
            : redis.Db.PingAsync());
        await redis.Db.StreamAddAsync(stream, [new("id", "m0"), new("key", "bad"), new("n", 0)]);
        for (var n = 1; n < 20; n++)
        {
            await redis.Db.StreamAddAsync(stream, [new("id", $"m{n}"), new("key", $"k{n}"), new("n", n)]);
        }

        await Assert.ThrowsAsync<RedisConnectionException>(() => consumer.PollOnceAsync(CancellationToken.None));

        var handled = consumer.Order.Values.Sum(q => q.Count);
        Assert.Equal(20 - handled, await Pending(stream));
        Assert.False(consumer.Order.ContainsKey("bad"));
        Assert.Equal(0, await redis.Db.StreamLengthAsync(stream + ":dead"));
    }

    [Fact]
    public async Task An_entry_that_fails_twice_then_succeeds_is_handled_once_more_and_not_dead_lettered()
    {
        var stream = NewStream();
        var consumer = await ConsumerWithGroup(stream, "a", maxDeliveries: 5, (_, call) =>
            call <= 2 ? throw new InvalidOperationException("not yet") : Task.CompletedTask);
        await redis.Db.StreamAddAsync(stream, [new("id", "m1")]);
        await redis.Db.StreamAddAsync(stream, [new("id", "m2")]);

        await PollUntil(consumer, async () => await Pending(stream) == 0 && consumer.Calls("m1") == 3, "m1 to succeed on its third delivery");

        Assert.Equal(0, await redis.Db.StreamLengthAsync(stream + ":dead"));
        // A failing entry does not hold up the ones after it.
        Assert.Equal(3, consumer.Calls("m2"));
    }

    [Fact]
    public async Task Entries_a_crashed_consumer_left_pending_are_taken_over()
    {
        var stream = NewStream();
        var handled = new List<string>();
        var survivor = await ConsumerWithGroup(stream, "survivor", maxDeliveries: 5, (e, _) =>
        {
            handled.Add(e["id"].ToString());
            return Task.CompletedTask;
        });
        await redis.Db.StreamAddAsync(stream, [new("id", "m1")]);
        // The crashed replica read the entry and died before acknowledging it.
        var read = await redis.Db.StreamReadGroupAsync(stream, "test", "crashed", StreamPosition.NewMessages, 10);
        Assert.Single(read);

        await PollUntil(survivor, async () => await Pending(stream) == 0, "the survivor to reclaim and acknowledge the entry");
        Assert.Equal(["m1"], handled);
    }

    [Fact]
    public async Task A_transient_failure_stops_the_batch_without_counting_against_the_entry()
    {
        var stream = NewStream();
        var failing = true;
        var consumer = await ConsumerWithGroup(stream, "a", maxDeliveries: 1, (_, _) =>
            failing ? throw new RedisTimeoutException("the store is slow", CommandStatus.Sent) : Task.CompletedTask);
        await redis.Db.StreamAddAsync(stream, [new("id", "m1")]);

        await Assert.ThrowsAsync<RedisTimeoutException>(() => consumer.PollOnceAsync(CancellationToken.None));
        Assert.Equal(0, await redis.Db.StreamLengthAsync(stream + ":dead"));
        Assert.Equal(1, await Pending(stream));

        failing = false;
        await PollUntil(consumer, async () => await Pending(stream) == 0, "the entry to be handled once the store is back");
        Assert.Equal(0, await redis.Db.StreamLengthAsync(stream + ":dead"));
    }

    /// <summary>
    /// StackExchange.Redis fails a command it gave up on before sending with a bare TaskCanceledException (seen in the
    /// ingest benchmark: a consumer continued after a pause found its connection dead). Nobody cancelled the consumer:
    /// it is the store failing, so the entry is neither counted nor dead-lettered, and the running loop goes on.
    /// </summary>
    [Fact]
    public async Task A_command_the_Redis_client_cancelled_is_a_store_failure_and_the_running_consumer_goes_on()
    {
        var stream = NewStream();
        var consumer = await ConsumerWithGroup(stream, "a", maxDeliveries: 1, (_, call) =>
            call == 1 ? throw new TaskCanceledException() : Task.CompletedTask);
        await redis.Db.StreamAddAsync(stream, [new("id", "m1")]);

        await consumer.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.True(async () => consumer.Calls("m1") == 2 && await Pending(stream) == 0, "the entry handled on its second delivery");
            Assert.False(consumer.ExecuteTask!.IsCompleted, $"the consumer stopped: {consumer.ExecuteTask.Exception?.InnerException}");
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }

        Assert.Equal(0, await redis.Db.StreamLengthAsync(stream + ":dead"));
    }

    [Fact]
    public async Task Concurrent_batches_handle_every_entry_once_and_leave_unreadable_ones_to_the_one_by_one_path()
    {
        var stream = NewStream();
        // "Once" holds only while no batch is in flight longer than the claim idle time: a batch here waits up to 2 s
        // for another beside it, and a loaded machine stalls longer than 100 ms, after which the first loop would
        // take the batch over and handle it again. Nothing here needs a retry (unreadable entries are dead-lettered
        // on their first failure), so nothing is taken over during the test.
        var consumer = await BatchConsumerWithGroup(stream, concurrentBatches: 3, claimIdle: TimeSpan.FromMinutes(10));
        var batch = redis.Db.CreateBatch();
        var adds = Enumerable.Range(0, 300)
            .Select(i => batch.StreamAddAsync(stream, [new("id", $"m{i}"), new("data", i % 100 == 7 ? "bad" : "ok")]))
            .ToArray();
        batch.Execute();
        await Task.WhenAll(adds);

        await consumer.StartAsync(CancellationToken.None);
        try
        {
            // One snapshot of the group for both: read apart, "nothing pending" could come from before the last
            // batches were read, and "all read" from after.
            await Eventually.True(async () =>
            {
                var group = (await redis.Db.StreamGroupInfoAsync(stream)).Single();
                return group.PendingMessageCount == 0 && group.LastDeliveredId == (await redis.Db.StreamInfoAsync(stream)).LastGeneratedId;
            }, "every entry read and acknowledged");
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }

        Assert.Equal(297, consumer.Handled.Count);
        Assert.All(consumer.Handled.Values, n => Assert.Equal(1, n));
        Assert.Equal(3, consumer.OneByOne);
        Assert.Equal(["m107", "m207", "m7"], (await redis.Db.StreamRangeAsync(stream + ":dead")).Select(e => e["id"].ToString()).Order());
        Assert.True(consumer.MostBatchesAtOnce >= 2, $"at most {consumer.MostBatchesAtOnce} batch at once");
    }

    [Fact]
    public async Task A_batch_that_fails_with_a_server_error_is_handled_one_by_one_and_only_the_bad_entry_is_dead_lettered()
    {
        var stream = NewStream();
        var consumer = await BatchConsumerWithGroup(stream, concurrentBatches: 1);
        foreach (var (id, data) in new[] { ("a", "ok"), ("b", "wrongtype"), ("c", "ok") })
        {
            await redis.Db.StreamAddAsync(stream, [new("id", id), new("data", data)]);
        }

        await Eventually.True(async () =>
        {
            await consumer.PollOnceAsync(CancellationToken.None);
            return await redis.Db.StreamLengthAsync(stream + ":dead") == 1 && await Pending(stream) == 0;
        }, "the bad entry dead-lettered and the rest acknowledged");

        Assert.Equal(1, consumer.Handled["a"]);
        Assert.Equal(1, consumer.Handled["c"]);
        Assert.False(consumer.Handled.ContainsKey("b"));
        var dead = Assert.Single(await redis.Db.StreamRangeAsync(stream + ":dead"));
        Assert.Equal("b", dead["id"].ToString());
        Assert.Contains("WRONGTYPE", dead["dead_reason"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bug_in_the_batch_path_does_not_stop_the_running_consumer_and_its_entries_go_one_by_one()
    {
        var stream = NewStream();
        var consumer = await BatchConsumerWithGroup(stream, concurrentBatches: 1);
        foreach (var (id, data) in new[] { ("a", "ok"), ("b", "bug"), ("c", "ok") })
        {
            await redis.Db.StreamAddAsync(stream, [new("id", id), new("data", data)]);
        }

        await consumer.StartAsync(CancellationToken.None);
        try
        {
            // The loop pauses 5 s after the failure; the entries come back on reclaim, one by one.
            await Eventually.True(async () => consumer.Handled.Count == 3 && await Pending(stream) == 0,
                "every entry handled one by one after the batch failed", TimeSpan.FromSeconds(30));
            Assert.False(consumer.ExecuteTask!.IsCompleted, $"the consumer stopped: {consumer.ExecuteTask.Exception?.InnerException}");
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }

        Assert.All(consumer.Handled.Values, n => Assert.Equal(1, n));
        Assert.Equal(3, consumer.OneByOne);
        Assert.Equal(0, await redis.Db.StreamLengthAsync(stream + ":dead"));
    }

    [Fact]
    public async Task The_running_consumer_recreates_its_group_when_the_stream_vanishes()
    {
        var stream = NewStream();
        var handled = new System.Collections.Concurrent.ConcurrentBag<string>();
        var consumer = await ConsumerWithGroup(stream, "a", maxDeliveries: 5, (e, _) =>
        {
            handled.Add(e["id"].ToString());
            return Task.CompletedTask;
        });
        await consumer.StartAsync(CancellationToken.None);
        try
        {
            await redis.Db.StreamAddAsync(stream, [new("id", "before")]);
            await Eventually.True(() => Task.FromResult(handled.Contains("before")), "the first entry");
            await redis.Db.KeyDeleteAsync(stream);
            await Eventually.True(async () =>
            {
                await redis.Db.StreamAddAsync(stream, [new("id", "after")]);
                await Task.Delay(200);
                return handled.Contains("after");
            }, "an entry added after the stream was deleted");
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_health_check_reports_a_consumer_that_stopped_completing_polls()
    {
        var stream = NewStream();
        var consumer = await ConsumerWithGroup(stream, "a", maxDeliveries: 5, (_, _) => Task.CompletedTask);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var check = new StreamConsumersHealthCheck([consumer], clock);
        await consumer.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.True(() => Task.FromResult(consumer.LastPollCompleted is not null), "a completed poll");
            var healthy = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, healthy.Status);

            clock.Advance(StreamConsumersHealthCheck.StallAfter + TimeSpan.FromMinutes(1));
            var stalled = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, stalled.Status);
            Assert.Contains("test: no completed poll", stalled.Description, StringComparison.Ordinal);
        }
        finally
        {
            await consumer.StopAsync(CancellationToken.None);
        }
    }
}
