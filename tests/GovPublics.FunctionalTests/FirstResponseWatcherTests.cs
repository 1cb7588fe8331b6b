using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using GovPublics.Catalog;
using GovPublics.Common.Redis;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Pipeline;
using GovPublics.Sla.Domain.Timers;
using GovPublics.Sla.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GovPublics.FunctionalTests;

/// <summary>
/// The first-response watcher against a real redis-server, on a fake clock: it turns first responses set on the
/// incident records into OpenTelemetry measurements exactly once, counts breached deadlines once, and reports the
/// overdue backlog per authority.
/// </summary>
public sealed class FirstResponseWatcherTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncDisposable
{
    private const string Authority = "adm-chapaevsk";
    private static readonly TimeSpan _samara = TimeSpan.FromHours(4);
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _measured = new();

    public ValueTask DisposeAsync() => _metrics.DisposeAsync();

    private static DateTimeOffset Samara(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, _samara);

    private MeterListener Listen(IMeterFactory factory)
    {
        var listener = new MeterListener
        {
            // Only this test's meter: other tests in the process have their own.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _measured.Enqueue((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measured.Enqueue((i.Name, v, Tags(tags))));
        listener.Start();
        return listener;
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var (key, value) in tags)
        {
            result[key] = value;
        }

        return result;
    }

    private List<(double Value, Dictionary<string, object?> Tags)> Take(string name)
    {
        var all = _measured.ToList();
        _measured.Clear();
        foreach (var other in all.Where(m => m.Name != name))
        {
            _measured.Enqueue(other);
        }

        return [.. all.Where(m => m.Name == name).Select(m => (m.Value, m.Tags))];
    }

    /// <summary>The shipped timer policy on the default clock (these tests read and write incidents, they fire no timers).</summary>
    private static TimerPlan TimerPlanFor(CalendarSet calendars)
    {
        var clocks = new WorkingClocks(calendars);
        return new TimerPlan(TimerPolicy.LoadFile(Path.Combine(AppContext.BaseDirectory, "Policies", "timers.json")), _ => clocks.For(null));
    }

