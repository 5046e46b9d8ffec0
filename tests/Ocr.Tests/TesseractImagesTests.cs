using System.Runtime.InteropServices;
using System.Text;
using Digitise.Domain;
using Digitise.Ocr.Interop;
using Digitise.Testing;

namespace Digitise.Ocr.Tests;

/// <summary>
/// The library serving two of Tesseract's Leptonica calls faster (src/Ocr/Native/tessimages.c): Tesseract in this process
/// binds to it, its line finder's openings and closings are bit for bit Leptonica's, and it reads every page to exactly
/// the text it reads as Debian ships it.
/// </summary>
public sealed class TesseractImagesTests
{
    private static string Corpus => TestPaths.Shared("corpora", "tesseract-test");

    private static string Library => Path.Combine(AppContext.BaseDirectory, Libraries.TesseractImagesFile);

    /// <summary>
    /// The brick sizes Tesseract's line finder asks for at 72, 200, 300, 400 and 600 dpi (closing resolution / 60,
    /// opening resolution / 20 square, lines resolution / 4), and lengths around and beyond the DWA's own.
    /// </summary>
    public static TheoryData<int, int> Bricks => new()
    {
        { 1, 18 }, { 18, 1 }, { 3, 3 }, { 10, 10 }, { 1, 50 }, { 50, 1 }, { 5, 5 }, { 15, 15 }, { 1, 75 }, { 75, 1 },
        { 6, 6 }, { 20, 20 }, { 1, 100 }, { 100, 1 }, { 30, 30 }, { 1, 150 }, { 150, 1 }, { 2, 2 }, { 16, 1 }, { 1, 17 },
        { 1, 52 }, { 63, 1 }, { 7, 64 }, { 49, 49 }, { 1, 131 },
    };

    /// <summary>
    /// After a page is OCRed, Tesseract's line images went through the library and so did its line finder's bricks: the
    /// dynamic linker bound libtesseract's pixWriteMem and pixOpenBrick to it, not to Leptonica's (the counts would stay at zero).
    /// </summary>
    [CorpusFact]
    public void Recognise_ServesTesseractsLeptonicaCallsThroughTheLibrary()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        Assert.Equal(Libraries.TesseractImagesFaster, Libraries.TesseractImages);
        long linesBefore = Assert.NotNull(Libraries.LineImagesInMemory);
        long bricksBefore = Assert.NotNull(Libraries.BricksByDwa);

        OcrResult result = engine.Recognise(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff);

