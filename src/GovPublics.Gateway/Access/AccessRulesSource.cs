using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GovPublics.Gateway.Access;

/// <summary>
/// The gateway's current <see cref="AccessRules"/>, rebuilt whenever the client list changes (a client file named by
/// <c>Auth:ClientsFile</c> is watched), so a token is revoked or added without a restart. A list that cannot be used
/// is refused and the last good one kept (the health check reports it). Calls still open under a client the new
/// list no longer knows, or knows with other roles or another authority (a watch stream may last for hours), are
/// aborted.
/// </summary>
public sealed class AccessRulesSource : IDisposable
{
    private readonly ILogger<AccessRulesSource> _logger;
    private readonly IDisposable? _subscription;
    private readonly ConcurrentDictionary<OpenCall, byte> _open = new();
    private readonly Lock _reloading = new();
    private volatile AccessRules _current;
    private volatile string? _refusedReload;

    public AccessRulesSource(IOptionsMonitor<GatewayAuthOptions> options, ILogger<AccessRulesSource> logger)
    {
        _logger = logger;
        // At start a broken list throws: the gateway stops instead of refusing everyone.
        _current = new AccessRules(options.CurrentValue);
        _subscription = options.OnChange(Reload);
    }

    /// <summary>The rules calls are checked against now.</summary>
    public AccessRules Current => _current;

    /// <summary>Why the last change of the client list was refused; null when the list in force is the newest.</summary>
    public string? RefusedReload => _refusedReload;

    /// <summary>
    /// Remembers a call <paramref name="checkedUnder"/> allowed while it is open, so a reload can end it; dispose when it
    /// ends. A reload that came between the check and this (and so did not see the call) is applied here: the call is
    /// aborted when the rules now in force no longer allow its client.
    /// </summary>
    public OpenCall Open(HttpContext context, GatewayClient client, AccessRules checkedUnder)
    {
        var call = new OpenCall(this, context, client);
        _open[call] = 0;
        // Either the reload's sweep sees this call, or this sees the reload's rules (both sides fence between their
        // write and their read).
        Interlocked.MemoryBarrier();
        var current = _current;
        if (!ReferenceEquals(current, checkedUnder) && !current.StillAllows(client))
        {
            call.Abort();
        }

        return call;
    }

    /// <summary>Applies a changed client list (also called by the options monitor).</summary>
    public void Reload(GatewayAuthOptions options)
    {
        lock (_reloading)
        {
            AccessRules next;
            try
            {
                next = new AccessRules(options);
            }
            catch (InvalidOperationException ex)
            {
                _refusedReload = ex.Message;
                _logger.LogError("The changed client list was refused; the previous one stays in force: {Reason}", ex.Message);
                return;
            }

            Interlocked.Exchange(ref _current, next);
            _refusedReload = null;
            var ended = 0;
            foreach (var (call, _) in _open)
            {
                if (!next.StillAllows(call.Client) && call.Abort())
                {
                    ended++;
                }
            }

            _logger.LogInformation("Client list reloaded: {Count} clients; {Ended} open calls of removed or changed clients ended", next.ClientCount, ended);
        }
    }

    public void Dispose() => _subscription?.Dispose();

    /// <summary>
    /// An allowed call in progress. Ended under a lock that aborting takes too: once the call has ended its
    /// <see cref="HttpContext"/> goes back to the server's pool (and on to another request), so a reload that found the
    /// call in its sweep must not abort through it after that.
    /// </summary>
    public sealed class OpenCall(AccessRulesSource source, HttpContext context, GatewayClient client) : IDisposable
    {
        private readonly Lock _lock = new();
        private bool _ended;

        public GatewayClient Client => client;

        /// <summary>Whether a reload has ended the call.</summary>
        public bool Aborted { get; private set; }

        /// <summary>Aborts the call unless it has ended; whether it did.</summary>
        internal bool Abort()
        {
            lock (_lock)
            {
                if (_ended)
                {
                    return false;
                }

                context.Abort();
                Aborted = true;
                return true;
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _ended = true;
            }

            source._open.TryRemove(this, out _);
        }
    }
}

/// <summary>Degraded while a changed client list is refused (the previous one is still in force).</summary>
public sealed class ClientListHealthCheck(AccessRulesSource rules) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(rules.RefusedReload is { } reason
            ? HealthCheckResult.Degraded("The changed client list was refused: " + reason)
            : HealthCheckResult.Healthy($"{rules.Current.ClientCount} clients"));
}
