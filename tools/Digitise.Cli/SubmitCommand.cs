using System.CommandLine;
using System.Globalization;
using Digitise.Domain;
using Digitise.Hosting;
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
    /// <summary>--queue, shared by submit and worker.</summary>
    public static Option<string?> QueueOption() => new("--queue")
    {
        Description = "Work queue: an Azure Storage connection string (queue Storage:QueueName, default 'digitise'). Default: Storage:Queue.",
    };

    public static Command Create(CommonOptions common)
    {
        Option<string?> queue = QueueOption();
        var inputs = new Argument<string[]>("INPUT") { Description = "Scanned files or folders (searched recursively), as for run.", Arity = ArgumentArity.OneOrMore };
        var batch = new Option<string>("--batch") { Description = "Batch name (report and export find the batch by it).", Required = true };
        var mpi = new Option<string>("--mpi") { Description = "Master patient index CSV, imported into the database before the work is queued.", Required = true };
        var command = new Command("submit", "Queue a batch for digitise workers: import the MPI, upload each source file once (by hash), enqueue one work item per file, print the batch and exit.")
        {
            inputs, batch, mpi, queue,
        };
        common.AddTo(command);
        CommonOptions.SetGuardedAction(command, async (parse, ct) =>
        {
            await using DigitiseHost host = DigitiseHost.Create(common.Request(parse) with { Queue = parse.GetValue(queue) });
            return await ExecuteAsync(host, parse.GetValue(inputs)!, parse.GetValue(batch)!, parse.GetValue(mpi)!, Console.Out, Console.Error, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> ExecuteAsync(
        DigitiseHost host, IReadOnlyList<string> inputs, string batchName, string mpiFile, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!File.Exists(mpiFile))
        {
            throw new CommandFailedException($"the MPI file '{mpiFile}' (--mpi) does not exist");
        }

        await using IDigitiseStore store = await host.Storage.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        IBlobStore blobStore = host.Get<IBlobStore>();
        IWorkQueue work = await host.Storage.OpenQueueAsync(cancellationToken).ConfigureAwait(false);

        MpiReadResult read = MpiCsvReader.ReadFile(mpiFile);
        foreach (MpiRowIssue issue in read.Errors)
        {
            stderr.WriteLine($"digitise: {mpiFile}:{issue.LineNumber}: row skipped: {issue.Reason}");
        }

        MpiImportResult imported = await store.UpsertPatientsAsync(read.Patients, cancellationToken).ConfigureAwait(false);
        long batchId = await store.OpenBatchAsync(batchName, cancellationToken).ConfigureAwait(false);

        ISourceDiscovery discovery = host.Get<ISourceDiscovery>();
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
        return ExitCodes.Success;
    }
}
