using GovPublics.Catalog;
using GovPublics.Common.Redis;
using GovPublics.Registry.Domain;
using GovPublics.Routing.Domain;
using Microsoft.Extensions.Options;

namespace GovPublics.Registry.Storage;

/// <summary>The stored knowledge documents, the registry version they were read at and the knowledge version they make.</summary>
public sealed record KnowledgeListing(IReadOnlyList<StoredKnowledge> Documents, long CatalogVersion, string KnowledgeVersion, string CatalogCommitId = "");

/// <summary>The outcome of an edit (or of its dry run): what was (or would be) stored and what it changes.</summary>
public sealed record KnowledgeEditResult(bool Applied, StoredKnowledge Document, KnowledgeEditPlan Plan);

/// <summary>
/// The routing knowledge as versioned data the ЦУР edits through the registry: seeded from the shipped files when
/// absent, read, and changed with validation (the whole set compiled with the change), optimistic concurrency,
/// history and rollback. Every stored change is on the registry's change feed.
/// </summary>
public sealed class RegistryKnowledge(
    KnowledgeStore store,
    RegistryStore registry,
    RegistryCatalog catalog,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    ILogger<RegistryKnowledge> logger)
{
    public const string SeedAuthor = "seed";

    private readonly Lock _cacheLock = new();
    private (string Key, RoutingKnowledge Knowledge)? _compiled;

    /// <summary>
    /// Stores each shipped document the registry does not have yet (a document staff edited is never overwritten),
    /// only when the shipped documents compile together with the stored ones.
    /// </summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var directory = Path.IsPathRooted(options.Value.KnowledgeSeedDirectory)
            ? options.Value.KnowledgeSeedDirectory
            : Path.Combine(AppContext.BaseDirectory, options.Value.KnowledgeSeedDirectory);
        var shipped = RoutingKnowledge.ReadDocuments(directory);
        var stored = await store.ListAsync();
        var absent = RoutingKnowledge.DocumentNames.Where(n => !stored.ContainsKey(n)).ToList();
        if (absent.Count == 0)
        {
            logger.LogInformation("Knowledge seed: every document is stored already");
            return;
        }

        var merged = stored.ToDictionary(kv => kv.Key, kv => kv.Value.Content, StringComparer.Ordinal);
        foreach (var name in absent.Where(shipped.ContainsKey))
        {
            merged[name] = shipped[name];
        }

        var compiled = RoutingKnowledge.Compile(merged);
        if (compiled.Compiled is not { } knowledge)
        {
            logger.LogError("Knowledge seed from {Directory} not applied: {Count} problem(s): {Errors}",
                directory, compiled.Errors.Count, string.Join("; ", compiled.Errors.Take(10)));
            return;
        }

        foreach (var name in absent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = new StoredKnowledge
            {
                Name = name, Content = merged[name], UpdatedBy = SeedAuthor, UpdatedAt = time.GetUtcNow(),
                Comment = $"seeded from the shipped {name}.json", Label = knowledge.FileVersions[name],
            };
            var (saved, current) = await store.CommitAsync(record, expectedVersion: 0);
            if (saved is null)
            {
                logger.LogInformation("Knowledge seed: {Name} was stored meanwhile (version {Version}); kept", name, current);
            }
            else
            {
                logger.LogInformation("Knowledge seed: {Name} {Label} stored as version 1", name, record.Label);
            }
        }
    }

    /// <summary>The stored documents in the order of <see cref="RoutingKnowledge.DocumentNames"/>.</summary>
    public async Task<KnowledgeListing> ListAsync()
    {
        var head = await registry.GetHeadAsync();
        var stored = await store.ListAsync();
        var documents = RoutingKnowledge.DocumentNames.Where(stored.ContainsKey).Select(n => stored[n]).ToList();
        var knowledgeVersion = string.Join(';', documents
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => $"{d.Name}@{d.Label}#{d.Version}"));
        return new KnowledgeListing(documents, head.Version, knowledgeVersion, head.CommitId);
    }

    /// <summary>The current version of a document, or an earlier one from its history.</summary>
    public async Task<StoredKnowledge> GetAsync(string name, long version)
    {
        var v = new Validator();
        KnowledgeEditor.ValidateName(v, name);
        if (version < 0)
        {
            v.Add("version", "must not be negative");
        }

        v.ThrowIfInvalid();
        var document = version == 0 ? await store.GetAsync(name) : await store.GetVersionAsync(name, version);
        return document ?? throw new EntityNotFoundException(
            version == 0 ? "knowledge document" : $"knowledge document version {version} (the last {KnowledgeStore.HistoryLength} are kept) of",
            name);
    }

    /// <summary>Replaces a document with new content after compiling the whole set with it.</summary>
    public Task<KnowledgeEditResult> UpdateAsync(string name, string content, long expectedVersion, string updatedBy, string comment, bool dryRun)
    {
        KnowledgeEditor.ValidateRequest(name, content, expectedVersion, updatedBy, comment);
        return EditAsync(name, content, expectedVersion, updatedBy.Trim(), comment.Trim(), dryRun);
    }

    /// <summary>Puts an earlier version's content back as a new version.</summary>
    public async Task<KnowledgeEditResult> RollbackAsync(string name, long toVersion, long expectedVersion, string updatedBy, string comment, bool dryRun)
    {
        KnowledgeEditor.ValidateRequest(name, null, expectedVersion, updatedBy, comment);
        var v = new Validator();
        if (toVersion <= 0)
        {
            v.Add("to_version", "is required: the earlier version to put back");
        }

        if (expectedVersion == 0)
        {
            // Unlike an update, which creates a missing document on 0, a rollback is always made on a stored version.
            v.Add("expected_version", "is required: the document's current version (ListKnowledge and GetKnowledge answer it)");
        }

        v.ThrowIfInvalid();

        var earlier = await GetAsync(name, toVersion);
        var why = comment.Trim().Length == 0 ? $"rollback to version {toVersion}" : $"rollback to version {toVersion}: {comment.Trim()}";
        return await EditAsync(name, earlier.Content, expectedVersion, updatedBy.Trim(), why, dryRun);
    }

    private async Task<KnowledgeEditResult> EditAsync(string name, string content, long expectedVersion, string updatedBy, string comment, bool dryRun)
    {
        var stored = await store.ListAsync();
        var currentVersion = stored.TryGetValue(name, out var current) ? current.Version : 0;
        if (currentVersion != expectedVersion)
        {
            throw new ConcurrencyConflictException("knowledge document", name, expectedVersion, currentVersion);
        }

        var snapshot = catalog.Current;
        var (plan, _) = KnowledgeEditor.Plan(
            stored.ToDictionary(kv => kv.Key, kv => (kv.Value.Content, kv.Value.Version), StringComparer.Ordinal),
            CompiledStored(stored), name, content, id => snapshot.FindTerritory(id) is not null);
        if (plan.Unchanged && current is not null)
        {
            return new KnowledgeEditResult(false, current, plan);
        }

        var record = new StoredKnowledge
        {
            Name = name, Content = content, Version = currentVersion + 1, UpdatedBy = updatedBy,
            UpdatedAt = time.GetUtcNow(), Comment = comment, Label = plan.Label,
        };
        if (dryRun)
        {
            return new KnowledgeEditResult(false, record, plan);
        }

        var (saved, now) = await store.CommitAsync(record, expectedVersion);
        if (saved is null)
        {
            throw new ConcurrencyConflictException("knowledge document", name, expectedVersion, now);
        }

        logger.LogInformation("Knowledge {Name} version {Version} ({Label}) stored by {By}: +{Added} −{Removed} entries; {Comment}",
            name, saved.Version, saved.Label, updatedBy, plan.Diff.Added.Count, plan.Diff.Removed.Count, comment);
        return new KnowledgeEditResult(true, saved, plan);
    }

    /// <summary>The stored set compiled, cached by its versions (compiling takes a while); null when it does not compile.</summary>
    private RoutingKnowledge? CompiledStored(IReadOnlyDictionary<string, StoredKnowledge> stored)
    {
        var key = string.Join(';', stored.Values.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => $"{d.Name}#{d.Version}"));
        lock (_cacheLock)
        {
            if (_compiled is { } cached && cached.Key == key)
            {
                return cached.Knowledge;
            }
        }

        var compiled = RoutingKnowledge.Compile(stored.ToDictionary(kv => kv.Key, kv => kv.Value.Content, StringComparer.Ordinal)).Compiled;
        if (compiled is not null)
        {
            lock (_cacheLock)
            {
                _compiled = (key, compiled);
            }
        }

        return compiled;
    }
}

/// <summary>Seeds the knowledge documents at start, retrying while Redis is away; then it is done.</summary>
public sealed class KnowledgeSeedService(RegistryKnowledge knowledge, TimeProvider time, ILogger<KnowledgeSeedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await knowledge.SeedAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && RedisFailures.IsStoreFailure(ex))
            {
                logger.LogWarning(ex, "Knowledge seed: the store is unavailable; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
