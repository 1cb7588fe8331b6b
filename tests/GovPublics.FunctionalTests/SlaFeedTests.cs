using System.Collections.Concurrent;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

/// <summary>WatchIncidents (filters, resume, reset) and the territory and period filters of ListIncidents.</summary>
public sealed class SlaFeedTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly TimeSpan _samara = TimeSpan.FromHours(4);
    private static readonly DateTimeOffset _monday = new(2026, 3, 2, 10, 0, 0, _samara);

    [Fact]
    public async Task WatchIncidents_streams_the_timers_events_with_filters_and_resumes_without_gaps_or_repeats()
    {
        await using var cluster = await SlaCluster.StartAsync(redis, _monday, replicas: 1);
        var client = cluster.Client();
        await using var all = Watch.Start(client, new WatchIncidentsRequest());
        await using var parent = Watch.Start(client, new WatchIncidentsRequest { AuthorityIds = { "adm-samara" } });
        await using var breaches = Watch.Start(client, new WatchIncidentsRequest { Events = { "breach" }, Statuses = { IncidentStatus.New } });
        foreach (var watch in new[] { all, parent, breaches })
        {
            // Every stream starts with a position-only item: where it starts.
            await Eventually.True(() => Task.FromResult(!watch.Items.IsEmpty), "the stream started");
            Assert.True(watch.Items.First() is { Event: "", Incident: null, ResetRequired: false } start && start.Position.Length > 0);
        }

        var kirovsky = await cluster.CreateIncidentAsync("w-kirovsky", "adm-samara-kirovsky", "samara", "samara-kirovsky");
        var tolyatti = await cluster.CreateIncidentAsync("w-tolyatti", "adm-tolyatti", "tolyatti");
        // Wednesday 16:00: every step of both fired (Kirovsky district: 3 escalations; Tolyatti: Government, ЦУР).
        cluster.Clock.AdvanceTo(new DateTimeOffset(2026, 3, 4, 16, 0, 0, _samara));
        await Eventually.True(async () => (await cluster.FeedAsync()).Count == 11, "every step fired");
        var feed = await cluster.FeedAsync();

        await Eventually.True(() => Task.FromResult(all.Events.Count >= 11), "all events watched");
        Assert.Equal(feed, all.Events.Select(e => (e.Incident.Id, e.Event)));
        Assert.Equal(all.Events.Select(e => e.Position).Distinct().Count(), all.Events.Count);
        Assert.All(all.Events, e => Assert.Equal(IncidentStatus.New, e.Incident.Status));
        var lastEscalation = all.Events.Last(e => e.Incident.Id == kirovsky.Id);
        Assert.Equal(("escalated", 3, 6L), (lastEscalation.Event, lastEscalation.Incident.Escalations.Count, lastEscalation.Version));

        // The parent authority sees the district's incident from its escalation to it on; the other not at all.
        await Eventually.True(() => Task.FromResult(parent.Events.Count >= 3), "escalations watched by the parent");
        Assert.Equal([(kirovsky.Id, "escalated"), (kirovsky.Id, "escalated"), (kirovsky.Id, "escalated")], parent.Events.Select(e => (e.Incident.Id, e.Event)));
        await Eventually.True(() => Task.FromResult(breaches.Events.Count >= 2), "breaches watched");
        Assert.Equal([(kirovsky.Id, "breach"), (tolyatti.Id, "breach")], breaches.Events.Select(e => (e.Incident.Id, e.Event)).Order());

        // Resume after the fourth event: exactly the other seven. From the first position: everything.
        await using var resumed = Watch.Start(client, new WatchIncidentsRequest { FromPosition = all.Events[3].Position });
        await Eventually.True(() => Task.FromResult(resumed.Events.Count >= 7), "resumed");
        Assert.Equal(all.Events.Skip(4).Select(e => e.Position), resumed.Events.Select(e => e.Position));
        await using var replayed = Watch.Start(client, new WatchIncidentsRequest { FromPosition = all.Items.First().Position });
        await Eventually.True(() => Task.FromResult(replayed.Events.Count >= 11), "replayed");
        Assert.Equal(all.Events.Select(e => e.Position), replayed.Events.Select(e => e.Position));
    }

    [Fact]
    public async Task WatchIncidents_refuses_malformed_requests_and_asks_for_a_reset_when_the_feed_lost_the_position()
    {
        await using var cluster = await SlaCluster.StartAsync(redis, _monday, replicas: 1);
        var client = cluster.Client();
        for (var i = 0; i < 3; i++)
        {
            await cluster.CreateIncidentAsync($"r-{i}", "adm-syzran", "syzran");
        }

        await using (var bad = Watch.Start(client, new WatchIncidentsRequest { FromPosition = "yesterday", Statuses = { IncidentStatus.Unspecified }, Events = { " " } }))
        {
            var error = await bad.EndedAsync();
            Assert.Equal(StatusCode.InvalidArgument, error?.StatusCode);
            Assert.Equal(["from_position", "statuses", "events"], FieldViolations.Of(error!));
        }

        var last = (await redis.Db.StreamInfoAsync(SlaCluster.EventsStream)).LastGeneratedId.ToString();
        // Ahead of the feed (a store restored from older data): reset.
        await using (var ahead = Watch.Start(client, new WatchIncidentsRequest { FromPosition = "99999999999999-0" }))
        {
            Assert.Null(await ahead.EndedAsync());
            Assert.Equal([(true, last)], ahead.Items.Select(i => (i.ResetRequired, i.Position)));
        }

        // Older than the kept feed: reset. The newest position still works.
        await redis.Db.StreamTrimAsync(SlaCluster.EventsStream, 1);
        await using (var old = Watch.Start(client, new WatchIncidentsRequest { FromPosition = "0-0" }))
        {
            Assert.Null(await old.EndedAsync());
            Assert.Equal([(true, last)], old.Items.Select(i => (i.ResetRequired, i.Position)));
        }

        await using var current = Watch.Start(client, new WatchIncidentsRequest { FromPosition = last });
        await Eventually.True(() => Task.FromResult(!current.Items.IsEmpty), "the stream started");
        Assert.Equal((false, last), (current.Items.First().ResetRequired, current.Items.First().Position));
    }

    [Fact]
    public async Task ListIncidents_filters_by_territory_with_its_districts_and_by_creation_period()
    {
        await using var cluster = await SlaCluster.StartAsync(redis, _monday, replicas: 1);
        var client = cluster.Client();
        var kirovsky = (await cluster.CreateIncidentAsync("l-kirovsky", "adm-samara-kirovsky", "samara", "samara-kirovsky")).Id;
        cluster.Clock.Advance(TimeSpan.FromHours(1));
        var samara = (await cluster.CreateIncidentAsync("l-samara", "adm-samara", "samara")).Id;
        cluster.Clock.Advance(TimeSpan.FromHours(1));
        var tolyatti = (await cluster.CreateIncidentAsync("l-tolyatti", "adm-tolyatti", "tolyatti")).Id;

        async Task<List<string>> Ids(ListIncidentsRequest request) =>
            [.. (await client.ListIncidentsAsync(request)).Incidents.Select(i => i.Id)];
        Timestamp At(double hours) => Timestamp.FromDateTimeOffset(_monday.AddHours(hours));

        Assert.Equal([samara, kirovsky], await Ids(new() { TerritoryId = "samara" }));
        Assert.Equal([kirovsky], await Ids(new() { TerritoryId = "samara-kirovsky" }));
        Assert.Equal([tolyatti], await Ids(new() { TerritoryId = "tolyatti" }));
        Assert.Equal([tolyatti, samara, kirovsky], await Ids(new() { TerritoryId = "samara-oblast" }));
        Assert.Empty(await Ids(new() { TerritoryId = "syzran" }));

        Assert.Equal([tolyatti, samara], await Ids(new() { CreatedFrom = At(0.5) }));
        Assert.Equal([tolyatti, samara], await Ids(new() { CreatedFrom = At(1) }));
        Assert.Equal([samara, kirovsky], await Ids(new() { CreatedTo = At(1.5) }));
        Assert.Equal([kirovsky], await Ids(new() { CreatedTo = At(1) }));
        Assert.Equal([samara], await Ids(new() { CreatedFrom = At(0.5), CreatedTo = At(1.5) }));
        Assert.Equal([samara], await Ids(new() { TerritoryId = "samara", CreatedFrom = At(0.5) }));
        Assert.Equal([samara], await Ids(new() { TerritoryId = "samara", CreatedFrom = At(0.5), PageSize = 1 }));

        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.ListIncidentsAsync(new() { TerritoryId = "atlantis" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var backwards = await Assert.ThrowsAsync<RpcException>(() => client.ListIncidentsAsync(new() { CreatedFrom = At(2), CreatedTo = At(1) }).ResponseAsync);
        Assert.Equal(["created_to"], FieldViolations.Of(backwards));
    }

    /// <summary>A WatchIncidents call read in the background into <see cref="Items"/>.</summary>
    private sealed class Watch : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task<RpcException?> _reading = Task.FromResult<RpcException?>(null);

        public ConcurrentQueue<IncidentEvent> Items { get; } = new();

        /// <summary>The items that carry an event (not position-only).</summary>
        public List<IncidentEvent> Events => [.. Items.Where(i => i.Event.Length > 0)];

        public static Watch Start(SlaService.SlaServiceClient client, WatchIncidentsRequest request)
        {
            var watch = new Watch();
            var call = client.WatchIncidents(request, deadline: DateTime.UtcNow.Add(Eventually.DefaultTimeout * 2), cancellationToken: watch._stop.Token);
            watch._reading = Task.Run(async () =>
            {
                using (call)
                {
                    try
                    {
                        while (await call.ResponseStream.MoveNext(watch._stop.Token))
                        {
                            watch.Items.Enqueue(call.ResponseStream.Current);
                        }

                        return null;
                    }
                    catch (RpcException ex)
                    {
                        return ex;
                    }
                }
            });
            return watch;
        }

        /// <summary>Waits for the server to end the stream: null when it ended normally, else the error.</summary>
        public Task<RpcException?> EndedAsync() => _reading.WaitAsync(Eventually.DefaultTimeout);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reading;
            _stop.Dispose();
        }
    }
}
