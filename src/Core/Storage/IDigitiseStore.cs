using Digitise.Domain;

namespace Digitise.Storage;

/// <summary>One row of a batch's manifest.</summary>
/// <param name="SourceFile">Path as found under the run's INPUT.</param>
/// <param name="PatientId">Filed patient, or best candidate; null when none.</param>
/// <param name="MatchScore">Best candidate's score (0-1); null when none.</param>
public sealed record ManifestRow(
    string SourceFile,
    string Sha256,
    string DocumentId,
    int FirstPage,
    int LastPage,
    DocumentStatus Status,
    string? PatientId,
    double? MatchScore,
    string Reason,
    int Pages,
    double MeanConfidence)
{
    /// <summary>Page QA flags of the document's pages, e.g. "2:blank 3:rotated=180;deskewed=1.2"; empty when every page is clean.</summary>
    public string Qa { get; init; } = string.Empty;

    /// <summary>The document's searchable PDF, relative to the output folder (e.g. "documents/ab12-0001.pdf"); empty when none.</summary>
    public string SearchablePdf { get; init; } = string.Empty;

    /// <summary>The document's type code (<c>DocumentTypes:Types</c>); empty when it has none (quarantined, or no classifier ran).</summary>
    public string DocumentType { get; init; } = string.Empty;
}

/// <summary>How every page of one source file was accounted for. The categories do not overlap.</summary>
/// <param name="PagesIn">Pages the file holds (0 when it could not be opened at all).</param>
/// <param name="Status">"complete" or "quarantined".</param>
public sealed record SourceAccount(
    SourceFile Source,
    int PagesIn,
    int PagesOcr,
    int PagesTextLayer,
    int PagesBlank,
    int PagesSeparator,
    int PagesQuarantined,
    int Documents,
    string Status,
    string? Reason);

/// <summary>A batch's exact account: pages in = OCRed + text layer + blank + separator + quarantined.</summary>
public sealed record BatchReconciliation(
    long BatchId,
    string Name,
    string State,
    int Files,
    int FilesQuarantined,
    int FilesUnopened,
    int PagesIn,
    int PagesOcr,
    int PagesTextLayer,
    int PagesBlank,
    int PagesSeparator,
    int PagesQuarantined,
    int Documents,
    IReadOnlyDictionary<DocumentStatus, int> DocumentsByStatus)
{
    public int PagesAccounted => PagesOcr + PagesTextLayer + PagesBlank + PagesSeparator + PagesQuarantined;

    /// <summary>OCRed pages QA flagged <c>unreadable</c> (handwriting, very poor scans): part of <see cref="PagesOcr"/>, never identifier evidence.</summary>
    public int PagesUnreadable { get; init; }

    public bool Balances => PagesAccounted == PagesIn;
}

/// <summary>Result of importing an MPI file.</summary>
public sealed record MpiImportResult(int Imported, int Updated, IReadOnlyList<string> Errors)
{
    /// <summary>Patients already stored exactly as given (nothing written).</summary>
    public int Unchanged { get; init; }
}

/// <summary>Result of applying MPI merges (a retired patient id replaced by a surviving one).</summary>
/// <param name="Merged">Merges newly recorded (one already on record counts for nothing).</param>
/// <param name="DocumentsRepointed">Documents whose filed or best patient was the retired one and is now the survivor.</param>
/// <param name="CandidatesRepointed">Candidate rows that named the retired patient and now name the survivor (or were dropped where the survivor was already a candidate).</param>
/// <param name="Errors">Merges not applied, by position only (never patient data).</param>
public sealed record MpiMergeResult(int Merged, int DocumentsRepointed, int CandidatesRepointed, IReadOnlyList<string> Errors);

/// <summary>
/// The database seam: batches, source files, pages, documents, identifiers, candidates and decisions, and the MPI.
/// SQLite is the default implementation; PostgreSQL lands in a project of its own.
/// All writes are idempotent: saving the same document twice leaves one copy.
/// </summary>
public interface IDigitiseStore : IAsyncDisposable
{
    /// <summary>Creates the schema or migrates it to the current version.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Returns the batch with this name, creating it when new.</summary>
    Task<long> OpenBatchAsync(string name, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="file"/> was found in the batch (once per batch and path).</summary>
    Task RecordSourceAsync(long batchId, SourceFile file, CancellationToken cancellationToken);

    /// <summary>True when every document of this source file (by hash) is already stored with a decision.</summary>
    Task<bool> IsSourceCompleteAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Stores a document with its pages, identifiers, candidates and decision, replacing nothing already decided.</summary>
    Task SaveOutcomeAsync(long batchId, DocumentOutcome outcome, CancellationToken cancellationToken);

    /// <summary>The batch's manifest: one row per document per source path, ordered by path then first page.</summary>
    Task<IReadOnlyList<ManifestRow>> GetManifestAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Inserts or updates patients by patient_id.</summary>
    Task<MpiImportResult> UpsertPatientsAsync(IEnumerable<Patient> patients, CancellationToken cancellationToken);

    /// <summary>Every patient on the index.</summary>
    IAsyncEnumerable<Patient> ReadPatientsAsync(CancellationToken cancellationToken);

    /// <summary>Stores one recognised page as soon as it is read, so a crash never costs finished OCR (idempotent).</summary>
    Task SavePageAsync(PageText page, CancellationToken cancellationToken);

    /// <summary>Pages of <paramref name="file"/> already stored (from an earlier, interrupted run), in page order.</summary>
    Task<IReadOnlyList<PageText>> GetStoredPagesAsync(SourceFile file, CancellationToken cancellationToken);

    /// <summary>Closes a source file once all its documents are saved, with its page account.</summary>
    Task CompleteSourceAsync(SourceAccount account, CancellationToken cancellationToken);

    /// <summary>The batch's exact page account, or null when there is no such batch.</summary>
    Task<BatchReconciliation?> GetReconciliationAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>The id of the batch with this name (or this numeric id), or null.</summary>
    Task<long?> FindBatchAsync(string nameOrId, CancellationToken cancellationToken);

    /// <summary>Marks the batch finished (or interrupted) with its counters.</summary>
    Task CompleteBatchAsync(long batchId, string state, CancellationToken cancellationToken);

    /// <summary>Records MPI merges (retired patient -&gt; survivor): the retired record leaves the index, what named it names the survivor.</summary>
    Task<MpiMergeResult> MergePatientsAsync(IEnumerable<(string Retired, string Survivor)> merges, CancellationToken cancellationToken);

    /// <summary>Merges recorded so far: retired patient id -&gt; surviving patient id.</summary>
    Task<IReadOnlyList<(string Retired, string Survivor)>> ReadMergesAsync(CancellationToken cancellationToken);
}
