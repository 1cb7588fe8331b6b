using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace GovPublics.Routing.Domain;

/// <summary>
/// Every dictionary entry indexed by its first stem, the vocabulary of known stems, and a thread-safe cache that
/// reads each distinct written word once: abbreviation, transliteration, split of glued words, typo repair, stem,
/// and the entries it can start. After warm-up a message costs one cache lookup per word, with no allocation.
/// </summary>
internal sealed class Lexicon
{
    /// <summary>How many distinct stems the phrases use (the size of a per-message presence table).</summary>
    public int PhraseStemCount => _stemIds.Count;

    /// <summary>Distinct words kept in the cache; past this, new words are read on every call instead.</summary>
    public const int MaxCachedWords = 200_000;

    private const int MaxRepairLength = 24;

    private const int MaxMirrorGap = 1;

    // Below this length only the usual Russian slips are repaired; "перерыт" is not a typo of "перекрыт".
    private const int MinLengthOfAnyEdit = 8;

    private readonly TextNormalizer _normalizer;
    private readonly FrozenDictionary<string, Term[]> _byFirstStem;
    private readonly FrozenDictionary<string, int> _stemIds;
    private readonly Term[] _prefixTerms;
    private readonly FrozenSet<string> _vocabulary;
    private readonly FrozenSet<string> _content;
    private readonly FrozenDictionary<char, string[]> _contentByFirstLetter;
    private readonly ConcurrentDictionary<string, WordInfo> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WordInfo>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    // ConcurrentDictionary.Count takes every lock; a separate counter keeps the cap cheap to check.
    private int _cachedWords;

    public Lexicon(TextNormalizer normalizer, IReadOnlyList<Term> terms, IEnumerable<string> extraStems)
    {
        _normalizer = normalizer;
        // Mirrors of an entry share its id, so a message still counts it once: a two-word phrase matches in either
        // order ("нет воды", "воды нет"), and a word with a fleeting vowel also in its other forms ("ребенка").
        var indexed = terms.Where(t => t.Prefix is null).ToList();
        indexed.AddRange(indexed
            .Select(t => TextNormalizer.FleetingVowelVariant(t.Stems) is { } variant ? Mirror(t, variant, t.MaxGap) : null)
            .OfType<Term>()
            .ToList());
        // The reverse order allows one word between at most ("воды у нас нет" is a sentence, "ул. Специалистов, три
        // дня нет" is not "нет специалистов"), and a phrase with a negation or a preposition keeps its order ("скорую
        // не" must not read "не приехала скорая").
        indexed.AddRange(indexed
            .Where(t => t.Stems.Length == 2 && t.Stems[0] != t.Stems[1] && !t.HasNegation && !HasPreposition(t.Stems))
            .Select(t => Mirror(t, [t.Stems[1], t.Stems[0]], Math.Min(t.MaxGap, MaxMirrorGap)))
            .ToList());
        _byFirstStem = indexed
            .GroupBy(t => t.Stems[0], StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

        // Every stem of a phrase gets a number, so a message can tell in one array read whether a phrase's other
        // words occur in it at all before the phrase is matched word by word.
        var stemIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in indexed.Where(t => t.Stems.Length > 1))
        {
            term.StemIds = [.. term.Stems.Select(stem => stemIds.TryGetValue(stem, out var id) ? id : stemIds[stem] = stemIds.Count)];
        }

        _stemIds = stemIds.ToFrozenDictionary(StringComparer.Ordinal);
        _prefixTerms = [.. terms.Where(t => t.Prefix is not null)];

        var vocabulary = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in indexed)
        {
            vocabulary.UnionWith(term.Stems);
        }

        // Typo repair and glue splitting aim only at content words of the dictionaries, never at short function
        // words, nor at place names: «Никитинская» (a street) must not be "repaired" into «Никитинка» (a village).
        _content = vocabulary
            .Where(s => s.Length >= 4 && TextNormalizer.IsCyrillicWord(s) && !normalizer.GlueWords.Contains(s))
            .ToFrozenSet(StringComparer.Ordinal);
        vocabulary.UnionWith(extraStems);
        _vocabulary = vocabulary.ToFrozenSet(StringComparer.Ordinal);
        _contentByFirstLetter = _content
            .GroupBy(s => s[0])
            .ToFrozenDictionary(g => g.Key, g => g.Order(StringComparer.Ordinal).ToArray());
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Distinct written words read so far (up to <see cref="MaxCachedWords"/>).</summary>
    public int CachedWords => Volatile.Read(ref _cachedWords);

