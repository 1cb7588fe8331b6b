using System.Text.Json;

namespace GovPublics.Routing.Domain;

// The JSON shapes of Knowledge/*.json. Unknown properties ("description", "note") are ignored.

internal sealed class TermGroupDto
{
    public double Weight { get; set; } = 1;

    public bool Problem { get; set; }

    public List<string> Words { get; set; } = [];

    public List<string> Prefixes { get; set; } = [];
}

internal sealed class SubtopicDto
{
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public List<TermGroupDto> Terms { get; set; } = [];
}

internal sealed class TopicDto
{
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public string DefaultSubtopic { get; set; } = "";

    public List<TermGroupDto> Terms { get; set; } = [];

    public List<SubtopicDto> Subtopics { get; set; } = [];
}

internal sealed class RedirectDto
{
    public List<string> Context { get; set; } = [];

    public List<string> From { get; set; } = [];

    public string To { get; set; } = "";

    public bool BetweenPlaces { get; set; }
}

internal sealed class TopicsFile
{
    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 2;

    public List<TopicDto> Topics { get; set; } = [];

    public List<RedirectDto> Redirects { get; set; } = [];
}

internal sealed class SignalDto
{
    public string Class { get; set; } = "";

    public double Weight { get; set; }
}

internal sealed class CuesFile
{
    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 2;

    public Dictionary<string, List<TermGroupDto>> Classes { get; set; } = [];

    public Dictionary<string, SignalDto> Signals { get; set; } = [];
}

internal sealed class UrgencyRuleDto
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public List<List<string>> All { get; set; } = [];

    public List<List<string>> None { get; set; } = [];
}

internal sealed class UrgencyFile
{
    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 2;

    public List<UrgencyRuleDto> Rules { get; set; } = [];
}

internal sealed class NormalizationFile
{
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
    public List<string> Names { get; set; } = [];

    public string Territory { get; set; } = "";

    public double Certainty { get; set; } = 0.9;

    public bool Capitalized { get; set; }
}

internal sealed class PlacesFile
{
    public string Version { get; set; } = "";

    public int MaxGap { get; set; } = 1;

    public List<string> DistrictWords { get; set; } = [];

    public List<string> AmbiguousWords { get; set; } = [];

    public List<string> HomeWords { get; set; } = [];

    public List<PlaceDto> Places { get; set; } = [];
}

internal static class KnowledgeJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static T Read<T>(string directory, string fileName, List<string> errors)
        where T : class, new()
    {
        var path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
        {
            errors.Add($"{fileName}: not found in {directory}");
            return new T();
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? new T();
        }
        catch (JsonException e)
        {
            errors.Add($"{fileName}: {e.Message}");
            return new T();
        }
    }
}
