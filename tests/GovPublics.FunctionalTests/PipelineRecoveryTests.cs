using System.Collections.Concurrent;
using GovPublics.Common.Redis;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Testing;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

/// <summary>
/// The four services together while Redis is away and comes back: what ingestion accepted becomes exactly one
/// incident, and every service goes on by itself. Its own redis-server, as these tests kill and freeze it.
/// </summary>
public sealed class PipelineRecoveryTests : IAsyncLifetime
{
    private const int Messages = 40;

    private RedisServerProcess? _redis;
    private FourServices? _services;

    private RedisServerProcess Redis => _redis!;

    private FourServices Services => _services!;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _services = await FourServices.StartAsync(_redis.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_redis is not null)
        {
            // Killed even if a failed test left it frozen (SIGKILL ends a stopped process).
            await _redis.DisposeAsync();
        }
    }

    /// <summary>
    /// "crash": Redis killed and started again on its data. "freeze": Redis stopped (SIGSTOP) and continued: writes
    /// whose callers were told UNAVAILABLE are executed afterwards, so a resend finds its message stored ("duplicate").
    /// </summary>
    [Theory]
    [InlineData("crash")]
    [InlineData("freeze")]
    public async Task Every_message_accepted_while_Redis_is_away_and_returns_becomes_exactly_one_incident(string outage)
    {
        var client = new IngestionService.IngestionServiceClient(Services.Ingestion.Channel);
        var accepted = new ConcurrentDictionary<int, string>();
        var unavailable = 0;
        var duplicates = 0;
        var next = -1;
        var crashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // An integrator's loop: each message is sent until it is accepted; UNAVAILABLE (the store away) means
        // "send it again", and a retry of a message that was stored after all answers "duplicate" with the same id.
        async Task SendAllAsync()
        {
            for (var i = Interlocked.Increment(ref next); i < Messages; i = Interlocked.Increment(ref next))
            {
                if (i >= Messages / 4)
                {
                    // The rest is sent once Redis is down: into the outage, then after it.
                    await crashed.Task;
                }

                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (true)
                {
                    try
                    {
                        var answer = await client.IngestAsync(FourServices.WaterMainBurst($"recovery-{i}"), deadline: DateTime.UtcNow.AddSeconds(5));
                        accepted[i] = answer.MessageId;
                        if (answer.Duplicate)
                        {
                            Interlocked.Increment(ref duplicates);
                        }

                        break;
                    }
                    catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && DateTime.UtcNow < deadline)
                    {
                        Interlocked.Increment(ref unavailable);
                        await Task.Delay(100);
                    }
                }
            }
        }

        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(SendAllAsync)).ToArray();
        await Eventually.True(() => Task.FromResult(accepted.Count >= Messages / 4), "the first messages accepted");
        if (outage == "crash")
        {
            await Redis.StopAsync();
        }
        else
        {
            Redis.Pause();
        }

        crashed.SetResult();
        // Longer than the services' Redis timeout (3 s, checked about once a second) and the integrator's deadline
        // (5 s): a shorter outage the clients ride out by queueing commands, and no call would be answered UNAVAILABLE.
        await Task.Delay(TimeSpan.FromSeconds(6));
        if (outage == "crash")
        {
            await Redis.StartAgainAsync();
        }
        else
        {
            Redis.Resume();
        }

        await Task.WhenAll(senders);

        Assert.Equal(Messages, accepted.Count);
        Assert.True(unavailable > 0, "no call was answered UNAVAILABLE while Redis was away");
        if (outage == "freeze")
        {
            // Writes that timed out were executed when Redis went on: their resends were told so.
            Assert.True(duplicates > 0, "no resend found its message stored");
        }

        var sla = new SlaService.SlaServiceClient(Services.Sla.Channel);
        var incidents = new HashSet<string>();
        foreach (var messageId in accepted.Values)
        {
            var incident = await Eventually.Found(() => sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = messageId }).ResponseAsync);
            incidents.Add(incident.Id);
        }

        Assert.Equal(Messages, incidents.Count);
        await using var connection = await Redis.ConnectAsync();
        var db = connection.GetDatabase();
        var keys = new RedisKeys("63");
        // One stream entry per message and one incident each, although some were sent more than once.
        Assert.Equal(Messages, await db.StreamLengthAsync(keys.MessagesStream));
        Assert.Equal(Messages, (long)await db.StringGetAsync(keys.IncidentSequence));
    }
}
