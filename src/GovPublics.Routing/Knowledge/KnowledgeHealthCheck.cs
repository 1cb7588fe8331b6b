using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GovPublics.Routing.Knowledge;

/// <summary>Unhealthy until knowledge is loaded; Degraded while a newer version is refused (the previous one serves).</summary>
public sealed class KnowledgeHealthCheck(ClassifierHolder holder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!holder.IsLoaded
            ? HealthCheckResult.Unhealthy("the routing knowledge is not loaded yet")
            : holder.LastError is { } error
                ? HealthCheckResult.Degraded($"routing knowledge {holder.Current.Knowledge.Version} ({holder.Source}) in use; the newer one is refused: {error}")
                : HealthCheckResult.Healthy($"routing knowledge {holder.Current.Knowledge.Version} ({holder.Source})"));
}
