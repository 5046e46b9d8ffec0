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
