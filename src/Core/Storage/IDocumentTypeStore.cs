using Digitise.Domain;

namespace Digitise.Storage;

/// <summary>Documents' types as stored: what the verification screen reads and a clerk sets, and the dashboard counts.</summary>
public interface IDocumentTypeStore
{
    /// <summary>The document's type, or null when it has none (or there is no such document).</summary>
    Task<DocumentClassification?> GetTypeAsync(string documentId, CancellationToken cancellationToken);

    /// <summary>Records a clerk's choice (a training label); false when there is no such document.</summary>
    Task<bool> SetClerkTypeAsync(string documentId, string code, CancellationToken cancellationToken);

    /// <summary>Documents per type code (those without a type under ""), quarantined and superseded documents left out.</summary>
    Task<IReadOnlyDictionary<string, int>> CountByTypeAsync(CancellationToken cancellationToken);
}
