using System.Collections.Concurrent;
using System.Diagnostics;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Testing;

namespace GovPublics.FunctionalTests;

/// <summary>
/// The four services together: one trace from the caller through ingestion, the messages stream, routing, the
/// routed stream and SLA; health and reflection on every gRPC endpoint.
/// </summary>
public sealed class PipelineTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private static readonly ActivitySource _caller = new("GovPublics.Tests.Caller");
    private readonly ConcurrentBag<Activity> _stopped = [];
    private ActivityListener _listener = null!;
    private FourServices _services = null!;

    public async ValueTask InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Add,
        };
        ActivitySource.AddActivityListener(_listener);
        _services = await FourServices.StartAsync(redis.Server.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _services.DisposeAsync();
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
            var client = new IngestionService.IngestionServiceClient(_services.Ingestion.Channel);
            messageId = (await client.IngestAsync(FourServices.WaterMainBurst("trace-1"))).MessageId;
        }

        var sla = new SlaService.SlaServiceClient(_services.Sla.Channel);
        await Eventually.Found(() => sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = messageId }).ResponseAsync);
        await Eventually.True(() => Task.FromResult(
                _stopped.Any(a => a.TraceId == traceId && a.OperationName == "sla process")
                && _stopped.Any(a => a.TraceId == traceId && a.OperationName == "routing process")),
            "the routing and SLA consumer spans to end");

        var trace = _stopped.Where(a => a.TraceId == traceId).ToList();
        Assert.Contains(trace, a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("IngestionService/Ingest", StringComparison.Ordinal));
        var routing = Assert.Single(trace, a => a.OperationName == "routing process");
        var slaSpan = Assert.Single(trace, a => a.OperationName == "sla process");
        Assert.Equal(ActivityKind.Consumer, routing.Kind);
        Assert.Equal(ActivityKind.Consumer, slaSpan.Kind);
    }

    [Fact]
    public async Task Every_service_serves_gRPC_health_and_reflection_on_its_grpc_endpoint()
    {
        var expected = new Dictionary<Grpc.Net.Client.GrpcChannel, string>
        {
            [_services.Registry.Channel] = "govpublics.registry.v1.RegistryService",
            [_services.Ingestion.Channel] = "govpublics.ingestion.v1.IngestionService",
            [_services.Routing.Channel] = "govpublics.routing.v1.RoutingService",
            [_services.Sla.Channel] = "govpublics.sla.v1.SlaService",
        };
        foreach (var (channel, service) in expected)
        {
            await Eventually.True(async () =>
                (await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest())).Status
                    == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, $"{service} serving");

            using var call = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
            await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
            Assert.Contains(service, services);
            Assert.Contains("grpc.health.v1.Health", services);
        }
    }
}
