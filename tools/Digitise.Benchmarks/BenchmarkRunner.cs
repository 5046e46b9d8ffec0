using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Digitise.Ocr;

namespace Digitise.Benchmarks;

/// <summary>One line of the results table; <see cref="Note"/> set means the row did not run (or ran with a problem).</summary>
internal sealed record BenchRow(string Name, int Pages, double Seconds, long PeakKb, string? Note = null)
{
    public bool Ran => Seconds > 0;

    public double PagesPerSecond => Ran ? Pages / Seconds : 0;
}

/// <summary>Runs every row on the same corpus and prints a markdown report.</summary>
internal static partial class BenchmarkRunner
{
    public static async Task<int> RunAsync(BenchOptions options, TextWriter stdout, TextWriter log, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        string bench = Path.Combine(options.Root, "artifacts", "bench");
        string runDir = Path.Combine(bench, "runs", TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", inv));
        Directory.CreateDirectory(runDir);

        string? cliDll = await BuildCliAsync(options.Root, log, cancellationToken).ConfigureAwait(false);
        Corpus corpus = Corpus.GetOrCreate(bench, options.Pages, options.Seed, log);

        var rows = new List<BenchRow>();
        BenchRow ceiling = await CeilingAsync(corpus, options.Cores, Path.Combine(runDir, "ceiling"), log, cancellationToken).ConfigureAwait(false);
        rows.Add(await PipelineAsync(cliDll, corpus, Path.Combine(runDir, "pipeline"), $"Pipeline end to end (`digitise run`, {options.Cores} workers, QA + separation on)", log, cancellationToken).ConfigureAwait(false));
        rows.Add(ceiling);
        rows.Add(await TesseractCliAsync(corpus, options.Cores, Path.Combine(runDir, "tesseract-cli"), log, cancellationToken).ConfigureAwait(false));
        rows.Add(await OcrMyPdfAsync(corpus, options.Cores, Path.Combine(runDir, "ocrmypdf"), log, cancellationToken).ConfigureAwait(false));

        var memory = new List<BenchRow>();
        if (options.MemoryPages > 0)
        {
            foreach (int pages in new[] { options.MemoryPages / 10, options.MemoryPages })
            {
                Corpus batch = pages == corpus.Pages ? corpus : Corpus.GetOrCreate(bench, pages, options.Seed, log);
                memory.Add(await PipelineAsync(cliDll, batch, Path.Combine(runDir, string.Create(inv, $"memory-{pages}")), string.Create(inv, $"Pipeline, {pages}-page batch"), log, cancellationToken).ConfigureAwait(false));
            }
        }

        Print(stdout, options, corpus, rows, ceiling, memory);
        if (options.Keep)
        {
            log.WriteLine($"digitise-bench: outputs kept in {runDir}");
        }
        else
        {
            Directory.Delete(runDir, recursive: true);
        }

        return rows.Concat(memory).Any(r => r.Note is not null && r.Ran) ? 1 : 0;
    }

    /// <summary>Builds the CLI through the launcher (which rebuilds only when sources changed); null when that fails.</summary>
    private static async Task<string?> BuildCliAsync(string root, TextWriter log, CancellationToken cancellationToken)
    {
        log.WriteLine("digitise-bench: ./digitise check (builds artifacts/cli when stale) ...");
        ChildResult result = await ChildProcess.RunAsync(Path.Combine(root, "digitise"), ["check"], root, null, cancellationToken).ConfigureAwait(false);
        string dll = Path.Combine(root, "artifacts", "cli", "digitise.dll");
        if (result.ExitCode != 0 || !File.Exists(dll))
        {
            log.WriteLine($"digitise-bench: ./digitise check failed (exit {result.ExitCode}); the pipeline rows are skipped:\n{Tail(result.Stdout + result.Stderr)}");
            return null;
        }

        return dll;
    }

    private static async Task<BenchRow> PipelineAsync(string? cliDll, Corpus corpus, string work, string name, TextWriter log, CancellationToken cancellationToken)
    {
        if (cliDll is null)
        {
            return new BenchRow(name, corpus.Pages, 0, 0, "CLI did not build");
        }

        Directory.CreateDirectory(work);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digitise-bench: {name}: {corpus.Pages} pages ..."));
        string[] arguments =
        [
            cliDll, "run", corpus.DocumentsDirectory, "--mpi", corpus.MpiCsv, "--out", Path.Combine(work, "out"),
            "--db", Path.Combine(work, "fresh.db"), "-q",

            // As a bureau runs it: page QA (on by default) and every separation mode switched on.
            "--separate", "all",
        ];
        (ChildResult result, double seconds, long peakKb) = await MeasureAsync(
            monitor => ChildProcess.RunAsync("dotnet", arguments, work, monitor, cancellationToken)).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            log.WriteLine($"digitise-bench: digitise run failed (exit {result.ExitCode}):\n{Tail(result.Stderr + result.Stdout)}");
            return new BenchRow(name, corpus.Pages, seconds, peakKb, string.Create(CultureInfo.InvariantCulture, $"failed (exit {result.ExitCode})"));
        }

        Match ocred = OcredPages().Match(result.Stdout);
        int pages = ocred.Success ? int.Parse(ocred.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        return pages == corpus.Pages
            ? new BenchRow(name, corpus.Pages, seconds, peakKb)
            : new BenchRow(name, corpus.Pages, seconds, peakKb, string.Create(CultureInfo.InvariantCulture, $"OCRed {pages} of {corpus.Pages} pages"));
    }

    private static async Task<BenchRow> CeilingAsync(Corpus corpus, int cores, string work, TextWriter log, CancellationToken cancellationToken)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"Ceiling: raw Tesseract, {cores} threads x 1 reused engine");
        Directory.CreateDirectory(work);
        log.WriteLine($"digitise-bench: {name} ...");
        string self = Path.Combine(AppContext.BaseDirectory, "digitise-bench.dll");
        string[] arguments = [self, "ceiling", corpus.DocumentsDirectory, "--threads", cores.ToString(CultureInfo.InvariantCulture)];
        (ChildResult result, double seconds, long peakKb) = await MeasureAsync(
            monitor => ChildProcess.RunAsync("dotnet", arguments, work, monitor, cancellationToken)).ConfigureAwait(false);
        Match match = CeilingPages().Match(result.Stdout);
        int pages = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (result.ExitCode != 0 || pages != corpus.Pages)
        {
            log.WriteLine($"digitise-bench: ceiling failed (exit {result.ExitCode}):\n{Tail(result.Stdout + result.Stderr)}");
            return new BenchRow(name, corpus.Pages, seconds, peakKb, string.Create(CultureInfo.InvariantCulture, $"failed (exit {result.ExitCode}, {pages} pages)"));
        }

