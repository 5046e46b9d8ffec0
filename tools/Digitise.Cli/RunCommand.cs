using System.Diagnostics;
using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Indexing;
using Digitise.Ingest;
using Digitise.Ocr;
using Digitise.Pipeline;
using Digitise.Storage;
using Digitise.Ocr.Imaging;
using Digitise.Output;

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
}

/// <summary><c>digitise run</c>: the batch job end to end, then manifest.csv and a summary.</summary>
internal static class RunCommand
{
    public static async Task<int> ExecuteAsync(RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        Settings settings = Settings.Load(request.ConfigFile);
        OcrOptions ocr = request.Workers is int workers ? WithWorkers(settings.Ocr, workers) : settings.Ocr;
        string versions = TesseractEngine.Probe(ocr);
        if (!request.Quiet)
        {
            stderr.WriteLine($"digitise: OCR {versions}; {ocr.EffectiveWorkers} worker(s)");
        }

        Directory.CreateDirectory(request.OutDirectory);
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(request.Database, cancellationToken).ConfigureAwait(false);
        LocalFolderBlobStore blobs = BatchOutput.Blobs(request.Database);

        MpiReadResult mpi = MpiCsvReader.ReadFile(request.MpiFile);
        foreach (MpiRowIssue issue in mpi.Errors)
        {
            stderr.WriteLine($"digitise: {request.MpiFile}:{issue.LineNumber}: row skipped: {issue.Reason}");
        }

        MpiImportResult imported = await store.UpsertPatientsAsync(mpi.Patients, cancellationToken).ConfigureAwait(false);
        var patients = new List<Patient>();
        await foreach (Patient patient in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
        {
            patients.Add(patient);
        }

        var index = new InMemoryPatientIndex(patients);
        if (!request.Quiet)
        {
            stderr.WriteLine($"digitise: MPI {index.Count} patients ({imported.Imported} new, {imported.Updated} updated, {mpi.Errors.Count} bad rows)");
        }

        (ISourceDiscovery discovery, IPageSource pages) = IngestFactory.Create(settings.Ingest);
        SeparationOptions separation = request.Separate is null ? settings.Separation : new SeparationOptions
        {
            Modes = SeparationOptions.ParseModes(request.Separate),
            BlankRun = settings.Separation.BlankRun,
            PatchTValues = settings.Separation.PatchTValues,
            SeparatorPrefixes = settings.Separation.SeparatorPrefixes,
        };
        var pipeline = new DigitisePipeline(
            discovery,
            pages,
            new TesseractOcrStage(ocr, settings.Qa),
            new IdentifierExtractor(settings.Identifiers),
            await ModelCommand.CreateMatcherAsync(request.Database, patients, mpi.Patients, request.ConfigFile, stderr, cancellationToken).ConfigureAwait(false),
            store,
            settings.Pipeline,
            blobs,
            separation.Modes == SeparationModes.None ? null : new DocumentSeparator(separation),
            classifier: await Typing.DocumentTyping.CreateClassifierAsync(request.Database, settings.DocumentTypes, request.Quiet ? TextWriter.Null : stderr, cancellationToken).ConfigureAwait(false),
            queueUncertainTypes: settings.DocumentTypes.QueueUncertain);

        string batch = request.BatchName ?? "out:" + Path.GetFullPath(request.OutDirectory);
        var progress = request.Quiet ? null : new ConsoleProgress(stderr);
        PipelineSummary summary = await pipeline.RunAsync(request.Inputs, batch, progress, cancellationToken).ConfigureAwait(false);
        progress?.Finish();

        // Written even when interrupted (what finished is on record); searchable PDFs wait for the batch to finish.
        (IReadOnlyList<ManifestRow> rows, BatchReconciliation? account, string manifest, string reconciliation) =
            await BatchOutput.WriteAsync(store, blobs, summary.BatchId, request.OutDirectory, searchablePdfs: !summary.Cancelled, CancellationToken.None).ConfigureAwait(false);
        PrintSummary(stdout, summary, rows, manifest);
        if (account is not null)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  reconciliation {account.PagesIn} pages in = {account.PagesOcr} OCRed ({account.PagesUnreadable} unreadable by OCR) + {account.PagesTextLayer} text layer + {account.PagesBlank} blank + {account.PagesSeparator} separator + {account.PagesQuarantined} quarantined: {(account.Balances ? "balances" : "DOES NOT BALANCE")} ({reconciliation})"));
        }
        return summary.Cancelled ? 130 : 0;
    }

    public static OcrOptions WithWorkers(OcrOptions o, int workers) => new()
    {
        Workers = workers,
        TessdataPath = o.TessdataPath,
        Language = o.Language,
        DefaultDpi = o.DefaultDpi,
        MaxPixelsPerPage = o.MaxPixelsPerPage,
    };

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
