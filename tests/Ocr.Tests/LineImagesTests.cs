using Digitise.Domain;
using Digitise.Ocr.Interop;
using Digitise.Testing;

namespace Digitise.Ocr.Tests;

/// <summary>
/// The line images library (src/Ocr/Native/lineimages.c): Tesseract in this process keeps each text line's image in
/// memory instead of encoding it as PNG and decoding it again, and reads every page to exactly the text it reads with the
/// PNG round trip.
/// </summary>
public sealed class LineImagesTests
{
    private static string Corpus => TestPaths.Shared("corpora", "tesseract-test");

    private static string Library => Path.Combine(AppContext.BaseDirectory, Libraries.LineImagesFile);

    /// <summary>
    /// After a page is OCRed, Tesseract's line images went through the library: the dynamic linker bound libtesseract's
    /// pixWriteMem to it, not to Leptonica's (its count would stay at zero).
    /// </summary>
    [CorpusFact]
    public void Recognise_KeepsTesseractsLineImagesInMemory()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        Assert.Equal(Libraries.LineImagesInMemory, Libraries.LineImages);
        long before = Assert.NotNull(Libraries.LineImagesKeptInMemory);

        OcrResult result = engine.Recognise(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff);

        Assert.Contains("quick brown dog", result.Text, StringComparison.Ordinal);
        long kept = Assert.NotNull(Libraries.LineImagesKeptInMemory) - before;
        Assert.True(kept >= 6, $"{kept} line images were kept in memory for a page of six lines of text");
        Assert.Contains(OcrPrerequisites.Check(new OcrOptions()), s => s.Component == "Tesseract line images" && s.Found);
    }

    /// <summary>
    /// Leptonica's own pixWriteMem still serves every other caller: this process's PNG page images (called straight into
    /// liblept, as every Digitise call is) are real PNG files, not the serialised form Tesseract's line images get.
    /// </summary>
    [CorpusFact]
    public void PageImages_AreStillPng()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        _ = engine.Recognise(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff);
        using var page = Imaging.PageBitmap.Decode(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff, 0);

        byte[] png = page.ToPng();

        Assert.Equal((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    /// <summary>
    /// Debian's own <c>tesseract</c> program, once as shipped and once with the library preloaded, reads the real test pages
    /// to the same text; the dynamic linker's log shows the second run bound libtesseract's pixWriteMem to the library.
    /// </summary>
    [CorpusTheory]
    [InlineData("phototest.tif")]
    [InlineData("eurotext.tif")]
    [InlineData("8087_054.3B.tif")]
    public void TesseractProgram_ReadsTheSameTextWithLineImagesInMemory(string page)
    {
        Assert.True(File.Exists(Library), $"{Library} was not built (gcc missing? scripts/setup installs it)");
        string image = Path.Combine(Corpus, page);

        (string asShipped, _) = Tesseract(image, new() { ["OMP_THREAD_LIMIT"] = "1" });
        (string inMemory, string bindings) = Tesseract(image, new() { ["OMP_THREAD_LIMIT"] = "1", ["LD_PRELOAD"] = Library, ["LD_DEBUG"] = "bindings" });

        Assert.Contains($"libtesseract.so.5 [0] to {Library} [0]: normal symbol `pixWriteMem'", bindings, StringComparison.Ordinal);
        Assert.True(asShipped.Length > 200, $"tesseract read only {asShipped.Length} characters of {page}");
        Assert.Equal(asShipped, inMemory);
    }

    /// <summary>
    /// libtesseract writes its line images with pixWriteMem and reads them back with pixReadMem, which recognises
    /// Leptonica's serialised form by its header: were either import to change (a direct call to pixWriteMemPng, say),
    /// the library would stop binding or Tesseract could not read what it wrote.
    /// </summary>
    [Fact]
    public void Libtesseract_WritesAndReadsLineImagesThroughTheFunctionsTheLibraryReliesOn()
    {
        string[] imported = Symbols("--undefined-only", "/usr/lib/x86_64-linux-gnu/" + Libraries.TesseractSoname);
        string[] defined = Symbols("--defined-only", Library);

        Assert.Contains("pixWriteMem", imported);
        Assert.Contains("pixReadMem", imported);
        Assert.DoesNotContain("pixWriteMemPng", imported);
        Assert.Equal(["digitise_line_images_ready", "digitise_line_images_spix", "pixWriteMem"], defined.Order(StringComparer.Ordinal));
    }

    private static string[] Symbols(string which, string library)
    {
        Assert.True(File.Exists(library), $"{library} is missing");
        (int code, string output, string error) = Tool.Run("nm", ["-D", which, library]);
        Assert.True(code == 0, $"nm {library} exited {code}: {error}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Split('@')[0])
            .Where(name => name.StartsWith("pix", StringComparison.Ordinal) || name.StartsWith("digitise_", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)];
    }

    private static (string Stdout, string Stderr) Tesseract(string image, Dictionary<string, string> environment)
    {
        (int code, string stdout, string stderr) = Tool.Run("tesseract", [image, "stdout", "--psm", "3"], environment);
        Assert.True(code == 0, $"tesseract {image} exited {code}: {stderr}");
        return (stdout, stderr);
    }
}
