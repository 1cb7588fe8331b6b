using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Domain.Incidents;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla.Analytics;

/// <summary>
/// One week of a Samara authority, Mon 16 to Sun 22 March 2026 (ordinary working days), evaluated on Monday
/// 23 March at 12:00. Expected values are worked out by hand on the 09:00–18:00 clock with its 13:00–14:00 break.
/// </summary>
public sealed class AuthorityMetricsTests
{
    private const string Authority = "adm-a";
    private static readonly DateTimeOffset _from = Samara(2026, 3, 16, 0);
    private static readonly DateTimeOffset _to = Samara(2026, 3, 23, 0);
    private static readonly DateTimeOffset _asOf = Samara(2026, 3, 23, 12);

    private static IncidentFacts Fact(
        string id, DateTimeOffset received, DateTimeOffset due, DateTimeOffset? responded,
        IncidentStatus status = IncidentStatus.New, bool urgent = false, int reopened = 0, string authority = Authority) =>
        new(id, "m-" + id, authority, received, due, responded, status, urgent, reopened);

    private static readonly IncidentFacts[] _week =
    [
        // 10:00 → 11:30 the same morning: 1.5 working hours; reopened once afterwards.
        Fact("i1", Samara(2026, 3, 16, 10), Samara(2026, 3, 17, 10), Samara(2026, 3, 16, 11, 30), IncidentStatus.Answered, reopened: 1),
        // Mon 17:00 → Tue 10:00: 1 h on Monday + 1 h on Tuesday.
        Fact("i2", Samara(2026, 3, 16, 17), Samara(2026, 3, 17, 17), Samara(2026, 3, 17, 10), IncidentStatus.Answered),
        // Fri 16:00 → Sat 12:00: 2 h on Friday, nothing on Saturday.
        Fact("i3", Samara(2026, 3, 20, 16), Samara(2026, 3, 23, 16), Samara(2026, 3, 21, 12), IncidentStatus.Resolved),
        // Tue 09:00 → Thu 15:00: 8 + 8 + 4 + 1 = 21 h, after its deadline (Tue 18:00).
        Fact("i4", Samara(2026, 3, 17, 9), Samara(2026, 3, 17, 18), Samara(2026, 3, 19, 15), IncidentStatus.Answered),
        // Unanswered, due Thursday: overdue, and on the desk.
        Fact("i5", Samara(2026, 3, 18, 10), Samara(2026, 3, 19, 10), null),
        // Urgent, due two calendar hours later; answered only after the evaluation moment.
        Fact("i6", Samara(2026, 3, 20, 17), Samara(2026, 3, 20, 19), Samara(2026, 3, 23, 14), IncidentStatus.Answered, urgent: true),
        // Due Monday 17:30, after the evaluation moment: pending.
        Fact("i7", Samara(2026, 3, 20, 17, 30), Samara(2026, 3, 23, 17, 30), null),
        // Handed back as "not ours" without an answer: a miss, but not on this authority's desk.
        Fact("i12", Samara(2026, 3, 18, 11), Samara(2026, 3, 19, 11), null, IncidentStatus.Rejected),
        // Another authority's incident is not counted.
        Fact("x1", Samara(2026, 3, 18, 11), Samara(2026, 3, 19, 11), null, authority: "adm-b"),
    ];

    private static readonly IncidentFacts[] _older =
    [
        // From the week before, still in progress and overdue: backlog.
        Fact("i8", Samara(2026, 3, 12, 10), Samara(2026, 3, 13, 10), null, IncidentStatus.InProgress),
        // From the week before, closed without an answer: not backlog.
        Fact("i9", Samara(2026, 3, 12, 11), Samara(2026, 3, 13, 11), null, IncidentStatus.Closed),
    ];

    [Fact]
    public void A_week_of_first_responses_on_the_working_clock()
    {
        var m = AuthorityMetricsCalculator.Compute(Authority, _from, _to, _asOf, [.. _week, .. _older], [.. _week, .. _older], SamaraClock);

        Assert.Equal(8, m.Incidents);
        Assert.Equal(1, m.UrgentIncidents);
        Assert.Equal(4, m.Answered);
        Assert.Equal(3, m.AnsweredInTime);
        Assert.Equal(1, m.AnsweredLate);
        Assert.Equal(3, m.OverdueUnanswered);
        Assert.Equal(1, m.Pending);
        // Working hours 1.5, 2, 2, 21: the median is (2 + 2) / 2; the 90th percentile 2 + 0.7 · (21 − 2).
        Assert.Equal(2, m.MedianFirstResponseWorkingHours!.Value, 9);
        Assert.Equal(15.3, m.P90FirstResponseWorkingHours!.Value, 9);
        Assert.Equal(3.0 / 7, m.InTimeShare!.Value, 12);
        // i5, i6 (unanswered at 12:00) and i8 from the week before; not i9 (closed), i12 (rejected), i7 (not due).
        Assert.Equal(3, m.OverdueBacklog);
        Assert.Equal(1, m.Reopened);
        Assert.Equal(0.125, m.ReopenedShare!.Value, 12);
    }

    [Fact]
    public void Evaluated_earlier_the_figures_are_as_they_stood_then()
    {
        // Tuesday 12:00: only i1, i2 and i4 had come in; i4 (due 18:00) was not answered yet.
        var m = AuthorityMetricsCalculator.Compute(Authority, _from, _to, Samara(2026, 3, 17, 12), _week, [.. _week, .. _older], SamaraClock);

        Assert.Equal(3, m.Incidents);
        Assert.Equal(2, m.AnsweredInTime);
        Assert.Equal(0, m.AnsweredLate);
        Assert.Equal(1, m.Pending);
        Assert.Equal(1.75, m.MedianFirstResponseWorkingHours!.Value, 9);
        Assert.Equal(1.0, m.InTimeShare!.Value, 12);
        // i8 was overdue then too; i9 counts by its status now (closed), so it is left out.
        Assert.Equal(1, m.OverdueBacklog);
    }

    [Fact]
    public void No_incidents_gives_zero_counts_and_no_ratios()
    {
        var m = AuthorityMetricsCalculator.Compute("adm-quiet", _from, _to, _asOf, _week, _week, SamaraClock);

        Assert.Equal(0, m.Incidents);
        Assert.Null(m.MedianFirstResponseWorkingHours);
        Assert.Null(m.P90FirstResponseWorkingHours);
        Assert.Null(m.InTimeShare);
        Assert.Null(m.ReopenedShare);
        Assert.Equal(0, m.OverdueBacklog);
    }

    [Fact]
    public void An_incident_listed_twice_counts_once()
    {
        var m = AuthorityMetricsCalculator.Compute(Authority, _from, _to, _asOf, [_week[0], _week[0]], [_week[4], _week[4]], SamaraClock);

        Assert.Equal(1, m.Incidents);
        Assert.Equal(1, m.OverdueBacklog);
    }
}
