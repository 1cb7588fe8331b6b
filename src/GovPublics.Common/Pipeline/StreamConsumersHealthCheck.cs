using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace GovPublics.Common.Pipeline;

/// <summary>
/// Reports the service's stream consumers: healthy while each completes polls; degraded when one has not
/// completed a poll for <see cref="StallAfter"/> (Redis away, a missing calendar year): the pipeline is stalled,
/// though nothing is lost, and devops should look.
/// </summary>
public sealed class StreamConsumersHealthCheck(IEnumerable<IHostedService> services, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(30);

    private readonly DateTimeOffset _started = time.GetUtcNow();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var stalled = services.OfType<RedisStreamConsumer>()
            .Where(c => now - (c.LastPollCompleted ?? _started) > StallAfter)
            .Select(c => $"{c.ConsumerGroup}: no completed poll for {(now - (c.LastPollCompleted ?? _started)).TotalSeconds:F0} s ({c.LastFailure ?? "waiting"})")
            .ToList();
        return Task.FromResult(stalled.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(string.Join("; ", stalled)));
    }
}

public static class StreamConsumerHealthExtensions
{
    /// <summary>The health check of the service's stream consumers.</summary>
    public static IServiceCollection AddStreamConsumersHealthCheck(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StreamConsumersHealthCheck>("stream-consumers");
        return services;
    }
}
