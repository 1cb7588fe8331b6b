using System.Globalization;
using System.Text;
using GovPublics.Catalog;
using GovPublics.Common.Grpc;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using CommonPb = GovPublics.Contracts.Common.V1;
using DomainMetrics = GovPublics.Sla.Domain.Analytics.AuthorityMetrics;
using DomainTensionPoint = GovPublics.Sla.Domain.Analytics.TensionPoint;
using WorkingClocks = GovPublics.Sla.Domain.Incidents.WorkingClocks;

namespace GovPublics.Sla.Grpc;

/// <summary>Metrics, ratings and points of tension: validate, read the facts, compute in the domain, map.</summary>
public sealed class AnalyticsGrpcService(
    CatalogCache catalog,
    WorkingClocks clocks,
    AnalyticsIncidents incidents,
    AnalyticsStore store,
    RatingPolicy ratings,
    TensionPolicy tension,
    IOptions<AnalyticsOptions> options,
    TimeProvider time) : SlaAnalyticsService.SlaAnalyticsServiceBase
{
    public static readonly TimeSpan MaxMetricsPeriod = TimeSpan.FromDays(93);
    public static readonly TimeSpan MaxRatingPeriod = TimeSpan.FromDays(184);
    public static readonly TimeSpan MinRatingPeriod = TimeSpan.FromDays(1);
    public const int MaxIncidentsPerCall = 200_000;
    public const int MaxStatsPerBatch = 1_000;
    private const int SamplesPerPoint = 5;
    private const int SampleTextLength = 200;

    /// <summary>
    /// How far the days of a tension query reach from its moment: the longest window and baseline back, and a day
    /// either way for the local date and the window's end. A moment closer to the ends of the calendar is refused.
    /// </summary>
    private static readonly TimeSpan _tensionReach = TimeSpan.FromDays(31 + (12 * 7) + 1);

    /// <summary>A collector's clock may run a little ahead; observations further in the future are refused.</summary>
    private static readonly TimeSpan _clockSkew = TimeSpan.FromMinutes(5);

    public override async Task<GetAuthorityMetricsResponse> GetAuthorityMetrics(GetAuthorityMetricsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var snapshot = catalog.Current;
        var v = new Validator();
        var (from, to) = Period(v, request.From, request.To, TimeSpan.Zero, MaxMetricsPeriod);
        var asOf = RequestTimestamps.Optional(v, "as_of", request.AsOf) ?? now;
        if (from is { } f && asOf < f)
        {
            v.Add("as_of", "must not be before from");
        }

        var authorityId = request.AuthorityId.Trim();
        if (authorityId.Length > 0 && snapshot.FindAuthority(authorityId) is null)
        {
            v.Add("authority_id", $"unknown authority '{authorityId}'");
        }

        v.ThrowIfInvalid();
        var end = to!.Value < asOf ? to.Value : asOf;
        var inPeriod = await incidents.ReceivedAsync(authorityId, from!.Value, end, MaxIncidentsPerCall);
        var candidates = await incidents.UnansweredCandidatesAsync(authorityId, asOf);
        var records = await incidents.ReadAsync([.. inPeriod.Union(candidates)], context.CancellationToken);
        var facts = records.Values.Select(IncidentFacts.From).ToLookup(x => x.AuthorityId);
        var ids = authorityId.Length > 0
            ? [authorityId]
            : snapshot.Authorities.Select(a => a.Id).Union(facts.Select(g => g.Key)).Where(id => id.Length > 0).Order(StringComparer.Ordinal).ToList();

        var response = new GetAuthorityMetricsResponse
        {
            From = Timestamp.FromDateTimeOffset(from.Value),
            To = Timestamp.FromDateTimeOffset(to.Value),
            AsOf = Timestamp.FromDateTimeOffset(asOf),
        };
        foreach (var id in ids)
        {
            var authority = snapshot.FindAuthority(id);
            var clock = clocks.For(authority);
            var metrics = Measured("from", () => AuthorityMetricsCalculator.Compute(id, from.Value, to.Value, asOf, facts[id], facts[id], clock));
            if (authority is null && metrics.Incidents == 0 && metrics.OverdueBacklog == 0)
            {
                continue;
            }

            response.Authorities.Add(ToProto(metrics, authority, clock));
        }

        return response;
    }

    public override async Task<RankPagesResponse> RankPages(RankPagesRequest request, ServerCallContext context)
    {
        var snapshot = catalog.Current;
        var v = new Validator();
        var (from, to) = Period(v, request.From, request.To, MinRatingPeriod, MaxRatingPeriod);
        if (!System.Enum.IsDefined(request.Platform))
        {
            v.Add("platform", $"unknown platform {(int)request.Platform}");
        }

        var owner = request.OwnerAuthorityId.Trim();
        if (owner.Length > 0 && snapshot.FindAuthority(owner) is null)
        {
            v.Add("owner_authority_id", $"unknown authority '{owner}'");
        }

        if (request.PageSize < 0)
        {
            v.Add("page_size", "must not be negative");
        }

        var offset = 0;
        if (request.PageToken.Length > 0 && !TryReadOffset(request.PageToken, out offset))
        {
            v.Add("page_token", "is not a token this service issued");
        }

        v.ThrowIfInvalid();
        var pages = snapshot.Pages.Where(p => p.Status == PageStatus.Active).ToList();
        var scores = await Task.WhenAll(pages.Select(async page =>
        {
            var posts = store.PostsAsync(page.Platform, page.ExternalId, from!.Value, to!.Value);
            var comments = store.CommentsAsync(page.Platform, page.ExternalId, from.Value, to.Value);
            await Task.WhenAll(posts, comments);
            var clock = clocks.For(snapshot.FindAuthority(page.OwnerAuthorityId));
            return Measured("from", () => PageRatingCalculator.Score(
                page.Id, page.Subscribers, from.Value, to.Value, posts.Result, comments.Result, clock, ratings));
        }));

        var byId = pages.ToDictionary(p => p.Id);
        var selected = PageRatingCalculator.Rank(scores)
            .Where(r => (request.Platform == CommonPb.Platform.Unspecified || (int)byId[r.Score.PageId].Platform == (int)request.Platform)
                && (owner.Length == 0 || byId[r.Score.PageId].OwnerAuthorityId == owner))
            .ToList();
        var size = request.PageSize == 0 ? 50 : Math.Min(request.PageSize, 500);
        var response = new RankPagesResponse
        {
            RankedPages = scores.Length,
            PolicyVersion = ratings.Version,
            NextPageToken = offset + size < selected.Count ? Offset(offset + size) : "",
        };
        response.Pages.AddRange(selected.Skip(offset).Take(size).Select(r => ToProto(r, byId[r.Score.PageId])));
        return response;
    }

    public override async Task<GetTensionPointsResponse> GetTensionPoints(GetTensionPointsRequest request, ServerCallContext context)
    {
        var snapshot = catalog.Current;
        var v = new Validator();
        var windowDays = request.WindowDays == 0 ? 1 : request.WindowDays;
        if (windowDays is < 1 or > 31)
        {
            v.Add("window_days", "must be 1 to 31");
        }

        var baselineWeeks = request.BaselineWeeks == 0 ? tension.BaselineWeeks : request.BaselineWeeks;
        if (baselineWeeks is < 1 or > 12)
        {
            v.Add("baseline_weeks", "must be 1 to 12");
        }

        var top = request.Top == 0 ? 10 : request.Top;
        if (top is < 1 or > 200)
        {
            v.Add("top", "must be 1 to 200");
        }

        var municipality = request.MunicipalityId.Trim();
        if (municipality.Length > 0 && snapshot.FindTerritory(municipality) is not { IsMunicipality: true })
        {
            v.Add("municipality_id", $"'{municipality}' is not a municipality of the catalogue");
        }

        var at = RequestTimestamps.Optional(v, "at", request.At) ?? time.GetUtcNow();
        if (at - DateTimeOffset.MinValue < _tensionReach || DateTimeOffset.MaxValue - at < _tensionReach)
        {
            v.Add("at", "leaves no room for the window and its baseline within the years 1 to 9999");
        }

        v.ThrowIfInvalid();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        var firstDay = lastDay.AddDays(1 - windowDays);
        var window = Enumerable.Range(0, windowDays).Select(firstDay.AddDays).ToList();
        var baseline = Enumerable.Range(0, baselineWeeks * 7).Select(i => firstDay.AddDays(i - (baselineWeeks * 7))).ToList();
        var counts = await store.TensionDaysAsync([.. baseline, .. window]);
        bool InScope(TensionCell cell) =>
            municipality.Length == 0 || cell.TerritoryId == municipality || snapshot.MunicipalityOf(cell.TerritoryId)?.Id == municipality;
        IReadOnlyList<IReadOnlyDictionary<TensionCell, long>> Scoped(IEnumerable<IReadOnlyDictionary<TensionCell, long>> days) =>
            [.. days.Select(d => (IReadOnlyDictionary<TensionCell, long>)d.Where(e => InScope(e.Key)).ToDictionary())];

        var points = TensionDetector.Evaluate(Scoped(counts.Skip(baseline.Count)), Scoped(counts.Take(baseline.Count)), tension, request.IncludeAll)
            .Take(top)
            .ToList();
        var samples = await Task.WhenAll(points.Select(p => store.TensionSamplesAsync(p.Cell, window, SamplesPerPoint)));
        var records = await incidents.ReadAsync([.. samples.SelectMany(s => s).Distinct()], context.CancellationToken);
        var response = new GetTensionPointsResponse
        {
            WindowStart = Timestamp.FromDateTimeOffset(LocalMidnight(firstDay, zone)),
            WindowEnd = Timestamp.FromDateTimeOffset(LocalMidnight(lastDay.AddDays(1), zone)),
            BaselineStart = Timestamp.FromDateTimeOffset(LocalMidnight(baseline[0], zone)),
            Method = tension.Describe(windowDays, baselineWeeks),
        };
        for (var i = 0; i < points.Count; i++)
        {
            response.Points.Add(ToProto(points[i], snapshot, samples[i], records));
        }

        return response;
    }

    public override async Task<ReportPostStatsResponse> ReportPostStats(ReportPostStatsRequest request, ServerCallContext context)
    {
        var snapshot = catalog.Current;
        var now = time.GetUtcNow();
        var v = new Validator();
        if (request.Items.Count is 0 or > MaxStatsPerBatch)
        {
            v.Add("items", $"must hold 1 to {MaxStatsPerBatch} observations, got {request.Items.Count}");
        }

        var observations = new List<PostStatsObservation>(request.Items.Count);
        // A collector the gateway bound to some authorities' pages reports only for those: the first page it may not
        // speak for, refused once the request is otherwise valid.
        var caller = CallerIdentity.From(context.RequestHeaders);
        string? refusal = null;
        for (var i = 0; i < request.Items.Count && i < MaxStatsPerBatch; i++)
        {
            var item = request.Items[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"items[{i}].");
            var platform = (Platform)(int)item.Platform;
            var known = true;
            if (item.Platform == CommonPb.Platform.Unspecified || !System.Enum.IsDefined(item.Platform))
            {
                v.Add(at + "platform", "must be VK, OK or Telegram");
                known = false;
            }

            v.Require(at + "page_external_id", item.PageExternalId).MaxLength(at + "page_external_id", item.PageExternalId, 256);
            v.Require(at + "post_external_id", item.PostExternalId).MaxLength(at + "post_external_id", item.PostExternalId, 256);
            var page = item.PageExternalId.Trim();
            if (known && page.Length > 0)
            {
                if (snapshot.FindPage(platform, page) is not { } found)
                {
                    v.Add(at + "page_external_id", $"no {platform} page '{page}' in the catalogue");
                }
                else
                {
                    refusal ??= caller.PageRefusal($"{platform}:{page}", found.OwnerAuthorityId);
                }
            }

            foreach (var (field, value) in new[] { ("likes", item.Likes), ("comments", item.Comments), ("reposts", item.Reposts), ("views", item.Views) })
            {
                if (value < 0)
                {
                    v.Add(at + field, "must not be negative");
                }
            }

            var observedAt = RequestTimestamps.Required(v, at + "observed_at", item.ObservedAt);
            if (observedAt > now + _clockSkew)
            {
                v.Add(at + "observed_at", "must not be in the future");
            }

            observations.Add(new PostStatsObservation(platform, page, item.PostExternalId.Trim(), new PostEngagement(
                item.Likes, item.Comments, item.Reposts, item.Views, observedAt ?? DateTimeOffset.MinValue)));
        }

        v.ThrowIfInvalid();
        if (refusal is not null)
        {
            throw new AccessDeniedException(refusal);
        }

        var results = await store.ReportPostStatsAsync(observations);
        var response = new ReportPostStatsResponse();
        response.Results.AddRange(results.Select(r => new PostStatsResult { Stored = r.Stored, PostKnown = r.PostKnown }));
        return response;
    }

    /// <summary>Checks a required period [from, to) of a bounded length; returns it when both ends are valid moments.</summary>
    private static (DateTimeOffset? From, DateTimeOffset? To) Period(Validator v, Timestamp? from, Timestamp? to, TimeSpan min, TimeSpan max)
    {
        if ((RequestTimestamps.Required(v, "from", from), RequestTimestamps.Required(v, "to", to)) is not ({ } start, { } end))
        {
            return (null, null);
        }

        if (end <= start)
        {
            v.Add("to", "must be after from");
        }
        else if (end - start < min)
        {
            v.Add("to", $"the period must be at least {min.TotalDays:0} day(s)");
        }
        else if (end - start > max)
        {
            v.Add("to", $"the period must be at most {max.TotalDays:0} days");
        }

        return (start, end);
    }

    /// <summary>Working-hour arithmetic in a year without calendar data is the caller's period, not a fault.</summary>
    private static T Measured<T>(string field, Func<T> compute)
    {
        try
        {
            return compute();
        }
        catch (CalendarYearNotLoadedException ex)
        {
            throw new ValidationFailedException(field, ex.Message);
        }
    }

    private static string Offset(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"rank-offset:{offset}")));

    private static bool TryReadOffset(string token, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("rank-offset:", StringComparison.Ordinal)
                && int.TryParse(text["rank-offset:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static DateTimeOffset LocalMidnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local - zone.GetUtcOffset(local), TimeSpan.Zero);
    }

    private static Contracts.Sla.V1.AuthorityMetrics ToProto(DomainMetrics m, Authority? authority, WorkingClock clock)
    {
        var proto = new Contracts.Sla.V1.AuthorityMetrics
        {
            AuthorityId = m.AuthorityId,
            AuthorityName = authority?.Name ?? "",
            TimeZone = clock.TimeZone.Id,
            Incidents = m.Incidents,
            UrgentIncidents = m.UrgentIncidents,
            Answered = m.Answered,
            AnsweredInTime = m.AnsweredInTime,
            AnsweredLate = m.AnsweredLate,
            OverdueUnanswered = m.OverdueUnanswered,
            Pending = m.Pending,
            OverdueBacklog = m.OverdueBacklog,
            Reopened = m.Reopened,
        };
        if (m.MedianFirstResponseWorkingHours is { } median)
        {
            proto.MedianFirstResponseWorkingHours = median;
        }

        if (m.P90FirstResponseWorkingHours is { } p90)
        {
            proto.P90FirstResponseWorkingHours = p90;
        }

        if (m.InTimeShare is { } inTime)
        {
            proto.InTimeShare = inTime;
        }

        if (m.ReopenedShare is { } reopened)
        {
            proto.ReopenedShare = reopened;
        }

        return proto;
    }

    private static PageRating ToProto(RankedPage ranked, Page page)
    {
        var s = ranked.Score;
        var proto = new PageRating
        {
            Rank = ranked.Rank,
            PageId = page.Id,
            Title = page.Title,
            Platform = page.Platform.ToProto(),
            PageExternalId = page.ExternalId,
            OwnerAuthorityId = page.OwnerAuthorityId,
            Subscribers = page.Subscribers,
            TotalScore = s.TotalScore,
            ClassCode = s.Class.Code,
            ClassName = s.Class.Name,
            Counts = new PageActivityCounts
            {
                Posts = s.Counts.Posts,
                PostsWithVisuals = s.Counts.PostsWithVisuals,
                PostsWithStats = s.Counts.PostsWithStats,
                Interactions = s.Counts.Interactions,
                CitizenComments = s.Counts.CitizenComments,
                AnsweredComments = s.Counts.AnsweredComments,
            },
        };
        foreach (var c in s.Components)
        {
            var component = new RatingComponent { Code = c.Code, Weight = c.Weight };
            if (c.Value is { } value)
            {
                component.Value = value;
            }

            if (c.Score is { } score)
            {
                component.Score = score;
            }

            proto.Components.Add(component);
        }

        return proto;
    }

    private static Contracts.Sla.V1.TensionPoint ToProto(
        DomainTensionPoint p, CatalogSnapshot snapshot, IReadOnlyList<string> sampleIds, IReadOnlyDictionary<string, Domain.Incidents.Incident> records)
    {
        var proto = new Contracts.Sla.V1.TensionPoint
        {
            TerritoryId = p.Cell.TerritoryId,
            TerritoryName = snapshot.FindTerritory(p.Cell.TerritoryId)?.Name ?? "",
            MunicipalityId = snapshot.MunicipalityOf(p.Cell.TerritoryId)?.Id ?? "",
            Category = p.Cell.Category,
            CurrentCount = p.CurrentCount,
            Expected = p.Expected,
            Ratio = p.Ratio,
            Score = p.Score,
            Rising = p.Rising,
        };
        proto.BaselineWeeklyCounts.AddRange(p.BaselineWeeklyCounts);
        foreach (var id in sampleIds)
        {
            var incident = records.GetValueOrDefault(id);
            proto.Samples.Add(new TensionSample
            {
                MessageId = id,
                IncidentId = incident?.Id ?? "",
                ReceivedAt = incident is null ? null : Timestamp.FromDateTimeOffset(incident.ReceivedAt),
                Text = incident is null ? "" : incident.Text.Length <= SampleTextLength ? incident.Text : incident.Text[..SampleTextLength],
            });
        }

        return proto;
    }
}
