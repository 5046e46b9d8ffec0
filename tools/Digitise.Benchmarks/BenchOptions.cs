using System.Globalization;

namespace Digitise.Benchmarks;

/// <summary>Command-line options of the benchmark.</summary>
internal sealed class BenchOptions
{
    /// <summary>Pages in the corpus every throughput row runs on.</summary>
    public int Pages { get; init; } = 100;

    /// <summary>Pages of the large batch in the memory row (the small batch has a tenth); 0 skips the row.</summary>
    public int MemoryPages { get; init; } = 1000;

    /// <summary>Pages of the corpus made another way (text2image letters); 0 skips it.</summary>
    public int OtherPages { get; init; } = 60;

    /// <summary>Handwritten pages in the unreadable-flag check (as many typed, half as many poor scans); 0 skips it.</summary>
    public int ReadabilityPages { get; init; } = 20;

    /// <summary>Sample generator seed; corpora are cached per size and seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Runs of raw Tesseract and of the pipeline per corpus, alternating (raw, pipeline, raw, ...); each throughput figure is
    /// their median. The `tesseract` command-line, ocrmypdf and memory rows run once.
    /// </summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Parallelism of the ceiling, the tesseract command line and ocrmypdf (default: every core).</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>Skip the `tesseract` command-line and ocrmypdf rows (raw Tesseract stays the reference in every corpus).</summary>
    public bool SkipOtherTools { get; init; }

    /// <summary>Keep the outputs of the runs (manifests, databases, PDFs) under artifacts/bench/runs.</summary>
    public bool Keep { get; init; }

    /// <summary>Repository root (holds Digitise.sln and the ./digitise launcher).</summary>
    public required string Root { get; init; }

    public const string Usage =
        "usage: digitise-bench [--pages N (100)] [--memory-pages M (1000; 0 skips the memory row)] [--other-pages N (60; 0 skips)] [--readability N (20; 0 skips)] [--no-other-tools] [--repeat R (1; raw and pipeline alternately R times, medians)] [--seed S (1)] [--cores C (all)] [--keep] [--root DIR]\n" +
        "       digitise-bench ceiling DIR [--threads N]";

    public static BenchOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        int pages = 100, memoryPages = 1000, seed = 1, cores = Environment.ProcessorCount, otherPages = 60, readability = 20, repeat = 1;
        bool keep = false, skipOtherTools = false;
        string? root = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                error.WriteLine(Usage);
                return null;
            }

            if (arg == "--keep")
            {
                keep = true;
                continue;
            }

            if (arg == "--no-other-tools")
            {
                skipOtherTools = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error.WriteLine($"digitise-bench: {arg} needs a value (or is unknown)\n{Usage}");
                return null;
            }

            string value = args[++i];
            bool ok = arg switch
            {
                "--pages" => TryCount(value, 1, out pages),
                "--memory-pages" => TryCount(value, 0, out memoryPages),
                "--other-pages" => TryCount(value, 0, out otherPages),
                "--readability" => TryCount(value, 0, out readability),
                "--repeat" => TryCount(value, 1, out repeat),
                "--seed" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed),
                "--cores" => TryCount(value, 1, out cores),
                "--root" => (root = value) is not null,
                _ => false,
            };
            if (!ok)
            {
                error.WriteLine($"digitise-bench: bad option {arg} {value}\n{Usage}");
                return null;
            }
        }

        if (memoryPages is > 0 and < 10)
        {
            error.WriteLine("digitise-bench: --memory-pages must be 0 (skip) or at least 10 (the small batch is a tenth of it)");
            return null;
        }

        root ??= FindRoot(Directory.GetCurrentDirectory()) ?? FindRoot(AppContext.BaseDirectory);
        if (root is null || !File.Exists(Path.Combine(root, "Digitise.sln")))
        {
            error.WriteLine("digitise-bench: run it from the repository (no Digitise.sln found above the working folder) or pass --root DIR");
            return null;
        }

        return new BenchOptions { Pages = pages, MemoryPages = memoryPages, OtherPages = otherPages, ReadabilityPages = readability, Repeat = repeat, SkipOtherTools = skipOtherTools, Seed = seed, Cores = cores, Keep = keep, Root = Path.GetFullPath(root) };
    }

    private static bool TryCount(string value, int min, out int count) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out count) && count >= min;

    private static string? FindRoot(string start)
    {
        for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Digitise.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
