using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Output;
using Digitise.Storage;

namespace Digitise.Cli;

/// <summary>What a batch's output folder holds after <see cref="BatchOutput.WriteAsync"/>.</summary>
internal sealed record BatchOutputFiles(IReadOnlyList<ManifestRow> Rows, BatchReconciliation? Account, string Manifest, string Reconciliation);

/// <summary>
/// Writes a batch's output folder from the database as it stands: <c>manifest.csv</c> (each document's current
/// status, clerk decisions included), <c>reconciliation.txt</c>, and <c>documents/&lt;id&gt;.pdf</c> for every filed
/// document. <c>run</c> writes it at the end of a batch; <c>export</c> rewrites it after clerks have worked the queue.
/// </summary>
internal static class BatchOutput
{
    /// <summary>Page images, previews and searchable PDFs live in a blob folder beside the database.</summary>
    public static LocalFolderBlobStore Blobs(string database) =>
        new(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database))!, "blobs"));

    /// <param name="searchablePdfs">False for an interrupted run: the PDFs wait for the batch to finish.</param>
    public static async Task<BatchOutputFiles> WriteAsync(
        IDigitiseStore store, IBlobStore blobs, long batchId, string outDirectory, bool searchablePdfs, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outDirectory);
        IReadOnlyList<ManifestRow> rows = await store.GetManifestAsync(batchId, cancellationToken).ConfigureAwait(false);
        if (searchablePdfs)
        {
            rows = await new SearchablePdfExporter(store, blobs).ExportAsync(rows, outDirectory, cancellationToken).ConfigureAwait(false);
        }

        string manifest = Path.Combine(outDirectory, "manifest.csv");
        await ManifestWriter.WriteAsync(manifest, rows, cancellationToken).ConfigureAwait(false);
        BatchReconciliation? account = await store.GetReconciliationAsync(batchId, cancellationToken).ConfigureAwait(false);
        string reconciliation = Path.Combine(outDirectory, "reconciliation.txt");
        if (account is not null)
        {
            await File.WriteAllTextAsync(reconciliation, ReportCommand.Format(account), cancellationToken).ConfigureAwait(false);
        }

        return new BatchOutputFiles(rows, account, manifest, reconciliation);
    }
}
