using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GovPublics.UnitTests.Ingestion;

/// <summary>
/// Webhook payload fixtures under <c>Ingestion/Fixtures/{platform}/</c>, read from the source tree: the folder is found
/// from this file's compile-time path, so no csproj item copies them to the output. Also mutates fixtures for fuzz tests.
/// </summary>
public static class WebhookFixtures
{
    private static readonly string[] _tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "-", "0", "1e999", "-1e999", "1.5", "99999999999999999999",
        "\\", "\\u", "\\ud800", "\"\\ud800\"", "\u00ff", "\uFEFF", "/*", "NaN",
    ];

    /// <summary>The Fixtures folder (next to this file).</summary>
    public static string Root { get; } = Path.Combine(ThisDirectory(), "Fixtures");

    /// <summary>The raw bytes of a fixture, e.g. <c>Read("telegram", "tg_message_text.official.json")</c>.</summary>
    public static byte[] Read(string platform, string name)
    {
        var path = Path.Combine(Root, platform, name);
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"No fixture {platform}/{name}", path);
    }

    /// <summary>The file names of every JSON fixture of a platform, sorted.</summary>
    public static IReadOnlyList<string> Names(string platform) =>
        [.. Directory.EnumerateFiles(Path.Combine(Root, platform), "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>
    /// A mutation of <paramref name="seed"/> for fuzzing: bytes flipped, the body cut short, a stray token inserted, or
    /// (most often, since it gets past the JSON reader) a value of the tree replaced with one of another type or removed.
    /// </summary>
    public static byte[] Mutate(byte[] seed, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                {
                    var bytes = (byte[])seed.Clone();
                    for (var i = random.Next(1, 4); i > 0 && bytes.Length > 0; i--)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }

                    return bytes;
                }

            case 1:
                return seed[..random.Next(seed.Length + 1)];
            case 2:
                {
                    var token = Encoding.UTF8.GetBytes(_tokens[random.Next(_tokens.Length)]);
                    var at = random.Next(seed.Length + 1);
                    return [.. seed[..at], .. token, .. seed[at..]];
                }

            default:
                try
                {
                    return MutateTree(seed, random, random.Next(1, 4));
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                {
                    return seed; // already mutated past valid JSON text: leave it to the byte-level mutations
                }
        }
    }

    private static byte[] MutateTree(byte[] seed, Random random, int edits)
    {
        var root = JsonNode.Parse(seed);
        if (root is null)
        {
            return seed;
        }

        for (var i = 0; i < edits; i++)
        {
            var slots = new List<(JsonNode Parent, string? Key, int Index)>();
            Collect(root, slots);
            if (slots.Count == 0)
            {
                break;
            }

            var (parent, key, index) = slots[random.Next(slots.Count)];
            var remove = random.Next(4) == 0;
            var value = remove ? null : RandomValue(random);
            switch (parent)
            {
                case JsonObject obj when key is not null:
                    if (remove)
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        obj[key] = value;
                    }

                    break;
                case JsonArray array:
                    if (remove)
                    {
                        array.RemoveAt(index);
                    }
                    else
                    {
                        array[index] = value;
                    }

                    break;
            }
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    private static void Collect(JsonNode node, List<(JsonNode Parent, string? Key, int Index)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    slots.Add((obj, key, -1));
                    if (child is not null)
                    {
                        Collect(child, slots);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, null, i));
                    if (array[i] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }

    private static JsonNode? RandomValue(Random random) => random.Next(14) switch
    {
        0 => null,
        1 => JsonValue.Create("строка"),
        2 => JsonValue.Create(""),
        3 => JsonValue.Create(0),
        4 => JsonValue.Create(-1),
        5 => JsonValue.Create(1.5),
        6 => JsonValue.Create(1e300),
        7 => JsonValue.Create(long.MaxValue),
        8 => JsonValue.Create(true),
        9 => new JsonArray(),
        10 => new JsonObject(),
        11 => new JsonArray(JsonValue.Create(1), new JsonObject()),
        12 => new JsonObject { ["id"] = "x", ["file_id"] = 5 },
        _ => JsonValue.Create(9_999_999_999_999L),
    };

    private static string ThisDirectory([CallerFilePath] string path = "") =>
        Path.GetDirectoryName(path) ?? throw new InvalidOperationException("The compiler recorded no source path.");
}
