using System.Diagnostics;
using System.Globalization;
using Digitise.Domain;
using Digitise.Hosting;
using Digitise.Indexing;
using Digitise.Classification;
using Digitise.Indexing.Matching;
using Digitise.Ingest;
using Digitise.Ocr;
using Digitise.Pipeline;
using Digitise.Storage;
using Microsoft.Extensions.Logging;

namespace Digitise.Cli;

/// <summary>Everything <c>digitise run</c> was asked to do.</summary>
internal sealed record RunRequest(
    IReadOnlyList<string> Inputs,
    string MpiFile,
    string OutDirectory,
    string Database,
    string? BatchName,
    int? Workers,
    string? ConfigFile,
    bool Quiet)
{
    /// <summary>--separate: overrides Separation:Modes for this batch.</summary>
    public string? Separate { get; init; }

    /// <summary>--blobs: where page images and sources are archived (default: the store's own, e.g. blobs/ beside a SQLite file).</summary>
    public string? Blobs { get; init; }

    /// <summary>-v: information messages on the console.</summary>
    public bool Verbose { get; init; }
}

/// <summary><c>digitise run</c>: the batch job end to end, then manifest.csv and a summary.</summary>
internal static partial class RunCommand
{
    public static async Task<int> ExecuteAsync(RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        await using DigitiseHost host = DigitiseHost.Create(new HostRequest(request.Database, request.Blobs, request.ConfigFile, Overrides(request))
        {
            Verbose = request.Verbose,
            LogFile = Path.Combine(request.OutDirectory, BatchLogProvider.FileName),
        });
        OcrOptions ocr = host.Get<OcrOptions>();
        IBlobStore blobs = host.Get<IBlobStore>(); // a missing --blobs is named now, before anything is read
        string versions = TesseractEngine.Probe(ocr);
        if (!request.Quiet)
        {
            stderr.WriteLine($"digitise: OCR {versions}; {ocr.EffectiveWorkers} worker(s)");
        }

        Directory.CreateDirectory(request.OutDirectory);
        await using IDigitiseStore store = await host.Storage.OpenStoreAsync(cancellationToken).ConfigureAwait(false);

        // The MPI import, the patient index and the models take a second or more of one core (much more on a large MPI):
        // they are prepared while the first pages are read and OCRed, and the first document waits for them.
        using var preparing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<DecisionModels> models = Task.Run(() => PrepareAsync(request, host, store, stderr, preparing.Token), preparing.Token);
        SeparationOptions separation = host.Get<SeparationOptions>();
        var pipeline = new DigitisePipeline(
            host.Get<ISourceDiscovery>(),
            host.Get<IPageSource>(),
            host.Get<IOcrStage>(),
            host.Get<IIdentifierExtractor>(),
            models,
            store,
            host.Get<PipelineOptions>(),
            blobs,
            separation.Modes == SeparationModes.None ? null : new DocumentSeparator(separation),
            host.Logger<DigitisePipeline>(),
            queueUncertainTypes: host.Get<DocumentTypeOptions>().QueueUncertain);

        string batch = request.BatchName ?? "out:" + Path.GetFullPath(request.OutDirectory);
        var progress = request.Quiet ? null : new ConsoleProgress(stderr);
        PipelineSummary summary;
        try
        {
            summary = await pipeline.RunAsync(request.Inputs, batch, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A run that ends early (a fault, Ctrl+C before the first document) stops the preparation and waits for it,
            // so the store is not closed under an import; the preparation's own failure, if any, is the run's to report.
            await preparing.CancelAsync().ConfigureAwait(false);
            await ((Task)models).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        progress?.Finish();

        // This host runs the pipeline once: its OCR engines (kept by the stage for a next run, as a worker's are) are
        // freed now, not after the outputs, so writing them does not add to the run's peak memory.
        (host.Get<IOcrStage>() as IDisposable)?.Dispose();

        // Written even when interrupted (what finished is on record); searchable PDFs wait for the batch to finish.
        (IReadOnlyList<ManifestRow> rows, BatchReconciliation? account, string manifest, string reconciliation) =
            await BatchOutput.WriteAsync(store, blobs, summary.BatchId, request.OutDirectory, searchablePdfs: !summary.Cancelled, CancellationToken.None).ConfigureAwait(false);
        PrintSummary(stdout, summary, rows, manifest);
        if (account is not null)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  reconciliation {account.PagesIn} pages in = {account.PagesOcr} OCRed ({account.PagesUnreadable} unreadable by OCR) + {account.PagesTextLayer} text layer + {account.PagesBlank} blank + {account.PagesSeparator} separator + {account.PagesQuarantined} quarantined: {(account.Balances ? "balances" : "DOES NOT BALANCE")} ({reconciliation})"));
        }

        return summary.Cancelled ? ExitCodes.Interrupted : ExitCodes.Success;
    }

    /// <summary>The run's flags as settings: they override digitise.json and the environment, and nothing else.</summary>
    internal static Dictionary<string, string?> Overrides(RunRequest request)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (request.Workers is int workers)
        {
            overrides["Ocr:Workers"] = workers.ToString(CultureInfo.InvariantCulture);
        }

        if (request.Separate is string separate)
        {
            try
            {
                overrides["Separation:Modes"] = SeparationOptions.ParseModes(separate).ToString();
            }
            catch (FormatException ex)
            {
                throw new ConfigurationException("--separate", separate, "must be none, all, or a comma list of patch, barcode, blank, identifiers", ex);
            }
        }

        return overrides;
    }

