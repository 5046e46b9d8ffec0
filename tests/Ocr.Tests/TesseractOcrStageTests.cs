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

    /// <summary>Runs one PNG page through a one-worker stage and returns what it made of it.</summary>
    internal static async Task<PageText> RecogniseAsync(string file, ILogger<TesseractOcrStage> log)
    {
        byte[] png = await File.ReadAllBytesAsync(file);
        var input = Channel.CreateUnbounded<PageItem>();
        var output = Channel.CreateUnbounded<PageItem>();
        var source = new SourceFile(file, Path.GetFileName(file), new string('0', 64), png.Length);
        await input.Writer.WriteAsync(new PageImage(source, 1, 1, new EncodedImage(png, SourceFormat.Png, 0, 300)));
        input.Writer.Complete();

        await new TesseractOcrStage(new OcrOptions { Workers = 1, Previews = false, PageImages = false }, logger: log).RunAsync(input.Reader, output.Writer, CancellationToken.None);

        return Assert.IsType<PageText>(Assert.Single(await output.Reader.ReadAllAsync().ToListAsync()));
    }
}

/// <summary>Records the event ids logged, at every level.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly List<int> _events = [];

    public int Count(int eventId)
    {
        lock (_events)
        {
            return _events.Count(e => e == eventId);
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_events)
        {
            _events.Add(eventId.Id);
        }
    }
}
