using GovPublics.Routing.Domain;

namespace GovPublics.UnitTests.Routing;

public sealed class TerritoryRoutingTests
{
    [Theory]
    [InlineData("В Тольятти на Революционной огромная яма", "tolyatti", "", "adm-tolyatti")]
    [InlineData("В Новокуйбышевске разбита контейнерная площадка", "novokuybyshevsk", "", "adm-novokuybyshevsk")]
    [InlineData("В Кировском районе не горят фонари", "samara", "samara-kirovsky", "adm-samara-kirovsky")]
    [InlineData("На Металлурге вторую неделю огромная лужа во дворе", "samara", "samara-kirovsky", "adm-samara-kirovsky")]
    [InlineData("В Сызрани третий день нет воды", "syzran", "", "adm-syzran")]
    [InlineData("Крутые Ключи: нет света второй день", "samara", "samara-krasnoglinsky", "adm-samara-krasnoglinsky")]
    [InlineData("В 15 микрорайоне не убирают снег", "samara", "samara-kirovsky", "adm-samara-kirovsky")]
    [InlineData("В Волгаре разбиты все дороги, ямы", "samara", "samara-kuybyshevsky", "adm-samara-kuybyshevsky")]
    [InlineData("В Южном городе нет воды с утра", "volzhsky", "", "adm-volzhsky")]
    [InlineData("В Смышляевке бродячие собаки", "volzhsky", "", "adm-volzhsky")]
    [InlineData("Автозаводский район, 14 квартал: лифт не работает", "tolyatti", "", "adm-tolyatti")]
    [InlineData("В Ставропольском районе нет газа", "stavropolsky", "", "adm-stavropolsky")]
    [InlineData("В Кинель-Черкассах не ходит автобус", "kinel-cherkassky", "", "adm-kinel-cherkassky")]
    public void A_place_named_in_the_text_decides_the_territory_in_any_case_form(
        string text, string municipality, string district, string authority)
    {
        var decision = RoutingTestData.Classify(text, "minzdrav");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal(municipality, decision.MunicipalityId);
        Assert.Equal(district, decision.DistrictId);
        Assert.Equal(authority, decision.ResponsibleAuthorityId);
        Assert.Contains(decision.Evidence, e => e.Kind == "place");
    }

    [Theory]
    [InlineData("В Новокуйбышевске не вывозят мусор", "novokuybyshevsk", "")]
    [InlineData("На Металлурге не вывозят мусор вторую неделю", "samara", "samara-kirovsky")]
    [InlineData("Мусорка переполнена четвёртый день, мусоровоз не приезжает", "samara", "samara-kirovsky")]
    public void Bins_not_emptied_go_to_the_regional_operator_through_the_energy_ministry_and_keep_their_place(
        string text, string municipality, string district)
    {
        // 89-ФЗ: the regional operator collects and hauls ТКО (Минэнерго и ЖКХ oversees it); the municipality only
        // keeps the container sites. See the corpus README, "Conventions".
        var decision = RoutingTestData.Classify(text, "adm-samara-kirovsky");

        Assert.Equal(("waste", "tko_operator"), (decision.Category, decision.Subcategory));
        Assert.Equal(municipality, decision.MunicipalityId);
        Assert.Equal(district, decision.DistrictId);
        Assert.Equal("minenergo", decision.ResponsibleAuthorityId);
    }

    [Fact]
    public void A_broken_container_site_stays_with_the_municipality()
    {
        var decision = RoutingTestData.Classify("В Новокуйбышевске разбита контейнерная площадка, баки без крышек", "minzdrav");

        Assert.Equal(("waste", "container_sites"), (decision.Category, decision.Subcategory));
        Assert.Equal("adm-novokuybyshevsk", decision.ResponsibleAuthorityId);
    }

    [Theory]
    [InlineData("Отрадный, ул. Железнодорожная вся в ямах уже год", "gov", "otradny")]
    [InlineData("Борское, скорая застряла на Октябрьской, дорогу не расчистили", "minzdrav", "borsky")]
    [InlineData("Живу на Управленческом, а на даче в Царевщине неделю нет воды", "adm-samara-krasnoglinsky", "volzhsky")]
    [InlineData("В Подбельске фельдшер принимает раз в неделю, езжай в Похвистнево", "minzdrav", "pokhvistnevsky")]
    [InlineData("В пгт Волжский Красноярского района школа переполнена", "gov", "krasnoyarsky")]
    public void The_place_of_the_problem_is_told_from_other_places_of_the_message(string text, string owner, string municipality)
    {
        var decision = RoutingTestData.Classify(text, owner);

        Assert.Equal(municipality, decision.MunicipalityId);
    }

