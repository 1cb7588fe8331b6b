using GovPublics.Catalog;
using GovPublics.Common.Hosting;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RegPb = GovPublics.Contracts.Registry.V1;

namespace GovPublics.Common.Registry;

/// <summary>Settings of a service's local copy of the registry catalogue (section <c>CatalogCache</c>).</summary>
public sealed class CatalogCacheOptions
{
    public const string Section = "CatalogCache";

    /// <summary>How often the registry's catalogue version is checked; a changed version reloads the copy.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// A service's local, immutable copy of the registry catalogue: hot-path lookups (page by platform and id,
/// jurisdiction, escalation chain) are dictionary reads on <see cref="Current"/>, never a call per message. The
/// copy is refreshed in the background when the registry's catalogue version changes.
/// </summary>
public sealed class CatalogCache(
    RegPb.RegistryService.RegistryServiceClient client,
    IOptions<CatalogCacheOptions> options,
    IOptions<GovPublicsOptions> common,
    TimeProvider time,
    ILogger<CatalogCache> logger) : BackgroundService
{
    private const int PageSize = 1000;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile CatalogSnapshot _current = CatalogSnapshot.Empty;

    /// <summary>The latest catalogue; empty until the first load.</summary>
    public CatalogSnapshot Current => _current;

    /// <summary>True once a catalogue has been loaded.</summary>
    public bool IsLoaded => _loaded.Task.IsCompleted;

    /// <summary>Waits until the first catalogue is loaded.</summary>
    public Task WaitLoadedAsync(CancellationToken cancellationToken) => _loaded.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
                backoff = TimeSpan.FromMilliseconds(200);
                await Task.Delay(options.Value.RefreshInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The registry is starting or away, or sent something unusable: keep serving the copy we have
                // (the process must not stop over it) and try again.
                if (ex is RpcException rpc)
                {
                    logger.LogWarning("Catalogue refresh failed: {Status} {Detail}", rpc.StatusCode, rpc.Status.Detail);
                }
                else
                {
                    logger.LogError(ex, "Catalogue refresh failed; serving catalogue version {Version}", _current.Version);
                }

                await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>Reloads the catalogue when the registry's version differs from the copy's.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var probe = await client.ListTerritoriesAsync(new RegPb.ListTerritoriesRequest { PageSize = 1 }, Options(cancellationToken));
        if (IsLoaded && probe.CatalogVersion == _current.Version)
        {
            return;
        }

        var territories = await ReadAll(
            token => client.ListTerritoriesAsync(new RegPb.ListTerritoriesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
            r => (r.Territories.Select(t => t.ToDomain()), r.NextPageToken, r.CatalogVersion));
        var authorities = await ReadAll(
            token => client.ListAuthoritiesAsync(new RegPb.ListAuthoritiesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
            r => (r.Authorities.Select(a => a.ToDomain()), r.NextPageToken, r.CatalogVersion));
        var pages = await ReadAll(
            token => client.ListPagesAsync(new RegPb.ListPagesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
            r => (r.Pages.Select(p => p.ToDomain()), r.NextPageToken, r.CatalogVersion));
        var rules = await ReadAll(
            token => client.ListJurisdictionRulesAsync(new RegPb.ListJurisdictionRulesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
            r => (r.Rules.Select(x => x.ToDomain()), r.NextPageToken, r.CatalogVersion));

        var versions = new[] { territories.Version, authorities.Version, pages.Version, rules.Version };
        if (versions.Distinct().Count() > 1)
        {
            // The catalogue changed while it was read: read it again on the next tick rather than mix versions.
            logger.LogInformation("Catalogue changed during refresh (versions {Versions}); retrying", string.Join(",", versions));
            return;
        }

        _current = new CatalogSnapshot(rules.Version, territories.Items, authorities.Items, pages.Items, rules.Items);
        _loaded.TrySetResult();
        logger.LogInformation("Catalogue {Version} loaded for region {Region}: {Territories} territories, {Authorities} authorities, {Pages} pages, {Rules} rules",
            _current.Version, common.Value.Region, territories.Items.Count, authorities.Items.Count, pages.Items.Count, rules.Items.Count);
    }

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + common.Value.CallDeadline, cancellationToken: cancellationToken);

    private static async Task<(List<T> Items, long Version)> ReadAll<TResponse, T>(
        Func<string, Task<TResponse>> call, Func<TResponse, (IEnumerable<T> Items, string Next, long Version)> read)
    {
        var items = new List<T>();
        var token = "";
        long version;
        do
        {
            var (page, next, v) = read(await call(token));
            items.AddRange(page);
            token = next;
            version = v;
        }
        while (token.Length > 0);

        return (items, version);
    }
}
