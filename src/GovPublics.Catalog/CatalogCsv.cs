using System.Globalization;
using System.Text;

namespace GovPublics.Catalog;

/// <summary>One row of an import and where it came from ("line 12" of a CSV file, "pages[3]" of a JSON document).</summary>
public sealed record ImportRow<T>(string Source, T Item);

/// <summary>
/// The official pages read from a CSV file: the rows that parsed without a problem, and every problem found, each
/// on the line where its record starts. A row with any problem is left out of <see cref="Rows"/>.
/// </summary>
public sealed record CsvPages(IReadOnlyList<ImportRow<PageDto>> Rows, IReadOnlyList<CatalogError> Errors);

/// <summary>
/// Official pages as CSV: the form a ЦУР keeps its list of pages in. Reading accepts RFC 4180 (quoted fields with
/// "" escapes, delimiters and line breaks inside quotes, CRLF or LF), a UTF-8 byte order mark, and `,` or `;` as the
/// delimiter, whichever the header row uses (Russian Excel writes `;`). Columns may come in any order, names are
/// case-insensitive; id, platform, external_id, kind and owner_authority_id must be present, the others default.
/// </summary>
public static class CatalogCsv
{
    /// <summary>The page columns, in the order <see cref="FormatPages"/> writes them.</summary>
    public static IReadOnlyList<string> PageColumns { get; } =
    [
        "id", "platform", "external_id", "screen_name", "url", "title", "kind", "owner_authority_id", "verified",
        "comments_open", "subscribers", "status", "demo", "linked_external_id",
    ];

    private static readonly string[] _requiredPageColumns = ["id", "platform", "external_id", "kind", "owner_authority_id"];

    /// <summary>
    /// Reads official pages from CSV text. Never throws on bad input: every problem is a <see cref="CatalogError"/>
    /// with Path "line N" (the physical line where the record starts) and Message "field: what is wrong".
    /// </summary>
    public static CsvPages ParsePages(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var errors = new List<CatalogError>();
        var rows = new List<ImportRow<PageDto>>();
        var records = Tokenize(text, DetectDelimiter(text)).Where(r => r.Error is not null || !r.IsBlank).ToList();
        if (records.Count == 0)
        {
            errors.Add(new CatalogError("line 1", "",
                $"header: the file is empty; the first row must name the columns ({string.Join(", ", PageColumns)})"));
            return new CsvPages(rows, errors);
        }

        var columns = ReadHeader(records[0], errors);
        if (columns is null)
        {
            return new CsvPages(rows, errors);
        }

        foreach (var record in records.Skip(1))
        {
            var rowErrors = new List<CatalogError>();
            var page = ReadPage(record, columns, rowErrors);
            if (rowErrors.Count == 0 && page is not null)
            {
                rows.Add(new ImportRow<PageDto>(record.Source, page));
            }

            errors.AddRange(rowErrors);
        }

        return new CsvPages(rows, errors);
    }

    /// <summary>
    /// Writes official pages as CSV: a header row, `,` between fields, quotes only where a value needs them, LF
    /// line ends, rows ordered by id. <see cref="ParsePages"/> reads the result back to the same pages.
    /// </summary>
    public static string FormatPages(IEnumerable<Page> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var csv = new StringBuilder();
        WriteRecord(csv, PageColumns);
        foreach (var p in pages.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            WriteRecord(csv,
            [
                p.Id, EnumText.Format(p.Platform), p.ExternalId, p.ScreenName, p.Url, p.Title, EnumText.Format(p.Kind),
                p.OwnerAuthorityId, FormatBool(p.Verified), FormatBool(p.CommentsOpen),
                p.Subscribers.ToString(CultureInfo.InvariantCulture), EnumText.Format(p.Status), FormatBool(p.Demo),
                p.LinkedExternalId,
            ]);
        }

        return csv.ToString();
    }

