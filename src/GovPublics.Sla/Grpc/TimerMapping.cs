using Google.Protobuf.WellKnownTypes;
using GovPublics.Sla.Domain.Incidents;
using SlaPb = GovPublics.Contracts.Sla.V1;

namespace GovPublics.Sla.Grpc;

/// <summary>The timers' part of an incident on the wire: escalations, fired steps, the latest warning and breach.</summary>
internal static class TimerMapping
{
    public static IEnumerable<SlaPb.Escalation> Escalations(Incident incident) => incident.Escalations.Select(e => new SlaPb.Escalation
    {
        Level = e.Level,
        AuthorityId = e.AuthorityId,
        AuthorityName = e.AuthorityName,
        At = Timestamp.FromDateTimeOffset(e.At),
        Deadline = e.Deadline,
        DueAt = Timestamp.FromDateTimeOffset(e.Due),
        Reason = e.Reason,
        Final = e.Final,
    });

    public static IEnumerable<SlaPb.FiredTimer> FiredTimers(Incident incident) => incident.FiredTimers.Select(f => new SlaPb.FiredTimer
    {
        Key = f.Key,
        Step = StepName(f.Step),
        Deadline = f.Deadline,
        Level = f.Level,
        DueAt = Timestamp.FromDateTimeOffset(f.Due),
        ScheduledAt = Timestamp.FromDateTimeOffset(f.ScheduledAt),
        FiredAt = Timestamp.FromDateTimeOffset(f.FiredAt),
    });

    /// <summary>When the most recent warning fired, or null.</summary>
    public static Timestamp? WarningAt(Incident incident) => LastFired(incident, TimerStepKind.Warning);

    /// <summary>When the most recent breach fired, or null.</summary>
    public static Timestamp? BreachedAt(Incident incident) => LastFired(incident, TimerStepKind.Breach);

    public static Timestamp? NextTimerAt(Incident incident) =>
        incident.NextTimerAt is { } next ? Timestamp.FromDateTimeOffset(next) : null;

    private static Timestamp? LastFired(Incident incident, TimerStepKind kind) =>
        incident.FiredTimers.LastOrDefault(f => f.Step == kind) is { } fired ? Timestamp.FromDateTimeOffset(fired.FiredAt) : null;

    private static string StepName(TimerStepKind kind) => kind switch
    {
        TimerStepKind.Warning => "warning",
        TimerStepKind.Breach => "breach",
        _ => "escalation",
    };
}
