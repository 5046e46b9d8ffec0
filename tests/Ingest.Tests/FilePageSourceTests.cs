using Digitise.Domain;
using Digitise.Ingest.Formats;
using Digitise.Ocr;
using Digitise.Ocr.Imaging;
using Digitise.Testing;

namespace Digitise.Ingest.Tests;

public sealed class FilePageSourceTests : IDisposable
{
    private static string Tesseract => TestPaths.Shared("corpora", "tesseract-test");
    private static string OcrMyPdf => TestPaths.Shared("corpora", "ocrmypdf");
    private readonly string _temp = Directory.CreateTempSubdirectory("digitise-ingest-").FullName;
    private readonly FilePageSource _source = new(new IngestOptions());

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [CorpusTheory]
    [InlineData("tesseract-test", "phototest.tif", SourceFormat.Tiff)]
    [InlineData("ocrmypdf", "baiona.png", SourceFormat.Png)]
    [InlineData("ocrmypdf", "baiona_color.jpg", SourceFormat.Jpeg)]
    [InlineData("ocrmypdf", "multipage.pdf", SourceFormat.Pdf)]
    [InlineData("ocrmypdf", "linn.txt", SourceFormat.Unknown)]
    public void Detect_RealFiles_RecognisedByContent(string corpus, string file, SourceFormat expected)
    {
        byte[] head = File.ReadAllBytes(TestPaths.Shared("corpora", corpus, file)).AsSpan(0, 64).ToArray();

        Assert.Equal(expected, FormatSniffer.Detect(head));
    }

    [CorpusTheory]
    [InlineData(TiffCompression.G4)]
    [InlineData(TiffCompression.Lzw)]
    [InlineData(TiffCompression.None)]
    public async Task ReadPages_MultiPageTiff_YieldsEveryPageDecodable(TiffCompression compression)
    {
        byte[] png = Png(Path.Combine(Tesseract, "phototest.tif"));
        string path = Path.Combine(_temp, $"three-{compression}.tif");
        TiffWriter.Write(path, [png, png, png], compression, 300);

        List<PageItem> pages = await ReadAsync(path);

        Assert.Equal([1, 2, 3], pages.Select(p => p.PageNumber));
        Assert.All(pages, p =>
        {
            EncodedImage image = Assert.IsType<EncodedImage>(Assert.IsType<PageImage>(p).Content);
            Assert.Equal(SourceFormat.Tiff, image.Format);
            Assert.Equal(300, image.DpiHint);
            using PageBitmap bitmap = PageBitmap.Decode(image.Data.Span, image.Format, image.Frame);
            Assert.Equal(compression == TiffCompression.G4 ? 1 : 8, bitmap.Depth);
        });
    }

