using System.Collections.Concurrent;
using GovPublics.Catalog;
using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Incidents;

/// <summary>
/// The working clock of each authority (its time zone and working calendar), built once per distinct pair.
/// An authority that is unknown or names an unknown zone or calendar gets the region's default clock.
/// </summary>
public sealed class WorkingClocks(CalendarSet calendars, string defaultTimeZone = "Europe/Samara", string defaultCalendar = "ru")
{
    private readonly ConcurrentDictionary<(string Zone, string Calendar), WorkingClock> _clocks = new();

    public WorkingClock For(Authority? authority)
    {
        var zone = authority is not null && TimeZoneInfo.TryFindSystemTimeZoneById(authority.TimeZone, out _) ? authority.TimeZone : defaultTimeZone;
        var calendar = authority is not null && calendars.Contains(authority.Calendar) ? authority.Calendar : defaultCalendar;
        return _clocks.GetOrAdd((zone, calendar), key =>
            new WorkingClock(calendars.Get(key.Calendar), WorkingSchedule.Default, TimeZoneInfo.FindSystemTimeZoneById(key.Zone)));
    }
}
