using System.Text.Json;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Domain.Lifecycle;
using GovPublics.UnitTests.Catalog;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla;

/// <summary>
/// A citizen's repeated changes of a message (edits, deletions, restorations) keep the incident's record bounded:
/// merged into one history entry with a count, while every lifecycle entry is kept.
/// </summary>
public sealed class MessageChangeHistoryTests
{
    private static readonly DateTimeOffset Received = Samara(2026, 3, 2, 10);

    private readonly IncidentLifecycle _lifecycle = new(Calculator, Clocks, new LifecycleOptions());

    [Fact]
    public void A_thousand_edits_of_one_message_are_one_entry_with_the_count_the_times_and_the_latest_text()
    {
        var incident = Created();
        var once = Edit(incident, incident.MessageId, 0)!;
        incident = once;
        for (var n = 1; n < 1000; n++)
        {
            incident = Edit(incident, incident.MessageId, n)!;
        }

        Assert.Null(Created().OriginalText);
        Assert.Equal(1000, incident.EditCount);
        Assert.Equal(TextOf(999), incident.Text);
        Assert.Equal(Created().Text, incident.OriginalText);
        Assert.Equal(["created", "edited"], incident.History.Select(h => h.Action));
        var edited = incident.History[^1];
        Assert.Equal((1000, TextOf(999), At(0), At(999)), (edited.Count, edited.Comment, edited.At, edited.LastAt));
        // The record is as large after a thousand edits as after one (the texts are of one length; the counts have more digits).
        var size = JsonSerializer.Serialize(once).Length;
        Assert.InRange(JsonSerializer.Serialize(incident).Length, size, size + 16);
    }

    [Fact]
    public void An_edit_delivered_again_or_late_changes_and_counts_nothing()
    {
        var incident = Created();
        for (var n = 0; n < 5; n++)
        {
            incident = Edit(incident, incident.MessageId, n)!;
        }

        Assert.Null(Edit(incident, incident.MessageId, 4)); // the last one again
        Assert.Null(Edit(incident, incident.MessageId, 2)); // an older one, redelivered after newer ones
        Assert.Equal((5, TextOf(4)), (incident.EditCount, incident.Text));

        // The same holds after a lifecycle step started a new entry.
        incident = _lifecycle.Take(incident, new StaffCommand("ivanov", At(10)));
        incident = Edit(incident, incident.MessageId, 11)!;
        Assert.Null(Edit(incident, incident.MessageId, 11));
        Assert.Null(Edit(incident, incident.MessageId, 3));
        Assert.Equal((6, 4), (incident.EditCount, incident.History.Count));
    }

    [Fact]
    public void Every_lifecycle_entry_is_kept_and_changes_between_them_are_merged()
    {
        var incident = _lifecycle.FollowUp(Created(), CitizenMessageOf("m-follow", At(0)) with { Text = "Уточняю: дом 5" }, At(0))!;
        var minute = 1;
        var applied = 0;
        void Changes(int times)
        {
            for (var n = 0; n < times; n++, minute++)
            {
                // Edits of the incident's message and of the follow-up, deletions and restorations, interleaved.
                var change = (n % 4) switch
                {
                    0 => Edit(incident, incident.MessageId, minute),
                    1 => Edit(incident, "m-follow", minute),
                    2 => Change(incident, IncidentActions.Deleted, incident.MessageId, minute, ""),
                    _ => Change(incident, IncidentActions.Restored, incident.MessageId, minute, incident.Text),
                };
                incident = change!;
                applied++;
            }
        }

        Changes(400);
        incident = _lifecycle.Take(incident, new StaffCommand("ivanov", At(minute++)));
        Changes(400);
        incident = _lifecycle.Answer(incident, new StaffCommand("ivanov", At(minute++), "Ремонт назначен"), AnswerKind.Final, SeedCatalog.Snapshot);
        Changes(400);
        incident = _lifecycle.Reopen(incident, new StaffCommand("petrov", At(minute++), "Ответ неполный"), SeedCatalog.Snapshot);
        for (var round = 0; round < 40; round++)
        {
            incident = _lifecycle.Assign(incident, new StaffCommand("petrov", At(minute++)), round % 2 == 0 ? "sidorov" : "ivanov");
            Changes(8);
        }

        var lifecycle = incident.History.Where(h => !IncidentActions.IsMessageChange(h.Action)).Select(h => h.Action).ToList();
        Assert.Equal(["created", "follow_up", "take", "answer_final", "reopen", .. Enumerable.Repeat("assign", 40)], lifecycle);
        var changes = incident.History.Where(h => IncidentActions.IsMessageChange(h.Action)).ToList();
        Assert.Equal(applied, changes.Sum(h => h.Count));
        // Three runs of four kinds, then the cap: merged into each kind's latest entry wherever it is.
        Assert.InRange(changes.Count, 12, new LifecycleOptions().MessageChangesKept + 4);
        Assert.Equal(changes.Where(h => h.Action == IncidentActions.Edited && h.MessageId == incident.MessageId).Sum(h => h.Count), incident.EditCount);
        Assert.Equal((double)(minute - 1), changes.Max(h => h.LastAt)!.Value.Subtract(Received).TotalMinutes);
    }

    [Fact]
    public void Changes_of_a_follow_up_the_history_does_not_keep_are_not_recorded()
    {
        var incident = Created();
        var kept = new LifecycleOptions().FollowUpsKept;
        for (var n = 0; n <= kept; n++)
        {
            incident = _lifecycle.FollowUp(incident, CitizenMessageOf($"f-{n}", At(n)) with { Text = "Так и не заделали!" }, At(n))!;
        }

        Assert.NotNull(Edit(incident, "f-0", 100));
        Assert.Null(Edit(incident, $"f-{kept}", 100));
    }

    [Fact]
    public void A_stored_entry_from_before_merging_reads_as_one_change()
    {
        var entry = JsonSerializer.Deserialize<IncidentHistoryEntry>(
            """{"At":"2026-03-02T10:00:00+04:00","Actor":"citizen:501","Action":"edited","FromStatus":1,"ToStatus":1,"Comment":"x","MessageId":"m-1"}""")!;
        Assert.Equal((1, (DateTimeOffset?)null), (entry.Count, entry.LastAt));
    }

    private Incident Created() =>
        new IncidentFactory(Calculator, Clocks).Create(new RoutedMessage(CitizenMessageOf("m-1", Received), Decision()), SeedCatalog.Snapshot, Received)
            with { Id = "INC-000001", Sequence = 1, Version = 1 };

    private Incident? Edit(Incident incident, string messageId, int minute) =>
        Change(incident, IncidentActions.Edited, messageId, minute, TextOf(minute));

    private Incident? Change(Incident incident, string action, string messageId, int minute, string text) =>
        _lifecycle.MessageChanged(incident, action, CitizenMessageOf(messageId, Received) with { Text = text, ReceivedAt = At(minute) }, At(minute));

    private static DateTimeOffset At(int minute) => Received.AddMinutes(minute);

    private static string TextOf(int n) => $"Яма на Южном шоссе у дома {n:D4}";
}
