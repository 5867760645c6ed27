using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OptLib.Library.Problems;

/// <summary>A table given with a problem: a name and CSV text whose first row names the columns.</summary>
public sealed record ProblemTable(string Name, string Csv)
{
    public const int MaxTables = 20;
    public const int MaxNameLength = 100;
    public const int MaxCsvChars = 100_000;
    public const int MaxTotalChars = 400_000;

    /// <summary>How tables are stored on the problem row: a JSON array of { name, csv }.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<ProblemTable> Read(JsonDocument? stored) =>
        stored?.Deserialize<List<ProblemTable>>(Json) ?? [];

    /// <summary>What is wrong with a problem's tables, each naming the table and, for the CSV, the line.</summary>
    public static IEnumerable<(string Field, string Error)> Validate(IReadOnlyList<ProblemTable?> tables)
    {
        if (tables.Count > MaxTables)
        {
            yield return ("Tables", $"At most {MaxTables} tables may come with a problem; there are {tables.Count}.");
            yield break;
        }

        if (tables.Sum(t => t?.Csv?.Length ?? 0) > MaxTotalChars)
        {
            yield return ("Tables", $"The tables hold more than {MaxTotalChars} characters together.");
            yield break;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < tables.Count; i++)
        {
            var field = $"Tables[{i}]";
            if (tables[i] is not { } table)
            {
                yield return (field, $"Table {i + 1} is empty; give {{ \"name\": ..., \"csv\": ... }}.");
                continue;
            }

            var label = string.IsNullOrWhiteSpace(table.Name) ? $"Table {i + 1}" : $"Table '{table.Name.Trim()}'";
            if (string.IsNullOrWhiteSpace(table.Name))
            {
                yield return ($"{field}.Name", $"{label} needs a name.");
            }
            else if (table.Name.Trim().Length > MaxNameLength)
            {
                yield return ($"{field}.Name", $"{label} has a name longer than {MaxNameLength} characters.");
            }
            else if (!names.Add(table.Name.Trim()))
            {
                yield return ($"{field}.Name", $"{label}: another table has the same name.");
            }

            if (string.IsNullOrWhiteSpace(table.Csv))
            {
                yield return ($"{field}.Csv", $"{label} has no CSV text.");
            }
            else if (table.Csv.Length > MaxCsvChars)
            {
                yield return ($"{field}.Csv", $"{label} is longer than {MaxCsvChars} characters.");
            }
            else if (CsvText.Parse(table.Csv, out _) is { } error)
            {
                yield return ($"{field}.Csv", $"{label}, {error}");
            }
        }
    }

    /// <summary>
    /// The tables for a prompt: per table a title with its size, then its rows as CSV with cells trimmed and quoted
    /// only where needed. Far shorter than the JSON they are stored as, and what models read best.
    /// </summary>
    public static string Render(IReadOnlyList<ProblemTable> tables)
    {
        if (tables.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder("Tables:\n");
        foreach (var table in tables)
        {
            CsvText.Parse(table.Csv, out var rows);
            text.Append(CultureInfo.InvariantCulture, $"\nTable \"{table.Name.Trim()}\" ({rows.Count - 1} rows x {rows[0].Count} columns):\n");
            foreach (var row in rows)
            {
                text.AppendJoin(',', row.Select(CsvText.Quote)).Append('\n');
            }
        }

        return text.ToString();
    }
}

/// <summary>RFC 4180 CSV: comma-separated, double quotes around cells that hold commas, quotes or line breaks.</summary>
public static class CsvText
{
    /// <summary>Parses the text into trimmed rows (blank lines skipped), or says what is wrong and on which line.</summary>
    public static string? Parse(string csv, out List<List<string>> rows)
    {
        rows = [];
        var row = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        var quoteLine = 0;
        var afterQuote = false;
        for (var i = 0; i <= csv.Length; i++)
        {
            var c = i < csv.Length ? csv[i] : '\n';
            var atEnd = i == csv.Length;
            if (quoted && !atEnd)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                    afterQuote = true;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    cell.Append(c);
                }

                continue;
            }

            if (quoted)
            {
                return $"line {quoteLine}: a quoted cell is never closed.";
            }

            switch (c)
            {
                case '"' when cell.ToString().Trim().Length == 0 && !afterQuote:
                    quoted = true;
                    quoteLine = line;
                    cell.Clear();
                    break;
                case '"':
                    return $"line {line}: a quote inside an unquoted cell (quote the whole cell and double the quote).";
                case ',':
                    row.Add(cell.ToString().Trim());
                    cell.Clear();
                    afterQuote = false;
                    break;
                case '\r' when i + 1 < csv.Length && csv[i + 1] == '\n':
                    break;
                case '\r' or '\n':
                    row.Add(cell.ToString().Trim());
                    cell.Clear();
                    afterQuote = false;
                    if (row.Count > 1 || row[0].Length > 0)
                    {
                        if (rows.Count > 0 && row.Count != rows[0].Count)
                        {
                            return $"line {rowLine}: {row.Count} cells where the header row has {rows[0].Count}.";
                        }

                        rows.Add(row);
                    }

                    row = [];
                    line++;
                    rowLine = line;
                    break;
                default:
                    if (afterQuote && !char.IsWhiteSpace(c))
                    {
                        return $"line {line}: text after a closing quote.";
                    }

                    cell.Append(c);
                    break;
            }
        }

        return rows.Count == 0 ? "line 1: there is no header row." : null;
    }

    public static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
