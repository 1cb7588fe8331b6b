using GovPublics.Common.Pipeline;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Sla.Grpc;
using GovPublics.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace GovPublics.FunctionalTests;

/// <summary>
/// The incident lifecycle on a real SLA service (Kestrel, gRPC clients, redis-server): the action RPCs with their
/// history, optimistic concurrency, rejections to routing, reroutes by revision, official replies, the citizen writing
/// again, and edits of the message.
/// </summary>
public sealed class SlaLifecycleTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const string Rejections = "gp:{63}:rejections";
    private const string MessageEvents = "gp:{63}:message-events";
    private const string IncidentEvents = "gp:{63}:incident-events";
    private const string IncidentRecords = "gp:{63}:incidents:records";

    private SlaHosts _hosts = null!;
    private ServiceHost<SlaGrpcService> _sla = null!;
    private SlaService.SlaServiceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _hosts = await SlaHosts.StartAsync(redis.Server.ConnectionString);
        _sla = _hosts.Sla;
        _client = new SlaService.SlaServiceClient(_sla.Channel);
    }

    public async ValueTask DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task Take_answer_resolve_and_close_go_end_to_end_with_their_history()
    {
        var incident = await CreateAsync(Routed("lc-e2e", "adm-tolyatti", "roads"));
        Assert.Equal(1, incident.Version);
        Assert.Equal(["assign", "take", "answer_intermediate", "answer_final", "reject"], incident.AllowedActions);

        var taken = await _client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = "ivanov", ExpectedVersion = 1, Comment = "беру" });
        Assert.Equal((IncidentStatus.InProgress, "ivanov", 2L), (taken.Status, taken.AssigneeId, taken.Version));

        var intermediate = await _client.AnswerIncidentAsync(new AnswerIncidentRequest
        {
            Id = incident.Id, Actor = "ivanov", ExpectedVersion = 2, Kind = AnswerKind.Intermediate, Text = "Передали в дорожную службу, ответим по итогам",
        });
        Assert.Equal(IncidentStatus.Answered, intermediate.Status);
        Assert.Equal(intermediate.IntermediateAnswerAt, intermediate.FirstResponseAt);
        Assert.True(intermediate.FinalAnswerDueAt.ToDateTimeOffset() > intermediate.IntermediateAnswerAt.ToDateTimeOffset().AddDays(7));
        Assert.False(intermediate.Overdue);

        var final = await _client.AnswerIncidentAsync(new AnswerIncidentRequest { Id = incident.Id, Actor = "ivanov", Kind = AnswerKind.Final, Text = "Яму заделали" });
        Assert.NotNull(final.FinalAnswerAt);
        var resolved = await _client.ResolveIncidentAsync(new ResolveIncidentRequest { Id = incident.Id, Actor = "ivanov" });
        Assert.Equal(IncidentStatus.Resolved, resolved.Status);
        var closed = await _client.CloseIncidentAsync(new CloseIncidentRequest { Id = incident.Id.ToLowerInvariant(), Actor = "cur-operator", Comment = "ответ проверен" });

        Assert.Equal((IncidentStatus.Closed, 6L), (closed.Status, closed.Version));
        Assert.NotNull(closed.ResolvedAt);
        Assert.NotNull(closed.ClosedAt);
        Assert.Equal(["reopen"], closed.AllowedActions);
        Assert.Equal(["created", "take", "answer_intermediate", "answer_final", "resolve", "close"], closed.History.Select(h => h.Action));
        Assert.Equal(["system:routing", "ivanov", "ivanov", "ivanov", "ivanov", "cur-operator"], closed.History.Select(h => h.Actor));
        Assert.Equal(
            [IncidentStatus.New, IncidentStatus.InProgress, IncidentStatus.Answered, IncidentStatus.Answered, IncidentStatus.Resolved, IncidentStatus.Closed],
            closed.History.Select(h => h.ToStatus));
        Assert.Equal("Яму заделали", closed.History[3].Comment);
        Assert.Equal(closed, await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id }));

        var events = (await redis.Db.StreamRangeAsync(IncidentEvents)).Where(e => e["incident"] == incident.Id).ToList();
        Assert.Equal(["created", "take", "answer_intermediate", "answer_final", "resolve", "close"], events.Select(e => e["event"].ToString()));
        Assert.Equal(["1", "2", "3", "4", "5", "6"], events.Select(e => e["version"].ToString()));
    }

    [Fact]
    public async Task An_executor_acts_on_its_own_authoritys_incidents_only_and_a_moderator_on_any()
    {
        var incident = await CreateAsync(Routed("lc-scope", "adm-tolyatti", "roads"));
        static Metadata As(string roles, string authority) =>
            new() { { "x-gp-client", $"{roles}-client" }, { "x-gp-roles", roles }, { "x-gp-authority", authority } };

        var other = await Assert.ThrowsAsync<RpcException>(() => _client.TakeIncidentAsync(
            new TakeIncidentRequest { Id = incident.Id, Actor = "petrov" }, As("executor", "adm-samara")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Contains("adm-tolyatti", other.Status.Detail, StringComparison.Ordinal);
        var reject = await Assert.ThrowsAsync<RpcException>(() => _client.RejectIncidentAsync(
            new RejectIncidentRequest { Id = incident.Id, Actor = "petrov", Reason = "не наше" }, As("executor", "adm-samara")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, reject.StatusCode);
        Assert.Equal(1, (await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id })).Version);

        var own = await _client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = "ivanov" }, As("executor", "adm-tolyatti"));
        Assert.Equal(IncidentStatus.InProgress, own.Status);
        // The history says who acted (as the caller says) and through which client (as its token says).
        Assert.Equal(("ivanov", "executor-client"), (own.History[^1].Actor, own.History[^1].Client));
        Assert.Equal("", own.History[0].Client);
        var cur = await _client.AnswerIncidentAsync(new AnswerIncidentRequest
        {
            Id = incident.Id, Actor = "cur-operator", Kind = AnswerKind.Final, Text = "Ответ подготовлен ЦУР",
        }, As("moderator,executor", "adm-samara"));
        Assert.Equal(IncidentStatus.Answered, cur.Status);
    }

    [Fact]
    public async Task Illegal_actions_are_FailedPrecondition_naming_the_status_and_what_is_allowed()
    {
        var incident = await CreateAsync(Routed("lc-illegal", "adm-syzran", "waste"));

        var resolve = await Assert.ThrowsAsync<RpcException>(() => _client.ResolveIncidentAsync(new ResolveIncidentRequest { Id = incident.Id, Actor = "ivanov" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, resolve.StatusCode);
        Assert.Contains("is new: 'resolve' is not allowed now; allowed: assign, take, answer_intermediate, answer_final, reject", resolve.Status.Detail, StringComparison.Ordinal);

        await _client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = "ivanov" });
        var again = await Assert.ThrowsAsync<RpcException>(() => _client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = "petrov" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("is in_progress: 'take' is not allowed", again.Status.Detail, StringComparison.Ordinal);

        await _client.AnswerIncidentAsync(new AnswerIncidentRequest { Id = incident.Id, Actor = "ivanov", Kind = AnswerKind.Final, Text = "Вывезли" });
        var secondFinal = await Assert.ThrowsAsync<RpcException>(() =>
            _client.AnswerIncidentAsync(new AnswerIncidentRequest { Id = incident.Id, Actor = "ivanov", Kind = AnswerKind.Final, Text = "Ещё" }).ResponseAsync);
        Assert.Contains("answered (final answer given)", secondFinal.Status.Detail, StringComparison.Ordinal);
        var reject = await Assert.ThrowsAsync<RpcException>(() => _client.RejectIncidentAsync(new RejectIncidentRequest { Id = incident.Id, Actor = "ivanov", Reason = "не наше" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, reject.StatusCode);

        var unchanged = await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id });
        Assert.Equal(["created", "take", "answer_final"], unchanged.History.Select(h => h.Action));

        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.TakeIncidentAsync(new TakeIncidentRequest { Id = "INC-999999", Actor = "ivanov" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var empty = await Assert.ThrowsAsync<RpcException>(() => _client.AnswerIncidentAsync(new AnswerIncidentRequest { ExpectedVersion = -1 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal(["id", "expected_version", "kind", "actor", "text"], FieldViolations.Of(empty));
        var noReason = await Assert.ThrowsAsync<RpcException>(() => _client.RejectIncidentAsync(new RejectIncidentRequest { Id = incident.Id, Actor = "system:routing" }).ResponseAsync);
        Assert.Equal(["actor", "reason"], FieldViolations.Of(noReason));
        var noAssignee = await Assert.ThrowsAsync<RpcException>(() => _client.AssignIncidentAsync(new AssignIncidentRequest { Id = incident.Id, Actor = "cur" }).ResponseAsync);
        Assert.Equal(["assignee_id"], FieldViolations.Of(noAssignee));
    }

    [Fact]
    public async Task A_stale_expected_version_is_Aborted_and_changes_nothing()
    {
        var incident = await CreateAsync(Routed("lc-stale", "adm-kinel", "improvement"));
        var assigned = await _client.AssignIncidentAsync(new AssignIncidentRequest { Id = incident.Id, Actor = "cur", AssigneeId = "sidorov", ExpectedVersion = incident.Version });
        Assert.Equal((IncidentStatus.Assigned, "sidorov", 2L), (assigned.Status, assigned.AssigneeId, assigned.Version));

        var stale = await Assert.ThrowsAsync<RpcException>(() =>
            _client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = "petrov", ExpectedVersion = incident.Version }).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.Contains("you sent version 1, the current one is 2", stale.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(assigned, await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id }));
    }

    [Fact]
    public async Task Of_two_clients_taking_an_incident_at_once_exactly_one_wins()
    {
        using var otherChannel = GrpcChannel.ForAddress(_sla.GrpcAddress);
        var other = new SlaService.SlaServiceClient(otherChannel);
        for (var round = 0; round < 8; round++)
        {
            var incident = await CreateAsync(Routed($"lc-race-{round}", "adm-otradny", "roads"));
            var withVersion = round % 2 == 1;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            async Task<string> Take(SlaService.SlaServiceClient client, string actor)
            {
                await gate.Task;
                try
                {
                    await client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = actor, ExpectedVersion = withVersion ? incident.Version : 0 },
                        deadline: DateTime.UtcNow.AddSeconds(30));
                    return "won";
                }
                catch (RpcException ex)
                {
                    return ex.StatusCode.ToString();
                }
            }

            var first = Task.Run(() => Take(_client, "ivanov"));
            var second = Task.Run(() => Take(other, "petrov"));
            gate.SetResult();
            var outcomes = await Task.WhenAll(first, second);

            // The loser re-reads after the compare-and-set fails: with the version it read, that version is gone
            // (ABORTED); without, the incident is in progress already (FAILED_PRECONDITION).
            Assert.Single(outcomes, o => o == "won");
            Assert.Single(outcomes, o => o == (withVersion ? nameof(StatusCode.Aborted) : nameof(StatusCode.FailedPrecondition)));
            var stored = await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id });
            Assert.Single(stored.History, h => h.Action == "take");
            Assert.Equal(outcomes[0] == "won" ? "ivanov" : "petrov", stored.AssigneeId);
            Assert.Equal(2, stored.Version);
        }
    }

    [Fact]
    public async Task A_rejection_goes_to_the_rejections_stream_once_and_a_newer_decision_reroutes()
    {
        var routed = Routed("lc-reject", "adm-tolyatti", "roads");
        var incident = await CreateAsync(routed);
        await _client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = "ivanov" });

        var rejected = await _client.RejectIncidentAsync(new RejectIncidentRequest { Id = incident.Id, Actor = "ivanov", Reason = "дорога региональная, не наша" });
        Assert.Equal(IncidentStatus.Rejected, rejected.Status);
        await Assert.ThrowsAsync<RpcException>(() => _client.RejectIncidentAsync(new RejectIncidentRequest { Id = incident.Id, Actor = "ivanov", Reason = "ещё раз" }).ResponseAsync);

        var entries = (await redis.Db.StreamRangeAsync(Rejections)).Where(e => e["incident"] == incident.Id).ToList();
        var entry = Assert.Single(entries);
        Assert.Equal(routed.Message.MessageId, entry["id"].ToString());
        var rejection = PipelineJson.Deserialize<IncidentRejection>(entry["data"].ToString());
        Assert.Equal((incident.Id, routed.Message.MessageId, "adm-tolyatti", "дорога региональная, не наша", "ivanov"),
            (rejection.IncidentId, rejection.MessageId, rejection.AuthorityId, rejection.Reason, rejection.By));
        Assert.Equal(rejected.UpdatedAt.ToDateTimeOffset(), rejection.RejectedAt);

        // Routing's moderation answers with a newer decision: the incident becomes the regional ministry's.
        var reroute = routed with
        {
            Decision = routed.Decision with
            {
                Revision = 1,
                ResponsibleAuthorityId = "mintrans",
                Explanation = "региональная дорога",
                Reroute = new RerouteInfo("трасса М-5 региональная", "moderator-1", "adm-tolyatti", "roads"),
            },
        };
        await PipelineEntries.AddRoutedAsync(redis.Db, reroute);
        var rerouted = await WaitAsync(incident.Id, i => i.RoutingRevision == 1, "the reroute");
        Assert.Equal((IncidentStatus.New, "mintrans", "", 1), (rerouted.Status, rerouted.AuthorityId, rerouted.AssigneeId, rerouted.RoutingRevision));
        Assert.True(rerouted.FirstResponseDueAt.ToDateTimeOffset() > rejected.UpdatedAt.ToDateTimeOffset());
        var history = rerouted.History[^1];
        Assert.Equal(("reroute", "moderator-1", IncidentStatus.Rejected, IncidentStatus.New), (history.Action, history.Actor, history.FromStatus, history.ToStatus));
        Assert.StartsWith("rerouted by moderator-1: трасса М-5 региональная", history.Comment, StringComparison.Ordinal);

        // The same revision again (a redelivery, or a stale copy) changes nothing.
        await PipelineEntries.AddRoutedAsync(redis.Db, reroute with { Decision = reroute.Decision with { ResponsibleAuthorityId = "adm-syzran" } });
        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        Assert.Equal(rerouted, await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id }));

        // A still newer decision says it needs no action after all: closed with the reason.
        await PipelineEntries.AddRoutedAsync(redis.Db, reroute with
        {
            Decision = reroute.Decision with { Revision = 2, IsIncident = false, Reroute = new RerouteInfo("дубль обращения", "moderator-2", "mintrans", "roads") },
        });
        var dismissed = await WaitAsync(incident.Id, i => i.RoutingRevision == 2, "the dismissal");
        Assert.Equal(IncidentStatus.Closed, dismissed.Status);
        Assert.Equal(("dismiss", "moderator-2", "not an incident (moderator-2): дубль обращения"),
            (dismissed.History[^1].Action, dismissed.History[^1].Actor, dismissed.History[^1].Comment));
    }

    [Fact]
    public async Task A_decision_with_a_revision_for_a_message_without_an_incident_creates_it_at_that_revision()
    {
        var routed = Routed("lc-moderated", "adm-syzran", "waste");
        var incident = await CreateAsync(routed with { Decision = routed.Decision with { Revision = 3 } });
        Assert.Equal(3, incident.RoutingRevision);
    }

    [Fact]
    public async Task A_message_decided_in_moderation_is_due_from_the_decision_not_from_when_the_citizen_wrote()
    {
        // The comment waited two weeks in ЦУР's queue; the authority sees it only once the moderator decides.
        var received = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-14).ToUnixTimeSeconds());
        var decided = DateTimeOffset.UtcNow;
        var routed = Routed("lc-moderated-late", "adm-tolyatti", "roads", createdAt: received);
        var incident = await CreateAsync(routed with
        {
            Decision = routed.Decision with { Revision = 1, DecidedAt = decided, Reroute = new RerouteInfo("low confidence, decided", "moderator-1", "", "") },
        });

        Assert.Equal(received, incident.ReceivedAt.ToDateTimeOffset());
        Assert.False(incident.Overdue);
        Assert.True(incident.FirstResponseDueAt.ToDateTimeOffset() > decided);
        Assert.True(incident.NextTimerAt.ToDateTimeOffset() > decided, "the warning counts from the decision too");
    }

    [Fact]
    public async Task An_official_reply_in_the_thread_records_the_first_response()
    {
        var inThread = await CreateAsync(Routed("lc-reply-1", "adm-tolyatti", "roads", thread: "wall-1_100", author: "701"));
        var otherCitizen = await CreateAsync(Routed("lc-reply-2", "adm-tolyatti", "improvement", thread: "wall-1_100", author: "702"));
        var otherThread = await CreateAsync(Routed("lc-reply-3", "adm-tolyatti", "roads", thread: "wall-1_200", author: "701"));
        var repliedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

        await PipelineEntries.AddRoutedAsync(redis.Db, OfficialReply("lc-reply-page", "wall-1_100", repliedAt, "Здравствуйте! Заявка передана в дорожную службу."));

        foreach (var id in new[] { inThread.Id, otherCitizen.Id })
        {
            var answered = await WaitAsync(id, i => i.FirstResponseAt is not null, "the first response from the page's reply");
            Assert.Equal(IncidentStatus.Answered, answered.Status);
            Assert.Equal(repliedAt, answered.FirstResponseAt.ToDateTimeOffset());
            Assert.Equal(repliedAt, answered.IntermediateAnswerAt.ToDateTimeOffset());
            Assert.NotNull(answered.FinalAnswerDueAt);
            var entry = answered.History[^1];
            Assert.Equal(("platform_reply", "system:platform", "Здравствуйте! Заявка передана в дорожную службу."), (entry.Action, entry.Actor, entry.Comment));
        }

        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        var untouched = await _client.GetIncidentAsync(new GetIncidentRequest { Id = otherThread.Id });
        Assert.Equal(IncidentStatus.New, untouched.Status);
        Assert.Null(untouched.FirstResponseAt);
    }

    [Fact]
    public async Task A_reply_to_one_citizens_comment_answers_only_that_incident()
    {
        var first = await CreateAsync(Routed("lc-addr-1", "adm-syzran", "roads", thread: "wall-1_300", author: "711"));
        var second = await CreateAsync(Routed("lc-addr-2", "adm-syzran", "waste", thread: "wall-1_300", author: "712"));

        var reply = OfficialReply("lc-addr-page", "wall-1_300", DateTimeOffset.UtcNow, "Ответили вам в личных сообщениях");
        await PipelineEntries.AddRoutedAsync(redis.Db, reply with { Message = reply.Message with { ReplyToExternalId = "lc-addr-2" } });

        await WaitAsync(second.Id, i => i.FirstResponseAt is not null, "the addressed incident's first response");
        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        Assert.Null((await _client.GetIncidentAsync(new GetIncidentRequest { Id = first.Id })).FirstResponseAt);
    }

    [Fact]
    public async Task A_reply_to_a_comment_that_is_no_waiting_incident_answers_none_of_the_threads_incidents()
    {
        var incident = await CreateAsync(Routed("lc-thanks-1", "adm-syzran", "roads", thread: "wall-1_920", author: "821"));
        var thanks = PipelineEntries.Message("lc-thanks-2", "Спасибо за новости!") with { ThreadId = "wall-1_920", AuthorId = "822" };
        await PipelineEntries.AddRoutedAsync(redis.Db, new RoutedMessage(thanks, new RoutedDecision { IsIncident = false, Category = "none", Subcategory = "gratitude" }));

        // The page thanks the other citizen: that says nothing to the one who reported the road.
        var toThanks = OfficialReply("lc-thanks-page-1", "wall-1_920", DateTimeOffset.UtcNow, "И вам спасибо!");
        await PipelineEntries.AddRoutedAsync(redis.Db, toThanks with { Message = toThanks.Message with { ReplyToExternalId = "lc-thanks-2" } });
        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        var untouched = await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id });
        Assert.Equal((IncidentStatus.New, null), (untouched.Status, untouched.FirstResponseAt));

        // A reply to the citizen's follow-up answers the incident it joined; so does one that names nothing.
        var again = Routed("lc-thanks-3", "adm-syzran", "roads", thread: "wall-1_920", author: "821", text: "Когда отремонтируют?");
        await PipelineEntries.AddRoutedAsync(redis.Db, again);
        await WaitByMessageAsync(again.Message.MessageId, i => i.Id == incident.Id, "the follow-up");
        var toFollowUp = OfficialReply("lc-thanks-page-2", "wall-1_920", DateTimeOffset.UtcNow, "Передали в дорожную службу");
        await PipelineEntries.AddRoutedAsync(redis.Db, toFollowUp with { Message = toFollowUp.Message with { ReplyToExternalId = "lc-thanks-3" } });
        var answered = await WaitAsync(incident.Id, i => i.FirstResponseAt is not null, "the reply to the follow-up answering the incident");
        Assert.Equal(("platform_reply", "Передали в дорожную службу"), (answered.History[^1].Action, answered.History[^1].Comment));

        var other = await CreateAsync(Routed("lc-thanks-4", "adm-syzran", "waste", thread: "wall-1_920", author: "823"));
        await PipelineEntries.AddRoutedAsync(redis.Db, OfficialReply("lc-thanks-page-3", "wall-1_920", DateTimeOffset.UtcNow, "Разберёмся со всеми обращениями"));
        await WaitAsync(other.Id, i => i.FirstResponseAt is not null, "a reply that names nothing answering the thread's waiting incident");
    }

    [Fact]
    public async Task A_reply_that_names_only_the_threads_root_answers_the_threads_waiting_incidents()
    {
        // Telegram: a comment under a channel post carries the mirrored post as its reply-to; thread "{chat}:{post}".
        const string Chat = "-100555";
        var comment = PipelineEntries.Message("7001", "Во дворе не горят фонари", page: Chat, platform: GovPublics.Catalog.Platform.Telegram)
            with { ThreadId = $"{Chat}:7000", AuthorId = "851" };
        var incident = await CreateAsync(new RoutedMessage(comment, new RoutedDecision
        {
            IsIncident = true, Category = "improvement", ResponsibleAuthorityId = "adm-kinel", Confidence = 0.8, Explanation = "test",
        }));
        var reply = OfficialReply("7002", $"{Chat}:7000", DateTimeOffset.UtcNow, "Передали в управляющую компанию");
        var byChannel = PipelineEntries.Message("7002", reply.Message.Text, page: Chat, platform: GovPublics.Catalog.Platform.Telegram)
            with { ThreadId = $"{Chat}:7000", AuthorId = Chat, FromPage = true, ReplyToExternalId = "7000" };

        await PipelineEntries.AddRoutedAsync(redis.Db, reply with { Message = byChannel });

        await WaitAsync(incident.Id, i => i.FirstResponseAt is not null, "the reply to the thread answering its incident");
    }

    [Fact]
    public async Task A_page_reply_routed_before_the_incident_existed_is_its_first_response()
    {
        // The comment waited two weeks in ЦУР moderation; routing passed the page's replies in its thread on at once.
        var received = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-14).ToUnixTimeSeconds());
        var routed = Routed("lc-held-1", "adm-tolyatti", "roads", thread: "wall-1_930", author: "861", createdAt: received);
        var earlier = OfficialReply("lc-held-page-0", "wall-1_930", received.AddHours(-1), "Ответ на прошлый вопрос");
        var toOther = OfficialReply("lc-held-page-1", "wall-1_930", received.AddMinutes(30), "Спасибо!");
        var answer = OfficialReply("lc-held-page-2", "wall-1_930", received.AddHours(1), "Передали в дорожную службу");
        var later = OfficialReply("lc-held-page-3", "wall-1_930", received.AddHours(2), "Работы запланированы");
        foreach (var reply in new[] { earlier, toOther with { Message = toOther.Message with { ReplyToExternalId = "lc-held-other" } }, answer, later })
        {
            await PipelineEntries.AddRoutedAsync(redis.Db, reply);
        }

        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        var moderated = routed with
        {
            Decision = routed.Decision with { Revision = 1, DecidedAt = DateTimeOffset.UtcNow, Reroute = new RerouteInfo("low confidence, decided", "moderator-1", "", "") },
        };
        await PipelineEntries.AddRoutedAsync(redis.Db, moderated);

        var incident = await WaitByMessageAsync(routed.Message.MessageId, i => i.FirstResponseAt is not null, "the kept reply answering the new incident");
        Assert.Equal(received.AddHours(1), incident.FirstResponseAt.ToDateTimeOffset());
        Assert.Equal((IncidentStatus.Answered, false), (incident.Status, incident.Overdue));
        Assert.Equal(("platform_reply", "Передали в дорожную службу"), (incident.History[^1].Action, incident.History[^1].Comment));

        // A redelivery of the incident's entry applies it no second time.
        await PipelineEntries.AddRoutedAsync(redis.Db, moderated);
        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        Assert.Equal(["created", "platform_reply"], (await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id })).History.Select(h => h.Action));
    }

    [Fact]
    public async Task A_citizen_writing_again_after_the_answer_reopens_the_incident_instead_of_making_a_second()
    {
        var original = Routed("lc-again-1", "adm-tolyatti", "roads", thread: "wall-1_400", author: "721");
        var incident = await CreateAsync(original);
        await _client.TakeIncidentAsync(new TakeIncidentRequest { Id = incident.Id, Actor = "ivanov" });
        var answered = await _client.AnswerIncidentAsync(new AnswerIncidentRequest { Id = incident.Id, Actor = "ivanov", Kind = AnswerKind.Final, Text = "Заделаем до пятницы" });

        var again = Routed("lc-again-2", "adm-tolyatti", "roads", thread: "wall-1_400", author: "721",
            createdAt: answered.FinalAnswerAt.ToDateTimeOffset().AddHours(20), text: "Прошла неделя, яма на месте!");
        await PipelineEntries.AddRoutedAsync(redis.Db, again);

        var reopened = await WaitAsync(incident.Id, i => i.ReopenCount == 1, "the reopening");
        Assert.Equal((IncidentStatus.InProgress, "ivanov"), (reopened.Status, reopened.AssigneeId));
        Assert.Null(reopened.FirstResponseAt);
        Assert.Null(reopened.FinalAnswerAt);
        var entry = reopened.History[^1];
        Assert.Equal(("reopen", "citizen:721", "Прошла неделя, яма на месте!", again.Message.MessageId), (entry.Action, entry.Actor, entry.Comment, entry.MessageId));
        Assert.Equal(incident.Id, (await _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = again.Message.MessageId })).Id);

        // Writing once more while it is being handled only adds to the history; a redelivery adds nothing.
        var third = Routed("lc-again-3", "adm-tolyatti", "roads", thread: "wall-1_400", author: "721", text: "Когда уже?");
        await PipelineEntries.AddRoutedAsync(redis.Db, third);
        await PipelineEntries.AddRoutedAsync(redis.Db, third);
        await PipelineEntries.AddRoutedAsync(redis.Db, again);
        // All handled: a later message's incident would not say so, as another thread's lane may finish first.
        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        var stored = await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id });
        Assert.Equal(["created", "take", "answer_final", "reopen", "follow_up"], stored.History.Select(h => h.Action));
        Assert.Equal(1, stored.ReopenCount);
        var all = await _client.ListIncidentsAsync(new ListIncidentsRequest { AuthorityId = "adm-tolyatti", PageSize = 500 });
        Assert.Single(all.Incidents, i => i.ThreadId == "wall-1_400");
    }

    [Fact]
    public async Task A_citizen_writing_after_the_reopen_period_starts_a_new_incident()
    {
        var incident = await CreateAsync(Routed("lc-late-1", "adm-syzran", "roads", thread: "wall-1_500", author: "731"));
        await _client.AnswerIncidentAsync(new AnswerIncidentRequest { Id = incident.Id, Actor = "ivanov", Kind = AnswerKind.Final, Text = "Отремонтировали" });
        await _client.ResolveIncidentAsync(new ResolveIncidentRequest { Id = incident.Id, Actor = "ivanov" });
        var closed = await _client.CloseIncidentAsync(new CloseIncidentRequest { Id = incident.Id, Actor = "cur" });

        var late = await CreateAsync(Routed("lc-late-2", "adm-syzran", "roads", thread: "wall-1_500", author: "731",
            createdAt: closed.ClosedAt.ToDateTimeOffset().AddDays(8), text: "Опять яма на том же месте"));

        Assert.NotEqual(incident.Id, late.Id);
        Assert.Equal(IncidentStatus.Closed, (await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id })).Status);
    }

    [Fact]
    public async Task Edits_deletions_and_restorations_of_the_message_reach_the_incident()
    {
        var routed = Routed("lc-edit", "adm-kinel", "improvement", thread: "wall-1_600", author: "741");
        var incident = await CreateAsync(routed);

        await AddMessageEventAsync("edit", routed.Message with { Text = "Во дворе на Мира 5 сломана качеля" });
        Assert.Equal("", incident.OriginalText);
        var edited = await WaitAsync(incident.Id, i => i.Text == "Во дворе на Мира 5 сломана качеля", "the edit");
        Assert.Equal(routed.Message.Text, edited.OriginalText);
        Assert.Equal(("edited", "citizen:741", IncidentStatus.New), (edited.History[^1].Action, edited.History[^1].Actor, edited.History[^1].ToStatus));

        await AddMessageEventAsync("delete", routed.Message with { Text = "" });
        var deleted = await WaitAsync(incident.Id, i => i.MessageDeleted, "the deletion");
        Assert.Equal("Во дворе на Мира 5 сломана качеля", deleted.Text);
        Assert.Equal(IncidentStatus.New, deleted.Status);

        await AddMessageEventAsync("restore", routed.Message with { Text = "Во дворе на Мира 5 сломана качеля" });
        var restored = await WaitAsync(incident.Id, i => !i.MessageDeleted, "the restoration");
        Assert.Equal(["created", "edited", "deleted", "restored"], restored.History.Select(h => h.Action));
    }

    [Fact]
    public async Task Hundreds_of_edits_of_one_message_leave_a_record_of_bounded_size_with_the_count_and_the_latest_text()
    {
        const int edits = 300;
        var routed = Routed("lc-edit-storm", "adm-kinel", "improvement", thread: "wall-1_610", author: "742");
        var incident = await CreateAsync(routed);
        // As ingestion records them: each edit received at its own moment, texts of one length.
        CitizenMessage EditOf(int n) => routed.Message with
        {
            Text = $"Во дворе на Мира 7 сломана качеля, правка {n:D4}",
            ReceivedAt = routed.Message.ReceivedAt.AddSeconds(n + 1),
        };

        await AddMessageEventAsync("edit", EditOf(0));
        await WaitAsync(incident.Id, i => i.Text == EditOf(0).Text, "the first edit");
        var sizeAfterOne = await redis.Db.HashStringLengthAsync(IncidentRecords, incident.Id);

        for (var n = 1; n < edits; n++)
        {
            await AddMessageEventAsync("edit", EditOf(n));
        }

        await AddMessageEventAsync("edit", EditOf(edits - 1)); // delivered again
        await AddMessageEventAsync("edit", EditOf(7)); // an older one, late
        await MessageEventsCaughtUpAsync();

        var edited = await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id });
        Assert.Equal((edits, EditOf(edits - 1).Text), (edited.EditCount, edited.Text));
        Assert.Equal(["created", "edited"], edited.History.Select(h => h.Action));
        Assert.Equal((edits, EditOf(edits - 1).Text), (edited.History[1].Count, edited.History[1].Comment));
        Assert.Equal((EditOf(0).ReceivedAt, EditOf(edits - 1).ReceivedAt), (edited.History[1].At.ToDateTimeOffset(), edited.History[1].LastAt.ToDateTimeOffset()));
        // The stored record grew by the count's digits only.
        Assert.InRange(await redis.Db.HashStringLengthAsync(IncidentRecords, incident.Id), sizeAfterOne, sizeAfterOne + 16);
    }

    [Fact]
    public async Task An_edit_made_before_the_incident_existed_still_reaches_it()
    {
        var routed = Routed("lc-early-edit", "adm-kinel", "improvement");
        var edited = routed.Message with { Text = "Исправленный текст: сломана скамейка у дома 7" };
        await redis.Db.HashSetAsync($"gp:{{63}}:msg:{routed.Message.MessageId}", [new("data", PipelineJson.Serialize(edited)), new("received_at", 0)]);
        await AddMessageEventAsync("edit", edited);

        await PipelineEntries.AddRoutedAsync(redis.Db, routed);

        var incident = await WaitByMessageAsync(routed.Message.MessageId, i => i.Text == edited.Text, "the incident with the edited text");
        Assert.Equal(["created", "edited"], incident.History.Select(h => h.Action));
    }

    [Fact]
    public async Task A_deletion_made_before_the_incident_existed_still_reaches_it()
    {
        // As ingestion stores it: the message on the stream, the record pointing at the entry, deleted, never edited.
        var routed = Routed("lc-early-delete", "adm-kinel", "improvement");
        var entry = await PipelineEntries.AddMessageAsync(redis.Db, routed.Message);
        await redis.Db.HashSetAsync($"gp:{{63}}:msg:{routed.Message.MessageId}", [new("entry", entry), new("received_at", 0), new("deleted_at", 1)]);
        await AddMessageEventAsync("delete", routed.Message);

        await PipelineEntries.AddRoutedAsync(redis.Db, routed);

        var incident = await WaitByMessageAsync(routed.Message.MessageId, i => i.MessageDeleted, "the incident marked deleted");
        Assert.Equal(["created", "deleted"], incident.History.Select(h => h.Action));
        Assert.Equal(routed.Message.Text, incident.Text);
    }

    [Fact]
    public async Task A_redelivery_repairs_what_a_failure_right_after_the_create_script_left_undone()
    {
        // Ingestion holds an edit made before the incident existed; the create script ran, then the consumer failed
        // before the thread index and the catch-up (a crash, or a timeout on the next command).
        var routed = Routed("lc-crash-1", "adm-tolyatti", "roads", thread: "wall-1_910", author: "811");
        var edited = routed.Message with { Text = "Исправлено: яма у дома 12, глубокая" };
        await redis.Db.HashSetAsync($"gp:{{63}}:msg:{routed.Message.MessageId}", [new("data", PipelineJson.Serialize(edited)), new("received_at", 0)]);
        var factory = _sla.Services.GetRequiredService<GovPublics.Sla.Domain.Incidents.IncidentFactory>();
        var catalog = _sla.Services.GetRequiredService<GovPublics.Common.Registry.CatalogCache>();
        var (id, _) = await _sla.Services.GetRequiredService<GovPublics.Sla.Storage.IncidentStore>()
            .CreateAsync(factory.Create(routed, catalog.Current, DateTimeOffset.UtcNow));

        await PipelineEntries.AddRoutedAsync(redis.Db, routed);
        await PipelineEntries.AddRoutedAsync(redis.Db, routed);

        await WaitAsync(id, i => i.Text == edited.Text, "the catch-up on redelivery");
        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        Assert.Equal(["created", "edited"], (await _client.GetIncidentAsync(new GetIncidentRequest { Id = id })).History.Select(h => h.Action));

        // Indexed by thread: the page's reply answers it, and the citizen writing again joins it.
        await PipelineEntries.AddRoutedAsync(redis.Db, OfficialReply("lc-crash-page", "wall-1_910", DateTimeOffset.UtcNow, "Передали в дорожную службу"));
        await WaitAsync(id, i => i.FirstResponseAt is not null, "the page's reply answering the repaired incident");
        var again = Routed("lc-crash-2", "adm-tolyatti", "roads", thread: "wall-1_910", author: "811", text: "Когда уже?");
        await PipelineEntries.AddRoutedAsync(redis.Db, again);
        await WaitByMessageAsync(again.Message.MessageId, i => i.Id == id, "the follow-up joining the repaired incident");
    }

    [Fact]
    public async Task An_answer_in_a_year_without_calendar_data_is_FailedPrecondition_naming_the_file_and_changes_nothing()
    {
        // The incident is created today; the answer comes in a year the production calendar has no data for (as on
        // the first working day of a year whose decree was not added): the operator is told which file to add.
        var clock = new MovableClock();
        await using var hosts = await SlaHosts.StartAsync(redis.Server.ConnectionString, services: s => s.AddSingleton<TimeProvider>(clock));
        var client = new SlaService.SlaServiceClient(hosts.Sla.Channel);
        var routed = Routed("lc-no-calendar", "adm-tolyatti", "roads");
        await PipelineEntries.AddRoutedAsync(redis.Db, routed);
        var incident = await Eventually.Found(() => client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = routed.Message.MessageId }).ResponseAsync);

        clock.Now = new DateTimeOffset(2031, 5, 5, 10, 0, 0, TimeSpan.FromHours(4));
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.AnswerIncidentAsync(new AnswerIncidentRequest
        {
            Id = incident.Id, Actor = "ivanov", ExpectedVersion = incident.Version, Kind = AnswerKind.Intermediate, Text = "Передали в дорожную службу",
        }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("2031", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Policies/calendars/ru-2031.json", refused.Status.Detail, StringComparison.Ordinal);
        var after = await client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id });
        Assert.Equal((incident.Version, IncidentStatus.New), (after.Version, after.Status));
        Assert.Null(after.IntermediateAnswerAt);
    }

    /// <summary>A clock the test sets; until then, the real time.</summary>
    private sealed class MovableClock : TimeProvider
    {
        public DateTimeOffset? Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now?.ToUniversalTime() ?? System.GetUtcNow();
    }

    private async Task<Incident> CreateAsync(RoutedMessage routed)
    {
        await PipelineEntries.AddRoutedAsync(redis.Db, routed);
        return await Eventually.Found(() => _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = routed.Message.MessageId }).ResponseAsync);
    }

    private async Task<Incident> WaitAsync(string id, Func<Incident, bool> condition, string what)
    {
        Incident? last = null;
        await Eventually.True(async () => condition(last = await _client.GetIncidentAsync(new GetIncidentRequest { Id = id })), what);
        return last!;
    }

    private async Task<Incident> WaitByMessageAsync(string messageId, Func<Incident, bool> condition, string what)
    {
        Incident? last = null;
        await Eventually.True(async () =>
        {
            try
            {
                return condition(last = await _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = messageId }));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, what);
        return last!;
    }

    private Task MessageEventsCaughtUpAsync() => Eventually.True(async () =>
    {
        var last = (await redis.Db.StreamInfoAsync(MessageEvents)).LastGeneratedId;
        var sla = (await redis.Db.StreamGroupInfoAsync(MessageEvents)).Single(g => g.Name == "sla");
        return sla.LastDeliveredId == last && sla.PendingMessageCount == 0;
    }, "SLA caught up with the message-events stream");

    private Task<RedisValue> AddMessageEventAsync(string kind, CitizenMessage message) =>
        redis.Db.StreamAddAsync(MessageEvents, [new("id", message.MessageId), new("event", kind), new("data", PipelineJson.Serialize(message)), new("tp", "")]);

    private static RoutedMessage Routed(
        string externalId, string authority, string category, string thread = "", string author = "", DateTimeOffset? createdAt = null, string text = "")
    {
        var message = PipelineEntries.Message(externalId, text.Length > 0 ? text : $"Сообщение {externalId}") with { ThreadId = thread, AuthorId = author };
        if (createdAt is { } at)
        {
            message = message with { CreatedAt = at, ReceivedAt = at };
        }

        return new RoutedMessage(message, new RoutedDecision
        {
            IsIncident = true,
            Category = category,
            ResponsibleAuthorityId = authority,
            Confidence = 0.8,
            Explanation = "test",
        });
    }

    private static RoutedMessage OfficialReply(string externalId, string thread, DateTimeOffset at, string text) => new(
        PipelineEntries.Message(externalId, text) with { ThreadId = thread, AuthorId = "-1", FromPage = true, CreatedAt = at, ReceivedAt = at },
        new RoutedDecision
        {
            IsIncident = false,
            Category = "none",
            Subcategory = "official",
            Confidence = 1,
            Explanation = "written by the page itself: an official answer in its thread, not an incident",
        });
}
