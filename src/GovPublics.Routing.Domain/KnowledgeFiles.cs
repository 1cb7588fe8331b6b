using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovPublics.Routing.Domain;

// The JSON shapes of the knowledge documents. "description" and "note" are free comments; any other property the
// shapes do not have is refused (a misspelt "wrods" must not be silently ignored).

internal sealed class TermGroupDto
{
    public string? Note { get; set; }

    public double Weight { get; set; } = 1;

    public bool Problem { get; set; }

    public List<string> Words { get; set; } = [];

    public List<string> Prefixes { get; set; } = [];
}

internal sealed class SubtopicDto
{
    public string? Note { get; set; }

    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public List<TermGroupDto> Terms { get; set; } = [];
}

internal sealed class TopicDto
{
    public string? Note { get; set; }

    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public string DefaultSubtopic { get; set; } = "";

    public List<TermGroupDto> Terms { get; set; } = [];

    public List<SubtopicDto> Subtopics { get; set; } = [];
}

internal sealed class RedirectDto
{
    public string? Note { get; set; }

    public List<string> Context { get; set; } = [];

    public List<string> From { get; set; } = [];

    public string To { get; set; } = "";

    public bool BetweenPlaces { get; set; }
}

internal sealed class TopicsFile
{
    public string? Description { get; set; }

    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 2;

    public List<TopicDto> Topics { get; set; } = [];

    public List<RedirectDto> Redirects { get; set; } = [];
}

internal sealed class SignalDto
{
    public string? Note { get; set; }

    public string Class { get; set; } = "";

    public double Weight { get; set; }
}

internal sealed class CuesFile
{
    public string? Description { get; set; }

    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 2;

    public Dictionary<string, List<TermGroupDto>> Classes { get; set; } = [];

    public Dictionary<string, SignalDto> Signals { get; set; } = [];
}

internal sealed class UrgencyRuleDto
{
    public string? Note { get; set; }

    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public List<List<string>> All { get; set; } = [];

    public List<List<string>> None { get; set; } = [];
}

internal sealed class UrgencyFile
{
    public string? Description { get; set; }

    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 2;

    public List<UrgencyRuleDto> Rules { get; set; } = [];
}

internal sealed class NormalizationFile
{
    public string? Description { get; set; }

    public string Version { get; set; } = "";

    public Dictionary<string, string> Abbreviations { get; set; } = [];

    public List<List<string>> Transliteration { get; set; } = [];

    public List<string> GlueWords { get; set; } = [];

    public List<string> GlueWordsAfter { get; set; } = [];

    public List<string> Variation { get; set; } = [];

    public List<string> NegationWords { get; set; } = [];
}

internal sealed class PlaceDto
{
    public string? Note { get; set; }

    public List<string> Names { get; set; } = [];

    public string Territory { get; set; } = "";

    public double Certainty { get; set; } = 0.9;

    public bool Capitalized { get; set; }
}

internal sealed class PlacesFile
{
    public string? Description { get; set; }

    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 1;

    public List<string> DistrictWords { get; set; } = [];

    public List<string> AmbiguousWords { get; set; } = [];

    public List<string> HomeWords { get; set; } = [];

    public List<PlaceDto> Places { get; set; } = [];
}

internal static class KnowledgeJson
{
    private const int MaxReported = 20;

    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonDocumentOptions _documentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>
    /// Reads one document: its JSON syntax, then every null (no field of the knowledge may be null), then the shape.
    /// Every problem goes to <paramref name="errors"/> with the document's name and the JSON path.
    /// </summary>
    public static T Read<T>(IReadOnlyDictionary<string, string> documents, string name, KnowledgeErrorList errors)
        where T : class, new()
    {
        if (!documents.TryGetValue(name, out var content))
        {
            errors.Add(name, "$", "not found");
            return new T();
        }

        try
        {
            using (var document = JsonDocument.Parse(content, _documentOptions))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(name, "$", $"must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
                    return new T();
                }

                var before = errors.Count;
                FindNulls(name, document.RootElement, "$", errors);
                if (errors.Count > before)
                {
                    return new T();
                }
            }

            return JsonSerializer.Deserialize<T>(content, Options) ?? new T();
        }
        catch (JsonException e)
        {
            errors.Add(name, string.IsNullOrEmpty(e.Path) ? "$" : e.Path, Describe(e));
            return new T();
        }
    }

    private static void FindNulls(string name, JsonElement element, string path, KnowledgeErrorList errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null when errors.Count < MaxReported:
                errors.Add(name, path, "must not be null");
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    FindNulls(name, property.Value, $"{path}.{property.Name}", errors);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    FindNulls(name, item, $"{path}[{i++}]", errors);
                }

                break;
        }
    }

    /// <summary>The serializer's message without its own "Path: … | LineNumber: …" tail, plus the line and position.</summary>
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var tail = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (tail < 0)
        {
            tail = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        if (tail > 0)
        {
            message = message[..tail];
        }

        return e.LineNumber is { } line
            ? $"{message.TrimEnd()} (line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1})"
            : message.TrimEnd();
    }
}
