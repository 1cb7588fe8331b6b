using System.Globalization;
using System.Text;

namespace GovPublics.Routing.Domain;

internal enum RawTokenKind : byte
{
    Word,
    Number,
    Emoji,
}

/// <summary>A word, number or emoji of the text: where it is in the source and where its normalised form is.</summary>
internal struct RawToken
{
    public int Start;
    public int Length;
    public int NormStart;
    public int NormLength;
    public int Clause;
    public RawTokenKind Kind;
    public bool Capitalized;
    public bool SentenceStart;
    public bool Latin;

    /// <summary>The word is followed by punctuation or ends the text ("Отрадный, ул. …"): it stands alone, like a heading.</summary>
    public bool PunctuationAfter;
}

/// <summary>Reusable output of <see cref="Tokenizer"/>: tokens, their normalised characters and the text's signals.</summary>
internal sealed class TokenBuffer
{
    public const int MaxTokens = 2000;

    public RawToken[] Tokens = new RawToken[64];
    public char[] Chars = new char[512];
    public int Count;
    public int CharCount;
    public int Links;
    public int Mentions;
    public int Questions;
    public int Exclamations;

    public void Reset()
    {
        Count = 0;
        CharCount = 0;
        Links = 0;
        Mentions = 0;
        Questions = 0;
        Exclamations = 0;
    }

    public ReadOnlySpan<char> Normalized(in RawToken token) => Chars.AsSpan(token.NormStart, token.NormLength);

    public void EnsureChars(int extra)
    {
        if (CharCount + extra > Chars.Length)
        {
            Array.Resize(ref Chars, Math.Max(Chars.Length * 2, CharCount + extra));
        }
    }

    public ref RawToken Add()
    {
        if (Count == Tokens.Length)
        {
            Array.Resize(ref Tokens, Tokens.Length * 2);
        }

        ref var token = ref Tokens[Count++];
        token = default;
        return ref token;
    }
}

/// <summary>
/// Splits a message into words, numbers and emoji in one pass without regular expressions: drops links and
/// mentions (counting them), splits glued camel case ("вТольятти"), letter/digit runs ("3дня"), lower-cases, maps
/// ё to е, repairs Latin look-alike letters inside Cyrillic words and collapses stretched letters ("нееет").
/// </summary>
internal static class Tokenizer
{
    private static readonly string[] _tlds =
    [
        "ru", "рф", "com", "net", "org", "me", "su", "cc", "info", "online", "shop", "io", "ly", "pro", "site", "club",
        "biz", "store", "link", "top", "xyz", "app", "gl", "to", "by", "kz", "ua", "de", "tk",
    ];

    public static void Tokenize(string text, TokenBuffer buffer, IReadOnlySet<int> dropRunes)
    {
        buffer.Reset();
        var clause = 0;
        var sentenceStart = true;
        var lastEmoji = -1;
        var i = 0;
        var n = text.Length;
        while (i < n && buffer.Count < TokenBuffer.MaxTokens)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (c == '\n')
                {
                    clause++;
                    sentenceStart = true;
                }

                i++;
                continue;
            }

            if (i == 0 || char.IsWhiteSpace(text[i - 1]) || text[i - 1] is '(' or '«' or '"')
            {
                var skipped = SkipLinkOrMention(text, i, buffer);
                if (skipped > i)
                {
                    i = skipped;
                    continue;
                }
            }

            if (c == '[' && TrySkipVkMention(text, i, out var afterMention))
            {
                buffer.Mentions++;
                i = afterMention;
                continue;
            }

            if (char.IsLetter(c))
            {
                i = ReadWord(text, i, buffer, clause, sentenceStart);
                sentenceStart = false;
                lastEmoji = -1;
                continue;
            }

            if (char.IsDigit(c))
            {
                var start = i;
                while (i < n && char.IsDigit(text[i]))
                {
                    i++;
                }

                AddToken(buffer, text, start, i - start, RawTokenKind.Number, clause, sentenceStart, false, false);
                sentenceStart = false;
                lastEmoji = -1;
                continue;
            }

