namespace GovPublics.UnitTests.Routing;

/// <summary>Messages as people really type them: typos, glued words, caps, Latin letters, emoji, slang.</summary>
public sealed class NormalizationTests
{
    [Theory]
    [InlineData("отапление не работает, батареи халодные", "housing_utilities", "heating")]
    [InlineData("мусар не вывозят уже неделю", "waste", "tko_operator")]
    [InlineData("свитофор на перекрестке сломан", "roads", "traffic_lights")]
    [InlineData("в падъезде грязь, никто не убирает", "housing_utilities", "building_management")]
    [InlineData("калдобина на дароге, колесо пробил", "roads", "potholes")]
    public void Typical_typos_are_repaired(string text, string category, string subcategory)
    {
        var decision = RoutingTestData.Classify(text, "adm-tolyatti");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal(category, decision.Category);
        Assert.Equal(subcategory, decision.Subcategory);
    }

    [Fact]
    public void A_repaired_typo_is_named_in_the_explanation_as_written()
    {
        var decision = RoutingTestData.Classify("отапление не работает", "adm-tolyatti");

        Assert.Contains("отапление", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Yo_and_ye_read_the_same()
    {
        var withYo = RoutingTestData.Classify("Всё ещё нет горячей воды в Жигулёвске, ждём неделю");
        var withYe = RoutingTestData.Classify("Все еще нет горячей воды в Жигулевске, ждем неделю");

        Assert.Equal("water_supply", withYo.Subcategory);
        Assert.Equal("zhigulevsk", withYo.MunicipalityId);
        Assert.Equal(
            (withYe.Category, withYe.Subcategory, withYe.Urgent, withYe.MunicipalityId, withYe.ResponsibleAuthorityId, withYe.Confidence),
            (withYo.Category, withYo.Subcategory, withYo.Urgent, withYo.MunicipalityId, withYo.ResponsibleAuthorityId, withYo.Confidence));
    }

    [Theory]
    [InlineData("нетводы уже два дня", "water_supply", "")]
    [InlineData("ЯмаНаДороге возле школы", "potholes", "")]
    [InlineData("ямана дороге возле школы", "potholes", "")]
    [InlineData("вТольятти третий день нет света", "power_supply", "tolyatti")]
    [InlineData("Третий день нет воды.Прошу разобраться", "water_supply", "")]
    public void Glued_words_are_split(string text, string subcategory, string municipality)
    {
        var decision = RoutingTestData.Classify(text);

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal(subcategory, decision.Subcategory);
        Assert.Equal(municipality, decision.MunicipalityId);
    }

    [Fact]
    public void Caps_and_stretched_letters_read_as_plain_text()
    {
        var shouting = RoutingTestData.Classify("ЯМА НА ДОРОГЕ В ТОЛЬЯТТИ!!! СКОЛЬКО МОЖНО!!!");
        var stretched = RoutingTestData.Classify("Нееет воды третий день, ну сколько можнооо");

        Assert.Equal(("roads", "potholes", "tolyatti"), (shouting.Category, shouting.Subcategory, shouting.MunicipalityId));
        Assert.Equal(("housing_utilities", "water_supply"), (stretched.Category, stretched.Subcategory));
    }

    [Theory]
    [InlineData("net vody tretiy den", "housing_utilities", "water_supply", "")]
    [InlineData("yama na doroge v Tolyatti", "roads", "potholes", "tolyatti")]
    [InlineData("v podezde pakhnet gazom", "housing_utilities", "gas_supply", "")]
    [InlineData("zhkh ne rabotaet, v tlt net sveta", "housing_utilities", "power_supply", "tolyatti")]
    public void Russian_typed_in_Latin_letters_is_read_as_Russian(string text, string category, string subcategory, string municipality)
    {
        var decision = RoutingTestData.Classify(text);

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal(category, decision.Category);
        Assert.Equal(subcategory, decision.Subcategory);
        Assert.Equal(municipality, decision.MunicipalityId);
    }

    [Fact]
    public void English_words_are_not_forced_into_Russian()
    {
        var decision = RoutingTestData.Classify("Nice city, good weather today");

        Assert.False(decision.IsIncident, decision.Explanation);
    }

    [Fact]
    public void Emoji_count_as_signals()
    {
        var thanks = RoutingTestData.Classify("🙏🙏🙏❤️");
        var angry = RoutingTestData.Classify("😡😡 Опять нет света!", "adm-kinel");
        var angrySarcasm = RoutingTestData.Classify("Спасибо 😡 третий день без газа", "adm-kinel");

        Assert.Equal("gratitude", thanks.Subcategory);
        Assert.True(angry.IsIncident);
        Assert.Equal("power_supply", angry.Subcategory);
        Assert.True(angry.Urgent);
        Assert.True(angrySarcasm.IsIncident, angrySarcasm.Explanation);
        Assert.Equal("gas_supply", angrySarcasm.Subcategory);
    }

    [Theory]
    [InlineData("В тлт на Революционной яма", "roads", "tolyatti")]
    [InlineData("жкх не чешется, третий день нет горячей воды", "housing_utilities", "")]
    [InlineData("УК опять не убирает подъезд", "housing_utilities", "")]
    [InlineData("Пазик до Курумоча ходит раз в два часа", "public_transport", "volzhsky")]
    public void Abbreviations_and_slang_are_expanded(string text, string category, string municipality)
    {
        var decision = RoutingTestData.Classify(text);

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal(category, decision.Category);
        Assert.Equal(municipality, decision.MunicipalityId);
    }

    [Fact]
    public void The_explanation_shows_how_slang_typos_and_Latin_were_read()
    {
        var decision = RoutingTestData.Classify("v tlt otoplenie ne rabotaet");
        var typo = RoutingTestData.Classify("отапление не работает", "adm-tolyatti");

        Assert.Equal(("heating", "tolyatti"), (decision.Subcategory, decision.MunicipalityId));
        Assert.Contains("read as", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("tlt→тлт", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("отапление≈отоплен", typo.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void UK_means_the_management_company()
    {
        var decision = RoutingTestData.Classify("УК опять не убирает подъезд", "adm-samara-sovetsky");

        Assert.Equal("building_management", decision.Subcategory);
        Assert.Contains("ук", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void One_word_is_enough_for_an_obvious_problem()
    {
        var pothole = RoutingTestData.Classify("Яма", "adm-tolyatti");
        var thanks = RoutingTestData.Classify("Спасибо!", "adm-tolyatti");

        Assert.Equal(("roads", "potholes", "adm-tolyatti"), (pothole.Category, pothole.Subcategory, pothole.ResponsibleAuthorityId));
        Assert.Equal("gratitude", thanks.Subcategory);
    }

    [Fact]
    public void Links_and_mentions_are_not_read_as_words()
    {
        var decision = RoutingTestData.Classify("[id12345|Иван Петров], @ivan_yama https://site.ru/yama-na-doroge-net-vody");

        Assert.False(decision.IsIncident, decision.Explanation);
        Assert.DoesNotContain(decision.Evidence, e => e.Kind == "topic");
    }

    [Fact]
    public void Empty_and_odd_input_does_not_throw()
    {
        foreach (var text in new[] { "", "   ", "!!!???", "12345", "🙂", new string('а', 5000), "-- - --", "\u0301\ufe0f" })
        {
            var decision = RoutingTestData.Classify(text);
            Assert.False(decision.IsIncident, text);
            Assert.InRange(decision.Confidence, 0, 1);
        }
    }
}
