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
    [ThreadStatic]
    private static ClassifierScratch? _current;

    public readonly TokenBuffer Raw = new();
    public readonly List<Hit> Hits = [];
    public readonly List<PlaceHit> Places = [];
    public readonly double[] Cues = new double[8];
    public Token[] Tokens = new Token[64];
    public int Count;
    public int[] Seen = [];
    public int Stamp;
    public double[] TopicScore = [];
    public double[] TopicProblem = [];
    public int[] TopicFirst = [];
    public double[] SubtopicScore = [];
    public int[] SubtopicFirst = [];
    public int[] UrgencyMask = [];
    public bool[] UrgencyBlocked = [];

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
        if (Seen.Length < knowledge.Terms.Count)
        {
            Seen = new int[knowledge.Terms.Count];
            Stamp = 0;
        }

        if (++Stamp == int.MaxValue)
        {
            Array.Clear(Seen);
            Stamp = 1;
        }
    }

    public void AddToken(WordInfo info, in RawToken raw, bool first, string? note)
    {
        if (Count == Tokens.Length)
        {
            Array.Resize(ref Tokens, Tokens.Length * 2);
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
        };
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
