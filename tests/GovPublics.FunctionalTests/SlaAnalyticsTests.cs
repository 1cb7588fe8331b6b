using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GovPublics.Common.Pipeline;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Sla.Grpc;
using GovPublics.Sla.Storage;
using GovPublics.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using CommonPb = GovPublics.Contracts.Common.V1;
using DomainIncident = GovPublics.Sla.Domain.Incidents.Incident;
using DomainPlatform = GovPublics.Catalog.Platform;

namespace GovPublics.FunctionalTests;

/// <summary>
/// SLA analytics on a real SLA service (Kestrel, gRPC) and a real redis-server: routed entries in, metrics,
/// ratings and points of tension out, with values worked out by hand. Each test uses its own authority, page or
/// territory, so they share the class's Redis without touching each other's figures.
/// </summary>
public sealed class SlaAnalyticsTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private static readonly TimeSpan _samara = TimeSpan.FromHours(4);
    private SlaHosts _hosts = null!;
    private ServiceHost<SlaGrpcService> _sla = null!;
    private SlaAnalyticsService.SlaAnalyticsServiceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _hosts = await SlaHosts.StartAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            // The test data sit on fixed 2026 dates; keep them however long ago that is.
            ["Sla:Analytics:RetentionDays"] = "100000",
        });
        _sla = _hosts.Sla;
        _client = new SlaAnalyticsService.SlaAnalyticsServiceClient(_sla.Channel);
    }

    public async ValueTask DisposeAsync() => await _hosts.DisposeAsync();

    private static DateTimeOffset Samara(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, _samara);

    private static Timestamp Ts(DateTimeOffset at) => Timestamp.FromDateTimeOffset(at);

    private static CitizenMessage Message(string externalId, DateTimeOffset written, string page = "-1", MessageKind kind = MessageKind.Comment,
        bool fromPage = false, string thread = "", MessageAttachment[]? attachments = null) =>
        PipelineEntries.Message(externalId, $"Сообщение {externalId}", page) with
        {
            MessageId = MessageIdentity.Derive(DomainPlatform.Vk, page, kind, externalId),
            Kind = kind,
            FromPage = fromPage,
            ThreadId = thread,
            Attachments = attachments ?? [],
            CreatedAt = written,
            ReceivedAt = written,
        };

    private static RoutedMessage NotIncident(CitizenMessage m) => new(m, new RoutedDecision { IsIncident = false, Category = "none" });

    private static RoutedMessage Incident(CitizenMessage m, string authority, string category = "roads", string municipality = "", string district = "", int revision = 0) =>
        new(m, new RoutedDecision
        {
            IsIncident = true, Category = category, ResponsibleAuthorityId = authority, MunicipalityId = municipality, DistrictId = district,
            Confidence = 0.9, Explanation = "test", Revision = revision,
        });

    private async Task AddAsync(IEnumerable<RoutedMessage> routed)
    {
        foreach (var r in routed)
        {
            await PipelineEntries.AddRoutedAsync(redis.Db, r);
        }
    }

    /// <summary>Waits until both consumer groups have handled and acknowledged every entry of the routed stream.</summary>
    private Task CaughtUpAsync() => PipelineEntries.RoutedCaughtUpAsync(redis.Db, "sla", "sla-analytics");

    [Fact]
    public async Task Authority_metrics_count_first_responses_on_the_authoritys_working_clock()
    {
        // Incident records as the lifecycle would have left them (first responses set), stored before routing
        // delivers their messages, so the SLA consumer finds them and analytics indexes them.
        var store = _sla.Services.GetRequiredService<IncidentStore>();
        (string Id, DateTimeOffset Received, DateTimeOffset Due, DateTimeOffset? Responded, string Authority)[] cases =
        [
            ("m-a1", Samara(3, 16, 10), Samara(3, 17, 10), Samara(3, 16, 11, 30), "adm-syzran"),    // 1.5 h, in time
            ("m-a2", Samara(3, 16, 17), Samara(3, 17, 17), Samara(3, 17, 10), "adm-syzran"),        // 1 + 1 h, in time
            ("m-a4", Samara(3, 17, 9), Samara(3, 17, 18), Samara(3, 19, 15), "adm-syzran"),         // 8 + 8 + 5 h, late
            ("m-a5", Samara(3, 18, 10), Samara(3, 19, 10), null, "adm-syzran"),                     // overdue, on the desk
            ("m-a7", Samara(3, 20, 17, 30), Samara(3, 23, 17, 30), null, "adm-syzran"),             // not due yet
            ("m-a8", Samara(3, 12, 10), Samara(3, 13, 10), null, "adm-syzran"),                     // the week before, overdue
            ("m-o1", Samara(3, 18, 12), Samara(3, 19, 12), Samara(3, 18, 13), "adm-otradny"),        // another authority
        ];
        var routed = new List<RoutedMessage>();
        foreach (var (id, received, due, responded, authority) in cases)
        {
            var message = Message(id, received);
            await store.CreateAsync(new DomainIncident
            {
                MessageId = message.MessageId, Category = "roads", AuthorityId = authority, ReceivedAt = received, CreatedAt = received,
                FirstResponseDue = due, FirstResponseAt = responded, Text = message.Text,
            });
            routed.Add(Incident(message, authority));
        }

        routed.Add(NotIncident(Message("m-thanks", Samara(3, 17, 12))));
        await AddAsync(routed);
        await CaughtUpAsync();

        var request = new GetAuthorityMetricsRequest { AuthorityId = "adm-syzran", From = Ts(Samara(3, 16, 0)), To = Ts(Samara(3, 23, 0)), AsOf = Ts(Samara(3, 23, 12)) };
        var m = Assert.Single((await _client.GetAuthorityMetricsAsync(request)).Authorities);
        Assert.Equal("adm-syzran", m.AuthorityId);
        Assert.Equal("Europe/Samara", m.TimeZone);
        Assert.False(string.IsNullOrEmpty(m.AuthorityName));
        Assert.Equal((5, 3, 2, 1, 1, 1), (m.Incidents, m.Answered, m.AnsweredInTime, m.AnsweredLate, m.OverdueUnanswered, m.Pending));
        // 1.5, 2 and 21 working hours: median 2, 90th percentile 2 + 0.8 · 19.
        Assert.Equal(2, m.MedianFirstResponseWorkingHours, 9);
        Assert.Equal(17.2, m.P90FirstResponseWorkingHours, 9);
        Assert.Equal(0.5, m.InTimeShare, 12);
        Assert.Equal(2, m.OverdueBacklog);
        Assert.Equal(0, m.Reopened);
        Assert.Equal(0, m.ReopenedShare);

        // The same entries delivered again change nothing.
        await AddAsync(routed);
        await CaughtUpAsync();
        Assert.Equal(m, Assert.Single((await _client.GetAuthorityMetricsAsync(request)).Authorities));

        // Every authority: the catalogue's, each with its own figures.
        var all = await _client.GetAuthorityMetricsAsync(new GetAuthorityMetricsRequest { From = request.From, To = request.To, AsOf = request.AsOf });
        Assert.True(all.Authorities.Count > 50);
        Assert.Equal(m, all.Authorities.Single(a => a.AuthorityId == "adm-syzran"));
        var otradny = all.Authorities.Single(a => a.AuthorityId == "adm-otradny");
        Assert.Equal((1, 1), (otradny.Incidents, otradny.AnsweredInTime));
        var quiet = all.Authorities.Single(a => a.AuthorityId == "adm-kinel");
        Assert.Equal(0, quiet.Incidents);
        Assert.False(quiet.HasMedianFirstResponseWorkingHours);
        Assert.False(quiet.HasInTimeShare);
        Assert.Equal(all.Authorities.Select(a => a.AuthorityId).Order(StringComparer.Ordinal), all.Authorities.Select(a => a.AuthorityId));
    }

    [Fact]
    public async Task Pages_are_ranked_with_their_components_from_posts_comments_answers_and_reported_stats()
    {
        const string Page = "-224464152"; // vk-adm-syzran, 41,130 subscribers
        const string Other = "-208424532"; // vk-adm-tolyatti: its answers do not answer Syzran's comments
        MessageAttachment[] photo = [new("photo", "https://vk.com/photo1")];
        var thread1 = "wall-224464152_1";
        var routed = new List<RoutedMessage>
        {
            // Five posts, four with a photo: 5 a week, 80% visual.
            NotIncident(Message("post:1", Samara(3, 16, 9), Page, MessageKind.PagePost, fromPage: true, thread: thread1, attachments: photo)),
            NotIncident(Message("post:2", Samara(3, 17, 9), Page, MessageKind.PagePost, fromPage: true, thread: "wall-224464152_2", attachments: photo)),
            NotIncident(Message("post:3", Samara(3, 18, 9), Page, MessageKind.PagePost, fromPage: true, attachments: photo)),
            NotIncident(Message("post:4", Samara(3, 19, 9), Page, MessageKind.PagePost, fromPage: true, attachments: photo)),
            NotIncident(Message("post:5", Samara(3, 20, 9), Page, MessageKind.PagePost, fromPage: true, attachments: [new("link", "https://samara.ru")])),
            // Thread 1: two comments answered by one reply (2 h and 1 h), a third answered the next morning (1 + 4 + 1 h).
            NotIncident(Message("c1", Samara(3, 17, 9), Page, thread: thread1)),
            NotIncident(Message("c2", Samara(3, 17, 10), Page, thread: thread1)),
            NotIncident(Message("r1", Samara(3, 17, 11), Page, fromPage: true, thread: thread1)),
            NotIncident(Message("c3", Samara(3, 17, 12), Page, thread: thread1)),
            NotIncident(Message("r-elsewhere", Samara(3, 17, 13), Other, fromPage: true, thread: thread1)),
            NotIncident(Message("r2", Samara(3, 18, 10), Page, fromPage: true, thread: thread1)),
            // Thread 2: the page's answer arrives before the comment it answers (1 h).
            NotIncident(Message("r3", Samara(3, 19, 11), Page, fromPage: true, thread: "wall-224464152_2")),
            // A comment that is also an incident counts as a comment all the same (its authority is not Syzran's, so
            // the metrics test's figures stay its own).
            Incident(Message("c4", Samara(3, 19, 10), Page, thread: "wall-224464152_2"), "adm-syzransky", municipality: "syzransky"),
            // Thread 3: never answered.
            NotIncident(Message("c5", Samara(3, 20, 10), Page, thread: "wall-224464152_3")),
            // A private message is no comment.
            NotIncident(Message("pm", Samara(3, 20, 11), Page, MessageKind.PrivateMessage)),
        };
        await AddAsync(routed);

        PostStats Stats(string post, long likes, long comments, long reposts, DateTimeOffset observed) => new()
        {
            Platform = CommonPb.Platform.Vk, PageExternalId = Page, PostExternalId = post,
            Likes = likes, Comments = comments, Reposts = reposts, Views = 10_000, ObservedAt = Ts(observed),
        };
        var first = await _client.ReportPostStatsAsync(new ReportPostStatsRequest
        {
            Items = { Stats("post:1", 100, 20, 3, Samara(3, 24, 10)), Stats("post:2", 200, 50, 6, Samara(3, 24, 10)), Stats("post:999", 5, 0, 0, Samara(3, 24, 10)) },
        });
        Assert.All(first.Results, r => Assert.True(r.Stored));
        await CaughtUpAsync();
        // A later observation replaces an earlier one; an older one is ignored.
        var second = await _client.ReportPostStatsAsync(new ReportPostStatsRequest
        {
            Items = { Stats("post:1", 120, 30, 5, Samara(3, 25, 10)), Stats("post:2", 1, 1, 1, Samara(3, 23, 10)), Stats("post:999", 6, 0, 0, Samara(3, 25, 10)) },
        });
        Assert.Equal([(true, true), (false, true), (true, false)], second.Results.Select(r => (r.Stored, r.PostKnown)));

        // Everything delivered twice: nothing counts twice.
        await AddAsync(routed);
        await CaughtUpAsync();

        var request = new RankPagesRequest { From = Ts(Samara(3, 16, 0)), To = Ts(Samara(3, 23, 0)), OwnerAuthorityId = "adm-syzran" };
        var ranking = await _client.RankPagesAsync(request);
        Assert.Equal(132, ranking.RankedPages);
        Assert.Equal("2026-11-default", ranking.PolicyVersion);
        var page = ranking.Pages[0];
        Assert.Equal(("vk-adm-syzran", 1, 41_130L), (page.PageId, page.Rank, page.Subscribers));
        Assert.Equal(new PageActivityCounts { Posts = 5, PostsWithVisuals = 4, PostsWithStats = 2, Interactions = 155 + 256, CitizenComments = 5, AnsweredComments = 4 }, page.Counts);
        var c = page.Components.ToDictionary(x => x.Code);
        Assert.Equal(5, c["posts_per_week"].Value, 9);
        Assert.Equal(0.8, c["visual_share"].Value, 9);
        var engagement = (155 + 256) / 2.0 / 41_130 * 1000;
        Assert.Equal(engagement, c["engagement_per_post_per_1000"].Value, 9);
        Assert.Equal(0.8, c["comments_answered_share"].Value, 9);
        // Answered after 2, 1, 6 and 1 working hours.
        Assert.Equal(1.5, c["median_response_working_hours"].Value, 9);
        Assert.Equal(650.0 / 7, c["median_response_working_hours"].Score, 9);
        var total = ((20 * 500.0 / 7) + (15 * 100) + (25 * engagement * 10) + (25 * 100) + (15 * 650.0 / 7)) / 100;
        Assert.Equal(total, page.TotalScore, 9);
        Assert.Equal(("flagship", "флагманский"), (page.ClassCode, page.ClassName));

        // The owner's other pages have no data: total 0, sharing rank 2 with every other page.
        Assert.Equal(3, ranking.Pages.Count);
        Assert.All(ranking.Pages.Skip(1), p => Assert.Equal((2, 0.0, "business_card"), (p.Rank, p.TotalScore, p.ClassCode)));

        var okRequest = request.Clone();
        okRequest.Platform = CommonPb.Platform.Ok;
        var ok = await _client.RankPagesAsync(okRequest);
        Assert.Equal(["ok-adm-syzran"], ok.Pages.Select(p => p.PageId));

        // Paging: two, then the last one.
        var firstPage = await _client.RankPagesAsync(new RankPagesRequest { From = request.From, To = request.To, OwnerAuthorityId = "adm-syzran", PageSize = 2 });
        Assert.Equal(2, firstPage.Pages.Count);
        var secondPage = await _client.RankPagesAsync(new RankPagesRequest { From = request.From, To = request.To, OwnerAuthorityId = "adm-syzran", PageSize = 2, PageToken = firstPage.NextPageToken });
        Assert.Equal("", secondPage.NextPageToken);
        Assert.Equal(ranking.Pages.Select(p => p.PageId), firstPage.Pages.Concat(secondPage.Pages).Select(p => p.PageId));
    }

    [Fact]
    public async Task A_synthetic_spike_is_the_top_point_of_tension_and_a_reroute_moves_its_count()
    {
        var at = new DateTimeOffset(2026, 10, 14, 15, 0, 0, _samara); // Wednesday; baseline 16 Sep – 13 Oct
        var routed = new List<RoutedMessage>();
        var n = 0;
        RoutedMessage Add(DateTimeOffset written, string authority, string category, string municipality, string district = "", int revision = 0, string? id = null)
        {
            var r = Incident(Message(id ?? $"t-{n++}", written), authority, category, municipality, district, revision);
            routed.Add(r);
            return r;
        }

        for (var week = 0; week < 4; week++)
        {
            // Zhigulevsk: one waste incident a week. Kirovsky district of Samara: three utilities incidents a week.
            Add(at.AddDays(-27 + (7 * week)).AddHours(-3), "adm-zhigulevsk", "waste", "zhigulevsk");
            for (var i = 0; i < 3; i++)
            {
                Add(at.AddDays(-26 + (7 * week) + i), "adm-samara-kirovsky", "housing_utilities", "samara", "samara-kirovsky");
            }
        }

        // Today: five in Zhigulevsk, of which one is re-routed to Otradny; three in Kirovsky; one in a quiet village.
        var today = Enumerable.Range(0, 5).Select(i => Add(at.AddHours(-5 + i), "adm-zhigulevsk", "waste", "zhigulevsk")).ToList();
        for (var i = 0; i < 3; i++)
        {
            Add(at.AddHours(-4 + i), "adm-samara-kirovsky", "housing_utilities", "samara", "samara-kirovsky");
        }

        Add(at.AddHours(-1), "adm-isaklinsky", "roads", "isaklinsky");
        var moved = today[4];
        var reroute = Incident(moved.Message, "adm-otradny", "waste", "otradny", revision: 1);
        routed.Add(reroute);
        await AddAsync(routed);
        await CaughtUpAsync();
        // Everything again, and the first decision on the moved message once more: no count changes.
        await AddAsync([.. routed, moved]);
        await CaughtUpAsync();

        var rising = await _client.GetTensionPointsAsync(new GetTensionPointsRequest { At = Ts(at) });
        Assert.Equal(new DateTimeOffset(2026, 10, 14, 0, 0, 0, _samara), rising.WindowStart.ToDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 10, 15, 0, 0, 0, _samara), rising.WindowEnd.ToDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 9, 16, 0, 0, 0, _samara), rising.BaselineStart.ToDateTimeOffset());
        Assert.Contains("expected = median weekly count / 7 x 1 d", rising.Method, StringComparison.Ordinal);
        Assert.Contains("count >= 3, ratio >= 2", rising.Method, StringComparison.Ordinal);
        Assert.Equal(
            [("zhigulevsk", "waste"), ("samara", "housing_utilities"), ("samara-kirovsky", "housing_utilities")],
            rising.Points.Select(p => (p.TerritoryId, p.Category)));
        var spike = rising.Points[0];
        Assert.Equal(4, spike.CurrentCount);
        Assert.Equal([1L, 1, 1, 1], spike.BaselineWeeklyCounts);
        Assert.Equal(1.0 / 7, spike.Expected, 12);
        Assert.Equal(28, spike.Ratio, 9);
        Assert.Equal((4 - (1.0 / 7)) / Math.Sqrt(1.0 / 7), spike.Score, 9);
        Assert.True(spike.Rising);
        Assert.Equal("zhigulevsk", spike.MunicipalityId);
        Assert.False(string.IsNullOrEmpty(spike.TerritoryName));
        Assert.Equal(today.Take(4).Select(r => r.Message.MessageId).Order(), spike.Samples.Select(s => s.MessageId).Order());
        Assert.All(spike.Samples, s => Assert.Matches("^INC-\\d{6}$", s.IncidentId));
        Assert.All(spike.Samples, s => Assert.StartsWith("Сообщение", s.Text, StringComparison.Ordinal));

        var kirovsky = rising.Points[2];
        Assert.Equal((3L, 3.0 / 7, "samara"), (kirovsky.CurrentCount, kirovsky.Expected, kirovsky.MunicipalityId));
        Assert.Equal((3 - (3.0 / 7)) / Math.Sqrt(3.0 / 7), kirovsky.Score, 9);

        var all = await _client.GetTensionPointsAsync(new GetTensionPointsRequest { At = Ts(at), IncludeAll = true });
        Assert.Equal(
            [("zhigulevsk", true), ("samara", true), ("samara-kirovsky", true), ("isaklinsky", false), ("otradny", false)],
            all.Points.Select(p => (p.TerritoryId, p.Rising)));
        Assert.Equal(1, all.Points.Single(p => p.TerritoryId == "otradny").CurrentCount);

        var samara = await _client.GetTensionPointsAsync(new GetTensionPointsRequest { At = Ts(at), MunicipalityId = "samara", IncludeAll = true, Top = 1 });
        Assert.Equal(["samara"], samara.Points.Select(p => p.TerritoryId));

        // Over two weeks (1 – 14 Oct) the Zhigulevsk cell had 1 + 1 + 4 against 1 a week before (17 – 30 Sep), so
        // 2 expected: three times as many, but only (6 − 2) / √2 ≈ 2.8 standard deviations: no rise.
        var fortnight = await _client.GetTensionPointsAsync(new GetTensionPointsRequest { At = Ts(at), WindowDays = 14, BaselineWeeks = 2, IncludeAll = true });
        var zhigulevsk = fortnight.Points.Single(p => p.TerritoryId == "zhigulevsk");
        Assert.Equal(6, zhigulevsk.CurrentCount);
        Assert.Equal([1L, 1], zhigulevsk.BaselineWeeklyCounts);
        Assert.Equal(2, zhigulevsk.Expected, 9);
        Assert.Equal(4 / Math.Sqrt(2), zhigulevsk.Score, 9);
        Assert.False(zhigulevsk.Rising);
    }

    [Fact]
    public async Task A_citizens_follow_up_and_reopening_count_as_the_one_incident_they_joined()
    {
        // Pokhvistnevo is this test's own: no other test here routes there.
        const string Authority = "adm-pokhvistnevo", Municipality = "pokhvistnevo", Thread = "wall-1_7701";
        var created = new ConcurrentQueue<(long Value, object? Authority)>();
        using var listener = ListenToIncidentsCreated(created);
        var lifecycle = new SlaService.SlaServiceClient(_sla.Channel);
        RoutedMessage Written(string externalId, string text) =>
            Incident(Message(externalId, DateTimeOffset.UtcNow, thread: Thread) with { AuthorId = "951", Text = text }, Authority, "roads", Municipality);

        var first = Written("again-1", "Яма у школы");
        await AddAsync([first]);
        var incident = await Eventually.Found(() => lifecycle.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = first.Message.MessageId }).ResponseAsync);
        var followUp = Written("again-2", "Когда заделаете?");
        await AddAsync([followUp]);
        await Eventually.True(async () => (await lifecycle.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id })).FollowUpCount == 1, "the follow-up joining");
        await lifecycle.AnswerIncidentAsync(new AnswerIncidentRequest { Id = incident.Id, Actor = "ivanov", Kind = AnswerKind.Final, Text = "Заделали" });
        var reopening = Written("again-3", "Яма снова на месте");
        await AddAsync([reopening]);
        await Eventually.True(async () => (await lifecycle.GetIncidentAsync(new GetIncidentRequest { Id = incident.Id })).ReopenCount == 1, "the reopening");
        await CaughtUpAsync();

        async Task AssertCountedOnceAsync()
        {
            var now = DateTimeOffset.UtcNow;
            // Two days, so a test running over local midnight still sees all three messages.
            var tension = await _client.GetTensionPointsAsync(new GetTensionPointsRequest { At = Ts(now), WindowDays = 2, MunicipalityId = Municipality, IncludeAll = true });
            var metrics = await _client.GetAuthorityMetricsAsync(new GetAuthorityMetricsRequest { AuthorityId = Authority, From = Ts(now.AddHours(-1)), To = Ts(now), AsOf = Ts(now) });
            // Points of tension, the authority's incidents, the incidents-created counter.
            Assert.Equal((1L, 1, 1L), (Assert.Single(tension.Points).CurrentCount, Assert.Single(metrics.Authorities).Incidents,
                created.Where(c => Equals(c.Authority, Authority)).Sum(c => c.Value)));
        }

        await AssertCountedOnceAsync();

        // All three delivered again: still the one incident.
        await AddAsync([first, followUp, reopening]);
        await CaughtUpAsync();
        await AssertCountedOnceAsync();
    }

    [Fact]
    public async Task An_incident_created_before_a_failure_to_count_it_is_counted_once_when_its_entry_comes_again()
    {
        // Oktyabrsk is this test's own.
        const string Authority = "adm-oktyabrsk", Municipality = "oktyabrsk";
        var created = new ConcurrentQueue<(long Value, object? Authority)>();
        using var listener = ListenToIncidentsCreated(created);
        var routed = Incident(Message("crash-1", DateTimeOffset.UtcNow), Authority, "housing_utilities", Municipality);
        // The SLA consumer's create script ran, then it failed before counting: the entry was never acknowledged.
        var (id, _) = await _sla.Services.GetRequiredService<IncidentStore>().CreateAsync(new DomainIncident
        {
            MessageId = routed.Message.MessageId, Category = "housing_utilities", AuthorityId = Authority, MunicipalityId = Municipality,
            ReceivedAt = routed.Message.ReceivedAt, CreatedAt = routed.Message.ReceivedAt, FirstResponseDue = routed.Message.ReceivedAt.AddDays(1),
            Text = routed.Message.Text,
        });

        // Redelivered, twice.
        await AddAsync([routed, routed]);
        await CaughtUpAsync();

        var now = DateTimeOffset.UtcNow;
        var tension = await _client.GetTensionPointsAsync(new GetTensionPointsRequest { At = Ts(now), WindowDays = 2, MunicipalityId = Municipality, IncludeAll = true });
        var point = Assert.Single(tension.Points);
        Assert.Equal(1, point.CurrentCount);
        Assert.Equal(id, Assert.Single(point.Samples).IncidentId);
        Assert.Equal(1, created.Where(c => Equals(c.Authority, Authority)).Sum(c => c.Value));
    }

    /// <summary>Collects <c>govpublics.sla.incidents.created</c> of this test's SLA host (other hosts in the process have their own meters).</summary>
    private MeterListener ListenToIncidentsCreated(ConcurrentQueue<(long Value, object? Authority)> into)
    {
        var factory = _sla.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "govpublics.sla.incidents.created")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            object? authority = null;
            foreach (var tag in tags)
            {
                authority = tag.Key == "authority_id" ? tag.Value : authority;
            }

            into.Enqueue((value, authority));
        });
        listener.Start();
        return listener;
    }

    [Fact]
    public async Task Bad_requests_are_InvalidArgument_with_every_field_named()
    {
        var monday = Samara(3, 16, 0);
        Assert.Equal(["from", "to"], await Violations(() => _client.GetAuthorityMetricsAsync(new GetAuthorityMetricsRequest()).ResponseAsync));
        Assert.Equal(["to", "authority_id"], await Violations(() => _client.GetAuthorityMetricsAsync(new GetAuthorityMetricsRequest
        {
            AuthorityId = "nobody", From = Ts(monday), To = Ts(monday.AddDays(-1)),
        }).ResponseAsync));
        Assert.Equal(["to", "as_of"], await Violations(() => _client.GetAuthorityMetricsAsync(new GetAuthorityMetricsRequest
        {
            From = Ts(monday), To = Ts(monday.AddDays(94)), AsOf = Ts(monday.AddDays(-1)),
        }).ResponseAsync));

        Assert.Equal(["to", "platform", "owner_authority_id", "page_size", "page_token"], await Violations(() => _client.RankPagesAsync(new RankPagesRequest
        {
            From = Ts(monday), To = Ts(monday.AddHours(12)), Platform = (CommonPb.Platform)9, OwnerAuthorityId = "nobody", PageSize = -1, PageToken = "x",
        }).ResponseAsync));
        Assert.Equal(["to"], await Violations(() => _client.RankPagesAsync(new RankPagesRequest { From = Ts(monday), To = Ts(monday.AddDays(185)) }).ResponseAsync));

        Assert.Equal(["window_days", "baseline_weeks", "top", "municipality_id"], await Violations(() => _client.GetTensionPointsAsync(new GetTensionPointsRequest
        {
            WindowDays = 32, BaselineWeeks = 13, Top = 201, MunicipalityId = "samara-kirovsky",
        }).ResponseAsync));

        Assert.Equal(["items"], await Violations(() => _client.ReportPostStatsAsync(new ReportPostStatsRequest()).ResponseAsync));
        var bad = new ReportPostStatsRequest
        {
            Items =
            {
                // A post no other test reports, so "stored" below depends only on this test.
                new PostStats { Platform = CommonPb.Platform.Vk, PageExternalId = "-224464152", PostExternalId = "post:refused-batch", Likes = 1, ObservedAt = Ts(monday) },
                new PostStats { Platform = CommonPb.Platform.Vk, PageExternalId = "-1", PostExternalId = "post:1", Likes = -1, Views = -5, ObservedAt = Ts(monday) },
                new PostStats { Platform = CommonPb.Platform.Unspecified, PageExternalId = "-224464152" },
                new PostStats { Platform = CommonPb.Platform.Ok, PageExternalId = "70000570606269", PostExternalId = "p", ObservedAt = Ts(DateTimeOffset.UtcNow.AddHours(1)) },
            },
        };
        Assert.Equal(
            ["items[1].page_external_id", "items[1].likes", "items[1].views", "items[2].platform", "items[2].post_external_id", "items[2].observed_at", "items[3].observed_at"],
            await Violations(() => _client.ReportPostStatsAsync(bad).ResponseAsync));
        // Nothing of a refused batch is stored: the valid first item reports as new afterwards.
        var good = await _client.ReportPostStatsAsync(new ReportPostStatsRequest { Items = { bad.Items[0] } });
        Assert.True(good.Results[0].Stored);
    }

    [Fact]
    public async Task Timestamps_a_moment_cannot_hold_are_InvalidArgument_naming_the_field()
    {
        var monday = Samara(3, 16, 0);
        var tooLate = new Timestamp { Seconds = 300_000_000_000 };
        var negativeNanos = new Timestamp { Seconds = Ts(monday).Seconds, Nanos = -1 };
        var tooManyNanos = new Timestamp { Seconds = Ts(monday).Seconds, Nanos = 1_000_000_000 };

        Assert.Equal(["from", "to", "as_of"], await Violations(() => _client.GetAuthorityMetricsAsync(new GetAuthorityMetricsRequest
        {
            From = negativeNanos, To = tooLate, AsOf = tooManyNanos,
        }).ResponseAsync));
        Assert.Equal(["from", "to"], await Violations(() => _client.RankPagesAsync(new RankPagesRequest { From = tooLate, To = negativeNanos }).ResponseAsync));
        Assert.Equal(["at"], await Violations(() => _client.GetTensionPointsAsync(new GetTensionPointsRequest { At = tooLate }).ResponseAsync));

        // A moment in year 1: its window and baseline would start before the first day a date can hold.
        Assert.Equal(["at"], await Violations(() => _client.GetTensionPointsAsync(new GetTensionPointsRequest
        {
            At = Ts(DateTimeOffset.MinValue.AddDays(3)), WindowDays = 7, BaselineWeeks = 4,
        }).ResponseAsync));

        Assert.Equal(["items[0].observed_at"], await Violations(() => _client.ReportPostStatsAsync(new ReportPostStatsRequest
        {
            Items = { new PostStats { Platform = CommonPb.Platform.Vk, PageExternalId = "-224464152", PostExternalId = "post:bad-time", ObservedAt = negativeNanos } },
        }).ResponseAsync));
    }

    private static async Task<IReadOnlyList<string>> Violations<T>(Func<Task<T>> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        return FieldViolations.Of(ex);
    }
}
