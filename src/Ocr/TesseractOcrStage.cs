using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Digitise.Domain;
using Digitise.Ocr.Imaging;
using Digitise.Ocr.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Digitise.Ocr;

/// <summary>
/// The in-process OCR stage: one worker per core, each holding one Tesseract engine initialised once and reused
/// for every page it takes. OpenMP inside Tesseract is limited to one thread (see Interop.Libraries) so the workers,
/// not OpenMP, use the cores. Pages that cannot be decoded become <see cref="PageFailure"/>s; text-layer pages and
/// failures pass straight through.
/// </summary>
/// <remarks>
/// Workers are created when a page first needs one, and outlive the run: a scale-out worker runs the pipeline once per
/// file, and each file reuses the engines of the file before instead of initialising new ones (about 0.1 s of a core
/// each, per file). <see cref="Dispose"/> frees them.
/// </remarks>
public sealed partial class TesseractOcrStage : IOcrStage, IDisposable
{
    private readonly OcrOptions _options;
    private readonly QaOptions _qa;
    private readonly ILogger _logger;

    /// <summary>Workers between pages (of this run or an earlier one).</summary>
    private readonly ConcurrentBag<Worker> _idle = [];

    private readonly Lock _lock = new();

    private bool _disposed;

    /// <summary>Pages between two returns of free heap pages to the system: about 6 s of two OCR workers.</summary>
    private const int PagesPerHeapTrim = 8;
    private int _pagesSinceTrim;

