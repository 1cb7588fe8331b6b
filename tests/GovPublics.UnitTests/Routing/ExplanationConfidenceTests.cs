using GovPublics.Routing.Domain;

namespace GovPublics.UnitTests.Routing;

public sealed class ExplanationConfidenceTests
{
    [Fact]
    public void The_explanation_names_the_matched_words_the_place_and_the_rule()
    {
        var decision = RoutingTestData.Classify("В Тольятти огромная яма на дороге", "minzdrav");

        Assert.StartsWith("topic roads/potholes (", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("яма", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("дороге", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("«Тольятти» in text → г.о. Тольятти", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("rule roads-urban-okrug → Администрация г.о. Тольятти", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains(decision.Evidence, e => e.Kind == "rule" && e.Detail == "roads-urban-okrug → adm-tolyatti");
        Assert.Contains(decision.Evidence, e => e.Kind == "place" && e.Detail == "«Тольятти» → tolyatti");
    }

    [Fact]
    public void The_explanation_of_an_urgent_incident_names_the_urgency_rule_and_its_words()
    {
        var decision = RoutingTestData.Classify("В подъезде пахнет газом", "adm-syzran");

        Assert.Contains("urgent: gas-smell (пахнет газом)", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_incident_explains_its_cue_words()
    {
        var decision = RoutingTestData.Classify("Спасибо, молодцы!");

        Assert.StartsWith("not an incident: gratitude (спасибо, молодцы)", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Phrase_words_are_quoted_without_the_words_between_them()
    {
        var decision = RoutingTestData.Classify("Собаки вчера напали на прохожего", "adm-tolyatti");

        Assert.Contains("собаки напали", decision.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("собаки вчера", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Vague_texts_get_lower_confidence_than_clear_ones()
    {
        var clear = RoutingTestData.Classify("В Тольятти на улице Мира огромная яма на дороге, пробил колесо");
        var vague = RoutingTestData.Classify("Когда это всё закончится? Сделайте уже что-нибудь");
        var objectOnly = RoutingTestData.Classify("Дорога у нас такая");

        Assert.True(clear.Confidence > 0.8, clear.Explanation);
        Assert.False(clear.NeedsModeration);
        Assert.True(vague.Confidence < clear.Confidence);
        Assert.True(vague.NeedsModeration, vague.Explanation);
        Assert.Equal("other", vague.Category);
        Assert.True(objectOnly.NeedsModeration, objectOnly.Explanation);
    }

    [Fact]
    public void A_place_from_the_text_is_surer_than_no_place()
    {
        var withPlace = RoutingTestData.Classify("В Сызрани не горят фонари");
        var withoutPlace = RoutingTestData.Classify("Не горят фонари");

        Assert.True(withPlace.Confidence > withoutPlace.Confidence);
    }

    [Fact]
    public void A_close_second_topic_lowers_confidence()
    {
        var single = RoutingTestData.Classify("Не горят фонари на улице", "adm-tolyatti");
        var mixed = RoutingTestData.Classify("Не горят фонари на улице, и автобус не ходит", "adm-tolyatti");

        Assert.True(mixed.Confidence < single.Confidence);
    }

    [Fact]
    public void The_moderation_threshold_is_an_option()
    {
        var strict = new MessageClassifier(RoutingTestData.Knowledge, new RoutingOptions { ModerationThreshold = 0.99 });
        var lax = new MessageClassifier(RoutingTestData.Knowledge, new RoutingOptions { ModerationThreshold = 0.01 });
        var input = new ClassificationInput("Не вывозят мусор", "adm-syzran");

        var strictDecision = strict.Classify(input, RoutingTestData.Catalog);
        var laxDecision = lax.Classify(input, RoutingTestData.Catalog);

        Assert.Equal(strictDecision.Confidence, laxDecision.Confidence);
        Assert.True(strictDecision.NeedsModeration);
        Assert.False(laxDecision.NeedsModeration);
    }

    [Fact]
    public void A_regional_page_hints_at_its_own_topic_when_the_text_names_none()
    {
        var decision = RoutingTestData.Classify("Помогите, пожалуйста, третий месяц не можем добиться ответа", "minsocdem");

        Assert.Equal("social_protection", decision.Category);
        Assert.Equal("minsocdem", decision.ResponsibleAuthorityId);
        Assert.Contains(decision.Evidence, e => e.Kind == "page_owner" && e.Detail.Contains("social_protection", StringComparison.Ordinal));
    }

    [Fact]
    public void Evidence_kinds_are_the_documented_ones()
    {
        string[] kinds = ["topic", "subtopic", "urgency", "place", "page_owner", "rule", "non_incident", "fallback"];
        string[] texts =
        [
            "В Тольятти пахнет газом", "Спасибо!", "Помогите пожалуйста", "Яма", "Кошки", "Продам гараж недорого",
        ];

        foreach (var text in texts)
        {
            var decision = RoutingTestData.Classify(text, "minzdrav");
            Assert.All(decision.Evidence, e => Assert.Contains(e.Kind, kinds));
            Assert.InRange(decision.Confidence, 0, 1);
        }
    }
}
