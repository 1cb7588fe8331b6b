using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Domain.Lifecycle;
using GovPublics.UnitTests.Catalog;
using Microsoft.Extensions.Time.Testing;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla;

/// <summary>The incident lifecycle: every status × action, the deadlines answers set, reopening, rerouting.</summary>
public sealed class IncidentLifecycleTests
{
    private static readonly CatalogSnapshot Catalog = SeedCatalog.Snapshot;
    private static readonly DateTimeOffset Received = Samara(2026, 3, 2, 10); // Monday
    private static readonly DateTimeOffset Now = Samara(2026, 3, 3, 11);

    private readonly IncidentLifecycle _lifecycle = new(Calculator, Clocks, new LifecycleOptions());

    // The expected table, written out independently of IncidentTransitions: one row per state, one column per action
    // (assign, take, answer_intermediate, answer_final, resolve, close, reject, reopen, reroute, dismiss,
    // platform_reply); "-" is illegal.
    private static readonly string[] Columns =
        ["assign", "take", "answer_intermediate", "answer_final", "resolve", "close", "reject", "reopen", "reroute", "dismiss", "platform_reply"];

    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["new"] = ["assigned", "in_progress", "answered", "answered", "-", "-", "rejected", "-", "new", "closed", "answered"],
        ["assigned"] = ["assigned", "in_progress", "answered", "answered", "-", "-", "rejected", "-", "new", "closed", "answered"],
        ["in_progress"] = ["assigned", "-", "answered", "answered", "-", "-", "rejected", "-", "new", "closed", "answered"],
        ["answered_intermediate"] = ["-", "-", "-", "answered", "-", "closed", "-", "in_progress", "new", "closed", "-"],
        ["answered_final"] = ["-", "-", "-", "-", "resolved", "closed", "-", "in_progress", "new", "closed", "-"],
        ["resolved"] = ["-", "-", "-", "-", "-", "closed", "-", "in_progress", "new", "closed", "-"],
        ["closed"] = ["-", "-", "-", "-", "-", "-", "-", "in_progress", "new", "closed", "-"],
        ["rejected"] = ["-", "-", "-", "-", "-", "-", "-", "-", "new", "closed", "-"],
    };

    public static TheoryData<string, string> EveryStateAndAction()
    {
        var data = new TheoryData<string, string>();
        foreach (var state in Expected.Keys)
        {
            foreach (var action in Columns)
            {
                data.Add(state, action);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStateAndAction))]
    public void Every_action_in_every_state_is_legal_or_refused_as_the_table_says(string state, string action)
    {
        var incident = InState(state);
        var expected = Expected[state][Array.IndexOf(Columns, action)];
        var command = new StaffCommand("ivanov", Now, "Текст действия");

        if (expected == "-")
        {
            switch (action)
            {
                case "platform_reply":
                    // The pipeline's reply never throws: an incident that does not wait for a first response is left alone.
                    Assert.Null(_lifecycle.PlatformReply(incident, Reply(Now), Catalog, Now));
                    return;
                default:
                    var refused = Assert.Throws<InvalidStateTransitionException>(() => Apply(incident, action, command));
                    Assert.Equal(action, refused.Action);
                    Assert.Equal(incident.Id, refused.Id);
                    Assert.StartsWith(state.Split('_')[0] == "answered" ? "answered" : state, refused.State, StringComparison.Ordinal);
                    var staffAllowed = Columns.Take(8).Where((_, i) => Expected[state][i] != "-").ToList();
                    Assert.Equal(staffAllowed, refused.Allowed);
                    Assert.Contains($"'{action}' is not allowed", refused.Message, StringComparison.Ordinal);
                    return;
            }
        }

        var next = Apply(incident, action, command);
        Assert.NotNull(next);
        Assert.Equal(expected, EnumText.Format(next.Status));
        var entry = next.History[^1];
        Assert.Equal(incident.History.Count + 1, next.History.Count);
        Assert.Equal(action, entry.Action);
        Assert.Equal(incident.Status, entry.FromStatus);
        Assert.Equal(next.Status, entry.ToStatus);
        Assert.Equal(Now, next.UpdatedAt);
        Assert.Equal(IncidentTransitions.Target(incident, Enum.Parse<LifecycleAction>(action.Replace("_", ""), ignoreCase: true)), next.Status);
    }

    [Fact]
    public void The_transition_table_holds_exactly_the_expected_legal_pairs()
    {
        var legal = Expected.SelectMany(row => Columns.Where((_, i) => row.Value[i] != "-").Select(c => (row.Key, c))).ToHashSet();
        var actual = Expected.Keys.SelectMany(state => IncidentTransitions.Allowed(InState(state)).Select(a => (state, a.Name()))).ToHashSet();
        Assert.Equal(legal.OrderBy(p => p.ToString()), actual.OrderBy(p => p.ToString()));
    }

    [Fact]
    public void Take_makes_the_actor_the_assignee_and_records_who_when_and_why()
    {
        var taken = _lifecycle.Take(InState("new"), new StaffCommand("  petrova ", Now, "беру"));

        Assert.Equal(IncidentStatus.InProgress, taken.Status);
        Assert.Equal("petrova", taken.AssigneeId);
        Assert.Equal(new IncidentHistoryEntry(Now, "petrova", "take", IncidentStatus.New, IncidentStatus.InProgress, "беру"), taken.History[^1]);
    }

    [Fact]
    public void Assign_names_the_assignee_in_the_history()
    {
        var assigned = _lifecycle.Assign(InState("new"), new StaffCommand("cur-operator", Now, "срочно"), "sidorov");

        Assert.Equal(IncidentStatus.Assigned, assigned.Status);
        Assert.Equal("sidorov", assigned.AssigneeId);
        Assert.Equal("assigned to sidorov: срочно", assigned.History[^1].Comment);
    }

    [Fact]
    public void An_intermediate_answer_is_the_first_response_and_starts_the_final_answers_deadline()
    {
        var at = Samara(2026, 3, 3, 11, 30);
        var answered = _lifecycle.Answer(InState("in_progress"), new StaffCommand("ivanov", at, "Проверяем, ответим до 12 марта"), AnswerKind.Intermediate, Catalog);

        Assert.Equal(IncidentStatus.Answered, answered.Status);
        Assert.Equal(at, answered.FirstResponseAt);
        Assert.Equal(at, answered.IntermediateAnswerAt);
        // Working days after Tue 3 Mar 2026: 4, 5, 6, 10 (9 Mar is the day off for 8 Mar), 11, 12, 13 Mar.
        Assert.Equal(Samara(2026, 3, 13, 18), answered.FinalAnswerDue);
        Assert.Null(answered.FinalAnswerAt);
        Assert.Equal("Проверяем, ответим до 12 марта", answered.History[^1].Comment);

        var final = _lifecycle.Answer(answered, new StaffCommand("ivanov", at.AddDays(2), "Яму заделали"), AnswerKind.Final, Catalog);
        Assert.Equal(at, final.FirstResponseAt);
        Assert.Equal(at.AddDays(2), final.FinalAnswerAt);
        Assert.Equal(Samara(2026, 3, 13, 18), final.FinalAnswerDue);
    }

    [Theory]
    [InlineData("2025-12-30T11:00:00+04:00", "2026-01-20T18:00:00+04:00")] // 31 Dec and 1–11 Jan off: 12–16, 19, 20 Jan
    [InlineData("2026-03-05T10:00:00+04:00", "2026-03-17T18:00:00+04:00")] // before 8 March: 6, 10, 11, 12, 13, 16, 17 Mar
    [InlineData("2026-03-09T12:00:00+04:00", "2026-03-18T18:00:00+04:00")] // on the day off for 8 March itself
    [InlineData("2026-04-28T16:00:00+04:00", "2026-05-08T17:00:00+04:00")] // 29, 30 Apr, 4–8 May; 8 May is shortened
    public void The_final_answer_is_due_at_the_end_of_the_seventh_working_day_after_the_intermediate_answer(string answeredAt, string due)
    {
        var at = DateTimeOffset.Parse(answeredAt, System.Globalization.CultureInfo.InvariantCulture);
        var incident = InState("new") with { ReceivedAt = at.AddHours(-1) };

        var answered = _lifecycle.Answer(incident, new StaffCommand("ivanov", at, "Промежуточный ответ"), AnswerKind.Intermediate, Catalog);

        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), answered.FinalAnswerDue);
    }

    [Fact]
    public void A_final_answer_without_an_intermediate_one_sets_no_final_deadline_and_makes_the_answerer_assignee()
    {
        var answered = _lifecycle.Answer(InState("new"), new StaffCommand("glava", Now, "Отремонтируем в мае"), AnswerKind.Final, Catalog);

        Assert.Equal(Now, answered.FirstResponseAt);
        Assert.Equal(Now, answered.FinalAnswerAt);
        Assert.Null(answered.FinalAnswerDue);
        Assert.Equal("glava", answered.AssigneeId);
        Assert.Throws<InvalidStateTransitionException>(() =>
            _lifecycle.Answer(answered, new StaffCommand("glava", Now, "Ещё раз"), AnswerKind.Final, Catalog));
    }

    [Fact]
    public void Missing_or_reserved_actors_and_missing_or_long_texts_are_named_field_by_field()
    {
        var incident = InState("new");
        var noActor = Assert.Throws<ValidationFailedException>(() =>
            _lifecycle.Answer(incident, new StaffCommand(" ", Now, ""), AnswerKind.Intermediate, Catalog));
        Assert.Equal(["actor", "text"], noActor.Violations.Select(v => v.Field));

        var reserved = Assert.Throws<ValidationFailedException>(() => _lifecycle.Take(incident, new StaffCommand("system:timers", Now)));
        Assert.Equal(["actor"], reserved.Violations.Select(v => v.Field));

        var noReason = Assert.Throws<ValidationFailedException>(() => _lifecycle.Reject(incident, new StaffCommand("ivanov", Now, "")));
        Assert.Equal(["reason"], noReason.Violations.Select(v => v.Field));

        var longText = new string('я', LifecycleLimits.MaxAnswerLength + 1);
        var tooLong = Assert.Throws<ValidationFailedException>(() =>
            _lifecycle.Answer(incident, new StaffCommand("ivanov", Now, longText), AnswerKind.Final, Catalog));
        Assert.Equal(["text"], tooLong.Violations.Select(v => v.Field));

        var noAssignee = Assert.Throws<ValidationFailedException>(() => _lifecycle.Assign(incident, new StaffCommand("ivanov", Now), "citizen:1"));
        Assert.Equal(["assignee_id"], noAssignee.Violations.Select(v => v.Field));
    }

    [Fact]
    public void Reopening_starts_a_new_round_with_a_new_first_response_deadline()
    {
        var closed = InState("closed");
        var reopenedAt = Samara(2026, 3, 6, 17, 30); // Friday, half an hour before the end of the day

        var reopened = _lifecycle.Reopen(closed, new StaffCommand("cur-operator", reopenedAt, "Житель пишет, что ничего не сделано"), Catalog);

        Assert.Equal(IncidentStatus.InProgress, reopened.Status);
        Assert.Equal(1, reopened.ReopenCount);
        Assert.Equal(Samara(2026, 3, 10, 17, 30), reopened.FirstResponseDue); // 9 March is a day off
        Assert.Null(reopened.FirstResponseAt);
        // The first round stays on the record for the authority's metrics, also after a second reopening.
        Assert.Equal(closed.FirstResponseDue, reopened.FirstRoundResponseDue);
        Assert.Equal(closed.FirstResponseAt, reopened.FirstRoundResponseAt);
        Assert.NotNull(reopened.FirstRoundResponseAt);
        var closedAgain = reopened with { Status = IncidentStatus.Closed, FirstResponseAt = reopenedAt.AddHours(1) };
        var twice = _lifecycle.Reopen(closedAgain, new StaffCommand("cur-operator", reopenedAt.AddDays(1), "снова"), Catalog);
        Assert.Equal(2, twice.ReopenCount);
        Assert.Equal(closed.FirstResponseAt, twice.FirstRoundResponseAt);
        Assert.Equal(closed.FirstResponseDue, twice.FirstRoundResponseDue);
        Assert.Null(reopened.IntermediateAnswerAt);
        Assert.Null(reopened.FinalAnswerDue);
        Assert.Null(reopened.FinalAnswerAt);
        Assert.Null(reopened.ResolvedAt);
        Assert.Null(reopened.ClosedAt);
        Assert.Equal("ivanov", reopened.AssigneeId);
        Assert.Equal(new IncidentHistoryEntry(reopenedAt, "cur-operator", "reopen", IncidentStatus.Closed, IncidentStatus.InProgress,
            "Житель пишет, что ничего не сделано"), reopened.History[^1]);

        var nobodyTookIt = _lifecycle.Reopen(closed with { AssigneeId = "" }, new StaffCommand("cur-operator", reopenedAt, "снова"), Catalog);
        Assert.Equal(IncidentStatus.New, nobodyTookIt.Status);
    }

    [Fact]
    public void A_citizen_writing_again_within_the_reopen_period_reopens_and_later_starts_a_new_incident()
    {
        var time = new FakeTimeProvider(Samara(2026, 3, 3, 12));
        var incident = _lifecycle.Take(InState("new"), new StaffCommand("ivanov", time.GetUtcNow()));
        incident = _lifecycle.Answer(incident, new StaffCommand("ivanov", time.GetUtcNow(), "Заделаем на неделе"), AnswerKind.Final, Catalog);
        var answeredAt = time.GetUtcNow();
        var decision = Decision();

        time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(ThreadMatch.Reopen, _lifecycle.Match(incident, FollowUpMessage("f1", time.GetUtcNow()), decision));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(ThreadMatch.None, _lifecycle.Match(incident, FollowUpMessage("f2", time.GetUtcNow()), decision));

        // Written before the answer, delivered after it: it joins the incident but does not reopen it.
        Assert.Equal(ThreadMatch.FollowUp, _lifecycle.Match(incident, FollowUpMessage("f3", answeredAt.AddMinutes(-5)), decision));
        // Another citizen, another topic, the page itself: unrelated.
        Assert.Equal(ThreadMatch.None, _lifecycle.Match(incident, FollowUpMessage("f4", answeredAt.AddHours(1)) with { AuthorId = "999" }, decision));
        Assert.Equal(ThreadMatch.None, _lifecycle.Match(incident, FollowUpMessage("f5", answeredAt.AddHours(1)), decision with { Category = "waste" }));
        Assert.Equal(ThreadMatch.None, _lifecycle.Match(incident, FollowUpMessage("f6", answeredAt.AddHours(1)) with { FromPage = true }, decision));
        // Still being handled (only an intermediate answer): a follow-up, whenever it comes.
        Assert.Equal(ThreadMatch.FollowUp, _lifecycle.Match(InState("answered_intermediate"), FollowUpMessage("f7", answeredAt.AddDays(30)), decision));

        var shortPeriod = new IncidentLifecycle(Calculator, Clocks, new LifecycleOptions { ReopenPeriod = TimeSpan.FromDays(2) });
        Assert.Equal(ThreadMatch.None, shortPeriod.Match(incident, FollowUpMessage("f8", answeredAt.AddDays(3)), decision));
        Assert.Throws<ArgumentException>(() => new IncidentLifecycle(Calculator, Clocks, new LifecycleOptions { ReopenPeriod = TimeSpan.Zero }));
    }

    [Fact]
    public void Reopening_by_the_citizen_counts_from_the_new_message_and_happens_once_per_message()
    {
        var resolved = InState("resolved");
        var message = FollowUpMessage("again", Samara(2026, 3, 5, 10)) with { ReceivedAt = Samara(2026, 3, 5, 10, 1) };

        var reopened = _lifecycle.ReopenByCitizen(resolved, message, Catalog, Now);

        Assert.NotNull(reopened);
        Assert.Equal(IncidentStatus.InProgress, reopened.Status);
        Assert.Equal(Samara(2026, 3, 6, 10, 1), reopened.FirstResponseDue);
        var entry = reopened.History[^1];
        Assert.Equal(("citizen:501", "reopen", message.Text, message.MessageId), (entry.Actor, entry.Action, entry.Comment, entry.MessageId));
        Assert.Null(_lifecycle.ReopenByCitizen(reopened, message, Catalog, Now));
        Assert.Null(_lifecycle.FollowUp(reopened, message, Now));

        var followUp = _lifecycle.FollowUp(InState("in_progress"), message, Now);
        Assert.NotNull(followUp);
        Assert.Equal(IncidentStatus.InProgress, followUp.Status);
        Assert.Equal("follow_up", followUp.History[^1].Action);
    }

    [Fact]
    public void A_newer_decision_reroutes_to_the_new_authority_with_a_new_deadline_and_older_ones_change_nothing()
    {
        var incident = InState("rejected") with { RoutingRevision = 0 };
        var decision = Decision() with
        {
            Revision = 1,
            Category = "waste",
            ResponsibleAuthorityId = "adm-syzran",
            Reroute = new RerouteInfo("контейнерная площадка в Сызрани", "moderator-1", "adm-tolyatti", "roads"),
        };
        var at = Samara(2026, 3, 6, 17, 30);

        var rerouted = _lifecycle.Reroute(incident, decision, Catalog, at);

        Assert.NotNull(rerouted);
        Assert.Equal(IncidentStatus.New, rerouted.Status);
        Assert.Equal(("adm-syzran", "waste", 1, ""), (rerouted.AuthorityId, rerouted.Category, rerouted.RoutingRevision, rerouted.AssigneeId));
        Assert.Equal(Catalog.FindAuthority("adm-syzran")!.Name, rerouted.AuthorityName);
        Assert.Equal(Samara(2026, 3, 10, 17, 30), rerouted.FirstResponseDue);
        Assert.Null(rerouted.FirstResponseAt);
        var entry = rerouted.History[^1];
        Assert.Equal(("moderator-1", "reroute", IncidentStatus.Rejected, IncidentStatus.New), (entry.Actor, entry.Action, entry.FromStatus, entry.ToStatus));
        Assert.StartsWith("rerouted by moderator-1: контейнерная площадка в Сызрани", entry.Comment, StringComparison.Ordinal);

        Assert.Null(_lifecycle.Reroute(rerouted, decision, Catalog, at));
        Assert.Null(_lifecycle.Reroute(rerouted, decision with { Revision = 0 }, Catalog, at));

        var dismissed = _lifecycle.Dismiss(rerouted, decision with { Revision = 2, IsIncident = false, Reroute = new RerouteInfo("это благодарность", "moderator-2", "", "") }, at);
        Assert.NotNull(dismissed);
        Assert.Equal((IncidentStatus.Closed, at, 2), (dismissed.Status, dismissed.ClosedAt, dismissed.RoutingRevision));
        Assert.Equal("not an incident (moderator-2): это благодарность", dismissed.History[^1].Comment);
        Assert.Null(_lifecycle.Dismiss(dismissed, decision with { Revision = 2, IsIncident = false }, at));
    }

    [Fact]
    public void The_pages_reply_is_the_first_response_at_its_time_and_starts_the_final_answers_deadline()
    {
        var incident = InState("assigned");
        var replyAt = Samara(2026, 3, 2, 15);

        var answered = _lifecycle.PlatformReply(incident, Reply(replyAt), Catalog, Now);

        Assert.NotNull(answered);
        Assert.Equal((IncidentStatus.Answered, replyAt, replyAt), (answered.Status, answered.FirstResponseAt, answered.IntermediateAnswerAt));
        Assert.Equal(Samara(2026, 3, 12, 18), answered.FinalAnswerDue); // 3, 4, 5, 6, 10, 11, 12 March
        Assert.Equal(new IncidentHistoryEntry(replyAt, SystemActors.Platform, "platform_reply", IncidentStatus.Assigned, IncidentStatus.Answered,
            "Здравствуйте! Передали в дорожную службу.", "m-reply"), answered.History[^1]);
        Assert.Equal(Now, answered.UpdatedAt);

        Assert.Null(_lifecycle.PlatformReply(answered, Reply(replyAt), Catalog, Now));
        // Written long before the message arrived: an answer to something else.
        Assert.Null(_lifecycle.PlatformReply(incident, Reply(Received.AddHours(-1)), Catalog, Now));
        // A minute "before" by the platform's clock: it answers the message, at the message's time.
        Assert.Equal(Received, _lifecycle.PlatformReply(incident, Reply(Received.AddMinutes(-1)), Catalog, Now)!.FirstResponseAt);
    }

    [Fact]
    public void Edits_deletions_and_restorations_follow_the_message_once()
    {
        var incident = InState("in_progress");
        var edited = incident.MessageId;
        var message = FollowUpMessage("x", Now) with { MessageId = edited, Text = "Яма на Южном шоссе, дом 5" };

        var afterEdit = _lifecycle.MessageChanged(incident, IncidentActions.Edited, message, Now);
        Assert.NotNull(afterEdit);
        Assert.Equal("Яма на Южном шоссе, дом 5", afterEdit.Text);
        Assert.Equal(("citizen:501", "edited", IncidentStatus.InProgress), (afterEdit.History[^1].Actor, afterEdit.History[^1].Action, afterEdit.History[^1].ToStatus));
        Assert.Null(_lifecycle.MessageChanged(afterEdit, IncidentActions.Edited, message, Now));

        var deleted = _lifecycle.MessageChanged(afterEdit, IncidentActions.Deleted, message with { Text = "" }, Now);
        Assert.NotNull(deleted);
        Assert.True(deleted.MessageDeleted);
        Assert.Equal(afterEdit.Text, deleted.Text);
        Assert.Null(_lifecycle.MessageChanged(deleted, IncidentActions.Deleted, message with { Text = "" }, Now));

        var restored = _lifecycle.MessageChanged(deleted, IncidentActions.Restored, message, Now);
        Assert.NotNull(restored);
        Assert.False(restored.MessageDeleted);

        // A follow-up's edit is only recorded.
        restored = _lifecycle.FollowUp(restored, FollowUpMessage("m-follow", Now), Now)!;
        var followUpEdit = _lifecycle.MessageChanged(restored, IncidentActions.Edited, message with { MessageId = "m-follow", Text = "Уточняю адрес" }, Now);
        Assert.NotNull(followUpEdit);
        Assert.Equal(restored.Text, followUpEdit.Text);
        Assert.Equal(("edited", "Уточняю адрес", "m-follow"), (followUpEdit.History[^1].Action, followUpEdit.History[^1].Comment, followUpEdit.History[^1].MessageId));
        Assert.Null(_lifecycle.MessageChanged(followUpEdit, IncidentActions.Edited, message with { MessageId = "m-follow", Text = "Уточняю адрес" }, Now));
    }

    private Incident? Apply(Incident incident, string action, StaffCommand command) => action switch
    {
        "assign" => _lifecycle.Assign(incident, command, "sidorov"),
        "take" => _lifecycle.Take(incident, command),
        "answer_intermediate" => _lifecycle.Answer(incident, command, AnswerKind.Intermediate, Catalog),
        "answer_final" => _lifecycle.Answer(incident, command, AnswerKind.Final, Catalog),
        "resolve" => _lifecycle.Resolve(incident, command),
        "close" => _lifecycle.Close(incident, command),
        "reject" => _lifecycle.Reject(incident, command),
        "reopen" => _lifecycle.Reopen(incident, command, Catalog),
        "reroute" => _lifecycle.Reroute(incident, Decision() with { Revision = incident.RoutingRevision + 1, ResponsibleAuthorityId = "adm-syzran" }, Catalog, command.At),
        "dismiss" => _lifecycle.Dismiss(incident, Decision() with { Revision = incident.RoutingRevision + 1, IsIncident = false }, command.At),
        "platform_reply" => _lifecycle.PlatformReply(incident, Reply(command.At), Catalog, command.At),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>An incident in one of the table's states (answered is split by the answer it has).</summary>
    private static Incident InState(string state)
    {
        var created = new IncidentFactory(Calculator, Clocks).Create(new RoutedMessage(CitizenMessageOf("m-1", Received), Decision()), Catalog, Received)
            with { Id = "INC-000001", Sequence = 1, Version = 1 };
        var firstResponse = Samara(2026, 3, 2, 12);
        var answeredIntermediate = created with
        {
            Status = IncidentStatus.Answered, AssigneeId = "ivanov", FirstResponseAt = firstResponse, IntermediateAnswerAt = firstResponse,
            FinalAnswerDue = Samara(2026, 3, 12, 18),
        };
        var answeredFinal = answeredIntermediate with { FinalAnswerAt = Samara(2026, 3, 3, 9) };
        return state switch
        {
            "new" => created,
            "assigned" => created with { Status = IncidentStatus.Assigned, AssigneeId = "ivanov" },
            "in_progress" => created with { Status = IncidentStatus.InProgress, AssigneeId = "ivanov" },
            "answered_intermediate" => answeredIntermediate,
            "answered_final" => answeredFinal,
            "resolved" => answeredFinal with { Status = IncidentStatus.Resolved, ResolvedAt = Samara(2026, 3, 3, 9, 30) },
            "closed" => answeredFinal with { Status = IncidentStatus.Closed, ResolvedAt = Samara(2026, 3, 3, 9, 30), ClosedAt = Samara(2026, 3, 3, 10) },
            "rejected" => created with { Status = IncidentStatus.Rejected, AssigneeId = "ivanov" },
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
        };
    }

    [Fact]
    public void Follow_ups_are_counted_all_but_only_the_first_twenty_kept_in_the_history_and_each_once()
    {
        var incident = InState("in_progress");
        var entries = incident.History.Count;
        for (var n = 0; n < 50; n++)
        {
            incident = _lifecycle.FollowUp(incident, FollowUpMessage($"f-{n}", Now.AddMinutes(n)), Now.AddMinutes(n))!;
        }

        Assert.Equal(50, incident.FollowUpCount);
        Assert.Equal(entries + new LifecycleOptions().FollowUpsKept, incident.History.Count);
        Assert.Null(_lifecycle.FollowUp(incident, FollowUpMessage("f-3", Now), Now));
    }

    private static CitizenMessage FollowUpMessage(string id, DateTimeOffset createdAt) =>
        CitizenMessageOf(id, createdAt) with { Text = "Так и не заделали!" };

    private static CitizenMessage Reply(DateTimeOffset at) => CitizenMessageOf("m-reply", at) with
    {
        AuthorId = "-208424532",
        FromPage = true,
        Text = "Здравствуйте! Передали в дорожную службу.",
    };
}
