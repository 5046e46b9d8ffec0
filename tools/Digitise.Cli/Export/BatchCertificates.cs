using System.Text;
using Digitise.Export;
using Digitise.Hosting;
using Digitise.Storage;

namespace Digitise.Cli.Export;

/// <summary>
/// <see cref="IBatchCertificates"/> as the composition root builds it: facts read from the store the host chose
/// (<see cref="IExportFacts"/>, SQLite or PostgreSQL), rendered by <see cref="BatchCertificate"/>. <c>export --certificate</c> and the
/// manager dashboard of <c>digitise serve</c> both go through <see cref="ReadAsync"/>, so they state the same.
/// </summary>
internal sealed class BatchCertificates(DigitiseStorage storage, ReleaseCriteria criteria) : IBatchCertificates
{
    /// <summary>Every store offers the certificate's facts (<see cref="IExportFacts"/>).</summary>
    public string? Unavailable => null;

    public async Task<IReadOnlyDictionary<long, BatchReleaseStatement>> GetStatementsAsync(
        IReadOnlyCollection<long> batchIds, double qaShare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batchIds);
        await using IDigitiseStore store = await storage.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        IExportFacts facts = storage.OpenExportFacts();
        try
        {
            var statements = new Dictionary<long, BatchReleaseStatement>();
            foreach (long batchId in batchIds)
            {
                if (await ReadAsync(store, facts, batchId, qaShare, cancellationToken).ConfigureAwait(false) is { } data)
                {
                    statements[batchId] = Statement(data, criteria);
                }
            }

            return statements;
        }
        finally
        {
            await DisposeAsync(facts).ConfigureAwait(false);
        }
    }

    public async Task<BatchCertificateFile?> CreateAsync(long batchId, BatchCertificateFormat format, double qaShare, CancellationToken cancellationToken)
    {
        await using IDigitiseStore store = await storage.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        IExportFacts facts = storage.OpenExportFacts();
        BatchCertificateData? data;
        try
        {
            data = await ReadAsync(store, facts, batchId, qaShare, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(facts).ConfigureAwait(false);
        }

        if (data is null)
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
    public static async Task<BatchCertificateData?> ReadAsync(IDigitiseStore store, IExportFacts exportFacts, long batchId, double qaShare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(exportFacts);
        if (await store.GetReconciliationAsync(batchId, cancellationToken).ConfigureAwait(false) is not { } account)
        {
            return null;
        }

        CertificateFacts facts = await exportFacts.ReadCertificateFactsAsync(batchId, qaShare, cancellationToken).ConfigureAwait(false);
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

    internal static ValueTask DisposeAsync(IExportFacts facts) => facts is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
