using System.Globalization;

namespace GovPublics.Sla.Domain.Clock;

/// <summary>
/// The production calendars known to the service, keyed by calendar id ("ru"), loaded from a folder of files named
/// <c>&lt;id&gt;-&lt;year&gt;.json</c> (e.g. <c>Policies/calendars/ru-2026.json</c>).
/// </summary>
public sealed class CalendarSet
{
    private readonly Dictionary<string, ProductionCalendar> _calendars;

    /// <summary>Creates a set from calendars with distinct ids.</summary>
    public CalendarSet(IEnumerable<ProductionCalendar> calendars)
    {
        ArgumentNullException.ThrowIfNull(calendars);
        _calendars = new Dictionary<string, ProductionCalendar>(StringComparer.Ordinal);
        foreach (var calendar in calendars)
        {
            if (!_calendars.TryAdd(calendar.Id, calendar))
            {
                throw new ArgumentException($"Calendar '{calendar.Id}' given twice.", nameof(calendars));
            }
        }
    }

    /// <summary>The calendar ids, ordered.</summary>
    public IReadOnlyList<string> Ids => [.. _calendars.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Loads every <c>&lt;id&gt;-&lt;year&gt;.json</c> file of <paramref name="directory"/>; the id and year inside must match the name.</summary>
    public static CalendarSet LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Calendar directory '{directory}' does not exist.");
        }

        var byId = new Dictionary<string, List<CalendarYear>>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var (id, year) = ParseFileName(path);
            CalendarYear data;
            using (var stream = File.OpenRead(path))
            {
                data = ProductionCalendar.ReadYear(stream, path);
            }

            if (!string.Equals(data.Country, id, StringComparison.Ordinal) || data.Year != year)
            {
                throw new InvalidDataException(
                    $"{path}: the file name says calendar '{id}' year {year}, the content says '{data.Country}' year {data.Year}.");
            }

            if (!byId.TryGetValue(id, out var years))
            {
                years = [];
                byId.Add(id, years);
            }

            years.Add(data);
        }

        return new CalendarSet(byId.Select(pair => new ProductionCalendar(pair.Key, pair.Value)));
    }

    /// <summary>Whether a calendar with <paramref name="id"/> is loaded.</summary>
    public bool Contains(string id) => _calendars.ContainsKey(id);

    /// <summary>The calendar <paramref name="id"/>; throws <see cref="KeyNotFoundException"/> naming the known ids.</summary>
    public ProductionCalendar Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _calendars.TryGetValue(id, out var calendar)
            ? calendar
            : throw new KeyNotFoundException(
                $"No production calendar '{id}' (known: {(_calendars.Count == 0 ? "none" : string.Join(", ", Ids))}).");
    }

    private static (string Id, int Year) ParseFileName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var dash = name.LastIndexOf('-');
        if (dash <= 0
            || name.Length - dash - 1 != 4
            || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            throw new InvalidDataException($"{path}: calendar files must be named '<id>-<year>.json', e.g. 'ru-2026.json'.");
        }

        return (name[..dash], year);
    }
}
