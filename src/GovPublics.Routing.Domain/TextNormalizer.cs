using System.Collections.Frozen;
using System.Text;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace GovPublics.Routing.Domain;

/// <summary>
/// The data-driven parts of normalisation that do not depend on the dictionaries: abbreviations and slang,
/// transliteration, glue words, emoji modifiers, and the Snowball stemmer. Thread-safe.
/// </summary>
internal sealed class TextNormalizer
{
    [ThreadStatic]
    private static RussianStemmer? _stemmer;

    private readonly FrozenDictionary<string, string[]> _abbreviations;
    private readonly FrozenDictionary<string, string[]> _abbreviationsByStem;
    private readonly (string Latin, string Cyrillic)[] _transliteration;

    public TextNormalizer(NormalizationFile file)
    {
        var abbreviations = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (from, to) in file.Abbreviations)
        {
            var key = NormalizeWord(from);
            var words = NormalizeWord(to).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (key.Length > 0 && words.Length > 0)
            {
                abbreviations[key] = words;
            }
        }

        _abbreviations = abbreviations.ToFrozenDictionary(StringComparer.Ordinal);

        // Slang is declined like any word ("капремонта", "пазике", "управляйку"): a form whose stem is the stem of a
        // key reads as that key. Short keys ("ук", "мкр") and keys whose stems clash are left to the exact match.
        _abbreviationsByStem = abbreviations
            .Select(kv => (Stem: Stem(kv.Key), Words: kv.Value))
            .Where(a => a.Stem.Length >= 4 && IsCyrillicWord(a.Stem))
            .GroupBy(a => a.Stem, StringComparer.Ordinal)
            .Where(g => g.Select(a => string.Join(' ', a.Words.Select(Stem))).Distinct(StringComparer.Ordinal).Count() == 1)
            .ToFrozenDictionary(g => g.Key, g => g.First().Words, StringComparer.Ordinal);
        _transliteration = [.. file.Transliteration
            .Where(pair => pair.Count == 2 && pair[0].Length > 0)
            .Select(pair => (pair[0].ToLowerInvariant(), pair[1].ToLowerInvariant()))
            .OrderByDescending(pair => pair.Item1.Length)];
        GlueWords = file.GlueWords.Select(NormalizeWord).Where(w => w.Length > 0).ToFrozenSet(StringComparer.Ordinal);
        GlueWordsAfter = file.GlueWordsAfter.Select(NormalizeWord).Where(w => w.Length > 0).ToFrozenSet(StringComparer.Ordinal);
        NegationWords = file.NegationWords.Select(NormalizeWord).Where(w => w.Length > 0).ToFrozenSet(StringComparer.Ordinal);
        DropRunes = file.Variation
            .Where(v => v.Length > 0)
            .Select(v => Rune.GetRuneAt(v, 0).Value)
            .ToFrozenSet();
    }

    /// <summary>Short words people glue to a neighbour ("нетводы").</summary>
    public FrozenSet<string> GlueWords { get; }

    /// <summary>Short words people glue after a word ("ямана"); only split off the end.</summary>
    public FrozenSet<string> GlueWordsAfter { get; }

    /// <summary>Words that negate the next one ("не"); they are their own stem.</summary>
    public FrozenSet<string> NegationWords { get; }

    /// <summary>Emoji modifiers and joiners the tokenizer drops.</summary>
    public FrozenSet<int> DropRunes { get; }

    /// <summary>Lower case, ё as е: the form words are cached and looked up by.</summary>
    public static string NormalizeWord(string word) => word.Trim().ToLowerInvariant().Replace('ё', 'е');

    public bool TryExpand(string word, out string[] expansion) =>
        _abbreviations.TryGetValue(word, out expansion!)
        || (word.Length >= 4 && IsCyrillicWord(word) && _abbreviationsByStem.TryGetValue(Stem(word), out expansion!));

    /// <summary>The Snowball stem of a Russian word; Latin words, numbers and emoji are their own stem.</summary>
    public static string Stem(string word)
    {
        if (word.Length < 3 || !IsCyrillicWord(word))
        {
            return word;
        }

        var stemmer = _stemmer ??= new RussianStemmer();
        stemmer.SetCurrent(word);
        stemmer.Stem();
        return stemmer.Current;
    }

    /// <summary>
    /// The stems with the fleeting vowel dropped ("городок" → "городк", as in "в Городке"; "ребенок" → "ребенк"),
    /// which the Snowball stemmer does not do; null when no stem has one.
    /// </summary>
    public static string[]? FleetingVowelVariant(string[] stems)
    {
        string[]? variant = null;
        for (var i = 0; i < stems.Length; i++)
        {
            var stem = stems[i];
            if (stem.Length >= 5 && (stem.EndsWith("ок", StringComparison.Ordinal) || stem.EndsWith("ек", StringComparison.Ordinal))
                && IsCyrillicWord(stem))
            {
                variant ??= (string[])stems.Clone();
                variant[i] = string.Concat(stem.AsSpan(0, stem.Length - 2), "к");
            }
        }

        return variant;
    }

    public static bool IsCyrillicWord(string word)
    {
        foreach (var c in word)
        {
            if (c is (< 'а' or > 'я') and not '-')
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsLatinWord(string word)
    {
        foreach (var c in word)
        {
            if (c is (< 'a' or > 'z') and not '-' and not '\'')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads a Latin word as Russian: the longest letter group first ("shch" before "sh" before "s"); "y" after a
    /// vowel is "й", and a leading "e" is "э".
    /// </summary>
    public string Transliterate(string latin)
    {
        var sb = new StringBuilder(latin.Length + 2);
        var i = 0;
        while (i < latin.Length)
        {
            var matched = false;
            foreach (var (from, to) in _transliteration)
            {
                if (string.CompareOrdinal(latin, i, from, 0, from.Length) != 0)
                {
                    continue;
                }

                var cyrillic = to;
                if (from == "y" && sb.Length > 0 && IsVowel(sb[^1]))
                {
                    cyrillic = "й";
                }
                else if (from == "e" && i == 0)
                {
                    cyrillic = "э";
                }

                sb.Append(cyrillic);
                i += from.Length;
                matched = true;
                break;
            }

            if (!matched)
            {
                sb.Append(latin[i]);
                i++;
            }
        }

        return sb.ToString();
    }

    private static bool IsVowel(char c) => c is 'а' or 'е' or 'и' or 'о' or 'у' or 'ы' or 'э' or 'ю' or 'я';

    /// <summary>
    /// The stems of a phrase from a knowledge file or a catalogue name, read the way a message is read but without
    /// repairs: abbreviations expanded, hyphenated words split.
    /// </summary>
    public string[] PhraseStems(string phrase)
    {
        var buffer = new TokenBuffer();
        Tokenizer.Tokenize(phrase, buffer, DropRunes);
        var stems = new List<string>(buffer.Count + 2);
        for (var i = 0; i < buffer.Count; i++)
        {
            var word = new string(buffer.Normalized(buffer.Tokens[i]));
            AddBasicStems(word, stems);
        }

        return [.. stems];
    }

    private void AddBasicStems(string word, List<string> stems)
    {
        if (TryExpand(word, out var expansion))
        {
            foreach (var part in expansion)
            {
                stems.Add(Stem(part));
            }

            return;
        }

        if (word.Contains('-', StringComparison.Ordinal))
        {
            foreach (var part in word.Split('-', StringSplitOptions.RemoveEmptyEntries))
            {
                AddBasicStems(part, stems);
            }

            return;
        }

        stems.Add(Stem(word));
    }
}
