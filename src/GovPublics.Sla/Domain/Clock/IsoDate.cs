using System.Globalization;

namespace GovPublics.Sla.Domain.Clock;

/// <summary>Culture-independent date formatting for messages and descriptions.</summary>
internal static class IsoDate
{
    public static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
