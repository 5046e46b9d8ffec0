namespace Digitise.Domain;

/// <summary>Stable id of a document: derived from the source file's hash and its first page, so reruns do not duplicate.</summary>
public readonly record struct DocumentId(string Value)
{
    public static DocumentId For(string sourceSha256, int firstPage) =>
        new($"{sourceSha256[..16]}-{firstPage:D4}");

    public override string ToString() => Value;
}

/// <summary>A document: a run of pages from one source file, with what was read from them.</summary>
public sealed record Document(
    DocumentId Id,
    SourceFile Source,
    int FirstPage,
    int LastPage,
    IReadOnlyList<PageText> Pages)
{
    /// <summary>
    /// What identifier extraction may read: this document without the pages OCR could not read (QA flag
    /// <c>unreadable</c>: handwriting, very poor scans), whose text is guesswork that could name the wrong patient.
    /// Those pages stay in the document (stored, shown to clerks, counted); only their words are not evidence.
    /// </summary>
    public Document IdentifierEvidence() =>
        Pages.Any(p => p.Quality?.Unreadable == true)
            ? this with { Pages = [.. Pages.Where(p => p.Quality?.Unreadable != true)] }
            : this;
}

/// <summary>A document with the identifiers extracted from its pages.</summary>
public sealed record IndexedDocument(Document Document, IReadOnlyList<ExtractedIdentifier> Identifiers);

/// <summary>The final outcome for one document (or a quarantined source file).</summary>
/// <param name="Document">Null only when the whole source file was quarantined before any page was read.</param>
public sealed record DocumentOutcome(
    SourceFile Source,
    DocumentId Id,
    int FirstPage,
    int LastPage,
    IndexedDocument? Document,
    MatchDecision Decision)
{
    /// <summary>The document's type; null for a quarantined document or where no classifier ran.</summary>
    public DocumentClassification? Type { get; init; }
}
