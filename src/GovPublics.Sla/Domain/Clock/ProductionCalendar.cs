namespace GovPublics.Sla.Domain.Clock;

/// <summary>
/// An official production calendar (e.g. the Russian one, id "ru") made of one data file per year. Asking about a
/// day of a year that was not loaded throws <see cref="CalendarYearNotLoadedException"/>.
/// </summary>
public sealed class ProductionCalendar
{
    private readonly Dictionary<int, CalendarYear> _years = [];

    /// <summary>Creates a calendar from already parsed years; all must carry <paramref name="id"/> as their country.</summary>
    public ProductionCalendar(string id, IEnumerable<CalendarYear> years)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(years);
        Id = id;
        foreach (var year in years)
        {
            if (!string.Equals(year.Country, id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Calendar '{id}' was given data of calendar '{year.Country}' for {year.Year}.", nameof(years));
            }

            if (!_years.TryAdd(year.Year, year))
            {
                throw new ArgumentException($"Calendar '{id}' was given the year {year.Year} twice.", nameof(years));
            }
        }
    }

    /// <summary>Calendar id, e.g. "ru".</summary>
    public string Id { get; }

    /// <summary>The years with data, ascending.</summary>
    public IReadOnlyList<int> Years => [.. _years.Keys.Order()];

    /// <summary>Loads the calendar <paramref name="id"/> from JSON year files (format: Policies/README.md).</summary>
    public static ProductionCalendar Load(string id, IEnumerable<Stream> yearFiles)
    {
        ArgumentNullException.ThrowIfNull(yearFiles);
        var index = 0;
        var years = new List<CalendarYear>();
        foreach (var stream in yearFiles)
        {
            years.Add(ReadYear(stream, $"calendar '{id}' stream #{index++}"));
        }

        return new ProductionCalendar(id, years);
    }

    /// <summary>Loads the calendar <paramref name="id"/> from the files <c>&lt;id&gt;-&lt;year&gt;.json</c> in <paramref name="directory"/>.</summary>
    public static ProductionCalendar LoadDirectory(string directory, string id)
    {
        var set = CalendarSet.LoadDirectory(directory);
        return set.Contains(id)
            ? set.Get(id)
            : throw new FileNotFoundException($"No files '{id}-<year>.json' in '{directory}'.");
    }

    /// <summary>Whether the calendar has data for <paramref name="year"/>.</summary>
    public bool HasYear(int year) => _years.ContainsKey(year);

    /// <summary>The data of <paramref name="year"/>; throws <see cref="CalendarYearNotLoadedException"/> when absent.</summary>
    public CalendarYear GetYear(int year) =>
        _years.TryGetValue(year, out var data) ? data : throw new CalendarYearNotLoadedException(Id, year, _years.Keys);

    /// <summary>Whether <paramref name="day"/> is worked under a five-day week.</summary>
    public bool IsWorkingDay(DateOnly day) => GetYear(day.Year).IsWorkingDay(day);

    /// <summary>Whether <paramref name="day"/> is a pre-holiday working day one hour shorter.</summary>
    public bool IsShortened(DateOnly day) => GetYear(day.Year).IsShortened(day);

    internal static CalendarYear ReadYear(Stream json, string origin)
    {
        var document = PolicyJson.Read<CalendarYearDocument>(json, origin);
        try
        {
            return new CalendarYear(
                document.Country,
                document.Year,
                document.Source,
                document.NonWorkingDays,
                document.WorkingWeekendDays,
                document.ShortenedDays);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{origin}: {ex.Message}", ex);
        }
    }

    private sealed class CalendarYearDocument
    {
        public required string Country { get; init; }

        public required int Year { get; init; }

        public required string Source { get; init; }

        public required List<DateOnly> NonWorkingDays { get; init; }

        public required List<DateOnly> WorkingWeekendDays { get; init; }

        public required List<DateOnly> ShortenedDays { get; init; }
    }
}
