using System.Text;
using Digitise.Domain;
using Digitise.Ocr.Imaging;

namespace Digitise.Ocr.Tests;

public sealed class PageAnalyserTests
{
    private static readonly string Tesseract = TestPaths.Shared("corpora", "tesseract-test");
    private static readonly string Barcodes = TestPaths.Shared("corpora", "paperless", "barcodes");

    [Theory]
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
        double cer = CharacterErrorRate.Compute(File.ReadAllText(Path.Combine(Tesseract, "phototest.txt")), text);
        Assert.True(cer <= 0.1, $"character error rate {cer:P1} after turning the page {quality.RotationDegrees} degrees");
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

    [Fact]
    public void Analyse_PatchCodeSheet_ReadsItsCode39()
    {
        using var analyser = new PageAnalyser(new QaOptions());
        byte[] tiff = File.ReadAllBytes(Path.Combine(Barcodes, "patch-code-t-middle.tiff"));
        var found = new List<(int Page, Barcode Code)>();
        for (int frame = 0; frame < 3; frame++)
        {
            using PageBitmap page = PageBitmap.Decode(tiff, SourceFormat.Tiff, frame);
            (PageBitmap corrected, _, IReadOnlyList<Barcode> codes) = analyser.Analyse(page, 200);
            if (!ReferenceEquals(corrected, page))
            {
                corrected.Dispose();
            }

            found.AddRange(codes.Select(c => (frame + 1, c)));
        }

        (int pageNumber, Barcode code) = Assert.Single(found);
        Assert.Equal(2, pageNumber);
        Assert.Equal("PATCHT", code.Value);
        Assert.Equal("CODE-39", code.Symbology);
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
