using GovPublics.Common.Pipeline;

namespace GovPublics.Sla.Domain.Lifecycle;

/// <summary>
/// Which incidents a page's own reply in a thread concerns. A reply that names a message (its reply-to) concerns only
/// that message's incident; one that names none concerns every incident of the thread waiting for a first response.
/// </summary>
public static class PageReplies
{
    /// <summary>
    /// The id of the message <paramref name="reply"/> names, or null when it names none. A reply-to naming the thread's
    /// root names none: Telegram gives a comment under a channel post, or in a forum topic, that post or topic as its
    /// reply-to (the thread id is then <c>"{chat}:{root}"</c>), so such a reply is to the thread as a whole.
    /// </summary>
    public static string? RepliedTo(CitizenMessage reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var to = reply.ReplyToExternalId;
        return to.Length == 0 || to == reply.ThreadId || reply.ThreadId == $"{reply.PageExternalId}:{to}"
            ? null
            : MessageIdentity.Derive(reply.Platform, reply.PageExternalId, reply.Kind, to);
    }

    /// <summary>
    /// The reply, of the page's replies in a thread read before the incident existed (its message waited in moderation,
    /// say), that is the first response to the incident of <paramref name="messageId"/>: the earliest written at or
    /// after the message (<paramref name="writtenAt"/>, on the platform's clock like the replies') that names no
    /// message or names this one. Null when none does. <see cref="IncidentLifecycle.PlatformReply"/> applies it.
    /// </summary>
    public static CitizenMessage? FirstAnswering(string messageId, DateTimeOffset writtenAt, IEnumerable<CitizenMessage> replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        return replies
            .Where(r => r.CreatedAt >= writtenAt && (RepliedTo(r) ?? messageId) == messageId)
            .OrderBy(r => r.CreatedAt)
            .ThenBy(r => r.MessageId, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
