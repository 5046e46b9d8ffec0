namespace Digitise.Storage;

/// <summary>A batch certificate's two forms: the printable PDF and the CSV of the same rows.</summary>
public enum BatchCertificateFormat
{
    Pdf = 0,
    Csv,
}

/// <summary>Whether a batch meets the configured release criteria (<c>Certificate:*</c>), and the criteria it does not meet.</summary>
public sealed record BatchReleaseStatement(long BatchId, bool MeetsReleaseCriteria, IReadOnlyList<string> Unmet);

/// <summary>A batch certificate, rendered: its bytes and the release statement it opens with.</summary>
public sealed record BatchCertificateFile(long BatchId, BatchCertificateFormat Format, byte[] Content, BatchReleaseStatement Statement)
{
    public string ContentType => Format == BatchCertificateFormat.Pdf ? "application/pdf" : "text/csv; charset=utf-8";

    /// <summary>Named by batch id only: batch names can be folder paths.</summary>
    public string FileName => $"certificate-batch-{BatchId}.{(Format == BatchCertificateFormat.Pdf ? "pdf" : "csv")}";
}

/// <summary>
/// The batch certificate a records manager signs before a batch's paper is destroyed (every source file with its SHA-256,
/// the reconciliation, quarantines, the QA sample and its misfile interval, who verified what, and the release statement).
/// A seam here because the certificate is built from the pipeline's store and rendered by <c>src/Export</c>: the host
/// (the CLI's composition root) registers the implementation, and the verification app, which references only Core,
/// offers it to managers through this interface.
/// </summary>
public interface IBatchCertificates
{
    /// <summary>Why certificates cannot be made over this database (e.g. a store the certificate does not read yet); null when they can.</summary>
    string? Unavailable { get; }

    /// <summary>The release statement of each batch in <paramref name="batchIds"/> that exists.</summary>
    /// <param name="qaShare">The QA sample share the verification app draws with (<c>Verify:QaShare</c>).</param>
    Task<IReadOnlyDictionary<long, BatchReleaseStatement>> GetStatementsAsync(IReadOnlyCollection<long> batchIds, double qaShare, CancellationToken cancellationToken);

    /// <summary>The batch's certificate as of now; null when there is no such batch.</summary>
    Task<BatchCertificateFile?> CreateAsync(long batchId, BatchCertificateFormat format, double qaShare, CancellationToken cancellationToken);
}
