namespace GovPublics.UnitTests.Routing;

public sealed class NonIncidentTests
{
    [Theory]
    [InlineData("Спасибо огромное! Молодцы, так держать 👍", "gratitude")]
    [InlineData("Благодарю врачей третьей больницы за внимательное отношение", "gratitude")]
    [InlineData("Спасибо, что яму во дворе наконец-то заделали 🙏", "gratitude")]
    [InlineData("Продаю квартиру недорого, подробности в профиле https://vk.cc/abc123", "spam")]
    [InlineData("Пассивный доход без вложений! Подписывайтесь, переходите по ссылке t.me/money_bot", "spam")]
    [InlineData("С Днем города, любимая Самара! 🎉", "offtopic")]
    [InlineData("Всем доброе утро, какая красота сегодня на набережной", "offtopic")]
    [InlineData("Уроды, ворье, чтоб вы все сдохли", "toxic")]
    [InlineData("Дебилы, вам только деньги пилить", "toxic")]
    [InlineData("Я считаю, губернатор принял правильное решение, полностью поддерживаю", "opinion")]
    [InlineData("По-моему, власти лучше бы думали о людях, а не о выборах", "opinion")]
    public void Messages_that_need_no_action_get_their_subtype_and_no_authority(string text, string subtype)
    {
        var decision = RoutingTestData.Classify(text, "adm-samara");

        Assert.False(decision.IsIncident, decision.Explanation);
        Assert.Equal("none", decision.Category);
        Assert.Equal(subtype, decision.Subcategory);
        Assert.Equal("", decision.ResponsibleAuthorityId);
        Assert.Equal("", decision.RuleId);
        Assert.False(decision.Urgent);
        Assert.Contains(decision.Evidence, e => e.Kind == "non_incident" && e.Detail.StartsWith(subtype, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Спасибо администрации за то, что третий день нет воды", "housing_utilities")]
    [InlineData("Отличная работа, молодцы! Яма на дороге уже полгода, так держать", "roads")]
    [InlineData("Спасибо большое! А когда уберут мусор с контейнерной площадки?", "waste")]
    public void Thanks_wrapped_around_a_complaint_is_an_incident(string text, string category)
    {
        var decision = RoutingTestData.Classify(text, "adm-tolyatti");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal(category, decision.Category);
        Assert.Equal("adm-tolyatti", decision.ResponsibleAuthorityId);
    }

    [Theory]
    [InlineData("лучше бы на эти деньги отопление в домах сделали, а не фестиваль", "adm-tolyatti", "opinion")]
    [InlineData("Надо вернуть прямые выборы мэров, тогда и отвечать людям начнут", "gov", "opinion")]
    [InlineData("Глава только отписками занимается, бесполезный человек", "adm-tolyatti", "toxic")]
    [InlineData("Соцзащита это издевательство над людьми. Бездушные твари", "minsocdem", "toxic")]
    [InlineData("Ребята из водоканала вы лучшие, всю ночь работали, утром вода была", "adm-syzran", "gratitude")]
    [InlineData("Ищу одноклассников школы №10 выпуск 1985 года", "adm-syzran", "offtopic")]
    [InlineData("Когда??", "adm-samara", "offtopic")]
    public void Topic_words_without_a_defect_or_an_ask_do_not_make_an_incident(string text, string owner, string subtype)
    {
        var decision = RoutingTestData.Classify(text, owner);

        Assert.False(decision.IsIncident, decision.Explanation);
        Assert.Equal(subtype, decision.Subcategory);
    }

    [Fact]
    public void A_fix_that_did_not_happen_is_a_complaint()
    {
        var decision = RoutingTestData.Classify("Спасибо, яму на дороге так и не заделали, колёса бьём", "adm-tolyatti");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal("roads", decision.Category);
    }

    [Fact]
    public void The_government_page_hints_at_no_topic()
    {
        var decision = RoutingTestData.Classify("Помогите, пожалуйста, третий месяц не можем добиться ответа", "gov");

        Assert.Equal("other", decision.Category);
    }

    [Fact]
    public void An_insult_with_a_real_problem_is_an_incident()
    {
        var decision = RoutingTestData.Classify("Уроды, когда почините канализацию? Третий день топит подвал фекалиями", "adm-syzran");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal("housing_utilities", decision.Category);
        Assert.Equal("sewage", decision.Subcategory);
    }

    [Fact]
    public void An_advert_with_topic_words_is_still_spam()
    {
        var decision = RoutingTestData.Classify("Ремонт квартир и замена труб под ключ, недорого! Звоните, скидка 20% www.remont63.ru");

        Assert.False(decision.IsIncident, decision.Explanation);
        Assert.Equal("spam", decision.Subcategory);
    }

    [Fact]
    public void A_link_to_a_photo_of_a_problem_is_not_spam()
    {
        var decision = RoutingTestData.Classify("Вот фото ямы на Мира https://vk.com/photo123_456 прошу заделать", "adm-tolyatti");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.Equal("roads", decision.Category);
    }

    [Fact]
    public void Text_with_nothing_recognisable_is_offtopic_and_a_long_one_goes_to_moderation()
    {
        var shortReply = RoutingTestData.Classify("Ну да");
        var longUnknown = RoutingTestData.Classify("Вчера вечером мы с братом долго обсуждали фильм, который посмотрели в выходные");

        Assert.Equal("offtopic", shortReply.Subcategory);
        Assert.False(shortReply.NeedsModeration);
        Assert.Equal("offtopic", longUnknown.Subcategory);
        Assert.True(longUnknown.NeedsModeration);
        Assert.True(longUnknown.Confidence < shortReply.Confidence);
    }
}
