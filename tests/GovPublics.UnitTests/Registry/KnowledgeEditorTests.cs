using System.Text.Json.Nodes;
using GovPublics.Catalog;
using GovPublics.Registry.Domain;
using GovPublics.Routing.Domain;
using GovPublics.UnitTests.Routing;

namespace GovPublics.UnitTests.Registry;

public sealed class KnowledgeEditorTests
{
    private static readonly Lazy<Dictionary<string, (string Content, long Version)>> _stored = new(() =>
        RoutingKnowledge.ReadDocuments(RoutingTestData.KnowledgeDirectory).ToDictionary(kv => kv.Key, kv => (kv.Value, 1L), StringComparer.Ordinal));

    private static bool Exists(string id) => RoutingTestData.Catalog.FindTerritory(id) is not null;

    [Fact]
    public void A_document_that_does_not_compile_is_refused_with_a_violation_per_json_path()
    {
        var places = JsonNode.Parse(_stored.Value["places"].Content)!;
        places["places"]![2]!["territory"] = "atlantis";
        places["places"]![3]!["certainty"] = 7;

        var ex = Assert.Throws<ValidationFailedException>(() =>
            KnowledgeEditor.Plan(_stored.Value, null, "places", places.ToJsonString(), Exists));

        Assert.Equal(["content.places[2].territory", "content.places[3].certainty"], ex.Violations.Select(v => v.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_problem_an_edit_causes_in_another_document_names_that_document()
    {
        var normalization = JsonNode.Parse(_stored.Value["normalization"].Content)!;
        var topics = JsonNode.Parse(_stored.Value["topics"].Content)!;
        var stored = new Dictionary<string, (string Content, long Version)>(_stored.Value);
        topics["topics"]![0]!["subtopics"]![0]!["terms"]![0]!["words"]!.AsArray().Add("!!!");
        stored["topics"] = (topics.ToJsonString(), 2);
        normalization["version"] = "";

        var ex = Assert.Throws<ValidationFailedException>(() =>
            KnowledgeEditor.Plan(stored, null, "normalization", normalization.ToJsonString(), Exists));

        Assert.Contains(ex.Violations, v => v.Field == "content.version");
        Assert.Contains(ex.Violations, v => v.Field.StartsWith("topics.topics[0].subtopics[0].terms[0].words[", StringComparison.Ordinal)
            && v.Description.Contains("stored topics document", StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_edit_is_planned_with_its_label_version_and_diff_and_the_same_content_is_unchanged()
    {
        var current = RoutingKnowledge.FromDocuments(_stored.Value.ToDictionary(kv => kv.Key, kv => kv.Value.Content));
        var urgency = JsonNode.Parse(_stored.Value["urgency"].Content)!;
        urgency["version"] = "2099.1.1";
        urgency["rules"]![0]!["all"]![0]!.AsArray().Add("газ сифонит");

        var (plan, knowledge) = KnowledgeEditor.Plan(_stored.Value, current, "urgency", urgency.ToJsonString(), Exists);

        Assert.False(plan.Unchanged);
        Assert.Equal("2099.1.1", plan.Label);
        Assert.Contains("urgency@2099.1.1#2", plan.KnowledgeVersion, StringComparison.Ordinal);
        Assert.Equal(knowledge.Version, plan.KnowledgeVersion);
        Assert.Contains(plan.Diff.Added, a => a.Contains("«газ сифонит»", StringComparison.Ordinal));
        Assert.Empty(plan.Diff.Removed);

        var (same, _) = KnowledgeEditor.Plan(_stored.Value, current, "urgency", _stored.Value["urgency"].Content, Exists);
        Assert.True(same.Unchanged);
        Assert.True(same.Diff.IsEmpty);
    }

    [Fact]
    public void Request_fields_are_checked_before_anything_is_compiled()
    {
        var ex = Assert.Throws<ValidationFailedException>(() =>
            KnowledgeEditor.ValidateRequest("synonyms", "", -1, " ", new string('x', KnowledgeEditor.MaxCommentLength + 1)));

        Assert.Equal(["comment", "content", "expected_version", "name", "updated_by"], ex.Violations.Select(v => v.Field).Order(StringComparer.Ordinal));
    }
}
