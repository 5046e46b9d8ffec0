using SkiaSharp;

namespace Digitise.Samples;

/// <summary>How one page is "scanned": resolution and the degradations applied.</summary>
internal sealed record ScanStyle(int Dpi, float SkewDegrees, float BlurPixels, byte Background, byte Ink, int Speckles, int EdgeShadowPixels)
{
    public static ScanStyle Create(string quality, int dpi, Random rng)
    {
        static float Signed(Random r, double max) => (float)(((r.NextDouble() * 2.0) - 1.0) * max);
        return quality switch
        {
            "hard" => new ScanStyle(
                dpi, Signed(rng, 1.5), 0.9f + (float)(rng.NextDouble() * 0.4), (byte)rng.Next(212, 232), (byte)rng.Next(40, 80),
                rng.Next(1500, 4000), rng.Next(2) == 0 ? rng.Next(10, 30) : 0),
            "mild" => new ScanStyle(
                dpi, Signed(rng, 1.0), 0.4f + (float)(rng.NextDouble() * 0.4), rng.Next(3) == 0 ? (byte)rng.Next(232, 246) : (byte)255,
                (byte)rng.Next(10, 50), rng.Next(200, 800), rng.Next(4) == 0 ? rng.Next(6, 20) : 0),
            _ => new ScanStyle(dpi, Signed(rng, 0.4), (float)(rng.NextDouble() * 0.4), 255, (byte)rng.Next(0, 20), rng.Next(0, 100), 0),
        };
    }
}

/// <summary>Draws a laid-out page onto a greyscale bitmap and degrades it like a scan.</summary>
internal static class PageRenderer
{
    public static SKBitmap Render(IReadOnlyList<PageElement> elements, ScanStyle style, Random rng)
    {
        float scale = style.Dpi / 72f;
        int width = (int)Math.Round(PageBuilder.PageWidth * scale);
        int height = (int)Math.Round(PageBuilder.PageHeight * scale);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(new SKColor(style.Background, style.Background, style.Background));

        canvas.Save();
        canvas.RotateDegrees(style.SkewDegrees, width / 2f, height / 2f);
        canvas.Scale(scale);
        using var ink = new SKPaint { Color = new SKColor(style.Ink, style.Ink, style.Ink), IsAntialias = true };
        if (style.BlurPixels > 0.05f)
        {
            // Sigma is in local units (points) because the mask filter respects the canvas matrix.
            ink.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, style.BlurPixels / scale);
        }

        using var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke };
        foreach (PageElement element in elements)
        {
            switch (element)
            {
                case TextElement t:
                    using (var font = new SKFont(Fonts.Typeface(t.Font), t.Size))
                    {
                        canvas.DrawText(t.Text, t.X, t.Y, SKTextAlign.Left, font, ink);
                    }

                    break;
                case RectElement r:
                    stroke.Color = Shade(r.Grey, style.Ink);
                    stroke.StrokeWidth = r.LineWidth;
                    canvas.DrawRect(r.X, r.Y, r.Width, r.Height, stroke);
                    break;
                case LineElement l:
                    stroke.Color = Shade(l.Grey, style.Ink);
                    stroke.StrokeWidth = l.LineWidth;
                    canvas.DrawLine(l.X1, l.Y1, l.X2, l.Y2, stroke);
                    break;
                case RotatedText r:
                    canvas.Save();
                    canvas.RotateDegrees(r.Degrees, r.X, r.Y);
                    stroke.Color = Shade(0, style.Ink);
                    stroke.StrokeWidth = 0.8f;
                    canvas.DrawRect(r.X, r.Y, 220f, (r.Lines.Count * r.Size * 1.4f) + 12f, stroke);
                    using (var font = new SKFont(Fonts.Typeface(r.Font), r.Size))
                    {
                        for (int i = 0; i < r.Lines.Count; i++)
                        {
                            canvas.DrawText(r.Lines[i], r.X + 8f, r.Y + 6f + ((i + 1) * r.Size * 1.4f), SKTextAlign.Left, font, ink);
                        }
                    }

                    canvas.Restore();
                    break;
            }
        }

        canvas.Restore();

        using var dirt = new SKPaint { IsAntialias = true };
        for (int i = 0; i < style.Speckles; i++)
        {
            byte g = (byte)rng.Next(0, 120);
            dirt.Color = new SKColor(g, g, g);
            canvas.DrawCircle((float)(rng.NextDouble() * width), (float)(rng.NextDouble() * height), 0.5f + (float)(rng.NextDouble() * 1.4), dirt);
        }

        if (style.EdgeShadowPixels > 0)
        {
            byte g = (byte)rng.Next(60, 120);
            dirt.Color = new SKColor(g, g, g);
            canvas.DrawRect(0, 0, style.EdgeShadowPixels, height, dirt);
        }

        canvas.Flush();
        return bitmap;
    }

    public static byte[] EncodePng(SKBitmap bitmap, int zlibLevel)
    {
        using SKPixmap pixmap = bitmap.PeekPixels();
        using SKData? data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zlibLevel));
        return data?.ToArray() ?? throw new InvalidOperationException("Skia could not encode the page as PNG.");
    }

    public static byte[] EncodeJpeg(SKBitmap bitmap, int quality)
    {
        using SKData? data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data?.ToArray() ?? throw new InvalidOperationException("Skia could not encode the page as JPEG.");
    }

    private static SKColor Shade(byte grey, byte ink)
    {
        byte g = Math.Max(grey, ink);
        return new SKColor(g, g, g);
    }
}
