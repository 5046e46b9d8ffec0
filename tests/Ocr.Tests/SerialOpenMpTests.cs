using Digitise.Domain;
using Digitise.Ocr.Interop;
using Digitise.Testing;

namespace Digitise.Ocr.Tests;

/// <summary>
/// The serial OpenMP runtime (src/Ocr/Native/serialomp.c): Tesseract in this process binds to it, and it reads every page
/// exactly as Debian's libgomp does with one thread.
/// </summary>
public sealed class SerialOpenMpTests
{
    private static string Corpus => TestPaths.Shared("corpora", "tesseract-test");

    private static string Library => Path.Combine(AppContext.BaseDirectory, Libraries.SerialOpenMpFile);

    /// <summary>
    /// After a page is OCRed on this thread, the serial runtime has run Tesseract's parallel regions on it: the dynamic linker
    /// bound libtesseract's OpenMP calls to it, not to libgomp (its region count would stay at zero).
    /// </summary>
    [CorpusFact]
    public void Recognise_RunsTesseractsParallelRegionsOnTheSerialRuntime()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        Assert.Equal("serial", Libraries.OpenMpRuntime);
        long before = Assert.NotNull(Libraries.SerialOpenMpRegions);

        OcrResult result = engine.Recognise(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff);

        Assert.Contains("quick brown dog", result.Text, StringComparison.Ordinal);
        long regions = Assert.NotNull(Libraries.SerialOpenMpRegions) - before;
        Assert.True(regions > 100, $"{regions} parallel regions ran on the serial runtime for a page of text");
        Assert.Contains(OcrPrerequisites.Check(new OcrOptions()), s => s.Component == "OpenMP runtime" && s.Found);
    }

    /// <summary>
    /// Debian's own <c>tesseract</c> program, once on libgomp (one thread) and once with the serial runtime preloaded, reads
    /// the real test pages to the same text; the dynamic linker's log shows the second run bound GOMP_parallel to it.
    /// </summary>
    [CorpusTheory]
    [InlineData("phototest.tif")]
    [InlineData("eurotext.tif")]
    [InlineData("8087_054.3B.tif")]
    public void TesseractProgram_ReadsTheSameTextOnBothRuntimes(string page)
    {
        Assert.True(File.Exists(Library), $"{Library} was not built (gcc missing? scripts/setup installs it)");
        string image = Path.Combine(Corpus, page);

        (string onLibgomp, _) = NativeTools.Tesseract(image, new() { ["OMP_THREAD_LIMIT"] = "1" });
        (string onSerial, string bindings) = NativeTools.Tesseract(image, new() { ["LD_PRELOAD"] = Library, ["LD_DEBUG"] = "bindings" });

        Assert.Contains($"to {Library} [0]: normal symbol `GOMP_parallel' [GOMP_4.0]", bindings, StringComparison.Ordinal);
        Assert.Contains($"to {Library} [0]: normal symbol `GOMP_parallel_sections' [GOMP_4.0]", bindings, StringComparison.Ordinal);
        Assert.True(onLibgomp.Length > 200, $"tesseract read only {onLibgomp.Length} characters of {page}");
        Assert.Equal(onLibgomp, onSerial);
    }

    /// <summary>
    /// libtesseract imports exactly the OpenMP functions the serial runtime defines: a Tesseract that imported one more
    /// (a barrier, a lock) would take it from libgomp while the rest ran here, two runtimes with one team between them.
    /// </summary>
    [Fact]
    public void Libtesseract_ImportsOnlyTheOpenMpFunctionsTheSerialRuntimeDefines()
    {
        string[] imported = OpenMpSymbols("--undefined-only", "/usr/lib/x86_64-linux-gnu/" + Libraries.TesseractSoname);
        string[] defined = OpenMpSymbols("--defined-only", Library);

        Assert.Contains("GOMP_parallel", imported);
        Assert.Empty(imported.Except(defined, StringComparer.Ordinal));
    }

    private static string[] OpenMpSymbols(string which, string library) =>
        [.. NativeTools.Symbols(which, library).Where(name => name.StartsWith("GOMP_", StringComparison.Ordinal) || name.StartsWith("omp_", StringComparison.Ordinal))];
}
