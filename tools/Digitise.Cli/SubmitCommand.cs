using System.CommandLine;
using System.Globalization;
using Digitise.Domain;
using Digitise.Indexing;
using Digitise.Ingest;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary>
/// <c>digitise submit INPUT... --batch NAME --mpi FILE --db CONN --blobs CONN --queue CONN</c>: the distributed form of
/// <c>run</c>'s first half. Imports the MPI, archives each source file once (by SHA-256) in the blob store, records it
/// in the batch, enqueues one work item per file for <c>digitise worker</c>s, prints the batch and exits.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create(Option<string> db, Option<string?> blobs, Option<string?> queue, Option<string?> config)
    {
        var inputs = new Argument<string[]>("INPUT") { Description = "Scanned files or folders (searched recursively), as for run.", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<string>("--batch") { Description = "Batch name (report and export find the batch by it).", Required = true };
        var mpi = new Option<string>("--mpi") { Description = "Master patient index CSV, imported into the database before the work is queued.", Required = true };
        var command = new Command("submit", "Queue a batch for digitise workers: import the MPI, upload each source file once (by hash), enqueue one work item per file, print the batch and exit.")
        {
            inputs, batch, mpi, db, blobs, queue, config,
        };
        command.SetAction((parse, ct) => ExecuteAsync(
            parse.GetValue(inputs)!, parse.GetValue(batch)!, parse.GetValue(mpi)!, parse.GetValue(db)!, parse.GetValue(blobs), parse.GetValue(queue),
            parse.GetValue(config), Console.Out, Console.Error, ct));
        return command;
    }

    public static async Task<int> ExecuteAsync(
        IReadOnlyList<string> inputs, string batchName, string mpiFile, string database, string? blobs, string? queue, string? configFile,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        Settings settings = Settings.Load(configFile);
        StorageSettings storage = StorageSettings.Load(configFile);
        await using IDigitiseStore store = await Providers.OpenStoreAsync(database, cancellationToken).ConfigureAwait(false);
        IBlobStore blobStore = await Providers.OpenBlobsAsync(blobs, database, storage, cancellationToken).ConfigureAwait(false);
        IWorkQueue work = await Providers.OpenQueueAsync(queue, storage, cancellationToken).ConfigureAwait(false);

        MpiReadResult read = MpiCsvReader.ReadFile(mpiFile);
        foreach (MpiRowIssue issue in read.Errors)
        {
            stderr.WriteLine($"digitise: {mpiFile}:{issue.LineNumber}: row skipped: {issue.Reason}");
        }

        MpiImportResult imported = await store.UpsertPatientsAsync(read.Patients, cancellationToken).ConfigureAwait(false);
        long batchId = await store.OpenBatchAsync(batchName, cancellationToken).ConfigureAwait(false);

        (ISourceDiscovery discovery, _) = IngestFactory.Create(settings.Ingest);
        int files = 0, uploaded = 0, unreadable = 0;
        long bytes = 0;
        await foreach (DiscoveredSource found in discovery.DiscoverAsync(inputs, cancellationToken).ConfigureAwait(false))
        {
            SourceFile file = found.File;
            await store.RecordSourceAsync(batchId, file, cancellationToken).ConfigureAwait(false);
            if (found.Failure is null)
            {
                // Content-addressed: a file already archived (this batch resubmitted, or the same scan in another batch) is not sent again.
                string key = BlobKeys.Source(file.Sha256);
                if (!await blobStore.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    await using FileStream stream = File.OpenRead(file.FullPath);
                    await blobStore.PutAsync(key, stream, cancellationToken).ConfigureAwait(false);
                    uploaded++;
                    bytes += file.Length;
                }
            }
            else
            {
                unreadable++;
            }

            await work.EnqueueAsync(new WorkItem(batchName, file.DisplayPath, file.Sha256, file.Length, found.Failure), cancellationToken).ConfigureAwait(false);
            files++;
        }

        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv, $"Batch {batchId} ({batchName}) submitted: {files} file(s) queued for workers ({uploaded} uploaded, {bytes / (1024.0 * 1024.0):0.0} MiB; {files - uploaded - unreadable} already archived; {unreadable} unreadable, to be quarantined)."));
        stdout.WriteLine(string.Create(inv, $"  MPI            {imported.Imported} new, {imported.Updated} updated, {read.Errors.Count} bad rows"));
        stdout.WriteLine($"  progress       digitise report \"{batchName}\" --db ...");
        return 0;
    }
}