    // "на людей" read backwards is no phrase ("дети падают на бетон"); short function words keep their place.
    private static bool HasPreposition(string[] stems) =>
        Array.Exists(stems, s => s.Length <= 2 && TextNormalizer.IsCyrillicWord(s));

    private Term Mirror(Term t, string[] stems, int maxGap) => new()
    {
        Id = t.Id, Kind = t.Kind, Text = t.Text, Stems = stems, Weight = t.Weight, MaxGap = maxGap, Problem = t.Problem,
        FirstMaxGap = RoutingKnowledge.FirstGap(stems, maxGap, _normalizer),
        Topic = t.Topic, Subtopic = t.Subtopic, Cue = t.Cue, Rule = t.Rule, Group = t.Group, HasNegation = t.HasNegation,
    };

    /// <summary>How a normalised word of a message is read; cached.</summary>
    public WordInfo Lookup(ReadOnlySpan<char> word, RawTokenKind kind)
    {
        if (_cacheBySpan.TryGetValue(word, out var cached))
        {
            return cached;
        }

        var text = new string(word);
        var info = kind == RawTokenKind.Word ? Analyze(text, repair: true) : Leaf(text, text);
        if (Volatile.Read(ref _cachedWords) < MaxCachedWords && _cache.TryAdd(text, info))
        {
            Interlocked.Increment(ref _cachedWords);
        }

        return info;
    }

    private WordInfo Analyze(string word, bool repair)
    {
        if (_normalizer.TryExpand(word, out var expansion))
        {
            return new WordInfo
            {
                Word = word,
                Stem = word,
                Parts = [.. expansion.Select(part => Leaf(part, TextNormalizer.Stem(part)))],
                Note = $"{word}={string.Join(' ', expansion)}",
            };
        }

        if (word.Contains('-', StringComparison.Ordinal))
        {
            var parts = word.Split('-', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 1)
            {
                return new WordInfo
                {
                    Word = word,
                    Stem = word,
                    Parts = [.. parts.Select(part => Analyze(part, repair)).SelectMany(Flatten)],
                };
            }
        }

        if (TextNormalizer.IsLatinWord(word))
        {
            return AnalyzeLatin(word);
        }

        var stem = TextNormalizer.Stem(word);
        if (!repair || _vocabulary.Contains(stem) || !TextNormalizer.IsCyrillicWord(word) || word.Length > MaxRepairLength)
        {
            return Leaf(word, stem);
        }

        if (TrySplitGlued(word, out var halves))
        {
            return new WordInfo { Word = word, Stem = stem, Parts = halves, Note = $"{word}={halves[0].Word} {halves[1].Word}" };
        }

        if (TryRepairTypo(stem, out var repaired))
        {
            return Leaf(word, repaired, altStem: stem, note: $"{word}≈{repaired}");
        }

        return Leaf(word, stem);
    }

    private static IEnumerable<WordInfo> Flatten(WordInfo info) => info.Parts ?? [info];

    /// <summary>A Latin word is read as Russian only when its Cyrillic form is a known word ("net vody", "yama").</summary>
    private WordInfo AnalyzeLatin(string word)
    {
        if (_vocabulary.Contains(word))
        {
            return Leaf(word, word);
        }

        var cyrillic = _normalizer.Transliterate(word);
        if (TextNormalizer.IsCyrillicWord(cyrillic))
        {
            var reading = Analyze(cyrillic, repair: false);
            if (IsKnown(reading))
            {
                return new WordInfo
                {
                    Word = word,
                    Stem = reading.Stem,
                    StemId = reading.StemId,
                    Parts = reading.Parts,
                    Starts = reading.Starts,
                    Note = $"{word}→{cyrillic}",
                };
            }
        }

        return Leaf(word, word, altStem: TextNormalizer.Stem(cyrillic));
    }

    private bool IsKnown(WordInfo info) =>
        info.Parts is { } parts
            ? parts.Any(p => _vocabulary.Contains(p.Stem))
            : _vocabulary.Contains(info.Stem) || _normalizer.GlueWords.Contains(info.Word);

    /// <summary>
    /// Splits "нетводы" into "нет" + "воды" (or "ямана" into "яма" + "на") when one half is a glue word and the
    /// other a known content word, or both halves are known content words of four letters or more.
    /// </summary>
    private bool TrySplitGlued(string word, out WordInfo[] halves)
    {
        halves = [];
        for (var k = 2; k <= word.Length - 2; k++)
        {
            var left = word[..k];
            var right = word[k..];
            var leftGlue = _normalizer.GlueWords.Contains(left);
            var rightGlue = _normalizer.GlueWords.Contains(right) || _normalizer.GlueWordsAfter.Contains(right);
            if (leftGlue && rightGlue)
            {
                continue;
            }

            var leftContent = !leftGlue && left.Length >= 3 && IsContentStem(TextNormalizer.Stem(left));
            var rightContent = !rightGlue && right.Length >= 4 && IsContentStem(TextNormalizer.Stem(right));
            if ((leftGlue && rightContent) || (leftContent && rightGlue) || (leftContent && left.Length >= 4 && rightContent))
            {
                halves = [Leaf(left, TextNormalizer.Stem(left)), Leaf(right, TextNormalizer.Stem(right))];
                return true;
            }
        }

        return false;
    }

