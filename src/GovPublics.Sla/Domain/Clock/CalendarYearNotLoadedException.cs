using GovPublics.Catalog;

namespace GovPublics.Sla.Domain.Clock;

/// <summary>
/// Thrown when a production calendar is asked about a year it has no data for. A missing year is never treated as a
/// plain Monday-to-Friday year: holidays and transfers would be silently wrong. A call that needs the year is refused
/// with FAILED_PRECONDITION naming the file to add (<see cref="ReferenceDataMissingException"/>).
/// </summary>
public sealed class CalendarYearNotLoadedException : ReferenceDataMissingException
{
    /// <summary>Creates the exception for <paramref name="calendarId"/> and the missing <paramref name="year"/>.</summary>
    public CalendarYearNotLoadedException(string calendarId, int year, IEnumerable<int> loadedYears)
        : base(
            $"Production calendar '{calendarId}' has no data for the year {year} "
            + $"(loaded: {FormatYears(loadedYears)}). Add Policies/calendars/{calendarId}-{year}.json "
            + $"from the Government decree on transfers of days off for {year}.")
    {
        CalendarId = calendarId;
        Year = year;
    }

    /// <summary>The calendar that was asked, e.g. "ru".</summary>
    public string CalendarId { get; }

    /// <summary>The year with no data.</summary>
    public int Year { get; }

    private static string FormatYears(IEnumerable<int> years)
    {
        var list = years.Order().ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
