using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace GovPublics.Common.Json;

/// <summary>
/// JSON as the services store it in Redis and pass it on streams. The default encoder escapes every non-ASCII
/// character, so a Russian message grew to six bytes per letter (<c>\u0442</c>) in every stream entry, record and
/// append-only-file write; stored JSON keeps letters as UTF-8 (two bytes for Cyrillic). HTML-sensitive characters,
/// control characters and characters outside the basic plane are still escaped: this JSON is never embedded in a page.
/// </summary>
public static class StoredJson
{
    private static readonly JavaScriptEncoder _encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    /// <summary>A copy of a source-generated context's options that writes letters as they are.</summary>
    public static JsonSerializerOptions Readable(JsonSerializerOptions generated) => new(generated) { Encoder = _encoder };
}