    [CorpusFact]
    public async Task ReadPages_TruncatedTiff_QuarantinedWithReason()
    {
        byte[] png = Png(Path.Combine(Tesseract, "phototest.tif"));
        string whole = Path.Combine(_temp, "whole.tif");
        TiffWriter.Write(whole, [png, png], TiffCompression.Lzw, 300);
        byte[] bytes = File.ReadAllBytes(whole);
        string cut = Path.Combine(_temp, "cut.tif");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        PageFailure failure = Assert.IsType<PageFailure>(Assert.Single(await ReadAsync(cut)));

        Assert.StartsWith("truncated_tiff", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(0, failure.PageNumber);
    }

    [Theory]
    [InlineData("", "empty_file")]
    [InlineData("This is a letter saved with the wrong extension.", "unsupported_format")]
    [InlineData("II*\0\u0008\0\0\0", "truncated_tiff")]
    [InlineData("%PDF-1.4\nnothing else", "corrupt_pdf")]
    public async Task ReadPages_HostileFile_QuarantinedWithPreciseReason(string content, string reason)
    {
        string path = Path.Combine(_temp, "hostile.tif");
        File.WriteAllText(path, content);

        PageFailure failure = Assert.IsType<PageFailure>(Assert.Single(await ReadAsync(path)));

        Assert.StartsWith(reason, failure.Reason, StringComparison.Ordinal);
    }

    [CorpusFact]
    public async Task ReadPages_PngWithExtensionJpg_ReadAsPng()
    {
        string path = Path.Combine(_temp, "mislabelled.jpg");
        File.Copy(Path.Combine(OcrMyPdf, "baiona.png"), path);

        PageImage page = Assert.IsType<PageImage>(Assert.Single(await ReadAsync(path)));

        Assert.Equal(SourceFormat.Png, Assert.IsType<EncodedImage>(page.Content).Format);
    }

    [CorpusFact]
    public async Task ReadPages_CcittPdf_HandsOverTheScanLosslessly()
    {
        PageImage page = Assert.IsType<PageImage>(Assert.Single(await ReadAsync(Path.Combine(OcrMyPdf, "ccitt.pdf"))));

        EncodedImage image = Assert.IsType<EncodedImage>(page.Content);
        Assert.Equal(SourceFormat.Png, image.Format);
        Assert.Equal(300, image.DpiHint);
        using PageBitmap bitmap = PageBitmap.Decode(image.Data.Span, image.Format);
        Assert.Equal((2550, 3300), (bitmap.Width, bitmap.Height));
    }

    [CorpusFact]
    public async Task ReadPages_JpegPdf_PassesJpegBytesThroughUntouched()
    {
        List<PageItem> pages = await ReadAsync(Path.Combine(OcrMyPdf, "multipage.pdf"));

        Assert.Equal(6, pages.Count);
        Assert.Equal(Enumerable.Range(1, 6), pages.Select(p => p.PageNumber));
        EncodedImage first = Assert.IsType<EncodedImage>(Assert.IsType<PageImage>(pages[0]).Content);
        Assert.Equal(SourceFormat.Jpeg, first.Format);
        Assert.Equal(0xFF, first.Data.Span[0]);
    }

    [CorpusFact]
    public async Task ReadPages_PdfWithTextLayer_UsesTheText()
    {
        PageImage page = Assert.IsType<PageImage>(Assert.Single(await ReadAsync(Path.Combine(OcrMyPdf, "cmyk.pdf"))));

        TextLayer layer = Assert.IsType<TextLayer>(page.Content);
        Assert.NotEmpty(layer.Words);
        Assert.All(layer.Words, w => Assert.InRange(w.Box.Top, 0, layer.HeightPx));
    }

    [CorpusFact]
    public async Task ReadPages_Jbig2Pdf_RasterisedByPoppler()
    {
        string path = Path.Combine(_temp, "jbig2-only.pdf");
        File.Copy(Path.Combine(OcrMyPdf, "jbig2.pdf"), path);

        PageImage page = Assert.IsType<PageImage>(Assert.Single(await ReadAsync(path)));

        EncodedImage image = Assert.IsType<EncodedImage>(page.Content);
        using PageBitmap bitmap = PageBitmap.Decode(image.Data.Span, image.Format);
        Assert.InRange(bitmap.Width, 2500, 2600);
    }

    [Fact]
    public async Task Discover_Folder_FindsFilesRecursivelyInOrderWithHashes()
    {
        Directory.CreateDirectory(Path.Combine(_temp, "b", "c"));
        File.WriteAllText(Path.Combine(_temp, "b", "c", "2.txt"), "two");
        File.WriteAllText(Path.Combine(_temp, "a.txt"), "one");

        var found = new List<DiscoveredSource>();
        await foreach (DiscoveredSource s in new SourceDiscovery().DiscoverAsync([_temp], CancellationToken.None))
        {
            found.Add(s);
        }

        Assert.Equal([Path.Combine(_temp, "a.txt"), Path.Combine(_temp, "b", "c", "2.txt")], found.Select(f => f.File.FullPath));
        Assert.All(found, f => Assert.Null(f.Failure));
        // SHA-256 of "one"
        Assert.Equal("7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed", found[0].File.Sha256);
    }

    [Fact]
    public async Task Discover_MissingInput_ReportedNotSkipped()
    {
        var found = new List<DiscoveredSource>();
        await foreach (DiscoveredSource s in new SourceDiscovery().DiscoverAsync([Path.Combine(_temp, "nope")], CancellationToken.None))
        {
            found.Add(s);
        }

        Assert.StartsWith("not_found", Assert.Single(found).Failure, StringComparison.Ordinal);
    }

    private async Task<List<PageItem>> ReadAsync(string path)
    {
        var file = new SourceFile(path, Path.GetFileName(path), "0000000000000000", new FileInfo(path).Length);
        var pages = new List<PageItem>();
        await foreach (PageItem page in _source.ReadPagesAsync(file, CancellationToken.None))
        {
            pages.Add(page);
        }

        return pages;
    }

    private static byte[] Png(string tiff)
    {
        using PageBitmap bitmap = PageBitmap.Decode(File.ReadAllBytes(tiff), SourceFormat.Tiff);
        return bitmap.ToPng();
    }
}
