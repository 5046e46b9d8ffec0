using System.Diagnostics;
using System.Runtime.CompilerServices;
using Digitise.Domain;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Exceptions;
using UglyToad.PdfPig.Tokens;
using Word = Digitise.Domain.Word;

namespace Digitise.Ingest;

/// <summary>
/// Reads PDF pages. A page with a real text layer yields that text (no OCR). A scanned page yields its image as it is
/// stored: JPEG bytes untouched, CCITT/Flate images decoded losslessly to PNG; anything PdfPig cannot hand over
/// (JBIG2, vector pages) is rasterised by poppler's pdftoppm.
/// </summary>
internal sealed class PdfPageReader(IngestOptions options)
{
    public async IAsyncEnumerable<PageItem> ReadAsync(SourceFile file, byte[] data, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (PdfDocument? document, string? failure) = Open(data);
        if (document is null)
        {
            yield return new PageFailure(file, 0, 0, failure!);
            yield break;
        }

        using (document)
        {
            int count = document.NumberOfPages;
            if (count == 0)
            {
                yield return new PageFailure(file, 0, 0, "corrupt_pdf: the document has no pages");
                yield break;
            }

            if (count > options.MaxPagesPerFile)
            {
                yield return new PageFailure(file, 0, 0, $"too_many_pages: {count} pages (Ingest:MaxPagesPerFile is {options.MaxPagesPerFile})");
                yield break;
            }

            for (int number = 1; number <= count; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                PageItem item;
                try
                {
                    item = ReadPage(file, document.GetPage(number), number, count)
                        ?? await RenderAsync(file, number, count, cancellationToken).ConfigureAwait(false);
                    if (item is PageImage { Content: TextLayer layer } textPage && options.TextLayerPreviews)
                    {
                        // No scan to show a clerk: draw the page small, as it prints.
                        byte[]? preview = await RunPdftoppmAsync(file, number, ["-scale-to-x", "1100", "-scale-to-y", "-1", "-gray", "-png"], cancellationToken).ConfigureAwait(false);
                        item = textPage with { Content = layer with { Preview = preview ?? [] } };
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    item = new PageFailure(file, number, count, $"corrupt_pdf_page: {ex.GetType().Name}");
                }

                yield return item;
            }
        }
    }

    private static (PdfDocument? Document, string? Failure) Open(byte[] data)
    {
        try
        {
            return (PdfDocument.Open(data, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true }), null);
        }
        catch (PdfDocumentEncryptedException)
        {
            return (null, "encrypted: the PDF is password-protected");
        }
        catch (Exception ex)
        {
            return (null, $"corrupt_pdf: {ex.GetType().Name}");
        }
    }

    /// <summary>The page's text layer or embedded scan; null when it has to be rasterised.</summary>
    private PageItem? ReadPage(SourceFile file, Page page, int number, int count)
    {
        if (page.Letters.Count >= options.MinTextLayerLetters)
        {
            return new PageImage(file, number, count, ReadTextLayer(page, options.PdfRenderDpi));
        }

        double renderedPixels = page.Width / 72.0 * options.PdfRenderDpi * (page.Height / 72.0 * options.PdfRenderDpi);
        if (renderedPixels > options.MaxPixelsPerPage)
        {
            return new PageFailure(file, number, count, $"image_too_large: a {page.Width:0}x{page.Height:0} pt page at {options.PdfRenderDpi} DPI is {renderedPixels:0} pixels (Ingest:MaxPixelsPerPage is {options.MaxPixelsPerPage})");
        }

        if (page.Rotation.Value != 0)
        {
            return null;
        }

        IPdfImage? scan = page.GetImages()
            .Where(i => !i.IsImageMask && i.BoundingBox.Width * i.BoundingBox.Height >= 0.5 * page.Width * page.Height)
            .OrderByDescending(i => i.WidthInSamples * i.HeightInSamples)
            .FirstOrDefault();
        if (scan is null)
        {
            return null;
        }

        if ((long)scan.WidthInSamples * scan.HeightInSamples > options.MaxPixelsPerPage)
        {
            return new PageFailure(file, number, count, $"image_too_large: page image is {scan.WidthInSamples}x{scan.HeightInSamples} pixels (Ingest:MaxPixelsPerPage is {options.MaxPixelsPerPage})");
        }

        int dpi = (int)Math.Round(scan.WidthInSamples / (scan.BoundingBox.Width / 72.0));
        if (IsJpeg(scan))
        {
            return new PageImage(file, number, count, new EncodedImage(scan.RawMemory.ToArray(), SourceFormat.Jpeg, 0, dpi));
        }

        return scan.TryGetPng(out byte[]? png) && png is { Length: > 0 }
            ? new PageImage(file, number, count, new EncodedImage(png, SourceFormat.Png, 0, dpi))
            : null;
    }

