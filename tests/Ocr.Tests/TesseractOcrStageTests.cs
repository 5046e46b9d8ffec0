using System.Threading.Channels;
using Digitise.Benchmarks;
using Digitise.Domain;
using Digitise.Testing;
using Microsoft.Extensions.Logging;

namespace Digitise.Ocr.Tests;

/// <summary>The OCR stage's handling of turned pages, through the real stage and Tesseract.</summary>
public sealed class TesseractOcrStageTests
{
    private static string Tesseract => TestPaths.Shared("corpora", "tesseract-test");

    [CorpusFact]
    public async Task RunAsync_UpsideDownPage_TurnedBeforeOcrAndReadOnce()
    {
        var log = new RecordingLogger<TesseractOcrStage>();

        PageText page = await RecogniseAsync(Path.Combine(Tesseract, "phototest-rotated-180.png"), log);

        Assert.Equal(180, page.Quality!.RotationDegrees);
        Assert.Equal((1, 0), (log.Count(3002), log.Count(3003)));
        double cer = CharacterErrorRate.Of(page.Text, File.ReadAllText(Path.Combine(Tesseract, "phototest.txt")));
        Assert.True(cer <= 0.1, $"character error rate {cer:P1}");
    }

    /// <summary>
    /// A scale-out worker runs the pipeline once per file: the second file (here, a second run of the same stage) reads
    /// on the engines the first one initialised, instead of initialising new ones.
    /// </summary>
    [CorpusFact]
    public async Task RunAsync_SecondRunOfOneStage_ReusesTheFirstRunsEngines()
    {
        var log = new RecordingLogger<TesseractOcrStage>();
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = false }, logger: log);
        string file = Path.Combine(Tesseract, "phototest-rotated-R.png");

        PageText first = await RecogniseAsync(stage, file, pages: 2);
        int engines = log.Count(3001);
        PageText second = await RecogniseAsync(stage, file, pages: 2);

        Assert.Equal(1, engines);
        Assert.Equal(1, log.Count(3001));
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(4, log.Count(3002));
    }

    /// <summary>
    /// Pages are recognised on the workers' own threads, not the thread pool's: a page blocks its thread for a second or
    /// more, and on two cores the pool's two threads are also what the run's other work waits for (on the pool, the
    /// second worker of a benchmark run started 0.17 s late, behind the matcher's preparation).
    /// </summary>
    [CorpusFact]
    public async Task RunAsync_Pages_RecognisedOnTheWorkersOwnThreads()
    {
        var log = new RecordingLogger<TesseractOcrStage>();
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 2, Previews = false, PageImages = false }, logger: log);

        await RecogniseAsync(stage, Path.Combine(Tesseract, "phototest-rotated-R.png"), pages: 3);

        IReadOnlyList<(bool Pool, string? Name)> threads = log.ThreadsOf(3002);
        Assert.Equal(3, threads.Count);
        Assert.All(threads, t => Assert.False(t.Pool, "a page was recognised on a thread-pool thread"));
        Assert.All(threads, t => Assert.Matches("^OCR worker [12]$", t.Name ?? string.Empty));
    }

    /// <summary>
    /// When the encoder fails (here: the stage's output is already closed), the OCR workers stop instead of waiting for
    /// good to hand on their next page, and the encoder's failure is what the run reports.
    /// </summary>
    [CorpusFact]
    public async Task RunAsync_EncoderFails_WorkersStopAndItsFailureIsReported()
    {
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = true, PageImages = false });
        byte[] png = await File.ReadAllBytesAsync(Path.Combine(Tesseract, "phototest-rotated-R.png"));
        var input = Channel.CreateUnbounded<PageItem>();
        var output = Channel.CreateUnbounded<PageItem>();
        var source = new SourceFile("p.png", "p.png", new string('0', 64), png.Length);
        for (int page = 1; page <= 6; page++)
        {
            await input.Writer.WriteAsync(new PageImage(source, page, 6, new EncodedImage(png, SourceFormat.Png, 0, 300)));
        }

        input.Writer.Complete();
        output.Writer.Complete();

        // Only a breaker for the old hang (the workers blocked for good), not a time limit: a stage that hangs is then
        // cancelled, and fails the test with OperationCanceledException instead of the encoder's failure.
        using var breaker = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<ChannelClosedException>(() => stage.RunAsync(input.Reader, output.Writer, breaker.Token));
    }

    [CorpusFact]
    public async Task Dispose_AfterARun_StageRefusesAnotherPage()
    {
        var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = false });
        await RecogniseAsync(stage, Path.Combine(Tesseract, "phototest-rotated-R.png"), pages: 1);

        stage.Dispose();
        stage.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => RecogniseAsync(stage, Path.Combine(Tesseract, "phototest-rotated-R.png"), pages: 1));
    }

    /// <summary>Runs one PNG page through a one-worker stage and returns what it made of it.</summary>
    internal static async Task<PageText> RecogniseAsync(string file, ILogger<TesseractOcrStage> log)
    {
        using var stage = new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = false }, logger: log);

        return await RecogniseAsync(stage, file, pages: 1);
    }

    /// <summary>Runs <paramref name="pages"/> copies of one PNG page through <paramref name="stage"/> and returns the last page read.</summary>
    private static async Task<PageText> RecogniseAsync(TesseractOcrStage stage, string file, int pages)
    {
        byte[] png = await File.ReadAllBytesAsync(file);
        var input = Channel.CreateUnbounded<PageItem>();
        var output = Channel.CreateUnbounded<PageItem>();
        var source = new SourceFile(file, Path.GetFileName(file), new string('0', 64), png.Length);
        for (int page = 1; page <= pages; page++)
        {
            await input.Writer.WriteAsync(new PageImage(source, page, pages, new EncodedImage(png, SourceFormat.Png, 0, 300)));
        }

        input.Writer.Complete();

        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        List<PageItem> read = await output.Reader.ReadAllAsync().ToListAsync();
        Assert.Equal(pages, read.Count);
        return Assert.IsType<PageText>(read.OrderBy(p => p.PageNumber).Last());
    }
}

/// <summary>Records the event ids logged, at every level, and the thread each was logged on.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly List<(int Id, bool Pool, string? Name)> _events = [];

    public int Count(int eventId)
    {
        lock (_events)
        {
            return _events.Count(e => e.Id == eventId);
        }
    }

    /// <summary>For each <paramref name="eventId"/> logged: whether it was on a thread-pool thread, and the thread's name.</summary>
    public IReadOnlyList<(bool Pool, string? Name)> ThreadsOf(int eventId)
    {
        lock (_events)
        {
            return [.. _events.Where(e => e.Id == eventId).Select(e => (e.Pool, e.Name))];
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_events)
        {
            _events.Add((eventId.Id, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
        }
    }
}
