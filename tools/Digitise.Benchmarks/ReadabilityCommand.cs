using System.Globalization;
using Digitise.Domain;
using Digitise.Ocr;
using Digitise.Ocr.Imaging;
using Digitise.Samples;

namespace Digitise.Benchmarks;

/// <summary>
/// <c>digitise-bench readability [--typed N] [--handwritten N] [--poor N] [--seed S]</c>: generates typed,
/// handwritten and poor-scan pages (<see cref="ReadabilitySamples"/>), runs each through page QA and OCR as the
/// pipeline does, and prints per page what the unreadable-page flag saw, then its precision and recall
/// (handwritten and poor scans are the positives).
/// </summary>
internal static class ReadabilityCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int typed = 20, handwritten = 20, poor = 10, seed = 7;
        if (args.Length == 2 && args[0] == "--typed-dir")
        {
            // Every page of a folder of typed scans (e.g. samples/batch): what the flag sees on each.
            var typedPages = new List<ReadabilityPage>();
            foreach (string file in Directory.EnumerateFiles(args[1]).Order(StringComparer.Ordinal).Where(f => Corpus.FormatOf(f) is SourceFormat.Png or SourceFormat.Tiff or SourceFormat.Jpeg))
            {
                int frames = Corpus.FormatOf(file) == SourceFormat.Tiff ? CeilingCommand.CountTiffFrames(File.ReadAllBytes(file)) : 1;
                for (int frame = 0; frame < frames; frame++)
                {
                    typedPages.Add(new ReadabilityPage(file, ReadabilityKind.Typed, frame, string.Empty, string.Empty, default));
                }
            }

            (_, int flaggedTyped, _) = Score(typedPages, Console.Out);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"typed pages flagged: {flaggedTyped} of {typedPages.Count}"));
            return 0;
        }

        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            int value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--typed": typed = value; break;
                case "--handwritten": handwritten = value; break;
                case "--poor": poor = value; break;
                case "--seed": seed = value; break;
                default:
                    Console.Error.WriteLine("usage: digitise-bench readability [--typed N] [--handwritten N] [--poor N] [--seed S]");
                    return 2;
            }
        }

        string dir = Path.Combine(Path.GetTempPath(), $"digitise-readability-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            IReadOnlyList<ReadabilityPage> pages = ReadabilitySamples.Generate(dir, typed, handwritten, poor, seed);
            (int tp, int fp, int fn) = Score(pages, Console.Out);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"unreadable flag: precision {Ratio(tp, tp + fp)} recall {Ratio(tp, tp + fn)} (true positives {tp}, false positives {fp}, missed {fn}; fonts: {string.Join(", ", ReadabilitySamples.HandwritingFonts)})"));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The flag's precision and recall on <paramref name="handwritten"/> handwritten pages, as many typed and half as many poor scans, as a markdown line.</summary>
    internal static string Summary(int handwritten, int seed, TextWriter log)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"digitise-readability-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digitise-bench: unreadable-page flag on {handwritten} typed, {handwritten} handwritten, {handwritten / 2} poor-scan pages ..."));
            IReadOnlyList<ReadabilityPage> pages = ReadabilitySamples.Generate(dir, handwritten, handwritten, handwritten / 2, seed);
            (int tp, int fp, int fn) = Score(pages, log);
            return string.Create(CultureInfo.InvariantCulture,
                $"Unreadable-page flag (page QA + OCR as the pipeline runs them) on generated pages: {handwritten} typed, {handwritten} handwritten ({string.Join(", ", ReadabilitySamples.HandwritingFonts)}; wandering baselines), {handwritten / 2} very poor scans: precision **{Ratio(tp, tp + fp)}**, recall **{Ratio(tp, tp + fn)}** ({tp} flagged rightly, {fp} typed pages flagged, {fn} missed).");
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>QA + OCR on each page as the pipeline does; prints one line a page; returns the flag's confusion counts.</summary>
    internal static (int TruePositives, int FalsePositives, int Missed) Score(IReadOnlyList<ReadabilityPage> pages, TextWriter? log)
    {
        using var engine = new TesseractEngine(new OcrOptions());
        using var analyser = new PageAnalyser(new QaOptions());
        int tp = 0, fp = 0, fn = 0;
        foreach (ReadabilityPage sample in pages)
        {
            SourceFormat format = Corpus.FormatOf(sample.File);
            int frame = format == SourceFormat.Tiff ? sample.Dpi : 0;
            using PageBitmap page = PageBitmap.Decode(File.ReadAllBytes(sample.File), format, frame);
            int dpi = page.Dpi > 0 ? page.Dpi : 300;
            PageAnalysis analysis = analyser.Analyse(page, dpi, OrientationCheck.WhenSideways);
            (PageBitmap corrected, PageQuality quality, IReadOnlyList<Barcode> barcodes) = analysis;
            using PageBitmap? owned = ReferenceEquals(corrected, page) ? null : corrected;
            OcrResult result = engine.Recognise(corrected, dpi, analysis.Content);
            ReadabilityStats stats = Readability.Measure(result.Words, quality.InkCoverage, barcodes.Count);
            bool positive = sample.Kind != ReadabilityKind.Typed;
            bool flagged = stats.Unreadable;
            tp += positive && flagged ? 1 : 0;
            fp += !positive && flagged ? 1 : 0;
            fn += positive && !flagged ? 1 : 0;
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(sample.File),-18} {sample.Kind,-11} {dpi,3} dpi  flagged {(flagged ? "yes" : "no "),-3}  words {stats.Words,4} letters {stats.Letters,5} confident {stats.ConfidentShare,5:0.00} median {stats.MedianConfidence,5:0.0} confident words {stats.ConfidentWords,4} stray {stats.BaselineStray,5:0.00} ink {stats.InkCoverage,6:0.0000} CER {CharacterErrorRate.Of(result.Text, sample.Text),6:P1}{(quality.Blank ? " BLANK" : string.Empty)}"));
        }

        return (tp, fp, fn);
    }

    private static string Ratio(int a, int b) => b == 0 ? "-" : (a / (double)b).ToString("0.000", CultureInfo.InvariantCulture);
}
