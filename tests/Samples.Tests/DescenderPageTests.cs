using System.Threading.Channels;
using Digitise.Domain;
using Digitise.Ocr;
using Digitise.Ocr.Imaging;
using SkiaSharp;

namespace Digitise.Samples.Tests;

/// <summary>
/// The up-down test before OCR counts ascenders against descenders, so an upright page of words made only of x-height
/// letters and descenders (g, p, q, y) looks upside down to it. The OCR stage must still read such a page upright.
/// </summary>
public sealed class DescenderPageTests : IDisposable
{
    private const string Words = "pygmy guppy soggy gummy spongy surgery query young gym grey yarn syrup pansy rosy curvy gravy";

    private readonly string _file = Path.Combine(Path.GetTempPath(), "digitise-descenders-" + Guid.NewGuid().ToString("N") + ".png");

    [Fact]
    public async Task OcrStage_UprightPageOfDescenders_ReadUprightThoughTheUpDownTestTurnsIt()
    {
        File.WriteAllBytes(_file, Render());
        byte[] png = File.ReadAllBytes(_file);

        // The premise: the up-down test alone takes this upright page for one turned over.
        using (var analyser = new PageAnalyser(new QaOptions()))
        using (PageBitmap page = PageBitmap.Decode(png, SourceFormat.Png))
        {
            (PageBitmap turned, PageQuality quality, _) = analyser.Analyse(page, 300, OrientationCheck.WhenSideways);
            using PageBitmap? owned = ReferenceEquals(turned, page) ? null : turned;
            Assert.Equal(180, quality.RotationDegrees);
        }

        var input = Channel.CreateUnbounded<PageItem>();
        var output = Channel.CreateUnbounded<PageItem>();
        await input.Writer.WriteAsync(new PageImage(new SourceFile(_file, "descenders.png", new string('0', 64), png.Length), 1, 1,
            new EncodedImage(png, SourceFormat.Png, 0, 300)));
        input.Writer.Complete();
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = false });
        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        PageText read = Assert.IsType<PageText>(Assert.Single(await output.Reader.ReadAllAsync().ToListAsync()));
        Assert.Equal(0, read.Quality!.RotationDegrees);
        Assert.False(read.Quality.Unreadable);
        string[] expected = Words.Split(' ');
        int found = read.Words.Count(w => expected.Contains(w.Text, StringComparer.Ordinal));
        Assert.True(found >= read.Words.Count * 0.9 && found >= 100, $"{found} of {read.Words.Count} words read as written: {read.Text}");
    }

    public void Dispose() => File.Delete(_file);

    /// <summary>An A5-sized 300 dpi page of twelve lines of those words in a 10-point sans.</summary>
    private static byte[] Render()
    {
        using var bitmap = new SKBitmap(1748, 1240);
        using (var canvas = new SKCanvas(bitmap))
        using (var font = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans"), 42))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            for (int line = 0; line < 12; line++)
            {
                string[] words = Words.Split(' ');
                string text = string.Join(' ', words.Skip(line % 5).Concat(words.Take(line % 5)).Take(10));
                canvas.DrawText(text, 120, 150 + (line * 80), SKTextAlign.Left, font, ink);
            }
        }

        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
