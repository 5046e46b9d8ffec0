using System.Runtime.InteropServices;
using Digitise.Domain;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Imaging;

/// <summary>
/// Image QA for one page with Leptonica: ink coverage (blank pages), exposure, text orientation (0/90/180/270) and
/// skew, corrected before OCR; and barcodes with ZBar. One analyser per OCR worker (the barcode scanner is reused).
/// </summary>
public sealed class PageAnalyser : IDisposable
{
    /// <summary>
    /// How sure the up-down test must be to turn a page before OCR: Leptonica's own threshold for an orientation decision
    /// (makeOrientDecision's default). No upright page of the bench corpora scored below 0 (40 generated, 24 text2image,
    /// 5 real); the tesseract-test page turned over scores -11.6.
    /// </summary>
    private const float UpsideDownConfidence = 8f;

    private readonly QaOptions _options;
    private ZbarScannerHandle? _scanner;

    public PageAnalyser(QaOptions options)
    {
        _options = options;
        Leptonica.EnsureQuiet();
    }

    /// <summary>
    /// Measures <paramref name="page"/> and returns the page to OCR: the same bitmap when nothing needed correcting,
    /// otherwise a new, corrected one (the caller disposes both).
    /// </summary>
    /// <param name="orientation">
    /// When to detect and correct orientation (never when <see cref="QaOptions.DetectOrientation"/> is off). The OCR stage
    /// asks <see cref="OrientationCheck.WhenSideways"/> first and <see cref="OrientationCheck.Always"/> only for a page OCR
    /// could not read (see <c>TesseractOcrStage</c>).
    /// </param>
    /// <param name="readBarcodes">False skips ZBar and patch codes (a second look at a page already scanned for them).</param>
    public PageAnalysis Analyse(PageBitmap page, int dpi, OrientationCheck orientation = OrientationCheck.Always, bool readBarcodes = true)
    {
        readBarcodes &= _options.ReadBarcodes;

        // A bitonal scan (most bureau output: CCITT G4) already is its binary image. Its grey view, for the mean and for
        // ZBar, is the page averaged 2x2 (0, 64, 128, 192 or 255 a pixel): a quarter of the pixels, with a bar one pixel
        // wide still a clear dip in grey, so ZBar scans every second line of it, as dense in the page as every fourth line
        // of a full-size grey copy, for half the work.
        bool bitonal = page.Depth == 1 && Leptonica.PixGetColormap(page.Pix) == IntPtr.Zero;
        using PixHandle grey = bitonal ? Leptonica.PixScaleToGray2(page.Pix) : page.Grey();
        Check(grey, "convert the page to grey");
        Leptonica.PixGetAverageMasked(grey, IntPtr.Zero, 0, 0, 4, Leptonica.L_MEAN_ABSVAL, out float meanGrey);
        bool lowDpi = dpi < _options.MinDpi;
        bool tooDark = meanGrey < _options.DarkMeanGrey;

        // Blank first, at full resolution and with faint marks counted: a page wrongly called blank is not OCRed. A bitonal
        // page's grey copy would threshold back to exactly the page, so its ink is counted once, on the page itself, not on
        // a cropped and thresholded grey copy and then again.
        double faint = bitonal ? Coverage(page.Pix, threshold: null) : Coverage(grey, 200);
        if (faint < _options.BlankInkThreshold)
        {
            return new PageAnalysis(page, new PageQuality(true, faint, 0, false, 0, dpi, lowDpi, meanGrey, tooDark, false), []);
        }

        IReadOnlyList<Barcode> barcodes = readBarcodes ? ReadBarcodes(grey, density: bitonal ? 2 : 4) : [];
        PageBitmap current = page;
        int rotation = 0;
        double skew = 0;
        bool deskewed = false;
        PixHandle binary = bitonal ? Leptonica.PixClone(page.Pix) : Leptonica.PixConvertTo1(grey, 128);
        try
        {
            Check(binary, "binarise the page");
            double ink = bitonal ? faint : Coverage(binary, threshold: null);
            if (readBarcodes)
            {
                barcodes = [.. barcodes, .. PatchCodeReader.Read(binary, dpi).Select(code => new Barcode("PATCH", code))];
            }

            bool tooLight = ink < 0.25 * faint;

            // Lines of text run across an upright (or upside-down) page, and the skew finder measures them anyway: a page
            // where it finds none may be sideways, and gets the full orientation check before OCR. A page with lines gets
            // only the up-down test, a few milliseconds: an upside-down page turned now is OCRed once, not read badly first.
            bool lines = FindSkew(binary, out float angle);
            if (_options.DetectOrientation && orientation != OrientationCheck.Never)
            {
                rotation = orientation == OrientationCheck.Always || !lines ? Orientation(binary)
                    : UpsideDown(binary) ? 180 : 0;
                if (rotation != 0)
                {
                    PixHandle rotated = Leptonica.PixRotateOrth(current.Pix, rotation / 90);
                    Check(rotated, "rotate the page");
                    current = new PageBitmap(rotated);
                    PixHandle rotatedBinary = Leptonica.PixRotateOrth(binary, rotation / 90);
                    binary.Dispose();
                    binary = rotatedBinary;
                    Check(binary, "rotate the page");
                    lines = FindSkew(binary, out angle);
                }
            }

            if (lines)
            {
                skew = angle;
                if (Math.Abs(angle) >= (Leptonica.PixGetDepth(current.Pix) == 1 ? _options.MinSkewDegreesBitonal : _options.MinSkewDegrees))
                {
                    // Bitonal pages by shear (fast, and exact enough for the small angles scanners produce); grey and colour
                    // pages by area mapping, which interpolates: shearing a grey 200 dpi page cost a hospital number a
                    // digit (samples/batch/doc-0016.tif went to verification instead of filing).
                    int method = Leptonica.PixGetDepth(current.Pix) == 1 && Math.Abs(angle) < 3f ? Leptonica.L_ROTATE_SHEAR : Leptonica.L_ROTATE_AREA_MAP;
                    PixHandle straight = Leptonica.PixRotate(current.Pix, (float)(angle * Math.PI / 180.0), method, Leptonica.L_BRING_IN_WHITE, 0, 0);
                    Check(straight, "deskew the page");
                    if (!ReferenceEquals(current, page))
                    {
                        current.Dispose();
                    }

                    current = new PageBitmap(straight);
                    deskewed = true;
                }
            }

            return new PageAnalysis(current, new PageQuality(false, ink, skew, deskewed, rotation, dpi, lowDpi, meanGrey, tooDark, tooLight), barcodes)
            {
                Content = _options.CropToContent ? ContentBox(current, ReferenceEquals(current, page) ? grey : null, dpi) : null,
            };
        }
        catch
        {
            if (!ReferenceEquals(current, page))
            {
                current.Dispose();
            }

            throw;
        }
        finally
        {
            binary.Dispose();
        }
    }

