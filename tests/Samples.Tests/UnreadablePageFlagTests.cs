using System.Threading.Channels;
using Digitise.Domain;
using Digitise.Ocr;

namespace Digitise.Samples.Tests;

/// <summary>
/// The OCR stage's unreadable-page flag on generated handwritten notes and poor scans (flagged) and typed pages (not
/// flagged), through the real stage and Tesseract. Kept small (nine pages): precision and recall over a larger set are
/// measured by <c>digitise-bench readability</c> and reported by <c>scripts/bench</c>.
/// </summary>
public sealed class UnreadablePageFlagTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "digitise-unreadable-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task OcrStage_HandwrittenAndPoorScans_FlaggedUnreadableAndTypedPagesNot()
    {
        IReadOnlyList<ReadabilityPage> samples = ReadabilitySamples.Generate(_directory, typed: 3, handwritten: 4, poor: 2, seed: 11);

        var input = Channel.CreateUnbounded<PageItem>();
        var output = Channel.CreateUnbounded<PageItem>();
        foreach (ReadabilityPage sample in samples)
        {
            byte[] png = await File.ReadAllBytesAsync(sample.File);
            var source = new SourceFile(sample.File, Path.GetFileName(sample.File), new string('0', 64), png.Length);
            await input.Writer.WriteAsync(new PageImage(source, 1, 1, new EncodedImage(png, SourceFormat.Png, 0, sample.Dpi)));
        }

        input.Writer.Complete();
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = false });
        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        var flagged = new Dictionary<string, bool>(StringComparer.Ordinal);
        await foreach (PageItem item in output.Reader.ReadAllAsync())
        {
            PageText page = Assert.IsType<PageText>(item);
            flagged[page.Source.FullPath] = page.Quality?.Unreadable == true;
        }

        Assert.Equal(samples.Count, flagged.Count);
        foreach (ReadabilityPage sample in samples)
        {
            Assert.True(flagged[sample.File] == (sample.Kind != ReadabilityKind.Typed), $"{Path.GetFileName(sample.File)} ({sample.Kind}) flagged {flagged[sample.File]}");
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
