namespace GovPublics.Routing.Domain;

/// <summary>A topic of the routing knowledge with its subtopics.</summary>
public sealed record TopicInfo(string Code, string Name, string DefaultSubtopic, IReadOnlyList<SubtopicInfo> Subtopics);

/// <summary>A subtopic of the routing knowledge.</summary>
public sealed record SubtopicInfo(string Code, string Name);

/// <summary>
/// A problem named next to a facility belongs to the facility's topic: <c>From</c> lists the topics and subtopics
/// (a null subtopic for the whole topic) it takes over, <c>To</c> where they go. <c>BetweenPlaces</c> redirects a
/// problem of a road named by two settlements ("дорога Кинель — Богатое") instead of by context words.
/// </summary>
internal sealed record RedirectInfo(string Name, (int Topic, string? Subtopic)[] From, int ToTopic, string ToSubtopic, bool BetweenPlaces)
{
    public bool Takes(int topic, string subtopic)
    {
        foreach (var (t, s) in From)
        {
            if (t == topic && (s is null || s == subtopic))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>An urgency rule of the routing knowledge.</summary>
public sealed record UrgencyRuleInfo(string Id, string Name);

/// <summary>Classes of cue words; the first five are the non-incident subtypes.</summary>
internal enum CueClass
{
    Gratitude = 0,
    Spam = 1,
    Offtopic = 2,
    Toxic = 3,
    Opinion = 4,
    Complaint = 5,
    Request = 6,
    Resolved = 7,
}

internal enum TermKind : byte
{
    Topic,
    Cue,
    Urgency,
    UrgencyNone,

    /// <summary>A word that sets a context for a redirect (<see cref="Term.Rule"/> is the redirect's index).</summary>
    Context,
}

/// <summary>One entry of a dictionary: a word or a phrase as stems, with what a match of it means.</summary>
internal sealed class Term
{
    public required int Id { get; init; }

    public required TermKind Kind { get; init; }

    /// <summary>The entry as written in the knowledge file.</summary>
    public required string Text { get; init; }

    /// <summary>The stems to match in order; one for a word.</summary>
    public required string[] Stems { get; init; }

    public required double Weight { get; init; }

    public required int MaxGap { get; init; }

    /// <summary>Names a defect rather than an object.</summary>
    public bool Problem { get; init; }

    /// <summary>When set, the term matches any word that starts with it (as written, not stemmed).</summary>
    public string? Prefix { get; init; }

    /// <summary>Topic index for <see cref="TermKind.Topic"/>.</summary>
    public int Topic { get; init; } = -1;

    /// <summary>Flat subtopic index for <see cref="TermKind.Topic"/>; -1 for a topic-wide term.</summary>
    public int Subtopic { get; init; } = -1;

    public CueClass Cue { get; init; }

    /// <summary>Rule index for urgency terms.</summary>
    public int Rule { get; init; } = -1;

    /// <summary>Group index inside the rule's "all" list for <see cref="TermKind.Urgency"/>.</summary>
    public int Group { get; init; } = -1;

    /// <summary>The entry itself holds a negation word ("не работает"); set once while the knowledge loads.</summary>
    public bool HasNegation { get; set; }

    /// <summary>
    /// Words allowed between the first word and the second: one at most after a preposition ("в нашем подъезде"), so
    /// "в мусоре" is not found in «в 16 квартале мусор»; set once while the knowledge loads.
    /// </summary>
    public int FirstMaxGap { get; set; }

    /// <summary>The numbers of a phrase's stems in the lexicon (see <see cref="Lexicon.PhraseStemCount"/>); set once.</summary>
    public int[] StemIds { get; set; } = [];

    /// <summary>
    /// A negation right before the entry cancels it: "не пахнет газом", "не опасно", "так и не починили". Objects,
    /// requests and complaints are not cancelled ("не подскажете, когда дадут воду?" still asks).
    /// </summary>
    public bool Negatable => !HasNegation && (Kind is TermKind.Urgency or TermKind.UrgencyNone
        || (Kind == TermKind.Topic && Problem)
        || (Kind == TermKind.Cue && Cue is CueClass.Gratitude or CueClass.Resolved));
}

/// <summary>How a word of a message was read; cached per distinct written form.</summary>
internal sealed class WordInfo
{
    /// <summary>The word as normalised (lower case, ё as е).</summary>
    public required string Word { get; init; }

    public required string Stem { get; init; }

    /// <summary>The Cyrillic reading of a Latin word that is not a known word; place names are looked up by it too.</summary>
    public string? AltStem { get; init; }

    /// <summary>Words that replace this one: an abbreviation's expansion, the halves of glued words, a transliteration.</summary>
    public WordInfo[]? Parts { get; init; }

    /// <summary>Dictionary entries whose first stem is this word's stem, or whose prefix this word starts with.</summary>
    public Term[] Starts { get; init; } = [];

    /// <summary>How the word was repaired, for the explanation: "typo отаплен→отоплен", "translit", "split".</summary>
    public string? Note { get; init; }

    /// <summary>The word negates what follows it ("не").</summary>
    public bool Negation { get; init; }

    /// <summary>The number of <see cref="Stem"/> among the phrases' stems, or -1.</summary>
    public int StemId { get; init; } = -1;

    /// <summary>The number of <see cref="AltStem"/> among the phrases' stems, or -1.</summary>
    public int AltStemId { get; init; } = -1;
}
