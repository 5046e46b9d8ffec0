using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing.Tests;

/// <summary>The shared corpora, read in place (see <see cref="Digitise.Testing.SharedFolder"/>).</summary>
internal static class Corpora
{
    public static string Root { get; } = Digitise.Testing.SharedFolder.Path("corpora");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Simple CSV (no quoted commas in these files); values trimmed.</summary>
    public static IEnumerable<Dictionary<string, string>> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        string[] header = [.. reader.ReadLine()!.Split(',').Select(h => h.Trim())];
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] values = line.Split(',');
            yield return header.Select((h, i) => (h, v: i < values.Length ? values[i].Trim() : string.Empty))
                .ToDictionary(x => x.h, x => x.v, StringComparer.Ordinal);
        }
    }

    public static ExtractedIdentifier Id(IdentifierKind kind, string value) => new(kind, value, value, true, 0.9, 1, []);

    public static DateOnly? Date(string value, string format) =>
        DateOnly.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly d) ? d : null;
}
