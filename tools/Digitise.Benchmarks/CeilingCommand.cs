using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Digitise.Domain;
using Digitise.Formats;
using Digitise.Ocr;

namespace Digitise.Benchmarks;

/// <summary>
/// <c>digitise-bench ceiling DIR [--threads N] [--text OUTDIR]</c>: the fastest this machine OCRs the pages with Tesseract: one
/// thread per core, each with one <see cref="TesseractEngine"/> created once, decoding every page (TIFF frames too)
/// and recognising it; nothing else. Run it with OMP_THREAD_LIMIT=1 in its environment, and DIGITISE_OPENMP=libgomp and
/// DIGITISE_TESSERACT_IMAGES=shipped for Tesseract as Debian ships it (otherwise the serial OpenMP runtime and the faster
/// Leptonica calls are loaded, as in the pipeline). Prints <c>pages N failed F seconds S</c>, then <c>openmp RUNTIME</c>
/// and <c>tesseract-images HOW</c>.
/// </summary>
internal static class CeilingCommand
{
    private sealed record PageItem(string Path, SourceFormat Format, int Frame);

    public static int Run(ReadOnlySpan<string> args)
    {
        int threads = Environment.ProcessorCount;
        string? textDir = null;
        bool ok = args.Length is 1 or 3 or 5 && Directory.Exists(args[0]);
        for (int a = 1; ok && a + 1 < args.Length; a += 2)
        {
            switch (args[a])
            {
                case "--threads":
                    ok = int.TryParse(args[a + 1], NumberStyles.None, CultureInfo.InvariantCulture, out threads) && threads >= 1;
                    break;
                case "--text":
                    textDir = args[a + 1];
                    break;
                default:
                    ok = false;
                    break;
            }
        }

        if (!ok)
        {
            Console.Error.WriteLine("usage: digitise-bench ceiling DIR [--threads N] [--text OUTDIR]");
            return 2;
        }

        if (textDir is not null)
        {
            Directory.CreateDirectory(textDir);
        }

        var items = new List<PageItem>();
        foreach (string file in Directory.EnumerateFiles(args[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            SourceFormat format = Corpus.FormatOf(file);
            int frames = format switch
            {
                SourceFormat.Tiff => CountTiffFrames(File.ReadAllBytes(file)),
                SourceFormat.Png or SourceFormat.Jpeg => 1,
                _ => 0,
            };
            for (int frame = 0; frame < frames; frame++)
            {
                items.Add(new PageItem(file, format, frame));
            }
        }

        var options = new OcrOptions();
        int next = -1, pages = 0, failed = 0;
        long started = Stopwatch.GetTimestamp();
        var workers = new List<Thread>();
        for (int t = 0; t < threads; t++)
        {
            var worker = new Thread(() =>
            {
                using var engine = new TesseractEngine(options);
                int i;
                while ((i = Interlocked.Increment(ref next)) < items.Count)
                {
                    PageItem item = items[i];
                    try
                    {
                        OcrResult result = engine.Recognise(File.ReadAllBytes(item.Path), item.Format, item.Frame);
                        if (textDir is not null)
                        {
                            // For character error rates: STEM.FRAME.txt (written after the page, so it costs the row nothing).
                            File.WriteAllText(Path.Combine(textDir, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(item.Path)}.{item.Frame}.txt")), result.Text);
                        }

                        Interlocked.Increment(ref pages);
                    }
                    catch (InvalidDataException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            });
            worker.Start();
            workers.Add(worker);
        }

        workers.ForEach(w => w.Join());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages {pages} failed {failed} seconds {Stopwatch.GetElapsedTime(started).TotalSeconds:0.000}"));
        Console.WriteLine($"openmp {OcrPrerequisites.OpenMpRuntime ?? "?"}");
        Console.WriteLine($"tesseract-images {OcrPrerequisites.TesseractImages ?? "?"}");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Counts the pages of a classic (not Big) TIFF; throws for a file the pipeline would quarantine.</summary>
    internal static int CountTiffFrames(ReadOnlySpan<byte> data) => TiffStructure.ReadPages(data).Count;
}
