using GovPublics.Catalog;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Registry.Storage;

/// <summary>Settings of the registry (section <c>Registry</c>).</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>The seed catalogue, loaded idempotently at start; relative paths are from the app's folder.</summary>
    public string SeedFile { get; set; } = "Seed/samara-region.json";

    /// <summary>How often the version in Redis is checked for changes made by another replica.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The registry's in-memory catalogue: seeded into Redis at start, read from Redis, served from memory, and
/// reloaded whenever the version in Redis moves (another replica, or an edit).
/// </summary>
public sealed class RegistryCatalog(
    RegistryStore store,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    ILogger<RegistryCatalog> logger) : BackgroundService
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile CatalogSnapshot _current = CatalogSnapshot.Empty;

    /// <summary>The catalogue last loaded; empty until <see cref="IsLoaded"/>.</summary>
    public CatalogSnapshot Current => _current;

    public bool IsLoaded => _loaded.Task.IsCompleted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!IsLoaded)
                {
                    await SeedAsync(stoppingToken);
                }

                await RefreshAsync();
                await Task.Delay(options.Value.RefreshInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Registry store unavailable; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        var path = Path.IsPathRooted(options.Value.SeedFile)
            ? options.Value.SeedFile
            : Path.Combine(AppContext.BaseDirectory, options.Value.SeedFile);
        var seed = await CatalogDocument.LoadAsync(path, cancellationToken);
        seed.ToSnapshot(0); // refuse a broken seed file before anything of it is stored
        var added = await store.SeedAsync(seed);
        logger.LogInformation("Seed {SeedFile}: {Added} new entities stored", path, added);
    }

    /// <summary>Reloads the catalogue from Redis when its version changed.</summary>
    public async Task RefreshAsync()
    {
        var version = await store.GetVersionAsync();
        if (IsLoaded && version == _current.Version)
        {
            return;
        }

        var (document, readVersion) = await store.LoadAsync();
        _current = document.ToSnapshot(readVersion);
        _loaded.TrySetResult();
        logger.LogInformation("Catalogue version {Version} loaded: {Territories} territories, {Authorities} authorities, {Pages} pages, {Rules} rules",
            readVersion, _current.Territories.Count, _current.Authorities.Count, _current.Pages.Count, _current.Rules.Count);
    }
}
