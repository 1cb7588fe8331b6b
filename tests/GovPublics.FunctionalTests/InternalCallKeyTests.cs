using GovPublics.Contracts.Registry.V1;
using GovPublics.Ingestion.Grpc;
using GovPublics.Registry.Grpc;
using GovPublics.Testing;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Hosting;

namespace GovPublics.FunctionalTests;

/// <summary>
/// Services with an internal call key: their own gRPC ports refuse calls without it (the identity headers the
/// gateway sets cannot be forged by going around it), answer health checks to anyone, and the services' calls to
/// each other carry it.
/// </summary>
public sealed class InternalCallKeyTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Key = "0123456789abcdef0123456789abcdef-test-key";
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private ServiceHost<IngestionGrpcService> _ingestion = null!;

    public ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString, new Dictionary<string, string?> { [InternalCalls.ConfigKey] = Key });
        _registry.StartServer();
        _ingestion = new ServiceHost<IngestionGrpcService>(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            [InternalCalls.ConfigKey] = Key,
            ["Registry:Address"] = _registry.GrpcAddress,
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _ingestion.DisposeAsync();
        await _registry.DisposeAsync();
    }

    [Fact]
    public async Task A_call_without_the_key_is_refused_one_with_it_is_served_and_health_is_open()
    {
        var registry = new RegistryService.RegistryServiceClient(_registry.Channel);
        var forged = new Metadata { { "x-gp-roles", "admin" }, { "x-gp-client", "someone" } };
        var refused = await Assert.ThrowsAsync<RpcException>(() => registry.ListTerritoriesAsync(new ListTerritoriesRequest(), forged).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("call through the gateway", refused.Status.Detail, StringComparison.Ordinal);

        var wrong = new Metadata { { InternalCalls.Header, Key + "x" } };
        Assert.Equal(StatusCode.Unauthenticated,
            (await Assert.ThrowsAsync<RpcException>(() => registry.ListTerritoriesAsync(new ListTerritoriesRequest(), wrong).ResponseAsync)).StatusCode);

        var keyed = new Metadata { { InternalCalls.Header, Key } };
        await Eventually.GrpcReady(() => registry.ListTerritoriesAsync(new ListTerritoriesRequest(), keyed).ResponseAsync);

        var health = await new Health.HealthClient(_registry.Channel).CheckAsync(new HealthCheckRequest());
        Assert.NotEqual(HealthCheckResponse.Types.ServingStatus.Unknown, health.Status);
        using var http = _registry.CreateHttpClient();
        Assert.True((await http.GetAsync("/alive")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_service_calls_another_with_the_key()
    {
        // Ingestion is healthy only once its catalogue cache has loaded from the registry, which takes the key.
        using var http = _ingestion.CreateHttpClient();
        await Eventually.True(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, "ingestion's catalogue loaded from a keyed registry");
    }
}
