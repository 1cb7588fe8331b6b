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

    [Theory]
    [InlineData("С утра из кранов ничего не течёт, ни холодной ни горячей", "water-outage")]
    [InlineData("Квартиру на первом этаже заливает канализацией из унитаза, уже по щиколотку", "sewage-flood")]
    [InlineData("Бездомная собака укусила девочку у школы", "dog-attack")]
    [InlineData("Провалилась крышка люка на тротуаре, дыра с метр", "open-manhole")]
    [InlineData("С крыши свисают огромные сосули прямо над входом", "falling-ice")]
    [InlineData("На переходе светофоры не работают, час назад уже была авария", "danger-to-life")]
    [InlineData("Батареи ледяные, на улице минус 18", "cold-in-home")]
    [InlineData("Ночью взорвался газовый баллон, соседи чувствуют запах", "gas-leak")]
    [InlineData("С фасада отвалилась плитка, куски летят на тротуар", "falling-objects")]
    [InlineData("У колодца во дворе нет крышки, вечером не видно", "manhole-uncovered")]
    public void What_residents_write_about_danger_is_urgent(string text, string rule)
    {
        var decision = RoutingTestData.Classify(text, "adm-samara");

        Assert.True(decision.Urgent, decision.Explanation);
        Assert.Contains(decision.Evidence, e => e.Kind == "urgency" && e.Detail.StartsWith(rule + ":", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("В подъезде газом не пахнет, но лифт не работает третий день")]
    [InlineData("Батареи не холодные, но счёт за отопление вырос вдвое")]
    [InlineData("Светофор на перекрёстке мигает жёлтым, неудобно")]
    public void A_negated_danger_is_not_urgent(string text)
    {
        var decision = RoutingTestData.Classify(text, "adm-samara");

        Assert.True(decision.IsIncident, decision.Explanation);
        Assert.False(decision.Urgent, decision.Explanation);
    }

    [Fact]
    public void Urgency_never_marks_a_non_incident()
    {
        var decision = RoutingTestData.Classify("Спасибо пожарным, что быстро потушили пожар!");

        Assert.False(decision.IsIncident, decision.Explanation);
        Assert.False(decision.Urgent);
    }
}
