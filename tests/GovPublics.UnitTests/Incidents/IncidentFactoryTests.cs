using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Deadlines;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.UnitTests.Catalog;

namespace GovPublics.UnitTests.Incidents;

public sealed class IncidentFactoryTests
{
    private static readonly string _policies = Path.Combine(AppContext.BaseDirectory, "Policies");
    private static readonly TimeSpan _samara = TimeSpan.FromHours(4);
    private readonly IncidentFactory _factory = new(
        new DeadlineCalculator(DeadlinePolicy.LoadFile(Path.Combine(_policies, "deadlines.json"))),
        new WorkingClocks(CalendarSet.LoadDirectory(Path.Combine(_policies, "calendars"))));

    [Fact]
    public void First_response_is_due_after_eight_working_hours_on_the_authoritys_clock()
    {
        // Friday 6 March 2026, 17:30 in Samara: 30 minutes on Friday, 7.5 hours on Monday 9 March (not a holiday:
        // 8 March falls on a Sunday and its day off moves to Monday 9 March).
        var received = new DateTimeOffset(2026, 3, 6, 17, 30, 0, _samara);
        var incident = _factory.Create(Routed(received, urgent: false), SeedCatalog.Snapshot, received);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 17, 30, 0, _samara), incident.FirstResponseDue);
        Assert.Equal("adm-tolyatti", incident.AuthorityId);
        Assert.Equal("Администрация г.о. Тольятти", incident.AuthorityName);
        Assert.Contains("8 working hours", incident.DeadlinePolicy, StringComparison.Ordinal);
    }

    [Fact]
    public void Urgent_incidents_run_on_two_calendar_hours_even_at_night()
    {
        var received = new DateTimeOffset(2026, 3, 7, 23, 15, 0, _samara);
        var incident = _factory.Create(Routed(received, urgent: true), SeedCatalog.Snapshot, received);
        Assert.Equal(received.AddHours(2), incident.FirstResponseDue);
        Assert.True(incident.Urgent);
    }

    [Fact]
    public void Overdue_is_derived_from_the_deadline_and_the_first_response()
    {
        var received = new DateTimeOffset(2026, 3, 2, 10, 0, 0, _samara);
        var incident = _factory.Create(Routed(received, urgent: false), SeedCatalog.Snapshot, received);
        Assert.False(incident.IsOverdue(incident.FirstResponseDue));
        Assert.True(incident.IsOverdue(incident.FirstResponseDue.AddMinutes(1)));
        Assert.False((incident with { FirstResponseAt = incident.FirstResponseDue }).IsOverdue(incident.FirstResponseDue.AddDays(5)));
        Assert.True((incident with { FirstResponseAt = incident.FirstResponseDue.AddSeconds(1) }).IsOverdue(incident.FirstResponseDue));
    }

    [Fact]
    public void A_moderated_decision_starts_the_clock_when_it_was_decided_and_keeps_the_citizens_time()
    {
        // Written on Monday 2 March 2026; ЦУР decided on Thursday 12 March: the authority saw it only then.
        var received = new DateTimeOffset(2026, 3, 2, 10, 0, 0, _samara);
        var decided = new DateTimeOffset(2026, 3, 12, 10, 0, 0, _samara);
        var routed = Routed(received, urgent: false);
        routed = routed with { Decision = routed.Decision with { Revision = 1, DecidedAt = decided } };

        var incident = _factory.Create(routed, SeedCatalog.Snapshot, decided);

        var fromDecision = _factory.Create(Routed(decided, urgent: false), SeedCatalog.Snapshot, decided);
        Assert.Equal(fromDecision.FirstResponseDue, incident.FirstResponseDue);
        Assert.False(incident.IsOverdue(decided));
        Assert.Equal(received, incident.ReceivedAt);
        Assert.Equal(decided, incident.TimerWindow?.Start);
    }

    [Fact]
    public void A_first_decision_or_one_decided_before_the_receipt_counts_from_the_receipt()
    {
        var received = new DateTimeOffset(2026, 3, 2, 10, 0, 0, _samara);
        var plain = _factory.Create(Routed(received, urgent: false), SeedCatalog.Snapshot, received);
        var routed = Routed(received, urgent: false);

        var first = routed with { Decision = routed.Decision with { Revision = 0, DecidedAt = received.AddDays(3) } };
        var earlier = routed with { Decision = routed.Decision with { Revision = 2, DecidedAt = received.AddHours(-1) } };
        var unstamped = routed with { Decision = routed.Decision with { Revision = 2 } };

        Assert.All(new[] { first, earlier, unstamped }, r =>
        {
            var incident = _factory.Create(r, SeedCatalog.Snapshot, received);
            Assert.Equal(plain.FirstResponseDue, incident.FirstResponseDue);
            Assert.Equal(received, incident.TimerWindow?.Start);
        });
    }

    [Fact]
    public void A_message_that_needs_no_action_is_not_made_an_incident()
    {
        var received = new DateTimeOffset(2026, 3, 2, 10, 0, 0, _samara);
        var routed = Routed(received, urgent: false);
        routed = routed with { Decision = routed.Decision with { IsIncident = false, Category = "none", Subcategory = "gratitude" } };
        Assert.Throws<ArgumentException>(() => _factory.Create(routed, SeedCatalog.Snapshot, received));
    }

    private static RoutedMessage Routed(DateTimeOffset received, bool urgent) => new(
        new CitizenMessage
        {
            MessageId = "m1",
            Platform = Platform.Vk,
            PageExternalId = "-1",
            Kind = MessageKind.Comment,
            ExternalId = "1",
            Text = "Яма на Южном шоссе в Тольятти",
            CreatedAt = received,
            ReceivedAt = received,
        },
        new RoutedDecision
        {
            IsIncident = true,
            Category = "roads",
            Subcategory = "potholes",
            Urgent = urgent,
            ResponsibleAuthorityId = "adm-tolyatti",
            MunicipalityId = "tolyatti",
            Confidence = 0.9,
        });
}
