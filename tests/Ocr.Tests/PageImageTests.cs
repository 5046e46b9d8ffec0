using System.Text;
using Digitise.Domain;
using Digitise.Formats;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Tests;

/// <summary>
/// What is kept of each page is what README and <c>Sources</c> say: lossless G4 TIFF for bitonal pages and PNG for grey pages
/// (evidence under BS 10008 must be exactly what is stated), JPEG only for colour and for grey pages whose source already
/// was JPEG; and the searchable PDF shows each of them as it is.
/// </summary>
public sealed class PageImageTests
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void ToPageImage_GreyPage_IsPngWithEveryPixelKept()
    {
        using PageBitmap page = PageBitmap.Decode(Pnm('5', 700, 900, (x, y) => [(byte)((x * 7 + y * 3 + (x * y % 13)) & 0xFF)]), SourceFormat.Unknown);
        Assert.Equal(8, page.Depth);

        AssertKeptAsPngWithEveryPixel(page);
    }

    [Fact]
    public void ToPageImage_BitonalPage_IsG4TiffWithEveryPixelKept()
    {
        using PageBitmap page = Bitonal();
        Assert.Equal(1, page.Depth);

        AssertKeptAsG4WithEveryPixel(page.ToPageImage(), page);
    }

    /// <summary>
    /// A bitonal page image goes into the searchable PDF as its fax data (CCITTFaxDecode), black where the page is black:
    /// poppler renders it to the same pixels as the same page kept as a 1-bit PNG (drawn white on black, every pixel
    /// would differ).
    /// </summary>
    [Fact]
    public async Task SearchablePdf_G4PageImage_RendersAsThePageDoes()
    {
        using PageBitmap page = Bitonal();
        Assert.Equal(0, Leptonica.PixWriteMem(out IntPtr data, out nuint size, page.Pix, Leptonica.IFF_PNG));
        byte[] png = new byte[(int)size];
        System.Runtime.InteropServices.Marshal.Copy(data, png, 0, png.Length);
        Leptonica.LeptFree(data);
        string folder = Directory.CreateTempSubdirectory("digitise-g4-").FullName;
        try
        {
            using PixHandle fromG4 = await RenderAsync(folder, "g4", page.ToPageImage(), page);
            using PixHandle fromPng = await RenderAsync(folder, "png", png, page);

            Assert.Matches(@"\s640\s+480\s+gray\s+1\s+1\s+ccitt\s", await Run("pdfimages", "-list", Path.Combine(folder, "g4.pdf")));
            using PixHandle differ = Leptonica.PixXor(IntPtr.Zero, fromG4, fromPng);
            Leptonica.PixCountPixels(differ, out int different, IntPtr.Zero);
            Leptonica.PixCountPixels(fromG4, out int black, IntPtr.Zero);
            Assert.Equal(0, different);
            Assert.InRange(black, page.Width * page.Height / 4, page.Width * page.Height / 2);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A one-page searchable PDF of <paramref name="image"/>, rendered by poppler at the page's resolution and thresholded.</summary>
    private static async Task<PixHandle> RenderAsync(string folder, string name, byte[] image, PageBitmap page)
    {
        string pdf = Path.Combine(folder, name + ".pdf");
        await using (FileStream file = File.Create(pdf))
        using (var writer = new Output.SearchablePdfWriter(file, name, DateTimeOffset.UnixEpoch))
        {
            writer.AddPage(new Output.SearchablePage(page.Width, page.Height, 300, image, []));
            writer.Finish();
        }

        await Run("pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", pdf, Path.Combine(folder, name));
        using PageBitmap rendered = PageBitmap.Decode(await File.ReadAllBytesAsync(Path.Combine(folder, name + ".png")), SourceFormat.Png);
        Assert.Equal((page.Width, page.Height), (rendered.Width, rendered.Height));
        return Leptonica.PixConvertTo1(rendered.Pix, 128);
    }

    [Fact]
    public void ToPageImage_ColourPage_IsJpeg()
    {
        using PageBitmap page = PageBitmap.Decode(Pnm('6', 320, 240, (x, y) => [(byte)x, (byte)y, (byte)(x ^ y)]), SourceFormat.Unknown);

        byte[] kept = page.ToPageImage();

        Assert.Equal([0xFF, 0xD8, 0xFF], kept[..3]);
    }

    [Fact]
    public void ToPageImage_GreyPageScannedAsJpeg_IsJpeg()
    {
        using PageBitmap page = PageBitmap.Decode(Pnm('5', 700, 900, (x, y) => [(byte)((x * 7 + y * 3 + (x * y % 13)) & 0xFF)]), SourceFormat.Unknown);

        byte[] kept = page.ToPageImage(lossySource: true);

        Assert.Equal([0xFF, 0xD8, 0xFF], kept[..3]);
    }

    [Fact]
    public void ToPageImage_BitonalPageFromALossySource_StaysG4WithEveryPixelKept()
    {
        using PageBitmap page = Bitonal();

        AssertKeptAsG4WithEveryPixel(page.ToPageImage(lossySource: true), page);
    }

    /// <summary>The OCR stage knows which pages were scanned as JPEG and keeps those (grey) as JPEG, the rest as PNG.</summary>
    [Fact]
    public async Task OcrStage_GreyPages_JpegScanKeptAsJpegPngScanAsPng()
    {
        using PageBitmap grey = PageBitmap.Decode(Pnm('5', 700, 900, (x, y) => [(byte)(200 + ((x * 7 + y * 3) % 50))]), SourceFormat.Unknown);
        byte[] png = grey.ToPng();
        Assert.Equal(0, Leptonica.PixWriteMemJpeg(out IntPtr data, out nuint size, grey.Pix, 90, 0));
        byte[] jpeg = new byte[(int)size];
        System.Runtime.InteropServices.Marshal.Copy(data, jpeg, 0, jpeg.Length);
        Leptonica.LeptFree(data);

        var input = System.Threading.Channels.Channel.CreateUnbounded<PageItem>();
        var output = System.Threading.Channels.Channel.CreateUnbounded<PageItem>();
        foreach ((string name, byte[] bytes, SourceFormat format) in new[] { ("scan.jpg", jpeg, SourceFormat.Jpeg), ("scan.png", png, SourceFormat.Png) })
        {
            var source = new SourceFile(name, name, new string(name[5], 64), bytes.Length);
            await input.Writer.WriteAsync(new PageImage(source, 1, 1, new EncodedImage(bytes, format, 0, 300)));
        }

        input.Writer.Complete();
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = true });
        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        var kept = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (PageItem item in output.Reader.ReadAllAsync())
        {
            PageText page = Assert.IsType<PageText>(item);
            kept[page.Source.FullPath] = page.Image.ToArray();
        }

        Assert.Equal([0xFF, 0xD8, 0xFF], kept["scan.jpg"][..3]);
        Assert.Equal(PngMagic, kept["scan.png"][..8]);
    }

    private static PageBitmap Bitonal()
    {
        using PageBitmap grey = PageBitmap.Decode(Pnm('5', 640, 480, (x, y) => [(byte)(((x / 9) + (y / 7)) % 3 == 0 ? 0 : 255)]), SourceFormat.Unknown);
        return new PageBitmap(Leptonica.PixConvertTo1(grey.Pix, 128));
    }

    private static void AssertKeptAsG4WithEveryPixel(byte[] kept, PageBitmap page)
    {
        Assert.Equal("II*\0"u8.ToArray(), kept[..4]);
        Assert.Equal(4, TiffStructure.ReadPages(kept).Single().Compression);
        using PageBitmap back = PageBitmap.Decode(kept, SourceFormat.Tiff);
        Assert.Equal(0, Leptonica.PixEqual(page.Pix, back.Pix, out int same));
        Assert.Equal(1, same);
    }

    private static Task<string> Run(string tool, params string[] args)
    {
        (int code, string stdout, string stderr) = Tool.Run(tool, args);
        Assert.True(code == 0, $"{tool} failed: {stderr}");
        return Task.FromResult(stdout);
    }

    private static void AssertKeptAsPngWithEveryPixel(PageBitmap page)
    {
        byte[] kept = page.ToPageImage();

        Assert.Equal(PngMagic, kept[..8]);
        using PageBitmap back = PageBitmap.Decode(kept, SourceFormat.Png);
        Assert.Equal(0, Leptonica.PixEqual(page.Pix, back.Pix, out int same));
        Assert.Equal(1, same);
    }

    private static byte[] Pnm(char kind, int width, int height, Func<int, int, byte[]> pixel)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes($"P{kind}\n{width} {height}\n255\n"));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bytes.AddRange(pixel(x, y));
            }
        }

        return [.. bytes];
    }
}