    private static bool IsJpeg(IPdfImage image)
    {
        if (!image.ImageDictionary.TryGet(NameToken.Filter, out IToken? filter))
        {
            return false;
        }

        bool dct = filter switch
        {
            NameToken name => name.Data == "DCTDecode",
            ArrayToken { Data.Count: 1 } array => array.Data[0] is NameToken only && only.Data == "DCTDecode",
            _ => false,
        };
        ReadOnlySpan<byte> raw = image.RawMemory.Span;
        return dct && raw.Length > 3 && raw[0] == 0xFF && raw[1] == 0xD8;
    }

    /// <summary>Words of the text layer, with boxes converted from PDF points (origin bottom-left) to pixels at <paramref name="dpi"/> (origin top-left).</summary>
    private static TextLayer ReadTextLayer(Page page, int dpi)
    {
        double scale = dpi / 72.0;
        var ordered = page.GetWords()
            .Where(w => !string.IsNullOrWhiteSpace(w.Text))
            .OrderByDescending(w => Math.Round(w.BoundingBox.Bottom))
            .ThenBy(w => w.BoundingBox.Left)
            .ToList();
        var words = new List<Word>(ordered.Count);
        int line = -1;
        double lineBottom = double.NaN;
        foreach (var word in ordered.OrderByDescending(w => w.BoundingBox.Bottom).ThenBy(w => w.BoundingBox.Left))
        {
            double height = Math.Max(1, word.BoundingBox.Height);
            if (double.IsNaN(lineBottom) || Math.Abs(word.BoundingBox.Bottom - lineBottom) > height * 0.5)
            {
                line++;
                lineBottom = word.BoundingBox.Bottom;
            }

            var box = new PixelBox(
                (int)Math.Round(word.BoundingBox.Left * scale),
                (int)Math.Round((page.Height - word.BoundingBox.Top) * scale),
                Math.Max(1, (int)Math.Round(word.BoundingBox.Width * scale)),
                Math.Max(1, (int)Math.Round(word.BoundingBox.Height * scale)));
            words.Add(new Word(word.Text, box, 100f, line));
        }

        // Within a line, read left to right.
        words = [.. words.OrderBy(w => w.LineIndex).ThenBy(w => w.Box.Left)];
        return new TextLayer(words, (int)Math.Round(page.Width * scale), (int)Math.Round(page.Height * scale), dpi);
    }

    /// <summary>Rasterises one page with pdftoppm to a lossless greyscale PNG.</summary>
    private async Task<PageItem> RenderAsync(SourceFile file, int number, int count, CancellationToken cancellationToken)
    {
        string dpi = options.PdfRenderDpi.ToString(System.Globalization.CultureInfo.InvariantCulture);
        byte[]? png = await RunPdftoppmAsync(file, number, ["-r", dpi, "-gray", "-png"], cancellationToken).ConfigureAwait(false);
        return png is not null
            ? new PageImage(file, number, count, new EncodedImage(png, SourceFormat.Png, 0, options.PdfRenderDpi))
            : new PageFailure(file, number, count, "unrenderable_pdf_page: pdftoppm could not draw the page");
    }

    /// <summary>Runs pdftoppm on one page and returns the image it writes to stdout, or null when it fails.</summary>
    private async Task<byte[]?> RunPdftoppmAsync(SourceFile file, int number, string[] arguments, CancellationToken cancellationToken)
    {
        string page = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(options.PdftoppmPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-f", page, "-l", page, .. arguments, file.FullPath])
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("pdftoppm did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"'{options.PdftoppmPath}' was not found: install poppler-utils (sudo apt-get install -y poppler-utils).");
        }

        using (process)
        {
            using var image = new MemoryStream();
            Task copy = process.StandardOutput.BaseStream.CopyToAsync(image, cancellationToken);
            Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await Task.WhenAll(copy, errors, process.WaitForExitAsync(cancellationToken)).ConfigureAwait(false);
            return process.ExitCode == 0 && image.Length > 0 ? image.ToArray() : null;
        }
    }
}
