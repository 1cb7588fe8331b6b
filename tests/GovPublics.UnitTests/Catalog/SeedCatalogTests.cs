using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog;

public sealed class SeedCatalogTests
{
    private readonly CatalogSnapshot _catalog = SeedCatalog.Snapshot;

    [Fact]
    public void Seed_has_the_real_structure_of_Samara_region()
    {
        Assert.Single(_catalog.Territories, t => t.Kind == TerritoryKind.Region);
        Assert.Equal(10, _catalog.Territories.Count(t => t.Kind == TerritoryKind.UrbanOkrug));
        Assert.Equal(27, _catalog.Territories.Count(t => t.Kind == TerritoryKind.MunicipalDistrict));
        Assert.Equal(9, _catalog.Territories.Count(t => t.Kind == TerritoryKind.IntraCityDistrict));
        Assert.All(_catalog.Territories.Where(t => t.Kind == TerritoryKind.IntraCityDistrict), t => Assert.Equal("samara", t.ParentId));
    }

    [Theory]
    [InlineData("tolyatti", "г.о. Тольятти", "Администрация г.о. Тольятти")]
    [InlineData("stavropolsky", "м.р. Ставропольский", "Администрация м.р. Ставропольский")]
    [InlineData("samara-kirovsky", "Кировский внутригородской район", "Администрация Кировского внутригородского района г.о. Самара")]
    public void Territories_and_their_administrations_use_canonical_names(string territoryId, string name, string administration)
    {
        Assert.Equal(name, _catalog.FindTerritory(territoryId)?.Name);
        Assert.Equal(administration, _catalog.AdministrationOf(territoryId)?.Name);
    }

    [Fact]
    public void Every_municipality_and_district_has_an_administration_with_a_VK_page()
    {
        var governed = _catalog.Territories.Where(t => t.Kind != TerritoryKind.Region).ToList();
        Assert.Equal(46, governed.Count);
        foreach (var territory in governed)
        {
            var administration = _catalog.AdministrationOf(territory.Id);
            Assert.NotNull(administration);
            Assert.Contains(_catalog.Pages, p => p.OwnerAuthorityId == administration.Id && p.Platform == Platform.Vk);
        }
    }

    [Fact]
    public void Governor_and_heads_have_personal_pages_and_there_are_OK_and_Telegram_pages()
    {
        Assert.Contains(_catalog.Pages, p => p.Kind == PageKind.HeadPersonal && p.Title.Contains("Губернатор", StringComparison.Ordinal));
        Assert.True(_catalog.Pages.Count(p => p.Kind == PageKind.HeadPersonal) >= 46);
        Assert.Contains(_catalog.Pages, p => p.Platform == Platform.Ok);
        Assert.Contains(_catalog.Pages, p => p.Platform == Platform.Telegram);
    }

    [Fact]
    public void Ministries_carry_their_full_official_names()
    {
        Assert.Contains(_catalog.Authorities, a => a.Kind == AuthorityKind.Ministry && a.Name == "Министерство здравоохранения Самарской области");
        Assert.NotNull(_catalog.Cur);
    }
}
