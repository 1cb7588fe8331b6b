namespace GovPublics.UnitTests.Routing;

public sealed class UrgencyTests
{
    [Theory]
    [InlineData("В подъезде сильно пахнет газом, вызовите кого-нибудь!", "gas-smell")]
    [InlineData("Мороз минус двадцать пять, а в квартире нет отопления, дети мерзнут", "heating-outage")]
    [InlineData("Во дворе оборванный провод лежит на земле, искрит", "fallen-wires")]
    [InlineData("На тротуаре у школы открытый люк, уже кто-то провалился", "open-manhole")]
    [InlineData("Горит свалка за домами, дым валит в окна", "fire")]
    [InlineData("В доме на Полевой обрушился балкон, трещина в стене растет", "collapse")]
    [InlineData("Третий день нет воды во всем микрорайоне", "water-outage")]
    [InlineData("Бродячие собаки напали на ребенка у остановки", "children-in-danger")]
    public void Danger_to_life_and_mass_outages_are_urgent(string text, string rule)
    {
        var decision = RoutingTestData.Classify(text, "adm-samara");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.True(decision.Urgent, decision.Explanation);
        Assert.Contains(decision.Evidence, e => e.Kind == "urgency" && e.Detail.StartsWith(rule + ":", StringComparison.Ordinal));
        Assert.Contains("urgent: " , decision.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("На улице Мира огромная яма на дороге")]
    [InlineData("Контейнеры переполнены, мусор не вывозят")]
    [InlineData("Плановое отключение горячей воды затянулось, когда включат?")]
    [InlineData("Автобус 21 ходит раз в час, это неудобно")]
    [InlineData("Не горят фонари на улице, нет света вечером")]
    public void Everyday_problems_are_not_urgent(string text)
    {
        var decision = RoutingTestData.Classify(text, "adm-samara");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.False(decision.Urgent, decision.Explanation);
        Assert.DoesNotContain(decision.Evidence, e => e.Kind == "urgency");
    }

    [Fact]
    public void Urgency_never_marks_a_non_incident()
    {
        var decision = RoutingTestData.Classify("Спасибо пожарным, что быстро потушили пожар!");

        Assert.False(decision.IsIncident, decision.Explanation);
        Assert.False(decision.Urgent);
    }
}
