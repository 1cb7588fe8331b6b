using GovPublics.Common.Redis;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Routing.Grpc;
using GovPublics.Sla.Grpc;
using GovPublics.Testing;

namespace GovPublics.FunctionalTests;

/// <summary>
/// Replicas of the consumers, as a deployment runs them: two of routing and two of SLA share one burst from the same
/// consumer groups, and every message still becomes exactly one decision on <c>routed</c> and one incident.
/// </summary>
public sealed class PipelineReplicaTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    /// <summary>At least this many messages make the burst.</summary>
    private const int Messages = 1_000;

    /// <summary>Messages per IngestBatch call; the burst goes on in such waves until both replicas have read.</summary>
    private const int WaveSize = 250;

    /// <summary>A bound on the burst: 5,000 messages.</summary>
    private const int MaxWaves = 20;

    private FourServices _services = null!;
    private ServiceHost<RoutingGrpcService> _routing2 = null!;
    private ServiceHost<SlaGrpcService> _sla2 = null!;

    public async ValueTask InitializeAsync()
    {
        _services = await FourServices.StartAsync(redis.Server.ConnectionString);
        // Replicas in one test process would share the default consumer name (machine and process id).
        _routing2 = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Registry:Address"] = _services.Registry.GrpcAddress,
            ["Routing:Consumer:ConsumerName"] = "routing-2",
            ["Routing:RejectionConsumer:ConsumerName"] = "rejections-2",
        });
        _sla2 = new ServiceHost<SlaGrpcService>(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Registry:Address"] = _services.Registry.GrpcAddress,
            ["Sla:Consumer:ConsumerName"] = "sla-2",
            ["Sla:MessageEventsConsumer:ConsumerName"] = "sla-events-2",
            ["Sla:AnalyticsConsumer:ConsumerName"] = "sla-analytics-2",
        });
        _routing2.StartServer();
        _sla2.StartServer();
    }

    public async ValueTask DisposeAsync()
    {
        await _sla2.DisposeAsync();
        await _routing2.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Two_replicas_of_routing_and_of_SLA_make_each_message_of_a_burst_exactly_one_incident()
    {
        // Every replica ready (catalogue and knowledge loaded) before the burst.
        foreach (var http in new[] { _services.Routing.CreateHttpClient(), _routing2.CreateHttpClient(), _services.Sla.CreateHttpClient(), _sla2.CreateHttpClient() })
        {
            using (http)
            {
                await Eventually.True(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, "every replica healthy");
            }
        }

        var keys = new RedisKeys("63");
        var db = redis.Db;
        var client = new IngestionService.IngestionServiceClient(_services.Ingestion.Channel);
        // A replica joins its group with its first non-empty read (Redis creates a consumer only then), and one
        // replica's 8 poll loops can take a whole wave while the other sleeps between idle polls: send waves until
        // both replicas of each service have read from the burst, and at least a burst's worth.
        var ids = new HashSet<string>();
        for (var wave = 0; wave < MaxWaves && !(ids.Count >= Messages && await BothReplicasTookPartAsync(db, keys)); wave++)
        {
            using var call = client.IngestBatch(deadline: DateTime.UtcNow.AddSeconds(60));
            for (var i = 0; i < WaveSize; i++)
            {
                await call.RequestStream.WriteAsync(FourServices.WaterMainBurst($"replicas-{wave}-{i}"));
            }

            await call.RequestStream.CompleteAsync();
            var response = await call;
            Assert.Equal(WaveSize, response.Accepted);
            ids.UnionWith(response.Results.Select(r => r.MessageId));
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        await Eventually.True(async () =>
        {
            var routing = await db.StreamGroupInfoAsync(keys.RoutedStream);
            var slaGroup = routing.Single(g => g.Name == "sla");
            return slaGroup.PendingMessageCount == 0 && slaGroup.LastDeliveredId == (await db.StreamInfoAsync(keys.RoutedStream)).LastGeneratedId
                && await db.StreamLengthAsync(keys.RoutedStream) >= ids.Count;
        }, "routing and SLA to work off the burst");
        Assert.True(await BothReplicasTookPartAsync(db, keys),
            $"after {ids.Count} messages: routing {await ConsumersAsync(db, keys.MessagesStream, "routing")}; sla {await ConsumersAsync(db, keys.RoutedStream, "sla")}");

        // Every message of the burst, and nothing else of it, is on routed once.
        var routed = (await db.StreamRangeAsync(keys.RoutedStream)).Select(e => e["id"].ToString()).Where(ids.Contains).ToList();
        Assert.Equal(ids.Count, routed.Count);
        Assert.Equal(ids.Count, routed.Distinct().Count());
        var sla = new SlaService.SlaServiceClient(_services.Sla.Channel);
        var incidents = new HashSet<string>();
        foreach (var id in ids)
        {
            incidents.Add((await Eventually.Found(() => sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = id }).ResponseAsync)).Id);
        }

        Assert.Equal(ids.Count, incidents.Count);
    }

    private static async Task<bool> BothReplicasTookPartAsync(StackExchange.Redis.IDatabase db, RedisKeys keys) =>
        (await ConsumersAsync(db, keys.MessagesStream, "routing")).Split(',') is { Length: 2 } routing && routing.Contains("routing-2")
        && (await ConsumersAsync(db, keys.RoutedStream, "sla")).Split(',') is { Length: 2 } sla && sla.Contains("sla-2");

    /// <summary>The group's consumers, by name; a consumer appears once it has read an entry.</summary>
    private static async Task<string> ConsumersAsync(StackExchange.Redis.IDatabase db, string stream, string group) =>
        string.Join(",", (await db.StreamConsumerInfoAsync(stream, group)).Select(c => c.Name).Order());
}