    /// <summary>
    /// The smallest rectangle holding every mark on <paramref name="page"/> (the page to OCR, after any turn and deskew),
    /// padded by a tenth of an inch (at least 8 pixels); null when it is the whole page. Every dark pixel counts, specks
    /// included: a bitonal page as it is, a grey page thresholded at 200 (as light as the blank test's faint marks), a
    /// colour page by its darkest channel thresholded the same way, so that yellow or light-coloured print, which
    /// Tesseract reads channel by channel but which is light as luminance, is inside it too. <paramref name="grey"/> is
    /// the page's grey copy when the analyser already has it.
    /// </summary>
    private static PixelBox? ContentBox(PageBitmap page, PixHandle? grey, int dpi)
    {
        PixHandle ink;
        if (page.Depth == 1 && Leptonica.PixGetColormap(page.Pix) == IntPtr.Zero)
        {
            ink = Leptonica.PixClone(page.Pix);
        }
        else if (page.Depth == 32 || Leptonica.PixGetColormap(page.Pix) != IntPtr.Zero)
        {
            using PixHandle rgb = page.Depth == 32 ? Leptonica.PixClone(page.Pix) : Leptonica.PixConvertTo32(page.Pix);
            Check(rgb, "convert the page to colour");
            using PixHandle darkest = Leptonica.PixConvertRgbToGreyMinMax(rgb, Leptonica.L_CHOOSE_MIN);
            Check(darkest, "take the page's darkest channel");
            ink = Leptonica.PixConvertTo1(darkest, 200);
        }
        else
        {
            using PixHandle greyPage = grey is null ? page.Grey() : Leptonica.PixClone(grey);
            Check(greyPage, "convert the page to grey");
            ink = Leptonica.PixConvertTo1(greyPage, 200);
        }

        using (ink)
        {
            Check(ink, "binarise the page");
            if (Leptonica.PixClipBoxToForeground(ink, IntPtr.Zero, IntPtr.Zero, out BoxHandle found) != 0 || found.IsInvalid)
            {
                found.Dispose();
                return null;
            }

            using (found)
            {
                Leptonica.BoxGetGeometry(found, out int x, out int y, out int w, out int h);
                int pad = Math.Max(8, dpi / 10);
                int left = Math.Max(0, x - pad);
                int top = Math.Max(0, y - pad);
                int right = Math.Min(page.Width, x + w + pad);
                int bottom = Math.Min(page.Height, y + h + pad);
                return left == 0 && top == 0 && right == page.Width && bottom == page.Height
                    ? null
                    : new PixelBox(left, top, right - left, bottom - top);
            }
        }
    }