    [Fact]
    public async Task A_re_routed_incidents_breach_of_its_new_deadline_is_the_new_authoritys_and_counts_too()
    {
        var keys = new RedisKeys("64"); // apart from the other tests' incidents on the same server
        var analyticsKeys = new AnalyticsKeys(keys);
        var options = Options.Create(new AnalyticsOptions { RetentionDays = 100_000 });
        var incidents = new AnalyticsIncidents(redis.Connection, keys, analyticsKeys);
        var clock = new FakeTimeProvider(Samara(20, 12));
        var calendars = CalendarSet.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "Policies", "calendars"));
        var incidentStore = new IncidentStore(redis.Connection, keys, TimerPlanFor(calendars), clock);
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        using var listener = Listen(factory);
        var observer = new FirstResponseObserver(incidents, new WorkingClocks(calendars), new AnalyticsInstruments(factory), options, clock, NullLogger<FirstResponseObserver>.Instance);
        var store = new AnalyticsStore(redis.Connection, analyticsKeys, options);
        var received = Samara(18, 10);
        var (id, _) = await incidentStore.CreateAsync(new Incident
        {
            MessageId = "w-rejected", Category = "roads", AuthorityId = Authority, ReceivedAt = received, CreatedAt = received,
            FirstResponseDue = Samara(19, 10), Status = IncidentStatus.Rejected,
        });
        await store.PlaceIncidentAsync("w-rejected", 0,
            new IncidentPlacement(Authority, received, DateOnly.FromDateTime(received.DateTime), [new TensionCell("chapaevsk", "roads")]), clock.GetUtcNow());

        // Rejected without an answer and past its due time: adm-chapaevsk's miss, as its metrics count it.
        var waiting = await observer.SweepAsync(CatalogSnapshot.Empty, CancellationToken.None);
        Assert.Equal(1, waiting.Breached);
        Assert.Equal(Authority, Assert.Single(Take("govpublics.sla.first_response.breaches")).Tags["authority_id"]);

        // Re-routed to Otradny with a deadline of its own, which passes unanswered: Otradny's breach.
        await incidentStore.UpdateAsync(id, "reroute", i => i with { AuthorityId = "adm-otradny", Status = IncidentStatus.New, FirstResponseDue = Samara(23, 10) }, CancellationToken.None);
        clock.SetUtcNow(Samara(23, 12));
        var late = await observer.SweepAsync(CatalogSnapshot.Empty, CancellationToken.None);
        Assert.Equal(1, late.Breached);
        Assert.Equal("adm-otradny", Assert.Single(Take("govpublics.sla.first_response.breaches")).Tags["authority_id"]);
    }

    [Fact]
    public async Task First_responses_and_breaches_are_measured_once_and_the_backlog_follows_the_clock()
    {
        var keys = new RedisKeys("63");
        var analyticsKeys = new AnalyticsKeys(keys);
        var options = Options.Create(new AnalyticsOptions { RetentionDays = 100_000 });
        var store = new AnalyticsStore(redis.Connection, analyticsKeys, options);
        var incidents = new AnalyticsIncidents(redis.Connection, keys, analyticsKeys);
        var clock = new FakeTimeProvider(Samara(20, 12));
        var calendars = CalendarSet.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "Policies", "calendars"));
        var incidentStore = new IncidentStore(redis.Connection, keys, TimerPlanFor(calendars), clock);
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        var instruments = new AnalyticsInstruments(factory);
        using var listener = Listen(factory);
        var observer = new FirstResponseObserver(incidents, new WorkingClocks(calendars), instruments, options, clock, NullLogger<FirstResponseObserver>.Instance);

        (string Id, DateTimeOffset Received, DateTimeOffset Due, DateTimeOffset? Responded, IncidentStatus Status)[] cases =
        [
            ("w-in-time", Samara(16, 10), Samara(17, 10), Samara(16, 11, 30), IncidentStatus.Answered), // 1.5 working hours
            ("w-late", Samara(17, 9), Samara(17, 18), Samara(19, 15), IncidentStatus.Answered),          // 21 working hours
            ("w-overdue", Samara(18, 10), Samara(19, 10), null, IncidentStatus.InProgress),
            ("w-due-tonight", Samara(20, 9), Samara(20, 18), null, IncidentStatus.New),
            ("w-closed", Samara(18, 11), Samara(19, 11), null, IncidentStatus.Closed),
        ];
        var placed = new List<(string Id, IncidentPlacement Placement)>();
        foreach (var (id, received, due, responded, status) in cases)
        {
            await incidentStore.CreateAsync(new Incident
            {
                MessageId = id, Category = "roads", AuthorityId = Authority, ReceivedAt = received, CreatedAt = received,
                FirstResponseDue = due, FirstResponseAt = responded, Status = status,
            });
            var placement = new IncidentPlacement(Authority, received, DateOnly.FromDateTime(received.DateTime), [new TensionCell("chapaevsk", "roads")]);
            Assert.Equal(IncidentRecordOutcome.Counted, await store.PlaceIncidentAsync(id, 0, placement, clock.GetUtcNow()));
            placed.Add((id, placement));
        }

        var first = await observer.SweepAsync(CatalogSnapshot.Empty, CancellationToken.None);
        Assert.Equal((5, 2, 3, 1), (first.Watched, first.Responded, first.Breached, first.Dropped));
        Assert.Equal(new Dictionary<string, long> { [Authority] = 1 }, first.BacklogByAuthority);
        var responses = Take("govpublics.sla.first_responses");
        Assert.Equal([false, true], responses.Select(r => (bool)r.Tags["in_time"]!).Order());
        Assert.All(responses, r => Assert.Equal(Authority, r.Tags["authority_id"]));
        Assert.Equal([1.5, 21], Take("govpublics.sla.first_response.working_hours").Select(h => h.Value).Order());
        Assert.Equal(3, Take("govpublics.sla.first_response.breaches").Count);
        listener.RecordObservableInstruments();
        Assert.Equal([(1.0, Authority)], Take("govpublics.sla.first_response.overdue_backlog").Select(b => (b.Value, (string)b.Tags["authority_id"]!)));

        // The same moment again, and the same incidents placed again: nothing is measured twice.
        foreach (var (id, placement) in placed)
        {
            Assert.Equal(IncidentRecordOutcome.Unchanged, await store.PlaceIncidentAsync(id, 0, placement, clock.GetUtcNow()));
        }

        var again = await observer.SweepAsync(CatalogSnapshot.Empty, CancellationToken.None);
        Assert.Equal((2, 0, 0, 0), (again.Watched, again.Responded, again.Breached, again.Dropped));
        Assert.Empty(Take("govpublics.sla.first_responses"));
        Assert.Empty(Take("govpublics.sla.first_response.breaches"));

        // 18:30: the evening deadline has passed too.
        clock.Advance(TimeSpan.FromHours(6.5));
        var evening = await observer.SweepAsync(CatalogSnapshot.Empty, CancellationToken.None);
        Assert.Equal((2, 0, 1), (evening.Watched, evening.Responded, evening.Breached));
        Assert.Equal(2, evening.BacklogByAuthority![Authority]);
        Assert.Single(Take("govpublics.sla.first_response.breaches"));
        listener.RecordObservableInstruments();
        Assert.Equal([2.0], Take("govpublics.sla.first_response.overdue_backlog").Select(b => b.Value));

        // Both get answered: each counts once as a late first response, never as a second breach; the backlog empties.
        foreach (var id in new[] { "w-overdue", "w-due-tonight" })
        {
            // As the lifecycle would: the stored record gets its first response.
            var incidentId = (await incidents.ReadAsync([id], CancellationToken.None))[id].Id;
            var record = JsonNode.Parse((await redis.Db.HashGetAsync(keys.IncidentRecords, incidentId)).ToString())!.AsObject();
            record["first_response_at"] = Samara(20, 18, 15);
            await redis.Db.HashSetAsync(keys.IncidentRecords, incidentId, record.ToJsonString());
        }

        var answered = await observer.SweepAsync(CatalogSnapshot.Empty, CancellationToken.None);
        Assert.Equal((2, 2, 0), (answered.Watched, answered.Responded, answered.Breached));
        Assert.Empty(answered.BacklogByAuthority!);
        Assert.All(Take("govpublics.sla.first_responses"), r => Assert.False((bool)r.Tags["in_time"]!));
        Assert.Empty(Take("govpublics.sla.first_response.breaches"));
        listener.RecordObservableInstruments();
        Assert.Equal([0.0], Take("govpublics.sla.first_response.overdue_backlog").Select(b => b.Value));
        Assert.Empty(await incidents.AwaitingAsync(double.NegativeInfinity, 100));
    }

    [Fact]
    public async Task A_long_waiting_list_is_walked_in_bounded_sweeps_and_the_backlog_published_at_the_end_of_a_walk()
    {
        // Its own region: the other test's waiting list is not this one's.
        var keys = new RedisKeys("walk");
        var analyticsKeys = new AnalyticsKeys(keys);
        var options = Options.Create(new AnalyticsOptions { RetentionDays = 100_000, WatchBatch = 2 });
        var store = new AnalyticsStore(redis.Connection, analyticsKeys, options);
        var incidents = new AnalyticsIncidents(redis.Connection, keys, analyticsKeys);
        var clock = new FakeTimeProvider(Samara(27, 12));
        var calendars = CalendarSet.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "Policies", "calendars"));
        var incidentStore = new IncidentStore(redis.Connection, keys, TimerPlanFor(calendars), clock);
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        using var listener = Listen(factory);
        var observer = new FirstResponseObserver(incidents, new WorkingClocks(calendars), new AnalyticsInstruments(factory), options, clock,
            NullLogger<FirstResponseObserver>.Instance);
        for (var i = 0; i < 5; i++)
        {
            var received = Samara(23, 10 + i);
            await incidentStore.CreateAsync(new Incident
            {
                MessageId = $"walk-{i}", Category = "roads", AuthorityId = "adm-kinel", ReceivedAt = received, CreatedAt = received,
                FirstResponseDue = received.AddDays(1),
            });
            await store.PlaceIncidentAsync($"walk-{i}", 0, new IncidentPlacement("adm-kinel", received, DateOnly.FromDateTime(received.DateTime), []), clock.GetUtcNow());
        }

        var sweeps = new List<FirstResponseSweep>();
        for (var i = 0; i < 4; i++)
        {
            sweeps.Add(await observer.SweepAsync(CatalogSnapshot.Empty, CancellationToken.None));
        }

        Assert.Equal([2, 2, 1, 2], sweeps.Select(s => s.Watched));
        Assert.Equal([null, null, 5L, null], sweeps.Select(s => s.BacklogByAuthority?.GetValueOrDefault("adm-kinel")));
        Assert.Equal(5, sweeps.Sum(s => s.Breached));
        Assert.Equal(5, Take("govpublics.sla.first_response.breaches").Count);
        listener.RecordObservableInstruments();
        Assert.Equal([5.0], Take("govpublics.sla.first_response.overdue_backlog").Select(b => b.Value));
    }
}
