using System.Diagnostics;
using System.Globalization;
using Digitise.Domain;
using Digitise.Ocr;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;

namespace Digitise.Benchmarks;

/// <summary>
/// <c>digitise-bench profile DIR</c>: single-threaded, per step, where a page's time goes (decode, each QA step,
/// the preview and page-image encodes, OCR). Prints milliseconds per page for each step and its share.
/// </summary>
internal static class ProfileCommand
{
    private static ZbarScannerHandle? scanner2;
    private static int density2;

    private static void Zbar2(PixHandle grey, int density)
    {
        if (scanner2 is null || density2 != density)
        {
            scanner2?.Dispose();
            scanner2 = Zbar.ScannerCreate();
            Zbar.ScannerSetConfig(scanner2, 0, Zbar.ZBAR_CFG_ENABLE, 0);
            foreach (int symbology in (ReadOnlySpan<int>)[Zbar.Code39, Zbar.Code128, Zbar.Code93, Zbar.QrCode, Zbar.Interleaved2Of5])
            {
                Zbar.ScannerSetConfig(scanner2, symbology, Zbar.ZBAR_CFG_ENABLE, 1);
            }

            Zbar.ScannerSetConfig(scanner2, 0, Zbar.ZBAR_CFG_X_DENSITY, density);
            Zbar.ScannerSetConfig(scanner2, 0, Zbar.ZBAR_CFG_Y_DENSITY, density);
            density2 = density;
        }

        Leptonica.PixGetRasterData(grey, out IntPtr data, out nuint size);
        using ZbarImageHandle image = Zbar.ImageCreate();
        Zbar.ImageSetFormat(image, Zbar.FourccY800);
        Zbar.ImageSetSize(image, (uint)Leptonica.PixGetWidth(grey), (uint)Leptonica.PixGetHeight(grey));
        Zbar.ImageSetData(image, data, size, IntPtr.Zero);
        Zbar.ScanImage(scanner2, image);
        Leptonica.LeptFree(data);
    }

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
                Leptonica.PixFindSkew(binary, out _, out _);
                Add("skew", t);
                t = Stopwatch.GetTimestamp();
                using PixHandle half = Leptonica.PixScaleAreaMap2(grey);
                Add("x:half", t);
                t = Stopwatch.GetTimestamp();
                using (PixHandle hb = Leptonica.PixConvertTo1(half, 128))
                {
                    Leptonica.PixOrientDetect(hb, out _, out _, 0, 0);
                }

                Add("x:orient-half", t);
                t = Stopwatch.GetTimestamp();
                using (PixHandle rb = Leptonica.PixReduceRankBinary2(binary, 1, IntPtr.Zero))
                {
                    Leptonica.PixOrientDetect(rb, out _, out _, 0, 0);
                }

                Add("x:orient-rank2", t);
                t = Stopwatch.GetTimestamp();
                Zbar2(grey, 2);
                Add("x:zbar-full-d2", t);
                t = Stopwatch.GetTimestamp();
                Zbar2(grey, 4);
                Add("x:zbar-full-d4", t);
                t = Stopwatch.GetTimestamp();
                Zbar2(half, 2);
                Add("x:zbar-half-d2", t);
                t = Stopwatch.GetTimestamp();
                Zbar2(half, 1);
                Add("x:zbar-half-d1", t);
                t = Stopwatch.GetTimestamp();
                using (PixHandle h1 = Leptonica.PixConvertTo1(half, 200))
                using (PixHandle o1 = Leptonica.PixOpenBrick(IntPtr.Zero, h1, 2, 2))
                {
                    Leptonica.PixCountPixels(o1, out _, IntPtr.Zero);
                }

                Add("x:ink-half", t);
                t = Stopwatch.GetTimestamp();
                Leptonica.PixWriteMemJpeg(out IntPtr jd, out _, half, 75, 0);
                Leptonica.LeptFree(jd);
                Add("x:preview-half", t);
                t = Stopwatch.GetTimestamp();
                using (PixHandle sc = Leptonica.PixScale(grey, 0.44f, 0.44f))
                {
                }

                Add("x:pixscale", t);
                t = Stopwatch.GetTimestamp();
                Leptonica.PixWriteMemJpeg(out IntPtr jd2, out _, page.Pix, 85, 0);
                Leptonica.LeptFree(jd2);
                Add("x:jpeg-full", t);
                t = Stopwatch.GetTimestamp();
                var (corrected, _, _) = analyser.Analyse(page, 300);
                Add("analyse(all)", t);
                t = Stopwatch.GetTimestamp();
                _ = corrected.ToPreviewJpeg();
                Add("preview", t);
                t = Stopwatch.GetTimestamp();
                _ = corrected.ToPageImage();
                Add("pageimage", t);
                t = Stopwatch.GetTimestamp();
                _ = engine.Recognise(corrected, 300);
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
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,-14} {totals[step] / pages,8:0.0} ms/page {totals[step] / ocr,7:P1} of OCR"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages {pages}"));
        return 0;
    }
}
