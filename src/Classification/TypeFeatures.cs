using System.Globalization;
using System.Text;

namespace Digitise.Classification;

/// <summary>
/// Turns a document's recognised text into the features the type classifier weighs: words and word pairs from the
/// whole text (lower case, digits folded to '#', so dates and results look alike), and layout cues — words of the
/// first lines (where titles are) marked apart, labels ("Ward:"), lines in capitals, table-like lines with several
/// numbers, dated entries, the page count. Each feature counts once per document, so a long document does not
/// outvote a short one.
/// </summary>
internal static class TypeFeatures
{
    /// <summary>Lines of the first page whose words also count as heading words.</summary>
    private const int HeadingLines = 8;

    /// <summary>True for a layout cue (title word, label, capitals, count) rather than a word of the body.</summary>
    public static bool IsLayout(string feature) => feature.Length > 1 && ((feature[0] == '#' && feature.Contains('=', StringComparison.Ordinal)) || feature.IndexOf(':', StringComparison.Ordinal) is > 0 and < 5);

    public static HashSet<string> Extract(IReadOnlyList<string> pageTexts)
    {
        var features = new HashSet<string>(StringComparer.Ordinal);
        int tableLines = 0;
        int datedLines = 0;
        int labelLines = 0;
        int lines = 0;
        for (int pageIndex = 0; pageIndex < pageTexts.Count; pageIndex++)
        {
            string[] pageLines = pageTexts[pageIndex].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (int lineIndex = 0; lineIndex < pageLines.Length; lineIndex++)
            {
                string line = pageLines[lineIndex];
                lines++;
                List<string> words = Words(line);
                string? previous = null;
                foreach (string word in words)
                {
                    features.Add(word);
                    if (previous is not null)
                    {
                        features.Add(previous + "_" + word);
                    }

                    previous = word;
                    if (pageIndex == 0 && lineIndex < HeadingLines && word.Length > 2)
                    {
                        features.Add("h:" + word);
                    }
                }

                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 1 && colon < 40)
                {
                    labelLines++;
                    List<string> label = Words(line[..colon]);
                    if (label.Count is > 0 and <= 5)
                    {
                        features.Add("l:" + string.Join('_', label));
                    }
                }

                int letters = line.Count(char.IsLetter);
                if (letters >= 6 && line.Where(char.IsLetter).All(char.IsUpper))
                {
                    foreach (string word in words)
                    {
                        features.Add("caps:" + word);
                    }
                }

                if (words.Count(w => w.Contains('#', StringComparison.Ordinal)) >= 2 && words.Count <= 8)
                {
                    tableLines++;
                }

                if (words.Count > 0 && words[0].StartsWith('#') && line.Length > 0 && char.IsDigit(line[0]) && line.Contains(':', StringComparison.Ordinal))
                {
                    datedLines++;
                }
            }
        }

        features.Add("#pages=" + Bucket(pageTexts.Count));
        features.Add("#tablelines=" + Bucket(tableLines));
        features.Add("#datedlines=" + Bucket(datedLines));
        features.Add("#labelshare=" + (lines == 0 ? 0 : (int)Math.Round(4.0 * labelLines / lines)).ToString(CultureInfo.InvariantCulture));
        return features;
    }

    private static string Bucket(int n) => n switch
    {
        0 => "0",
        1 => "1",
        <= 3 => "2-3",
        <= 7 => "4-7",
        _ => "8+",
    };

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.IsDigit(c) ? '#' : char.ToLowerInvariant(c));
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return words;

        void Flush()
        {
            if (word.Length > 0)
            {
                // Runs of digits fold to one '#': 12/03/2019 and 4/5/21 become the same '#'s.
                string w = Fold(word.ToString());
                if (w.Length > 1 || w == "#")
                {
                    words.Add(w);
                }

                word.Clear();
            }
        }
    }

    private static string Fold(string word)
    {
        var folded = new StringBuilder(word.Length);
        foreach (char c in word)
        {
            if (c != '#' || folded.Length == 0 || folded[^1] != '#')
            {
                folded.Append(c);
            }
        }

        return folded.ToString();
    }
}
