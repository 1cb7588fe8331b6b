using System.Diagnostics;
using System.Text.Json.Nodes;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Contracts.Routing.V1;
using GovPublics.Registry.Grpc;
using GovPublics.Routing.Grpc;
using GovPublics.Testing;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

/// <summary>
/// Routing knowledge as data: seeded into the registry, edited there with validation, optimistic concurrency,
/// dry runs, history and rollback, and followed by routing through the change feed.
/// </summary>
public sealed class RegistryKnowledgeTests(RedisFixture redis, ITestOutputHelper output) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Raccoon = "Во дворе поселился енот и роется в вещах";
    private static readonly string[] _names = ["topics", "cues", "urgency", "normalization", "places"];

    private ServiceHost<RegistryGrpcService> _registry = null!;
    private ServiceHost<RoutingGrpcService> _routing = null!;
    private RegistryService.RegistryServiceClient _client = null!;
    private RoutingService.RoutingServiceClient _classify = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        _client = new RegistryService.RegistryServiceClient(_registry.Channel);
        await Eventually.True(async () => (await _client.ListKnowledgeAsync(new ListKnowledgeRequest())).Documents.Count == 5, "the knowledge seed");
        _routing = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString,
            new Dictionary<string, string?> { ["Registry:Address"] = _registry.GrpcAddress });
        _classify = new RoutingService.RoutingServiceClient(_routing.Channel);
        await Eventually.GrpcReady(() => _classify.ClassifyAsync(new ClassifyRequest { Text = "проверка" }).ResponseAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _routing.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private async Task<KnowledgeDocument> Topics() => await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "topics" });

    /// <summary>The topics document with <paramref name="word"/> added to the stray animals' first word group.</summary>
    private static string WithStrayAnimalWord(string content, string word)
    {
        var topics = JsonNode.Parse(content)!;
        var stray = topics["topics"]!.AsArray().Single(t => t!["code"]!.GetValue<string>() == "stray_animals")!;
        stray["subtopics"]![0]!["terms"]![0]!["words"]!.AsArray().Add(word);
        return topics.ToJsonString();
    }

    [Fact]
    public async Task The_shipped_documents_are_seeded_once_and_listed_without_content()
    {
        var list = await _client.ListKnowledgeAsync(new ListKnowledgeRequest());

        Assert.Equal(_names, list.Documents.Select(d => d.Name));
        Assert.All(list.Documents, d =>
        {
            Assert.True(d.Version >= 1);
            Assert.True(d.SizeBytes > 1000);
            Assert.NotEmpty(d.Label);
            Assert.NotNull(d.UpdatedAt);
        });
        // No test edits normalization: it is still the seed's version.
        var normalization = list.Documents.Single(d => d.Name == "normalization");
        Assert.Equal((1L, "seed"), (normalization.Version, normalization.UpdatedBy));
        Assert.Matches(@"^cues@[^;]+#\d+;normalization@[^;]+#\d+;places@[^;]+#\d+;topics@[^;]+#\d+;urgency@[^;]+#\d+$", list.KnowledgeVersion);

        // A second registry on the same store seeds nothing again.
        await using (var second = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString))
        {
            var client = new RegistryService.RegistryServiceClient(second.Channel);
            await Eventually.GrpcReady(() => client.ListKnowledgeAsync(new ListKnowledgeRequest()).ResponseAsync);
            await Task.Delay(500);
            Assert.Equal(1, (await client.ListKnowledgeAsync(new ListKnowledgeRequest())).Documents.Single(d => d.Name == "normalization").Version);
        }

        var document = await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "normalization" });
        Assert.Equal(normalization.SizeBytes, System.Text.Encoding.UTF8.GetByteCount(document.Content));
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Knowledge", "normalization.json")), document.Content);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "synonyms" }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "cues", Version = 99 }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task A_phrase_added_through_the_registry_changes_routing_within_a_bounded_wait()
    {
        var before = await _classify.ClassifyAsync(new ClassifyRequest { Text = Raccoon });
        Assert.NotEqual("stray_animals", before.Category);
        var listed = await _client.ListKnowledgeAsync(new ListKnowledgeRequest());
        Assert.Equal(listed.KnowledgeVersion, before.KnowledgeVersion);
        var topics = await Topics();

        var clock = Stopwatch.StartNew();
        var answer = await _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "topics", Content = WithStrayAnimalWord(topics.Content, "енот"), ExpectedVersion = topics.Info.Version,
            UpdatedBy = "moderator-1", Comment = "raccoons are stray animals too",
        });
        Assert.True(answer.Applied);
        Assert.Equal(topics.Info.Version + 1, answer.Document.Version);
        Assert.Contains(answer.Added, a => a.Contains("«енот»", StringComparison.Ordinal));

        RoutingDecision after = null!;
        await Eventually.True(async () =>
        {
            after = await _classify.ClassifyAsync(new ClassifyRequest { Text = Raccoon });
            return after.Category == "stray_animals";
        }, "routing to use the new topics version", TimeSpan.FromSeconds(10));
        output.WriteLine($"The new phrase reached routing {clock.ElapsedMilliseconds} ms after the update was answered.");
        Assert.Equal(answer.KnowledgeVersion, after.KnowledgeVersion);
        Assert.Contains($"#{answer.Document.Version};", after.KnowledgeVersion, StringComparison.Ordinal);

        // Routing's catalogue follows the same feed and skips the knowledge entries: places still resolve.
        var pothole = await _classify.ClassifyAsync(new ClassifyRequest { Text = "В Тольятти на Южном шоссе огромная яма" });
        Assert.Equal("adm-tolyatti", pothole.ResponsibleAuthorityId);
    }

    [Fact]
    public async Task A_stale_expected_version_is_aborted_and_nothing_is_stored()
    {
        var topics = await Topics();

        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "topics", Content = WithStrayAnimalWord(topics.Content, "барсук"), ExpectedVersion = topics.Info.Version - 1,
            UpdatedBy = "moderator-2",
        }).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal(topics.Info.Version, (await Topics()).Info.Version);
    }

    [Fact]
    public async Task A_document_that_does_not_compile_is_refused_with_violations_and_nothing_is_stored()
    {
        var urgency = await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "urgency" });
        var broken = JsonNode.Parse(urgency.Content)!;
        broken["rules"]![1]!["id"] = broken["rules"]![0]!["id"]!.GetValue<string>();
        broken["rules"]![2]!["all"] = new JsonArray();
        broken["max_gap"] = "two";
        var changes = await redis.Db.StreamLengthAsync("gp:{63}:registry:changes");

        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "urgency", Content = broken.ToJsonString(), ExpectedVersion = urgency.Info.Version, UpdatedBy = "moderator-3",
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["content.max_gap"], FieldViolations.Of(ex));

        broken["max_gap"] = 2;
        var semantic = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "urgency", Content = broken.ToJsonString(), ExpectedVersion = urgency.Info.Version, UpdatedBy = "moderator-3",
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, semantic.StatusCode);
        Assert.Equal(["content.rules[1].id", "content.rules[2].all"], FieldViolations.Of(semantic).Order(StringComparer.Ordinal));

        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "urgency", Content = urgency.Content, ExpectedVersion = urgency.Info.Version,
        }).ResponseAsync);
        Assert.Equal(["updated_by"], FieldViolations.Of(missing));

        Assert.Equal(urgency.Info.Version, (await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "urgency" })).Info.Version);
        Assert.Equal(changes, await redis.Db.StreamLengthAsync("gp:{63}:registry:changes"));
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_change_and_stores_nothing()
    {
        var topics = await Topics();
        var changes = await redis.Db.StreamLengthAsync("gp:{63}:registry:changes");

        var answer = await _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "topics", Content = WithStrayAnimalWord(topics.Content, "лиса"), ExpectedVersion = topics.Info.Version,
            UpdatedBy = "moderator-4", DryRun = true,
        });

        Assert.False(answer.Applied);
        Assert.False(answer.Unchanged);
        Assert.Equal(topics.Info.Version + 1, answer.Document.Version);
        Assert.Equal(1, answer.AddedCount);
        Assert.StartsWith("topics stray_animals/stray_dogs: «лиса»", Assert.Single(answer.Added), StringComparison.Ordinal);
        Assert.Empty(answer.Removed);
        Assert.Equal(topics, await Topics());
        Assert.Equal(changes, await redis.Db.StreamLengthAsync("gp:{63}:registry:changes"));

        var same = await _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "topics", Content = topics.Content, ExpectedVersion = topics.Info.Version, UpdatedBy = "moderator-4",
        });
        Assert.True(same.Unchanged);
        Assert.False(same.Applied);
        Assert.Equal(topics.Info.Version, (await Topics()).Info.Version);
    }

    [Fact]
    public async Task Every_version_is_kept_on_the_feed_and_in_history_and_a_rollback_is_a_new_version()
    {
        var places = await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "places" });
        var edited = JsonNode.Parse(places.Content)!;
        edited["version"] = "2099.1.1";
        edited["places"]!.AsArray().Add(new JsonObject { ["names"] = new JsonArray("Новинкоград"), ["territory"] = "otradny", ["certainty"] = 0.9 });
        var position = (await _client.ListKnowledgeAsync(new ListKnowledgeRequest())).CatalogVersion;
        using var feed = _client.WatchChanges(new WatchChangesRequest { FromVersion = position });

        var update = await _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "places", Content = edited.ToJsonString(), ExpectedVersion = places.Info.Version, UpdatedBy = "moderator-5", Comment = "a new town",
        });
        Assert.Equal("2099.1.1", update.Document.Label);

        KnowledgeChange? announced = null;
        while (announced is null && await feed.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (feed.ResponseStream.Current.EntityCase == CatalogChange.EntityOneofCase.Knowledge)
            {
                announced = feed.ResponseStream.Current.Knowledge;
            }
        }

        Assert.Equal(new KnowledgeChange { Name = "places", Version = update.Document.Version }, announced);
        await Eventually.True(async () => (await _classify.ClassifyAsync(new ClassifyRequest { Text = "В Новинкограде яма на дороге" })).MunicipalityId == "otradny",
            "routing to know the new place", TimeSpan.FromSeconds(10));

        var dryRollback = await _client.RollbackKnowledgeAsync(new RollbackKnowledgeRequest
        {
            Name = "places", ToVersion = places.Info.Version, ExpectedVersion = update.Document.Version, UpdatedBy = "moderator-5", DryRun = true,
        });
        Assert.False(dryRollback.Applied);
        Assert.Contains(dryRollback.Removed, r => r.Contains("«Новинкоград»", StringComparison.Ordinal));

        var rollback = await _client.RollbackKnowledgeAsync(new RollbackKnowledgeRequest
        {
            Name = "places", ToVersion = places.Info.Version, ExpectedVersion = update.Document.Version, UpdatedBy = "moderator-5", Comment = "wrong town",
        });
        Assert.True(rollback.Applied);
        Assert.Equal(update.Document.Version + 1, rollback.Document.Version);
        Assert.Equal($"rollback to version {places.Info.Version}: wrong town", rollback.Document.Comment);

        var current = await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "places" });
        Assert.Equal(places.Content, current.Content);
        Assert.Equal(places.Info.Label, current.Info.Label);
        var middle = await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "places", Version = update.Document.Version });
        Assert.Equal(("moderator-5", "a new town", "2099.1.1"), (middle.Info.UpdatedBy, middle.Info.Comment, middle.Info.Label));
        await Eventually.True(async () => (await _classify.ClassifyAsync(new ClassifyRequest { Text = "В Новинкограде яма на дороге" })).MunicipalityId != "otradny",
            "routing to use the rolled-back places", TimeSpan.FromSeconds(10));

        var stale = await Assert.ThrowsAsync<RpcException>(() => _client.RollbackKnowledgeAsync(new RollbackKnowledgeRequest
        {
            Name = "places", ToVersion = update.Document.Version, ExpectedVersion = update.Document.Version, UpdatedBy = "moderator-5",
        }).ResponseAsync);
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
    }

    [Fact]
    public async Task Knowledge_that_does_not_compile_in_routing_leaves_the_previous_version_in_use_and_health_degraded()
    {
        var before = await _classify.ClassifyAsync(new ClassifyRequest { Text = Raccoon });
        var cues = await _client.GetKnowledgeAsync(new GetKnowledgeRequest { Name = "cues" });
        using var http = _routing.CreateHttpClient();
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));

        // Bypass the registry's validation the way only a damaged store could: a version that does not compile.
        var version = await redis.Db.StringIncrementAsync("gp:{63}:registry:version");
        var record = new JsonObject
        {
            ["name"] = "cues", ["content"] = "{ \"version\": \"broken\", \"classes\": { \"nonsense\": [] } }",
            ["version"] = cues.Info.Version + 1, ["updated_by"] = "disk", ["updated_at"] = DateTimeOffset.UtcNow.ToString("O"),
            ["comment"] = "", ["label"] = "broken", ["catalog_version"] = version,
        };
        await redis.Db.HashSetAsync("gp:{63}:registry:knowledge", "cues", record.ToJsonString());
        await redis.Db.StreamAddAsync("gp:{63}:registry:changes",
            [new("kind", "upsert"), new("set", "knowledge"), new("id", "cues"), new("data", $"{{\"name\":\"cues\",\"version\":{cues.Info.Version + 1}}}")],
            messageId: $"{version}-0");

        await Eventually.True(async () => await http.GetStringAsync("/health") == "Degraded", "routing's health to report the refused knowledge", TimeSpan.FromSeconds(10));
        var after = await _classify.ClassifyAsync(new ClassifyRequest { Text = Raccoon });
        Assert.Equal(before.KnowledgeVersion, after.KnowledgeVersion);
        Assert.Equal(before.Category, after.Category);

        // Putting a good version back (through the registry) heals it.
        await _client.UpdateKnowledgeAsync(new UpdateKnowledgeRequest
        {
            Name = "cues", Content = cues.Content, ExpectedVersion = cues.Info.Version + 1, UpdatedBy = "moderator-6", Comment = "repair",
        });
        await Eventually.True(async () => await http.GetStringAsync("/health") == "Healthy", "routing to use the repaired knowledge", TimeSpan.FromSeconds(10));
    }
}
