using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Deadlines;

/// <summary>
/// Deadline settings: defaults plus overrides per topic and/or message kind, usually loaded from
/// <c>Policies/deadlines.json</c> (format: Policies/README.md). For each setting the most specific matching override
/// that sets it wins (topic and kind, then topic, then kind), otherwise the default applies.
/// </summary>
public sealed class DeadlinePolicy
{
    /// <summary>Creates a validated policy; throws <see cref="ArgumentException"/> on invalid or duplicate overrides.</summary>
    public DeadlinePolicy(DeadlineRule defaults, IEnumerable<DeadlineOverride> overrides)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(overrides);
        defaults.Validate();
        var list = overrides.ToList();
        var scopes = new HashSet<(string?, string?)>();
        foreach (var item in list)
        {
            Validate(item);
            if (!scopes.Add((item.Topic?.ToLowerInvariant(), item.Kind?.ToLowerInvariant())))
            {
                throw new ArgumentException($"Deadline override for {item.Scope} is given twice.", nameof(overrides));
            }
        }

        Defaults = defaults;
        Overrides = list;
    }

    /// <summary>The settings used when no override applies.</summary>
    public DeadlineRule Defaults { get; }

    /// <summary>The overrides, in file order.</summary>
    public IReadOnlyList<DeadlineOverride> Overrides { get; }

    /// <summary>Loads a policy from a JSON file.</summary>
    public static DeadlinePolicy LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Loads a policy from JSON; <paramref name="origin"/> names the source in error messages.</summary>
    public static DeadlinePolicy Load(Stream json, string origin = "deadline policy")
    {
        var document = PolicyJson.Read<DeadlinePolicyDocument>(json, origin);
        try
        {
            return new DeadlinePolicy(
                new DeadlineRule(
                    Hours(document.Defaults.FirstResponseWorkingHours),
                    Hours(document.Defaults.UrgentFirstResponseCalendarHours),
                    document.Defaults.FinalAnswerWorkingDaysAfterIntermediate),
                document.Overrides.Select(o => new DeadlineOverride(
                    o.Topic,
                    o.Kind,
                    o.FirstResponseWorkingHours is { } first ? Hours(first) : null,
                    o.UrgentFirstResponseCalendarHours is { } urgent ? Hours(urgent) : null,
                    o.FinalAnswerWorkingDaysAfterIntermediate)));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{origin}: {ex.Message}", ex);
        }
    }

    /// <summary>The overrides matching <paramref name="topic"/> and <paramref name="kind"/>, most specific first.</summary>
    public IReadOnlyList<DeadlineOverride> MatchingOverrides(string topic, string kind)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(kind);
        return [.. Overrides.Where(o => o.Matches(topic, kind)).OrderByDescending(o => o.Specificity)];
    }

    /// <summary>The effective settings for a message of <paramref name="topic"/> and <paramref name="kind"/>.</summary>
    public DeadlineRule Resolve(string topic, string kind)
    {
        var matching = MatchingOverrides(topic, kind);
        return new DeadlineRule(
            matching.Select(o => o.FirstResponseWorkingTime).FirstOrDefault(v => v is not null) ?? Defaults.FirstResponseWorkingTime,
            matching.Select(o => o.UrgentFirstResponseTime).FirstOrDefault(v => v is not null) ?? Defaults.UrgentFirstResponseTime,
            matching.Select(o => o.FinalAnswerWorkingDays).FirstOrDefault(v => v is not null) ?? Defaults.FinalAnswerWorkingDays);
    }

    private static void Validate(DeadlineOverride item)
    {
        if (string.IsNullOrWhiteSpace(item.Topic) && string.IsNullOrWhiteSpace(item.Kind))
        {
            if (item.Topic is not null || item.Kind is not null)
            {
                throw new ArgumentException("A deadline override has a blank topic or kind.");
            }

            throw new ArgumentException("A deadline override must name a topic, a kind, or both; defaults go to 'defaults'.");
        }

        if (item.Topic is not null && string.IsNullOrWhiteSpace(item.Topic))
        {
            throw new ArgumentException($"A deadline override has a blank topic (kind {item.Kind}).");
        }

        if (item.Kind is not null && !DeadlineKinds.All.Contains(item.Kind, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"Deadline override for {item.Scope}: unknown kind '{item.Kind}' (known: {string.Join(", ", DeadlineKinds.All)}).");
        }

        if (item.FirstResponseWorkingTime is null && item.UrgentFirstResponseTime is null && item.FinalAnswerWorkingDays is null)
        {
            throw new ArgumentException($"Deadline override for {item.Scope} sets nothing.");
        }

        if (item.FirstResponseWorkingTime <= TimeSpan.Zero
            || item.UrgentFirstResponseTime <= TimeSpan.Zero
            || item.FinalAnswerWorkingDays < 1)
        {
            throw new ArgumentException($"Deadline override for {item.Scope}: hours must be positive and working days at least 1.");
        }
    }

    private static TimeSpan Hours(double hours) =>
        double.IsFinite(hours) && hours > 0
            ? TimeSpan.FromHours(hours)
            : throw new ArgumentException($"Deadline hours must be a positive number, got {hours}.");

    private sealed class DeadlinePolicyDocument
    {
        public required DefaultsDocument Defaults { get; init; }

        public List<OverrideDocument> Overrides { get; init; } = [];
    }

    private sealed class DefaultsDocument
    {
        public required double FirstResponseWorkingHours { get; init; }

        public required double UrgentFirstResponseCalendarHours { get; init; }

        public required int FinalAnswerWorkingDaysAfterIntermediate { get; init; }
    }

    private sealed class OverrideDocument
    {
        public string? Topic { get; init; }

        public string? Kind { get; init; }

        public double? FirstResponseWorkingHours { get; init; }

        public double? UrgentFirstResponseCalendarHours { get; init; }

        public int? FinalAnswerWorkingDaysAfterIntermediate { get; init; }
    }
}
