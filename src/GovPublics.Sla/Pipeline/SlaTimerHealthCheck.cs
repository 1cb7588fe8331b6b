using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GovPublics.Sla.Pipeline;

/// <summary>
/// Degraded when the timer worker has not completed a run for <see cref="StallAfter"/> (Redis away, or the catalogue
/// never loaded): no warning, breach or escalation fires from this replica, though none is lost.
/// </summary>
public sealed class SlaTimerHealthCheck(SlaTimerWorker worker, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(30);

    private readonly DateTimeOffset _started = time.GetUtcNow();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = time.GetUtcNow() - (worker.LastRunCompleted ?? _started);
        return Task.FromResult(since <= StallAfter
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"timers: no completed run for {since.TotalSeconds:F0} s"));
    }
}
