using Digitise.Domain;

namespace Digitise.Storage;

/// <summary>A stored matching model: its version ("fs-N"), its JSON, and when it was trained.</summary>
public sealed record StoredModel(string Version, int Sequence, string CreatedUtc, string Json);

/// <summary>
/// One document's identifiers for training, with the clerk's latest confirmed decision when there is one: a decision whose
/// actor is <c>user:...</c> and whose status is <c>filed</c> (with the patient) or <c>not_on_index</c>.
/// </summary>
public sealed record LabelledIdentifiers(string DocumentId, IReadOnlyList<ExtractedIdentifier> Identifiers, string? LabelStatus, string? LabelPatientId);

/// <summary>Trained matching models (versioned JSON) and the training data the pipeline and the clerks left behind.</summary>
public interface IModelStore
{
    /// <summary>The newest model, or null when none was trained.</summary>
    Task<StoredModel?> GetLatestAsync(CancellationToken cancellationToken);

    Task<int> NextSequenceAsync(CancellationToken cancellationToken);

    Task SaveAsync(string version, int sequence, DateTimeOffset createdUtc, string json, CancellationToken cancellationToken);

    IAsyncEnumerable<LabelledIdentifiers> ReadTrainingDocumentsAsync(CancellationToken cancellationToken);
}
