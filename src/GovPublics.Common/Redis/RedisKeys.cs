namespace GovPublics.Common.Redis;

/// <summary>
/// Every Redis key of GovPublics. Keys of one region share the hash tag <c>{region}</c>, so they land in one slot
/// and multi-key scripts work unchanged on Redis Cluster.
/// </summary>
public sealed class RedisKeys
{
    public RedisKeys(string region)
    {
        if (string.IsNullOrWhiteSpace(region) || region.Contains('}') || region.Contains('{'))
        {
            throw new ArgumentException("The region code must be non-empty and must not contain braces.", nameof(region));
        }

        Region = region;
        Prefix = $"gp:{{{region}}}:";
    }

    public string Region { get; }

    /// <summary><c>gp:{region}:</c>.</summary>
    public string Prefix { get; }

    /// <summary>Stream of accepted citizens' messages, consumed by Routing.</summary>
    public string MessagesStream => Prefix + "messages";

    /// <summary>Stream of routing decisions, consumed by SLA.</summary>
    public string RoutedStream => Prefix + "routed";

    /// <summary>Edits, deletions and restorations of messages already received.</summary>
    public string MessageEventsStream => Prefix + "message-events";

    /// <summary>
    /// Incidents rejected by their authority as "not ours" (SLA → routing's moderation queue). Fields: <c>id</c> (the
    /// incident's message id), <c>incident</c>, <c>data</c> (an <c>IncidentRejection</c> as JSON), <c>tp</c>.
    /// </summary>
    public string RejectionsStream => Prefix + "rejections";

    /// <summary>Webhook bodies refused as malformed, kept (capped) for staff to inspect.</summary>
    public string QuarantineStream => Prefix + "quarantine";

    /// <summary>A platform's delivery id (VK event_id, Telegram update_id) seen recently.</summary>
    public string Delivery(string deliveryKey) => Prefix + "delivery:" + deliveryKey;

    /// <summary>Where entries of a stream go after too many failed deliveries.</summary>
    public string DeadLetter(string stream) => stream + ":dead";

    /// <summary>The stored message, written atomically with its stream entry (the dedup record).</summary>
    public string Message(string messageId) => Prefix + "msg:" + messageId;

    /// <summary>Routing's current decision for a message (the latest revision).</summary>
    public string Decision(string messageId) => Prefix + "decision:" + messageId;

    /// <summary>The message as routing decided it, kept for moderation, re-routes and labelled corrections.</summary>
    public string DecisionMessage(string messageId) => Prefix + "decision:" + messageId + ":message";

    /// <summary>Every decision made for a message, oldest first: a list of JSON entries, one per revision.</summary>
    public string DecisionHistory(string messageId) => Prefix + "decision:" + messageId + ":history";

    /// <summary>ЦУР moderation items: one hash, field = item id (<c>MOD-000001</c>…), value = JSON.</summary>
    public string ModerationItems => Prefix + "moderation:items";

    /// <summary>Sequence for moderation item numbers; an item's number is its score in the indexes.</summary>
    public string ModerationSequence => Prefix + "moderation:seq";

    /// <summary>Open (waiting or taken) moderation items, scored by number: oldest first.</summary>
    public string ModerationOpen => Prefix + "moderation:open";

    /// <summary>Open moderation items of one reason kind (<c>low_confidence</c>, <c>rejected</c>).</summary>
    public string ModerationOpenOf(string reasonKind) => Prefix + "moderation:open:" + reasonKind;

    /// <summary>Decided moderation items, scored by number.</summary>
    public string ModerationDecided => Prefix + "moderation:decided";

    /// <summary>Decided moderation items of one reason kind.</summary>
    public string ModerationDecidedOf(string reasonKind) => Prefix + "moderation:decided:" + reasonKind;

    /// <summary>The open moderation item of each message: hash, field = message id, value = item id.</summary>
    public string ModerationOpenByMessage => Prefix + "moderation:open-by-message";

    /// <summary>Rejections already turned into moderation items: hash, field = rejection key, value = item id.</summary>
    public string ModerationRejections => Prefix + "moderation:rejections";

    /// <summary>Moderators' corrections of the classifier as labelled examples: hash, field = message id, value = JSON.</summary>
    public string Corrections => Prefix + "corrections";

    /// <summary>Corrected message ids, scored by the correction's number: the export order.</summary>
    public string CorrectionsOrder => Prefix + "corrections:order";