    private bool IsContentStem(string stem) => stem.Length >= 2 && _vocabulary.Contains(stem) && !_normalizer.GlueWords.Contains(stem);

    /// <summary>
    /// Repairs a one-letter typo against the known content stems: for stems of five to seven letters only the
    /// usual Russian slips (о/а, е/и, и/ы, ь/ъ, voiced/voiceless pairs, a doubled or dropped double letter); from
    /// eight letters any single edit. Ties go to the usual slip, then to the alphabetically first stem.
    /// </summary>
    private bool TryRepairTypo(string stem, out string repaired)
    {
        repaired = "";
        if (stem.Length < 5 || !_contentByFirstLetter.TryGetValue(stem[0], out var candidates))
        {
            return false;
        }

        var bestTypical = false;
        foreach (var candidate in candidates)
        {
            if (Math.Abs(candidate.Length - stem.Length) > 1 || !EditDistance.WithinOne(stem, candidate, out var typical))
            {
                continue;
            }

            if (!typical && stem.Length < MinLengthOfAnyEdit)
            {
                continue;
            }

            if (repaired.Length == 0 || (typical && !bestTypical))
            {
                repaired = candidate;
                bestTypical = typical;
            }
        }

        return repaired.Length > 0;
    }

    private WordInfo Leaf(string word, string stem, string? altStem = null, string? note = null) => new()
    {
        Word = word,
        Stem = stem,
        AltStem = altStem,
        StemId = _stemIds.TryGetValue(stem, out var id) ? id : -1,
        AltStemId = altStem is not null && _stemIds.TryGetValue(altStem, out var altId) ? altId : -1,
        Starts = StartsOf(word, stem),
        Note = note,
        Negation = _normalizer.NegationWords.Contains(word),
    };

    private Term[] StartsOf(string word, string stem)
    {
        var byStem = _byFirstStem.TryGetValue(stem, out var terms) ? terms : [];
        List<Term>? byPrefix = null;
        foreach (var term in _prefixTerms)
        {
            if (word.StartsWith(term.Prefix!, StringComparison.Ordinal))
            {
                (byPrefix ??= []).Add(term);
            }
        }

        return byPrefix is null ? byStem : [.. byStem, .. byPrefix];
    }
}

/// <summary>Restricted Damerau-Levenshtein distance of at most one, and whether the edit is a usual Russian slip.</summary>
internal static class EditDistance
{
    private static readonly string[] _slips =
    [
        "ао", "еи", "иы", "ея", "ьъ", "еэ", "юу", "дт", "бп", "вф", "гк", "зс", "жш", "шщ", "ий", "ое", "ая",
    ];

    public static bool WithinOne(string a, string b, out bool typical)
    {
        typical = false;
        if (a.Length == b.Length)
        {
            var first = -1;
            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] == b[i])
                {
                    continue;
                }

                if (first < 0)
                {
                    first = i;
                    continue;
                }

                // A second mismatch: only an adjacent swap is still one edit.
                if (i == first + 1 && a[first] == b[i] && a[i] == b[first] && a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1)))
                {
                    typical = true;
                    return true;
                }

                return false;
            }

            if (first < 0)
            {
                return false;
            }

            typical = IsSlip(a[first], b[first]);
            return true;
        }

        var (longer, shorter) = a.Length > b.Length ? (a, b) : (b, a);
        if (longer.Length != shorter.Length + 1)
        {
            return false;
        }

        var k = 0;
        while (k < shorter.Length && longer[k] == shorter[k])
        {
            k++;
        }

        if (!longer.AsSpan(k + 1).SequenceEqual(shorter.AsSpan(k)))
        {
            return false;
        }

        var extra = longer[k];
        typical = extra is 'ь' or 'ъ'
            || (k > 0 && longer[k - 1] == extra)
            || (k + 1 < longer.Length && longer[k + 1] == extra);
        return true;
    }

    private static bool IsSlip(char x, char y)
    {
        foreach (var pair in _slips)
        {
            if ((pair[0] == x && pair[1] == y) || (pair[0] == y && pair[1] == x))
            {
                return true;
            }
        }

        return false;
    }
}
