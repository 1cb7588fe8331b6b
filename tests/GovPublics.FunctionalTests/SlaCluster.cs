using GovPublics.Common.Pipeline;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Registry.Grpc;
using GovPublics.Sla.Grpc;
using GovPublics.Sla.Pipeline;
using GovPublics.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace GovPublics.FunctionalTests;

/// <summary>
/// A registry and any number of SLA replicas on one real Redis, the replicas sharing a <see cref="ManualTimeProvider"/>
/// and polling their timers every 20 ms. The Redis is emptied first, so a test sees only its own incidents and events.
/// </summary>
public sealed class SlaCluster : IAsyncDisposable
{
    public const string EventsStream = "gp:{63}:incident-events";

    private readonly RedisFixture _redis;
    private readonly List<ServiceHost<SlaGrpcService>> _replicas = [];
    private ServiceHost<RegistryGrpcService> _registry = null!;

    private SlaCluster(RedisFixture redis, ManualTimeProvider clock)
    {
        _redis = redis;
        Clock = clock;
    }

    public ManualTimeProvider Clock { get; }

    public IReadOnlyList<ServiceHost<SlaGrpcService>> Replicas => _replicas;

    public static async Task<SlaCluster> StartAsync(RedisFixture redis, DateTimeOffset now, int replicas)
    {
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString + ",allowAdmin=true"))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).FlushAllDatabasesAsync();
        }

        var cluster = new SlaCluster(redis, new ManualTimeProvider(now));
        cluster._registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        cluster._registry.StartServer();
        for (var i = 0; i < replicas; i++)
        {
            await cluster.StartReplicaAsync();
        }

        return cluster;
    }

    /// <summary>Starts one more SLA replica and waits until it is healthy (catalogue loaded).</summary>
    public async Task<ServiceHost<SlaGrpcService>> StartReplicaAsync()
    {
        var host = new ServiceHost<SlaGrpcService>(_redis.Server.ConnectionString,
            new Dictionary<string, string?>
            {
                ["Registry:Address"] = _registry.GrpcAddress,
                ["Sla:Timers:PollInterval"] = "00:00:00.020",
            },
            services => services.AddSingleton<TimeProvider>(Clock));
        _replicas.Add(host);
        await Eventually.True(async () =>
        {
            using var http = host.CreateHttpClient();
            return (await http.GetAsync("/health")).IsSuccessStatusCode;
        }, "SLA replica healthy (catalogue loaded)");
        return host;
    }

    /// <summary>Stops a replica, as a deployment or a crash would.</summary>
    public async Task StopReplicaAsync(ServiceHost<SlaGrpcService> host)
    {
        _replicas.Remove(host);
        await host.DisposeAsync();
    }

    public SlaService.SlaServiceClient Client(int replica = 0) => new(_replicas[replica].Channel);

    public SlaTimerWorker Worker(int replica) => _replicas[replica].Services.GetRequiredService<SlaTimerWorker>();

    /// <summary>Routes a message received now (the manual clock) to <paramref name="authority"/>; returns the message id.</summary>
    public async Task<string> RouteAsync(string externalId, string authority, string municipality = "", string district = "", bool urgent = false)
    {
        var message = PipelineEntries.Message(externalId, $"Сообщение {externalId}") with { ReceivedAt = Clock.GetUtcNow(), CreatedAt = Clock.GetUtcNow() };
        await PipelineEntries.AddRoutedAsync(_redis.Db, new RoutedMessage(message, new RoutedDecision
        {
            IsIncident = true,
            Category = "roads",
            Urgent = urgent,
            ResponsibleAuthorityId = authority,
            MunicipalityId = municipality,
            DistrictId = district,
            Confidence = 0.8,
            Explanation = "test",
        }));
        return message.MessageId;
    }

    /// <summary>Routes a message and waits until its incident exists.</summary>
    public async Task<Incident> CreateIncidentAsync(string externalId, string authority, string municipality = "", string district = "", bool urgent = false)
    {
        var messageId = await RouteAsync(externalId, authority, municipality, district, urgent);
        return await Eventually.Found(() => Client().GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = messageId }).ResponseAsync);
    }

    /// <summary>Every event of the incident feed: (incident id, event), oldest first.</summary>
    public async Task<List<(string Incident, string Event)>> FeedAsync() =>
        [.. (await _redis.Db.StreamRangeAsync(EventsStream)).Select(e => (e["incident"].ToString(), e["event"].ToString()))];

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _replicas)
        {
            await host.DisposeAsync();
        }

        await _registry.DisposeAsync();
    }
}
