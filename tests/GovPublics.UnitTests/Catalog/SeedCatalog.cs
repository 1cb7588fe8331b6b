using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog;

/// <summary>The registry's real seed file, loaded once for the tests that need the Samara region catalogue.</summary>
public static class SeedCatalog
{
    private static readonly Lazy<CatalogSnapshot> _snapshot = new(() => Document.ToSnapshot(1));

    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "Seed", "samara-region.json");

    public static CatalogDocument Document => CatalogDocument.Parse(File.ReadAllText(Path));

    public static CatalogSnapshot Snapshot => _snapshot.Value;
}