        Assert.Contains("quick brown dog", result.Text, StringComparison.Ordinal);
        long lines = Assert.NotNull(Libraries.LineImagesInMemory) - linesBefore;
        long bricks = Assert.NotNull(Libraries.BricksByDwa) - bricksBefore;
        Assert.True(lines >= 6, $"{lines} line images were kept in memory for a page of six lines of text");
        Assert.True(bricks >= 4, $"{bricks} of the line finder's openings and closings were done by DWA (it asks for four)");
        Assert.Contains(OcrPrerequisites.Check(new OcrOptions()), s => s.Component == "Tesseract images" && s.Found);
    }

    /// <summary>
    /// The library's pixWriteMem, called from outside libtesseract (here, from managed code), hands a PNG request to
    /// Leptonica: a real PNG comes back and no line image is counted. (Were the caller check always true, this would get
    /// Leptonica's serialised form.)
    /// </summary>
    [CorpusFact]
    public unsafe void PixWriteMem_CalledFromOutsideTesseract_WritesPng()
    {
        using var engine = new TesseractEngine(new OcrOptions());
        using var page = Imaging.PageBitmap.Decode(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")), SourceFormat.Tiff, 0);
        var write = (delegate* unmanaged<IntPtr*, nuint*, IntPtr, int, int>)NativeLibrary.GetExport(NativeLibrary.Load(Library), "pixWriteMem");
        long before = Assert.NotNull(Libraries.LineImagesInMemory);
        IntPtr data;
        nuint size;

        Assert.Equal(0, write(&data, &size, page.Pix.DangerousGetHandle(), Leptonica.IFF_PNG));

        byte[] written = new ReadOnlySpan<byte>((void*)data, checked((int)size)).ToArray();
        Leptonica.LeptFree(data);
        Assert.Equal((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G'], written[..4]);
        Assert.Equal(before, Libraries.LineImagesInMemory);
    }

    /// <summary>
    /// The DWA chain opens and closes real pages (thresholded as Tesseract sees them) exactly as Leptonica's rasterop
    /// version does, pixel for pixel, for every brick size Tesseract's line finder uses at common resolutions and more.
    /// </summary>
    [CorpusTheory]
    [MemberData(nameof(Bricks))]
    public void BrickByDwa_RealPages_EqualsLeptonicasRasterop(int hsize, int vsize)
    {
        foreach (string page in (string[])["phototest.tif", "eurotext.tif", "8087_054.3B.tif"])
        {
            using PixHandle source = ReadPage(File.ReadAllBytes(Path.Combine(Corpus, page)));
            AssertSameAsLeptonica(source, hsize, vsize, page);
        }
    }

    /// <summary>
    /// The same on random images (noise of every density with lines running into the edges): where a page's borders
    /// decide the result, which real pages with white margins seldom test.
    /// </summary>
    [Theory]
    [MemberData(nameof(Bricks))]
    public void BrickByDwa_RandomImages_EqualsLeptonicasRasterop(int hsize, int vsize)
    {
        var random = new Random(hsize * 1000 + vsize);
        for (int image = 0; image < 12; image++)
        {
            using PixHandle source = ReadPage(RandomBitmap(random, 40 + random.Next(260), 40 + random.Next(260)));
            AssertSameAsLeptonica(source, hsize, vsize, $"random image {image}");
        }
    }

    /// <summary>
    /// Every chain is made of lengths Leptonica's DWA does itself (others fall back to a composite that is not exact),
    /// adds up to the line asked for, and keeps its origin where Leptonica puts a brick's (length / 2).
    /// </summary>
    [Fact]
    public void BrickChain_DirectLengthsAddingUpToTheLineAndItsOrigin()
    {
        int[] direct = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 25, 30, 31, 35, 40, 41, 45, 50, 51];
        for (int length = 2; length <= 400; length++)
        {
            int[]? chain = Libraries.BrickChain(length);
            Assert.True(chain is not null, $"no chain for a line of {length}");

            Assert.All(chain, part => Assert.Contains(part, direct));
            Assert.Equal(length, chain.Sum() - (chain.Length - 1));
            Assert.Equal(length / 2, chain.Sum(part => part / 2));
        }

        Assert.Equal(0, Libraries.BrickChain(1)?.Length);
        Assert.Null(Libraries.BrickChain(0));
        Assert.Null(Libraries.BrickChain(-3));
    }

    /// <summary>
    /// Debian's own <c>tesseract</c> program, once as shipped and once with the library preloaded, reads real pages (bitonal
    /// scans, and a grey and a colour photograph, whose line images are grey) to the same text; the dynamic linker's log shows the second run bound libtesseract's calls to the library.
    /// </summary>
    [CorpusTheory]
    [InlineData("tesseract-test", "phototest.tif", 200)]
    [InlineData("tesseract-test", "eurotext.tif", 200)]
    [InlineData("tesseract-test", "8087_054.3B.tif", 200)]
    [InlineData("ocrmypdf", "baiona_gray.png", 50)]
    [InlineData("ocrmypdf", "baiona_color.jpg", 50)]
    public void TesseractProgram_ReadsTheSameTextWithTheLibrary(string corpus, string page, int atLeast)
    {
        Assert.True(File.Exists(Library), $"{Library} was not built (gcc missing? scripts/setup installs it)");
        string image = TestPaths.Shared("corpora", corpus, page);

        (string asShipped, _) = NativeTools.Tesseract(image, new() { ["OMP_THREAD_LIMIT"] = "1" });
        (string faster, string bindings) = NativeTools.Tesseract(image, new() { ["OMP_THREAD_LIMIT"] = "1", ["LD_PRELOAD"] = Library, ["LD_DEBUG"] = "bindings" });

        Assert.Contains($"libtesseract.so.5 [0] to {Library} [0]: normal symbol `pixWriteMem'", bindings, StringComparison.Ordinal);
        Assert.Contains($"libtesseract.so.5 [0] to {Library} [0]: normal symbol `pixOpenBrick'", bindings, StringComparison.Ordinal);
        Assert.Contains($"libtesseract.so.5 [0] to {Library} [0]: normal symbol `pixCloseBrick'", bindings, StringComparison.Ordinal);
        Assert.True(asShipped.Length > atLeast, $"tesseract read only {asShipped.Length} characters of {page}");
        Assert.Equal(asShipped, faster);
    }

    /// <summary>
    /// libtesseract writes its line images with pixWriteMem, reads them back with pixReadMem (which recognises Leptonica's
    /// serialised form by its header) and finds lines with pixOpenBrick and pixCloseBrick: were an import to change (a
    /// direct call to pixWriteMemPng, say), the library would stop binding there. It defines only what it serves.
    /// </summary>
    [Fact]
    public void Libtesseract_CallsTheFunctionsTheLibraryServes()
    {
        string[] imported = NativeTools.Symbols("--undefined-only", "/usr/lib/x86_64-linux-gnu/" + Libraries.TesseractSoname);
        string[] defined = NativeTools.Symbols("--defined-only", Library);

        Assert.Contains("pixWriteMem", imported);
        Assert.Contains("pixReadMem", imported);
        Assert.Contains("pixOpenBrick", imported);
        Assert.Contains("pixCloseBrick", imported);
        Assert.DoesNotContain("pixWriteMemPng", imported);
        Assert.Equal(["pixCloseBrick", "pixOpenBrick", "pixWriteMem"], defined.Where(name => name.StartsWith("pix", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    private static void AssertSameAsLeptonica(PixHandle source, int hsize, int vsize, string what)
    {
        foreach (bool closing in (bool[])[false, true])
        {
            using PixHandle leptonica = closing ? Leptonica.PixCloseBrick(IntPtr.Zero, source, hsize, vsize) : Leptonica.PixOpenBrick(IntPtr.Zero, source, hsize, vsize);
            using PixHandle dwa = Libraries.BrickByDwa(source, hsize, vsize, closing);
            Assert.False(leptonica.IsInvalid || dwa.IsInvalid, $"{what}: no result for {hsize}x{vsize}");

            Assert.Equal(0, Leptonica.PixEqual(leptonica, dwa, out int same));
            Assert.True(same == 1, $"{what}: {(closing ? "closing" : "opening")} by {hsize}x{vsize} differs from Leptonica's");
        }
    }

    /// <summary>
    /// A brick with a side under 1 is not done by the chain (Leptonica's own function refuses it with an error), nor is a
    /// page that is not 1 bpp: both go to Leptonica.
    /// </summary>
    [CorpusFact]
    public void BrickByDwa_NoSideOrNotBitonal_LeftToLeptonica()
    {
        using PixHandle page = ReadPage(File.ReadAllBytes(Path.Combine(Corpus, "phototest.tif")));
        using PixHandle grey = Leptonica.PixConvertTo8(page, 0);

        using PixHandle noSide = Libraries.BrickByDwa(page, 0, 5, closing: false);
        using PixHandle notBitonal = Libraries.BrickByDwa(grey, 5, 5, closing: true);

        Assert.True(noSide.IsInvalid);
        Assert.True(notBitonal.IsInvalid);
    }

    /// <summary>A page as Tesseract's line finder gets it: 1 bpp (grey or colour thresholded at the middle).</summary>
    private static unsafe PixHandle ReadPage(byte[] file)
    {
        Libraries.EnsureRegistered();
        fixed (byte* data = file)
        {
            using PixHandle pix = Leptonica.PixReadMem(data, (nuint)file.Length);
            Assert.False(pix.IsInvalid);
            return Leptonica.PixGetDepth(pix) == 1 ? Leptonica.PixClone(pix) : Leptonica.PixConvertTo1(pix, 128);
        }
    }

    /// <summary>A binary PBM of random density, with vertical and horizontal lines that run into its edges.</summary>
    private static byte[] RandomBitmap(Random random, int width, int height)
    {
        int stride = (width + 7) / 8;
        var bits = new byte[stride * height];
        int density = random.Next(70);
        void Set(int x, int y) => bits[y * stride + x / 8] |= (byte)(0x80 >> (x % 8));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (random.Next(100) < density)
                {
                    Set(x, y);
                }
            }
        }

        for (int line = 0; line < 6; line++)
        {
            int column = random.Next(width), row = random.Next(height);
            for (int y = random.Next(2) == 0 ? 0 : random.Next(height); y < height; y++)
            {
                Set(column, y);
            }

            for (int x = 0, end = random.Next(width); x <= end; x++)
            {
                Set(x, row);
            }
        }

        // Leptonica's PNM reader skips whitespace and comments after the header, so the raster may not start with either.
        bits[0] |= 0x80;
        byte[] header = Encoding.ASCII.GetBytes($"P4\n{width} {height}\n");
        return [.. header, .. bits];
    }
}
