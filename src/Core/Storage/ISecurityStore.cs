namespace Digitise.Storage;

/// <summary>Why a session presented with a request is or is not honoured.</summary>
public enum SessionCheck
{
    Valid = 0,

    /// <summary>No such session in this database (signed in elsewhere, or forged).</summary>
    Unknown,

    /// <summary>Signed out, or revoked by an administrator.</summary>
    Revoked,

    /// <summary>Past its absolute lifetime.</summary>
    Expired,

    /// <summary>No request for longer than the idle timeout.</summary>
    Idle,

    /// <summary>The account no longer exists.</summary>
    UserMissing,

    UserDisabled,

    /// <summary>The account's role is not the one the session was opened with.</summary>
    RoleChanged,

    /// <summary>The account's security stamp changed (password or role change, sign-out everywhere, disable).</summary>
    StampChanged,
}

/// <summary>The result of checking a session against the database: the account as it stands when valid.</summary>
public sealed record SessionValidation(SessionCheck Result, string? UserName, string? Role);

/// <summary>Failed sign-ins of an account and, once past the threshold, until when it is locked.</summary>
public sealed record SignInLockout(int FailedAttempts, DateTimeOffset? LockedUntilUtc);

/// <summary>Sign-in lockout rule: after <paramref name="Threshold"/> consecutive failures the account is locked for
/// <paramref name="BaseLockout"/>, doubling with each further failure up to <paramref name="MaxLockout"/>.</summary>
public sealed record LockoutPolicy(int Threshold, TimeSpan BaseLockout, TimeSpan MaxLockout)
{
    /// <summary>How long the account is locked after <paramref name="failures"/> consecutive failures (zero below the threshold).</summary>
    public TimeSpan LockoutFor(int failures)
    {
        if (failures < Threshold)
        {
            return TimeSpan.Zero;
        }

        double factor = Math.Pow(2, Math.Min(failures - Threshold, 20));
        return TimeSpan.FromTicks((long)Math.Min(MaxLockout.Ticks, BaseLockout.Ticks * factor));
    }
}

/// <summary>How many index searches one user made in a period, and how many patients they were shown.</summary>
public sealed record SearchVolume(string UserName, long Searches, long PatientsShown);

/// <summary>The outcome of re-computing the audit hash chain from the first row.</summary>
/// <param name="Rows">Rows checked.</param>
/// <param name="FirstBrokenId">The first row whose stored hash does not match its content and predecessor; null when intact.</param>
/// <param name="Problem">What is wrong with that row.</param>
/// <param name="HeadHash">The newest row's hash: record it elsewhere to detect a truncated tail later.</param>
public sealed record AuditChainReport(long Rows, long? FirstBrokenId, string? Problem, string? HeadHash)
{
    public bool Intact => FirstBrokenId is null;
}

/// <summary>
/// What the verification app needs to trust a request: sessions kept in the database and re-checked against the
/// account on every request, sign-in lockout, the search results a clerk may file to, and the audit chain's proof.
/// Each provider implements it next to <see cref="IVerificationStore"/>.
/// </summary>
public interface ISecurityStore
{
    /// <summary>Opens a session for the account as it stands now (role and security stamp are copied into the session).</summary>
    /// <param name="sessionIdHash">SHA-256 (hex) of the session id the cookie carries; the id itself is never stored.</param>
    /// <returns>False when the account does not exist or is disabled.</returns>
    Task<bool> CreateSessionAsync(string sessionIdHash, string userName, TimeSpan absoluteLifetime, CancellationToken cancellationToken);

    /// <summary>Checks a session and its account; a valid session's last-seen time moves on, an idle or expired one is revoked.</summary>
    Task<SessionValidation> ValidateSessionAsync(string sessionIdHash, TimeSpan idleTimeout, CancellationToken cancellationToken);

    /// <summary>Revokes one session (sign-out). Returns false when it was not live.</summary>
    Task<bool> RevokeSessionAsync(string sessionIdHash, string reason, CancellationToken cancellationToken);

    /// <summary>Revokes every session of the account and changes its security stamp (sign out everywhere). Returns how many were live.</summary>
    Task<int> RevokeUserSessionsAsync(string userName, string actor, CancellationToken cancellationToken);

    /// <summary>Disables or enables an account; either way its sessions end and its stamp changes. False when no such account.</summary>
    Task<bool> SetUserDisabledAsync(string userName, bool disabled, string actor, CancellationToken cancellationToken);

    Task<SignInLockout> GetLockoutAsync(string userName, CancellationToken cancellationToken);

    /// <summary>Counts a failed sign-in of an existing account and locks it per <paramref name="policy"/>.</summary>
    Task<SignInLockout> RecordSignInFailureAsync(string userName, LockoutPolicy policy, CancellationToken cancellationToken);

    Task ResetSignInFailuresAsync(string userName, CancellationToken cancellationToken);

    /// <summary>Remembers the patients a search showed <paramref name="userName"/> while holding the document's lease:
    /// only these (and the document's candidates) may be chosen for it. Cleared when the lease ends.</summary>
    Task RecordSearchResultsAsync(string userName, string documentId, IReadOnlyList<string> patientIds, CancellationToken cancellationToken);

    /// <summary>Index searches per user since <paramref name="sinceUtc"/>, from the audit trail, busiest first.</summary>
    Task<IReadOnlyList<SearchVolume>> GetSearchVolumesAsync(DateTimeOffset sinceUtc, CancellationToken cancellationToken);

    /// <summary>Re-computes the audit hash chain (see <see cref="AuditChain"/>) from the first row.</summary>
    Task<AuditChainReport> VerifyAuditChainAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The data-protection key ring (the keys that seal session cookies) kept in the deployment's database, so every web
/// instance on one database shares it and an instance on another database cannot read its cookies. Synchronous because
/// ASP.NET Core's <c>IXmlRepository</c> is.
/// </summary>
public interface IKeyRingStore
{
    /// <summary>Every stored key element (XML text), oldest first.</summary>
    IReadOnlyList<string> ReadKeys();

    /// <summary>Adds a key element under its friendly name (a key id; never replaced).</summary>
    void StoreKey(string friendlyName, string xml);
}
