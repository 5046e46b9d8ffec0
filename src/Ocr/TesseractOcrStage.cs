using System.Collections.Concurrent;
using System.Threading.Channels;
using Digitise.Domain;
using Digitise.Ocr.Imaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Digitise.Ocr;

/// <summary>
/// The in-process OCR stage: one worker per core, each holding one Tesseract engine initialised once and reused
/// for every page it takes. OpenMP inside Tesseract is limited to one thread (see Interop.Libraries) so the workers,
/// not OpenMP, use the cores. Pages that cannot be decoded become <see cref="PageFailure"/>s; text-layer pages and
/// failures pass straight through.
/// </summary>
public sealed partial class TesseractOcrStage : IOcrStage
{
    private readonly OcrOptions _options;
    private readonly QaOptions _qa;
    private readonly ILogger _logger;

    public TesseractOcrStage(OcrOptions options, QaOptions? qa = null, ILogger<TesseractOcrStage>? logger = null)
    {
        _options = options;
        _qa = qa ?? new QaOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public async Task RunAsync(ChannelReader<PageItem> input, ChannelWriter<PageItem> output, CancellationToken cancellationToken)
    {
        var engines = new ConcurrentBag<Worker>();
        Exception? failure = null;
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.EffectiveWorkers, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(input.ReadAllAsync(cancellationToken), parallel, async (item, ct) =>
            {
                PageItem result = item switch
                {
                    PageImage { Content: EncodedImage image } page => Recognise(engines, page, image),
                    PageImage { Content: TextLayer layer } page => FromTextLayer(page, layer),
                    _ => item,
                };
                await output.WriteAsync(result, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            output.TryComplete(failure);
            while (engines.TryTake(out Worker? worker))
            {
                worker.Dispose();
            }
        }
    }

    private PageItem Recognise(ConcurrentBag<Worker> workers, PageImage page, EncodedImage image)
    {
        Worker worker = workers.TryTake(out Worker? pooled) ? pooled : CreateWorker();
        try
        {
            using PageBitmap bitmap = PageBitmap.Decode(image.Data.Span, image.Format, image.Frame);
            if ((long)bitmap.Width * bitmap.Height > _options.MaxPixelsPerPage)
            {
                return new PageFailure(page.Source, page.PageNumber, page.PageCount, $"image_too_large: {bitmap.Width}x{bitmap.Height} pixels");
            }

            int dpi = bitmap.Dpi > 0 ? bitmap.Dpi : image.DpiHint ?? _options.DefaultDpi;
            PageQuality? quality = null;
            IReadOnlyList<Barcode> barcodes = [];
            PageBitmap corrected = bitmap;
            if (_qa.Enabled)
            {
                (corrected, quality, barcodes) = worker.Analyser.Analyse(bitmap, dpi);
            }

            // A corrected (rotated or deskewed) page is a new bitmap, owned here.
            using PageBitmap? owned = ReferenceEquals(corrected, bitmap) ? null : corrected;

            byte[] preview = _options.Previews ? corrected.ToPreviewJpeg() : [];
            byte[] pageImage = _options.PageImages ? corrected.ToPageImage() : [];
            if (quality is { Blank: true })
            {
                // Blank pages are kept and counted, never silently dropped, but not OCRed.
                return new PageText(page.Source, page.PageNumber, page.PageCount, string.Empty, [], 0f,
                    corrected.Width, corrected.Height, dpi, TextOrigin.Ocr, TimeSpan.Zero)
                {
                    Preview = preview,
                    Image = pageImage,
                    Quality = quality,
                    Barcodes = barcodes,
                };
            }

            OcrResult result = worker.Engine.Recognise(corrected, dpi);
            LogPageRecognised(page.PageNumber, result.Words.Count, (long)result.Elapsed.TotalMilliseconds);
            return new PageText(page.Source, page.PageNumber, page.PageCount, result.Text, result.Words, result.MeanConfidence,
                result.WidthPx, result.HeightPx, result.Dpi, TextOrigin.Ocr, result.Elapsed)
            {
                Preview = preview,
                Image = pageImage,
                Quality = quality,
                Barcodes = barcodes,
            };
        }
        catch (InvalidDataException ex)
        {
            return new PageFailure(page.Source, page.PageNumber, page.PageCount, "undecodable_image: " + ex.Message);
        }
        finally
        {
            workers.Add(worker);
        }
    }

    private Worker CreateWorker()
    {
        LogEngineCreated(_options.Language);
        return new Worker(new TesseractEngine(_options), new PageAnalyser(_qa));
    }

    private static PageText FromTextLayer(PageImage page, TextLayer layer)
    {
        string text = string.Join('\n', layer.Words.GroupBy(w => w.LineIndex).OrderBy(g => g.Key).Select(g => string.Join(' ', g.Select(w => w.Text))));
        return new PageText(page.Source, page.PageNumber, page.PageCount, text, layer.Words, 100f,
            layer.WidthPx, layer.HeightPx, layer.Dpi, TextOrigin.PdfTextLayer, TimeSpan.Zero)
        {
            Preview = layer.Preview,
        };
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "OCR engine created ({Language})")]
    private partial void LogEngineCreated(string language);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Trace, Message = "Page {PageNumber} recognised: {Words} words in {Milliseconds} ms")]
    private partial void LogPageRecognised(int pageNumber, int words, long milliseconds);

    /// <summary>What one OCR worker owns: an engine initialised once and a page analyser, reused for every page.</summary>
    private sealed class Worker(TesseractEngine engine, PageAnalyser analyser) : IDisposable
    {
        public TesseractEngine Engine { get; } = engine;

        public PageAnalyser Analyser { get; } = analyser;

        public void Dispose()
        {
            Engine.Dispose();
            Analyser.Dispose();
        }
    }
}
