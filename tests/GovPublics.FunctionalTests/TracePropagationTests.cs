using System.Collections.Concurrent;
using System.Diagnostics;
using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Ingestion.Grpc;
using GovPublics.Registry.Grpc;
using GovPublics.Routing.Grpc;
using GovPublics.Sla.Grpc;
using GovPublics.Testing;

namespace GovPublics.FunctionalTests;

/// <summary>One trace from the caller through ingestion, the messages stream, routing, the routed stream and SLA.</summary>
public sealed class TracePropagationTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private static readonly ActivitySource _caller = new("GovPublics.Tests.Caller");
    private readonly ConcurrentBag<Activity> _stopped = [];
    private ActivityListener _listener = null!;
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private ServiceHost<IngestionGrpcService> _ingestion = null!;
    private ServiceHost<RoutingGrpcService> _routing = null!;
    private ServiceHost<SlaGrpcService> _sla = null!;

    public ValueTask InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Add,
        };
        ActivitySource.AddActivityListener(_listener);
        var registrySettings = new Dictionary<string, string?>();
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        _registry.StartServer();
        registrySettings["Registry:Address"] = _registry.GrpcAddress;
        _ingestion = new ServiceHost<IngestionGrpcService>(redis.Server.ConnectionString);
        _routing = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString, registrySettings);
        _sla = new ServiceHost<SlaGrpcService>(redis.Server.ConnectionString, registrySettings);
        _routing.StartServer();
        _sla.StartServer();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _sla.DisposeAsync();
        await _routing.DisposeAsync();
        await _ingestion.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task The_callers_trace_continues_through_routing_and_sla()
    {
        string messageId;
        ActivityTraceId traceId;
        using (var root = _caller.StartActivity("integrator sends a message", ActivityKind.Client))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            var client = new IngestionService.IngestionServiceClient(_ingestion.Channel);
            messageId = (await client.IngestAsync(new IngestRequest
            {
                Platform = Platform.Vk,
                PageExternalId = "-1",
                ExternalId = "trace-1",
                Text = "В Сызрани на улице Ульяновской прорвало трубу, течёт вода по дороге",
            })).MessageId;
        }

        var sla = new SlaService.SlaServiceClient(_sla.Channel);
        await Eventually.Found(() => sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = messageId }).ResponseAsync);
        await Eventually.True(() => Task.FromResult(_stopped.Any(a => a.TraceId == traceId && a.OperationName == "sla process")),
            "the SLA consumer span to end");

        var trace = _stopped.Where(a => a.TraceId == traceId).ToList();
        Assert.Contains(trace, a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("IngestionService/Ingest", StringComparison.Ordinal));
        var routing = Assert.Single(trace, a => a.OperationName == "routing process");
        var slaSpan = Assert.Single(trace, a => a.OperationName == "sla process");
        Assert.Equal(ActivityKind.Consumer, routing.Kind);
        Assert.Equal(ActivityKind.Consumer, slaSpan.Kind);
    }
}
