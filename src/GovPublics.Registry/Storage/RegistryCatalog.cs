using GovPublics.Catalog;
using GovPublics.Common.Redis;
using Microsoft.Extensions.Options;
using GovPublics.Registry.Domain;
using StackExchange.Redis;

namespace GovPublics.Registry.Storage;

/// <summary>Settings of the registry (section <c>Registry</c>).</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>The seed catalogue, loaded idempotently at start; relative paths are from the app's folder.</summary>
    public string SeedFile { get; set; } = "Seed/samara-region.json";

    /// <summary>The shipped routing knowledge documents, stored at start when absent; relative paths are from the app's folder.</summary>
    public string KnowledgeSeedDirectory { get; set; } = "Knowledge";

    /// <summary>How often the version in Redis is checked for changes made by another replica.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The registry's in-memory catalogue: seeded into Redis at start, read from Redis, served from memory, and
/// reloaded whenever the version in Redis moves (another replica, or an edit) or was made by another commit (the
/// store restored from a backup, or re-created, and edited back to the same version number).
/// </summary>
public sealed class RegistryCatalog(
    RegistryStore store,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    ILogger<RegistryCatalog> logger) : BackgroundService
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile CatalogSnapshot _current = CatalogSnapshot.Empty;
    private volatile StoredCatalog _stored = new(new CatalogDocument(), 0, new Dictionary<string, long>(), new HashSet<string>());
    private bool _seedApplied;

    /// <summary>The catalogue last loaded; empty until <see cref="IsLoaded"/>.</summary>
    public CatalogSnapshot Current => _current;

    /// <summary>The stored form of <see cref="Current"/>: documents, entity versions, pages with a secret.</summary>
    public StoredCatalog Stored => _stored;

    public bool IsLoaded => _loaded.Task.IsCompleted;

    /// <summary>Why the last load failed, or null after a good load.</summary>
    public string? LastError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_seedApplied)
                {
                    await SeedAsync(stoppingToken);
                    _seedApplied = true;
                }

                await RefreshAsync();
                await Task.Delay(options.Value.RefreshInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (RedisFailures.IsStoreFailure(ex))
            {
                logger.LogWarning(ex, "Registry store unavailable; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Bad data in the store must not stop the registry: keep serving the last good catalogue (or stay
                // unready) and say why, loudly; the health check reports it.
                LastError = ex.Message;
                logger.LogError(ex, "The stored catalogue cannot be loaded; serving catalogue version {Version}", _current.Version);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        var path = Path.IsPathRooted(options.Value.SeedFile)
            ? options.Value.SeedFile
            : Path.Combine(AppContext.BaseDirectory, options.Value.SeedFile);
        CatalogDocument seed;
        try
        {
            seed = await CatalogDocument.LoadAsync(path, cancellationToken);
            seed.ToSnapshot(0); // refuse a broken seed file before anything of it is stored
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or CatalogValidationException)
        {
            // A broken seed file must not keep the stored catalogue from being served.
            logger.LogError(ex, "Seed {SeedFile} not applied: it cannot be read or is invalid", path);
            return;
        }

        var additions = await store.UnseededPartAsync(seed);
        var storedCatalog = await store.LoadAsync();
        var stored = storedCatalog.Document;
        var merged = new CatalogDocument
        {
            RegionCode = stored.RegionCode,
            Territories = [.. stored.Territories, .. additions.Territories.Where(t => stored.Territories.All(x => x.Id != t.Id))],
            Authorities = [.. stored.Authorities, .. additions.Authorities.Where(a => stored.Authorities.All(x => x.Id != a.Id))],
            Pages = [.. stored.Pages, .. additions.Pages.Where(p => stored.Pages.All(x => x.Id != p.Id))],
            Rules = [.. stored.Rules, .. additions.Rules.Where(r => stored.Rules.All(x => x.Id != r.Id))],
        };
        try
        {
            merged.ToSnapshot(0);
        }
        catch (CatalogValidationException ex)
        {
            // The seed's new entities do not fit what staff made of the catalogue (say, a page of an authority
            // they removed): store none of them, and keep the catalogue as it is.
            logger.LogError("Seed {SeedFile} not applied: with the stored catalogue it would break {Count} rule(s): {Errors}",
                path, ex.Errors.Count, string.Join("; ", ex.Errors.Take(10)));
            return;
        }

        var ops = additions.Territories.Select(t => Op(EntitySets.Territories, t.Id, t))
            .Concat(additions.Authorities.Select(a => Op(EntitySets.Authorities, a.Id, a)))
            .Concat(additions.Pages.Select(p => Op(EntitySets.Pages, p.Id, p)))
            .Concat(additions.Rules.Select(r => Op(EntitySets.Rules, r.Id, r)))
            .ToList();
        if (ops.Count == 0)
        {
            logger.LogInformation("Seed {SeedFile}: nothing new", path);
            return;
        }

        // Committed on the version it was computed from: if another replica seeds or edits meanwhile, compute again.
        if (await store.CommitAsync(storedCatalog.Version, ops, markSeeded: true) is not { } version)
        {
            throw new RedisException("The catalogue changed while the seed was applied; retrying");
        }

        logger.LogInformation("Seed {SeedFile}: {Added} new entities stored as catalogue version {Version}", path, ops.Count, version);
    }

    /// <summary>How often an edit is worked out again after another writer committed first, before it is ABORTED.</summary>
    public const int MaxEditAttempts = 10;

    private static readonly TimeSpan _firstRetryDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan _maxRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Makes a change: computes it on the latest catalogue, commits it on that catalogue's version, and when
    /// another writer got there first computes it again (validation included) on the newer catalogue, after a short
    /// jittered back-off. Throws <see cref="ContentionException"/> when it lost <see cref="MaxEditAttempts"/> times.
    /// </summary>
    public async Task<(CatalogEdit Edit, long Version)> EditAsync(Func<StoredCatalog, CatalogEdit> edit)
    {
        for (var attempt = 1; ; attempt++)
        {
            await RefreshAsync();
            // One read of the snapshot for both the check and the commit: a refresh in between (another edit, the
            // background loop) would otherwise let an edit checked on version N commit on N + 1, unchecked.
            var stored = _stored;
            var change = edit(stored);
            if (change.Ops.Count == 0)
            {
                // Nothing to store (an import of what is there already): no new version.
                return (change, stored.Version);
            }

            if (await store.CommitAsync(stored.Version, change.Ops) is { } version)
            {
                await RefreshAsync();
                return (change, version);
            }

            if (attempt == MaxEditAttempts)
            {
                // Lost to other writers every time: contention, not an outage (the store answered each time).
                throw new ContentionException(
                    $"The catalogue kept changing under this edit ({attempt} attempts lost to other writers); nothing was stored: retry it.");
            }

            // Wait a random part of a growing delay, so that writers who lost together do not all come back together.
            var ceiling = Math.Min(_maxRetryDelay.Ticks, _firstRetryDelay.Ticks << attempt);
            await Task.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(ceiling / 2, ceiling + 1)), time);
        }
    }

    private static CatalogOp Op(string set, string id, object entity) =>
        new(CatalogOp.Upsert, set, id, System.Text.Json.JsonSerializer.Serialize(entity, entity.GetType(), CatalogDocument.JsonOptions));

    /// <summary>
    /// Reloads the catalogue from Redis when its version changed. One refresh at a time: two overlapping ones could
    /// finish out of order and put an older catalogue back over a newer one (an edit would then answer an entity it
    /// just stored as missing). Serialised rather than compared by version, so a store restored to an older version
    /// is still followed.
    /// </summary>
    public async Task RefreshAsync()
    {
        await _refreshing.WaitAsync();
        try
        {
            var head = await store.GetHeadAsync();
            if (IsLoaded && head.Version == _current.Version && head.CommitId == _current.CommitId)
            {
                return;
            }

            var stored = await store.LoadAsync();
            var readVersion = stored.Version;
            _current = stored.Document.ToSnapshot(readVersion, stored.CommitId);
            _stored = stored;
            LastError = null;
            _loaded.TrySetResult();
            logger.LogInformation("Catalogue version {Version} loaded: {Territories} territories, {Authorities} authorities, {Pages} pages, {Rules} rules",
                readVersion, _current.Territories.Count, _current.Authorities.Count, _current.Pages.Count, _current.Rules.Count);
        }
        finally
        {
            _refreshing.Release();
        }
    }
}
