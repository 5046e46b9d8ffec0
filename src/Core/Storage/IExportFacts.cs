namespace Digitise.Storage;

/// <summary>
/// What the exports (FHIR, NDR, the batch certificate) read beyond a batch's manifest, from any store: one per database
/// provider (<c>IStoreProvider.OpenExportFacts</c>).
/// </summary>
public interface IExportFacts
{
    /// <summary>Each document of the batch: when it was decided and the document dates read from its pages.</summary>
    Task<IReadOnlyDictionary<string, DocumentFacts>> ReadFactsAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>What a batch certificate states beyond the reconciliation, read in one snapshot.</summary>
    /// <param name="qaShare">The QA sample share (<c>Verify:QaShare</c>): an auto-filed document is in the sample when its id's first three hex digits fall in the first share of 4096 buckets, as the verification app draws it.</param>
    Task<CertificateFacts> ReadCertificateFactsAsync(long batchId, double qaShare, CancellationToken cancellationToken);
}

/// <summary>What an export needs of a document beyond its manifest row: when it was decided and the dates read from it.</summary>
/// <param name="DocumentDates">Dates of kind <c>document_date</c> read from its pages (letter, report, admission, discharge dates).</param>
public sealed record DocumentFacts(string DocumentId, DateTimeOffset DecidedUtc, IReadOnlyList<DateOnly> DocumentDates);

public sealed record CertificateSourceRow(string Path, string Sha256, int? PageCount, string Status, string? QuarantineReason);

/// <param name="RescanBy">For a document a clerk sent back for rescanning, who did.</param>
public sealed record CertificateExceptionRow(string DocumentId, string SourcePath, int FirstPage, int LastPage, string Status, string Reason, string? RescanBy);

public sealed record CertificateClerkRow(string UserName, int Filed, int NotOnIndex, int Rescan, int Total);

/// <summary>A batch certificate's facts as stored (see <see cref="IExportFacts.ReadCertificateFactsAsync"/>).</summary>
public sealed record CertificateFacts(
    DateTimeOffset CreatedUtc,
    DateTimeOffset UpdatedUtc,
    IReadOnlyList<CertificateSourceRow> Sources,
    IReadOnlyList<CertificateExceptionRow> Exceptions,
    int QueueOpen,
    int AutoFiled,
    int QaSampled,
    int QaReviewed,
    int QaMisfiled,
    int QaUnreviewed,
    IReadOnlyList<CertificateClerkRow> Clerks);
