using GovPublics.Common.Pipeline;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Sla.Grpc;
using GovPublics.Testing;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

public sealed class SlaTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
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

    private static RoutedMessage Routed(string externalId, string authority, string category, bool incident = true, bool urgent = false) => new(
        PipelineEntries.Message(externalId, $"Сообщение {externalId}"),
        new RoutedDecision
        {
            IsIncident = incident,
            Category = incident ? category : "none",
            Subcategory = incident ? "" : "gratitude",
            Urgent = urgent,
            ResponsibleAuthorityId = incident ? authority : "",
            Confidence = 0.8,
            Explanation = "test",
        });

    [Fact]
    public async Task An_incident_is_created_once_with_its_deadline_even_when_the_entry_is_delivered_twice()
    {
        var routed = Routed("s-1", "adm-tolyatti", "roads");
        await PipelineEntries.AddRoutedAsync(redis.Db, routed);
        await PipelineEntries.AddRoutedAsync(redis.Db, routed);
        var incident = await Eventually.Found(() => _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = routed.Message.MessageId }).ResponseAsync);

        Assert.Matches("^INC-\\d{6}$", incident.Id);
        Assert.Equal(IncidentStatus.New, incident.Status);
        Assert.Equal("Администрация г.о. Тольятти", incident.AuthorityName);
        Assert.True(incident.FirstResponseDueAt.ToDateTimeOffset() > incident.ReceivedAt.ToDateTimeOffset());
        Assert.Contains("working hours", incident.DeadlinePolicy, StringComparison.Ordinal);
        Assert.Equal(incident, await _client.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id }));

        await Eventually.True(async () => (await redis.Db.StreamPendingAsync(PipelineEntries.Routed, "sla")).PendingMessageCount == 0
            && (await redis.Db.StreamGroupInfoAsync(PipelineEntries.Routed)).Single(g => g.Name == "sla").LastDeliveredId
                == (await redis.Db.StreamInfoAsync(PipelineEntries.Routed)).LastGeneratedId, "both deliveries handled");
        var all = await _client.ListIncidentsAsync(new ListIncidentsRequest { PageSize = 500 });
        Assert.Single(all.Incidents, i => i.MessageId == routed.Message.MessageId);
    }

    [Fact]
    public async Task Urgent_incidents_are_due_within_two_calendar_hours()
    {
        var routed = Routed("s-urgent", "adm-samara-kirovsky", "housing_utilities", urgent: true);
        await PipelineEntries.AddRoutedAsync(redis.Db, routed);
        var incident = await Eventually.Found(() => _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = routed.Message.MessageId }).ResponseAsync);
        Assert.True(incident.Urgent);
        Assert.Equal(TimeSpan.FromHours(2), incident.FirstResponseDueAt.ToDateTimeOffset() - incident.ReceivedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task A_message_that_needs_no_action_makes_no_incident()
    {
        var thanks = Routed("s-thanks", "", "", incident: false);
        await PipelineEntries.AddRoutedAsync(redis.Db, thanks);
        // Handled and acknowledged. (A later message's incident would prove nothing: messages of different
        // threads are handled at once, so it may be stored first.)
        await PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla");
        var ex = await Assert.ThrowsAsync<RpcException>(() => _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = thanks.Message.MessageId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task ListIncidents_filters_and_pages_newest_first()
    {
        var routedMessages = Enumerable.Range(0, 7).Select(i => Routed($"list-{i}", i % 2 == 0 ? "adm-otradny" : "adm-kinel", i < 5 ? "improvement" : "waste")).ToList();
        foreach (var r in routedMessages)
        {
            await PipelineEntries.AddRoutedAsync(redis.Db, r);
        }

        // Every one stored, not only the last: messages of different threads are handled at once, in any order.
        foreach (var r in routedMessages)
        {
            await Eventually.Found(() => _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = r.Message.MessageId }).ResponseAsync);
        }

        var pages = new List<Incident>();
        var token = "";
        do
        {
            var page = await _client.ListIncidentsAsync(new ListIncidentsRequest { AuthorityId = "adm-otradny", PageSize = 2, PageToken = token });
            Assert.True(page.Incidents.Count <= 2);
            pages.AddRange(page.Incidents);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(4, pages.Count);
        Assert.All(pages, i => Assert.Equal("adm-otradny", i.AuthorityId));
        Assert.Equal(pages.OrderByDescending(i => i.Id, StringComparer.Ordinal).Select(i => i.Id), pages.Select(i => i.Id));

        var waste = await _client.ListIncidentsAsync(new ListIncidentsRequest { Category = "waste", AuthorityId = "adm-kinel" });
        Assert.Equal(["list-5"], waste.Incidents.Select(i => i.Text.Replace("Сообщение ", "", StringComparison.Ordinal)));
        var overdue = await _client.ListIncidentsAsync(new ListIncidentsRequest { AuthorityId = "adm-kinel", Overdue = true });
        Assert.Empty(overdue.Incidents);
        var inTime = await _client.ListIncidentsAsync(new ListIncidentsRequest { AuthorityId = "adm-kinel", Overdue = false, Status = IncidentStatus.New });
        Assert.Equal(3, inTime.Incidents.Count);
    }

    [Fact]
    public async Task Unknown_ids_are_NotFound_and_bad_requests_InvalidArgument()
    {
        foreach (var id in new[] { "INC-999999", "seq", "by-message:x", "../records" })
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() => _client.GetIncidentAsync(new GetIncidentRequest { Id = id }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
        var empty = await Assert.ThrowsAsync<RpcException>(() => _client.GetIncidentByMessageAsync(new GetIncidentByMessageRequest()).ResponseAsync);
        Assert.Equal(["message_id"], FieldViolations.Of(empty));
        var badToken = await Assert.ThrowsAsync<RpcException>(() => _client.ListIncidentsAsync(new ListIncidentsRequest { PageToken = "x", PageSize = -1 }).ResponseAsync);
        Assert.Equal(["page_size", "page_token"], FieldViolations.Of(badToken));
    }

    [Fact]
    public async Task PreviewDeadlines_shows_the_clock_around_holidays()
    {
        var samara = TimeSpan.FromHours(4);
        Google.Protobuf.WellKnownTypes.Timestamp At(int y, int mo, int d, int h, int mi) =>
            Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(y, mo, d, h, mi, 0, samara));

        // Friday 6 March 2026, 17:30: half an hour that day; Monday 9 March is the day off for 8 March.
        var preview = await _client.PreviewDeadlinesAsync(new PreviewDeadlinesRequest
        {
            AuthorityId = "adm-tolyatti", Topic = "roads", ReceivedAt = At(2026, 3, 6, 17, 30), IntermediateAnswerAt = At(2026, 3, 10, 11, 0),
        });
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 17, 30, 0, samara), preview.FirstResponseDueAt.ToDateTimeOffset());
        Assert.Equal("Europe/Samara", preview.TimeZone);
        Assert.NotNull(preview.FinalAnswerDueAt);
        Assert.Contains("8 working hours", preview.Policy, StringComparison.Ordinal);

        var urgent = await _client.PreviewDeadlinesAsync(new PreviewDeadlinesRequest { AuthorityId = "adm-tolyatti", Topic = "housing_utilities", Urgent = true, ReceivedAt = At(2026, 3, 7, 23, 0) });
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 1, 0, 0, samara), urgent.FirstResponseDueAt.ToDateTimeOffset());

        var bad = await Assert.ThrowsAsync<RpcException>(() => _client.PreviewDeadlinesAsync(new PreviewDeadlinesRequest { Topic = "roads", Kind = "fax" }).ResponseAsync);
        Assert.Equal(["authority_id", "received_at", "kind"], FieldViolations.Of(bad));
        var future = await Assert.ThrowsAsync<RpcException>(() => _client.PreviewDeadlinesAsync(new PreviewDeadlinesRequest { AuthorityId = "adm-tolyatti", Topic = "roads", ReceivedAt = At(2031, 5, 5, 10, 0) }).ResponseAsync);
        Assert.Equal(["received_at"], FieldViolations.Of(future));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _client.PreviewDeadlinesAsync(new PreviewDeadlinesRequest { AuthorityId = "nobody", Topic = "roads", ReceivedAt = At(2026, 3, 6, 10, 0) }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Timestamps_a_moment_cannot_hold_are_InvalidArgument_naming_the_field()
    {
        var tooLate = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 300_000_000_000 };
        var negativeNanos = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1_772_780_400, Nanos = -1 };

        var preview = await Assert.ThrowsAsync<RpcException>(() => _client.PreviewDeadlinesAsync(new PreviewDeadlinesRequest
        {
            AuthorityId = "adm-tolyatti", Topic = "roads", ReceivedAt = tooLate, IntermediateAnswerAt = negativeNanos,
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, preview.StatusCode);
        Assert.Equal(["received_at", "intermediate_answer_at"], FieldViolations.Of(preview));

        var list = await Assert.ThrowsAsync<RpcException>(() => _client.ListIncidentsAsync(new ListIncidentsRequest { CreatedFrom = negativeNanos, CreatedTo = tooLate }).ResponseAsync);
        Assert.Equal(["created_from", "created_to"], FieldViolations.Of(list));
    }
}
