using System.Globalization;
using System.Runtime.InteropServices;
using Digitise.Domain;
using Digitise.Ocr;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;

namespace Digitise.Benchmarks;

/// <summary>
/// <c>digitise-bench levers DIR [--repeat R]</c>: single-threaded, on every page of DIR, the thread CPU time of each
/// way of handing a page to the same reused Tesseract engine, taken in turn page by page so a busy machine disturbs
/// every variant alike (CPU time, not wall time). Prints milliseconds per page per variant and the ratio to raw
/// Tesseract on the decoded original; with a <c>.txt</c> ground truth beside a page, the character error rate of raw
/// and of the pipeline's OCR for that page.
/// </summary>
internal static partial class LeversCommand
{
    private delegate string Variant(PageBitmap page, PageAnalysis analysis, int dpi);

    public static int Run(ReadOnlySpan<string> args)
    {
        int repeat = 1;
        if (args.Length is not (1 or 3) || !Directory.Exists(args[0])
            || (args.Length == 3 && (args[1] != "--repeat" || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out repeat) || repeat < 1)))
        {
            Console.Error.WriteLine("usage: digitise-bench levers DIR [--repeat R]");
            return 2;
        }

        var options = new OcrOptions();
        using var engine = new TesseractEngine(options);
        using var analyser = new PageAnalyser(new QaOptions());
        var variants = new (string Name, Variant Run)[]
        {
            ("raw (decoded original)", (page, _, dpi) => engine.Recognise(page, dpi).Text),
            ("raw, page as 8-bit grey", (page, _, dpi) =>
            {
                using PageBitmap grey = page.ToGrey();
                return engine.Recognise(grey, dpi).Text;
            }),
            ("raw, text only (no word pass)", (page, _, dpi) => engine.RecogniseTextOnly(page, dpi)),
            ("pipeline OCR, whole corrected page", (_, analysis, dpi) => engine.Recognise(analysis.Page, dpi).Text),
            ("pipeline OCR, its marked part", (_, analysis, dpi) => engine.Recognise(analysis.Page, dpi, analysis.Content).Text),
        };

        var cpu = new double[variants.Length];
        double qa = 0;
        var cerLines = new List<string>();
        int pages = 0;
        foreach (string file in Directory.EnumerateFiles(args[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            SourceFormat format = Corpus.FormatOf(file);
            byte[] data = File.ReadAllBytes(file);
            int frames = format switch
            {
                SourceFormat.Tiff => CeilingCommand.CountTiffFrames(data),
                SourceFormat.Png or SourceFormat.Jpeg => 1,
                _ => 0,
            };
            string truthFile = Path.ChangeExtension(file, ".txt");
            string? truth = frames == 1 && File.Exists(truthFile) ? File.ReadAllText(truthFile) : null;
            for (int frame = 0; frame < frames; frame++)
            {
                using PageBitmap page = PageBitmap.Decode(data, format, frame);
                int dpi = page.Dpi > 0 ? page.Dpi : options.DefaultDpi;
                double qaStarted = ThreadCpuMs();
                PageAnalysis analysis = analyser.Analyse(page, dpi);
                (PageBitmap corrected, PageQuality quality) = (analysis.Page, analysis.Quality);
                qa += ThreadCpuMs() - qaStarted;
                using PageBitmap? owned = ReferenceEquals(corrected, page) ? null : corrected;
                var texts = new string[variants.Length];
                for (int r = 0; r < repeat; r++)
                {
                    for (int v = 0; v < variants.Length; v++)
                    {
                        // Alternate the order each round so neither variant always runs on a warm cache.
                        int i = (r % 2 == 0) ? v : variants.Length - 1 - v;
                        double started = ThreadCpuMs();
                        texts[i] = variants[i].Run(page, analysis, dpi);
                        cpu[i] += ThreadCpuMs() - started;
                    }
                }

                if (truth is not null && Environment.GetEnvironmentVariable("DIGITISE_DESKEW_EXPERIMENT") == "1" && quality.Deskewed)
                {
                    float radians = (float)(quality.SkewDegrees * Math.PI / 180.0);
                    foreach ((string method, int type) in new[] { ("shear", Leptonica.L_ROTATE_SHEAR), ("area-map", Leptonica.L_ROTATE_AREA_MAP), ("sampling", 3) })
                    {
                        using var turned = new PageBitmap(Leptonica.PixRotate(page.Pix, radians, type, Leptonica.L_BRING_IN_WHITE, 0, 0));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{Path.GetFileName(file)} deskew {quality.SkewDegrees:0.00} by {method}: {turned.Depth} bpp CER {CharacterErrorRate.Of(engine.Recognise(turned, dpi).Text, truth):P2}"));
                    }
                }

                pages++;
                string cer = truth is null ? string.Empty : string.Create(CultureInfo.InvariantCulture,
                    $"CER raw {CharacterErrorRate.Of(texts[0], truth),7:P2}  pipeline {CharacterErrorRate.Of(texts[4], truth),7:P2}  ");
                cerLines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileName(file),-28} {page.Depth,2} bpp -> {corrected.Depth,2} bpp  {cer}qa {quality.Flags()}"));
            }
        }

        if (pages == 0)
        {
            Console.Error.WriteLine("digitise-bench levers: no TIFF, PNG or JPEG pages in " + args[0]);
            return 1;
        }

        double baseline = cpu[0];
        for (int v = 0; v < variants.Length; v++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variants[v].Name,-34} {cpu[v] / (pages * repeat),8:0.0} ms/page (thread CPU)  {cpu[v] / baseline,6:0.000} x raw"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"page QA (analyse)",-34} {qa / pages,8:0.0} ms/page (thread CPU)  {qa * repeat / baseline,6:0.000} x raw"));
        cerLines.ForEach(Console.WriteLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages {pages} repeat {repeat}"));
        return 0;
    }

    private static double ThreadCpuMs()
    {
        _ = ClockGetTime(ClockThreadCpuTime, out Timespec ts);
        return (ts.Seconds * 1000.0) + (ts.Nanoseconds / 1e6);
    }

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);
}