    public TesseractOcrStage(OcrOptions options, QaOptions? qa = null, ILogger<TesseractOcrStage>? logger = null)
    {
        _options = options;
        _qa = qa ?? new QaOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public async Task RunAsync(ChannelReader<PageItem> input, ChannelWriter<PageItem> output, CancellationToken cancellationToken)
    {
        // Recognised pages whose preview and page image are still to encode: bounded, so at most a few decoded pages
        // wait here, and encoding runs beside the OCR workers instead of on their time.
        var toEncode = Channel.CreateBounded<Recognised>(new BoundedChannelOptions(Math.Max(2, _options.EffectiveWorkers))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = _options.EncodeWorkers == 1,
        });

        // One token stops everything: the caller's, a failed OCR worker, or a failed encoder (whose OCR workers would
        // otherwise block for good on a full channel).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task encoding = EncodeAsync(toEncode.Reader, output, stop, cancellationToken);
        Exception? failure = null;
        var workers = new List<Task>(_options.EffectiveWorkers);
        try
        {
            // Each OCR worker is a thread of its own, not a thread-pool task: a page blocks it for a second or more, and
            // on a two-core machine the pool starts with two threads, which the run's other work also needs (the MPI
            // import and matcher prepared beside the first pages, the encoder, the store). On the pool, the second worker
            // waited for a thread until the preparation was done: it began 0.17 s after the first on tesseract-test's
            // seven pages, all of them read by then. (Raw Tesseract in the benchmark runs one thread per engine too.)
            try
            {
                for (int number = 1; number <= _options.EffectiveWorkers; number++)
                {
                    int worker = number;
                    workers.Add(Task.Factory.StartNew(
                        () => RecogniseAll(worker, input, toEncode.Writer, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }

                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            catch (Exception) when (workers.Where(w => w.IsFaulted).SelectMany(w => w.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException) is { } first)
            {
                // The failure itself, not a worker stopped because of it.
                ExceptionDispatchInfo.Throw(first);
            }
        }
        catch (Exception ex)
        {
            failure = ex;

            // Workers already started when another could not be (no thread): stopped and waited for before the token goes.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        finally
        {
            toEncode.Writer.TryComplete(failure);
            try
            {
                await encoding.ConfigureAwait(false);
            }
            catch (Exception encoder) when (failure is not null)
            {
                // The OCR side's failure is the one reported, unless the OCR workers only stopped because the encoder failed.
                if (failure is OperationCanceledException && encoder is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    ExceptionDispatchInfo.Throw(encoder);
                }
            }
            finally
            {
                // Pages recognised after a failed encoder emptied the channel still hold native bitmaps.
                while (toEncode.Reader.TryRead(out Recognised? left))
                {
                    left.Page?.Dispose();
                }
            }
        }
    }

    /// <summary>Encodes previews and page images off the OCR workers' time, then passes each page on; completes <paramref name="output"/>.</summary>
    /// <remarks>Its own failure stops the OCR workers through <paramref name="stop"/>; theirs reaches it as the completion of <paramref name="input"/>.</remarks>
    private async Task EncodeAsync(ChannelReader<Recognised> input, ChannelWriter<PageItem> output, CancellationTokenSource stop, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.EncodeWorkers), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(input.ReadAllAsync(cancellationToken), parallel, async (item, ct) =>
            {
                PageItem page = item.Item;
                using (item.Page)
                {
                    if (item.Page is { } bitmap && page is PageText text)
                    {
                        page = text with
                        {
                            Preview = _options.Previews ? bitmap.ToPreviewJpeg() : default,
                            Image = _options.PageImages ? bitmap.ToPageImage(lossySource: item.LossySource) : default,
                        };
                    }
                }

                // The page's buffers are freed (here, or already by the OCR worker when nothing is encoded): every few OCRed
                // pages, give the heap's free pages back (see Libraries.ReleaseFreeHeapPages), so resident memory stays at
                // the working set however long the batch.
                if (item.Item is PageText { Origin: TextOrigin.Ocr } && Interlocked.Increment(ref _pagesSinceTrim) % PagesPerHeapTrim == 0)
                {
                    Interop.Libraries.ReleaseFreeHeapPages();
                }

                await output.WriteAsync(page, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;

            // The OCR workers stop too (they would wait for good to hand on their next page), and pages still queued
            // hold native bitmaps: free them.
            await stop.CancelAsync().ConfigureAwait(false);
            while (input.TryRead(out Recognised? left))
            {
                left.Page?.Dispose();
            }

            throw;
        }
        finally
        {
            output.TryComplete(failure);
        }
    }

    /// <summary>
    /// One OCR worker's thread: takes pages until <paramref name="input"/> completes, each recognised on the engine it
    /// takes when its first image page arrives (and gives back to <see cref="_idle"/> on the way out). A failure stops
    /// the other workers through <paramref name="stop"/>.
    /// </summary>
    private void RecogniseAll(int number, ChannelReader<PageItem> input, ChannelWriter<Recognised> output, CancellationTokenSource stop)
    {
        Thread.CurrentThread.Name = string.Create(CultureInfo.InvariantCulture, $"OCR worker {number}");
        CancellationToken cancellationToken = stop.Token;
        Worker? worker = null;
        bool failed = false;
        try
        {
            // Blocking waits are this thread's to spend: it has nothing else to do.
            while (input.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
            {
                while (input.TryRead(out PageItem? item))
                {
                    Recognised result = item switch
                    {
                        PageImage { Content: EncodedImage image } page => Recognise(worker ??= TakeWorker(), page, image),
                        PageImage { Content: TextLayer layer } page => new Recognised(FromTextLayer(page, layer), null),
                        _ => new Recognised(item, null),
                    };
                    try
                    {
                        output.WriteAsync(result, cancellationToken).AsTask().GetAwaiter().GetResult();
                    }
                    catch
                    {
                        result.Page?.Dispose();
                        throw;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // An engine that failed inside a page is not trusted with another run; one stopped by cancellation is.
            failed = ex is not OperationCanceledException;
            stop.Cancel();
            throw;
        }
        finally
        {
            if (worker is not null)
            {
                GiveBack(worker, failed);
            }
        }
    }

    /// <summary>Returns a worker to <see cref="_idle"/> for the next page or run; frees it instead when it failed or the stage is disposed.</summary>
    private void GiveBack(Worker worker, bool failed)
    {
        lock (_lock)
        {
            if (!failed && !_disposed)
            {
                _idle.Add(worker);
                return;
            }
        }

        worker.Dispose();
    }

    /// <summary>A worker for one OCR thread: an idle one (of this run or an earlier one), else a new one.</summary>
    private Worker TakeWorker()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        if (_idle.TryTake(out Worker? idle))
        {
            return idle;
        }

        long started = Stopwatch.GetTimestamp();
        var engine = new TesseractEngine(_options);
        LogEngineCreated(_options.Language, Libraries.OpenMpRuntime ?? "?", Libraries.TesseractImages ?? "?", (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new Worker(engine, new PageAnalyser(_qa));
    }

    /// <summary>Recognises one page on <paramref name="worker"/>.</summary>
    private Recognised Recognise(Worker worker, PageImage page, EncodedImage image)
    {
        PageBitmap? bitmap = null;
        PageBitmap? corrected = null;
        try
        {
            bitmap = PageBitmap.Decode(image.Data.Span, image.Format, image.Frame);
            if ((long)bitmap.Width * bitmap.Height > _options.MaxPixelsPerPage)
            {
                return new Recognised(new PageFailure(page.Source, page.PageNumber, page.PageCount, $"image_too_large: {bitmap.Width}x{bitmap.Height} pixels"), null);
            }

            int dpi = bitmap.Dpi > 0 ? bitmap.Dpi : image.DpiHint ?? _options.DefaultDpi;
            PageQuality? quality = null;
            IReadOnlyList<Barcode> barcodes = [];
            PixelBox? content = null;
            corrected = bitmap;
            if (_qa.Enabled)
            {
                // Orientation only when in doubt: before OCR for a page with no lines of text across it (it may be
                // sideways), and after OCR for a page that reads badly (it may be upside down; see below).
                PageAnalysis analysis = worker.Analyser.Analyse(bitmap, dpi, OrientationCheck.WhenSideways);
                (corrected, quality, barcodes, content) = (analysis.Page, analysis.Quality, analysis.Barcodes, analysis.Content);
            }

            if (quality is { Blank: true })
            {
                // Blank pages are kept and counted, never silently dropped, but not OCRed.
                return Hand(new PageText(page.Source, page.PageNumber, page.PageCount, string.Empty, [], 0f,
                    corrected.Width, corrected.Height, dpi, TextOrigin.Ocr, TimeSpan.Zero)
                {
                    Quality = quality,
                    Barcodes = barcodes,
                });
            }

            OcrResult result = worker.Engine.Recognise(corrected, dpi, content);
            LogPageRecognised(page.PageNumber, result.Words.Count, (long)result.Elapsed.TotalMilliseconds);
            ReadabilityStats? read = quality is null ? null : Readability.Measure(result.Words, quality.InkCoverage, barcodes.Count);
            if (read is { Unreadable: true } && _qa.DetectOrientation)
            {
                // In doubt: the page may be upside down or sideways. QA again (its barcodes were read the first time), and
                // OCR again only when the page turned another way reads better. A page turned over (180) before OCR is
                // tried as scanned: the up-down test that turned it can be fooled (a page of mostly descenders), and the
                // full check, whose up-down half is the same test, would only turn it over again. Any other page gets the
                // full check.
                OrientationCheck check = quality!.RotationDegrees == 180 ? OrientationCheck.Never : OrientationCheck.Always;
                PageAnalysis again = worker.Analyser.Analyse(bitmap, dpi, check, readBarcodes: false);
                (PageBitmap turned, PageQuality turnedQuality) = (again.Page, again.Quality);
                if (turnedQuality.RotationDegrees != quality.RotationDegrees)
                {
                    OcrResult second = worker.Engine.Recognise(turned, dpi, again.Content);
                    LogPageReadAgain(page.PageNumber, turnedQuality.RotationDegrees, second.Words.Count, (long)second.Elapsed.TotalMilliseconds);
                    ReadabilityStats secondRead = Readability.Measure(second.Words, turnedQuality.InkCoverage, barcodes.Count);
                    if (secondRead.ConfidentShare > read.ConfidentShare)
                    {
                        (result, read, quality) = (second, secondRead, turnedQuality);
                        (corrected, turned) = (turned, corrected);
                    }
                }

                if (!ReferenceEquals(turned, bitmap) && !ReferenceEquals(turned, corrected))
                {
                    turned.Dispose();
                }
            }

            if (quality is not null && read is { Unreadable: true })
            {
                quality = quality with { Unreadable = true };
            }

            return Hand(new PageText(page.Source, page.PageNumber, page.PageCount, result.Text, result.Words, result.MeanConfidence,
                result.WidthPx, result.HeightPx, result.Dpi, TextOrigin.Ocr, result.Elapsed)
            {
                Quality = quality,
                Barcodes = barcodes,
            });
        }
        catch (InvalidDataException ex)
        {
            return new Recognised(new PageFailure(page.Source, page.PageNumber, page.PageCount, "undecodable_image: " + ex.Message), null);
        }
        finally
        {
            // Whatever was not handed on to the encoder is freed here.
            if (!ReferenceEquals(corrected, bitmap))
            {
                corrected?.Dispose();
            }

            bitmap?.Dispose();
        }

        // The corrected page goes on to the encoder (which disposes it); the other bitmap is freed above.
        Recognised Hand(PageText text)
        {
            bool encode = _options.Previews || _options.PageImages;
            PageBitmap? handed = encode ? corrected : null;
            if (handed is not null)
            {
                if (ReferenceEquals(handed, bitmap))
                {
                    bitmap = null;
                }

                corrected = null;
            }

            return new Recognised(text, handed, image.Format == SourceFormat.Jpeg);
        }
    }

    /// <summary>Frees every idle engine. Call it after the last run; an engine handed back later is freed then.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        while (_idle.TryTake(out Worker? worker))
        {
            worker.Dispose();
        }
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

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "OCR engine created ({Language}; OpenMP runtime: {OpenMpRuntime}; Tesseract images: {TesseractImages}) in {Milliseconds} ms")]
    private partial void LogEngineCreated(string language, string openMpRuntime, string tesseractImages, long milliseconds);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Trace, Message = "Page {PageNumber} recognised: {Words} words in {Milliseconds} ms")]
    private partial void LogPageRecognised(int pageNumber, int words, long milliseconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Page {PageNumber} read badly and was recognised again turned {Degrees} degrees: {Words} words in {Milliseconds} ms")]
    private partial void LogPageReadAgain(int pageNumber, int degrees, int words, long milliseconds);

    /// <summary>
    /// A page on its way out, with the corrected bitmap its preview and page image are still to be encoded from (owned);
    /// <see cref="LossySource"/> when the page was scanned as JPEG (its page image may be JPEG too).
    /// </summary>
    private sealed record Recognised(PageItem Item, PageBitmap? Page, bool LossySource = false);

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