    private static string FormatBool(bool value) => value ? "true" : "false";

    private static void WriteRecord(StringBuilder csv, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            var value = values[i];
            var needsQuotes = value.Length > 0
                && (value.AsSpan().IndexOfAny(",;\"\r\n") >= 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]));
            if (needsQuotes)
            {
                csv.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                csv.Append(value);
            }
        }

        csv.Append('\n');
    }

    /// <summary>`;` when the header row has more semicolons than commas outside quotes, else `,`.</summary>
    private static char DetectDelimiter(string text)
    {
        int commas = 0, semicolons = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\r' or '\n')
            {
                break;
            }
            else if (!quoted && c == ',')
            {
                commas++;
            }
            else if (!quoted && c == ';')
            {
                semicolons++;
            }
        }

        return semicolons > commas ? ';' : ',';
    }

    /// <summary>Column index → column name, or null when the header is unusable (the errors say why).</summary>
    private static string[]? ReadHeader(CsvRecord header, List<CatalogError> errors)
    {
        if (header.Error is not null)
        {
            errors.Add(new CatalogError(header.Source, "", $"header: {header.Error}"));
            return null;
        }

        var names = header.Fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
        var before = errors.Count;
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length == 0)
            {
                errors.Add(new CatalogError(header.Source, "", $"column {i + 1}: the header gives no name"));
            }
            else if (!PageColumns.Contains(names[i]))
            {
                errors.Add(new CatalogError(header.Source, "",
                    $"{header.Fields[i].Trim()}: unknown column; the columns are {string.Join(", ", PageColumns)}"));
            }
            else if (Array.IndexOf(names, names[i]) < i)
            {
                errors.Add(new CatalogError(header.Source, "", $"{names[i]}: the column appears more than once"));
            }
        }

        foreach (var missing in _requiredPageColumns.Where(c => !names.Contains(c)))
        {
            errors.Add(new CatalogError(header.Source, "", $"{missing}: the column is missing"));
        }

        return errors.Count == before ? names : null;
    }

    private static PageDto? ReadPage(CsvRecord record, string[] columns, List<CatalogError> errors)
    {
        var fields = record.Fields;
        var idIndex = Array.IndexOf(columns, "id");
        var id = idIndex < fields.Count ? fields[idIndex].Trim() : "";
        if (record.Error is not null)
        {
            var column = record.ErrorField < columns.Length ? columns[record.ErrorField] : $"column {record.ErrorField + 1}";
            errors.Add(new CatalogError(record.Source, id, $"{column}: {record.Error}"));
            return null;
        }

        // Spreadsheets often leave empty cells after the last column; only values there are an error.
        if (fields.Count < columns.Length || fields.Skip(columns.Length).Any(f => f.Length > 0))
        {
            errors.Add(new CatalogError(record.Source, id,
                $"columns: the header has {columns.Length} columns, this row has {fields.Count} values"));
            return null;
        }

        var page = new PageDto { Status = "" };
        for (var i = 0; i < columns.Length; i++)
        {
            var value = fields[i];
            switch (columns[i])
            {
                case "id": page.Id = value.Trim(); break;
                case "platform": page.Platform = value.Trim(); break;
                case "external_id": page.ExternalId = value.Trim(); break;
                case "screen_name": page.ScreenName = value; break;
                case "url": page.Url = value; break;
                case "title": page.Title = value; break;
                case "kind": page.Kind = value.Trim(); break;
                case "owner_authority_id": page.OwnerAuthorityId = value.Trim(); break;
                case "verified": page.Verified = ParseBool(record.Source, id, "verified", value, false, errors); break;
                case "comments_open": page.CommentsOpen = ParseBool(record.Source, id, "comments_open", value, true, errors); break;
                case "subscribers": page.Subscribers = ParseCount(record.Source, id, "subscribers", value, errors); break;
                case "status": page.Status = value.Trim(); break;
                case "demo": page.Demo = ParseBool(record.Source, id, "demo", value, false, errors); break;
                case "linked_external_id": page.LinkedExternalId = value.Trim(); break;
                default: break;
            }
        }

        page.ToModel(record.Source, errors);
        return page;
    }

    private static bool ParseBool(string source, string id, string field, string text, bool empty, List<CatalogError> errors)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "": return empty;
            case "true" or "1" or "yes" or "да": return true;
            case "false" or "0" or "no" or "нет": return false;
            default:
                errors.Add(new CatalogError(source, id, $"{field}: '{text}' is not a yes/no value (true/false, 1/0, да/нет, yes/no)"));
                return empty;
        }
    }

    private static long ParseCount(string source, string id, string field, string text, List<CatalogError> errors)
    {
        // Excel in a Russian locale groups digits with (non-breaking) spaces: "12 920".
        var digits = string.Concat(text.Where(c => c is not (' ' or '\u00A0' or '\u202F')));
        if (digits.Length == 0)
        {
            return 0;
        }

        if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value; // a negative count is reported by the page's own validation
        }

        errors.Add(new CatalogError(source, id, $"{field}: '{text}' is not a whole number"));
        return 0;
    }

    /// <summary>
    /// Splits CSV text into records. A record remembers the physical line it starts on; a malformed record
    /// (an unclosed quote, text after a closing quote) carries the problem and the index of the field it is in.
    /// </summary>
    private static List<CsvRecord> Tokenize(string text, char delimiter)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        string? error = null;
        var errorField = 0;
        var i = 0;

        void EndRecord()
        {
            fields.Add(field.ToString());
            field.Clear();
            records.Add(new CsvRecord(recordLine, [.. fields], error, errorField));
            fields.Clear();
            error = null;
        }

        // Consumes a line break at i (CRLF, LF or a lone CR); true when there was one.
        bool LineBreak()
        {
            if (text[i] == '\r')
            {
                i += i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
            }
            else if (text[i] == '\n')
            {
                i++;
            }
            else
            {
                return false;
            }

            line++;
            return true;
        }

        while (i < text.Length)
        {
            // At the start of a field.
            if (text[i] == '"')
            {
                var quoteLine = line;
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        closed = true;
                        break;
                    }

                    var start = i;
                    if (LineBreak())
                    {
                        field.Append(text, start, i - start);
                    }
                    else
                    {
                        field.Append(text[i++]);
                    }
                }

                if (!closed)
                {
                    error ??= $"the quoted value opened on line {quoteLine} is never closed (the rest of the file, lines {quoteLine}–{line}, could not be read)";
                    errorField = fields.Count;
                    break;
                }

                if (i < text.Length && text[i] != delimiter && text[i] is not ('\r' or '\n'))
                {
                    if (error is null)
                    {
                        error = "text after the closing quote; a quoted value must be followed by the delimiter or the end of the line";
                        errorField = fields.Count;
                    }

                    while (i < text.Length && text[i] != delimiter && text[i] is not ('\r' or '\n'))
                    {
                        field.Append(text[i++]);
                    }
                }
            }
            else
            {
                while (i < text.Length && text[i] != delimiter && text[i] is not ('\r' or '\n'))
                {
                    field.Append(text[i++]);
                }
            }

            // After a field: the delimiter, a line break, or the end of the text.
            if (i >= text.Length)
            {
                break;
            }

            if (text[i] == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                i++;
                if (i >= text.Length)
                {
                    break;
                }
            }
            else if (LineBreak())
            {
                EndRecord();
                recordLine = line;
            }
        }

        if (fields.Count > 0 || field.Length > 0 || error is not null)
        {
            EndRecord();
        }

        return records;
    }

    private sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, string? Error, int ErrorField)
    {
        public string Source => $"line {Line}";

        public bool IsBlank => Fields.All(string.IsNullOrWhiteSpace);
    }
}
