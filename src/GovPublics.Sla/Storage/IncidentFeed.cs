using System.Globalization;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Storage;

/// <summary>
/// A position in the incident feed: the Redis stream entry id <c>&lt;ms&gt;-&lt;seq&gt;</c> of an event. Positions
/// order as the events happened; <see cref="Start"/> (<c>0-0</c>) is before every event.
/// </summary>
public readonly record struct FeedPosition(ulong Milliseconds, ulong Sequence) : IComparable<FeedPosition>
{
    /// <summary>Before every event.</summary>
    public static FeedPosition Start { get; } = new(0, 0);

    /// <summary>Parses <c>&lt;ms&gt;-&lt;seq&gt;</c> (digits only); false for anything else.</summary>
    public static bool TryParse(string? text, out FeedPosition position)
    {
        position = Start;
        if (string.IsNullOrEmpty(text) || text.Length > 41)
        {
            return false;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        position = new FeedPosition(ms, seq);
        return true;
    }

    /// <summary>Parses a stream entry id Redis returned; throws <see cref="FormatException"/> for anything else.</summary>
    public static FeedPosition Parse(string text) =>
        TryParse(text, out var position) ? position : throw new FormatException($"'{text}' is not a stream entry id.");

    public int CompareTo(FeedPosition other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(FeedPosition left, FeedPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(FeedPosition left, FeedPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(FeedPosition left, FeedPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(FeedPosition left, FeedPosition right) => left.CompareTo(right) >= 0;

    public override string ToString() =>
        Milliseconds.ToString(CultureInfo.InvariantCulture) + "-" + Sequence.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One event of the incident feed.</summary>
/// <param name="Position">Where it is in the feed.</param>
/// <param name="Event">created, warning, breach, escalated, or a lifecycle change.</param>
/// <param name="Version">The incident's version after it.</param>
/// <param name="Incident">The incident as the event stored it.</param>
public sealed record IncidentFeedEvent(FeedPosition Position, string Event, long Version, Incident Incident);

/// <summary>The incident feed's extent.</summary>
/// <param name="Last">The last event's position (<see cref="FeedPosition.Start"/> for an empty feed).</param>
/// <param name="OldestKept">The oldest event still kept, or null when none is.</param>
/// <param name="Trimmed">True when older events were trimmed away (the feed keeps <see cref="IncidentStore.EventsKept"/>).</param>
public sealed record IncidentFeedBounds(FeedPosition Last, FeedPosition? OldestKept, bool Trimmed)
{
    /// <summary>
    /// Whether a reader that has seen everything up to <paramref name="position"/> may have missed events: the position is
    /// ahead of the feed (a store restored from older data), or older than the oldest kept event after a trim (an
    /// event between them may have been trimmed; this errs on the safe side by at most one event).
    /// </summary>
    public bool Lost(FeedPosition position) =>
        position > Last || (Trimmed && position < Last && (OldestKept is not { } oldest || position < oldest));
}
