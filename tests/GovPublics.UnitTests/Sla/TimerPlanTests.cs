using GovPublics.Catalog;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Domain.Timers;
using GovPublics.UnitTests.Catalog;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla;

public sealed class TimerPlanTests
{
    private static readonly CatalogSnapshot _catalog = SeedCatalog.Snapshot;
    private static readonly WorkingClocks _clocks = new(Calendars);
    private readonly TimerPlan _plan = new(TimerPolicy.Default, id => _clocks.For(_catalog.FindAuthority(id)));

    [Fact]
    public void Normal_incidents_warn_at_three_quarters_of_the_working_time_then_breach_then_climb_the_chain_to_the_cur()
    {
        // Monday 2 March 2026, 10:00: due Tuesday 10:00 after 8 working hours (lunch 13:00–14:00 not counted).
        var incident = Create("adm-samara-kirovsky", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));

        var steps = FireAll(ref incident, Samara(2026, 3, 31, 0));

        Assert.Equal(
            [
                ("warning", 0, Samara(2026, 3, 2, 17)),      // 6 working hours: 10–13 and 14–17
                ("breach", 0, Samara(2026, 3, 3, 10)),
                ("escalation", 1, Samara(2026, 3, 3, 15)),   // + 4 working hours: 10–13, 14–15
                ("escalation", 2, Samara(2026, 3, 4, 10)),   // + 4 more: 15–18, then 9–10 next morning
                ("escalation", 3, Samara(2026, 3, 4, 15)),
            ],
            steps.Select(s => (Name(s.Kind), s.Level, s.At)));
        Assert.Equal(["adm-samara", "gov", "cur"], incident.Escalations.Select(e => e.AuthorityId));
        Assert.Equal([false, false, true], incident.Escalations.Select(e => e.Final));
        Assert.Equal("Центр управления регионом Самарской области", incident.Escalations[^1].AuthorityName);
        Assert.Null(_plan.NextStep(incident));
        Assert.Equal(5, incident.History.Count(h => h.Actor == SystemActors.Timers));
        Assert.Equal(["warning", "breach", "escalated", "escalated", "escalated"],
            incident.History.Where(h => h.Actor == SystemActors.Timers).Select(h => h.Action));
        Assert.All(incident.History, h => Assert.Equal(IncidentStatus.New, h.ToStatus));
        Assert.Equal(5, incident.FiredTimers.Select(f => f.Key).Distinct().Count());
    }

    [Fact]
    public void Holidays_in_the_middle_are_not_counted()
    {
        // Friday 6 March 2026, 17:30; Monday 9 March is the day off for 8 March: due Tuesday 10 March 17:30.
        var incident = Create("adm-tolyatti", Samara(2026, 3, 6, 17, 30), Samara(2026, 3, 10, 17, 30));
        var steps = FireAll(ref incident, Samara(2026, 3, 31, 0));

        Assert.Equal(Samara(2026, 3, 10, 15, 30), steps[0].At);   // 0.5 h on Friday, 5.5 h on Tuesday
        Assert.Equal(Samara(2026, 3, 11, 12, 30), steps[2].At);   // 0.5 h on Tuesday, 3.5 h on Wednesday
        // Tolyatti's administration answers to the Government, then the ЦУР: two escalations.
        Assert.Equal(["gov", "cur"], incident.Escalations.Select(e => e.AuthorityId));
    }

    [Fact]
    public void The_new_year_holidays_hold_the_warning_until_the_first_working_day()
    {
        // Tuesday 30 December 2025, 16:00: 2 hours that day, then nothing until Monday 12 January 2026.
        var incident = Create("adm-tolyatti", Samara(2025, 12, 30, 16), Samara(2026, 1, 12, 16));
        var warning = _plan.NextStep(incident)!;
        Assert.Equal(Samara(2026, 1, 12, 13), warning.At);
        Assert.Equal(Samara(2026, 1, 13, 11), _plan.EscalationAt(warning.Deadline, 1));
    }

    [Fact]
    public void Urgent_incidents_run_on_calendar_hours_day_and_night()
    {
        // Saturday 7 March 2026, 23:00, urgent: due two calendar hours later, escalations every calendar hour.
        var incident = Create("adm-tolyatti", Samara(2026, 3, 7, 23), Samara(2026, 3, 8, 1), urgent: true);
        var steps = FireAll(ref incident, Samara(2026, 3, 31, 0));
        Assert.Equal(
            [Samara(2026, 3, 8, 0, 30), Samara(2026, 3, 8, 1), Samara(2026, 3, 8, 2), Samara(2026, 3, 8, 3)],
            steps.Select(s => s.At));
    }

    [Fact]
    public void Steps_fire_only_when_due_and_each_key_only_once()
    {
        var incident = Create("adm-tolyatti", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        Assert.Null(_plan.NextDue(incident, Samara(2026, 3, 2, 16, 59)));
        var warning = _plan.NextDue(incident, Samara(2026, 3, 2, 17))!;
        incident = Store(incident, _plan.Fire(incident, warning, Samara(2026, 3, 2, 17), Targets(incident)));

        // The same moment again (a second replica that read the incident before) finds nothing to fire.
        Assert.Null(_plan.NextDue(incident, Samara(2026, 3, 2, 17)));
        Assert.Equal(Samara(2026, 3, 3, 10), incident.NextTimerAt);
        Assert.Single(incident.FiredTimers);
        Assert.Equal("first_response/adm-tolyatti/2026-03-03T06:00:00.000Z/warning", warning.Key);
    }

    [Fact]
    public void A_late_start_fires_every_missed_step_in_order()
    {
        var incident = Create("adm-samara-kirovsky", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        var keys = new List<string>();
        while (_plan.NextDue(incident, Samara(2026, 3, 20, 12)) is { } step)
        {
            keys.Add(step.Key[(step.Key.LastIndexOf("Z/", StringComparison.Ordinal) + 2)..]);
            incident = Store(incident, _plan.Fire(incident, step, Samara(2026, 3, 20, 12), Targets(incident)));
        }

        Assert.Equal(["warning", "breach", "escalation/1", "escalation/2", "escalation/3"], keys);
        Assert.All(incident.FiredTimers, f => Assert.True(f.FiredAt > f.ScheduledAt));
    }

    [Fact]
    public void A_new_due_time_is_a_new_generation_whose_steps_fire_again_and_count_from_the_change()
    {
        var incident = Create("adm-tolyatti", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        FireAll(ref incident, Samara(2026, 3, 31, 0));
        Assert.Null(incident.NextTimerAt);
        var fired = incident.FiredTimers.Count;

        // Reopened on Wednesday 4 March at 12:00 with a new first-response deadline, Thursday 12:00.
        var reopenedAt = Samara(2026, 3, 4, 12);
        var reopened = _plan.Schedule(incident, incident with { FirstResponseDue = Samara(2026, 3, 5, 12), UpdatedAt = reopenedAt }, reopenedAt);
        var warning = _plan.NextStep(reopened)!;
        Assert.Equal(TimerStepKind.Warning, warning.Kind);
        Assert.Equal(reopenedAt, reopened.TimerWindow!.Start);
        // 6 of the 8 working hours from the reopening: 12–13, 14–18, then 9–10 on Thursday.
        Assert.Equal(Samara(2026, 3, 5, 10), warning.At);
        Assert.Equal(warning.At, reopened.NextTimerAt);

        FireAll(ref reopened, Samara(2026, 3, 31, 0));
        Assert.Equal(fired * 2, reopened.FiredTimers.Count);
        Assert.Equal(reopened.FiredTimers.Count, reopened.FiredTimers.Select(f => f.Key).Distinct().Count());
    }

    [Fact]
    public void Another_authority_is_a_new_generation_and_escalates_up_its_own_chain()
    {
        var incident = Create("adm-tolyatti", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        FireAll(ref incident, Samara(2026, 3, 3, 16));
        Assert.Equal(["gov"], incident.Escalations.Select(e => e.AuthorityId));

        var moved = _plan.Schedule(incident, incident with { AuthorityId = "adm-samara-kirovsky" }, Samara(2026, 3, 3, 16));
        FireAll(ref moved, Samara(2026, 3, 31, 0));
        Assert.Equal(["gov", "adm-samara", "gov", "cur"], moved.Escalations.Select(e => e.AuthorityId));
    }

    [Fact]
    public void After_an_intermediate_answer_the_timers_follow_the_final_answer_and_stop_when_it_is_given()
    {
        var incident = Create("adm-tolyatti", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        var answeredAt = Samara(2026, 3, 2, 11);
        var answered = _plan.Schedule(incident, incident with
        {
            Status = IncidentStatus.Answered,
            FirstResponseAt = answeredAt,
            IntermediateAnswerAt = answeredAt,
            FinalAnswerDue = Samara(2026, 3, 11, 18),
        }, answeredAt);

        var warning = _plan.NextStep(answered)!;
        Assert.Equal(TimerDeadlines.FinalAnswer, warning.Deadline.Deadline);
        Assert.Equal(answeredAt, warning.Deadline.Start);
        Assert.False(warning.Deadline.CalendarClock);
        // 54 working hours from Monday 11:00 to Wednesday 11 March 18:00 (Monday 9 March is off); 40.5 of them: 6 on
        // Monday, 32 to Friday, 2.5 on Tuesday 10 March.
        Assert.Equal(Samara(2026, 3, 10, 11, 30), warning.At);

        var final = _plan.Schedule(answered, answered with { FinalAnswerAt = Samara(2026, 3, 5, 9) }, Samara(2026, 3, 5, 9));
        Assert.Null(final.NextTimerAt);
        Assert.Null(_plan.ActiveDeadlineOf(final));
    }

    [Theory]
    [InlineData(IncidentStatus.Resolved)]
    [InlineData(IncidentStatus.Closed)]
    [InlineData(IncidentStatus.Rejected)]
    public void Finished_or_rejected_incidents_have_no_timers(IncidentStatus status)
    {
        var incident = Create("adm-tolyatti", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        Assert.NotNull(incident.NextTimerAt);
        Assert.Null(_plan.Schedule(incident, incident with { Status = status }, Samara(2026, 3, 2, 11)).NextTimerAt);
    }

    [Fact]
    public void A_first_response_in_time_stops_the_timers()
    {
        var incident = Create("adm-tolyatti", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        var answered = _plan.Schedule(incident, incident with { FirstResponseAt = Samara(2026, 3, 2, 12) }, Samara(2026, 3, 2, 12));
        Assert.Null(answered.NextTimerAt);
        Assert.Null(_plan.NextDue(answered, Samara(2026, 4, 1, 0)));
    }

    [Fact]
    public void The_cur_itself_is_warned_and_breached_but_escalates_to_nobody()
    {
        var incident = Create("cur", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10));
        var steps = FireAll(ref incident, Samara(2026, 3, 31, 0));
        Assert.Equal([TimerStepKind.Warning, TimerStepKind.Breach], steps.Select(s => s.Kind));
        Assert.Empty(incident.Escalations);
    }

    [Fact]
    public void Escalation_targets_end_with_the_configured_cur_or_the_catalogues_when_the_id_is_unknown()
    {
        Assert.Equal(["adm-samara", "gov", "cur"], _plan.EscalationTargets(_catalog, "adm-samara-kirovsky").Select(t => t.AuthorityId));
        Assert.Equal(["cur"], _plan.EscalationTargets(_catalog, "no-such-authority").Select(t => t.AuthorityId));

        var unknownCur = new TimerPlan(TimerPolicy.Default with { CurAuthorityId = "cur-63" }, id => _clocks.For(_catalog.FindAuthority(id)));
        Assert.Equal(["gov", "cur"], unknownCur.EscalationTargets(_catalog, "minzdrav").Select(t => t.AuthorityId));

        var ministryAsCur = new TimerPlan(TimerPolicy.Default with { CurAuthorityId = "gov" }, id => _clocks.For(_catalog.FindAuthority(id)));
        Assert.Equal(["gov"], ministryAsCur.EscalationTargets(_catalog, "adm-tolyatti").Select(t => t.AuthorityId));
    }

    [Fact]
    public void A_year_without_calendar_data_falls_back_to_calendar_time_instead_of_failing()
    {
        var incident = Create("adm-tolyatti", Samara(2031, 3, 3, 10), Samara(2031, 3, 4, 10));
        Assert.Equal(Samara(2031, 3, 4, 4), incident.NextTimerAt);
        var deadline = _plan.ActiveDeadlineOf(incident)!;
        Assert.Equal(Samara(2031, 3, 4, 14), _plan.EscalationAt(deadline, 1));
    }

    [Fact]
    public void A_record_stored_before_timers_counts_from_its_receipt()
    {
        var legacy = Create("adm-tolyatti", Samara(2026, 3, 2, 10), Samara(2026, 3, 3, 10)) with { TimerWindow = null, NextTimerAt = null };
        var rescheduled = _plan.Schedule(legacy, legacy, Samara(2026, 3, 2, 15));
        Assert.Equal(Samara(2026, 3, 2, 10), rescheduled.TimerWindow!.Start);
        Assert.Equal(Samara(2026, 3, 2, 17), rescheduled.NextTimerAt);
    }

    [Fact]
    public void The_shipped_policy_has_the_documented_defaults_and_bad_files_are_refused()
    {
        Assert.Equal(TimerPolicy.Default, TimerPolicy.LoadFile(Path.Combine(PoliciesDirectory, "timers.json")));
        foreach (var bad in new[]
        {
            """{"warning_share": 1, "escalation_interval_working_hours": 4, "urgent_escalation_interval_calendar_hours": 1, "cur_authority_id": "cur"}""",
            """{"warning_share": 0.5, "escalation_interval_working_hours": 0, "urgent_escalation_interval_calendar_hours": 1, "cur_authority_id": "cur"}""",
            """{"warning_share": 0.5, "escalation_interval_working_hours": 4, "urgent_escalation_interval_calendar_hours": 1, "cur_authority_id": " "}""",
            """{"warning_share": 0.5, "escalation_interval_working_hours": 4, "urgent_escalation_interval_calendar_hours": 1}""",
            """{"warning_share": 0.5, "escalation_interval_working_hours": 4, "urgent_escalation_interval_calendar_hours": 1, "cur_authority_id": "cur", "extra": 1}""",
        })
        {
            using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(bad));
            Assert.Throws<InvalidDataException>(() => TimerPolicy.Load(json));
        }
    }

    private Incident Create(string authority, DateTimeOffset received, DateTimeOffset due, bool urgent = false) =>
        _plan.Schedule(null, new Incident
        {
            Id = "INC-000001",
            MessageId = "m1",
            Category = "roads",
            Urgent = urgent,
            AuthorityId = authority,
            ReceivedAt = received,
            CreatedAt = received,
            FirstResponseDue = due,
            UpdatedAt = received,
        }, received);

    private IReadOnlyList<EscalationTarget> Targets(Incident incident) => _plan.EscalationTargets(_catalog, incident.AuthorityId);

    /// <summary>What the store does with a changed incident: the timer bookkeeping.</summary>
    private Incident Store(Incident before, Incident after) => _plan.Schedule(before, after, after.UpdatedAt);

    /// <summary>Fires every step due by <paramref name="until"/>, each at its own time, as the worker would.</summary>
    private List<TimerStep> FireAll(ref Incident incident, DateTimeOffset until)
    {
        var steps = new List<TimerStep>();
        while (_plan.NextStep(incident) is { } step && step.At <= until)
        {
            Assert.Equal(step.At, incident.NextTimerAt);
            steps.Add(step);
            incident = Store(incident, _plan.Fire(incident, step, step.At, Targets(incident)));
        }

        return steps;
    }

    private static string Name(TimerStepKind kind) => kind switch
    {
        TimerStepKind.Warning => "warning",
        TimerStepKind.Breach => "breach",
        _ => "escalation",
    };
}
