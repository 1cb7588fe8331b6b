namespace GovPublics.Routing.Domain;

/// <summary>Character helpers on the classifier's hot path.</summary>
public static class Letters
{
    /// <summary>
    /// <see cref="char.ToLowerInvariant(char)"/> with the letters citizens write answered without the culture tables:
    /// ASCII and the Russian alphabet (Ё, А–Я) are most characters of a message, and the general path costs a call
    /// into ICU for each Cyrillic letter.
    /// </summary>
    public static char ToLowerInvariant(char c) => c switch
    {
        >= 'A' and <= 'Z' => (char)(c + 32),
        < (char)0x80 => c,
        >= '\u0410' and <= '\u042F' => (char)(c + 0x20),
        >= '\u0400' and <= '\u040F' => (char)(c + 0x50),
        >= '\u0430' and <= '\u045F' => c,
        _ => char.ToLowerInvariant(c),
    };
}
