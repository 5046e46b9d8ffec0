namespace Digitise.Domain;

public enum DocumentStatus
{
    AutoFiled = 0,
    NeedsVerification,
    Unmatched,
    Quarantined,

    /// <summary>Filed to a patient by a clerk (a training label).</summary>
    Filed,

    /// <summary>A clerk decided the document's patient is not on the index (a training label).</summary>
    NotOnIndex,

    /// <summary>A clerk sent the document back to be scanned again.</summary>
    Rescan,

    /// <summary>
    /// A quarantined document whose file an operator retried, replaced by the documents the retry produced (kept for
    /// its history, left out of manifests and counts).
    /// </summary>
    Superseded,
}

public static class DocumentStatusNames
{
    public static string ToWire(this DocumentStatus status) => status switch
    {
        DocumentStatus.AutoFiled => "auto_filed",
        DocumentStatus.NeedsVerification => "needs_verification",
        DocumentStatus.Unmatched => "unmatched",
        DocumentStatus.Quarantined => "quarantined",
        DocumentStatus.Filed => "filed",
        DocumentStatus.NotOnIndex => "not_on_index",
        DocumentStatus.Rescan => "rescan",
        DocumentStatus.Superseded => "superseded",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static DocumentStatus Parse(string wire) => wire switch
    {
        "auto_filed" => DocumentStatus.AutoFiled,
        "needs_verification" => DocumentStatus.NeedsVerification,
        "unmatched" => DocumentStatus.Unmatched,
        "quarantined" => DocumentStatus.Quarantined,
        "filed" => DocumentStatus.Filed,
        "not_on_index" => DocumentStatus.NotOnIndex,
        "rescan" => DocumentStatus.Rescan,
        "superseded" => DocumentStatus.Superseded,
        _ => throw new FormatException($"Unknown document status '{wire}'."),
    };
}

/// <summary>How one field of the document compared with the candidate.</summary>
/// <param name="Field">e.g. "nhs_number", "date_of_birth", "family_name".</param>
/// <param name="Level">e.g. "exact", "different", "absent".</param>
public sealed record FieldComparison(string Field, string Level, double Weight)
{
    /// <summary>
    /// Where the agreeing (or contradicting) value came from: "label", "layout", "index" or "search" (searching the
    /// document for this candidate's own value); null for absent fields and the pseudo-fields.
    /// </summary>
    public string? Source { get; init; }
}

/// <summary>A patient the document may belong to, with the evidence.</summary>
/// <param name="Score">0-1: higher is a better match.</param>
public sealed record MatchCandidate(string PatientId, double Score, IReadOnlyList<FieldComparison> Fields);

/// <summary>The matcher's decision for one document.</summary>
/// <param name="Candidates">Ranked best first; the first is the filed patient for auto_filed.</param>
/// <param name="Reason">Human-readable reason, free of patient data.</param>
/// <param name="ModelVersion">Which matcher/model made the decision.</param>
public sealed record MatchDecision(
    DocumentStatus Status,
    IReadOnlyList<MatchCandidate> Candidates,
    string Reason,
    string ModelVersion)
{
    public MatchCandidate? Best => Candidates.Count > 0 ? Candidates[0] : null;
}

/// <summary>A decision with every identifier behind it: what the extractor read plus what the matcher found on the pages.</summary>
public sealed record DocumentMatch(MatchDecision Decision, IReadOnlyList<ExtractedIdentifier> Identifiers);

public static class EvidenceSourceNames
{
    public static string ToWire(this EvidenceSource source) => source switch
    {
        EvidenceSource.Label => "label",
        EvidenceSource.Layout => "layout",
        EvidenceSource.Index => "index",
        EvidenceSource.Search => "search",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    public static EvidenceSource Parse(string? wire) => wire switch
    {
        "layout" => EvidenceSource.Layout,
        "index" => EvidenceSource.Index,
        "search" => EvidenceSource.Search,
        _ => EvidenceSource.Label,
    };
}
