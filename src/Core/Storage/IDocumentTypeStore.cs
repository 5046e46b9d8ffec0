using Digitise.Domain;

namespace Digitise.Storage;

/// <summary>A clerk-labelled document for training the type classifier: its page texts (blank pages left out) and type.</summary>
public sealed record TypeLabel(string DocumentId, IReadOnlyList<string> PageTexts, string Code);

/// <summary>Documents' types as stored: what the verification screen reads and a clerk sets, and the dashboard counts.</summary>
public interface IDocumentTypeStore
{
    /// <summary>The document's type, or null when it has none (or there is no such document).</summary>
    Task<DocumentClassification?> GetTypeAsync(string documentId, CancellationToken cancellationToken);

    /// <summary>Records a clerk's choice (a training label); false when there is no such document.</summary>
    Task<bool> SetClerkTypeAsync(string documentId, string code, CancellationToken cancellationToken);

    /// <summary>Documents per type code (those without a type under ""), quarantined and superseded documents left out.</summary>
    Task<IReadOnlyDictionary<string, int>> CountByTypeAsync(CancellationToken cancellationToken);

    /// <summary>Every document whose type a clerk chose, with its page texts: the type classifier's labels.</summary>
    Task<IReadOnlyList<TypeLabel>> ReadLabelsAsync(CancellationToken cancellationToken);

    /// <summary>The newest trained type model (version, JSON), or null when none was trained.</summary>
    Task<(string Version, string Json)?> GetLatestModelAsync(CancellationToken cancellationToken);

    /// <summary>Stores a trained model as the next version, <c>dt-N</c>, and returns that version.</summary>
    Task<string> SaveModelAsync(Func<string, string> toJson, DateTimeOffset createdUtc, CancellationToken cancellationToken);
}
