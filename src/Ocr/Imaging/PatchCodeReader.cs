using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Imaging;

/// <summary>
/// Reads Kodak patch codes: four parallel bars, two wide (5 mm) and two narrow (2 mm), separated by narrow (2 mm)
/// spaces, at least 19 mm long, usually printed along one or more edges of a sheet. What production scanners use to
/// separate documents (patch T) is a bar pattern, not a barcode ZBar can read, so it is found here directly: every
/// millimetre a row and a column of the binarised page is run-length encoded and searched for the seven-run pattern,
/// and a code counts only when the same pattern lines up on consecutive lines for at least 15 mm.
/// </summary>
/// <remarks>
/// A patch is read from the nearer edge of the sheet inwards, as the scanner meets it on the leading edge, so a sheet
/// fed upside down still reads as the same patch (patch T, narrow-wide-narrow-wide, would otherwise read as patch 3).
/// </remarks>
internal static class PatchCodeReader
{
    /// <summary>Value reported for each patch, as a barcode value: "PATCHT", "PATCH2" and so on.</summary>
    private static readonly Dictionary<string, string> Patterns = new(StringComparer.Ordinal)
    {
        ["NWNW"] = "PATCHT",
        ["WNNW"] = "PATCH2",
        ["WNWN"] = "PATCH3",
        ["WWNN"] = "PATCH1",
        ["NWWN"] = "PATCH4",
        ["NNWW"] = "PATCH6",
    };

    private const double NominalWidthMm = 20.0;
    private const double MinRunMm = 15.0;

    private readonly record struct Hit(bool AcrossRows, int Line, int Start, string Code, double Module);

    /// <summary>The patch codes on a 1 bpp page, each once ("PATCHT", ...); empty when there are none.</summary>
    public static unsafe IReadOnlyList<string> Read(PixHandle binary, int dpi)
    {
        if (Leptonica.PixGetDepth(binary) != 1)
        {
            throw new ArgumentException("Patch codes are read from a 1 bpp image.", nameof(binary));
        }

        int width = Leptonica.PixGetWidth(binary);
        int height = Leptonica.PixGetHeight(binary);
        uint* data = Leptonica.PixGetData(binary);
        int wpl = Leptonica.PixGetWpl(binary);
        if (data is null || width < 16 || height < 16)
        {
            return [];
        }

        double pxPerMm = PixelsPerMillimetre(width, dpi);
        int step = Math.Max(1, (int)Math.Round(pxPerMm));
        var raster = new Raster(data, wpl, width, height);
        var hits = new List<Hit>();
        var runs = new List<int>(512);

        // Down each column: horizontal bars (patches along the top or bottom edge).
        for (int x = step / 2, line = 0; x < width; x += step, line++)
        {
            raster.Runs(down: true, x, runs);
            FindPatterns(runs, height, pxPerMm, acrossRows: true, line, hits);
        }

        // Along each row: vertical bars (patches along the left or right edge).
        for (int y = step / 2, line = 0; y < height; y += step, line++)
        {
            raster.Runs(down: false, y, runs);
            FindPatterns(runs, width, pxPerMm, acrossRows: false, line, hits);
        }

        return Consistent(hits, step / pxPerMm);
    }

