using System.Globalization;
using GovPublics.Catalog;
using GovPublics.Common.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>
/// The analytics keys, all under <c>gp:{region}:analytics:</c> (the region's hash tag, so every script stays on one
/// slot). A page is named by platform and external id, a thread by its page and thread id; ids are
/// length-prefixed where another id follows, so no two pages or threads share a key.
/// </summary>
public sealed class AnalyticsKeys(RedisKeys keys)
{
    private readonly string _prefix = keys.Prefix + "analytics:";

    /// <summary>Marks a message whose post, comment or reply facts were recorded (expires).</summary>
    public string Seen(string messageId) => _prefix + "seen:" + messageId;

    /// <summary>Per message: the revision of the decision applied and where the incident was counted (hash).</summary>
    public string Decision(string messageId) => _prefix + "decision:" + messageId;

    /// <summary>Every incident's message id, scored by received time (ms).</summary>
    public string IncidentsReceived => _prefix + "incidents:received";

    /// <summary>An authority's incidents' message ids, scored by received time (ms).</summary>
    public string IncidentsOfAuthority(string authorityId) => _prefix + "incidents:authority:" + authorityId;

    /// <summary>Incidents whose first response the watcher has not seen yet, scored by received time (ms).</summary>
    public string AwaitingFirstResponse => _prefix + "incidents:awaiting";

    /// <summary>Incidents whose first response the watcher has seen, scored by the first response's time (ms).</summary>
    public string FirstResponded => _prefix + "incidents:answered";

    /// <summary>Incidents whose first-response deadline passed unanswered (counted once), scored by the deadline (ms).</summary>
    public string Breached => _prefix + "incidents:breached";

    /// <summary>A page's posts: external id scored by the written time (ms).</summary>
    public string Posts(Platform platform, string pageExternalId) => Page(platform, pageExternalId) + ":posts";

    /// <summary>The page's posts that carry visuals (set of external ids).</summary>
    public string VisualPosts(Platform platform, string pageExternalId) => Page(platform, pageExternalId) + ":visual";

    /// <summary>The latest engagement per post: field external id, value <c>observed_ms,likes,comments,reposts,views</c>.</summary>
    public string PostStats(Platform platform, string pageExternalId) => Page(platform, pageExternalId) + ":stats";

    /// <summary>Citizens' comments on the page: message id scored by the written time (ms).</summary>
    public string Comments(Platform platform, string pageExternalId) => Page(platform, pageExternalId) + ":comments";

    /// <summary>When the page first answered each comment: field message id, value ms.</summary>
    public string Answers(Platform platform, string pageExternalId) => Page(platform, pageExternalId) + ":answers";

    /// <summary>Citizens' comments of one thread, scored by the written time (ms); expires when the thread is idle.</summary>
    public string ThreadComments(Platform platform, string pageExternalId, string threadId) => Thread(platform, pageExternalId, threadId) + ":comments";

    /// <summary>The page's own messages in one thread, scored by the written time (ms); expires when the thread is idle.</summary>
    public string ThreadReplies(Platform platform, string pageExternalId, string threadId) => Thread(platform, pageExternalId, threadId) + ":replies";

    /// <summary>Incidents per territory × topic of one local day: field <c>territory|category</c>, value the count.</summary>
    public string TensionDay(DateOnly day) => _prefix + "tension:" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The newest few incidents' message ids of one cell and day.</summary>
    public string TensionSamples(DateOnly day, string cellKey) =>
        _prefix + "tension-samples:" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ":" + cellKey;

    private string Page(Platform platform, string pageExternalId) =>
        _prefix + "page:" + PlatformCode(platform) + ":" + pageExternalId;

    private string Thread(Platform platform, string pageExternalId, string threadId) => string.Create(CultureInfo.InvariantCulture,
        $"{_prefix}thread:{PlatformCode(platform)}:{pageExternalId.Length}:{pageExternalId}:{threadId}");

    private static string PlatformCode(Platform platform) => platform.ToString().ToLowerInvariant();
}
