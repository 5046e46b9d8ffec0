using System.Text;
using Digitise.Data.Sqlite;
using Digitise.Export;
using Digitise.Hosting;
using Digitise.Storage;

namespace Digitise.Cli.Export;

/// <summary>
/// <see cref="IBatchCertificates"/> as the composition root builds it: facts read from the store the host chose
/// (<see cref="SqliteExportQueries"/>), rendered by <see cref="BatchCertificate"/>. <c>export --certificate</c> and the
/// manager dashboard of <c>digitise serve</c> both go through <see cref="ReadAsync"/>, so they state the same.
/// </summary>
internal sealed class BatchCertificates(DigitiseStorage storage, ReleaseCriteria criteria) : IBatchCertificates
{
    private const string SqliteOnly = "batch certificates read the SQLite store only for now; export from a SQLite database.";

    public string? Unavailable => storage.Store is SqliteStoreProvider ? null : SqliteOnly;

    public async Task<IReadOnlyDictionary<long, BatchReleaseStatement>> GetStatementsAsync(
        IReadOnlyCollection<long> batchIds, double qaShare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batchIds);
        await using IDigitiseStore store = await storage.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        var statements = new Dictionary<long, BatchReleaseStatement>();
        foreach (long batchId in batchIds)
        {
            if (await ReadAsync(store, batchId, qaShare, cancellationToken).ConfigureAwait(false) is { } data)
            {
                statements[batchId] = Statement(data, criteria);
            }
        }

        return statements;
    }

    public async Task<BatchCertificateFile?> CreateAsync(long batchId, BatchCertificateFormat format, double qaShare, CancellationToken cancellationToken)
    {
        await using IDigitiseStore store = await storage.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        if (await ReadAsync(store, batchId, qaShare, cancellationToken).ConfigureAwait(false) is not { } data)
        {
            return null;
        }

        DateTimeOffset now = storage.TimeProvider.GetUtcNow();
        byte[] content = format == BatchCertificateFormat.Pdf
            ? BatchCertificate.ToPdf(data, criteria, now)
            : Encoding.UTF8.GetBytes(BatchCertificate.ToCsv(data, criteria, now));
        return new BatchCertificateFile(batchId, format, content, Statement(data, criteria));
    }

    public static BatchReleaseStatement Statement(BatchCertificateData data, ReleaseCriteria criteria)
    {
        IReadOnlyList<CriterionResult> results = BatchCertificate.Evaluate(data, criteria);
        return new BatchReleaseStatement(data.Account.BatchId, results.All(r => r.Met), [.. results.Where(r => !r.Met).Select(r => r.Name)]);
    }

    /// <summary>Everything the certificate states about the batch, read now; null when there is no such batch.</summary>
    /// <exception cref="InvalidOperationException">The store is not one the certificate reads (PostgreSQL, for now).</exception>
    public static async Task<BatchCertificateData?> ReadAsync(IDigitiseStore store, long batchId, double qaShare, CancellationToken cancellationToken)
    {
        if (store is not SqliteDigitiseStore sqlite)
        {
            throw new InvalidOperationException("--certificate: " + SqliteOnly);
        }

        if (await store.GetReconciliationAsync(batchId, cancellationToken).ConfigureAwait(false) is not { } account)
        {
            return null;
        }

        CertificateFacts facts = await new SqliteExportQueries(sqlite.DatabasePath).ReadCertificateFactsAsync(batchId, qaShare, cancellationToken).ConfigureAwait(false);
        return new BatchCertificateData(
            account,
            facts.CreatedUtc,
            facts.UpdatedUtc,
            [.. facts.Sources.Select(s => new CertificateSource(s.Path, s.Sha256, s.PageCount, s.Status, s.QuarantineReason))],
            [.. facts.Exceptions.Select(e => new CertificateException(e.DocumentId, e.SourcePath, e.FirstPage, e.LastPage, e.Status, e.Reason,
                Resolved: e.Status == "superseded",
                e.Status switch
                {
                    "superseded" => "resolved: the file was retried and its pages decided afresh",
                    "rescan" => $"open: sent back for rescanning{(e.RescanBy is null ? string.Empty : " by " + e.RescanBy)}",
                    _ => "open: awaiting an operator's retry",
                }))],
            facts.QueueOpen,
            facts.AutoFiled,
            qaShare,
            facts.QaSampled,
            facts.QaReviewed,
            facts.QaMisfiled,
            facts.QaUnreviewed,
            [.. facts.Clerks.Select(c => new ClerkDecisions(c.UserName, c.Filed, c.NotOnIndex, c.Rescan, c.Total))]);
    }
}
