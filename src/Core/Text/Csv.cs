using System.Text;

namespace Digitise.Text;

/// <summary>One CSV record: the physical line it starts on (1-based), its fields, and what was wrong with it, if anything.</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields, string? Error)
{
    /// <summary>A line with nothing on it.</summary>
    public bool IsEmpty => Error is null && Fields.Count == 1 && Fields[0].Length == 0;
}

/// <summary>A CSV file with a header: the column names and each row keyed by them.</summary>
public sealed record CsvTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows);

/// <summary>
/// RFC 4180 CSV, the one reader for every CSV Digitise takes in or writes (MPI files, manifests, truth files): quoted
/// fields may hold commas, quotes ("") and line breaks; CRLF or LF line ends; a malformed record is reported with its
/// line, not thrown, so a caller can reject one row and go on.
/// </summary>
public static class Csv
{
    /// <summary>One field as written: quoted (quotes doubled) when it holds a comma, quote or line break, as is otherwise.</summary>
    public static string Field(string? value)
    {
        string text = value ?? string.Empty;
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    /// <summary>Reads records one at a time (the file is never held in memory whole).</summary>
    public static IEnumerable<CsvRecord> ReadRecords(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int line = 1;
        while (reader.Peek() >= 0)
        {
            int startLine = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false;
            bool fieldWasQuoted = false;
            string? error = null;
            while (true)
            {
                int next = reader.Read();
                if (next < 0)
                {
                    if (quoted)
                    {
                        error = "unterminated quoted field";
                    }

                    break;
                }

                char c = (char)next;
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        line += c == '\n' ? 1 : 0;
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0 && !fieldWasQuoted)
                {
                    quoted = fieldWasQuoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                }
                else if (c is '\r' or '\n')
                {
                    if (c == '\r' && reader.Peek() == '\n')
                    {
                        reader.Read();
                    }

                    line++;
                    break;
                }
                else
                {
                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            yield return new CsvRecord(startLine, fields, error);
        }
    }

    /// <summary>
    /// Reads a whole file with a header row (a byte-order mark and spaces around names are dropped); empty lines are
    /// skipped, a short row's missing fields are empty.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is empty, a record is malformed, or a <paramref name="required"/> column is missing.</exception>
    public static CsvTable ReadTable(string path, params string[] required)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist.", path);
        }

        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using IEnumerator<CsvRecord> records = ReadRecords(reader).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"'{path}' is empty.");
        }

        string[] header = [.. records.Current.Fields.Select(h => h.Trim().TrimStart('\uFEFF'))];
        foreach (string column in required)
        {
            if (!header.Contains(column, StringComparer.Ordinal))
            {
                throw new InvalidDataException($"'{path}' has no {column} column.");
            }
        }

        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (records.MoveNext())
        {
            CsvRecord record = records.Current;
            if (record.Error is not null)
            {
                throw new InvalidDataException($"'{path}' line {record.Line}: {record.Error}.");
            }

            if (!record.IsEmpty)
            {
                var row = new Dictionary<string, string>(header.Length, StringComparer.Ordinal);
                for (int i = 0; i < header.Length; i++)
                {
                    row[header[i]] = i < record.Fields.Count ? record.Fields[i] : string.Empty;
                }

                rows.Add(row);
            }
        }

        return new CsvTable(header, rows);
    }

    /// <summary>
    /// A text cell for a CSV a person may open in a spreadsheet: a value starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>,
    /// tab or carriage return would be read as a formula (OWASP "CSV Injection"), so it gets a leading apostrophe; then
    /// RFC 4180 quoting. Numbers (scores, counts, negative weights) are written with <see cref="Field"/> and stay numbers.
    /// </summary>
    public static string TextField(string? value)
    {
        string text = value ?? string.Empty;
        return Field(text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text);
    }
}
