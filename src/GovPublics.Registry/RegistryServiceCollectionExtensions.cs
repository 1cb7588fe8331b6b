using GovPublics.Registry.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GovPublics.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// The registry's store, its in-memory catalogue (seeded at start), the routing knowledge documents (seeded from
    /// the shipped files when absent) and a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddRegistryServices(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RegistryOptions>(builder.Configuration.GetSection(RegistryOptions.Section));
        builder.Services.AddSingleton<RegistryStore>();
        builder.Services.AddSingleton<RegistryCatalog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RegistryCatalog>());
        builder.Services.AddSingleton<KnowledgeStore>();
        builder.Services.AddSingleton<RegistryKnowledge>();
        builder.Services.AddHostedService<KnowledgeSeedService>();
        builder.Services.AddHealthChecks().AddCheck<CatalogLoadedCheck>("catalog");
        return builder;
    }

    private sealed class CatalogLoadedCheck(RegistryCatalog catalog) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(!catalog.IsLoaded
                ? HealthCheckResult.Unhealthy(catalog.LastError ?? "the catalogue is not loaded yet")
                : catalog.LastError is { } error
                    ? HealthCheckResult.Degraded($"serving catalogue version {catalog.Current.Version}; the stored catalogue fails to load: {error}")
                    : HealthCheckResult.Healthy($"catalogue version {catalog.Current.Version}"));
    }
}
