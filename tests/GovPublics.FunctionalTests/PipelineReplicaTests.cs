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
    // Enough that one replica polling first cannot take all of it before the others poll (every 100 ms when idle).
    private const int Messages = 1_000;

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
        // Every replica ready (catalogue and knowledge loaded, consumers polling) before the burst, or the first one
        // up could take all of it.
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
        using var call = client.IngestBatch(deadline: DateTime.UtcNow.AddSeconds(60));
        for (var i = 0; i < Messages; i++)
        {
            await call.RequestStream.WriteAsync(FourServices.WaterMainBurst($"replicas-{i}"));
        }

        await call.RequestStream.CompleteAsync();
        var response = await call;
        Assert.Equal(Messages, response.Accepted);

        var sla = new SlaService.SlaServiceClient(_services.Sla.Channel);
        var ids = response.Results.Select(r => r.MessageId).ToHashSet();
        await Eventually.True(async () =>
        {
            var routing = await db.StreamGroupInfoAsync(keys.RoutedStream);
            var slaGroup = routing.Single(g => g.Name == "sla");
            return slaGroup.PendingMessageCount == 0 && slaGroup.LastDeliveredId == (await db.StreamInfoAsync(keys.RoutedStream)).LastGeneratedId
                && await db.StreamLengthAsync(keys.RoutedStream) >= ids.Count;
        }, "routing and SLA to work off the burst");

        // Every message of the burst, and nothing else of it, is on routed once.
        var routed = (await db.StreamRangeAsync(keys.RoutedStream)).Select(e => e["id"].ToString()).Where(ids.Contains).ToList();
        Assert.Equal(ids.Count, routed.Count);
        Assert.Equal(ids.Count, routed.Distinct().Count());
        var incidents = new HashSet<string>();
        foreach (var id in ids)
        {
            incidents.Add((await Eventually.Found(() => sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = id }).ResponseAsync)).Id);
        }

        Assert.Equal(ids.Count, incidents.Count);
        // Both replicas of each took part (a consumer appears in its group once it has read).
        var routingConsumers = await db.StreamConsumerInfoAsync(keys.MessagesStream, "routing");
        Assert.Contains(routingConsumers, c => c.Name == "routing-2");
        Assert.True(routingConsumers.Length >= 2, string.Join(", ", routingConsumers.Select(c => c.Name)));
        var slaConsumers = await db.StreamConsumerInfoAsync(keys.RoutedStream, "sla");
        Assert.Contains(slaConsumers, c => c.Name == "sla-2");
        Assert.True(slaConsumers.Length >= 2, string.Join(", ", slaConsumers.Select(c => c.Name)));
    }
}
