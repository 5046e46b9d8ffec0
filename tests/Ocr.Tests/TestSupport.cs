namespace Digitise.Ocr.Tests;

internal static class TestPaths
{
    /// <summary>A path inside ../shared/ (read in place, never copied).</summary>
    public static string Shared(params string[] parts) => Digitise.Testing.SharedFolder.Path(parts);
}

/// <summary>Levenshtein distance over whitespace-normalised text, divided by the truth's length.</summary>
internal static class CharacterErrorRate
{
    public static double Compute(string truth, string actual)
    {
        string a = Normalise(truth);
        string b = Normalise(actual);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return a.Length == 0 ? 0 : (double)previous[b.Length] / a.Length;
    }

    private static string Normalise(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
