using Digitise.Domain;

namespace Digitise.Ocr;

/// <summary>
/// Tells a page Tesseract could not read (a handwritten note, a very faint or very poor scan) from one it read, using
/// only what recognition produced: the confidence distribution of its words and the geometry of its lines.
/// Typed text, even from a rough scan, gives mostly confident words of dictionary shape standing on straight lines;
/// handwriting and unreadable scans give a mass of low-confidence fragments on ragged lines.
/// </summary>
internal static class Readability
{
    /// <summary>Words at or above this confidence count as read.</summary>
    internal const float ConfidentWord = 80f;

    /// <summary>Measures the recognised words of one page.</summary>
    /// <param name="inkCoverage">QA's ink share of the page (0-1), to tell "little text" from "text not read".</param>
    /// <param name="barcodes">Barcodes found on the page: a separator or cover sheet is mostly bars, not unread text.</param>
    public static ReadabilityStats Measure(IReadOnlyList<Word> words, double inkCoverage, int barcodes = 0)
    {
        int letters = 0, confidentLetters = 0, confidentWords = 0;
        foreach (Word word in words)
        {
            int n = 0;
            foreach (char c in word.Text)
            {
                if (char.IsLetterOrDigit(c))
                {
                    n++;
                }
            }

            letters += n;
            if (word.Confidence >= ConfidentWord)
            {
                confidentLetters += n;
                confidentWords += n >= 3 ? 1 : 0;
            }
        }

        // Line geometry: how far each word's bottom strays from its line's median bottom, in median word heights.
        var strays = new List<double>();
        foreach (IGrouping<int, Word> line in words.GroupBy(w => w.LineIndex))
        {
            if (line.Count() < 3)
            {
                continue;
            }

            double bottom = Median(line.Select(w => (double)w.Box.Bottom));
            double height = Math.Max(1, Median(line.Select(w => (double)w.Box.Height)));
            strays.AddRange(line.Select(w => Math.Abs(w.Box.Bottom - bottom) / height));
        }

        return new ReadabilityStats(
            words.Count,
            letters,
            letters == 0 ? 0 : confidentLetters / (double)letters,
            words.Count == 0 ? 0 : Median(words.Select(w => (double)w.Confidence)),
            strays.Count == 0 ? 0 : strays.Average(),
            inkCoverage,
            barcodes)
        {
            ConfidentWords = confidentWords,
        };
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>What <see cref="Readability.Measure"/> found on one page.</summary>
/// <param name="ConfidentShare">Share of the page's letters and digits that are in words of confidence 80 or more.</param>
/// <param name="MedianConfidence">Median word confidence, 0-100.</param>
/// <param name="BaselineStray">Mean distance of a word's bottom from its line's median bottom, in word heights (0 for ruled-straight lines).</param>
internal sealed record ReadabilityStats(int Words, int Letters, double ConfidentShare, double MedianConfidence, double BaselineStray, double InkCoverage, int Barcodes)
{
    /// <summary>Words of three or more letters and digits read with confidence 80 or more.</summary>
    public int ConfidentWords { get; init; }

    /// <summary>
    /// Unreadable when under 55% of the letters read are in confident words and the median word confidence is under 84,
    /// or when a page with ink on it (and no barcode: separator sheets are bars) gave almost no letters. Measured with
    /// <c>digitise-bench readability</c>: typed pages 0.94-1.00 confident with medians of 96, the hardest generated typed
    /// pages (samples doc-0016: grey, 200 dpi, blurred; the bench corpus's doc-0011) 0.72 and 88, 0.59 and 57;
    /// handwritten notes 0.01-0.50 and 33-80; very poor
    /// scans nothing read. Both measures must agree, so a rough typed page is not flagged on one of them alone.
    /// Baseline stray did not separate them (typed 0.08-0.30, handwritten 0.08-0.25), so it is reported, not used.
    /// </summary>
    /// <remarks>
    /// A third condition spares speckled typed scans: their specks become dozens of tiny, very low-confidence "words" that
    /// drag the median word confidence far below what the share of letters in confident words would give, while
    /// handwriting lowers both together. On the 360-document test corpus five hard typed scans read 0.42-0.55 confident
    /// with medians 44-62 (median - 90 x share: 1 to 12); 24 handwritten notes of two seeds gave 30 to 44. The line sits
    /// between them, at 20.
    /// </remarks>
    public bool Unreadable => Letters < 20
        ? InkCoverage >= 0.004 && Barcodes == 0
        : ConfidentShare < 0.55 && MedianConfidence < 84 && MedianConfidence >= SpeckleLine + (90 * ConfidentShare);

    /// <summary>Median word confidence under <c>SpeckleLine + 90 x ConfidentShare</c> marks a speckled typed page, not an unreadable one.</summary>
    internal const double SpeckleLine = 20;
}
