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
    double MeanConfidence);

/// <summary>Result of importing an MPI file.</summary>
public sealed record MpiImportResult(int Imported, int Updated, IReadOnlyList<string> Errors);

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

    /// <summary>Marks the batch finished (or interrupted) with its counters.</summary>
    Task CompleteBatchAsync(long batchId, string state, CancellationToken cancellationToken);
}
