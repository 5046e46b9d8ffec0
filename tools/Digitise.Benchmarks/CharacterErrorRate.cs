using System.Text;

namespace Digitise.Benchmarks;

/// <summary>
/// Character error rate of OCR text against ground truth: Levenshtein distance (insertions, deletions and
/// substitutions of characters) divided by the ground truth's length, after both texts have had every run of
/// whitespace collapsed to one space (line breaks and column layout are not what is being measured).
/// </summary>
internal static class CharacterErrorRate
{
    public static double Of(string recognised, string truth)
    {
        string r = Normalise(recognised);
        string t = Normalise(truth);
        return t.Length == 0 ? (r.Length == 0 ? 0 : 1) : Distance(r, t) / (double)t.Length;
    }

    internal static string Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && sb.Length > 0)
            {
                sb.Append(' ');
            }

            space = false;

            // Typographic quotes and dashes count as their plain forms: the ground truth files use both.
            sb.Append(c switch
            {
                '\u2018' or '\u2019' => '\'',
                '\u201C' or '\u201D' => '"',
                '\u2014' or '\u2013' => '-',
                _ => c,
            });
        }

        return sb.ToString();
    }

    /// <summary>Levenshtein distance in O(min(m, n)) memory.</summary>
    internal static int Distance(string a, string b)
    {
        if (a.Length < b.Length)
        {
            (a, b) = (b, a);
        }

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

        return previous[b.Length];
    }
}
