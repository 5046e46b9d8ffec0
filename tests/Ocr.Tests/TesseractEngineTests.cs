using Digitise.Benchmarks;
using Digitise.Domain;
using Digitise.Ocr;
using Digitise.Testing;

namespace Digitise.Ocr.Tests;

public sealed class TesseractEngineTests
{
    private static string Corpus => TestPaths.Shared("corpora", "tesseract-test");

    [CorpusFact]
    public void Recognise_PhototestTiff_MatchesGroundTruthWithinTolerance()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        byte[] image = File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif"));

        OcrResult result = engine.Recognise(image, SourceFormat.Tiff);

        string truth = File.ReadAllText(Path.Combine(Corpus, "phototest.txt"));
        double cer = CharacterErrorRate.Of(result.Text, truth);
        Assert.True(cer <= 0.05, $"character error rate {cer:P1} exceeds 5%");
        Assert.NotEmpty(result.Words);
        Assert.All(result.Words, w =>
        {
            Assert.InRange(w.Confidence, 0f, 100f);
            Assert.True(w.Box.Width > 0 && w.Box.Height > 0);
            Assert.InRange(w.Box.Right, 1, result.WidthPx);
            Assert.InRange(w.Box.Bottom, 1, result.HeightPx);
        });
        Assert.True(result.MeanConfidence > 80f, $"mean confidence {result.MeanConfidence}");
    }

    [CorpusFact]
    public void Recognise_SameEngineReused_GivesSameTextEachTime()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        byte[] image = File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif"));

        string first = engine.Recognise(image, SourceFormat.Tiff).Text;
        string second = engine.Recognise(image, SourceFormat.Tiff).Text;

        Assert.Equal(first, second);
        Assert.Contains("quick brown dog", first, StringComparison.Ordinal);
    }

    /// <summary>Given only the part of the page that holds marks, Tesseract reads the same words, and their boxes still refer to the whole page.</summary>
    [CorpusFact]
    public void Recognise_ContentRegion_SameWordsWithBoxesOnTheWholePage()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        using var analyser = new Imaging.PageAnalyser(new QaOptions());
        using Imaging.PageBitmap page = Imaging.PageBitmap.Decode(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff);
        Imaging.PageAnalysis analysis = analyser.Analyse(page, 300, Imaging.OrientationCheck.Never);
        using Imaging.PageBitmap? owned = ReferenceEquals(analysis.Page, page) ? null : analysis.Page;
        PixelBox region = Assert.NotNull(analysis.Content);

        OcrResult whole = engine.Recognise(analysis.Page, 300);
        OcrResult cropped = engine.Recognise(analysis.Page, 300, region);

        Assert.True(region.Top > 20 && region.Bottom < whole.HeightPx - 20, $"region {region} leaves no margin out");
        Assert.Equal(whole.Text, cropped.Text);
        Assert.Equal((whole.WidthPx, whole.HeightPx), (cropped.WidthPx, cropped.HeightPx));
        Assert.Equal(whole.Words.Select(w => w.Box), cropped.Words.Select(w => w.Box));
        Assert.All(cropped.Words, w => Assert.True(w.Box.Left >= region.Left && w.Box.Top >= region.Top, $"{w.Text} at {w.Box} outside {region}"));

        // Half the region: only the words in it are read, where they are on the page.
        PixelBox upper = region with { Height = region.Height / 2 };
        OcrResult half = engine.Recognise(analysis.Page, 300, upper);
        Assert.InRange(half.Words.Count, 1, whole.Words.Count - 1);
        Assert.All(half.Words, w => Assert.True(w.Box.Top >= upper.Top && w.Box.Bottom <= upper.Bottom + 2, $"{w.Text} at {w.Box} outside {upper}"));
        Assert.Equal(whole.Words.Where(w => w.LineIndex == 0).Select(w => (w.Text, w.Box)), half.Words.Where(w => w.LineIndex == 0).Select(w => (w.Text, w.Box)));
    }

    /// <summary>
    /// The part is clipped from the page before Tesseract sees it: named to Tesseract as a rectangle
    /// (TessBaseAPISetRectangle), all but the bottom 61 rows of this bitonal letter read 35% of characters wrong.
    /// </summary>
    [Fact]
    public void Recognise_ContentRegionOfABitonalLetter_ReadsAsTheWholePage()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        using var analyser = new Imaging.PageAnalyser(new QaOptions());
        using Imaging.PageBitmap page = Imaging.PageBitmap.Decode(File.ReadAllBytes(TestPaths.Repository("samples", "batch", "doc-0001.tif")), SourceFormat.Tiff);
        Imaging.PageAnalysis analysis = analyser.Analyse(page, 300, Imaging.OrientationCheck.Never);
        using Imaging.PageBitmap? owned = ReferenceEquals(analysis.Page, page) ? null : analysis.Page;

        OcrResult whole = engine.Recognise(analysis.Page, 300);
        OcrResult part = engine.Recognise(analysis.Page, 300, Assert.NotNull(analysis.Content));

        Assert.Equal(1, page.Depth);
        double cer = CharacterErrorRate.Of(part.Text, whole.Text);
        Assert.True(cer <= 0.01, $"the page's marked part reads {cer:P1} unlike the whole page");
        Assert.Contains("3262723444", part.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 0, 10, 10)]
    [InlineData(0, 0, 0, 10)]
    [InlineData(600, 400, 41, 10)]
    [InlineData(600, 400, 10, 81)]
    public void Recognise_RegionNotInsideThePage_Throws(int left, int top, int width, int height)
    {
        using var engine = new TesseractEngine(new OcrOptions());
        byte[] white = [.. "P5\n640 480\n255\n"u8, .. Enumerable.Repeat((byte)255, 640 * 480)];
        using Imaging.PageBitmap page = Imaging.PageBitmap.Decode(white, SourceFormat.Unknown);

        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Recognise(page, 300, new PixelBox(left, top, width, height)));
    }

    [CorpusFact]
    public void Recognise_WordBoxes_PointAtTheirWords()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        OcrResult result = engine.Recognise(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff);

        // Lines are in reading order: the first word of each later line is lower on the page.
        int[] lineTops = result.Words.GroupBy(w => w.LineIndex).OrderBy(g => g.Key).Select(g => g.First().Box.Top).ToArray();
        Assert.True(lineTops.Length >= 5);
        Assert.Equal(lineTops.OrderBy(t => t), lineTops);
        Assert.Equal(result.Text.Split('\n').Length, lineTops.Length);
    }

    [Fact]
    public void Recognise_GarbageBytes_ThrowsInvalidData()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        byte[] garbage = "II*\0 this is not really a tiff"u8.ToArray();

        Assert.Throws<InvalidDataException>(() => engine.Recognise(garbage, SourceFormat.Tiff));
    }

    [Fact]
    public void Constructor_MissingLanguageData_NamesTheFileToInstall()
    {
        var options = new OcrOptions { Language = "xyz", TessdataPath = Path.GetTempPath() };

        var ex = Assert.Throws<OcrUnavailableException>(() => new TesseractEngine(options));

        Assert.Contains("xyz.traineddata", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_InstalledLibraries_ReportsVersions()
    {
        string versions = TesseractEngine.Probe(new OcrOptions());

        Assert.Contains("tesseract 5", versions, StringComparison.Ordinal);
        Assert.Contains("leptonica", versions, StringComparison.Ordinal);
    }
}
