using System.Collections.Concurrent;
using GovPublics.Catalog;
using GovPublics.Common.Hosting;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Registry.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace GovPublics.Ingestion.Webhooks;

/// <summary>A page's webhook credentials as ingestion needs them.</summary>
public sealed record PageCredentials(string PageId, string Secret, string ConfirmationCode, bool Active, string LinkedExternalId = "");

/// <summary>
/// Webhook credentials per page, asked of the registry's internal service once per page and catalogue version:
/// a changed secret bumps the catalogue version (the change feed tells the local catalogue), which drops the
/// cached answer. Unknown pages are known locally from the catalogue without a call and are not cached: the cache
/// holds at most one entry per registered page.
/// </summary>
public sealed class WebhookCredentialsCache(
    RegistryInternalService.RegistryInternalServiceClient client,
    CatalogCache catalog,
    IOptions<GovPublicsOptions> options)
{
    private readonly ConcurrentDictionary<(Platform, string), (long Version, PageCredentials? Credentials)> _cache = new();

    /// <summary>How many pages' answers are cached (at most one per registered page).</summary>
    public int Count => _cache.Count;

    /// <summary>The page's credentials, or null when the catalogue has no such page.</summary>
    public async Task<PageCredentials?> GetAsync(Platform platform, string pageExternalId, CancellationToken cancellationToken)
    {
        if (!catalog.IsLoaded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The registry catalogue is not loaded yet"));
        }

        var snapshot = catalog.Current;
        if (_cache.TryGetValue((platform, pageExternalId), out var cached) && cached.Version == snapshot.Version)
        {
            return cached.Credentials;
        }

        if (snapshot.FindPage(platform, pageExternalId) is null)
        {
            // Not a page: answered from the local catalogue and not cached, so ids anyone may post (a forged
            // group id, a long path segment) cannot grow the cache, which holds registered pages only.
            return null;
        }

        PageCredentials? credentials = null;
        try
        {
            var answer = await client.GetWebhookCredentialsAsync(
                new GetWebhookCredentialsRequest { Platform = platform.ToProto(), PageExternalId = pageExternalId },
                deadline: DateTime.UtcNow + options.Value.CallDeadline, cancellationToken: cancellationToken);
            credentials = new PageCredentials(answer.PageId, answer.Secret, answer.ConfirmationCode, answer.Active, answer.LinkedExternalId);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Archived between the local catalogue and the registry: no such page.
        }

        _cache[(platform, pageExternalId)] = (snapshot.Version, credentials);
        return credentials;
    }
}
