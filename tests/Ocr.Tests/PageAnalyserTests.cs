using System.Globalization;
using System.Text;
using Digitise.Benchmarks;
using Digitise.Domain;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;
using Digitise.Testing;

namespace Digitise.Ocr.Tests;

public sealed class PageAnalyserTests
{
    private static string Tesseract => TestPaths.Shared("corpora", "tesseract-test");
    private static string Barcodes => TestPaths.Shared("corpora", "paperless", "barcodes");

    [CorpusTheory]
    [InlineData("phototest.tif", 0)]
    [InlineData("phototest-rotated-180.png", 180)]
    [InlineData("phototest-rotated-L.png", 90)]
    [InlineData("phototest-rotated-R.png", 270)]
    public void Analyse_RotatedPage_TurnedUprightBeforeOcr(string file, int expectedRotation)
    {
        using var analyser = new PageAnalyser(new QaOptions());
        using var engine = new TesseractEngine(new OcrOptions());
        byte[] data = File.ReadAllBytes(Path.Combine(Tesseract, file));
        using PageBitmap page = PageBitmap.Decode(data, file.EndsWith(".tif", StringComparison.Ordinal) ? SourceFormat.Tiff : SourceFormat.Png);

        (PageBitmap corrected, PageQuality quality, _) = analyser.Analyse(page, 300);
        using PageBitmap? owned = ReferenceEquals(corrected, page) ? null : corrected;
        string text = engine.Recognise(corrected, 300).Text;

        Assert.Equal(expectedRotation, quality.RotationDegrees);
        Assert.False(quality.Blank);
        double cer = CharacterErrorRate.Of(text, File.ReadAllText(Path.Combine(Tesseract, "phototest.txt")));
        Assert.True(cer <= 0.1, $"character error rate {cer:P1} after turning the page {quality.RotationDegrees} degrees");
    }

    /// <summary>
    /// The OCR stage's first look: a sideways page (no lines of text across it) and an upside-down one (its ascenders
    /// below its lines) are turned before OCR, so neither is read twice; an upright page is left as it is.
    /// </summary>
    [CorpusTheory]
    [InlineData("phototest.tif", 0)]
    [InlineData("phototest-rotated-180.png", 180)]
    [InlineData("phototest-rotated-L.png", 90)]
    [InlineData("phototest-rotated-R.png", 270)]
    public void Analyse_WhenSideways_TurnsSidewaysAndUpsideDownPagesOnly(string file, int expectedRotation)
    {
        using var analyser = new PageAnalyser(new QaOptions());
        byte[] data = File.ReadAllBytes(Path.Combine(Tesseract, file));
        using PageBitmap page = PageBitmap.Decode(data, file.EndsWith(".tif", StringComparison.Ordinal) ? SourceFormat.Tiff : SourceFormat.Png);

        (PageBitmap corrected, PageQuality quality, _) = analyser.Analyse(page, 300, OrientationCheck.WhenSideways);
        using PageBitmap? owned = ReferenceEquals(corrected, page) ? null : corrected;

        Assert.Equal(expectedRotation, quality.RotationDegrees);
        Assert.Equal(expectedRotation is 90 or 270 ? page.Height : page.Width, corrected.Width);
    }

    [CorpusFact]
    public void Analyse_OrientationNever_LeavesASidewaysPageAsScanned()
    {
        using var analyser = new PageAnalyser(new QaOptions());
        using PageBitmap page = PageBitmap.Decode(File.ReadAllBytes(Path.Combine(Tesseract, "phototest-rotated-L.png")), SourceFormat.Png);

        (PageBitmap corrected, PageQuality quality, _) = analyser.Analyse(page, 300, OrientationCheck.Never);
        using PageBitmap? owned = ReferenceEquals(corrected, page) ? null : corrected;

        Assert.Equal(0, quality.RotationDegrees);
        Assert.Equal(page.Width, corrected.Width);
    }

    [Fact]
    public void Analyse_WhitePageWithSpeckle_IsBlank()
    {
        using var analyser = new PageAnalyser(new QaOptions());
        using PageBitmap page = PageBitmap.Decode(Pgm(1240, 1754, speckles: 400, seed: 3), SourceFormat.Unknown);

        (_, PageQuality quality, IReadOnlyList<Barcode> barcodes) = analyser.Analyse(page, 150);

        Assert.True(quality.Blank, $"ink coverage {quality.InkCoverage}");
        Assert.True(quality.LowResolution);
        Assert.Empty(barcodes);
        Assert.Contains("blank", quality.Flags(), StringComparison.Ordinal);
    }

