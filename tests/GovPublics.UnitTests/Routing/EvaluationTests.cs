using System.Runtime.CompilerServices;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Evaluation;
using GovPublics.UnitTests.Catalog;

namespace GovPublics.UnitTests.Routing;

public sealed class EvaluationTests
{
    private static string CorpusDir([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Corpus");

    private static readonly MessageClassifier _classifier =
        new(RoutingKnowledge.Load(Path.Combine(AppContext.BaseDirectory, "Knowledge")), new RoutingOptions());

    [Theory]
    [InlineData("corpus.jsonl", 340)]
    [InlineData("holdout.jsonl", 90)]
    [InlineData("blind.jsonl", 150)]
    public void The_labelled_files_read_and_name_only_canonical_authorities_and_places(string file, int atLeast)
    {
        var corpus = RoutingEvaluator.Read(Path.Combine(CorpusDir(), file));
        Assert.True(corpus.Count >= atLeast);
        var catalog = SeedCatalog.Snapshot;
        var authorities = catalog.Authorities.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var places = catalog.Territories.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(corpus, m =>
        {
            Assert.True(m.Responsible.Length == 0 || authorities.Contains(m.Responsible), $"{m.Id}: {m.Responsible}");
            Assert.True(m.Municipality.Length == 0 || places.Contains(m.Municipality), $"{m.Id}: {m.Municipality}");
            Assert.Equal(m.IsIncident, m.Category != "none");
        });
        Assert.Equal(corpus.Count, corpus.Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public void Scores_are_computed_from_the_decisions()
    {
        LabelledMessage M(string id, string text, bool incident, string category, bool urgent, string responsible, string municipality) =>
            new(id, "vk", "comment", "adm-tolyatti", text, incident, category, "", urgent, municipality, "", responsible);
        var corpus = new[]
        {
            M("1", "В Тольятти на Южном шоссе огромная яма, машины бьют колёса", true, "roads", false, "Администрация г.о. Тольятти", "г.о. Тольятти"),
            M("2", "Спасибо большое за новую площадку!", false, "none", false, "", "г.о. Тольятти"),
            // Labelled wrongly on purpose: the decision (roads) differs, so topic accuracy must be 1/2.
            M("3", "Во дворе на Юбилейной яма на дороге, не проехать", true, "education", false, "Администрация г.о. Тольятти", "г.о. Тольятти"),
        };
        var report = RoutingEvaluator.Evaluate(corpus, _classifier, SeedCatalog.Snapshot);
        Assert.Equal(3, report.Messages);
        Assert.Equal(1.0, report.IncidentF1, 3);
        Assert.Equal(0.5, report.TopicAccuracy, 3);
        Assert.Equal(1.0, report.ResponsibleAccuracy, 3);
        var text = RoutingEvaluator.Format(report, "tiny");
        Assert.Contains("confusion matrix", text, StringComparison.Ordinal);
        Assert.Contains("- 3 [adm-tolyatti]", text, StringComparison.Ordinal);
    }
}
