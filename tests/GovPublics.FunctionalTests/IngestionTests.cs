using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Ingestion.Grpc;
using GovPublics.Testing;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

public sealed class IngestionTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Stream = "gp:{63}:messages";
    private ServiceHost<IngestionGrpcService> _ingestion = null!;
    private IngestionService.IngestionServiceClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _ingestion = new ServiceHost<IngestionGrpcService>(redis.Server.ConnectionString);
        _client = new IngestionService.IngestionServiceClient(_ingestion.Channel);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _ingestion.DisposeAsync();

    private static IngestRequest Message(string externalId, string text = "Во дворе на ул. Мира, 5 третий день не вывозят мусор") => new()
    {
        Platform = Platform.Vk,
        PageExternalId = "-100200",
        Kind = MessageKind.Comment,
        ExternalId = externalId,
        ThreadId = "wall-100200_55",
        Author = new Author { Id = "12345", DisplayName = "Мария" },
        Text = text,
    };

    private async Task<int> EntriesFor(string messageId) =>
        (await redis.Db.StreamRangeAsync(Stream)).Count(e => e["id"] == messageId);

    [Fact]
    public async Task A_message_is_stored_and_appended_to_the_stream_once()
    {
        var first = await _client.IngestAsync(Message("a-1"));
        Assert.False(first.Duplicate);
        Assert.Matches("^m[a-z2-7]{26}$", first.MessageId);
        Assert.Equal(1, await EntriesFor(first.MessageId));

        var again = await _client.IngestAsync(Message("a-1"));
        Assert.True(again.Duplicate);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(1, await EntriesFor(first.MessageId));
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_message_make_exactly_one_stream_entry()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _client.IngestAsync(Message("race-1")).ResponseAsync));
        Assert.Single(results, r => !r.Duplicate);
        Assert.Single(results.Select(r => r.MessageId).Distinct());
        Assert.Equal(1, await EntriesFor(results[0].MessageId));
    }

    [Fact]
    public async Task Concurrent_callers_are_stored_together_and_each_gets_its_own_answer_with_its_own_trace()
    {
        var largestGroup = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "govpublics.ingestion.group_size")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) => InterlockedMax(ref largestGroup, size));
        listener.Start();

        // 300 callers at once over 100 distinct messages (each sent three times): they are group-committed, yet
        // each message has one stream entry, exactly one caller of each is told "stored", and each entry keeps the
        // trace of the caller that stored it.
        var calls = Enumerable.Range(0, 300).Select(i =>
        {
            // Each caller in its own trace, which the gRPC client propagates to the service.
            var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
            using var caller = new System.Diagnostics.Activity("caller")
                .SetParentId(traceId, System.Diagnostics.ActivitySpanId.CreateRandom(), System.Diagnostics.ActivityTraceFlags.Recorded)
                .Start();
            var reply = _client.IngestAsync(Message($"group-{i % 100}", $"Во дворе дома {i % 100} не вывозят мусор")).ResponseAsync;
            return (Index: i, TraceId: traceId.ToString(), Reply: reply);
        }).ToArray();
        await Task.WhenAll(calls.Select(c => c.Reply));

        var entries = await redis.Db.StreamRangeAsync(Stream);
        foreach (var group in calls.GroupBy(c => c.Index % 100))
        {
            var replies = group.Select(c => c.Reply.Result).ToArray();
            Assert.Single(replies.Select(r => r.MessageId).Distinct());
            var stored = Assert.Single(group, c => !c.Reply.Result.Duplicate);
            var entry = Assert.Single(entries, e => e["id"] == replies[0].MessageId);
            Assert.Contains(stored.TraceId, entry["tp"].ToString(), StringComparison.Ordinal);
            Assert.Contains($"дома {group.Key} ", entry["data"].ToString(), StringComparison.Ordinal);
        }

        Assert.True(largestGroup > 1, $"the largest group stored together was {largestGroup} message(s)");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    [Fact]
    public async Task Missing_platform_and_empty_text_are_InvalidArgument_naming_the_fields_and_nothing_is_stored()
    {
        var length = await redis.Db.StreamLengthAsync(Stream);
        var request = Message("bad-1", text: "  ");
        request.Platform = Platform.Unspecified;
        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.IngestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["platform", "text"], FieldViolations.Of(ex));
        Assert.Contains("text", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(length, await redis.Db.StreamLengthAsync(Stream));
    }

    [Fact]
    public async Task A_batch_answers_per_message_and_one_bad_message_does_not_fail_the_rest()
    {
        using var call = _client.IngestBatch();
        await call.RequestStream.WriteAsync(Message("b-1"));
        await call.RequestStream.WriteAsync(Message("b-2", text: ""));
        await call.RequestStream.WriteAsync(Message("b-1"));
        await call.RequestStream.WriteAsync(Message("b-3"));
        await call.RequestStream.CompleteAsync();
        var response = await call;

        Assert.Equal([0, 1, 2, 3], response.Results.Select(r => r.Index));
        Assert.Null(response.Results[0].Error);
        Assert.Equal("INVALID_ARGUMENT", response.Results[1].Error.Code);
        Assert.Equal("text", Assert.Single(response.Results[1].Error.FieldViolations).Field);
        Assert.True(response.Results[2].Duplicate);
        Assert.Equal(response.Results[0].MessageId, response.Results[2].MessageId);
        Assert.Equal((2, 1, 1), (response.Accepted, response.Duplicates, response.Rejected));
        Assert.Equal(1, await EntriesFor(response.Results[3].MessageId));
    }

    [Fact]
    public async Task While_Redis_is_away_the_answer_is_Unavailable_and_after_it_returns_nothing_acknowledged_is_lost()
    {
        var before = await _client.IngestAsync(Message("durable-1"));
        await redis.Server.StopAsync();
        try
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() =>
                _client.IngestAsync(Message("durable-2"), deadline: DateTime.UtcNow.AddSeconds(20)).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        }
        finally
        {
            await redis.Server.StartAgainAsync();
        }

        // The acknowledged message survived the crash (AOF), and the refused one can be sent again.
        await Eventually.True(async () => await EntriesFor(before.MessageId) == 1, "the acknowledged message to be in the stream after restart");
        var retried = await Eventually.GrpcReady(() => _client.IngestAsync(Message("durable-2")).ResponseAsync);
        Assert.False(retried.Duplicate);
        Assert.Equal(1, await EntriesFor(retried.MessageId));
    }

    [Fact]
    public async Task An_impossible_created_at_is_a_field_violation_not_an_internal_error()
    {
        var request = Message("bad-time");
        request.CreatedAt = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1_700_000_000, Nanos = -5 };
        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.IngestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["created_at"], FieldViolations.Of(ex));
    }

    [Fact]
    public async Task A_batch_over_the_limit_stores_the_first_ten_thousand_and_fails_the_call_with_the_reason()
    {
        using var call = _client.IngestBatch();
        var written = 0;
        try
        {
            // More than the limit, as a client that never stops would send: the server stops reading at the limit.
            for (; written < IngestionGrpcService.MaxBatch + 5_000; written++)
            {
                await call.RequestStream.WriteAsync(Message($"big-{written}"));
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The call ended while the client was still writing; its status says why.
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"at most {IngestionGrpcService.MaxBatch} messages", ex.Status.Detail);
        Assert.True(written > IngestionGrpcService.MaxBatch, $"the client wrote only {written}");
        Assert.Equal(1, await EntriesFor(MessageIdOf("big-0")));
        Assert.Equal(1, await EntriesFor(MessageIdOf($"big-{IngestionGrpcService.MaxBatch - 1}")));
        Assert.Equal(0, await EntriesFor(MessageIdOf($"big-{IngestionGrpcService.MaxBatch}")));

        // Resending the first messages is safe.
        var resent = await _client.IngestAsync(Message($"big-{IngestionGrpcService.MaxBatch - 1}"));
        Assert.True(resent.Duplicate);
    }

    private static string MessageIdOf(string externalId) =>
        Common.Pipeline.MessageIdentity.Derive(Catalog.Platform.Vk, "-100200", Common.Pipeline.MessageKind.Comment, externalId);
}