    /// <summary>Imports the MPI, reads it back (merges and earlier imports included) into the one index the matcher uses, and loads the models.</summary>
    private static async Task<DecisionModels> PrepareAsync(RunRequest request, DigitiseHost host, IDigitiseStore store, TextWriter stderr, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        (MpiImportResult imported, int badRows) = await ImportMpiAsync(request.MpiFile, store, stderr, cancellationToken).ConfigureAwait(false);
        TimeSpan import = Stopwatch.GetElapsedTime(started);
        var patients = new List<Patient>();
        await foreach (Patient patient in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
        {
            patients.Add(patient);
        }

        var index = new PatientIndex(patients);
        TimeSpan indexed = Stopwatch.GetElapsedTime(started);
        if (!request.Quiet)
        {
            stderr.WriteLine($"digitise: MPI {index.Count} patients ({imported.Imported} new, {imported.Updated} updated, {badRows} bad rows)");
        }

        FellegiSunterMatcher matcher = await ModelCommand.CreateMatcherAsync(host.Get<IModelStore>(), index, host.Get<MatchingOptions>(), stderr, cancellationToken).ConfigureAwait(false);
        TimeSpan matching = Stopwatch.GetElapsedTime(started);
        DocumentTypeClassifier classifier = await Typing.DocumentTyping.CreateClassifierAsync(
            host.Storage, host.Get<DocumentTypeOptions>(), request.Quiet ? TextWriter.Null : stderr, cancellationToken).ConfigureAwait(false);
        TimeSpan total = Stopwatch.GetElapsedTime(started);
        LogPrepared(host.Logger<RunRequest>(), (long)import.TotalMilliseconds, (long)(indexed - import).TotalMilliseconds,
            (long)(matching - indexed).TotalMilliseconds, (long)(total - matching).TotalMilliseconds);
        return new DecisionModels(matcher, classifier);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Prepared the deciders beside OCR: MPI import {ImportMs} ms, index {IndexMs} ms, matcher {MatcherMs} ms, document types {TypesMs} ms")]
    private static partial void LogPrepared(ILogger logger, long importMs, long indexMs, long matcherMs, long typesMs);

    /// <summary>Reads the MPI file and applies it to the store; the rows read are dropped once stored.</summary>
    private static async Task<(MpiImportResult Imported, int BadRows)> ImportMpiAsync(string path, IDigitiseStore store, TextWriter stderr, CancellationToken cancellationToken)
    {
        MpiReadResult mpi = MpiCsvReader.ReadFile(path);
        foreach (MpiRowIssue issue in mpi.Errors)
        {
            stderr.WriteLine($"digitise: {path}:{issue.LineNumber}: row skipped: {issue.Reason}");
        }

        MpiImportResult imported = await store.UpsertPatientsAsync(mpi.Patients, cancellationToken).ConfigureAwait(false);
        return (imported, mpi.Errors.Count);
    }

    private static void PrintSummary(TextWriter stdout, PipelineSummary summary, IReadOnlyList<ManifestRow> rows, string manifest)
    {
        var inv = CultureInfo.InvariantCulture;
        int pages = rows.Sum(r => r.Pages);
        stdout.WriteLine(summary.Cancelled ? "Batch interrupted (Ctrl+C): finished documents are stored; rerun the same command to go on." : "Batch complete.");
        stdout.WriteLine(string.Create(inv, $"  documents      {rows.Count,8}"));
        foreach (DocumentStatus status in Enum.GetValues<DocumentStatus>())
        {
            int count = rows.Count(r => r.Status == status);
            if (count == 0 && status > DocumentStatus.Quarantined)
            {
                continue;
            }

            double share = rows.Count == 0 ? 0 : 100.0 * count / rows.Count;
            stdout.WriteLine(string.Create(inv, $"    {status.ToWire(),-20} {count,6}  ({share,5:0.0}%)"));
        }

        stdout.WriteLine(string.Create(inv, $"  pages          {pages,8}"));
        stdout.WriteLine(string.Create(inv, $"  this run       {summary.PagesRecognised - summary.PagesReused,8} OCRed, {summary.PagesFromTextLayer} from text layers, {summary.PagesBlank} blank, {summary.PagesSeparator} separator sheets, {summary.PagesFailed} unreadable, {summary.PagesReused} reused from an interrupted run, {summary.FilesSkipped} file(s) already done"));
        stdout.WriteLine(string.Create(inv, $"  elapsed        {summary.Elapsed.TotalSeconds,8:0.0} s  ({summary.PagesPerSecond:0.00} pages/s)"));
        stdout.WriteLine(string.Create(inv, $"  peak memory    {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),8:0} MiB"));
        stdout.WriteLine($"  manifest       {manifest}");
        stdout.WriteLine($"  log            {Path.Combine(Path.GetDirectoryName(manifest)!, BatchLogProvider.FileName)}");
    }
}

/// <summary>Progress on stderr: one line updated in place on a terminal, a line every 10 s otherwise.</summary>
internal sealed class ConsoleProgress(TextWriter writer) : IProgress<PipelineProgress>
{
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private long _lastLine;

    public void Report(PipelineProgress value)
    {
        string line = string.Create(CultureInfo.InvariantCulture,
            $"  files {value.FilesFound} ({value.FilesSkipped} done before) | pages read {value.PagesRead}, recognised {value.PagesRecognised} | documents {value.DocumentsDone} | {value.Elapsed:hh\\:mm\\:ss} | {(value.Elapsed.TotalSeconds > 0 ? value.PagesRecognised / value.Elapsed.TotalSeconds : 0):0.00} pages/s");
        if (_interactive)
        {
            lock (writer)
            {
                writer.Write("\r" + line.PadRight(120));
            }
        }
        else if (Environment.TickCount64 - Interlocked.Read(ref _lastLine) >= 10_000)
        {
            Interlocked.Exchange(ref _lastLine, Environment.TickCount64);
            writer.WriteLine(line);
        }
    }

    public void Finish()
    {
        if (_interactive)
        {
            writer.WriteLine();
        }
    }
}
