using Digitise.Ocr.Imaging;
using SkiaSharp;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Digitise.Samples;

/// <summary>Renders one planned document and writes it in its planned format.</summary>
internal static class DocumentWriter
{
    public static void Write(DocumentPlan plan, string batchDirectory)
    {
        var rng = new Random(plan.RenderSeed);
        List<List<PageElement>> pages = plan.Family == LayoutFamilies.Classic
            ? new DocumentComposer(plan, rng).Compose()
            : LayoutFamilies.Compose(plan.Family, plan, rng);
        if (pages.Count != plan.Pages)
        {
            throw new InvalidOperationException($"Document {plan.Number} laid out {pages.Count} pages, planned {plan.Pages}.");
        }

        string path = Path.Combine(batchDirectory, plan.FileName);
        if (plan.Format == SampleFormats.PdfText)
        {
            File.WriteAllBytes(path, TextPdf(pages));
            return;
        }

        var encoded = new List<byte[]>(pages.Count);
        bool jpegInPdf = plan.Format == SampleFormats.PdfImage && (plan.Dpi == 300 || rng.Next(3) != 0);
        foreach (List<PageElement> page in pages)
        {
            // Per-page styles: a later page may be a little worse than the first.
            var style = ScanStyle.Create(plan.Quality, plan.Dpi, rng);
            using SKBitmap bitmap = PageRenderer.Render(page, style, rng);
            encoded.Add(plan.Format switch
            {
                SampleFormats.Jpeg => ImageMetadata.WithJpegDpi(PageRenderer.EncodeJpeg(bitmap, JpegQuality(plan, rng)), plan.Dpi),
                SampleFormats.Png => ImageMetadata.WithPngDpi(PageRenderer.EncodePng(bitmap, 6), plan.Dpi),
                SampleFormats.PdfImage when jpegInPdf => PageRenderer.EncodeJpeg(bitmap, JpegQuality(plan, rng)),
                SampleFormats.PdfImage => PageRenderer.EncodePng(bitmap, 6),
                _ => PageRenderer.EncodePng(bitmap, 1),
            });
        }

        switch (plan.Format)
        {
            case SampleFormats.TiffG4:
                TiffWriter.Write(path, encoded, TiffCompression.G4, plan.Dpi);
                break;
            case SampleFormats.TiffLzw:
                TiffWriter.Write(path, encoded, TiffCompression.Lzw, plan.Dpi);
                break;
            case SampleFormats.TiffNone:
                TiffWriter.Write(path, encoded, TiffCompression.None, plan.Dpi, bitonal: true);
                break;
            case SampleFormats.PdfImage:
                File.WriteAllBytes(path, ImagePdf(encoded, jpegInPdf));
                break;
            default:
                File.WriteAllBytes(path, encoded[0]);
                break;
        }
    }

    private static int JpegQuality(DocumentPlan plan, Random rng) =>
        plan.Quality == "hard" ? rng.Next(35, 50) : rng.Next(55, 75);

    private static byte[] ImagePdf(List<byte[]> pages, bool jpeg)
    {
        using var builder = new PdfDocumentBuilder();
        var rect = new PdfRectangle(0, 0, PageBuilder.PageWidth, PageBuilder.PageHeight);
        foreach (byte[] image in pages)
        {
            PdfPageBuilder page = builder.AddPage(PageBuilder.PageWidth, PageBuilder.PageHeight);
            if (jpeg)
            {
                page.AddJpeg(image, rect);
            }
            else
            {
                page.AddPng(image, rect);
            }
        }

        return builder.Build();
    }

    private static byte[] TextPdf(List<List<PageElement>> pages)
    {
        using var builder = new PdfDocumentBuilder();
        PdfDocumentBuilder.AddedFont sans = builder.AddStandard14Font(Standard14Font.Helvetica);
        PdfDocumentBuilder.AddedFont bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        PdfDocumentBuilder.AddedFont serif = builder.AddStandard14Font(Standard14Font.TimesRoman);
        PdfDocumentBuilder.AddedFont mono = builder.AddStandard14Font(Standard14Font.Courier);
        const double h = PageBuilder.PageHeight;
        foreach (List<PageElement> elements in pages)
        {
            PdfPageBuilder page = builder.AddPage(PageBuilder.PageWidth, PageBuilder.PageHeight);
            foreach (PageElement element in elements)
            {
                switch (element)
                {
                    case TextElement t:
                        PdfDocumentBuilder.AddedFont font = t.Font switch
                        {
                            FontKind.SansBold => bold,
                            FontKind.Serif => serif,
                            FontKind.Mono => mono,
                            _ => sans,
                        };
                        page.AddText(t.Text, t.Size, new PdfPoint(t.X, h - t.Y), font);
                        break;
                    case RectElement r:
                        page.SetStrokeColor(r.Grey, r.Grey, r.Grey);
                        page.DrawRectangle(new PdfPoint(r.X, h - r.Y - r.Height), r.Width, r.Height, r.LineWidth);
                        break;
                    case LineElement l:
                        page.SetStrokeColor(l.Grey, l.Grey, l.Grey);
                        page.DrawLine(new PdfPoint(l.X1, h - l.Y1), new PdfPoint(l.X2, h - l.Y2), l.LineWidth);
                        break;
                    case RotatedText r:
                        // A text layer has no angle: the sticker's lines are written level where it sits.
                        for (int i = 0; i < r.Lines.Count; i++)
                        {
                            page.AddText(r.Lines[i], r.Size, new PdfPoint(r.X + 8f, h - (r.Y + 6f + ((i + 1) * r.Size * 1.4f))), mono);
                        }

                        break;
                }
            }
        }

        return builder.Build();
    }
}
