using GovPublics.Contracts.Registry.V1;
using GovPublics.Testing;

namespace GovPublics.FunctionalTests;

/// <summary>Waits for a fresh registry's seeding to settle before a test compares catalogue versions.</summary>
internal static class RegistrySeed
{
    /// <summary>
    /// The routing knowledge is seeded in the background and takes catalogue versions; a replica's catalogue then
    /// follows the stored version within a second. Waits until all five documents are stored and this replica's
    /// catalogue has reached the version they left, so later versions move only by the test's own changes.
    /// </summary>
    public static Task SettledAsync(RegistryService.RegistryServiceClient client) =>
        Eventually.True(async () =>
        {
            var knowledge = await client.ListKnowledgeAsync(new ListKnowledgeRequest());
            return knowledge.Documents.Count == 5
                && (await client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 })).CatalogVersion >= knowledge.CatalogVersion;
        }, "the knowledge seed, seen by the replica's catalogue");
}
