namespace GovPublics.Routing.Domain;

/// <summary>A word of the message as read: its analysis and where it stands in the source text.</summary>
internal struct Token
{
    public WordInfo Info;

    /// <summary>How the written word was repaired or expanded, if it was ("тлт=тольятти", "отапление≈отоплен").</summary>
    public string? Note;
    public int Start;
    public int Length;
    public int Clause;
    public bool Capitalized;
    public bool SentenceStart;

    /// <summary>Punctuation follows the written word (set on its last part).</summary>
    public bool PunctuationAfter;

    /// <summary>
    /// The word is part of a name: a place found in the text, or a capitalised adjective inside a sentence (a street,
    /// «на Медицинской», «от Крутых Ключей»). A single dictionary word does not count there.
    /// </summary>
    public bool Name;
}

/// <summary>A dictionary entry found in the message, from token <see cref="Start"/> to <see cref="End"/> inclusive.</summary>
internal readonly record struct Hit(Term Term, int Start, int End);

/// <summary>A place name found in the message.</summary>
internal readonly record struct PlaceHit(PlaceTerm Place, int Start, int End);

/// <summary>
/// Per-thread working memory of the classifier, reused from message to message so the hot path allocates little.
/// </summary>
internal sealed class ClassifierScratch
{
    // Street names are adjectives: «Школьная», «на Медицинской», «Лесную», «Заводской».
    private static readonly string[] _adjectiveEndings = ["ая", "ой", "ую", "ий", "ый", "ое", "ых", "ского"];

    [ThreadStatic]
    private static ClassifierScratch? _current;

    public readonly TokenBuffer Raw = new();
    public readonly List<Hit> Hits = [];
    public readonly List<PlaceHit> Places = [];
    public readonly double[] Cues = new double[8];
    public Token[] Tokens = new Token[64];
    public int Count;
    public int[] Seen = [];

    /// <summary>
    /// Per phrase stem, the <see cref="Stamp"/> of the last message that has it: a phrase whose other words are not
    /// all in the message is not tried.
    /// </summary>
    public int[] StemSeen = [];
    public int Stamp;
    public double[] TopicScore = [];
    public double[] TopicProblem = [];
    public int[] TopicFirst = [];
    public double[] SubtopicScore = [];
    public int[] SubtopicFirst = [];
    public int[] UrgencyMask = [];
    public bool[] UrgencyBlocked = [];
    private bool[] _dropped = new bool[64];

    public static ClassifierScratch Current => _current ??= new ClassifierScratch();

    public void Prepare(RoutingKnowledge knowledge)
    {
        Count = 0;
        Hits.Clear();
        Places.Clear();
        Array.Clear(Cues);
        Fit(ref TopicScore, knowledge.Topics.Count);
        Fit(ref TopicProblem, knowledge.Topics.Count);
        Fit(ref TopicFirst, knowledge.Topics.Count, int.MaxValue);
        Fit(ref SubtopicScore, knowledge.SubtopicCount);
        Fit(ref SubtopicFirst, knowledge.SubtopicCount, int.MaxValue);
        Fit(ref UrgencyMask, knowledge.UrgencyRules.Count);
        Fit(ref UrgencyBlocked, knowledge.UrgencyRules.Count);
        if (Seen.Length < knowledge.Terms.Count || StemSeen.Length < knowledge.Lexicon.PhraseStemCount)
        {
            Seen = new int[Math.Max(Seen.Length, knowledge.Terms.Count)];
            StemSeen = new int[Math.Max(StemSeen.Length, knowledge.Lexicon.PhraseStemCount)];
            Stamp = 0;
        }

        if (++Stamp == int.MaxValue)
        {
            Array.Clear(Seen);
            Array.Clear(StemSeen);
            Stamp = 1;
        }
    }

    public void AddToken(WordInfo info, in RawToken raw, bool first, bool last, string? note)
    {
        if (Count == Tokens.Length)
        {
            Array.Resize(ref Tokens, Tokens.Length * 2);
        }

        if (info.StemId >= 0)
        {
            StemSeen[info.StemId] = Stamp;
        }

        if (info.AltStemId >= 0)
        {
            StemSeen[info.AltStemId] = Stamp;
        }

        Tokens[Count++] = new Token
        {
            Info = info,
            Note = note,
            Start = raw.Start,
            Length = raw.Length,
            Clause = raw.Clause,
            Capitalized = first && raw.Capitalized,
            SentenceStart = first && raw.SentenceStart,
            PunctuationAfter = last && raw.PunctuationAfter,
            Name = first && raw.Capitalized && !raw.SentenceStart && LooksLikeAdjective(info.Word),
        };
    }

    private static bool LooksLikeAdjective(string word)
    {
        foreach (var ending in _adjectiveEndings)
        {
            if (word.EndsWith(ending, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A cleared flag per hit, reused from message to message.</summary>
    public bool[] DroppedHits(int count)
    {
        if (_dropped.Length < count)
        {
            _dropped = new bool[Math.Max(count, _dropped.Length * 2)];
        }

        Array.Clear(_dropped, 0, count);
        return _dropped;
    }

    /// <summary>Whether the entry (or one of its mirrors, which share its id) already matched in this message.</summary>
    public bool HasSeen(Term term) => Seen[term.Id] == Stamp;

    public void MarkSeen(Term term) => Seen[term.Id] = Stamp;

    private static void Fit<T>(ref T[] array, int length, T fill = default!)
    {
        if (array.Length != length)
        {
            array = new T[length];
        }

        Array.Fill(array, fill);
    }
}
