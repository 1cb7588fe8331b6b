using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Masks the secret that OK's webhook carries as the last segment of its URL (<c>/webhooks/ok/{groupId}/{secret}</c>:
/// OK signs nothing, so the path is the credential) in every span before it is exported: the server spans record
/// <c>url.path</c> and the gateway's proxied call records <c>url.full</c>, and a trace viewer is no place for a
/// credential that lets anyone post as the page's webhook.
/// </summary>
public sealed class SecretPathRedactor : BaseProcessor<Activity>
{
    private const string Marker = "/webhooks/ok/";
    private static readonly string[] _urlTags = ["url.path", "url.full", "http.target", "http.url"];

    public override void OnEnd(Activity data)
    {
        foreach (var tag in _urlTags)
        {
            if (data.GetTagItem(tag) is string value && Redact(value) is { } redacted)
            {
                data.SetTag(tag, redacted);
            }
        }

        if (Redact(data.DisplayName) is { } name)
        {
            data.DisplayName = name;
        }
    }

    /// <summary>The URL or path with the segment after the OK group id replaced by <c>***</c>; null when there is none.</summary>
    public static string? Redact(string value)
    {
        var start = value.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return null;
        }

        var group = start + Marker.Length;
        var slash = value.IndexOf('/', group);
        if (slash < 0)
        {
            return null;
        }

        var end = value.IndexOfAny(['/', '?', '#'], slash + 1);
        var secret = (end < 0 ? value.Length : end) - slash - 1;
        if (secret == 0 || value.AsSpan(slash + 1, secret) is "***" or "{secret}")
        {
            return null;
        }

        return string.Concat(value.AsSpan(0, slash + 1), "***", end < 0 ? "" : value.AsSpan(end));
    }
}
