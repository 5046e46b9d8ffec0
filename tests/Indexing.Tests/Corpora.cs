using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing.Tests;

/// <summary>The shared corpora, read in place: found by walking up from the test binaries to a folder holding shared/corpora.</summary>
internal static class Corpora
{
    public static string Root { get; } = Find();

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

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "corpora");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No folder holding shared/corpora above {AppContext.BaseDirectory}.");
    }
}
