using GovPublics.Catalog;

namespace GovPublics.Common.Grpc;

/// <summary>
/// Keyset paging over a list ordered by id: the page token is the last id returned, so a page stays correct
/// when entities are added or removed between calls.
/// </summary>
public static class Paging
{
    public static (List<T> Items, string NextPageToken) Page<T>(
        IEnumerable<T> orderedById, Func<T, string> id, int pageSize, string pageToken, int defaultSize = 100, int maxSize = 1000)
    {
        if (pageSize < 0)
        {
            throw new ValidationFailedException("page_size", "must not be negative");
        }

        var size = pageSize == 0 ? defaultSize : Math.Min(pageSize, maxSize);
        var after = string.IsNullOrEmpty(pageToken) ? null : Decode(pageToken);
        var items = orderedById
            .Where(x => after is null || string.CompareOrdinal(id(x), after) > 0)
            .Take(size + 1)
            .ToList();
        var hasMore = items.Count > size;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }

        return (items, hasMore ? Encode(id(items[^1])) : "");
    }

    private static string Encode(string lastId) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("after:" + lastId));

    private static string Decode(string token)
    {
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("after:", StringComparison.Ordinal))
            {
                return text["after:".Length..];
            }
        }
        catch (FormatException)
        {
            // fall through to the validation error
        }

        throw new ValidationFailedException("page_token", "is not a token this service issued");
    }
}
