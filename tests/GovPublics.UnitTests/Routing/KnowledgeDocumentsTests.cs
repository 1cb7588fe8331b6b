using System.Text.Json.Nodes;
using GovPublics.Routing.Domain;

namespace GovPublics.UnitTests.Routing;

/// <summary>Compiling the knowledge from documents in memory: every problem named by document and JSON path.</summary>
public sealed class KnowledgeDocumentsTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> _shipped = new(() => RoutingKnowledge.ReadDocuments(RoutingTestData.KnowledgeDirectory));

    private static Dictionary<string, string> With(string name, Action<JsonNode> change)
    {
        var documents = _shipped.Value.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var node = JsonNode.Parse(documents[name], documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        change(node);
        documents[name] = node.ToJsonString();
        return documents;
    }

    private static IReadOnlyList<KnowledgeError> Errors(IReadOnlyDictionary<string, string> documents, KnowledgeOptions? options = null)
    {
        var result = RoutingKnowledge.Compile(documents, options);
        Assert.Null(result.Compiled);
        Assert.NotEmpty(result.Errors);
        return result.Errors;
    }

    [Fact]
    public void The_shipped_documents_compile_from_memory_like_the_files_and_name_their_registry_versions()
    {
        Assert.Equal(RoutingTestData.Knowledge.Version, RoutingKnowledge.FromDocuments(_shipped.Value).Version);

        var versioned = RoutingKnowledge.FromDocuments(_shipped.Value, new KnowledgeOptions
        {
            Revisions = new Dictionary<string, long> { ["topics"] = 3, ["cues"] = 1, ["urgency"] = 1, ["normalization"] = 1, ["places"] = 1 },
        });
        Assert.Matches(@"^cues@[^;#]+#1;normalization@[^;#]+#1;places@[^;#]+#1;topics@[^;#]+#3;urgency@[^;#]+#1$", versioned.Version);

        var decision = new MessageClassifier(versioned, new RoutingOptions())
            .Classify(new ClassificationInput("В Тольятти на Южном шоссе огромная яма", null), RoutingTestData.Catalog);
        Assert.Equal(versioned.Version, decision.KnowledgeVersion);
    }

    [Fact]
    public void Broken_json_is_reported_with_its_document_and_line()
    {
        var documents = _shipped.Value.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        documents["urgency"] = "{ \"version\": \"1\",\n  \"rules\": [ { \"id\": \"x\" ";

        var error = Assert.Single(Errors(documents));

        Assert.Equal("urgency", error.Document);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_that_is_not_an_object_is_refused()
    {
        var documents = _shipped.Value.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        documents["places"] = "[]";

        var error = Assert.Single(Errors(documents));

        Assert.Equal(("places", "$"), (error.Document, error.Path));
        Assert.Contains("must be a JSON object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_named_by_its_path()
    {
        var error = Assert.Single(Errors(With("topics", t => t["topics"]![0]!["subtopics"]![0]!["terms"]![0]!["weight"] = "heavy")));

        Assert.Equal("topics", error.Document);
        Assert.Equal("$.topics[0].subtopics[0].terms[0].weight", error.Path);
    }

    [Fact]
    public void A_misspelt_field_is_refused_instead_of_ignored()
    {
        var error = Assert.Single(Errors(With("cues", c => c["signalz"] = new JsonObject())));

        Assert.Equal("cues", error.Document);
        Assert.Contains("signalz", error.Path + error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nulls_are_refused_with_their_paths()
    {
        var errors = Errors(With("topics", t =>
        {
            t["topics"]![1]!["subtopics"]![0]!["terms"]![0]!["words"]![0] = null;
            t["redirects"] = null;
        }));

        Assert.Equal(
            ["$.redirects", "$.topics[1].subtopics[0].terms[0].words[0]"],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.Equal("must not be null", e.Message));
    }

    [Fact]
    public void Unknown_topic_codes_in_redirects_are_named()
    {
        var errors = Errors(With("topics", t =>
        {
            t["redirects"]![0]!["to"] = "roads/nowhere";
            t["redirects"]![1]!["from"]![0] = "atlantis";
        }));

        var paths = errors.Select(e => e.Path).ToList();
        Assert.Contains("$.redirects[0].to", paths);
        Assert.Contains("$.redirects[1].from[0]", paths);
        Assert.Contains(errors, e => e.Message.Contains("'atlantis'", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_codes_and_rule_ids_weights_and_empty_entries_are_each_named()
    {
        var urgency = With("urgency", u =>
        {
            u["rules"]![1]!["id"] = u["rules"]![0]!["id"]!.GetValue<string>();
            u["rules"]![2]!["all"]![0]![0] = "  ";
        });
        var paths = Errors(urgency).Select(e => $"{e.Document} {e.Path}").ToList();
        Assert.Contains("urgency $.rules[1].id", paths);
        Assert.Contains("urgency $.rules[2].all[0][0]", paths);

        var topics = With("topics", t =>
        {
            t["topics"]![1]!["code"] = t["topics"]![0]!["code"]!.GetValue<string>();
            t["topics"]![0]!["subtopics"]![0]!["terms"]![0]!["weight"] = -1;
            t["topics"]![0]!["default_subtopic"] = "nothing";
        });
        var topicErrors = Errors(topics);
        Assert.Contains(topicErrors, e => e.Path == "$.topics[1].code" && e.Message.Contains("already", StringComparison.Ordinal));
        Assert.Contains(topicErrors, e => e.Path == "$.topics[0].subtopics[0].terms[0].weight" && e.Message.Contains("positive", StringComparison.Ordinal));
        Assert.Contains(topicErrors, e => e.Path == "$.topics[0].default_subtopic");
    }

    [Fact]
    public void Missing_and_unknown_documents_and_a_missing_version_are_reported()
    {
        var documents = With("normalization", n => n["version"] = "");
        documents.Remove("places");
        documents["synonyms"] = "{}";

        var errors = Errors(documents).Select(e => e.ToString()).ToList();

        Assert.Contains("places.json: not found", errors);
        Assert.Contains(errors, e => e.StartsWith("synonyms.json: is not a knowledge document", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("normalization.json $.version: is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Places_must_name_territories_of_the_catalogue_when_asked()
    {
        var documents = With("places", p => p["places"]![0]!["territory"] = "atlantis");
        Assert.NotNull(RoutingKnowledge.Compile(documents).Compiled);

        var error = Assert.Single(Errors(documents, new KnowledgeOptions { TerritoryExists = id => RoutingTestData.Catalog.FindTerritory(id) is not null }));

        Assert.Equal(("places", "$.places[0].territory"), (error.Document, error.Path));
    }

    [Fact]
    public void A_diff_names_the_entries_a_new_version_adds_and_removes()
    {
        var before = RoutingKnowledge.FromDocuments(_shipped.Value);
        var after = RoutingKnowledge.FromDocuments(With("topics", t =>
        {
            var groups = t["topics"]!.AsArray().Single(x => x!["code"]!.GetValue<string>() == "stray_animals")!["subtopics"]![0]!["terms"]!;
            groups[0]!["words"]!.AsArray().Add("енот");
        }));

        var diff = KnowledgeDiff.Between(before, after);

        var added = Assert.Single(diff.Added);
        Assert.StartsWith("topics stray_animals/stray_dogs: «енот» weight", added, StringComparison.Ordinal);
        Assert.Empty(diff.Removed);
        Assert.True(KnowledgeDiff.Between(before, before).IsEmpty);
        Assert.Equal("stray_animals", new MessageClassifier(after, new RoutingOptions())
            .Classify(new ClassificationInput("Во дворе поселился енот и роется в вещах", "adm-tolyatti"), RoutingTestData.Catalog).Category);
    }
}
