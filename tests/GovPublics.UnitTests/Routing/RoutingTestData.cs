using GovPublics.Catalog;
using GovPublics.Routing.Domain;

namespace GovPublics.UnitTests.Routing;

/// <summary>
/// The shipped routing knowledge and the registry's Samara region seed, loaded once, and one classifier over them.
/// Both are looked up next to the test binaries first, then in the source tree.
/// </summary>
internal static class RoutingTestData
{
    private static readonly Lazy<string> _knowledgeDirectory = new(() => Find(
        Path.Combine(AppContext.BaseDirectory, "Knowledge"), Path.Combine("src", "GovPublics.Routing.Domain", "Knowledge"), "topics.json"));

    private static readonly Lazy<string> _seedPath = new(() => Path.Combine(
        Find(Path.Combine(AppContext.BaseDirectory, "Seed"), Path.Combine("src", "GovPublics.Registry", "Seed"), "samara-region.json"),
        "samara-region.json"));

    private static readonly Lazy<RoutingKnowledge> _knowledge = new(() => RoutingKnowledge.Load(KnowledgeDirectory));

    private static readonly Lazy<CatalogSnapshot> _catalog = new(() =>
        CatalogDocument.LoadAsync(SeedPath, CancellationToken.None).GetAwaiter().GetResult().ToSnapshot(1));

    private static readonly Lazy<MessageClassifier> _classifier = new(() => new MessageClassifier(Knowledge, new RoutingOptions()));

    public static string KnowledgeDirectory => _knowledgeDirectory.Value;

    public static string SeedPath => _seedPath.Value;

    public static RoutingKnowledge Knowledge => _knowledge.Value;

    public static CatalogSnapshot Catalog => _catalog.Value;

    public static MessageClassifier Classifier => _classifier.Value;

    public static RoutingDecision Classify(string text, string? pageOwner = null) =>
        Classifier.Classify(new ClassificationInput(text, pageOwner), Catalog);

    /// <summary>
    /// A catalogue of four territories with rules for roads only: enough to reach the page-owner and ЦУР
    /// fallbacks that the real seed, with a rule for every topic, never needs.
    /// </summary>
    public static CatalogSnapshot TinyCatalog(long version = 1) => new(
        version,
        [
            new Territory("region", TerritoryKind.Region, "Тестовая область", "Тестовая область", "", [], ""),
            new Territory("gorodok", TerritoryKind.UrbanOkrug, "г.о. Городок", "Городок", "region", ["Городок"], ""),
            new Territory("selo", TerritoryKind.MunicipalDistrict, "м.р. Сельский", "Сельский район", "region", ["Сельский район", "Дальнее"], ""),
            new Territory("gorodok-north", TerritoryKind.IntraCityDistrict, "Северный район", "Северный район", "gorodok", [], ""),
        ],
        [
            Authority("cur", AuthorityKind.Cur, "ЦУР области", "region"),
            Authority("adm-gorodok", AuthorityKind.Administration, "Администрация Городка", "gorodok"),
            Authority("adm-selo", AuthorityKind.Administration, "Администрация Сельского района", "selo"),
            Authority("adm-gorodok-north", AuthorityKind.DistrictAdministration, "Администрация Северного района", "gorodok-north"),
            Authority("minzdrav", AuthorityKind.Ministry, "Минздрав области", "region"),
        ],
        [],
        [
            new JurisdictionRule("roads-okrug", "roads", "", "", TerritoryKind.UrbanOkrug, "", true, ""),
            new JurisdictionRule("roads-district", "roads", "", "", TerritoryKind.MunicipalDistrict, "", true, ""),
        ]);

    private static Authority Authority(string id, AuthorityKind kind, string name, string territory) =>
        new(id, kind, name, name, territory, "", "Europe/Samara", "ru", Contacts.None);

    private static string Find(string deployed, string relative, string marker)
    {
        if (File.Exists(Path.Combine(deployed, marker)))
        {
            return deployed;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(Path.Combine(candidate, marker)))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{relative} ({marker}) not found from {AppContext.BaseDirectory}.");
    }
}