        return new BenchRow(name, pages, seconds, peakKb);
    }

    private static async Task<BenchRow> TesseractCliAsync(Corpus corpus, int cores, string work, TextWriter log, CancellationToken cancellationToken)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"`tesseract` CLI, 1 process per page, {cores} at a time");
        if (ChildProcess.Which("tesseract") is not string tesseract)
        {
            return new BenchRow(name, corpus.Pages, 0, 0, "not installed");
        }

        Directory.CreateDirectory(work);
        log.WriteLine($"digitise-bench: {name} ...");
        int failed = 0;
        (_, double seconds, long peakKb) = await MeasureAsync(async monitor =>
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = cores, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(corpus.PageFiles, parallel, async (file, ct) =>
            {
                ChildResult page = await ChildProcess.RunAsync(tesseract, [file, "stdout"], work, monitor, ct).ConfigureAwait(false);
                if (page.ExitCode != 0)
                {
                    Interlocked.Increment(ref failed);
                }
            }).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        return failed == 0
            ? new BenchRow(name, corpus.Pages, seconds, peakKb)
            : new BenchRow(name, corpus.Pages, seconds, peakKb, string.Create(CultureInfo.InvariantCulture, $"{failed} page(s) failed"));
    }

    private static async Task<BenchRow> OcrMyPdfAsync(Corpus corpus, int cores, string work, TextWriter log, CancellationToken cancellationToken)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"`ocrmypdf -j {cores}` on one image PDF");
        if (ChildProcess.Which("ocrmypdf") is not string ocrmypdf)
        {
            return new BenchRow(name, corpus.Pages, 0, 0, "not installed");
        }

        Directory.CreateDirectory(work);
        string pdf = corpus.EnsurePdf(log);
        log.WriteLine($"digitise-bench: {name} ...");
        string[] arguments = ["-j", cores.ToString(CultureInfo.InvariantCulture), "--output-type", "pdf", "--optimize", "0", "-q", pdf, Path.Combine(work, "out.pdf")];
        (ChildResult result, double seconds, long peakKb) = await MeasureAsync(
            monitor => ChildProcess.RunAsync(ocrmypdf, arguments, work, monitor, cancellationToken)).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            log.WriteLine($"digitise-bench: ocrmypdf failed (exit {result.ExitCode}):\n{Tail(result.Stderr + result.Stdout)}");
            return new BenchRow(name, corpus.Pages, seconds, peakKb, string.Create(CultureInfo.InvariantCulture, $"failed (exit {result.ExitCode})"));
        }

        return new BenchRow(name, corpus.Pages, seconds, peakKb);
    }

    private static async Task<(T Result, double Seconds, long PeakKb)> MeasureAsync<T>(Func<PeakMemoryMonitor, Task<T>> run)
    {
        var monitor = new PeakMemoryMonitor();
        await using (monitor.ConfigureAwait(false))
        {
            long started = Stopwatch.GetTimestamp();
            T result = await run(monitor).ConfigureAwait(false);
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return (result, seconds, monitor.PeakKb);
        }
    }

    private static void Print(TextWriter o, BenchOptions options, Corpus corpus, List<BenchRow> rows, BenchRow ceiling, List<BenchRow> memory)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(inv, $"## Digitise benchmark, {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC"));
        o.WriteLine();
        foreach (string line in MachineInfo.Describe(options.Cores))
        {
            o.WriteLine("- " + line);
        }

        o.WriteLine(string.Create(inv, $"- Corpus: {corpus.Pages} pages in {corpus.Documents} generated scans (multi-page TIFF G4/LZW/uncompressed, PNG, JPEG; seed {options.Seed}); the same pages for every row (one file per page for `tesseract`, one image PDF for ocrmypdf)"));
        o.WriteLine("- Wall time of child processes started by the benchmark (start-up and model loading included); OMP_THREAD_LIMIT=1; peak memory = max resident memory of the child process tree (summed over concurrent processes)");
        o.WriteLine();
        o.WriteLine("| Run | Pages | Seconds | Pages/s | vs ceiling | Peak memory |");
        o.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (BenchRow row in rows)
        {
            string ratio = row.Ran && ceiling.Ran && ceiling.Note is null ? (row.PagesPerSecond / ceiling.PagesPerSecond).ToString("0.00", inv) : "-";
            o.WriteLine(Cells(row, ratio));
        }

        if (memory.Count == 2)
        {
            o.WriteLine();
            o.WriteLine("| Memory | Pages | Seconds | Pages/s | | Peak memory |");
            o.WriteLine("|---|---:|---:|---:|---:|---:|");
            memory.ForEach(row => o.WriteLine(Cells(row, string.Empty)));
            string growth = memory.All(r => r.Ran && r.PeakKb > 0) ? (memory[1].PeakKb / (double)memory[0].PeakKb).ToString("0.00", inv) + "x" : "-";
            o.WriteLine(string.Create(inv, $"| Peak memory ratio, {memory[1].Pages} vs {memory[0].Pages} pages | | | | | {growth} |"));
        }
    }

    private static string Cells(BenchRow row, string ratio)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!row.Ran)
        {
            return string.Create(inv, $"| {row.Name} | {row.Pages} | {row.Note} | | | |");
        }

        string note = row.Note is null ? string.Empty : $" ({row.Note})";
        return string.Create(inv, $"| {row.Name}{note} | {row.Pages} | {row.Seconds:0.0} | {row.PagesPerSecond:0.00} | {ratio} | {row.PeakKb / 1024.0:0} MiB |");
    }

    private static string Tail(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', lines.TakeLast(15));
    }

    [GeneratedRegex(@"this run\s+(\d+) OCRed")]
    private static partial Regex OcredPages();

    [GeneratedRegex(@"^pages (\d+)", RegexOptions.Multiline)]
    private static partial Regex CeilingPages();
}

/// <summary>The lines describing the machine and the OCR stack.</summary>
internal static class MachineInfo
{
    public static IEnumerable<string> Describe(int cores)
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        string memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } total
                ? string.Create(CultureInfo.InvariantCulture, $"{long.Parse(total.AsSpan(9).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / (1024.0 * 1024.0):0.0} GiB RAM")
                : "?"
            : "?";
        string os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"') ?? RuntimeInformation.OSDescription
            : RuntimeInformation.OSDescription;
        yield return string.Create(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores ({cores} used), {cpu}, {memory}, {os}");
        string ocr;
        try
        {
            ocr = TesseractEngine.Probe(new OcrOptions());
        }
        catch (OcrUnavailableException ex)
        {
            ocr = ex.Message;
        }

        yield return $"OCR: {ocr}; {RuntimeInformation.FrameworkDescription}; ocrmypdf {OcrMyPdfVersion()}";
    }

    private static string OcrMyPdfVersion()
    {
        if (ChildProcess.Which("ocrmypdf") is null)
        {
            return "not installed";
        }

        using var process = Process.Start(new ProcessStartInfo("ocrmypdf", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
        if (process is null)
        {
            return "?";
        }

        string version = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return version;
    }
}
