using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.UnitTests.Routing.Moderation;

/// <summary>Messages and decisions for the moderation tests, as the routing consumer would store them.</summary>
internal static class ModerationTestData
{
    public static readonly DateTimeOffset Now = new(2025, 3, 10, 9, 0, 0, TimeSpan.FromHours(4));

    public static CitizenMessage Message(string text = "Во дворе на Юбилейной яма, не проехать", MessageKind kind = MessageKind.Comment, string page = "-208424532") => new()
    {
        MessageId = "m-test-1",
        Platform = Platform.Vk,
        PageExternalId = page,
        Kind = kind,
        ExternalId = "1",
        Text = text,
        CreatedAt = Now,
        ReceivedAt = Now,
    };

    /// <summary>The classifier's first decision: roads/potholes in Tolyatti, its administration answers.</summary>
    public static RoutedDecision Roads(double confidence = 0.9) => new()
    {
        IsIncident = true,
        Category = "roads",
        Subcategory = "potholes",
        MunicipalityId = "tolyatti",
        MunicipalityName = "г.о. Тольятти",
        ResponsibleAuthorityId = "adm-tolyatti",
        ResponsibleAuthorityName = "Администрация г.о. Тольятти",
        Confidence = confidence,
        Explanation = "topic roads/potholes (яма)",
        RuleId = "roads-urban-okrug",
        NeedsModeration = confidence < 0.5,
        Evidence = [new DecisionEvidence("topic", "яма", 2)],
        DecidedAt = Now,
    };

    /// <summary>The classifier's decision that the message needs no action.</summary>
    public static RoutedDecision Gratitude() => new()
    {
        IsIncident = false,
        Category = "none",
        Subcategory = "gratitude",
        MunicipalityId = "tolyatti",
        MunicipalityName = "г.о. Тольятти",
        Confidence = 0.4,
        Explanation = "not an incident: gratitude",
        NeedsModeration = true,
        DecidedAt = Now,
    };
}
