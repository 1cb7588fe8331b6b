using System.Text.Json;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Testing;
using Google.Protobuf.WellKnownTypes;

namespace GovPublics.FunctionalTests;

/// <summary>
/// Timers on real Redis and real SLA hosts whose clock the test moves: warnings, breaches and escalations fire
/// exactly once per incident and step with two replicas, and survive a restart.
/// </summary>
public sealed class SlaTimerTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly TimeSpan _samara = TimeSpan.FromHours(4);

    // Monday 2 March 2026, 10:00 in Samara. A first response is due Tuesday 10:00 (8 working hours); the warning
    // fires Monday 17:00 (6 working hours); escalations every 4 working hours: Tuesday 15:00, Wednesday 10:00 and 15:00.
    private static readonly DateTimeOffset _monday = new(2026, 3, 2, 10, 0, 0, _samara);

    [Fact]
    public async Task Two_replicas_fire_every_step_of_every_incident_exactly_once()
    {
        await using var cluster = await SlaCluster.StartAsync(redis, _monday, replicas: 2);
        var messages = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            messages.Add(await cluster.RouteAsync($"two-{i}", "adm-samara-kirovsky", "samara", "samara-kirovsky"));
        }

        var ids = new List<string>();
        foreach (var message in messages)
        {
            ids.Add((await Eventually.Found(() => cluster.Client(1).GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = message }).ResponseAsync)).Id);
        }

        var first = await cluster.Client(0).GetIncidentAsync(new GetIncidentRequest { Id = ids[0] });
        Assert.Equal(Timestamp.FromDateTimeOffset(_monday), first.CreatedAt);
        Assert.Equal(Timestamp.FromDateTimeOffset(_monday.AddHours(7)), first.NextTimerAt);
        Assert.Empty(first.FiredTimers);

        // The warning: both replicas' workers poll every 20 ms, and the test runs both at once on top.
        cluster.Clock.AdvanceTo(_monday.AddHours(7));
        await Task.WhenAll(cluster.Worker(0).RunDueAsync(default), cluster.Worker(1).RunDueAsync(default));
        await WaitAsync(cluster, ids, i => i.FiredTimers.Count == 1, "every warning fired");

        // Past the last escalation: breach and three escalations each, raced by both replicas.
        cluster.Clock.AdvanceTo(new DateTimeOffset(2026, 3, 4, 16, 0, 0, _samara));
        await Task.WhenAll(cluster.Worker(0).RunDueAsync(default), cluster.Worker(1).RunDueAsync(default));
        await WaitAsync(cluster, ids, i => i.FiredTimers.Count == 5 && i.NextTimerAt is null, "every escalation fired");
        for (var run = 0; run < 3; run++)
        {
            var fired = await Task.WhenAll(cluster.Worker(0).RunDueAsync(default), cluster.Worker(1).RunDueAsync(default));
            Assert.Equal([0, 0], fired);
        }

        var feed = await cluster.FeedAsync();
        foreach (var id in ids)
        {
            Assert.Equal(["created", "warning", "breach", "escalated", "escalated", "escalated"], feed.Where(e => e.Incident == id).Select(e => e.Event));
            var incident = await cluster.Client(1).GetIncidentAsync(new GetIncidentRequest { Id = id });
            Assert.Equal(["adm-samara", "gov", "cur"], incident.Escalations.Select(e => e.AuthorityId));
            Assert.Equal([1, 2, 3], incident.Escalations.Select(e => e.Level));
            Assert.Equal([false, false, true], incident.Escalations.Select(e => e.Final));
            Assert.Equal(5, incident.FiredTimers.Select(f => f.Key).Distinct().Count());
            Assert.Equal(Timestamp.FromDateTimeOffset(_monday.AddHours(7)), incident.WarningAt);
            Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 4, 16, 0, 0, _samara)), incident.BreachedAt);
            Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 3, 10, 0, 0, _samara)), incident.FiredTimers[1].ScheduledAt);
            Assert.Equal(["warning", "breach", "escalated", "escalated", "escalated"], await TimerHistoryAsync(id));
        }

        Assert.Equal(0, await redis.Db.SortedSetLengthAsync("gp:{63}:incidents:timers"));
    }

    [Fact]
    public async Task Steps_that_fell_due_while_no_replica_ran_fire_once_on_the_next_one()
    {
        await using var cluster = await SlaCluster.StartAsync(redis, _monday, replicas: 1);
        var incident = await cluster.CreateIncidentAsync("restart", "adm-tolyatti", "tolyatti");
        await cluster.StopReplicaAsync(cluster.Replicas[0]);

        // Tuesday 10:30: the warning (Monday 17:00) and the breach (Tuesday 10:00) passed with no replica running.
        var tuesday = new DateTimeOffset(2026, 3, 3, 10, 30, 0, _samara);
        cluster.Clock.AdvanceTo(tuesday);
        Assert.Equal([(incident.Id, "created")], await cluster.FeedAsync());

        await cluster.StartReplicaAsync();
        await Eventually.True(async () => (await cluster.FeedAsync()).Count == 3, "the missed steps fired");
        Assert.Equal(0, await cluster.Worker(0).RunDueAsync(default));
        Assert.Equal(0, await cluster.Worker(0).RunDueAsync(default));

        Assert.Equal(["created", "warning", "breach"], (await cluster.FeedAsync()).Select(e => e.Event));
        var stored = await cluster.Client().GetIncidentAsync(new GetIncidentRequest { Id = incident.Id });
        Assert.Equal(
            [(_monday.AddHours(7), tuesday), (new DateTimeOffset(2026, 3, 3, 10, 0, 0, _samara), tuesday)],
            stored.FiredTimers.Select(f => (f.ScheduledAt.ToDateTimeOffset(), f.FiredAt.ToDateTimeOffset())));
        // Next: escalation to the Government 4 working hours after the breach.
        Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 3, 15, 0, 0, _samara)), stored.NextTimerAt);
        Assert.Empty(stored.Escalations);
    }

    [Fact]
    public async Task Incidents_in_the_index_that_preceded_the_timers_are_moved_and_fire()
    {
        await using var cluster = await SlaCluster.StartAsync(redis, _monday, replicas: 1);
        var incident = await cluster.CreateIncidentAsync("legacy", "adm-tolyatti", "tolyatti");
        await cluster.StopReplicaAsync(cluster.Replicas[0]);

        // What an incident stored before timers looks like: no timer fields, in the first-response index only.
        var record = JsonNode(await redis.Db.HashGetAsync("gp:{63}:incidents:records", incident.Id));
        record.Remove("next_timer_at");
        record.Remove("timer_window");
        await redis.Db.HashSetAsync("gp:{63}:incidents:records", incident.Id, record.ToJsonString());
        await redis.Db.SortedSetRemoveAsync("gp:{63}:incidents:timers", incident.Id);
        await redis.Db.SortedSetAddAsync("gp:{63}:incidents:first-response-due", incident.Id, incident.FirstResponseDueAt.ToDateTimeOffset().ToUnixTimeMilliseconds());

        await cluster.StartReplicaAsync();
        await Eventually.True(async () => !await redis.Db.KeyExistsAsync("gp:{63}:incidents:first-response-due"), "the old index moved");
        Assert.Equal(_monday.AddHours(7).ToUnixTimeMilliseconds(), await redis.Db.SortedSetScoreAsync("gp:{63}:incidents:timers", incident.Id));

        cluster.Clock.AdvanceTo(_monday.AddHours(7));
        await Eventually.True(async () => (await cluster.FeedAsync()).Count == 2, "the warning fired");
        Assert.Equal([(incident.Id, "created"), (incident.Id, "warning")], await cluster.FeedAsync());
    }

    /// <summary>Waits until every incident satisfies <paramref name="condition"/>.</summary>
    private static Task WaitAsync(SlaCluster cluster, IReadOnlyList<string> ids, Func<Incident, bool> condition, string what) =>
        Eventually.True(async () =>
        {
            foreach (var id in ids)
            {
                if (!condition(await cluster.Client().GetIncidentAsync(new GetIncidentRequest { Id = id })))
                {
                    return false;
                }
            }

            return true;
        }, what);

    /// <summary>The actions of the timers' history entries of an incident, from its stored record.</summary>
    private async Task<List<string>> TimerHistoryAsync(string id)
    {
        var json = await redis.Db.HashGetAsync("gp:{63}:incidents:records", id);
        using var record = JsonDocument.Parse(json.ToString());
        return [.. record.RootElement.GetProperty("history").EnumerateArray()
            .Where(h => h.GetProperty("actor").GetString() == "system:timers")
            .Select(h => h.GetProperty("action").GetString()!)];
    }

    private static System.Text.Json.Nodes.JsonObject JsonNode(StackExchange.Redis.RedisValue json) =>
        System.Text.Json.Nodes.JsonNode.Parse(json.ToString())!.AsObject();
}
