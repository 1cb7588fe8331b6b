using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Deadlines;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.UnitTests.Sla;

/// <summary>The shipped policy files and a Samara working clock built from them.</summary>
internal static class SlaTestData
{
    public static readonly TimeSpan SamaraOffset = TimeSpan.FromHours(4);

    public static string PoliciesDirectory { get; } = FindPolicies();

    public static CalendarSet Calendars { get; } = CalendarSet.LoadDirectory(Path.Combine(PoliciesDirectory, "calendars"));

    public static ProductionCalendar Ru => Calendars.Get("ru");

    /// <summary>The shipped deadline policy.</summary>
    public static DeadlineCalculator Calculator { get; } = new(DeadlinePolicy.LoadFile(Path.Combine(PoliciesDirectory, "deadlines.json")));

    /// <summary>The authorities' working clocks on the shipped calendars.</summary>
    public static WorkingClocks Clocks { get; } = new(Calendars);

    public static TimeZoneInfo SamaraZone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Samara");

    public static WorkingClock SamaraClock { get; } = new(Ru, WorkingSchedule.Default, SamaraZone);

    /// <summary>A Samara wall-clock moment (UTC+4, no DST).</summary>
    public static DateTimeOffset Samara(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, SamaraOffset);

    /// <summary>A citizen's comment on a post of the Samara page (thread <c>wall-208424532_1201</c>), written and received at <paramref name="at"/>.</summary>
    public static CitizenMessage CitizenMessageOf(string id, DateTimeOffset at) => new()
    {
        MessageId = id,
        Platform = Platform.Vk,
        PageExternalId = "-208424532",
        Kind = MessageKind.Comment,
        ExternalId = id,
        ThreadId = "wall-208424532_1201",
        AuthorId = "501",
        Text = "На Южном шоссе яма на всю полосу",
        CreatedAt = at,
        ReceivedAt = at,
    };

    /// <summary>Routing's first decision on a pothole in Tolyatti: the city's administration answers.</summary>
    public static RoutedDecision Decision() => new()
    {
        IsIncident = true,
        Category = "roads",
        Subcategory = "potholes",
        ResponsibleAuthorityId = "adm-tolyatti",
        Confidence = 0.9,
        Explanation = "Тольятти, дороги",
    };

    /// <summary>Prefers the copy next to the test binaries; falls back to the source tree.</summary>
    private static string FindPolicies()
    {
        var deployed = Path.Combine(AppContext.BaseDirectory, "Policies");
        if (File.Exists(Path.Combine(deployed, "deadlines.json")))
        {
            return deployed;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "GovPublics.Sla", "Policies");
            if (File.Exists(Path.Combine(candidate, "deadlines.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"GovPublics.Sla Policies not found from {AppContext.BaseDirectory}.");
    }
}