    [Fact]
    public void Analyse_DarkPage_FlaggedTooDark()
    {
        using var analyser = new PageAnalyser(new QaOptions());
        using PageBitmap page = PageBitmap.Decode(Pgm(800, 1000, speckles: 0, seed: 1, background: 60), SourceFormat.Unknown);

        (_, PageQuality quality, _) = analyser.Analyse(page, 300);

        Assert.True(quality.TooDark);
        Assert.False(quality.Blank);
    }

    [CorpusFact]
    public void Analyse_PatchCodeSheet_ReadsItsCode39AndItsBars()
    {
        using var analyser = new PageAnalyser(new QaOptions());
        byte[] tiff = File.ReadAllBytes(Path.Combine(Barcodes, "patch-code-t-middle.tiff"));
        var found = new List<(int Page, Barcode Code)>();
        for (int frame = 0; frame < 3; frame++)
        {
            using PageBitmap page = PageBitmap.Decode(tiff, SourceFormat.Tiff, frame);
            (PageBitmap corrected, _, IReadOnlyList<Barcode> codes) = analyser.Analyse(page, page.Dpi);
            if (!ReferenceEquals(corrected, page))
            {
                corrected.Dispose();
            }

            found.AddRange(codes.Select(c => (frame + 1, c)));
        }

        Assert.All(found, f => Assert.Equal(2, f.Page));
        Assert.Equal(["CODE-39:PATCHT", "PATCH:PATCHT"], found.Select(f => $"{f.Code.Symbology}:{f.Code.Value}").Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The same sheets as a bureau's scanner hands them over, bitonal (CCITT G4): ZBar reads a bitonal page from its 2x2
    /// average; a full-size grey copy read at most one of these in a run (of 154 renders, 77 pages at 300 and 200 dpi,
    /// the average read 11 more, lost none, and read nothing on the 94 barcode-free pages of the bench corpora and samples).
    /// </summary>
    [CorpusTheory]
    [InlineData("barcode-qr-custom.pdf", 1, 300, "QR-Code:CUSTOM BARCODE")]
    [InlineData("barcode-128-asn-too-large.pdf", 1, 200, "CODE-128:ASN4294967296")]
    [InlineData("split-by-tag-mixed-asn.pdf", 3, 300, "QR-Code:TAG:personal")]
    [InlineData("patch-code-t-qr.pdf", 1, 200, "QR-Code:PATCHT")]
    public void Analyse_RealBarcodeSheetScannedBitonal_ReadsItsValue(string file, int pageNumber, int dpi, string expected)
    {
        string stem = Path.Combine(Path.GetTempPath(), $"digitise-{Guid.NewGuid():N}");
        string number = pageNumber.ToString(CultureInfo.InvariantCulture);
        using (var render = System.Diagnostics.Process.Start("pdftoppm",
            ["-r", dpi.ToString(CultureInfo.InvariantCulture), "-mono", "-tiff", "-tiffcompression", "ccitt", "-singlefile", "-f", number, "-l", number, Path.Combine(Barcodes, file), stem]))
        {
            render.WaitForExit();
            Assert.Equal(0, render.ExitCode);
        }

        try
        {
            using var analyser = new PageAnalyser(new QaOptions());
            using PageBitmap page = PageBitmap.Decode(File.ReadAllBytes(stem + ".tif"), SourceFormat.Tiff);
            Assert.Equal(1, page.Depth);
            (PageBitmap corrected, _, IReadOnlyList<Barcode> codes) = analyser.Analyse(page, dpi);
            if (!ReferenceEquals(corrected, page))
            {
                corrected.Dispose();
            }

            Assert.Contains(expected, codes.Select(c => $"{c.Symbology}:{c.Value}"));
        }
        finally
        {
            File.Delete(stem + ".tif");
        }
    }

    /// <summary>paperless-ngx's real barcode sheets, rendered at 300 dpi: Code 39, Code 128 and QR values read exactly.</summary>
    [CorpusTheory]
    [InlineData("barcode-39-asn-123.pdf", "CODE-39:ASN00123")]
    [InlineData("barcode-39-custom.pdf", "CODE-39:CUSTOM BARCODE")]
    [InlineData("barcode-128-custom.pdf", "CODE-128:CUSTOM BARCODE")]
    [InlineData("barcode-qr-custom.pdf", "QR-Code:CUSTOM BARCODE")]
    public void Analyse_RealBarcodeSheet_ReadsItsValue(string file, string expected)
    {
        string png = Path.Combine(Path.GetTempPath(), $"digitise-{Guid.NewGuid():N}");
        using (var render = System.Diagnostics.Process.Start("pdftoppm", ["-r", "300", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", Path.Combine(Barcodes, file), png]))
        {
            render.WaitForExit();
            Assert.Equal(0, render.ExitCode);
        }

        try
        {
            using var analyser = new PageAnalyser(new QaOptions());
            using PageBitmap page = PageBitmap.Decode(File.ReadAllBytes(png + ".png"), SourceFormat.Png);
            (PageBitmap corrected, _, IReadOnlyList<Barcode> codes) = analyser.Analyse(page, 300);
            if (!ReferenceEquals(corrected, page))
            {
                corrected.Dispose();
            }

            Assert.Contains(expected, codes.Select(c => $"{c.Symbology}:{c.Value}"));
        }
        finally
        {
            File.Delete(png + ".png");
        }
    }

    /// <summary>
    /// paperless-ngx's real patch T sheets (Kodak bars on all four edges) with everything inside the edges erased,
    /// barcode included: the bars alone say patch T, whichever way round the sheet was fed.
    /// </summary>
    [CorpusTheory]
    [InlineData("patch-code-t-middle.tiff", 0)]
    [InlineData("patch-code-t-middle.tiff", 1)]
    [InlineData("patch-code-t-middle.tiff", 2)]
    [InlineData("patch-code-t-middle.tiff", 3)]
    [InlineData("patch-code-t-middle-alpha.tiff", 0)]
    public void PatchCodeReader_BarsOnly_ReadPatchTFromAnyFeedDirection(string file, int quarterTurns)
    {
        using PixHandle binary = Binarise(File.ReadAllBytes(Path.Combine(Barcodes, file)), frame: 1);
        int w = Leptonica.PixGetWidth(binary);
        int h = Leptonica.PixGetHeight(binary);
        using (BoxHandle inside = Leptonica.BoxCreate(w * 15 / 100, h * 15 / 100, w * 70 / 100, h * 70 / 100))
        {
            Leptonica.PixClearInRect(binary, inside);
        }

        using PixHandle turned = Leptonica.PixRotateOrth(binary, quarterTurns);

        Assert.Equal(["PATCHT"], PatchCodeReader.Read(turned, 300));
    }

    /// <summary>
    /// Tesseract is given only the part of the page that holds marks: every mark, even a single speck or a faint pencil
    /// stroke far from the text, is inside it with a tenth of an inch around, and the blank margins are not.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Analyse_ContentBox_HoldsEveryMarkAndNotTheMargins(bool bitonal)
    {
        using PageBitmap decoded = PageBitmap.Decode(BlockPage((820, 200, 0), (150, 1200, bitonal ? (byte)0 : (byte)190)), SourceFormat.Unknown);
        using PageBitmap page = bitonal ? new PageBitmap(Leptonica.PixConvertTo1(decoded.Pix, 128)) : decoded.ToGrey();
        using var analyser = new PageAnalyser(new QaOptions());

        PageAnalysis analysis = analyser.Analyse(page, 300, OrientationCheck.Never);
        using PageBitmap? owned = ReferenceEquals(analysis.Page, page) ? null : analysis.Page;

        Assert.Equal(bitonal ? 1 : 8, page.Depth);
        Assert.False(analysis.Quality.Blank);
        Assert.Same(page, analysis.Page);
        Assert.Equal(new PixelBox(150 - 30, 200 - 30, 821 - 150 + 60, 1201 - 200 + 60), analysis.Content);
    }

    /// <summary>
    /// Yellow print is light as luminance (204 by Leptonica's weights) but dark in its blue channel, which is how
    /// Tesseract sees it: a yellow word far from the rest of the page is inside the box.
    /// </summary>
    [Fact]
    public void Analyse_ColourPageWithYellowPrintFarFromTheText_ContentBoxHoldsIt()
    {
        byte[] grey = BlockPage();
        int header = grey.Length - (1000 * 1400);
        var rgb = new List<byte>(Encoding.ASCII.GetBytes("P6\n1000 1400\n255\n"));
        for (int i = 0; i < 1000 * 1400; i++)
        {
            (int x, int y) = (i % 1000, i / 1000);
            bool yellow = x is >= 100 and < 160 && y is >= 1200 and < 1220;
            byte g = grey[header + i];
            rgb.AddRange(yellow ? [255, 255, 0] : [g, g, g]);
        }

        using PageBitmap page = PageBitmap.Decode([.. rgb], SourceFormat.Unknown);
        using var analyser = new PageAnalyser(new QaOptions());

        PageAnalysis analysis = analyser.Analyse(page, 300, OrientationCheck.Never);
        using PageBitmap? owned = ReferenceEquals(analysis.Page, page) ? null : analysis.Page;

        Assert.Equal(32, page.Depth);
        // The yellow word's left and bottom edges, the block's top and its last stroke's right edge (x 692-694).
        Assert.Equal(new PixelBox(100 - 30, 400 - 30, 695 + 30 - 70, 1220 + 30 - 370), analysis.Content);
    }

    [Fact]
    public void Analyse_MarksAtTheEdgesOrCroppingOff_NoContentBox()
    {
        using PageBitmap edges = PageBitmap.Decode(BlockPage((0, 0, 0), (999, 1399, 0)), SourceFormat.Unknown);
        using PageBitmap margins = PageBitmap.Decode(BlockPage(), SourceFormat.Unknown);
        using var analyser = new PageAnalyser(new QaOptions());
        using var notCropping = new PageAnalyser(new QaOptions { CropToContent = false });

        Assert.NotNull(analyser.Analyse(margins, 300, OrientationCheck.Never).Content);
        Assert.Null(analyser.Analyse(edges, 300, OrientationCheck.Never).Content);
        Assert.Null(notCropping.Analyse(margins, 300, OrientationCheck.Never).Content);
    }

    /// <summary>A white 1000 x 1400 grey page with a block of vertical strokes (ink enough not to be blank) and single-pixel marks.</summary>
    private static byte[] BlockPage(params (int X, int Y, byte Grey)[] marks)
    {
        byte[] pgm = Pgm(1000, 1400, 0, 1);
        int header = pgm.Length - (1000 * 1400);
        for (int y = 400; y < 900; y++)
        {
            for (int x = 300; x < 700; x += 8)
            {
                pgm.AsSpan(header + (y * 1000) + x, 3).Clear();
            }
        }

        foreach ((int x, int y, byte grey) in marks)
        {
            pgm[header + (y * 1000) + x] = grey;
        }

        return pgm;
    }

    /// <summary>Text pages, an unreadable separator and pages full of QR codes or barcodes carry no patch code.</summary>
    [CorpusTheory]
    [InlineData("tesseract-test", "phototest.tif", 0)]
    [InlineData("tesseract-test", "phototest-rotated-R.png", 0)]
    [InlineData("tesseract-test", "eurotext.tif", 0)]
    [InlineData("tesseract-test", "8087_054.3B.tif", 0)]
    [InlineData("paperless/barcodes", "patch-code-t-middle.tiff", 0)]
    [InlineData("paperless/barcodes", "patch-code-t-middle.tiff", 2)]
    [InlineData("paperless/barcodes", "patch-code-t-middle-alpha.tiff", 0)]
    public void PatchCodeReader_PagesWithoutPatch_FindNone(string folder, string file, int frame)
    {
        using PixHandle binary = Binarise(File.ReadAllBytes(TestPaths.Shared(["corpora", .. folder.Split('/'), file])), frame);

        Assert.Empty(PatchCodeReader.Read(binary, 300));
    }

    private static PixHandle Binarise(byte[] data, int frame)
    {
        using PageBitmap page = PageBitmap.Decode(data, data[0] == (byte)'I' || data[0] == (byte)'M' ? SourceFormat.Tiff : SourceFormat.Png, frame);
        using PixHandle grey = Leptonica.PixConvertTo8(page.Pix, 0);
        return Leptonica.PixConvertTo1(grey, 128);
    }

    /// <summary>A binary PGM (Leptonica reads it from memory) with random dark specks.</summary>
    private static byte[] Pgm(int width, int height, int speckles, int seed, byte background = 255)
    {
        byte[] header = Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n");
        var pixels = new byte[width * height];
        Array.Fill(pixels, background);
        var random = new Random(seed);
        for (int i = 0; i < speckles; i++)
        {
            pixels[random.Next(pixels.Length)] = 0;
        }

        return [.. header, .. pixels];
    }
}
