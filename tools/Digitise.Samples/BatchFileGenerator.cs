using Digitise.Domain;
using Digitise.Ocr.Imaging;
using SkiaSharp;

namespace Digitise.Samples;

/// <summary>One document inside a generated batch file, with its true pages.</summary>
public sealed record BatchDocumentTruth(int FirstPage, int LastPage, string PatientId, bool OnIndex);

/// <summary>A generated multi-document scan: the file, its MPI, and where every document and sheet really is.</summary>
/// <param name="Pages">Every page of the file: "content", "cover", "patch", "blank_separator" or "blank_back".</param>
public sealed record BatchFile(string Path, string MpiCsv, IReadOnlyList<BatchDocumentTruth> Documents, IReadOnlyList<string> Pages)
{
    public int PageCount => Pages.Count;
}

/// <summary>
/// Builds what a bureau really scans: whole folders of case notes in one multi-page bitonal TIFF, with cover sheets
/// (a Code 39 barcode carrying the NHS number), patch code T separator sheets, blank separator sheets scanned duplex
/// (two blank pages), blank backs, pages fed upside down or sideways, and skewed pages.
/// </summary>
public static class BatchFileGenerator
{
    public static BatchFile Generate(string outputDirectory, int documents, int seed)
    {
        Directory.CreateDirectory(outputDirectory);
        string parts = Path.Combine(outputDirectory, "parts");
        SampleSet set = SampleGenerator.Generate(new SampleOptions { OutputDirectory = parts, Documents = documents * 2, Seed = seed, MinimumIndexRows = 60 });
        var random = new Random(seed);
        var pages = new List<byte[]>();
        var kinds = new List<string>();
        var truth = new List<BatchDocumentTruth>();
        string[] nhsByPatient = ReadNhsNumbers(set.MpiCsv);

        int used = 0;
        foreach (SampleDocument document in set.Documents.Where(d => d.Format is "tiff_g4" or "tiff_lzw" or "tiff_none" or "png" or "jpeg"))
        {
            if (used == documents)
            {
                break;
            }

            // The sheet in front of the document: cover sheets, patch T sheets and blank separators in turn.
            int separator = used % 3;
            if (used > 0 || separator == 0)
            {
                switch (separator)
                {
                    case 0 when nhsByPatient.FirstOrDefault(l => l.StartsWith(document.PatientId + ",", StringComparison.Ordinal)) is { } row && row.Split(',')[1].Length == 10:
                        pages.Add(SeparatorSheet("COVER SHEET", "NHS-" + row.Split(',')[1]));
                        kinds.Add("cover");
                        break;
                    case 1:
                        // A patch T sheet as production scanners read it: the bar pattern only, no barcode; every
                        // other one fed upside down.
                        pages.Add(used % 2 == 0 ? Transform(PatchTSheet(), 180) : PatchTSheet());
                        kinds.Add("patch");
                        break;
                    default:
                        pages.Add(Blank());
                        pages.Add(Blank());
                        kinds.Add("blank_separator");
                        kinds.Add("blank_separator");
                        break;
                }
            }

            int first = pages.Count + 1;
            foreach (byte[] page in ReadPages(Path.Combine(set.OutputDirectory, document.SourceFile)))
            {
                // Every fifth page is fed upside down, every seventh sideways, and most are a little skewed.
                int n = pages.Count;
                float angle = n % 5 == 4 ? 180 : n % 7 == 6 ? 90 : (float)((random.NextDouble() * 3) - 1.5);
                pages.Add(Transform(page, angle));
                kinds.Add("content");
                if (random.Next(4) == 0)
                {
                    pages.Add(Blank());
                    kinds.Add("blank_back");
                }
            }

            truth.Add(new BatchDocumentTruth(first, pages.Count, document.PatientId, document.OnIndex));
            used++;
        }

        string path = Path.Combine(outputDirectory, "batch.tif");
        TiffWriter.Write(path, pages, TiffCompression.G4, 300);
        return new BatchFile(path, set.MpiCsv, truth, kinds);
    }

    private static string[] ReadNhsNumbers(string mpi) =>
        [.. File.ReadAllLines(mpi).Skip(1).Select(l => string.Join(',', l.Split(',').Take(2)))];

    private static IEnumerable<byte[]> ReadPages(string file)
    {
        byte[] data = File.ReadAllBytes(file);
        if (!file.EndsWith(".tif", StringComparison.Ordinal))
        {
            yield return data;
            yield break;
        }

        for (int frame = 0; ; frame++)
        {
            PageBitmap page;
            try
            {
                page = PageBitmap.Decode(data, SourceFormat.Tiff, frame);
            }
            catch (InvalidDataException)
            {
                yield break;
            }

            using (page)
            {
                yield return page.ToPng();
            }
        }
    }

