using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.Sla.Domain.Analytics;

/// <summary>What a message is to the page ratings.</summary>
public enum MessageRole
{
    /// <summary>Counts for no page figure (a private message, a user's post on a wall).</summary>
    Other = 0,

    /// <summary>A post the page published.</summary>
    PagePost = 1,

    /// <summary>The page writing in a comment thread: an answer to the citizens' comments before it there.</summary>
    PageReply = 2,

    /// <summary>A citizen's comment on the page.</summary>
    CitizenComment = 3,
}

/// <summary>Where an incident counts: its authority (by received time) and its territory × topic cells (by day).</summary>
/// <param name="AuthorityId">The responsible authority of the decision.</param>
/// <param name="ReceivedAt">When GovPublics received the message: the authority metrics count by it.</param>
/// <param name="Day">The local day (analytics time zone) of the message's written time.</param>
/// <param name="Cells">Its municipality's cell and, when routing found one, its district's; empty without a place.</param>
public sealed record IncidentPlacement(string AuthorityId, DateTimeOffset ReceivedAt, DateOnly Day, IReadOnlyList<TensionCell> Cells);

/// <summary>The analytics view of one routed message.</summary>
/// <param name="MessageId">The pipeline's message id.</param>
/// <param name="Platform">The page's platform.</param>
/// <param name="PageExternalId">The page's platform id.</param>
/// <param name="ExternalId">The message's platform id (a post's id for the engagement reports).</param>
/// <param name="ThreadId">The comment thread (the post) it belongs to.</param>
/// <param name="Role">What it is to the page ratings.</param>
/// <param name="WrittenAt">
/// When the author wrote it: the platform's time, but never after GovPublics received it (a clock error or a
/// future date cannot push it ahead), so a backfill of old messages lands on the days they were written.
/// </param>
/// <param name="HasVisuals">A page post with a photo, video or cards (the rating policy's types).</param>
/// <param name="Incident">Set when the decision makes it an incident.</param>
/// <param name="Revision">The decision's revision: a later decision on the same message replaces the placement.</param>
public sealed record MessageFacts(
    string MessageId,
    Platform Platform,
    string PageExternalId,
    string ExternalId,
    string ThreadId,
    MessageRole Role,
    DateTimeOffset WrittenAt,
    bool HasVisuals,
    IncidentPlacement? Incident,
    int Revision)
{
    /// <summary>Reads a routed message: its role on the page, its visuals, and its incident placement.</summary>
    public static MessageFacts From(RoutedMessage routed, RatingPolicy policy, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(routed);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        var (m, d) = routed;
        var written = m.CreatedAt < m.ReceivedAt ? m.CreatedAt : m.ReceivedAt;
        var role = (m.Kind, m.FromPage) switch
        {
            (MessageKind.PagePost, true) => MessageRole.PagePost,
            (MessageKind.Comment, true) => MessageRole.PageReply,
            (MessageKind.Comment, false) => MessageRole.CitizenComment,
            _ => MessageRole.Other,
        };

        IncidentPlacement? incident = null;
        if (d.IsIncident)
        {
            var cells = new List<TensionCell>(2);
            if (d.MunicipalityId.Length > 0 && d.Category.Length > 0)
            {
                cells.Add(new TensionCell(d.MunicipalityId, d.Category));
                if (d.DistrictId.Length > 0 && d.DistrictId != d.MunicipalityId)
                {
                    cells.Add(new TensionCell(d.DistrictId, d.Category));
                }
            }

            incident = new IncidentPlacement(
                d.ResponsibleAuthorityId,
                m.ReceivedAt,
                DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(written, zone).DateTime),
                cells);
        }

        return new MessageFacts(
            m.MessageId,
            m.Platform,
            m.PageExternalId,
            m.ExternalId,
            m.ThreadId,
            role,
            written,
            role == MessageRole.PagePost && m.Attachments.Any(a => policy.IsVisual(a.Type)),
            incident,
            d.Revision);
    }
}
