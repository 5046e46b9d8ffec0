using System.Diagnostics;
using System.Globalization;
using Digitise.Domain;
using Digitise.Ocr;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;

namespace Digitise.Benchmarks;

/// <summary>
/// <c>digitise-bench profile DIR</c>: single-threaded, per step, where a page's time goes (decode, each QA step,
/// page QA as the OCR stage first runs it (orientation only for a page with no lines across it) and with orientation
/// always, the preview and page-image encodes, OCR). Prints milliseconds per page for each step and its share.
/// </summary>
internal static class ProfileCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length != 1 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: digitise-bench profile DIR");
            return 2;
        }

        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = new List<string>();
        void Add(string step, long started)
        {
            double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!totals.TryAdd(step, ms))
            {
                totals[step] += ms;
            }
            else
            {
                order.Add(step);
            }
        }

        using var engine = new TesseractEngine(new OcrOptions());
        using var analyser = new PageAnalyser(new QaOptions());

        // Page QA as the OCR stage runs it; the corrected page it may make is thrown away.
        void TimeAnalyse(string step, PageBitmap page, OrientationCheck orientation, bool readBarcodes)
        {
            long started = Stopwatch.GetTimestamp();
            (PageBitmap corrected, _, _) = analyser.Analyse(page, page.Dpi > 0 ? page.Dpi : 300, orientation, readBarcodes);
            Add(step, started);
            if (!ReferenceEquals(corrected, page))
            {
                corrected.Dispose();
            }
        }

        int pages = 0;
        foreach (string file in Directory.EnumerateFiles(args[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            SourceFormat format = Corpus.FormatOf(file);
            int frames = format switch
            {
                SourceFormat.Tiff => CeilingCommand.CountTiffFrames(File.ReadAllBytes(file)),
                SourceFormat.Png or SourceFormat.Jpeg => 1,
                _ => 0,
            };
            byte[] data = File.ReadAllBytes(file);
            for (int frame = 0; frame < frames; frame++)
            {
                long t = Stopwatch.GetTimestamp();
                using PageBitmap page = PageBitmap.Decode(data, format, frame);
                Add("decode", t);
                t = Stopwatch.GetTimestamp();
                using PixHandle grey = Leptonica.PixConvertTo8(page.Pix, 0);
                Add("to8", t);
                t = Stopwatch.GetTimestamp();
                Leptonica.PixGetAverageMasked(grey, IntPtr.Zero, 0, 0, 4, Leptonica.L_MEAN_ABSVAL, out _);
                Add("mean", t);
                t = Stopwatch.GetTimestamp();
                using (PixHandle b1 = Leptonica.PixConvertTo1(grey, 128))
                using (PixHandle o1 = Leptonica.PixOpenBrick(IntPtr.Zero, b1, 2, 2))
                {
                    Leptonica.PixCountPixels(o1, out _, IntPtr.Zero);
                }

                Add("ink(x1 of 2)", t);
                t = Stopwatch.GetTimestamp();
                using PixHandle binary = Leptonica.PixConvertTo1(grey, 128);
                Add("to1", t);
                t = Stopwatch.GetTimestamp();
                Leptonica.PixOrientDetect(binary, out _, out _, 0, 0);
                Add("orient", t);
                t = Stopwatch.GetTimestamp();
                using (PixHandle half = Leptonica.PixGetWidth(binary) >= 1600 ? Leptonica.PixReduceRankBinary2(binary, 1, IntPtr.Zero) : Leptonica.PixClone(binary))
                {
                    Leptonica.PixUpDownDetect(half, out float up, 0, 0, 0);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"updown {Path.GetFileName(file)} {Leptonica.PixGetWidth(binary)} {up:0.0}"));
                }

                Add("updown(half)", t);
                t = Stopwatch.GetTimestamp();
                Leptonica.PixFindSkew(binary, out _, out _);
                Add("skew", t);
                TimeAnalyse("analyse(qa)", page, OrientationCheck.WhenSideways, readBarcodes: true);
                TimeAnalyse("analyse(qa, no barcodes)", page, OrientationCheck.WhenSideways, readBarcodes: false);
                t = Stopwatch.GetTimestamp();
                PageAnalysis analysis = analyser.Analyse(page, page.Dpi > 0 ? page.Dpi : 300);
                PageBitmap corrected = analysis.Page;
                Add("analyse(all)", t);
                t = Stopwatch.GetTimestamp();
                _ = corrected.ToPreviewJpeg();
                Add("preview", t);
                t = Stopwatch.GetTimestamp();
                _ = corrected.ToPageImage(lossySource: format == SourceFormat.Jpeg);
                Add("pageimage", t);
                t = Stopwatch.GetTimestamp();
                _ = engine.Recognise(corrected, 300);
                Add("ocr(whole page)", t);
                t = Stopwatch.GetTimestamp();
                _ = engine.Recognise(corrected, 300, analysis.Content);
                Add("ocr", t);
                if (!ReferenceEquals(corrected, page))
                {
                    corrected.Dispose();
                }

                pages++;
            }
        }

        double ocr = totals["ocr"];
        foreach (string step in order)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,-24} {totals[step] / pages,8:0.0} ms/page {totals[step] / ocr,7:P1} of OCR"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages {pages}"));
        return 0;
    }
}
