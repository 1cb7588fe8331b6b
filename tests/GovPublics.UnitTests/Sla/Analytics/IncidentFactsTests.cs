using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.UnitTests.Sla.Analytics;

public sealed class IncidentFactsTests
{
    private static readonly DateTimeOffset Received = new(2026, 3, 2, 7, 0, 0, TimeSpan.Zero);

    private static Incident Incident() => new()
    {
        Id = "INC-000001",
        MessageId = "m1",
        Category = "roads",
        AuthorityId = "adm-tolyatti",
        ReceivedAt = Received,
        CreatedAt = Received,
        FirstResponseDue = Received.AddHours(9),
    };

    [Fact]
    public void An_incident_never_reopened_is_measured_on_its_record()
    {
        var facts = IncidentFacts.From(Incident() with { FirstResponseAt = Received.AddHours(2), Status = IncidentStatus.Answered });

        Assert.Equal(Received.AddHours(9), facts.FirstResponseDue);
        Assert.Equal(Received.AddHours(2), facts.FirstResponseAt);
        Assert.Equal(0, facts.ReopenCount);
    }

    [Fact]
    public void A_reopened_incident_is_measured_on_its_first_round_and_counts_its_reopenings()
    {
        // Reopened twice: the record carries the third round's deadline and no response yet.
        var facts = IncidentFacts.From(Incident() with
        {
            Status = IncidentStatus.InProgress,
            ReopenCount = 2,
            FirstResponseDue = Received.AddDays(10),
            FirstResponseAt = null,
            FirstRoundResponseDue = Received.AddHours(9),
            FirstRoundResponseAt = Received.AddHours(3),
        });

        Assert.Equal(Received.AddHours(9), facts.FirstResponseDue);
        Assert.Equal(Received.AddHours(3), facts.FirstResponseAt);
        Assert.Equal(2, facts.ReopenCount);
    }
}