    /// <summary>The skew of the page's lines of text; false when Leptonica finds no lines it is confident of.</summary>
    private static bool FindSkew(PixHandle binary, out float angle) =>
        Leptonica.PixFindSkew(binary, out angle, out float confidence) == 0 && confidence >= 2.5f;

    /// <summary>
    /// Share of ink in the central area (6% margins trimmed, where scanner edges and punch holes live) after a 2x2
    /// opening removes scanner speckle (text strokes survive it). <paramref name="threshold"/> binarises a grey
    /// image; null means <paramref name="pix"/> is already binary.
    /// </summary>
    private static double Coverage(PixHandle pix, int? threshold)
    {
        int w = Leptonica.PixGetWidth(pix);
        int h = Leptonica.PixGetHeight(pix);
        int mx = w * 6 / 100;
        int my = h * 6 / 100;
        using BoxHandle box = Leptonica.BoxCreate(mx, my, w - (2 * mx), h - (2 * my));
        using PixHandle centre = Leptonica.PixClipRectangle(pix, box, IntPtr.Zero);
        Check(centre, "crop the page");
        using PixHandle? binarised = threshold is int t ? Leptonica.PixConvertTo1(centre, t) : null;
        PixHandle binary = binarised ?? centre;
        Check(binary, "binarise the page");
        using PixHandle opened = Leptonica.PixOpenBrick(IntPtr.Zero, binary, 2, 2);
        Check(opened, "clean the page");
        Leptonica.PixCountPixels(opened, out int count, IntPtr.Zero);
        return count / ((double)Leptonica.PixGetWidth(centre) * Leptonica.PixGetHeight(centre));
    }

    /// <summary>
    /// Clockwise rotation (0, 90, 180, 270) that brings the text upright, or 0 when unsure. Measured on a 2x
    /// reduction (150 ppi for a 300 dpi scan, inside the range Leptonica's detector is tuned for) at a quarter of the cost.
    /// </summary>
    private static int Orientation(PixHandle binary)
    {
        using PixHandle reduced = ForOrientation(binary);
        if (reduced.IsInvalid ||
            Leptonica.PixOrientDetect(reduced, out float up, out float left, 0, 0) != 0 ||
            Leptonica.MakeOrientDecision(up, left, 0f, 0f, out int orientation, 0) != 0)
        {
            return 0;
        }

        return orientation switch
        {
            Leptonica.L_TEXT_ORIENT_LEFT => 90,
            Leptonica.L_TEXT_ORIENT_DOWN => 180,
            Leptonica.L_TEXT_ORIENT_RIGHT => 270,
            _ => 0,
        };
    }

    /// <summary>
    /// The binary page at the resolution Leptonica's orientation tests are tuned for (150-300 ppi): a page 1,600 pixels or
    /// wider (a 300 dpi scan) reduced 2x, at a quarter of the cost; a narrower one as it is.
    /// </summary>
    private static PixHandle ForOrientation(PixHandle binary) =>
        Leptonica.PixGetWidth(binary) >= 1600 ? Leptonica.PixReduceRankBinary2(binary, 1, IntPtr.Zero) : Leptonica.PixClone(binary);

    /// <summary>
    /// Whether the text of a page with lines across it is confidently upside down, by Leptonica's ascender and descender
    /// shapes (on a 2x reduction of a wide page, as <see cref="Orientation"/>). Only a clear answer turns the page: an
    /// unsure one leaves it as it is, and a page that then reads badly still gets the full check after OCR.
    /// </summary>
    private static bool UpsideDown(PixHandle binary)
    {
        using PixHandle reduced = ForOrientation(binary);
        return !reduced.IsInvalid && Leptonica.PixUpDownDetect(reduced, out float up, 0, 0, 0) == 0 && up <= -UpsideDownConfidence;
    }