    /// <summary>Sequence for correction numbers.</summary>
    public string CorrectionsSequence => Prefix + "corrections:seq";

    /// <summary>Sequence for incident numbers.</summary>
    public string IncidentSequence => Prefix + "incident:seq";

    /// <summary>All incident records: one hash, field = incident id, value = JSON.</summary>
    public string IncidentRecords => Prefix + "incidents:records";

    public string IncidentByMessage(string messageId) => Prefix + "incident:by-message:" + messageId;

    /// <summary>
    /// A citizen's later message in an incident's thread that joined that incident (a follow-up, or the message that
    /// reopened it) instead of becoming one: message id → incident id.
    /// </summary>
    public string IncidentByFollowUp(string messageId) => Prefix + "incident:by-follow-up:" + messageId;

    /// <summary>
    /// The incidents of one platform thread (a post's comments, a private chat): platform code, the page's external
    /// id and the thread id; scored by when their message was received (ms). Official replies and citizens writing
    /// again are matched against it.
    /// </summary>
    public string IncidentsByThread(string platform, string pageExternalId, string threadId) =>
        Prefix + "incidents:thread:" + platform + ":" + pageExternalId + ":" + threadId;

    /// <summary>One citizen's incidents in a thread (the author's platform id last), scored by received time (ms).</summary>
    public string IncidentsByThreadAuthor(string platform, string pageExternalId, string threadId, string authorId) =>
        IncidentsByThread(platform, pageExternalId, threadId) + ":author:" + authorId;

    /// <summary>
    /// The page's own replies in one platform thread (as for <see cref="IncidentsByThread"/>), each a message JSON
    /// scored by when the page wrote it (ms): an incident created after a reply (its message waited in moderation)
    /// finds its first response there.
    /// </summary>
    public string PageRepliesByThread(string platform, string pageExternalId, string threadId) =>
        Prefix + "page-replies:" + platform + ":" + pageExternalId + ":" + threadId;

    /// <summary>All incidents, scored by creation time (ms).</summary>
    public string IncidentsByCreation => Prefix + "incidents:all";

    public string IncidentsByAuthority(string authorityId) => Prefix + "incidents:authority:" + authorityId;

    public string IncidentsByStatus(string status) => Prefix + "incidents:status:" + status;

    public string IncidentsByCategory(string category) => Prefix + "incidents:category:" + category;

    /// <summary>Each incident's record version (field = incident id): the compare-and-set of updates.</summary>
    public string IncidentVersions => Prefix + "incidents:versions";

    /// <summary>
    /// Every creation and change of an incident, in order (fields: incident, version, event, data = the record):
    /// the feed behind <c>WatchIncidents</c>.
    /// </summary>
    public string IncidentEventsStream => Prefix + "incident-events";

    /// <summary>
    /// Incidents with a timer step pending (warning, breach or escalation), scored by when the next one is due (ms);
    /// written with the record in the same script.
    /// </summary>
    public string IncidentTimers => Prefix + "incidents:timers";

    /// <summary>
    /// The index that preceded <see cref="IncidentTimers"/> (first-response due times): no longer written; the SLA timer
    /// worker moves what it finds there into the timer index at start and deletes it.
    /// </summary>
    public string FirstResponseDue => Prefix + "incidents:first-response-due";

    /// <summary>The registry's catalogue: one hash per entity set, field = id, value = JSON.</summary>
    public string RegistryEntities(string set) => Prefix + "registry:" + set;

    /// <summary>The registry's change feed: entry ids are <c>version-index</c>.</summary>
    public string RegistryChanges => Prefix + "registry:changes";

    /// <summary>The registry catalogue's version counter.</summary>
    public string RegistryVersion => Prefix + "registry:version";

    /// <summary>
    /// The id of the commit that made the registry catalogue's current version, drawn at random by every commit: the
    /// same version number in another history of the store (a backup restored, a re-seed) has another id.
    /// </summary>
    public string RegistryCommit => Prefix + "registry:commit";

    /// <summary>Ids already taken from the seed file, so a seed entity deleted by staff is not re-created.</summary>
    public string RegistrySeeded => Prefix + "registry:seeded";

    /// <summary>The routing knowledge documents: field = name (topics, cues, …), value = the current version's record JSON.</summary>
    public string RegistryKnowledge => Prefix + "registry:knowledge";

    /// <summary>A knowledge document's recent versions (record JSON), newest first, capped.</summary>
    public string RegistryKnowledgeHistory(string name) => Prefix + "registry:knowledge:history:" + name;
}