            switch (c)
            {
                case '?':
                    buffer.Questions++;
                    clause++;
                    sentenceStart = true;
                    i++;
                    continue;
                case '!':
                    buffer.Exclamations++;
                    clause++;
                    sentenceStart = true;
                    i++;
                    continue;
                case ';' or '…':
                    clause++;
                    sentenceStart = true;
                    i++;
                    continue;
                case '.':
                    if (EndsSentence(text, i))
                    {
                        clause++;
                        sentenceStart = true;
                    }

                    i++;
                    continue;
            }

            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) == System.Buffers.OperationStatus.Done
                && IsEmoji(rune))
            {
                if (!dropRunes.Contains(rune.Value) && rune.Value != lastEmoji)
                {
                    AddToken(buffer, text, i, consumed, RawTokenKind.Emoji, clause, false, false, false);
                    lastEmoji = rune.Value;
                }

                i += consumed;
                continue;
            }

            i++;
        }
    }

    private static bool IsEmoji(Rune rune)
    {
        if (rune.Value < 0x80)
        {
            return false;
        }

        if (rune.Value >= 0x1F000)
        {
            return true;
        }

        var category = Rune.GetUnicodeCategory(rune);
        return category is UnicodeCategory.OtherSymbol or UnicodeCategory.ModifierSymbol
            || rune.Value is 0xFE0F or 0x200D;
    }

    private static bool EndsSentence(string text, int dot)
    {
        var j = dot + 1;
        var sawSpace = false;
        while (j < text.Length && char.IsWhiteSpace(text[j]))
        {
            if (text[j] == '\n')
            {
                return true;
            }

            sawSpace = true;
            j++;
        }

        if (j >= text.Length)
        {
            return true;
        }

        // "воды.Прошу" and "воды. Прошу" end a sentence; "г.о. самара" and "ул. мира" do not.
        return char.IsUpper(text[j]) && (sawSpace || (dot > 0 && char.IsLower(text[dot - 1])));
    }

    private static int ReadWord(string text, int start, TokenBuffer buffer, int clause, bool sentenceStart)
    {
        var n = text.Length;
        var i = start;
        var wordStart = start;
        var first = true;
        while (i < n)
        {
            var c = text[i];
            if (char.IsLetter(c))
            {
                // Split "вТольятти" and "водыПрошу": a capital after a small letter starts a new word.
                if (i > wordStart && char.IsUpper(c) && char.IsLower(text[i - 1]))
                {
                    EmitWord(text, wordStart, i - wordStart, buffer, clause, first && sentenceStart);
                    first = false;
                    wordStart = i;
                }

                i++;
                continue;
            }

            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                i++; // combining stress marks inside a word
                continue;
            }

            if ((c is '-' or '‐' or '\'' or '’') && i + 1 < n && char.IsLetter(text[i + 1]) && char.IsLetter(text[i - 1]))
            {
                i++;
                continue;
            }

            break;
        }

        EmitWord(text, wordStart, i - wordStart, buffer, clause, first && sentenceStart);
        return i;
    }

    private static void EmitWord(string text, int start, int length, TokenBuffer buffer, int clause, bool sentenceStart)
    {
        if (buffer.Count >= TokenBuffer.MaxTokens)
        {
            return;
        }

        var first = text[start];
        var capitalized = char.IsUpper(first) && (length == 1 || !char.IsUpper(text[start + 1]));
        AddToken(buffer, text, start, length, RawTokenKind.Word, clause, sentenceStart, capitalized, true);
        buffer.Tokens[buffer.Count - 1].PunctuationAfter = PunctuationFollows(text, start + length);
    }

    private static bool PunctuationFollows(string text, int at)
    {
        var j = at;
        while (j < text.Length && j < at + 3 && text[j] is ' ' or '\t')
        {
            j++;
        }

        return j >= text.Length
            || text[j] is ',' or ':' or ';' or '.' or '!' or '?' or '—' or '–' or '-' or '(' or '\n' or '\r';
    }

    private static void AddToken(
        TokenBuffer buffer, string text, int start, int length, RawTokenKind kind, int clause, bool sentenceStart,
        bool capitalized, bool normalize)
    {
        buffer.EnsureChars(length);
        ref var token = ref buffer.Add();
        token.Start = start;
        token.Length = length;
        token.Kind = kind;
        token.Clause = clause;
        token.SentenceStart = sentenceStart;
        token.Capitalized = capitalized;
        token.NormStart = buffer.CharCount;
        if (!normalize)
        {
            text.AsSpan(start, length).CopyTo(buffer.Chars.AsSpan(buffer.CharCount));
            token.NormLength = length;
            buffer.CharCount += length;
            return;
        }

        var cyrillic = 0;
        var latin = 0;
        for (var k = 0; k < length; k++)
        {
            var c = text[start + k];
            if (c is >= 'А' and <= 'я' or 'Ё' or 'ё')
            {
                cyrillic++;
            }
            else if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z')
            {
                latin++;
            }
        }

        var fixLookAlikes = cyrillic > 0 && latin > 0 && cyrillic >= latin;
        token.Latin = latin > 0 && cyrillic == 0;
        var chars = buffer.Chars;
        var w = buffer.CharCount;
        var run = 0;
        var previous = '\0';
        for (var k = 0; k < length; k++)
        {
            var c = text[start + k];
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            c = Letters.ToLowerInvariant(c);
            if (c == 'ё')
            {
                c = 'е';
            }
            else if (c is '‐')
            {
                c = '-';
            }
            else if (c is '’')
            {
                c = '\'';
            }
            else if (fixLookAlikes)
            {
                c = LookAlike(c);
            }

            // Collapse letters stretched for emphasis: three or more of the same in a row become one.
            if (c == previous)
            {
                run++;
                if (run == 2)
                {
                    w--; // the second copy was written; the third proves a stretch
                    continue;
                }

                if (run > 2)
                {
                    continue;
                }
            }
            else
            {
                run = 0;
            }

            previous = c;
            chars[w++] = c;
        }

        token.NormLength = w - buffer.CharCount;
        buffer.CharCount = w;
    }

    private static char LookAlike(char c) => c switch
    {
        'a' => 'а',
        'e' => 'е',
        'o' => 'о',
        'p' => 'р',
        'c' => 'с',
        'x' => 'х',
        'y' => 'у',
        'k' => 'к',
        'm' => 'м',
        't' => 'т',
        'h' => 'н',
        'b' => 'в',
        _ => c,
    };

    /// <summary>Skips a link ("https://…", "www.…", "site.ru/…") or an "@mention" chunk; returns where it ends.</summary>
    private static int SkipLinkOrMention(string text, int start, TokenBuffer buffer)
    {
        var end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        var chunk = text.AsSpan(start, end - start);
        if (chunk.Length > 1 && chunk[0] == '@')
        {
            buffer.Mentions++;
            return end;
        }

        if (chunk.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || chunk.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || chunk.StartsWith("www.", StringComparison.OrdinalIgnoreCase)
            || chunk.Contains("://", StringComparison.Ordinal))
        {
            buffer.Links++;
            return end;
        }

        if (LooksLikeDomain(chunk))
        {
            buffer.Links++;
            return end;
        }

        return start;
    }

    private static bool LooksLikeDomain(ReadOnlySpan<char> chunk)
    {
        var slash = chunk.IndexOf('/');
        var host = slash >= 0 ? chunk[..slash] : chunk;
        host = host.TrimEnd(".,;:!?)»\"'");
        var dot = host.LastIndexOf('.');
        if (dot <= 0 || dot == host.Length - 1)
        {
            return false;
        }

        var tld = host[(dot + 1)..];
        foreach (var known in _tlds)
        {
            if (tld.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return char.IsLetterOrDigit(host[dot - 1]);
            }
        }

        return false;
    }

    /// <summary>VK's mention markup: "[id123|Имя Фамилия]", "[club123|Сообщество]".</summary>
    private static bool TrySkipVkMention(string text, int start, out int end)
    {
        end = start;
        var span = text.AsSpan(start + 1);
        if (!(span.StartsWith("id", StringComparison.Ordinal) || span.StartsWith("club", StringComparison.Ordinal)
            || span.StartsWith("public", StringComparison.Ordinal)))
        {
            return false;
        }

        var close = span.IndexOf(']');
        var bar = span.IndexOf('|');
        if (close < 0 || bar < 0 || bar > close || close > 200)
        {
            return false;
        }

        end = start + 1 + close + 1;
        return true;
    }
}
