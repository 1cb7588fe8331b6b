using GovPublics.Common.Hosting;
using GovPublics.Common.Registry;
using GovPublics.Routing.Domain;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RegPb = GovPublics.Contracts.Registry.V1;

namespace GovPublics.Routing.Knowledge;

/// <summary>
/// Keeps routing's knowledge equal to the registry's: loads the five documents (ListKnowledge, then GetKnowledge of
/// each), compiles them and swaps the classifier; then follows the registry's change feed and, at the end of every
/// version that changed a knowledge document, reads the changed documents, compiles the set again and swaps it in.
/// A set that does not compile leaves the previous one in use, logged and reported by the health check. Only when
/// the registry has no knowledge at all (an older registry, or a seed that could not be stored) does routing use
/// its shipped files.
/// </summary>
public sealed class KnowledgeFollower(
    RegPb.RegistryService.RegistryServiceClient client,
    ClassifierHolder holder,
    IOptions<RoutingOptions> routing,
    IOptions<GovPublicsOptions> common,
    IOptions<CatalogCacheOptions> feed,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<KnowledgeFollower> logger) : RegistryFeedFollower(time, logger)
{
    public const string RegistrySource = "registry";

    private readonly Dictionary<string, (string Content, long Version)> _documents = new(StringComparer.Ordinal);
    private long _position;

    // The registry commit that made _position: the feed resumes from both, so that a registry whose store was
    // restored and edited past _position tells us to reload rather than send another history's changes.
    private string _commit = "";

    private string ShippedDirectory => configuration["Routing:KnowledgeDirectory"] ?? RoutingKnowledge.DefaultDirectory;

    protected override string Subject => "Knowledge";

    protected override Task LoadAsync(CancellationToken cancellationToken) => LoadAllAsync(cancellationToken);

    protected override bool OnFailure(Exception exception)
    {
        // Whatever it is, the process must not stop over it: keep the knowledge in use and say why.
        holder.Refused(exception.Message);
        logger.LogError(exception, "Routing knowledge could not be refreshed; the version in use stays");
        return true;
    }

    /// <summary>Loads every document; falls back to the shipped files when the registry has none.</summary>
    private async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        RegPb.ListKnowledgeResponse list;
        try
        {
            list = await client.ListKnowledgeAsync(new RegPb.ListKnowledgeRequest(), Options(cancellationToken));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            // A registry from before knowledge was data: it will never have any.
            list = new RegPb.ListKnowledgeResponse();
        }

        _documents.Clear();
        if (list.Documents.Count == 0)
        {
            UseShippedFiles("the registry has no routing knowledge");
            (_position, _commit) = (list.CatalogVersion, list.CatalogCommitId);
            return;
        }

        foreach (var info in list.Documents)
        {
            await ReadAsync(info.Name, cancellationToken);
        }

        _position = list.CatalogVersion;
        Compile();
    }

    /// <summary>Follows the change feed until it ends. True when the registry asks for a full reload.</summary>
    protected override async Task<bool> FollowAsync(CancellationToken cancellationToken)
    {
        using var call = client.WatchChanges(
            new RegPb.WatchChangesRequest { FromVersion = _position, FromCommitId = _commit },
            deadline: DateTime.UtcNow + feed.Value.FeedLifetime,
            cancellationToken: cancellationToken);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (change.ResetRequired)
                {
                    logger.LogInformation("The registry no longer has changes after version {Version}: reloading the knowledge", _position);
                    return true;
                }

                if (change.EntityCase == RegPb.CatalogChange.EntityOneofCase.Knowledge)
                {
                    changed.Add(change.Knowledge.Name);
                }

                if (!change.LastInVersion)
                {
                    continue;
                }

                if (changed.Count > 0)
                {
                    if (RoutingKnowledge.DocumentNames.Any(n => !_documents.ContainsKey(n) && !changed.Contains(n)))
                    {
                        // Running on the shipped files and the registry now has (some) knowledge: read it all.
                        await LoadAllAsync(cancellationToken);
                    }
                    else
                    {
                        foreach (var name in changed)
                        {
                            await ReadAsync(name, cancellationToken);
                        }

                        Compile();
                    }

                    changed.Clear();
                }

                if (change.Version >= _position)
                {
                    (_position, _commit) = (change.Version, change.CommitId);
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
            // The feed's planned end: renew it from where it stopped.
        }

        return false;
    }

    private async Task ReadAsync(string name, CancellationToken cancellationToken)
    {
        var document = await client.GetKnowledgeAsync(new RegPb.GetKnowledgeRequest { Name = name }, Options(cancellationToken));
        _documents[name] = (document.Content, document.Info.Version);
    }

    /// <summary>Compiles the registry's documents and swaps them in, or keeps what is in use and says why.</summary>
    private void Compile()
    {
        var compilation = RoutingKnowledge.Compile(
            _documents.ToDictionary(kv => kv.Key, kv => kv.Value.Content, StringComparer.Ordinal),
            new KnowledgeOptions { Revisions = _documents.ToDictionary(kv => kv.Key, kv => kv.Value.Version, StringComparer.Ordinal) });
        if (compilation.Compiled is { } knowledge)
        {
            var previous = holder.IsLoaded ? holder.Current.Knowledge.Version : "none";
            holder.Swap(new MessageClassifier(knowledge, routing.Value), RegistrySource);
            logger.LogInformation("Routing knowledge {Version} from the registry in use (was {Previous})", knowledge.Version, previous);
            return;
        }

        var error = $"the registry's knowledge does not compile ({compilation.Errors.Count} problem(s)): {string.Join("; ", compilation.Errors.Take(5))}";
        if (!holder.IsLoaded)
        {
            UseShippedFiles(error);
        }

        holder.Refused(error);
        logger.LogError("Routing knowledge not changed, {Version} stays in use: {Error}", holder.Current.Knowledge.Version, error);
    }

    private void UseShippedFiles(string why)
    {
        var directory = ShippedDirectory;
        if (holder.IsLoaded && holder.Source == directory && holder.LastError is null)
        {
            return; // in use already
        }

        var knowledge = RoutingKnowledge.Load(directory);
        holder.Swap(new MessageClassifier(knowledge, routing.Value), directory);
        logger.LogWarning("Routing knowledge {Version} from the shipped files in {Directory} in use: {Why}", knowledge.Version, directory, why);
    }

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + common.Value.CallDeadline, cancellationToken: cancellationToken);
}
