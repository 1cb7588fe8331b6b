using GovPublics.Routing.Domain;

namespace GovPublics.UnitTests.Routing;

public sealed class RoutingKnowledgeTests
{
    private static readonly Dictionary<string, string[]> _expected = new()
    {
        ["housing_utilities"] = ["water_supply", "power_supply", "heating", "gas_supply", "sewage", "building_management", "capital_repair"],
        ["improvement"] = ["yards", "playgrounds", "greenery", "cleaning"],
        ["roads"] = ["potholes", "road_repair", "snow_ice", "street_lighting", "traffic_lights", "regional_road"],
        ["waste"] = ["container_sites", "illegal_dumps", "tko_operator"],
        ["healthcare"] = ["clinic_access", "medicines", "ambulance", "hospital_conditions"],
        ["social_protection"] = ["payments", "benefits", "disability"],
        ["public_transport"] = ["routes_schedule", "transport_condition", "fares"],
        ["education"] = ["schools", "kindergartens"],
        ["stray_animals"] = ["stray_dogs"],
        ["ecology"] = ["air_pollution", "water_pollution", "tree_felling"],
        ["safety"] = ["public_order", "hazards"],
        ["other"] = ["other"],
    };

    [Fact]
    public void The_shipped_knowledge_has_every_topic_and_subtopic_of_the_contract()
    {
        var topics = RoutingTestData.Knowledge.Topics.ToDictionary(t => t.Code, t => t.Subtopics.Select(s => s.Code).ToArray());

        Assert.Equal(_expected.Keys.Order(), topics.Keys.Order());
        foreach (var (topic, subtopics) in _expected)
        {
            Assert.Equal(subtopics, topics[topic]);
        }
    }

    [Fact]
    public void Every_file_carries_a_version_and_the_knowledge_version_names_them_all()
    {
        var knowledge = RoutingTestData.Knowledge;

        Assert.Equal(["cues", "normalization", "places", "topics", "urgency"], knowledge.FileVersions.Keys.Order());
        Assert.All(knowledge.FileVersions.Values, v => Assert.False(string.IsNullOrWhiteSpace(v)));
        foreach (var (file, version) in knowledge.FileVersions)
        {
            Assert.Contains($"{file}@{version}", knowledge.Version, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_urgency_rules_cover_the_dangers_of_the_brief()
    {
        var ids = RoutingTestData.Knowledge.UrgencyRules.Select(r => r.Id).ToHashSet();

        Assert.Superset(
            new HashSet<string> { "gas-smell", "heating-outage", "water-outage", "power-outage", "open-manhole", "fallen-wires", "fire", "collapse", "children-in-danger" },
            ids);
    }

    [Fact]
    public void A_broken_knowledge_directory_is_refused_with_every_problem_listed()
    {
        var directory = Directory.CreateTempSubdirectory("routing-knowledge-");
        try
        {
            foreach (var file in Directory.GetFiles(RoutingTestData.KnowledgeDirectory, "*.json"))
            {
                File.Copy(file, Path.Combine(directory.FullName, Path.GetFileName(file)));
            }

            var urgency = Path.Combine(directory.FullName, "urgency.json");
            File.WriteAllText(urgency, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(urgency), "\"version\": \"[^\"]*\"", "\"version\": \"\""));
            var topics = Path.Combine(directory.FullName, "topics.json");
            File.WriteAllText(topics, File.ReadAllText(topics).Replace("\"to\": \"improvement/yards\"", "\"to\": \"improvement/nowhere\"", StringComparison.Ordinal));
            var cues = Path.Combine(directory.FullName, "cues.json");
            File.WriteAllText(cues, File.ReadAllText(cues).Replace("\"gratitude\":", "\"gratefulness\":", StringComparison.Ordinal));
            File.Delete(Path.Combine(directory.FullName, "places.json"));

            var error = Assert.Throws<KnowledgeValidationException>(() => RoutingKnowledge.Load(directory.FullName));

            Assert.Contains("urgency.json $.version: is required", error.Message, StringComparison.Ordinal);
            Assert.Contains("unknown class 'gratefulness'", error.Message, StringComparison.Ordinal);
            Assert.Contains("places.json: not found", error.Message, StringComparison.Ordinal);
            Assert.Contains("redirect", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(true);
        }
    }

    [Fact]
    public void Knowledge_is_data_a_new_word_in_a_file_changes_the_decision()
    {
        var directory = Directory.CreateTempSubdirectory("routing-knowledge-");
        try
        {
            foreach (var file in Directory.GetFiles(RoutingTestData.KnowledgeDirectory, "*.json"))
            {
                File.Copy(file, Path.Combine(directory.FullName, Path.GetFileName(file)));
            }

            const string text = "Во дворе поселился енот и роется в вещах";
            var before = RoutingTestData.Classify(text, "adm-tolyatti");
            var topics = Path.Combine(directory.FullName, "topics.json");
            File.WriteAllText(topics, File.ReadAllText(topics).Replace("\"бродячие собаки\",", "\"бродячие собаки\", \"енот\",", StringComparison.Ordinal));
            var changed = new MessageClassifier(RoutingKnowledge.Load(directory.FullName), new RoutingOptions())
                .Classify(new ClassificationInput(text, "adm-tolyatti"), RoutingTestData.Catalog);

            Assert.NotEqual("stray_animals", before.Category);
            Assert.Equal("stray_animals", changed.Category);
        }
        finally
        {
            directory.Delete(true);
        }
    }
}