    private IReadOnlyList<Barcode> ReadBarcodes(PixHandle grey, int density)
    {
        if (Leptonica.PixGetRasterData(grey, out IntPtr data, out nuint size) != 0 || data == IntPtr.Zero)
        {
            return [];
        }

        try
        {
            _scanner ??= CreateScanner();
            Zbar.ScannerSetConfig(_scanner, 0, Zbar.ZBAR_CFG_X_DENSITY, density);
            Zbar.ScannerSetConfig(_scanner, 0, Zbar.ZBAR_CFG_Y_DENSITY, density);
            using ZbarImageHandle image = Zbar.ImageCreate();
            Zbar.ImageSetFormat(image, Zbar.FourccY800);
            Zbar.ImageSetSize(image, (uint)Leptonica.PixGetWidth(grey), (uint)Leptonica.PixGetHeight(grey));
            Zbar.ImageSetData(image, data, size, IntPtr.Zero);
            if (Zbar.ScanImage(_scanner, image) <= 0)
            {
                return [];
            }

            var found = new List<Barcode>();
            for (IntPtr symbol = Zbar.ImageFirstSymbol(image); symbol != IntPtr.Zero; symbol = Zbar.SymbolNext(symbol))
            {
                string name = Marshal.PtrToStringUTF8(Zbar.GetSymbolName(Zbar.SymbolGetType(symbol))) ?? "?";
                string value = Marshal.PtrToStringUTF8(Zbar.SymbolGetData(symbol)) ?? string.Empty;
                found.Add(new Barcode(name, value));
            }

            return found;
        }
        finally
        {
            Leptonica.LeptFree(data);
        }
    }

    private static ZbarScannerHandle CreateScanner()
    {
        ZbarScannerHandle scanner = Zbar.ScannerCreate();
        if (scanner.IsInvalid)
        {
            throw new OcrUnavailableException("ZBar could not create a barcode scanner. Install it with: sudo apt-get install -y libzbar0");
        }

        // Only what separator and cover sheets and labels use: fewer decoders are faster, and DataBar's decoder
        // prints assertion noise on real scans.
        Zbar.ScannerSetConfig(scanner, 0, Zbar.ZBAR_CFG_ENABLE, 0);
        foreach (int symbology in (ReadOnlySpan<int>)[Zbar.Code39, Zbar.Code128, Zbar.Code93, Zbar.QrCode, Zbar.Interleaved2Of5])
        {
            Zbar.ScannerSetConfig(scanner, symbology, Zbar.ZBAR_CFG_ENABLE, 1);
        }

        // Interleaved 2 of 5 checks little, and a patch code's bars read as a 150-digit I2/5 value: a cover sheet's number
        // is never longer than 32 digits.
        Zbar.ScannerSetConfig(scanner, Zbar.Interleaved2Of5, Zbar.ZBAR_CFG_MAX_LEN, 32);

        // Scan lines, set for each page (ReadBarcodes): every fourth each way of a full-size grey page, every second of a
        // bitonal page's 2x2 average. A barcode a few millimetres tall is still crossed by many lines, and text pages cost
        // a quarter of a dense scan. (Every sixth line of a full-size page misses paperless-ngx's QR sheet: see
        // PageAnalyserTests.)
        return scanner;
    }

    private static void Check(PixHandle pix, string what)
    {
        if (pix.IsInvalid)
        {
            throw new InvalidDataException($"Leptonica could not {what}");
        }
    }

    public void Dispose() => _scanner?.Dispose();
}

/// <summary>What <see cref="PageAnalyser.Analyse"/> found: the page to OCR (the one given, or a corrected copy), its quality and barcodes.</summary>
public sealed record PageAnalysis(PageBitmap Page, PageQuality Quality, IReadOnlyList<Barcode> Barcodes)
{
    /// <summary>
    /// Where <see cref="Page"/> holds marks, padded (null: anywhere, or not measured): Tesseract is given only this part,
    /// because its layout analysis works over every pixel of the image and blank margins cost time (see
    /// <see cref="QaOptions.CropToContent"/>). Word boxes still refer to the whole page.
    /// </summary>
    public PixelBox? Content { get; init; }
}

/// <summary>When <see cref="PageAnalyser.Analyse"/> detects text orientation.</summary>
public enum OrientationCheck
{
    /// <summary>Not at all.</summary>
    Never,

    /// <summary>
    /// The full check only when the page shows no lines of text running across it (it may be turned 90 degrees); a page
    /// with lines gets the up-down test alone (a few milliseconds) and is turned only when clearly upside down.
    /// </summary>
    WhenSideways,

    /// <summary>On every page (a 2x reduction's text shapes: tens of milliseconds a page).</summary>
    Always,
}
