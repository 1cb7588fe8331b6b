using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GovPublics.Common.Registry;

/// <summary>
/// Loads something from the registry, then follows the registry's change feed, for the life of the process: the
/// registry starting or going away interrupts the feed, and the follower reconnects with back-off (200 ms doubling to
/// 5 s) from where it was, keeping what it has in use meanwhile. When the registry refuses that position (it is
/// ahead of a registry whose store was restored or re-seeded), the follower loads everything afresh. Nothing it
/// meets stops the process.
/// </summary>
public abstract class RegistryFeedFollower(TimeProvider time, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan _firstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan _maxBackoff = TimeSpan.FromSeconds(5);

    /// <summary>What is followed, for the logs, e.g. "Catalogue".</summary>
    protected abstract string Subject { get; }

    /// <summary>Loads everything afresh.</summary>
    protected abstract Task LoadAsync(CancellationToken cancellationToken);

    /// <summary>Follows the feed until it ends; true when a full <see cref="LoadAsync"/> is needed before following again.</summary>
    protected abstract Task<bool> FollowAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A failure other than the registry being away (a bad answer, a bug): report it. True to load afresh before
    /// following again.
    /// </summary>
    protected abstract bool OnFailure(Exception exception);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = _firstBackoff;
        var reload = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (reload)
                {
                    await LoadAsync(stoppingToken);
                    reload = false;
                }

                reload = await FollowAsync(stoppingToken);
                backoff = _firstBackoff;
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument && !stoppingToken.IsCancellationRequested)
            {
                // The registry refuses the position: it is ahead of the registry's version, whose store went back (a
                // backup restored, a re-seed). Reconnecting from it would be refused for ever, so load everything
                // afresh and follow from the registry's version.
                logger.LogWarning("{Subject} feed refused: {Detail}; the registry's store went back: loading everything afresh", Subject, ex.Status.Detail);
                reload = true;
            }
            catch (RpcException ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("{Subject} feed interrupted: {Status} {Detail}; reconnecting", Subject, ex.StatusCode, ex.Status.Detail);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                reload |= OnFailure(ex);
            }

            await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));
        }
    }
}
