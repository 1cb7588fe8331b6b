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
public sealed record MessageFacts(
    string MessageId,
    Platform Platform,
    string PageExternalId,
    string ExternalId,
    string ThreadId,
    MessageRole Role,
    DateTimeOffset WrittenAt,
    bool HasVisuals)
{
    /// <summary>
    /// Reads a routed message: its role on the page and its visuals. Whether it counts as an incident is not the
    /// message's to say but the SLA's (<see cref="IncidentPlacement"/>): a citizen writing again joins their incident.
    /// </summary>
    public static MessageFacts From(RoutedMessage routed, RatingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(routed);
        ArgumentNullException.ThrowIfNull(policy);
        var m = routed.Message;
        var role = (m.Kind, m.FromPage) switch
        {
            (MessageKind.PagePost, true) => MessageRole.PagePost,
            (MessageKind.Comment, true) => MessageRole.PageReply,
            (MessageKind.Comment, false) => MessageRole.CitizenComment,
            _ => MessageRole.Other,
        };

        return new MessageFacts(
            m.MessageId,
            m.Platform,
            m.PageExternalId,
            m.ExternalId,
            m.ThreadId,
            role,
            WrittenAtOf(m),
            role == MessageRole.PagePost && m.Attachments.Any(a => policy.IsVisual(a.Type)));
    }

    /// <summary>The platform's written time, but never after GovPublics received the message.</summary>
    public static DateTimeOffset WrittenAtOf(CitizenMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.CreatedAt < message.ReceivedAt ? message.CreatedAt : message.ReceivedAt;
    }
}
