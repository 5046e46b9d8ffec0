namespace Digitise.Verify.Ui.Api;

/// <summary>The signed-in user and the antiforgery token for API writes (header X-CSRF-TOKEN).</summary>
public sealed record SessionDto(string UserName, string Role, string CsrfToken, double IdleTimeoutMinutes);

/// <summary>A leased document on the clerk's screen.</summary>
/// <param name="Kind">"verify" (flagged by the matcher) or "qa_sample" (an auto-filed document sampled for a second look).</param>
/// <param name="SecondConfirmationRequired">High-risk: two different people must agree before it is filed.</param>
/// <param name="AwaitingSecondConfirmation">Someone already confirmed it; this is the independent second look (their choice is not shown).</param>
public sealed record DocumentDto(
    string DocumentId,
    string Kind,
    string Status,
    string Reason,
    string ModelVersion,
    double? MatchScore,
    bool HighRisk,
    IReadOnlyList<RiskDto> Risks,
    bool SecondConfirmationRequired,
    bool AwaitingSecondConfirmation,
    string? AutoFiledPatientId,
    DateTimeOffset QueuedSinceUtc,
    DateTimeOffset LeaseExpiresUtc,
    long QueueSize,
    IReadOnlyList<PageDto> Pages,
    IReadOnlyList<IdentifierDto> Identifiers,
    IReadOnlyList<CandidateDto> Candidates);

/// <summary>One of the matcher's risk flags on a document.</summary>
/// <param name="Code">Wire name, e.g. "rival_within_margin".</param>
/// <param name="Label">For the clerk, e.g. "rival within margin".</param>
public sealed record RiskDto(string Code, string Label);

/// <summary>A page: its image URL, and size in full-resolution pixels (the unit of every box).</summary>
/// <param name="LowConfidenceWords">Boxes ([left, top, width, height]) of words the OCR was unsure of.</param>
/// <param name="QaFlags">Page QA flags, e.g. <c>unreadable</c> (OCR could not read the page: no identifier was taken from it).</param>
public sealed record PageDto(int PageNumber, int Width, int Height, double MeanConfidence, string ImageUrl, IReadOnlyList<int[]> LowConfidenceWords, string QaFlags);

/// <summary>An identifier read from the document.</summary>
/// <param name="Uncertain">Indexes into <paramref name="Value"/> of characters the OCR was unsure of or that were corrected.</param>
/// <param name="Corrected">The value differs from what was read (e.g. O read for 0), beyond spacing.</param>
public sealed record IdentifierDto(
    string Kind,
    string Label,
    string Value,
    string Raw,
    bool Valid,
    double Confidence,
    int Page,
    IReadOnlyList<int[]> Boxes,
    IReadOnlyList<int> Uncertain,
    bool Corrected);

public sealed record CandidateDto(int Rank, string PatientId, double Score, PatientDto? Patient, IReadOnlyList<FieldDto> Fields);

/// <summary>
/// How one field compared: level exact/close/different/absent (and others the matcher may add), its weight, and where the
/// value was found (label, layout, index, search; null when absent).
/// </summary>
public sealed record FieldDto(string Field, string Label, string Level, double Weight, string? Source);

public sealed record PatientDto(
    string PatientId,
    string? NhsNumber,
    string? HospitalNumber,
    string FamilyName,
    string GivenName,
    string? DateOfBirth,
    string? Sex,
    string? Postcode);

/// <summary>A clerk's decision. Action: file (with patientId), not_on_index, rescan or skip.</summary>
public sealed record DecisionRequest(string Action, string? PatientId);

/// <summary>
/// Outcome: recorded, awaiting_second_confirmation, disagreement or skipped.
/// </summary>
public sealed record DecisionResponse(string DocumentId, string Outcome, string Message);

/// <summary>Index search: an NHS number, a hospital number, or a family name (prefix) with a date of birth (yyyy-MM-dd).</summary>
public sealed record PatientSearchRequest(string? NhsNumber, string? HospitalNumber, string? FamilyName, string? DateOfBirth, string? DocumentId = null);

public sealed record PatientSearchResponse(IReadOnlyList<PatientDto> Patients);

public sealed record QaDto(double Share, long Sampled, long Reviewed, long Misfiled, double? MisfileRate, double Lower95, double Upper95);

public sealed record ForecastDto(double DecisionsPerDay, double? DaysToClear, DateTimeOffset? ClearsOnUtc);

public sealed record SeriesPointDto(string Label, long Value);

public sealed record ClerkDto(string UserName, long Total, long Today, long Filed, long NotOnIndex, long Rescan);

public sealed record DashboardDto(
    DateTimeOffset AtUtc,
    IReadOnlyDictionary<string, long> SourceFiles,
    long Pages,
    IReadOnlyDictionary<string, long> Documents,
    long QueueSize,
    long AwaitingSecondConfirmation,
    DateTimeOffset? OldestQueuedUtc,
    double OldestQueuedHours,
    double MeanQueueAgeHours,
    IReadOnlyList<SeriesPointDto> PerDay,
    IReadOnlyList<SeriesPointDto> PerHour,
    IReadOnlyList<ClerkDto> Clerks,
    ForecastDto Forecast,
    QaDto Qa);

public sealed record BatchDto(
    long Id,
    string Name,
    string State,
    DateTimeOffset CreatedUtc,
    DateTimeOffset UpdatedUtc,
    long Files,
    long FilesComplete,
    long FilesQuarantined,
    long FilesPending,
    long PagesExpected,
    long PagesStored,
    long PagesInDocuments,
    double Progress,
    bool Reconciled,
    IReadOnlyDictionary<string, long> Documents);

public sealed record QuarantinedFileDto(string Path, string Sha256, string Reason, string Status, DateTimeOffset? RetryRequestedUtc);

public sealed record RetryRequest(string? Sha256);

public sealed record RetryResponse(long BatchId, int FilesReopened, string Message);

/// <summary>Index searches by one user in the last 24 hours; <c>Unusual</c> when far above the others or the configured ceiling.</summary>
public sealed record SearchVolumeDto(string UserName, long Searches, long PatientsShown, bool Unusual);
