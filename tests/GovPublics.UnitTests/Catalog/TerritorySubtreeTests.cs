using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog;

public sealed class TerritorySubtreeTests
{
    private readonly CatalogSnapshot _catalog = SeedCatalog.Snapshot;

    [Fact]
    public void A_city_holds_its_intra_city_districts()
    {
        var samara = _catalog.Subtree("samara");
        Assert.Equal(10, samara.Count);
        Assert.Contains("samara", samara);
        Assert.Contains("samara-kirovsky", samara);
        Assert.DoesNotContain("tolyatti", samara);
    }

    [Fact]
    public void A_district_holds_itself_the_region_everything_and_an_unknown_id_nothing()
    {
        Assert.Equal(["samara-kirovsky"], _catalog.Subtree("samara-kirovsky"));
        Assert.Equal(_catalog.Territories.Count, _catalog.Subtree("samara-oblast").Count);
        Assert.Empty(_catalog.Subtree("atlantis"));
    }
}
