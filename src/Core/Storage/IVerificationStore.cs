using Digitise.Domain;

namespace Digitise.Storage;

/// <summary>Roles of the verification app. Wire names are lower case (<c>clerk</c>, ...).</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Clerk = "clerk";
    public const string Operator = "operator";
    public const string Manager = "manager";

    public static IReadOnlyList<string> All { get; } = [Admin, Clerk, Operator, Manager];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>A local account. <see cref="PasswordHash"/> is an opaque hash (never the password).</summary>
public sealed record UserAccount(string UserName, string PasswordHash, string Role, bool Disabled, DateTimeOffset CreatedUtc);

/// <summary>What a clerk can do with a leased document.</summary>
public enum ClerkAction
{
    /// <summary>File to <see cref="ClerkDecision.PatientId"/> (a listed candidate or a patient found by search).</summary>
    File = 0,
    NotOnIndex,
    Rescan,
    Skip,
}

/// <summary>A clerk's decision on one document.</summary>
/// <param name="PatientId">The chosen patient for <see cref="ClerkAction.File"/>; otherwise null.</param>
/// <param name="SecondConfirmationRequired">The caller's policy: true for high-risk documents that need two independent people.</param>
public sealed record ClerkDecision(string DocumentId, ClerkAction Action, string? PatientId, bool SecondConfirmationRequired);

/// <summary>Why the document is on a clerk's screen.</summary>
public enum WorkKind
{
    /// <summary>Flagged by the matcher (needs_verification or unmatched).</summary>
    Verify = 0,

    /// <summary>An auto-filed document sampled for a QA second look.</summary>
    QaSample,
}

/// <summary>Queue behaviour, from configuration.</summary>
/// <param name="LeaseDuration">How long a document stays with one clerk before another may take it.</param>
/// <param name="QaShare">Share (0-1) of auto-filed documents sampled for QA.</param>
public sealed record QueuePolicy(TimeSpan LeaseDuration, double QaShare);

/// <summary>A document leased to one clerk until <see cref="ExpiresUtc"/>.</summary>
/// <param name="AwaitingSecondConfirmation">Someone else already confirmed it; this clerk's decision is the independent second one.</param>
public sealed record Lease(string DocumentId, WorkKind Kind, DateTimeOffset ExpiresUtc, bool AwaitingSecondConfirmation);

/// <summary>What happened to a clerk decision.</summary>
public enum DecisionOutcome
{
    /// <summary>The decision was final: appended to decisions and the document's status changed.</summary>
    Recorded = 0,

    /// <summary>A first confirmation of a high-risk document: recorded in the audit; a different clerk must confirm.</summary>
    AwaitingSecondConfirmation,

    /// <summary>The second clerk disagreed with the first: the document stays in the queue for another independent look.</summary>
    Disagreement,

    Skipped,

    /// <summary>The clerk does not hold a live lease on the document (expired, or taken by someone else).</summary>
    LeaseLost,

    /// <summary>The chosen patient is not on the index, or the action does not apply.</summary>
    Invalid,

    NotFound,
}

/// <summary>One page of a document, with its recognised words (boxes in full-resolution page pixels).</summary>
public sealed record StoredPage(int PageNumber, int WidthPx, int HeightPx, double MeanConfidence, IReadOnlyList<Word> Words)
{
    /// <summary>The page's QA flags as in the manifest (e.g. <c>deskewed=1.2;unreadable</c>); empty when clean.</summary>
    public string QaFlags { get; init; } = string.Empty;
}

/// <summary>An identifier as stored: kind wire name (<c>nhs_number</c>, ...), normalised value, raw text, page and word boxes.</summary>
public sealed record StoredIdentifier(string Kind, string Value, string Raw, bool Valid, double Confidence, int Page, IReadOnlyList<PixelBox> Boxes);

/// <summary>A ranked candidate with its per-field evidence; <see cref="Patient"/> is null if the patient left the index.</summary>
public sealed record StoredCandidate(int Rank, string PatientId, double Score, IReadOnlyList<FieldComparison> Fields, Patient? Patient);

/// <summary>Everything the verification screen shows for one document.</summary>
/// <param name="Reason">The matcher's reason, for people.</param>
/// <param name="Risks">The matcher's risk flags, which decide whether a second confirmation is needed.</param>
public sealed record VerificationDocument(
    string DocumentId,
    string Sha256,
    long? BatchId,
    int FirstPage,
    int LastPage,
    DocumentStatus Status,
    string? PatientId,
    double? MatchScore,
    string Reason,
    MatchRisk Risks,
    string ModelVersion,
    DateTimeOffset DecidedUtc,
    IReadOnlyList<StoredPage> Pages,
    IReadOnlyList<StoredIdentifier> Identifiers,
    IReadOnlyList<StoredCandidate> Candidates);

/// <summary>An index search: by NHS number, by hospital number, or by family name (prefix) and date of birth.</summary>
public sealed record PatientQuery(string? NhsNumber, string? HospitalNumber, string? FamilyName, DateOnly? DateOfBirth);

/// <summary>One row of the append-only audit trail. Details never hold patient data beyond the ids in their own columns.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset AtUtc, string UserName, string Action, string? DocumentId, string? PatientId, string Detail);

/// <summary>Clerk decisions per actor.</summary>
public sealed record ClerkThroughput(string UserName, long Total, long Today, long Filed, long NotOnIndex, long Rescan);