    [Fact]
    public void A_guessed_place_yields_to_the_page_territory()
    {
        // Tolyatti's кварталы are numbered, but so are Мехзавод's: a guess counts only when the page gives no place.
        var onMinistryPage = RoutingTestData.Classify("В 7 квартале третий день нет воды", "minenergo");
        var onDistrictPage = RoutingTestData.Classify("В 7 квартале третий день нет воды", "adm-samara-krasnoglinsky");

        Assert.Equal("tolyatti", onMinistryPage.MunicipalityId);
        Assert.Equal("samara-krasnoglinsky", onDistrictPage.DistrictId);
    }

    [Fact]
    public void A_Tolyatti_pothole_written_on_the_health_ministry_page_goes_to_Tolyatti()
    {
        var decision = RoutingTestData.Classify("В Тольятти на улице Мира огромная яма на дороге, пробил колесо", "minzdrav");

        Assert.Equal(("roads", "potholes"), (decision.Category, decision.Subcategory));
        Assert.Equal("tolyatti", decision.MunicipalityId);
        Assert.Equal("adm-tolyatti", decision.ResponsibleAuthorityId);
        Assert.Equal("Администрация г.о. Тольятти", decision.ResponsibleAuthorityName);
        Assert.Equal("roads-urban-okrug", decision.RuleId);
        Assert.False(decision.NeedsModeration);
    }

    [Fact]
    public void A_healthcare_complaint_in_Tolyatti_goes_to_the_health_ministry()
    {
        var decision = RoutingTestData.Classify("В Тольятти не могу записаться к врачу, в поликлинике нет талонов", "adm-tolyatti");

        Assert.Equal("healthcare", decision.Category);
        Assert.Equal("tolyatti", decision.MunicipalityId);
        Assert.Equal("minzdrav", decision.ResponsibleAuthorityId);
        Assert.Equal("healthcare-region", decision.RuleId);
    }

    [Fact]
    public void Without_a_place_in_the_text_the_page_owner_territory_is_used()
    {
        var decision = RoutingTestData.Classify("Во дворе огромные лужи, не пройти уже неделю", "adm-samara-kirovsky");

        Assert.Equal("samara", decision.MunicipalityId);
        Assert.Equal("Самара", RoutingTestData.Catalog.FindTerritory(decision.MunicipalityId)!.ShortName);
        Assert.Equal("samara-kirovsky", decision.DistrictId);
        Assert.Equal("Кировский внутригородской район", decision.DistrictName);
        Assert.Equal("adm-samara-kirovsky", decision.ResponsibleAuthorityId);
        Assert.Contains(decision.Evidence, e => e.Kind == "page_owner" && e.Detail.Contains("samara-kirovsky", StringComparison.Ordinal));
        Assert.DoesNotContain(decision.Evidence, e => e.Kind == "place");
    }

    [Fact]
    public void A_place_in_the_text_beats_the_page_owner()
    {
        var decision = RoutingTestData.Classify("В Сызрани не горят фонари", "adm-tolyatti");

        Assert.Equal("syzran", decision.MunicipalityId);
        Assert.Equal("adm-syzran", decision.ResponsibleAuthorityId);
    }

    [Fact]
    public void The_city_named_in_the_text_is_refined_by_a_district_page_of_that_city()
    {
        var decision = RoutingTestData.Classify("В Самаре на нашей улице не горят фонари", "adm-samara-oktyabrsky");

        Assert.Equal("samara", decision.MunicipalityId);
        Assert.Equal("samara-oktyabrsky", decision.DistrictId);
        Assert.Equal("adm-samara-oktyabrsky", decision.ResponsibleAuthorityId);
    }

    [Fact]
    public void Samara_without_a_district_goes_to_the_city_administration()
    {
        var decision = RoutingTestData.Classify("В Самаре на Московском шоссе не работает светофор");

        Assert.Equal("samara", decision.MunicipalityId);
        Assert.Equal("", decision.DistrictId);
        Assert.Equal("adm-samara", decision.ResponsibleAuthorityId);
        Assert.Equal("roads-samara", decision.RuleId);
    }

    [Fact]
    public void A_regional_page_and_no_place_leaves_the_whole_region()
    {
        var decision = RoutingTestData.Classify("Яма на дороге, пробил колесо", "minzdrav");

        Assert.Equal("", decision.MunicipalityId);
        Assert.Equal("", decision.DistrictId);
        Assert.Equal("mintrans", decision.ResponsibleAuthorityId);
        Assert.Equal("roads-region", decision.RuleId);
    }

    [Fact]
    public void The_region_named_in_the_text_is_not_a_territory()
    {
        var decision = RoutingTestData.Classify("В Самарской области нет льготных лекарств", "adm-otradny");

        Assert.Equal("otradny", decision.MunicipalityId);
        Assert.Equal("minzdrav", decision.ResponsibleAuthorityId);
    }

