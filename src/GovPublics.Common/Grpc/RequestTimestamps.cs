using GovPublics.Catalog;
using Google.Protobuf.WellKnownTypes;

namespace GovPublics.Common.Grpc;

/// <summary>
/// A request's timestamps as moments. A <see cref="Timestamp"/> can carry seconds beyond the years 1 to 9999 or nanos
/// outside 0 to 999,999,999, which <see cref="Timestamp.ToDateTimeOffset"/> refuses with an exception that would reach
/// the caller as INTERNAL; here they are the caller's field violations (INVALID_ARGUMENT).
/// </summary>
public static class RequestTimestamps
{
    private const long MinSeconds = -62_135_596_800; // 0001-01-01T00:00:00Z
    private const long MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z

    /// <summary>The moment, or null when unset; a violation of <paramref name="field"/> for one out of range.</summary>
    public static DateTimeOffset? Optional(Validator v, string field, Timestamp? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Seconds is < MinSeconds or > MaxSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            v.Add(field, "is not a valid timestamp (seconds within years 1 to 9999, nanos within 0 to 999,999,999)");
            return null;
        }

        return value.ToDateTimeOffset();
    }

    /// <summary>As <see cref="Optional"/>, and a violation when unset.</summary>
    public static DateTimeOffset? Required(Validator v, string field, Timestamp? value)
    {
        if (value is null)
        {
            v.Add(field, "is required");
        }

        return Optional(v, field, value);
    }
}