    private static byte[] Transform(byte[] encoded, float degrees)
    {
        using SKBitmap source = SKBitmap.Decode(encoded);
        bool sideways = Math.Abs(Math.Abs(degrees) - 90) < 0.01;
        using var target = new SKBitmap(sideways ? source.Height : source.Width, sideways ? source.Width : source.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.White);
            canvas.Translate(target.Width / 2f, target.Height / 2f);
            canvas.RotateDegrees(degrees);
            canvas.Translate(-source.Width / 2f, -source.Height / 2f);
            using var paint = new SKPaint { IsAntialias = true };
            canvas.DrawBitmap(source, 0, 0, paint);
        }

        return PageRenderer.EncodePng(target, 1);
    }

    private static byte[] Blank()
    {
        using var page = new SKBitmap(2480, 3508, SKColorType.Gray8, SKAlphaType.Opaque);
        page.Erase(SKColors.White);
        return PageRenderer.EncodePng(page, 1);
    }

    /// <summary>An A4 sheet at 300 DPI with a title and a large Code 39 barcode.</summary>
    private static byte[] SeparatorSheet(string title, string code)
    {
        using var page = new SKBitmap(2480, 3508, SKColorType.Gray8, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(page))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.Default, 110);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(title, 300, 700, font, ink);
            DrawCode39(canvas, code, 300, 1200, narrow: 8, height: 500);
        }

        return PageRenderer.EncodePng(page, 1);
    }

    /// <summary>
    /// An A4 patch T sheet at 300 DPI: the Kodak bar pattern (narrow, wide, narrow, wide: 2 and 5 mm bars, 2 mm spaces)
    /// across the leading (top) edge, 6 mm in, and a title; no barcode.
    /// </summary>
    private static byte[] PatchTSheet()
    {
        const float mm = 300 / 25.4f;
        using var page = new SKBitmap(2480, 3508, SKColorType.Gray8, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(page))
        {
            canvas.Clear(SKColors.White);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = false };
            float y = 6 * mm;
            foreach (float bar in (ReadOnlySpan<float>)[2, 5, 2, 5])
            {
                canvas.DrawRect(25 * mm, y, page.Width - (50 * mm), bar * mm, ink);
                y += (bar + 2) * mm;
            }

            using var font = new SKFont(SKTypeface.Default, 110);
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText("PATCH T", 300, 900, font, text);
        }

        return PageRenderer.EncodePng(page, 1);
    }

    /// <summary>Code 39 in modules: '1' is a bar module, '0' a space module (a wide element is two modules); '*' starts and stops.</summary>
    private static void DrawCode39(SKCanvas canvas, string value, float x, float y, float narrow, float height)
    {
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = false };
        foreach (char c in "*" + value.ToUpperInvariant() + "*")
        {
            foreach (char module in Code39[c] + "0")
            {
                if (module == '1')
                {
                    canvas.DrawRect(x, y, narrow, height, ink);
                }

                x += narrow;
            }
        }
    }

    private static readonly Dictionary<char, string> Code39 = new()
    {
        ['0'] = "101001101101", ['1'] = "110100101011", ['2'] = "101100101011", ['3'] = "110110010101", ['4'] = "101001101011",
        ['5'] = "110100110101", ['6'] = "101100110101", ['7'] = "101001011011", ['8'] = "110100101101", ['9'] = "101100101101",
        ['A'] = "110101001011", ['B'] = "101101001011", ['C'] = "110110100101", ['D'] = "101011001011", ['E'] = "110101100101",
        ['F'] = "101101100101", ['G'] = "101010011011", ['H'] = "110101001101", ['I'] = "101101001101", ['J'] = "101011001101",
        ['K'] = "110101010011", ['L'] = "101101010011", ['M'] = "110110101001", ['N'] = "101011010011", ['O'] = "110101101001",
        ['P'] = "101101101001", ['Q'] = "101010110011", ['R'] = "110101011001", ['S'] = "101101011001", ['T'] = "101011011001",
        ['U'] = "110010101011", ['V'] = "100110101011", ['W'] = "110011010101", ['X'] = "100101101011", ['Y'] = "110010110101",
        ['Z'] = "100110110101", ['-'] = "100101011011", ['.'] = "110010101101", [' '] = "100110101101", ['*'] = "100101101101",
    };
}
