using System.Text;
using Digitise.Domain;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Tests;

/// <summary>
/// What is kept of each page is what README and <c>Sources</c> say: lossless PNG for bitonal and grey pages (evidence under
/// BS 10008 must be exactly what is stated), JPEG only for colour and for grey pages whose source already was JPEG.
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
    public void ToPageImage_BitonalPage_IsPngWithEveryPixelKept()
    {
        using PageBitmap grey = PageBitmap.Decode(Pnm('5', 640, 480, (x, y) => [(byte)(((x / 9) + (y / 7)) % 3 == 0 ? 0 : 255)]), SourceFormat.Unknown);
        using var page = new PageBitmap(Leptonica.PixConvertTo1(grey.Pix, 128));
        Assert.Equal(1, page.Depth);

        AssertKeptAsPngWithEveryPixel(page);
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
    public void ToPageImage_BitonalPageFromALossySource_StaysPngWithEveryPixelKept()
    {
        using PageBitmap grey = PageBitmap.Decode(Pnm('5', 640, 480, (x, y) => [(byte)(((x / 9) + (y / 7)) % 3 == 0 ? 0 : 255)]), SourceFormat.Unknown);
        using var page = new PageBitmap(Leptonica.PixConvertTo1(grey.Pix, 128));

        byte[] kept = page.ToPageImage(lossySource: true);

        Assert.Equal(PngMagic, kept[..8]);
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
        await new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = true }).RunAsync(input.Reader, output.Writer, CancellationToken.None);

        var kept = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (PageItem item in output.Reader.ReadAllAsync())
        {
            PageText page = Assert.IsType<PageText>(item);
            kept[page.Source.FullPath] = page.Image.ToArray();
        }

        Assert.Equal([0xFF, 0xD8, 0xFF], kept["scan.jpg"][..3]);
        Assert.Equal(PngMagic, kept["scan.png"][..8]);
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