    [Fact]
    public void Ambiguous_place_words_count_only_when_written_as_names()
    {
        var cats = RoutingTestData.Classify("Кошки гадят в подъезде, бродячие собаки во дворе", "adm-tolyatti");
        var village = RoutingTestData.Classify("В селе Кошки бродячие собаки", "adm-tolyatti");
        var adverb = RoutingTestData.Classify("отрадно, что бродячие собаки пропали, но теперь опять стая", "adm-tolyatti");

        Assert.Equal("tolyatti", cats.MunicipalityId);
        Assert.Equal("koshkinsky", village.MunicipalityId);
        Assert.Equal("tolyatti", adverb.MunicipalityId);
    }

    [Fact]
    public void A_regional_subtopic_goes_to_the_ministry_whatever_the_place()
    {
        var decision = RoutingTestData.Classify("Трасса Самара - Бугуруслан вся в ямах", "adm-samara");

        Assert.Equal("regional_road", decision.Subcategory);
        Assert.Equal("mintrans", decision.ResponsibleAuthorityId);
    }

    [Fact]
    public void Without_a_rule_the_page_owner_answers_and_without_an_owner_the_CUR()
    {
        var classifier = new MessageClassifier(RoutingTestData.Knowledge, new RoutingOptions());
        var tiny = RoutingTestData.TinyCatalog();

        var onPage = classifier.Classify(new ClassificationInput("Не могу записаться к врачу, нет талонов", "adm-gorodok"), tiny);
        var noPage = classifier.Classify(new ClassificationInput("Не могу записаться к врачу, нет талонов", null), tiny);
        var unknownPage = classifier.Classify(new ClassificationInput("Не могу записаться к врачу, нет талонов", "nobody"), tiny);

        Assert.Equal("adm-gorodok", onPage.ResponsibleAuthorityId);
        Assert.Equal("", onPage.RuleId);
        Assert.Contains(onPage.Evidence, e => e.Kind == "fallback" && e.Detail.Contains("page owner", StringComparison.Ordinal));
        Assert.Contains("fallback to page owner", onPage.Explanation, StringComparison.Ordinal);
        Assert.Equal("cur", noPage.ResponsibleAuthorityId);
        Assert.Contains("ЦУР", noPage.Explanation, StringComparison.Ordinal);
        Assert.Equal("cur", unknownPage.ResponsibleAuthorityId);
        Assert.True(noPage.Confidence < onPage.Confidence);
    }

    [Fact]
    public void Places_of_a_new_catalogue_snapshot_are_indexed_when_it_is_passed()
    {
        var classifier = new MessageClassifier(RoutingTestData.Knowledge, new RoutingOptions());
        var seed = RoutingTestData.Catalog;
        var tiny = RoutingTestData.TinyCatalog();

        var inSeed = classifier.Classify(new ClassificationInput("В Городке яма на дороге", null), seed);
        var inTiny = classifier.Classify(new ClassificationInput("В Городке яма на дороге", null), tiny);
        var inNewTiny = classifier.Classify(new ClassificationInput("В Дальнем яма на дороге", null), RoutingTestData.TinyCatalog(2));
        var backToSeed = classifier.Classify(new ClassificationInput("В Тольятти яма на дороге", null), seed);

        Assert.Equal("", inSeed.MunicipalityId);
        Assert.Equal("gorodok", inTiny.MunicipalityId);
        Assert.Equal("adm-gorodok", inTiny.ResponsibleAuthorityId);
        Assert.Equal("selo", inNewTiny.MunicipalityId);
        Assert.Equal("adm-selo", inNewTiny.ResponsibleAuthorityId);
        Assert.Equal("tolyatti", backToSeed.MunicipalityId);
    }

    [Fact]
    public void A_district_of_the_tiny_catalogue_resolves_through_its_city()
    {
        var classifier = new MessageClassifier(RoutingTestData.Knowledge, new RoutingOptions());

        var decision = classifier.Classify(new ClassificationInput("Северный район: яма на дороге", null), RoutingTestData.TinyCatalog());

        Assert.Equal("gorodok", decision.MunicipalityId);
        Assert.Equal("gorodok-north", decision.DistrictId);
        Assert.Equal("adm-gorodok", decision.ResponsibleAuthorityId); // the rule is for okrugs: the city answers
    }

    [Fact]
    public void Every_gazetteer_entry_points_at_a_territory_of_the_seed()
    {
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RoutingTestData.KnowledgeDirectory, "places.json")));
        var missing = json.RootElement.GetProperty("places").EnumerateArray()
            .Select(p => p.GetProperty("territory").GetString()!)
            .Where(id => RoutingTestData.Catalog.FindTerritory(id) is null)
            .ToList();

        Assert.Empty(missing);
    }
}
