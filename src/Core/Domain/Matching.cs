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
/// <param name="Reason">Human-readable reason, free of patient data. For people only: code reads <paramref name="Risks"/>.</param>
/// <param name="ModelVersion">Which matcher/model made the decision.</param>
/// <param name="Risks">The safety situations the matcher found (what makes a misfile likely); stored with the document
/// and read by the verification rules (a document with any risk needs a second, independent confirmation).</param>
public sealed record MatchDecision(
    DocumentStatus Status,
    IReadOnlyList<MatchCandidate> Candidates,
    string Reason,
    string ModelVersion,
    MatchRisk Risks)
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

/// <summary>
/// Typed safety facts about one matching decision (DOMAIN.md "Safety rules"). Set by every <c>IMatcher</c> whatever the
/// status it decides, stored in their own column as wire names (<see cref="MatchRisks.ToWire"/>), shown to clerks, and
/// read by the second-confirmation rule. Free-text reasons are never parsed to find these.
/// </summary>
[Flags]
public enum MatchRisk
{
    None = 0,

    /// <summary>An NHS/CHI number on the document was repaired from an OCR misreading (evidence to corroborate, never a key).</summary>
    CorrectedNhsNumber = 1 << 0,

    /// <summary>Another candidate's match weight is within the rival margin of the best one's.</summary>
    RivalWithinMargin = 1 << 1,

    /// <summary>The document names more than one patient (two NHS numbers, two dates of birth, two different names or sexes).</summary>
    SeveralPatientsNamed = 1 << 2,

    /// <summary>The document's strong identifiers (NHS/CHI, hospital number) point at different patients on the index.</summary>
    IdentifiersPointAtDifferentPatients = 1 << 3,

    /// <summary>A strong identifier contradicts the best candidate: its NHS or hospital number differs, or the document's
    /// valid NHS number is not on the index at all.</summary>
    StrongIdentifierContradicted = 1 << 4,

    /// <summary>A demographic (date of birth, family or given name, sex) contradicts the best candidate.</summary>
    DemographicContradicted = 1 << 5,

    /// <summary>Another candidate has the best one's family name and date of birth: twins, or two people with the same name and birthday.</summary>
    SameNameAndDateOfBirth = 1 << 6,

    /// <summary>A risk stored under a name this build does not know (written by a newer version): treated as a risk.</summary>
    Unrecognised = 1 << 30,
}

/// <summary>Wire names of <see cref="MatchRisk"/> (the <c>risk_flags</c> column, the API) and their labels for clerks.</summary>
public static class MatchRisks
{
    private static readonly (MatchRisk Risk, string Wire, string Label)[] Names =
    [
        (MatchRisk.CorrectedNhsNumber, "corrected_nhs_number", "corrected NHS number"),
        (MatchRisk.RivalWithinMargin, "rival_within_margin", "rival within margin"),
        (MatchRisk.SeveralPatientsNamed, "several_patients_named", "several patients named"),
        (MatchRisk.IdentifiersPointAtDifferentPatients, "identifiers_point_at_different_patients", "identifiers point at different patients"),
        (MatchRisk.StrongIdentifierContradicted, "strong_identifier_contradicted", "strong identifier contradicted"),
        (MatchRisk.DemographicContradicted, "demographic_contradicted", "demographic contradicted"),
        (MatchRisk.SameNameAndDateOfBirth, "same_name_and_date_of_birth", "same name and date of birth (twins?)"),
        (MatchRisk.Unrecognised, "unrecognised", "unrecognised risk"),
    ];

    /// <summary>Every single risk, in wire order.</summary>
    public static IEnumerable<MatchRisk> All => Names.Select(n => n.Risk);

    /// <summary>The set risks' wire names, comma-separated in a fixed order; empty for none.</summary>
    public static string ToWire(this MatchRisk risks) =>
        string.Join(',', Names.Where(n => risks.HasFlag(n.Risk)).Select(n => n.Wire));

    /// <summary>The set risks one by one, as (wire name, label) for clerks.</summary>
    public static IEnumerable<(string Wire, string Label)> Describe(this MatchRisk risks) =>
        Names.Where(n => risks.HasFlag(n.Risk)).Select(n => (n.Wire, n.Label));

    /// <summary>Parses <see cref="ToWire"/>'s form. A name this build does not know becomes <see cref="MatchRisk.Unrecognised"/>:
    /// a risk is never dropped.</summary>
    public static MatchRisk Parse(string? wire)
    {
        MatchRisk risks = MatchRisk.None;
        foreach (string part in (wire ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int index = Array.FindIndex(Names, n => string.Equals(n.Wire, part, StringComparison.Ordinal));
            risks |= index >= 0 ? Names[index].Risk : MatchRisk.Unrecognised;
        }

        return risks;
    }
}
