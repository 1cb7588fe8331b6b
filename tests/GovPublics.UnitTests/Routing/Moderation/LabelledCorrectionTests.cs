using System.Text.Json;
using GovPublics.Common.Pipeline;
using GovPublics.Routing.Domain.Moderation;
using GovPublics.Routing.Evaluation;

namespace GovPublics.UnitTests.Routing.Moderation;

public sealed class LabelledCorrectionTests
{
    private static readonly string[] _corpusFields =
        ["id", "platform", "kind", "page_owner", "text", "is_incident", "category", "subcategory", "urgent", "municipality", "district", "responsible"];

    private static readonly RevisionAuthor _author = new(DecisionSource.Moderation, "ivanova", "трасса региональная", ModerationTestData.Now);

    [Fact]
    public void A_decision_that_routes_like_the_classifier_is_no_correction()
    {
        var original = ModerationTestData.Roads(0.3);
        var confirmed = original with { Revision = 1, Confidence = 1, Explanation = "confirmed", NeedsModeration = false };
        Assert.Null(LabelledCorrection.Between(original, confirmed, ModerationTestData.Message(), "adm-tolyatti", _author));
    }

    [Theory]
    [InlineData("topic")]
    [InlineData("urgent")]
    [InlineData("authority")]
    public void A_changed_topic_urgency_or_authority_is_a_correction(string what)
    {
        var original = ModerationTestData.Roads(0.3);
        var corrected = (what switch
        {
            "topic" => original with { Category = "waste", Subcategory = "illegal_dumps" },
            "urgent" => original with { Urgent = true },
            _ => original with { ResponsibleAuthorityId = "mintrans", ResponsibleAuthorityName = "Минтранс" },
        }) with { Revision = 2 };
        var correction = LabelledCorrection.Between(original, corrected, ModerationTestData.Message(), "adm-tolyatti", _author);
        Assert.NotNull(correction);
        Assert.Equal((2, "ivanova", DecisionSource.Moderation), (correction.Revision, correction.By, correction.Source));
        Assert.Same(original, correction.Original);
        Assert.Same(corrected, correction.Corrected);
    }

    [Fact]
    public void The_corpus_line_has_exactly_the_corpus_fields_and_reads_back_with_the_evaluator()
    {
        var original = ModerationTestData.Roads(0.3);
        var corrected = original with
        {
            Subcategory = "regional_road", Urgent = true, Revision = 1,
            ResponsibleAuthorityId = "mintrans", ResponsibleAuthorityName = "Министерство транспорта и автомобильных дорог Самарской области",
        };
        var message = ModerationTestData.Message(kind: MessageKind.PrivateMessage);
        var line = CorpusFormat.Serialize(LabelledCorrection.Between(original, corrected, message, "adm-tolyatti", _author)!.ToCorpusLine());

        Assert.DoesNotContain('\n', line);
        Assert.Contains("г.о. Тольятти", line, StringComparison.Ordinal); // Cyrillic as written, like the corpus files
        using var json = JsonDocument.Parse(line);
        Assert.Equal(_corpusFields, json.RootElement.EnumerateObject().Select(p => p.Name));

        var file = Path.Combine(Path.GetTempPath(), $"corrections-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllText(file, line + "\n");
            var read = Assert.Single(RoutingEvaluator.Read(file));
            Assert.Equal(new LabelledMessage("m-test-1", "vk", "private_message", "adm-tolyatti", message.Text, true, "roads", "regional_road", true,
                "г.о. Тольятти", "", "Министерство транспорта и автомобильных дорог Самарской области"), read);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_non_incident_line_has_no_responsible_authority_and_is_not_urgent()
    {
        var original = ModerationTestData.Roads(0.3);
        var corrected = new RoutedDecision
        {
            IsIncident = false, Category = "none", Subcategory = "spam", MunicipalityId = "tolyatti", MunicipalityName = "г.о. Тольятти", Revision = 1,
        };
        var line = LabelledCorrection.Between(original, corrected, ModerationTestData.Message(), "", _author)!.ToCorpusLine();
        Assert.Equal((false, "none", "spam", false, "", "", "г.о. Тольятти"),
            (line.IsIncident, line.Category, line.Subcategory, line.Urgent, line.Responsible, line.PageOwner, line.Municipality));
    }
}