/// <summary>The manager dashboard's numbers, all read in one snapshot.</summary>
public sealed record DashboardSnapshot(
    DateTimeOffset AtUtc,
    IReadOnlyDictionary<string, long> SourceFilesByStatus,
    long Pages,
    IReadOnlyDictionary<string, long> DocumentsByStatus,
    long QueueSize,
    long AwaitingSecondConfirmation,
    DateTimeOffset? OldestQueuedUtc,
    double MeanQueueAgeHours,
    IReadOnlyList<KeyValuePair<string, long>> DecisionsPerDay,
    IReadOnlyList<KeyValuePair<string, long>> DecisionsPerHour,
    IReadOnlyList<ClerkThroughput> Clerks,
    long DecisionsLast7Days,
    double QaShare,
    long QaSampled,
    long QaReviewed,
    long QaMisfiled);

/// <summary>A filed document's pages for the turnaround: when its source file arrived and when the document was first filed.</summary>
public sealed record FiledPages(DateTimeOffset ArrivedUtc, DateTimeOffset FiledUtc, int Pages);

/// <summary>
/// Pages that have arrived and are not filed yet: a document waiting for a clerk (<see cref="Kind"/> its status), or a source
/// file not yet read into documents (<c>reading</c>). <see cref="Item"/> is the document id, or the file's SHA-256 prefix:
/// never a path or patient data.
/// </summary>
public sealed record UnfiledPages(string Item, string Kind, long? BatchId, string? BatchName, DateTimeOffset ArrivedUtc, int Pages);

/// <summary>The turnaround's facts at <see cref="AtUtc"/>: pages filed that arrived since a day, and every page not filed yet.</summary>
public sealed record TurnaroundFacts(DateTimeOffset AtUtc, DateTimeOffset ArrivedSinceUtc, IReadOnlyList<FiledPages> Filed, IReadOnlyList<UnfiledPages> Unfiled);

/// <summary>A batch with its progress and reconciliation counters.</summary>
public sealed record BatchSummary(
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
    IReadOnlyDictionary<string, long> DocumentsByStatus);

/// <summary>A quarantined source file of a batch.</summary>
public sealed record QuarantinedFile(string Path, string Sha256, string Reason, string Status, DateTimeOffset? RetryRequestedUtc);

/// <summary>
/// The verification app's store: accounts, the clerk queue with leases, clerk decisions (appended to <c>decisions</c>
/// with actor <c>user:NAME</c>: these are the matcher's training labels), the append-only audit trail, and the read
/// models of the manager dashboard and the operator view.
/// </summary>
public interface IVerificationStore
{
    Task<UserAccount?> FindUserAsync(string userName, CancellationToken cancellationToken);

    /// <summary>Creates the account, or replaces its password and role when it exists. Returns true when created.</summary>
    Task<bool> SaveUserAsync(string userName, string passwordHash, string role, string actor, CancellationToken cancellationToken);

    Task<long> CountUsersAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Leases the next document to <paramref name="userName"/>: the document the clerk already holds, else the oldest
    /// flagged document nobody holds (or whose lease expired), else a QA sample. Atomic: two clerks never get the same
    /// document. Null when the queue is empty for this clerk.
    /// </summary>
    Task<Lease?> LeaseNextAsync(string userName, QueuePolicy policy, CancellationToken cancellationToken);

    /// <summary>Flagged documents waiting for a clerk (needs_verification and unmatched).</summary>
    Task<long> CountQueueAsync(CancellationToken cancellationToken);

    /// <summary>Gives a lease back without deciding.</summary>
    Task ReleaseAsync(string userName, string documentId, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="userName"/> holds a live lease on the document.</summary>
    Task<bool> HoldsLeaseAsync(string userName, string documentId, CancellationToken cancellationToken);

    Task<VerificationDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken);

    /// <summary>Records a clerk decision on a document the clerk holds (see <see cref="DecisionOutcome"/>).</summary>
    Task<DecisionOutcome> DecideAsync(string userName, ClerkDecision decision, CancellationToken cancellationToken);

    Task<IReadOnlyList<Patient>> SearchPatientsAsync(PatientQuery query, int limit, CancellationToken cancellationToken);

    Task<Patient?> GetPatientAsync(string patientId, CancellationToken cancellationToken);

    Task AppendAuditAsync(string userName, string action, string? documentId, string? patientId, string detail, CancellationToken cancellationToken);

    /// <summary>Appends several audit rows in one transaction.</summary>
    Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken);

    Task<DashboardSnapshot> GetDashboardAsync(double qaShare, CancellationToken cancellationToken);

    /// <summary>
    /// The turnaround from a page's arrival (its source file first recorded) to its document being filed (the first
    /// <c>auto_filed</c> or <c>filed</c> decision): documents filed now whose file arrived since <paramref name="arrivedSinceUtc"/>,
    /// and every page not filed yet (waiting for a clerk, or in a file not yet read), read in one snapshot.
    /// </summary>
    Task<TurnaroundFacts> GetTurnaroundAsync(DateTimeOffset arrivedSinceUtc, CancellationToken cancellationToken);

    Task<IReadOnlyList<BatchSummary>> GetBatchesAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<QuarantinedFile>> GetQuarantinedAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Re-opens a batch's quarantined files so the next <c>digitise run</c> of the batch reads them again. Returns how many.</summary>
    Task<int> RequestRetryAsync(long batchId, string? sha256, string userName, CancellationToken cancellationToken);
}
