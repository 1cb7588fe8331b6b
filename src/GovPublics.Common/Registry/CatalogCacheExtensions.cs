using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RegPb = GovPublics.Contracts.Registry.V1;

namespace GovPublics.Common.Registry;

public static class CatalogCacheExtensions
{
    /// <summary>The registry's gRPC address through service discovery: the <c>grpc</c> endpoint of <c>registry</c>.</summary>
    public const string RegistryAddress = "http://_grpc.registry";

    /// <summary>
    /// A registry gRPC client (service discovery, gRPC retries on UNAVAILABLE, context propagation) and the local
    /// catalogue cache, with a readiness check that passes once the catalogue is loaded.
    /// </summary>
    public static IHostApplicationBuilder AddCatalogCache(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<CatalogCacheOptions>(builder.Configuration.GetSection(CatalogCacheOptions.Section));
        builder.Services.AddGrpcClient<RegPb.RegistryService.RegistryServiceClient>(o =>
            {
                o.Address = new Uri(builder.Configuration["Registry:Address"] ?? RegistryAddress);
                o.ChannelOptionsActions.Add(c => c.ServiceConfig = new ServiceConfig { MethodConfigs = { RetryUnavailable() } });
            })
            .AddHttpMessageHandler(() => new InternalCalls.KeyHandler(InternalCalls.Key(builder.Configuration)));
        builder.Services.AddSingleton<CatalogCache>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogCache>());
        builder.Services.AddHealthChecks().AddCheck<CatalogLoadedHealthCheck>("catalog");
        return builder;
    }

    /// <summary>gRPC's own retry policy: a few quick retries when the other side is briefly unavailable.</summary>
    public static MethodConfig RetryUnavailable() => new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = 4,
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
            BackoffMultiplier = 2,
            RetryableStatusCodes = { global::Grpc.Core.StatusCode.Unavailable },
        },
    };

    private sealed class CatalogLoadedHealthCheck(CatalogCache cache) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(cache.IsLoaded
                ? HealthCheckResult.Healthy($"catalogue version {cache.Current.Version}")
                : HealthCheckResult.Unhealthy("the registry catalogue is not loaded yet"));
    }
}
