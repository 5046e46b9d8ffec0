using System.Text;
using Digitise.Domain;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;

namespace Digitise.Ocr.Tests;

/// <summary>
/// What is kept of each page is what README and <c>Sources</c> say: lossless PNG for bitonal and grey pages (evidence under
/// BS 10008 must be exactly what is stated), JPEG only for colour.
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
