using GovPublics.Common.Pipeline;

namespace GovPublics.Sla.Domain.Analytics;

/// <summary>
/// Where an incident counts: its authority (by received time) and its territory × topic cells (by day). Only a
/// message the SLA made an incident of is placed: a follow-up or a reopening joins an incident that counted already.
/// </summary>
/// <param name="AuthorityId">The responsible authority of the decision.</param>
/// <param name="ReceivedAt">When GovPublics received the message: the authority metrics count by it.</param>
/// <param name="Day">The local day (analytics time zone) of the message's written time.</param>
/// <param name="Cells">Its municipality's cell and, when routing found one, its district's; empty without a place.</param>
public sealed record IncidentPlacement(string AuthorityId, DateTimeOffset ReceivedAt, DateOnly Day, IReadOnlyList<TensionCell> Cells)
{
    /// <summary>Where the decision places the message's incident; null when the decision is that it is no incident.</summary>
    public static IncidentPlacement? From(RoutedMessage routed, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(routed);
        ArgumentNullException.ThrowIfNull(zone);
        var (m, d) = routed;
        if (!d.IsIncident)
        {
            return null;
        }

        var cells = new List<TensionCell>(2);
        if (d.MunicipalityId.Length > 0 && d.Category.Length > 0)
        {
            cells.Add(new TensionCell(d.MunicipalityId, d.Category));
            if (d.DistrictId.Length > 0 && d.DistrictId != d.MunicipalityId)
            {
                cells.Add(new TensionCell(d.DistrictId, d.Category));
            }
        }

        return new IncidentPlacement(
            d.ResponsibleAuthorityId,
            m.ReceivedAt,
            DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(MessageFacts.WrittenAtOf(m), zone).DateTime),
            cells);
    }
}
