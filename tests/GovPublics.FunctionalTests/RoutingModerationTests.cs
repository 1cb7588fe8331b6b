using Google.Protobuf.WellKnownTypes;
using GovPublics.Common.Pipeline;
using GovPublics.Contracts.Routing.V1;
using GovPublics.Registry.Grpc;
using GovPublics.Routing.Evaluation;
using GovPublics.Routing.Grpc;
using GovPublics.Routing.Knowledge;
using GovPublics.Routing.Moderation;
using GovPublics.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace GovPublics.FunctionalTests;

/// <summary>
/// The ЦУР moderation queue and the re-route loop on a real routing service (real Kestrel, real gRPC client, real
/// redis-server, the registry's seed). The moderation threshold is set above every possible confidence, so every
/// message is held for moderation whatever the classifier's current knowledge says; leases run on a fake clock.
/// </summary>
public sealed class RoutingModerationTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Rejections = "gp:{63}:rejections";
    private const string TolyattiVkPage = "-208424532";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private ServiceHost<RoutingGrpcService> _routing = null!;
    private RoutingService.RoutingServiceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        _registry.StartServer();
        _routing = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Registry:Address"] = _registry.GrpcAddress,
            ["Routing:ModerationThreshold"] = "1.01",
            ["Routing:Consumer:ClaimIdle"] = "00:00:00.500",
            ["Routing:RejectionConsumer:ClaimIdle"] = "00:00:00.500",
            ["Routing:RejectionConsumer:MaxDeliveries"] = "2",
        }, services => services.AddKeyedSingleton<TimeProvider>(ModerationService.ClockKey, _clock));
        _client = new RoutingService.RoutingServiceClient(_routing.Channel);
        await Eventually.GrpcReady(() => _client.ClassifyAsync(new ClassifyRequest { Text = "проверка" }).ResponseAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _routing.DisposeAsync();
        await _registry.DisposeAsync();
    }

    private async Task<List<Contracts.Routing.V1.ModerationItem>> ListAll(ListModerationRequest request)
    {
        var items = new List<Contracts.Routing.V1.ModerationItem>();
        request.PageSize = 3; // small pages: the walk with page tokens is part of every test
        do
        {
            var page = await _client.ListModerationAsync(request);
            items.AddRange(page.Items);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return items;
    }

    /// <summary>Sends a message through the messages stream and waits for its moderation item.</summary>
    private async Task<Contracts.Routing.V1.ModerationItem> Queue(string externalId, string text = "В Тольятти на Южном шоссе огромная яма, машины бьют колёса")
    {
        var message = PipelineEntries.Message(externalId, text, TolyattiVkPage);
        await PipelineEntries.AddMessageAsync(redis.Db, message);
        await Eventually.Found(() => _client.GetDecisionAsync(new GetDecisionRequest { MessageId = message.MessageId }).ResponseAsync);
        return (await ListAll(new ListModerationRequest())).Single(i => i.MessageId == message.MessageId);
    }

    private async Task<List<RoutedMessage>> RoutedEntries(string messageId) =>
        [.. (await redis.Db.StreamRangeAsync(PipelineEntries.Routed))
            .Where(e => e["id"] == messageId)
            .Select(e => PipelineJson.Deserialize<RoutedMessage>(e["data"].ToString()))];

    private static Task AddRejection(IDatabase db, IncidentRejection rejection) =>
        db.StreamAddAsync(Rejections, [new("id", rejection.MessageId), new("data", PipelineJson.Serialize(rejection)), new("tp", "")]);

    private static DecideModerationRequest Decide(Contracts.Routing.V1.ModerationItem item, string moderator, string topic, string subtopic = "") => new()
    {
        ItemId = item.Id, Moderator = moderator, IsIncident = true, Topic = topic, Subtopic = subtopic, TerritoryId = "tolyatti",
    };

    private static async Task<RpcException> Fails(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, ex.StatusCode);
        Assert.NotEmpty(ex.Status.Detail);
        return ex;
    }

    [Fact]
    public async Task A_doubtful_message_is_queued_with_its_decision_and_text_not_routed_and_a_redelivery_queues_nothing_more()
    {
        var item = await Queue("mod-low-1");

        Assert.Matches("^MOD-\\d{6}$", item.Id);
        Assert.Equal(Contracts.Routing.V1.ModerationState.Waiting, item.State);
        Assert.Equal(Contracts.Routing.V1.ModerationReasonKind.LowConfidence, item.ReasonKind);
        Assert.Matches("^confidence \\d\\.\\d\\d below the threshold 1\\.01$", item.Reason);
        Assert.Contains("Южном шоссе", item.Text, StringComparison.Ordinal);
        Assert.Equal((Contracts.Common.V1.Platform.Vk, TolyattiVkPage, "adm-tolyatti"), (item.Platform, item.PageExternalId, item.PageOwnerAuthorityId));
        Assert.Equal(Contracts.Common.V1.MessageKind.Comment, item.Kind);
        Assert.NotEmpty(item.Decision.Explanation);
        Assert.NotEmpty(item.Decision.Evidence);
        Assert.True(item.Decision.NeedsModeration);
        Assert.False(item.Decision.Published);

        var decision = await _client.GetDecisionAsync(new GetDecisionRequest { MessageId = item.MessageId });
        Assert.Equal((0, false, true), (decision.Revision, decision.Published, decision.NeedsModeration));
        Assert.Empty(await RoutedEntries(item.MessageId));

        // An at-least-once repeat of the same message: no second item, still nothing routed.
        await PipelineEntries.AddMessageAsync(redis.Db, PipelineEntries.Message("mod-low-1", "В Тольятти на Южном шоссе огромная яма, машины бьют колёса", TolyattiVkPage));
        await Eventually.True(async () => (await redis.Db.StreamPendingAsync(PipelineEntries.Messages, "routing")).PendingMessageCount == 0
            && (await redis.Db.StreamGroupInfoAsync(PipelineEntries.Messages)).Single(g => g.Name == "routing").LastDeliveredId
                == (await redis.Db.StreamInfoAsync(PipelineEntries.Messages)).LastGeneratedId, "the repeat to be consumed and acknowledged");
        Assert.Single(await ListAll(new ListModerationRequest()), i => i.MessageId == item.MessageId);
        Assert.Empty(await RoutedEntries(item.MessageId));

        var history = await _client.GetDecisionHistoryAsync(new GetDecisionHistoryRequest { MessageId = item.MessageId });
        var first = Assert.Single(history.Entries);
        Assert.Equal((0, Contracts.Routing.V1.DecisionSource.Classifier, false), (first.Revision, first.Source, first.Published));

        // Until a moderator decides it, nobody can re-route it past the queue.
        var blocked = await Fails(StatusCode.FailedPrecondition, () => _client.RerouteIncidentAsync(new RerouteIncidentRequest
        {
            MessageId = item.MessageId, Topic = "waste", Reason = "мусор", By = "petrov",
        }).ResponseAsync);
        Assert.Contains(item.Id, blocked.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_queue_lists_oldest_first_filtered_by_state_and_kind()
    {
        var a = await Queue("mod-list-a");
        var b = await Queue("mod-list-b");
        var c = await Queue("mod-list-c");
        await _client.TakeModerationAsync(new TakeModerationRequest { ItemId = b.Id, Moderator = "ivanova" });

        var open = (await ListAll(new ListModerationRequest())).Select(i => i.Id).ToList();
        Assert.Equal(open.Order(StringComparer.Ordinal), open);
        Assert.Equal([a.Id, b.Id, c.Id], open.Where(id => id == a.Id || id == b.Id || id == c.Id));

        var waiting = (await ListAll(new ListModerationRequest { State = Contracts.Routing.V1.ModerationState.Waiting })).Select(i => i.Id).ToList();
        Assert.Contains(a.Id, waiting);
        Assert.DoesNotContain(b.Id, waiting);
        var taken = await ListAll(new ListModerationRequest { State = Contracts.Routing.V1.ModerationState.Taken });
        Assert.Equal("ivanova", Assert.Single(taken, i => i.Id == b.Id).TakenBy);
        Assert.DoesNotContain(await ListAll(new ListModerationRequest { ReasonKind = Contracts.Routing.V1.ModerationReasonKind.Rejected }), i => i.Id == a.Id);
        Assert.Contains(await ListAll(new ListModerationRequest { ReasonKind = Contracts.Routing.V1.ModerationReasonKind.LowConfidence }), i => i.Id == a.Id);
        Assert.DoesNotContain(await ListAll(new ListModerationRequest { State = Contracts.Routing.V1.ModerationState.Decided }), i => i.Id == a.Id);
    }

    [Fact]
    public async Task A_taken_item_is_leased_to_its_moderator_and_free_again_after_the_lease()
    {
        var item = await Queue("mod-lease-1");
        var taken = await _client.TakeModerationAsync(new TakeModerationRequest { ItemId = item.Id, Moderator = "ivanova" });
        Assert.Equal((Contracts.Routing.V1.ModerationState.Taken, "ivanova"), (taken.State, taken.TakenBy));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(15), taken.LeaseEndsAt.ToDateTimeOffset());

        var conflict = await Fails(StatusCode.FailedPrecondition,
            () => _client.TakeModerationAsync(new TakeModerationRequest { ItemId = item.Id, Moderator = "sidorov" }).ResponseAsync);
        Assert.Contains("taken by ivanova", conflict.Status.Detail, StringComparison.Ordinal);
        await Fails(StatusCode.FailedPrecondition, () => _client.DecideModerationAsync(Decide(item, "sidorov", "roads")).ResponseAsync);

        _clock.Advance(TimeSpan.FromMinutes(10));
        var renewed = await _client.TakeModerationAsync(new TakeModerationRequest { ItemId = item.Id, Moderator = "ivanova" });
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(15), renewed.LeaseEndsAt.ToDateTimeOffset());

        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Contains(await ListAll(new ListModerationRequest { State = Contracts.Routing.V1.ModerationState.Waiting }), i => i.Id == item.Id);
        var other = await _client.TakeModerationAsync(new TakeModerationRequest { ItemId = item.Id, Moderator = "sidorov" });
        Assert.Equal("sidorov", other.TakenBy);
    }

    [Fact]
    public async Task Deciding_publishes_revision_one_with_reroute_info_closes_the_item_and_keeps_the_correction()
    {
        var item = await Queue("mod-decide-1");
        await _client.TakeModerationAsync(new TakeModerationRequest { ItemId = item.Id, Moderator = "ivanova" });
        var request = Decide(item, "ivanova", "ecology", "air_pollution");
        request.Urgent = true;
        request.Comment = "выбросы завода, не дорога";
        var decided = await _client.DecideModerationAsync(request);

        Assert.Equal((1, true, "ecology", "air_pollution", true), (decided.Decision.Revision, decided.Decision.Published, decided.Decision.Category, decided.Decision.Subcategory, decided.Decision.Urgent));
        Assert.Equal("minpriroda", decided.Decision.ResponsibleAuthorityId);
        Assert.Equal(("ivanova", "выбросы завода, не дорога", item.Decision.ResponsibleAuthorityId, item.Decision.Category),
            (decided.Decision.Reroute.By, decided.Decision.Reroute.Reason, decided.Decision.Reroute.PreviousAuthorityId, decided.Decision.Reroute.PreviousCategory));
        Assert.True(decided.CorrectionRecorded);
        Assert.Equal((Contracts.Routing.V1.ModerationState.Decided, "ivanova", 1), (decided.Item.State, decided.Item.DecidedBy, decided.Item.DecidedRevision));

        var routed = Assert.Single(await RoutedEntries(item.MessageId));
        Assert.Equal(1, routed.Decision.Revision);
        Assert.Equal(new RerouteInfo("выбросы завода, не дорога", "ivanova", item.Decision.ResponsibleAuthorityId, item.Decision.Category), routed.Decision.Reroute);
        Assert.Equal(("minpriroda", item.Text), (routed.Decision.ResponsibleAuthorityId, routed.Message.Text));

        Assert.DoesNotContain(await ListAll(new ListModerationRequest()), i => i.Id == item.Id);
        Assert.Contains(await ListAll(new ListModerationRequest { State = Contracts.Routing.V1.ModerationState.Decided }), i => i.Id == item.Id);
        var again = await Fails(StatusCode.FailedPrecondition, () => _client.DecideModerationAsync(Decide(item, "ivanova", "roads")).ResponseAsync);
        Assert.Contains("already decided by ivanova", again.Status.Detail, StringComparison.Ordinal);
        await Fails(StatusCode.FailedPrecondition, () => _client.TakeModerationAsync(new TakeModerationRequest { ItemId = item.Id, Moderator = "sidorov" }).ResponseAsync);

        var current = await _client.GetDecisionAsync(new GetDecisionRequest { MessageId = item.MessageId });
        Assert.Equal((1, true, "minpriroda"), (current.Revision, current.Published, current.ResponsibleAuthorityId));
        var history = await _client.GetDecisionHistoryAsync(new GetDecisionHistoryRequest { MessageId = item.MessageId });
        Assert.Equal([0, 1], history.Entries.Select(e => e.Revision));
        var moderated = history.Entries[1];
        Assert.Equal((Contracts.Routing.V1.DecisionSource.Moderation, "ivanova", item.Id, true), (moderated.Source, moderated.By, moderated.ModerationItemId, moderated.Published));
    }

    [Fact]
    public async Task Deciding_not_an_incident_is_published_too()
    {
        var item = await Queue("mod-not-incident-1", "Купите рекламу у нас, лучшие цены на окна");
        var decided = await _client.DecideModerationAsync(new DecideModerationRequest { ItemId = item.Id, Moderator = "ivanova", IsIncident = false, Subtopic = "spam" });
        Assert.Equal((false, "none", "spam", ""), (decided.Decision.IsIncident, decided.Decision.Category, decided.Decision.Subcategory, decided.Decision.ResponsibleAuthorityId));
        var routed = Assert.Single(await RoutedEntries(item.MessageId));
        Assert.Equal((false, 1), (routed.Decision.IsIncident, routed.Decision.Revision));
    }

    [Fact]
    public async Task A_rejection_becomes_one_queue_item_and_its_decision_reroutes_the_incident()
    {
        var item = await Queue("mod-reject-1");
        await _client.DecideModerationAsync(new DecideModerationRequest
        {
            ItemId = item.Id, Moderator = "ivanova", IsIncident = true, Topic = "roads", Subtopic = "potholes", TerritoryId = "tolyatti",
        });
        var rejection = new IncidentRejection
        {
            IncidentId = "INC-000123", MessageId = item.MessageId, AuthorityId = "adm-tolyatti", Reason = "участок трассы региональный",
            By = "petrov", RejectedAt = DateTimeOffset.UtcNow,
        };
        await AddRejection(redis.Db, rejection);
        await AddRejection(redis.Db, rejection); // SLA's own redelivery: the same rejection again

        var request = new ListModerationRequest { ReasonKind = Contracts.Routing.V1.ModerationReasonKind.Rejected };
        await Eventually.True(async () => (await ListAll(request)).Any(i => i.MessageId == item.MessageId), "the rejection in the queue");
        await Eventually.True(async () => (await redis.Db.StreamPendingAsync(Rejections, "routing-rejections")).PendingMessageCount == 0
            && (await redis.Db.StreamGroupInfoAsync(Rejections)).Single(g => g.Name == "routing-rejections").LastDeliveredId
                == (await redis.Db.StreamInfoAsync(Rejections)).LastGeneratedId, "both rejection entries to be consumed and acknowledged");
        var rejected = Assert.Single(await ListAll(request), i => i.MessageId == item.MessageId);
        Assert.Equal("rejected by Администрация г.о. Тольятти: участок трассы региональный", rejected.Reason);
        Assert.Equal(("INC-000123", "adm-tolyatti", "petrov"), (rejected.IncidentId, rejected.RejectedByAuthorityId, rejected.RejectedBy));
        Assert.Equal((1, "adm-tolyatti"), (rejected.Decision.Revision, rejected.Decision.ResponsibleAuthorityId));
        Assert.Contains("Южном шоссе", rejected.Text, StringComparison.Ordinal);

        await Fails(StatusCode.FailedPrecondition, () => _client.RerouteIncidentAsync(new RerouteIncidentRequest
        {
            MessageId = item.MessageId, ResponsibleAuthorityId = "mintrans", Reason = "региональная", By = "sidorov",
        }).ResponseAsync);

        var decided = await _client.DecideModerationAsync(new DecideModerationRequest
        {
            ItemId = rejected.Id, Moderator = "sidorov", IsIncident = true, Topic = "roads", Subtopic = "regional_road", Comment = "трасса М-5 региональная",
        });
        Assert.Equal((2, "mintrans", "adm-tolyatti", "sidorov"),
            (decided.Decision.Revision, decided.Decision.ResponsibleAuthorityId, decided.Decision.Reroute.PreviousAuthorityId, decided.Decision.Reroute.By));
        Assert.Equal([1, 2], (await RoutedEntries(item.MessageId)).Select(r => r.Decision.Revision));
    }

    [Fact]
    public async Task A_rejection_that_keeps_failing_is_dead_lettered_with_the_reason_and_the_next_one_is_still_queued()
    {
        var item = await Queue("mod-reject-dead-1");
        await _client.DecideModerationAsync(Decide(item, "ivanova", "roads", "potholes"));
        var orphan = new IncidentRejection
        {
            IncidentId = "INC-999999", MessageId = "m-never-routed", AuthorityId = "adm-tolyatti", Reason = "не наше", By = "petrov", RejectedAt = DateTimeOffset.UtcNow,
        };
        await AddRejection(redis.Db, orphan);
        await AddRejection(redis.Db, orphan with { IncidentId = "INC-000124", MessageId = item.MessageId });

        var dead = Rejections + ":dead";
        await Eventually.True(async () => (await redis.Db.StreamRangeAsync(dead)).Any(e => e["id"] == "m-never-routed"), "the orphan rejection dead-lettered");
        var entry = (await redis.Db.StreamRangeAsync(dead)).Single(e => e["id"] == "m-never-routed");
        Assert.Contains("m-never-routed has no routing decision", entry["dead_reason"].ToString(), StringComparison.Ordinal);
        Assert.Equal("2", entry["dead_deliveries"].ToString());
        Assert.Contains(await ListAll(new ListModerationRequest { ReasonKind = Contracts.Routing.V1.ModerationReasonKind.Rejected }), i => i.IncidentId == "INC-000124");
        await Eventually.True(async () => (await redis.Db.StreamPendingAsync(Rejections, "routing-rejections")).PendingMessageCount == 0, "nothing left pending");
    }

    [Fact]
    public async Task An_executor_re_routes_only_its_own_authoritys_incidents()
    {
        var item = await Queue("mod-reroute-scope");
        await _client.DecideModerationAsync(Decide(item, "ivanova", "roads", "potholes"));
        static Metadata Executor(string authority) => new() { { "x-gp-roles", "executor" }, { "x-gp-authority", authority } };
        var request = new RerouteIncidentRequest { MessageId = item.MessageId, TerritoryId = "syzran", Reason = "яма в Сызрани", By = "petrov" };

        var other = await Fails(StatusCode.PermissionDenied, () => _client.RerouteIncidentAsync(request, Executor("adm-samara")).ResponseAsync);
        Assert.Contains("adm-tolyatti", other.Status.Detail, StringComparison.Ordinal);

        // The authority the message is with passes it on: "not ours, it is Syzran's".
        var passed = await _client.RerouteIncidentAsync(request, Executor("adm-tolyatti"));
        Assert.Equal(("adm-syzran", "adm-tolyatti"), (passed.ResponsibleAuthorityId, passed.Reroute.PreviousAuthorityId));
    }

    [Fact]
    public async Task Reroutes_check_the_revision_and_concurrent_ones_never_publish_the_same_revision()
    {
        var item = await Queue("mod-reroute-1");
        await _client.DecideModerationAsync(Decide(item, "ivanova", "roads", "potholes"));
        RerouteIncidentRequest Reroute(string territory, int? expected)
        {
            var r = new RerouteIncidentRequest { MessageId = item.MessageId, TerritoryId = territory, Reason = $"яма в {territory}", By = "petrov" };
            if (expected is { } e)
            {
                r.ExpectedRevision = e;
            }

            return r;
        }

        var stale = await Fails(StatusCode.Aborted, () => _client.RerouteIncidentAsync(Reroute("syzran", 0)).ResponseAsync);
        Assert.Contains("current one is 1", stale.Status.Detail, StringComparison.Ordinal);
        var second = await _client.RerouteIncidentAsync(Reroute("syzran", 1));
        Assert.Equal((2, "adm-syzran", "syzran", "adm-tolyatti"), (second.Revision, second.ResponsibleAuthorityId, second.MunicipalityId, second.Reroute.PreviousAuthorityId));

        // Six executors re-route the same revision at once: exactly one wins, the others are told to read again.
        string[] racing = ["novokuybyshevsk", "chapaevsk", "zhigulevsk", "otradny", "kinel", "tolyatti"];
        var results = await Task.WhenAll(racing.Select(async t =>
        {
            try
            {
                return (await _client.RerouteIncidentAsync(Reroute(t, 2))).Revision;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted)
            {
                return -1;
            }
        }));
        Assert.Equal([-1, -1, -1, -1, -1, 3], results.Order());

        // Without an expected revision each applies to whatever is current: all of them, one revision each.
        string[] queued = ["pokhvistnevo", "oktyabrsk", "samara-kirovsky", "bezenchuksky"];
        var applied = await Task.WhenAll(queued.Select(async t => (await _client.RerouteIncidentAsync(Reroute(t, null))).Revision));
        Assert.Equal([4, 5, 6, 7], applied.Order());

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], (await RoutedEntries(item.MessageId)).Select(r => r.Decision.Revision));
        var history = await _client.GetDecisionHistoryAsync(new GetDecisionHistoryRequest { MessageId = item.MessageId });
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], history.Entries.Select(e => e.Revision));
        Assert.All(history.Entries.Skip(2), e => Assert.Equal((Contracts.Routing.V1.DecisionSource.Reroute, "petrov"), (e.Source, e.By)));
        var current = await _client.GetDecisionAsync(new GetDecisionRequest { MessageId = item.MessageId });
        Assert.Equal(7, current.Revision);
        Assert.Equal(history.Entries[^1].Decision.ResponsibleAuthorityId, current.ResponsibleAuthorityId);
    }

    [Fact]
    public async Task Deciding_or_rerouting_on_a_replica_without_routing_knowledge_yet_is_Unavailable()
    {
        var decided = await Queue("mod-cold-1");
        await _client.DecideModerationAsync(Decide(decided, "ivanova", "roads", "potholes"));
        var waiting = await Queue("mod-cold-2");

        // A replica whose catalogue loads but whose routing knowledge never does: its knowledge follower is removed.
        await using var cold = new ServiceHost<RoutingGrpcService>(redis.Server.ConnectionString,
            new Dictionary<string, string?> { ["Registry:Address"] = _registry.GrpcAddress },
            services => services.Remove(services.Single(d => d.ImplementationType == typeof(KnowledgeFollower))));
        var client = new RoutingService.RoutingServiceClient(cold.Channel);
        await Eventually.True(async () => (await Fails(StatusCode.Unavailable, () => client.ClassifyAsync(new ClassifyRequest { Text = "проверка" }).ResponseAsync))
            .Status.Detail.Contains("knowledge", StringComparison.Ordinal), "the cold replica's catalogue, with no knowledge");
        await client.TakeModerationAsync(new TakeModerationRequest { ItemId = waiting.Id, Moderator = "ivanova" });

        var decide = await Fails(StatusCode.Unavailable, () => client.DecideModerationAsync(Decide(waiting, "ivanova", "roads", "potholes")).ResponseAsync);
        Assert.Contains("knowledge", decide.Status.Detail, StringComparison.Ordinal);
        var reroute = await Fails(StatusCode.Unavailable, () => client.RerouteIncidentAsync(new RerouteIncidentRequest
        {
            MessageId = decided.MessageId, TerritoryId = "samara", Reason = "яма в Самаре", By = "petrov",
        }).ResponseAsync);
        Assert.Contains("knowledge", reroute.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrections_export_as_corpus_lines_the_evaluation_command_reads()
    {
        var corrected = await Queue("mod-export-1");
        await _client.DecideModerationAsync(Decide(corrected, "ivanova", "ecology", "air_pollution"));

        // A decision that routes exactly like the classifier is a confirmation, not a correction.
        var confirmed = await Queue("mod-export-2", "В Сызрани на улице Ленина не горят фонари");
        var d = confirmed.Decision;
        var confirmation = await _client.DecideModerationAsync(new DecideModerationRequest
        {
            ItemId = confirmed.Id, Moderator = "ivanova", IsIncident = d.IsIncident, Topic = d.IsIncident ? d.Category : "", Subtopic = d.Subcategory,
            Urgent = d.Urgent, TerritoryId = d.DistrictId.Length > 0 ? d.DistrictId : d.MunicipalityId, ResponsibleAuthorityId = d.ResponsibleAuthorityId,
        });
        Assert.False(confirmation.CorrectionRecorded);

        var exported = new List<Contracts.Routing.V1.LabelledCorrection>();
        using (var call = _client.ExportCorrections(new ExportCorrectionsRequest()))
        {
            await foreach (var c in call.ResponseStream.ReadAllAsync())
            {
                exported.Add(c);
            }
        }

        Assert.DoesNotContain(exported, c => c.MessageId == confirmed.MessageId);
        var correction = Assert.Single(exported, c => c.MessageId == corrected.MessageId);
        Assert.Equal((1, Contracts.Routing.V1.DecisionSource.Moderation, "ivanova"), (correction.Revision, correction.Source, correction.CorrectedBy));
        Assert.Equal(corrected.Decision.Category, correction.Original.Category);
        Assert.Equal("ecology", correction.Corrected.Category);

        var file = Path.Combine(Path.GetTempPath(), $"corrections-{Guid.NewGuid():N}.jsonl");
        try
        {
            await File.WriteAllLinesAsync(file, exported.Select(c => c.Line));
            var lines = RoutingEvaluator.Read(file);
            Assert.Equal(exported.Count, lines.Count);
            var line = Assert.Single(lines, l => l.Id == corrected.MessageId);
            Assert.Equal(new LabelledMessage(corrected.MessageId, "vk", "comment", "adm-tolyatti", corrected.Text, true, "ecology", "air_pollution", false,
                "г.о. Тольятти", "", "Министерство природных ресурсов и экологии Самарской области"), line);
        }
        finally
        {
            File.Delete(file);
        }

        using var later = _client.ExportCorrections(new ExportCorrectionsRequest { Since = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)) });
        Assert.False(await later.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task Every_call_refuses_bad_input_with_a_clear_status()
    {
        var list = await Fails(StatusCode.InvalidArgument, () => _client.ListModerationAsync(new ListModerationRequest
        {
            State = (Contracts.Routing.V1.ModerationState)99, ReasonKind = (Contracts.Routing.V1.ModerationReasonKind)99, PageSize = -1, PageToken = "abc",
        }).ResponseAsync);
        Assert.Equal(["state", "reason_kind", "page_size", "page_token"], FieldViolations.Of(list));

        var take = await Fails(StatusCode.InvalidArgument, () => _client.TakeModerationAsync(new TakeModerationRequest()).ResponseAsync);
        Assert.Equal(["item_id", "moderator"], FieldViolations.Of(take));
        await Fails(StatusCode.NotFound, () => _client.TakeModerationAsync(new TakeModerationRequest { ItemId = "MOD-999999", Moderator = "ivanova" }).ResponseAsync);

        var decide = await Fails(StatusCode.InvalidArgument, () => _client.DecideModerationAsync(new DecideModerationRequest { IsIncident = true, Topic = "roads" }).ResponseAsync);
        Assert.Equal(["item_id", "moderator"], FieldViolations.Of(decide));
        await Fails(StatusCode.NotFound, () => _client.DecideModerationAsync(new DecideModerationRequest { ItemId = "MOD-999999", Moderator = "ivanova", IsIncident = true, Topic = "roads" }).ResponseAsync);
        var item = await Queue("mod-bad-1");
        var codes = await Fails(StatusCode.InvalidArgument, () => _client.DecideModerationAsync(new DecideModerationRequest
        {
            ItemId = item.Id, Moderator = "ivanova", IsIncident = true, Topic = "potholes", TerritoryId = "atlantis", ResponsibleAuthorityId = "nobody",
        }).ResponseAsync);
        Assert.Equal(["topic", "territory_id", "responsible_authority_id"], FieldViolations.Of(codes));
        var subtopic = await Fails(StatusCode.InvalidArgument, () => _client.DecideModerationAsync(Decide(item, "ivanova", "roads", "heating")).ResponseAsync);
        Assert.Equal(["subtopic"], FieldViolations.Of(subtopic));
        Assert.Contains(await ListAll(new ListModerationRequest { State = Contracts.Routing.V1.ModerationState.Waiting }), i => i.Id == item.Id);

        var reroute = await Fails(StatusCode.InvalidArgument, () => _client.RerouteIncidentAsync(new RerouteIncidentRequest { ExpectedRevision = -1 }).ResponseAsync);
        Assert.Equal(["message_id", "reason", "by", "expected_revision"], FieldViolations.Of(reroute));
        await Fails(StatusCode.NotFound, () => _client.RerouteIncidentAsync(new RerouteIncidentRequest { MessageId = "m-nothere", Reason = "x", By = "petrov" }).ResponseAsync);
        await _client.DecideModerationAsync(Decide(item, "ivanova", "roads", "potholes"));
        var unknownTopic = await Fails(StatusCode.InvalidArgument, () => _client.RerouteIncidentAsync(new RerouteIncidentRequest
        {
            MessageId = item.MessageId, Topic = "weather", Reason = "x", By = "petrov",
        }).ResponseAsync);
        Assert.Equal(["topic"], FieldViolations.Of(unknownTopic));
        var nothing = await Fails(StatusCode.FailedPrecondition, () => _client.RerouteIncidentAsync(new RerouteIncidentRequest
        {
            MessageId = item.MessageId, Topic = "roads", Subtopic = "potholes", Reason = "x", By = "petrov",
        }).ResponseAsync);
        Assert.Contains("changes nothing", nothing.Status.Detail, StringComparison.Ordinal);

        var history = await Fails(StatusCode.InvalidArgument, () => _client.GetDecisionHistoryAsync(new GetDecisionHistoryRequest()).ResponseAsync);
        Assert.Equal(["message_id"], FieldViolations.Of(history));
        await Fails(StatusCode.NotFound, () => _client.GetDecisionHistoryAsync(new GetDecisionHistoryRequest { MessageId = "m-nothere" }).ResponseAsync);

        var export = await Fails(StatusCode.InvalidArgument, async () =>
        {
            using var call = _client.ExportCorrections(new ExportCorrectionsRequest { Since = new Timestamp { Seconds = 0, Nanos = -1 } });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.Equal(["since"], FieldViolations.Of(export));
    }
}