    /// <summary>
    /// Finds every bar-space-bar-space-bar-space-bar sequence in one line whose widths fit a patch code.
    /// <paramref name="runs"/> alternate white and black, starting with white (which may be empty).
    /// </summary>
    private static void FindPatterns(List<int> runs, int length, double pxPerMm, bool acrossRows, int line, List<Hit> hits)
    {
        int position = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            if (i % 2 == 1 && i + 6 < runs.Count && TryClassify(runs, i, pxPerMm, out string? pattern, out double module, out int total))
            {
                // Read from the nearer edge inwards.
                bool fromFarEdge = position + (total / 2) > length / 2;
                string read = fromFarEdge ? new string(pattern.Reverse().ToArray()) : pattern;
                if (Patterns.TryGetValue(read, out string? code))
                {
                    hits.Add(new Hit(acrossRows, line, position, code, module));
                }
            }

            position += runs[i];
        }
    }

    private static bool TryClassify(List<int> runs, int first, double pxPerMm, out string pattern, out double module, out int total)
    {
        pattern = string.Empty;
        total = 0;
        for (int k = 0; k < 7; k++)
        {
            total += runs[first + k];
        }

        // Nominally 2 + 2 x 2.5 + 3 narrow modules; ink spread thickens bars and thins spaces, so the module comes
        // from the whole width.
        module = total / 10.0;
        double mm = total / pxPerMm;
        if (mm < NominalWidthMm * 0.7 || mm > NominalWidthMm * 1.3)
        {
            return false;
        }

        // Quiet zones: at least half a module of white each side, or the edge of the image.
        bool quietBefore = first == 1 || runs[first - 1] >= module * 0.5;
        bool quietAfter = first + 7 >= runs.Count || runs[first + 7] >= module * 0.5;
        if (!quietBefore || !quietAfter)
        {
            return false;
        }

        Span<char> bars = stackalloc char[4];
        int wide = 0;
        for (int k = 0; k < 7; k++)
        {
            double ratio = runs[first + k] / module;
            if (k % 2 == 1)
            {
                if (ratio < 0.4 || ratio > 1.7)
                {
                    return false;
                }

                continue;
            }

            if (ratio >= 0.45 && ratio < 1.7)
            {
                bars[k / 2] = 'N';
            }
            else if (ratio >= 1.7 && ratio <= 3.6)
            {
                bars[k / 2] = 'W';
                wide++;
            }
            else
            {
                return false;
            }
        }

        if (wide != 2)
        {
            return false;
        }

        pattern = new string(bars);
        return true;
    }

    /// <summary>Codes whose pattern lines up, at the same place, on consecutive lines over at least 15 mm.</summary>
    private static List<string> Consistent(List<Hit> hits, double stepMm)
    {
        var found = new List<string>();
        foreach (IGrouping<(bool AcrossRows, string Code), Hit> group in hits.GroupBy(h => (h.AcrossRows, h.Code)))
        {
            if (found.Contains(group.Key.Code))
            {
                continue;
            }

            // Chains of hits one or two lines apart whose start moves less than a module and a half between lines.
            var chains = new List<(int FirstLine, int LastLine, int LastStart)>();
            foreach (Hit hit in group.OrderBy(h => h.Line))
            {
                int index = chains.FindIndex(c => hit.Line - c.LastLine is 1 or 2 && Math.Abs(hit.Start - c.LastStart) <= hit.Module * 1.5);
                if (index >= 0)
                {
                    chains[index] = (chains[index].FirstLine, hit.Line, hit.Start);
                }
                else
                {
                    chains.Add((hit.Line, hit.Line, hit.Start));
                }
            }

            if (chains.Any(c => (c.LastLine - c.FirstLine + 1) * stepMm >= MinRunMm))
            {
                found.Add(group.Key.Code);
            }
        }

        return found;
    }

    /// <summary>Pixels per millimetre from the stated resolution, or from an A4/Letter page width when that is implausible.</summary>
    private static double PixelsPerMillimetre(int width, int dpi)
    {
        double inches = dpi > 0 ? (double)width / dpi : 0;
        return inches is >= 4 and <= 12 ? dpi / 25.4 : width / 213.0;
    }

    /// <summary>A 1 bpp Leptonica raster: 32-bit words, most significant bit first, 1 = black.</summary>
    private readonly unsafe struct Raster(uint* data, int wpl, int width, int height)
    {
        private bool Black(int x, int y) => ((data[(y * wpl) + (x >> 5)] >> (31 - (x & 31))) & 1) != 0;

        /// <summary>Run lengths along row <paramref name="line"/>, or down column <paramref name="line"/> when <paramref name="down"/>.</summary>
        public void Runs(bool down, int line, List<int> runs)
        {
            runs.Clear();
            bool black = false;
            int run = 0;
            int length = down ? height : width;
            for (int i = 0; i < length; i++)
            {
                Add(down ? Black(line, i) : Black(i, line), ref black, ref run, runs);
            }

            runs.Add(run);
        }

        private static void Add(bool pixel, ref bool black, ref int run, List<int> runs)
        {
            if (pixel == black)
            {
                run++;
                return;
            }

            runs.Add(run);
            black = pixel;
            run = 1;
        }
    }
}
