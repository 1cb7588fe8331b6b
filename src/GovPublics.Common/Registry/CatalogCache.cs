using GovPublics.Catalog;
using GovPublics.Common.Hosting;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RegPb = GovPublics.Contracts.Registry.V1;

namespace GovPublics.Common.Registry;

/// <summary>Settings of a service's local copy of the registry catalogue (section <c>CatalogCache</c>).</summary>
public sealed class CatalogCacheOptions
{
    public const string Section = "CatalogCache";

    /// <summary>A change-feed call is renewed after this long (a bounded deadline on a long-lived stream).</summary>
    public TimeSpan FeedLifetime { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// A service's local, immutable copy of the registry catalogue: hot-path lookups (page by platform and id,
/// jurisdiction, escalation chain) are dictionary reads on <see cref="Current"/>, never a call per message. It is
/// loaded once with the List calls, then kept current by the registry's change feed (<c>WatchChanges</c>): each
/// version's changes are applied and the copy swapped whole. A broken feed reconnects from the last applied
/// version and the commit that made it, so nothing is missed; when the registry no longer has that history (too
/// old, or its store restored or re-created since, even if edited past that version), the copy is reloaded.
/// </summary>
public sealed class CatalogCache(
    RegPb.RegistryService.RegistryServiceClient client,
    IOptions<CatalogCacheOptions> options,
    IOptions<GovPublicsOptions> common,
    TimeProvider time,
    ILogger<CatalogCache> logger) : RegistryFeedFollower(time, logger)
{
    private const int PageSize = 1000;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile CatalogSnapshot _current = CatalogSnapshot.Empty;
    private Dictionary<string, Territory> _territories = [];
    private Dictionary<string, Authority> _authorities = [];
    private Dictionary<string, Page> _pages = [];
    private Dictionary<string, JurisdictionRule> _rules = [];

    /// <summary>The latest catalogue; empty until the first load.</summary>
    public CatalogSnapshot Current => _current;

    /// <summary>True once a catalogue has been loaded.</summary>
    public bool IsLoaded => _loaded.Task.IsCompleted;

    /// <summary>Waits until the first catalogue is loaded.</summary>
    public Task WaitLoadedAsync(CancellationToken cancellationToken) => _loaded.Task.WaitAsync(cancellationToken);

    protected override string Subject => "Catalogue";

    protected override Task LoadAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    protected override bool OnFailure(Exception exception)
    {
        // The feed broke: keep serving the copy we have and reconnect from the last applied version.
        logger.LogError(exception, "Catalogue feed failed; serving catalogue version {Version}", _current.Version);
        return false;
    }

    /// <summary>Applies changes from the feed until it ends. True when the registry asks for a full reload.</summary>
    protected override async Task<bool> FollowAsync(CancellationToken cancellationToken)
    {
        using var call = client.WatchChanges(
            new RegPb.WatchChangesRequest { FromVersion = _current.Version, FromCommitId = _current.CommitId },
            deadline: DateTime.UtcNow + options.Value.FeedLifetime,
            cancellationToken: cancellationToken);
        try
        {
            await foreach (var change in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (change.ResetRequired)
                {
                    logger.LogInformation("The registry no longer has changes after version {Version} (commit {Commit}): reloading",
                        _current.Version, _current.CommitId);
                    return true;
                }

                Apply(change);
                if (change.LastInVersion)
                {
                    Publish(change.Version, change.CommitId);
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            // The feed's planned end: renew it from where it stopped.
        }

        return false;
    }

    private void Apply(RegPb.CatalogChange change)
    {
        var archive = change.Kind == RegPb.ChangeKind.Archive;
        switch (change.EntityCase)
        {
            case RegPb.CatalogChange.EntityOneofCase.Territory:
                Set(_territories, change.Territory.Id, archive ? null : change.Territory.ToDomain());
                break;
            case RegPb.CatalogChange.EntityOneofCase.Authority:
                Set(_authorities, change.Authority.Id, archive ? null : change.Authority.ToDomain());
                break;
            case RegPb.CatalogChange.EntityOneofCase.Page:
                Set(_pages, change.Page.Id, archive ? null : change.Page.ToDomain());
                break;
            case RegPb.CatalogChange.EntityOneofCase.Rule:
                Set(_rules, change.Rule.Id, archive ? null : change.Rule.ToDomain());
                break;
        }
    }

    private static void Set<T>(Dictionary<string, T> items, string id, T? value)
        where T : class
    {
        if (value is null)
        {
            items.Remove(id);
        }
        else
        {
            items[id] = value;
        }
    }

    private void Publish(long version, string commitId)
    {
        _current = new CatalogSnapshot(version, _territories.Values, _authorities.Values, _pages.Values, _rules.Values, commitId);
        _loaded.TrySetResult();
        logger.LogInformation("Catalogue version {Version} in use: {Territories} territories, {Authorities} authorities, {Pages} pages, {Rules} rules",
            version, _territories.Count, _authorities.Count, _pages.Count, _rules.Count);
    }

    /// <summary>Loads the whole catalogue with the List calls, all at one version.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var territories = await ReadAll(
                token => client.ListTerritoriesAsync(new RegPb.ListTerritoriesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
                r => (r.Territories.Select(t => t.ToDomain()), r.NextPageToken, new Position(r.CatalogVersion, r.CatalogCommitId)));
            var authorities = await ReadAll(
                token => client.ListAuthoritiesAsync(new RegPb.ListAuthoritiesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
                r => (r.Authorities.Select(a => a.ToDomain()), r.NextPageToken, new Position(r.CatalogVersion, r.CatalogCommitId)));
            var pages = await ReadAll(
                token => client.ListPagesAsync(new RegPb.ListPagesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
                r => (r.Pages.Select(p => p.ToDomain()), r.NextPageToken, new Position(r.CatalogVersion, r.CatalogCommitId)));
            var rules = await ReadAll(
                token => client.ListJurisdictionRulesAsync(new RegPb.ListJurisdictionRulesRequest { PageSize = PageSize, PageToken = token }, Options(cancellationToken)).ResponseAsync,
                r => (r.Rules.Select(x => x.ToDomain()), r.NextPageToken, new Position(r.CatalogVersion, r.CatalogCommitId)));

            // A version with its commit: after a restore the same number may be another catalogue.
            var versions = new[] { territories.At, authorities.At, pages.At, rules.At };
            if (versions.Distinct().Count() > 1)
            {
                // The catalogue changed while it was read: read it again rather than mix versions.
                logger.LogInformation("Catalogue changed during reload (versions {Versions}); reading again", string.Join(",", versions));
                continue;
            }

            _territories = territories.Items.ToDictionary(t => t.Id, StringComparer.Ordinal);
            _authorities = authorities.Items.ToDictionary(a => a.Id, StringComparer.Ordinal);
            _pages = pages.Items.ToDictionary(p => p.Id, StringComparer.Ordinal);
            _rules = rules.Items.ToDictionary(r => r.Id, StringComparer.Ordinal);
            Publish(rules.At.Version, rules.At.CommitId);
            logger.LogInformation("Catalogue of region {Region} reloaded", common.Value.Region);
            return;
        }
    }

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + common.Value.CallDeadline, cancellationToken: cancellationToken);

    /// <summary>A catalogue version and the registry commit that made it.</summary>
    private readonly record struct Position(long Version, string CommitId)
    {
        public override string ToString() => CommitId.Length == 0 ? $"{Version}" : $"{Version}@{CommitId}";
    }

    private static async Task<(List<T> Items, Position At)> ReadAll<TResponse, T>(
        Func<string, Task<TResponse>> call, Func<TResponse, (IEnumerable<T> Items, string Next, Position At)> read)
    {
        var items = new List<T>();
        var token = "";
        Position version;
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
