using System.Globalization;
using System.Text.Json;

namespace GovPublics.Ingestion.Domain.Webhooks;

/// <summary>
/// Strict JSON reading shared by the webhook parsers: every refusal is a <see cref="WebhookFormatException"/> whose
/// message starts with the field's path, and bad text (invalid UTF-8, unpaired surrogates) is caught up front.
/// </summary>
internal static class WebhookJson
{
    /// <summary>Deepest nesting accepted: real payloads are a few levels deep.</summary>
    internal const int MaxDepth = 64;

    internal static JsonDocument ParseDocument(ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (body.StartsWith(bom))
        {
            body = body[bom.Length..];
        }

        if (body.IsEmpty)
        {
            throw Fail("body", "is empty");
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                throw new JsonException("unexpected content after the JSON value");
            }

            EnsureText(document.RootElement, "");
            return document;
        }
        catch (JsonException ex)
        {
            document?.Dispose();
            throw Fail("body", $"is not valid JSON ({ex.Message})");
        }
        catch (WebhookFormatException)
        {
            document?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes every property name and string once, so that invalid UTF-8 or an unpaired surrogate escape is refused
    /// here, naming where it is, and no later look-up (which unescapes names to compare them) can throw.
    /// </summary>
    internal static void EnsureText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        throw Fail(path.Length == 0 ? "body" : path, "has a property name that is not valid text");
                    }

                    EnsureText(property.Value, Join(path, name));
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    EnsureText(item, $"{(path.Length == 0 ? "body" : path)}[{index.ToString(CultureInfo.InvariantCulture)}]");
                    index++;
                }

                break;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw Fail(path.Length == 0 ? "body" : path, "is not valid text (invalid UTF-8 or an unpaired UTF-16 surrogate escape)");
                }

                break;
        }
    }

    internal static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    internal static WebhookFormatException Fail(string field, string reason) => new($"{field}: {reason}");

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>The property, or null when it is absent or JSON null.</summary>
    internal static JsonElement? Find(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    internal static JsonElement RequireObject(JsonElement parent, string path, string name) =>
        OptionalObject(parent, path, name) ?? throw Fail(Join(path, name), "is required");

    internal static JsonElement? OptionalObject(JsonElement parent, string path, string name)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? value
            : throw Fail(Join(path, name), $"must be an object, got {Describe(value.ValueKind)}");
    }

    internal static JsonElement? OptionalArray(JsonElement parent, string path, string name)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array
            ? value
            : throw Fail(Join(path, name), $"must be an array, got {Describe(value.ValueKind)}");
    }

    internal static string RequireString(JsonElement parent, string path, string name) =>
        OptionalString(parent, path, name) ?? throw Fail(Join(path, name), "is required");

    internal static string? OptionalString(JsonElement parent, string path, string name)
    {
        if (Find(parent, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Fail(Join(path, name), $"must be a string, got {Describe(value.ValueKind)}");
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw Fail(Join(path, name), "is not valid text (invalid UTF-8 or an unpaired UTF-16 surrogate escape)");
        }
    }

    internal static double RequireDouble(JsonElement parent, string path, string name)
    {
        if (Find(parent, name) is not { } value)
        {
            throw Fail(Join(path, name), "is required");
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Fail(Join(path, name), $"must be a number, got {Describe(value.ValueKind)}");
        }

        return value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw Fail(Join(path, name), "must be a finite number");
    }
}
