using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Data.Sqlite;

/// <summary>
/// <see cref="IVerificationStore"/> (and <see cref="ISecurityStore"/>, <see cref="IKeyRingStore"/>) in SQL that SQLite and
/// PostgreSQL both run, over the tables the pipeline writes. A provider supplies connections, its write transaction (which
/// must serialise the store's writes, as SQLite's <c>BEGIN IMMEDIATE</c> does, so two clerks never lease the same document
/// and audit rows chain in order) and the two expressions the dialects spell differently.
/// </summary>
/// <remarks>
/// Clerk decisions are appended to <c>decisions</c> with actor <c>user:NAME</c> and status <c>filed</c> (patient_id = the
/// chosen patient), <c>not_on_index</c> or <c>rescan</c>, and set <c>documents.status</c> to the same: the matcher reads
/// <c>actor LIKE 'user:%'</c> with status <c>filed</c>/<c>not_on_index</c> as training labels. Skips, views and first
/// confirmations go to the audit trail only. Parameters are written <c>@name</c> (both providers read it); booleans are
/// never selected as values (PostgreSQL returns <c>bool</c> where SQLite returns an integer).
/// </remarks>
public abstract partial class SqlVerificationStore : IVerificationStore
{
    /// <summary>Prefix of the <c>decisions.actor</c> of a person.</summary>
    public const string UserActorPrefix = "user:";

    /// <summary>QA sampling buckets: the first three hex digits of a document id (its source's SHA-256) pick one of 4096.</summary>
    protected const int QaBuckets = 4096;

    private readonly TimeProvider _timeProvider;

    protected SqlVerificationStore(TimeProvider? timeProvider)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The QA bucket (0-4095) of the document aliased <c>d</c>: its id's first three hex digits as a number.</summary>
    protected abstract string QaBucketSql { get; }

    /// <summary>The mean age in hours of <c>decided_at</c> at the text parameter <c>@now</c>, over the rows aggregated.</summary>
    protected abstract string MeanAgeHoursSql { get; }

    /// <summary>The id of the next audit row (read under the write serialisation, so ids rise in chain order).</summary>
    protected virtual string NextAuditIdSql => "COALESCE((SELECT max(id) FROM audit), 0) + 1";

    /// <summary>An open connection.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>An open connection, for the synchronous key ring.</summary>
    protected abstract DbConnection Open();

    /// <summary>A read-only transaction in which every query sees one snapshot.</summary>
    protected abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one write transaction, serialised against every other write of this store on the database.</summary>
    protected abstract Task<T> WriteTransactionAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    private DateTimeOffset UtcNow => _timeProvider.GetUtcNow();

    public async Task<UserAccount?> FindUserAsync(string userName, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null,
            "SELECT username, password_hash, role, disabled, created_utc FROM users WHERE username = @name;");
        command.AddParameter("@name", userName);
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new UserAccount(reader.GetString(0), reader.GetString(1), reader.GetString(2), Long(reader, 3) != 0, ParseInstant(reader.GetString(4)));
    }

    public async Task<bool> SaveUserAsync(string userName, string passwordHash, string role, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        ArgumentException.ThrowIfNullOrWhiteSpace(passwordHash);
        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"Unknown role '{role}': use one of {string.Join(", ", Roles.All)}.", nameof(role));
        }

        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using DbCommand exists = Command(connection, transaction, "SELECT 1 FROM users WHERE username = @name;");
            exists.AddParameter("@name", userName);
            bool created = await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is null;

            // A new password or role ends every session opened before it (new security stamp) and clears a lockout.
            using DbCommand command = Command(connection, transaction, """
                INSERT INTO users (username, password_hash, role, disabled, created_utc, updated_utc, security_stamp)
                VALUES (@name, @hash, @role, 0, @now, @now, @stamp)
                ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, updated_utc = excluded.updated_utc,
                                                     failed_signins = 0, locked_until_utc = NULL;
                """);
            command.AddParameter("@name", userName);
            command.AddParameter("@hash", passwordHash);
            command.AddParameter("@role", role);
            command.AddParameter("@now", now);
            command.AddParameter("@stamp", NewSecurityStamp());
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (!created)
            {
                await RevokeAllAsync(connection, transaction, userName, "account_changed", now, ct).ConfigureAwait(false);
            }

            await InsertAuditAsync(connection, transaction, now, actor, created ? "user_added" : "user_updated", null, null, $"{userName} as {role}", ct)
                .ConfigureAwait(false);
            return created;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> CountUsersAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, "SELECT count(*) FROM users;", cancellationToken).ConfigureAwait(false);
    }

    public async Task<Lease?> LeaseNextAsync(string userName, QueuePolicy policy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        ArgumentNullException.ThrowIfNull(policy);
        int qaBuckets = (int)Math.Round(Math.Clamp(policy.QaShare, 0, 1) * QaBuckets, MidpointRounding.AwayFromZero);
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            string expires = SqliteColumns.Instant(UtcNow + policy.LeaseDuration);

            // 1. The document this clerk already holds (a reload must not hand out a second one).
            string? documentId = null;
            using (DbCommand held = Command(connection, transaction, """
                SELECT w.document_id FROM work_items w JOIN documents d ON d.document_id = w.document_id
                WHERE w.lease_user = @user AND w.lease_expires_utc > @now
                  AND (d.status IN ('needs_verification', 'unmatched') OR d.status = 'auto_filed')
                ORDER BY w.lease_expires_utc LIMIT 1;
                """))
            {
                held.AddParameter("@user", userName);
                held.AddParameter("@now", now);
                documentId = await held.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
            }

            // 2. The oldest flagged document nobody holds, that this clerk has not already confirmed once. Oldest first
            //    across needs_verification and unmatched (a skip moves a document to the back), so a document waiting for
            //    its second confirmation goes to the next other clerk without keeping the unmatched ones from being reached.
            bool fresh = documentId is null;
            if (documentId is null)
            {
                using DbCommand next = Command(connection, transaction, """
                    SELECT d.document_id FROM documents d LEFT JOIN work_items w ON w.document_id = d.document_id
                    WHERE d.status IN ('needs_verification', 'unmatched')
                      AND (w.document_id IS NULL OR
                           ((w.lease_user IS NULL OR w.lease_expires_utc <= @now) AND (w.first_user IS NULL OR w.first_user <> @user)))
                    ORDER BY COALESCE(w.requeued_utc, d.decided_at), d.document_id
                    LIMIT 1;
                    """);
                next.AddParameter("@user", userName);
                next.AddParameter("@now", now);
                documentId = await next.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
            }

            // 3. A QA sample: an auto-filed document in the sampled share, not yet reviewed; a proposed re-file waiting for its
            //    second confirmation first, and never to the clerk who proposed it.
            if (documentId is null)
            {
                using DbCommand qa = Command(connection, transaction, $"""
                    SELECT d.document_id FROM documents d LEFT JOIN work_items w ON w.document_id = d.document_id
                    WHERE d.status = 'auto_filed' AND ({QaBucketSql} < @buckets OR w.first_user IS NOT NULL)
                      AND NOT EXISTS (SELECT 1 FROM qa_reviews r WHERE r.document_id = d.document_id)
                      AND (w.document_id IS NULL OR
                           ((w.lease_user IS NULL OR w.lease_expires_utc <= @now) AND (w.first_user IS NULL OR w.first_user <> @user)))
                    ORDER BY w.first_user IS NULL, COALESCE(w.requeued_utc, d.decided_at), d.document_id
                    LIMIT 1;
                    """);
                qa.AddParameter("@buckets", qaBuckets);
                qa.AddParameter("@now", now);
                qa.AddParameter("@user", userName);
                documentId = await qa.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
            }

            if (documentId is null)
            {
                return null;
            }

            if (fresh)
            {
                // A new lease starts with no search results: only what this clerk finds during it may be chosen.
                await ClearSearchResultsAsync(connection, transaction, documentId, ct).ConfigureAwait(false);
            }

            string status;
            bool awaitingSecond;
            using (DbCommand take = Command(connection, transaction, """
                INSERT INTO work_items (document_id, lease_user, lease_expires_utc) VALUES (@id, @user, @expires)
                ON CONFLICT (document_id) DO UPDATE SET lease_user = excluded.lease_user, lease_expires_utc = excluded.lease_expires_utc;
                SELECT d.status, CASE WHEN w.first_user IS NOT NULL THEN 1 ELSE 0 END FROM documents d JOIN work_items w ON w.document_id = d.document_id
                WHERE d.document_id = @id;
                """))
            {
                take.AddParameter("@id", documentId);
                take.AddParameter("@user", userName);
                take.AddParameter("@expires", expires);
                await using DbDataReader reader = await take.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await reader.ReadAsync(ct).ConfigureAwait(false);
                status = reader.GetString(0);
                awaitingSecond = Long(reader, 1) != 0;
            }

            WorkKind kind = status == "auto_filed" ? WorkKind.QaSample : WorkKind.Verify;
            return new Lease(documentId, kind, ParseInstant(expires), awaitingSecond);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> CountQueueAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, "SELECT count(*) FROM documents WHERE status IN ('needs_verification', 'unmatched');", cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task ReleaseAsync(string userName, string documentId, CancellationToken cancellationToken)
    {
        await WriteAsync(async (connection, transaction, now, ct) =>
        {
            using DbCommand command = Command(connection, transaction,
                "UPDATE work_items SET lease_user = NULL, lease_expires_utc = NULL WHERE document_id = @id AND lease_user = @user;");
            command.AddParameter("@id", documentId);
            command.AddParameter("@user", userName);
            int released = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (released > 0)
            {
                await ClearSearchResultsAsync(connection, transaction, documentId, ct).ConfigureAwait(false);
                await InsertAuditAsync(connection, transaction, now, userName, "release", documentId, null, string.Empty, ct).ConfigureAwait(false);
            }

            return released;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> HoldsLeaseAsync(string userName, string documentId, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null,
            "SELECT 1 FROM work_items WHERE document_id = @id AND lease_user = @user AND lease_expires_utc > @now;");
        command.AddParameter("@id", documentId);
        command.AddParameter("@user", userName);
        command.AddParameter("@now", Now());
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<VerificationDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null, """
            SELECT document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at, risk_flags
            FROM documents WHERE document_id = @id;
            SELECT page_number, width_px, height_px, mean_confidence, words_json, qa_flags FROM pages
            WHERE sha256 = (SELECT sha256 FROM documents WHERE document_id = @id)
              AND page_number BETWEEN (SELECT first_page FROM documents WHERE document_id = @id) AND (SELECT last_page FROM documents WHERE document_id = @id)
            ORDER BY page_number;
            SELECT kind, value, raw, valid, confidence, page, boxes_json FROM identifiers WHERE document_id = @id ORDER BY id;
            SELECT c.rank, c.patient_id, c.score, c.fields_json,
                   p.patient_id, p.nhs_number, p.hospital_number, p.family_name, p.given_name, p.date_of_birth, p.sex, p.postcode, p.address
            FROM candidates c LEFT JOIN patients p ON p.patient_id = c.patient_id
            WHERE c.document_id = @id ORDER BY c.rank;
            """);
        command.AddParameter("@id", documentId);
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        string id = reader.GetString(0);
        string sha = reader.GetString(1);
        long? batch = reader.IsDBNull(2) ? null : Long(reader, 2);
        int first = Int(reader, 3);
        int last = Int(reader, 4);
        DocumentStatus status = DocumentStatusNames.Parse(reader.GetString(5));
        string? patient = reader.IsDBNull(6) ? null : reader.GetString(6);
        double? score = reader.IsDBNull(7) ? null : Real(reader, 7);
        string reason = reader.GetString(8);
        string model = reader.GetString(9);
        DateTimeOffset decided = ParseInstant(reader.GetString(10));
        MatchRisk risks = MatchRisks.Parse(reader.GetString(11));

        var pages = new List<StoredPage>();
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            pages.Add(new StoredPage(Int(reader, 0), Int(reader, 1), Int(reader, 2), Real(reader, 3), ParseWords(reader.GetString(4)))
            {
                QaFlags = reader.GetString(5),
            });
        }

        var identifiers = new List<StoredIdentifier>();
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            identifiers.Add(new StoredIdentifier(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), Long(reader, 3) != 0, Real(reader, 4), Int(reader, 5),
                ParseBoxes(reader.GetString(6))));
        }

        var candidates = new List<StoredCandidate>();
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            candidates.Add(new StoredCandidate(
                Int(reader, 0), reader.GetString(1), Real(reader, 2), ParseFields(reader.GetString(3)),
                reader.IsDBNull(4) ? null : ReadPatient(reader, 4)));
        }

        return new VerificationDocument(id, sha, batch, first, last, status, patient, score, reason, risks, model, decided, pages, identifiers, candidates);
    }

    public async Task<DecisionOutcome> DecideAsync(string userName, ClerkDecision decision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        ArgumentNullException.ThrowIfNull(decision);
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            string id = decision.DocumentId;
            string status;
            string? currentPatient;
            string modelVersion;
            long? batchId;
            string? firstUser;
            string? firstStatus;
            string? firstPatient;
            using (DbCommand load = Command(connection, transaction, """
                SELECT d.status, d.patient_id, d.model_version, d.batch_id, w.lease_user, w.lease_expires_utc, w.first_user, w.first_status, w.first_patient_id
                FROM documents d LEFT JOIN work_items w ON w.document_id = d.document_id WHERE d.document_id = @id;
                """))
            {
                load.AddParameter("@id", id);
                await using DbDataReader reader = await load.ExecuteReaderAsync(ct).ConfigureAwait(false);
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    return DecisionOutcome.NotFound;
                }

                status = reader.GetString(0);
                currentPatient = reader.IsDBNull(1) ? null : reader.GetString(1);
                modelVersion = reader.GetString(2);
                batchId = reader.IsDBNull(3) ? null : Long(reader, 3);
                string? leaseUser = reader.IsDBNull(4) ? null : reader.GetString(4);
                string? leaseExpires = reader.IsDBNull(5) ? null : reader.GetString(5);
                firstUser = reader.IsDBNull(6) ? null : reader.GetString(6);
                firstStatus = reader.IsDBNull(7) ? null : reader.GetString(7);
                firstPatient = reader.IsDBNull(8) ? null : reader.GetString(8);
                if (leaseUser is null || !string.Equals(leaseUser, userName, StringComparison.Ordinal) || leaseExpires is null ||
                    string.CompareOrdinal(leaseExpires, now) <= 0)
                {
                    return DecisionOutcome.LeaseLost;
                }
            }

            bool qa = status == "auto_filed";
            if (!qa && status is not ("needs_verification" or "unmatched"))
            {
                return DecisionOutcome.Invalid;
            }

            if (decision.Action == ClerkAction.Skip)
            {
                using DbCommand skip = Command(connection, transaction, """
                    UPDATE work_items SET lease_user = NULL, lease_expires_utc = NULL, requeued_utc = @now, skips = skips + 1 WHERE document_id = @id;
                    """);
                skip.AddParameter("@id", id);
                skip.AddParameter("@now", now);
                await skip.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await ClearSearchResultsAsync(connection, transaction, id, ct).ConfigureAwait(false);
                await InsertAuditAsync(connection, transaction, now, userName, "skip", id, null, qa ? "qa sample" : string.Empty, ct).ConfigureAwait(false);
                return DecisionOutcome.Skipped;
            }

            string newStatus = decision.Action switch
            {
                ClerkAction.File => "filed",
                ClerkAction.NotOnIndex => "not_on_index",
                ClerkAction.Rescan => "rescan",
                _ => throw new ArgumentOutOfRangeException(nameof(decision), decision.Action, "Unknown clerk action."),
            };
            string? patientId = decision.Action == ClerkAction.File ? decision.PatientId : null;
            string? chosenBy = null;
            if (decision.Action == ClerkAction.File)
            {
                if (string.IsNullOrWhiteSpace(patientId))
                {
                    return DecisionOutcome.Invalid;
                }

                using DbCommand known = Command(connection, transaction, "SELECT 1 FROM patients WHERE patient_id = @p;");
                known.AddParameter("@p", patientId);
                if (await known.ExecuteScalarAsync(ct).ConfigureAwait(false) is null)
                {
                    return DecisionOutcome.Invalid;
                }

                // The patient must be one the machine proposed or one this clerk's own search showed during this lease.
                chosenBy = await CandidateRankAsync(connection, transaction, id, patientId, ct).ConfigureAwait(false) is { } rank
                    ? string.Create(CultureInfo.InvariantCulture, $"confirmed candidate {rank}")
                    : qa && string.Equals(patientId, currentPatient, StringComparison.Ordinal) ? "auto-filed patient"
                    : await WasSearchResultAsync(connection, transaction, id, userName, patientId, ct).ConfigureAwait(false) ? "patient chosen by index search"
                    : null;
                if (chosenBy is null)
                {
                    await InsertAuditAsync(connection, transaction, now, userName, "decision_refused", id, patientId,
                        "patient is neither a candidate nor a result of this clerk's search during the lease", ct).ConfigureAwait(false);
                    return DecisionOutcome.Invalid;
                }
            }

            // Nothing is filed on one person's word where the policy asks for two (high risk, a QA re-file, a patient who was
            // not a candidate), and once a first confirmation is pending every later decision must agree with it.
            string reason;
            string described = chosenBy is null ? newStatus : $"{newStatus}: {chosenBy}";
            if ((decision.SecondConfirmationRequired || firstUser is not null) && decision.Action != ClerkAction.Rescan)
            {
                if (firstUser is null || string.Equals(firstUser, userName, StringComparison.Ordinal))
                {
                    await SetFirstConfirmationAsync(connection, transaction, id, userName, newStatus, patientId, now, ct).ConfigureAwait(false);
                    await InsertAuditAsync(connection, transaction, now, userName, qa ? "qa_refile_proposed" : "first_confirmation", id, patientId, described, ct)
                        .ConfigureAwait(false);
                    await ClearSearchResultsAsync(connection, transaction, id, ct).ConfigureAwait(false);
                    return DecisionOutcome.AwaitingSecondConfirmation;
                }

                if (!string.Equals(firstStatus, newStatus, StringComparison.Ordinal) || !string.Equals(firstPatient, patientId, StringComparison.Ordinal))
                {
                    // Disagreement: this clerk's reading becomes the one a third person must independently agree with.
                    await SetFirstConfirmationAsync(connection, transaction, id, userName, newStatus, patientId, now, ct).ConfigureAwait(false);
                    await InsertAuditAsync(connection, transaction, now, userName, "confirmation_disagreed", id, patientId,
                        $"{described}; first by {UserActorPrefix}{firstUser}", ct).ConfigureAwait(false);
                    await ClearSearchResultsAsync(connection, transaction, id, ct).ConfigureAwait(false);
                    return DecisionOutcome.Disagreement;
                }

                reason = qa
                    ? $"qa: auto-filed document corrected to {newStatus}: second independent confirmation (first by {UserActorPrefix}{firstUser})"
                    : $"{described}: second independent confirmation (first by {UserActorPrefix}{firstUser})";
            }
            else if (qa)
            {
                reason = newStatus == "filed" && string.Equals(patientId, currentPatient, StringComparison.Ordinal)
                    ? "qa: auto-filed patient confirmed"
                    : $"qa: auto-filed document corrected to {newStatus}";
            }
            else
            {
                reason = decision.Action switch
                {
                    ClerkAction.File => $"filed: {chosenBy}",
                    ClerkAction.NotOnIndex => "not_on_index: confirmed by clerk",
                    _ => "rescan: requested by clerk",
                };
            }

            using (DbCommand record = Command(connection, transaction, """
                INSERT INTO decisions (document_id, batch_id, status, patient_id, actor, model_version, reason, at_utc)
                VALUES (@id, @batch, @status, @patient, @actor, @model, @reason, @now);
                DELETE FROM work_items WHERE document_id = @id;
                DELETE FROM lease_search_results WHERE document_id = @id;
                """))
            {
                record.AddParameter("@id", id);
                record.AddParameter("@batch", (object?)batchId ?? DBNull.Value);
                record.AddParameter("@status", newStatus);
                record.AddParameter("@patient", (object?)patientId ?? DBNull.Value);
                record.AddParameter("@actor", UserActorPrefix + userName);
                record.AddParameter("@model", modelVersion);
                record.AddParameter("@reason", reason);
                record.AddParameter("@now", now);
                await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            bool qaConfirmed = qa && newStatus == "filed" && string.Equals(patientId, currentPatient, StringComparison.Ordinal);
            if (qa)
            {
                string verdict = qaConfirmed ? "correct" : newStatus == "rescan" ? "unreadable" : "misfiled";
                using DbCommand review = Command(connection, transaction,
                    "INSERT INTO qa_reviews (document_id, verdict, username, at_utc) VALUES (@id, @verdict, @user, @now) ON CONFLICT (document_id) DO NOTHING;");
                review.AddParameter("@id", id);
                review.AddParameter("@verdict", verdict);
                review.AddParameter("@user", userName);
                review.AddParameter("@now", now);
                await review.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            // A QA reviewer who agrees leaves the document auto-filed (the dashboard counts it so); anything else re-files it.
            if (!qaConfirmed)
            {
                using DbCommand update = Command(connection, transaction,
                    "UPDATE documents SET status = @status, patient_id = @patient, decided_at = @now WHERE document_id = @id;");
                update.AddParameter("@status", newStatus);
                update.AddParameter("@patient", (object?)patientId ?? DBNull.Value);
                update.AddParameter("@now", now);
                update.AddParameter("@id", id);
                await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await InsertAuditAsync(connection, transaction, now, userName, qa ? "qa_decision" : "decision", id, patientId, newStatus, ct).ConfigureAwait(false);
            return DecisionOutcome.Recorded;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Patient>> SearchPatientsAsync(PatientQuery query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string where;
        var parameters = new List<(string, object)>();
        if (!string.IsNullOrWhiteSpace(query.NhsNumber))
        {
            where = "nhs_number = @nhs";
            parameters.Add(("@nhs", new string(query.NhsNumber.Where(char.IsAsciiDigit).ToArray())));
        }
        else if (!string.IsNullOrWhiteSpace(query.HospitalNumber))
        {
            where = "upper(hospital_number) = @hospital";
            parameters.Add(("@hospital", query.HospitalNumber.Trim().ToUpperInvariant()));
        }
        else if (!string.IsNullOrWhiteSpace(query.FamilyName) || query.DateOfBirth is not null)
        {
            var parts = new List<string>();
            if (!string.IsNullOrWhiteSpace(query.FamilyName))
            {
                parts.Add("upper(family_name) LIKE @family ESCAPE '\\'");
                string family = query.FamilyName.Trim().ToUpperInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                    .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
                parameters.Add(("@family", family + "%"));
            }

            if (query.DateOfBirth is { } dob)
            {
                parts.Add("date_of_birth = @dob");
                parameters.Add(("@dob", SqliteColumns.Date(dob)));
            }

            where = string.Join(" AND ", parts);
        }
        else
        {
            return [];
        }

        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null,
            $"SELECT {PatientColumns} FROM patients WHERE {where} ORDER BY family_name, given_name, patient_id LIMIT @limit;");
        foreach ((string name, object value) in parameters)
        {
            command.AddParameter(name, value);
        }

        command.AddParameter("@limit", Math.Clamp(limit, 1, 200));
        var patients = new List<Patient>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            patients.Add(ReadPatient(reader, 0));
        }

        return patients;
    }

    public async Task<Patient?> GetPatientAsync(string patientId, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null, $"SELECT {PatientColumns} FROM patients WHERE patient_id = @id;");
        command.AddParameter("@id", patientId);
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadPatient(reader, 0) : null;
    }

    public Task AppendAuditAsync(string userName, string action, string? documentId, string? patientId, string detail, CancellationToken cancellationToken) =>
        AppendAuditAsync([new AuditEntry(0, default, userName, action, documentId, patientId, detail)], cancellationToken);

    public async Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await WriteAsync(async (connection, transaction, now, ct) =>
        {
            foreach (AuditEntry entry in entries)
            {
                await InsertAuditAsync(connection, transaction, now, entry.UserName, entry.Action, entry.DocumentId, entry.PatientId, entry.Detail, ct)
                    .ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null,
            "SELECT id, at_utc, username, action, document_id, patient_id, detail FROM audit ORDER BY id DESC LIMIT @limit;");
        command.AddParameter("@limit", Math.Max(1, limit));
        var entries = new List<AuditEntry>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new AuditEntry(Long(reader, 0), ParseInstant(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6)));
        }

        return entries;
    }

    public async Task<DashboardSnapshot> GetDashboardAsync(double qaShare, CancellationToken cancellationToken)
    {
        DateTimeOffset nowInstant = UtcNow;
        string now = SqliteColumns.Instant(nowInstant);
        string today = now[..10];
        string since14Days = SqliteColumns.Instant(nowInstant.AddDays(-13).UtcDateTime.Date)[..10];
        string since24Hours = SqliteColumns.Instant(nowInstant.AddHours(-23))[..13];
        string since7Days = SqliteColumns.Instant(nowInstant.AddDays(-7));
        int qaBuckets = (int)Math.Round(Math.Clamp(qaShare, 0, 1) * QaBuckets, MidpointRounding.AwayFromZero);

        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction: every number comes from the same snapshot.
        using DbTransaction snapshot = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
        Dictionary<string, long> files = await GroupCountAsync(connection, snapshot, "SELECT status, count(*) FROM source_files GROUP BY status;", cancellationToken)
            .ConfigureAwait(false);
        Dictionary<string, long> documents = await GroupCountAsync(connection, snapshot, "SELECT status, count(*) FROM documents WHERE status <> 'superseded' GROUP BY status;", cancellationToken)
            .ConfigureAwait(false);
        long pages = await ScalarAsync(connection, "SELECT count(*) FROM pages;", cancellationToken, snapshot).ConfigureAwait(false);

        long queue = 0;
        DateTimeOffset? oldest = null;
        double meanAgeHours = 0;
        using (DbCommand command = Command(connection, snapshot, $"""
            SELECT count(*), min(decided_at), {MeanAgeHoursSql}
            FROM documents WHERE status IN ('needs_verification', 'unmatched');
            """))
        {
            command.AddParameter("@now", now);
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            queue = Long(reader, 0);
            oldest = reader.IsDBNull(1) ? null : ParseInstant(reader.GetString(1));
            meanAgeHours = reader.IsDBNull(2) ? 0 : Real(reader, 2);
        }

        long awaitingSecond = await ScalarAsync(connection, """
            SELECT count(*) FROM work_items w JOIN documents d ON d.document_id = w.document_id
            WHERE w.first_user IS NOT NULL AND d.status IN ('needs_verification', 'unmatched', 'auto_filed');
            """, cancellationToken, snapshot).ConfigureAwait(false);

        List<KeyValuePair<string, long>> perDay = await SeriesAsync(connection, snapshot, """
            SELECT substr(at_utc, 1, 10), count(*) FROM decisions WHERE actor LIKE 'user:%' AND at_utc >= @since GROUP BY 1 ORDER BY 1;
            """, since14Days, cancellationToken).ConfigureAwait(false);
        List<KeyValuePair<string, long>> perHour = await SeriesAsync(connection, snapshot, """
            SELECT substr(at_utc, 1, 13), count(*) FROM decisions WHERE actor LIKE 'user:%' AND at_utc >= @since GROUP BY 1 ORDER BY 1;
            """, since24Hours, cancellationToken).ConfigureAwait(false);

        var clerks = new List<ClerkThroughput>();
        using (DbCommand command = Command(connection, snapshot, """
            SELECT substr(actor, 6), count(*), sum(CASE WHEN at_utc >= @today THEN 1 ELSE 0 END), sum(CASE WHEN status = 'filed' THEN 1 ELSE 0 END), sum(CASE WHEN status = 'not_on_index' THEN 1 ELSE 0 END), sum(CASE WHEN status = 'rescan' THEN 1 ELSE 0 END)
            FROM decisions WHERE actor LIKE 'user:%' GROUP BY actor ORDER BY count(*) DESC, actor;
            """))
        {
            command.AddParameter("@today", today);
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                clerks.Add(new ClerkThroughput(reader.GetString(0), Long(reader, 1), Long(reader, 2), Long(reader, 3), Long(reader, 4), Long(reader, 5)));
            }
        }

        long last7;
        using (DbCommand command = Command(connection, snapshot, "SELECT count(*) FROM decisions WHERE actor LIKE 'user:%' AND at_utc >= @since;"))
        {
            command.AddParameter("@since", since7Days);
            last7 = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        long sampled;
        using (DbCommand command = Command(connection, snapshot, $"""
            SELECT count(*) FROM documents d
            WHERE {QaBucketSql} < @buckets AND (d.status = 'auto_filed' OR d.document_id IN (SELECT document_id FROM qa_reviews));
            """))
        {
            command.AddParameter("@buckets", qaBuckets);
            sampled = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        long reviewed = await ScalarAsync(connection, "SELECT count(*) FROM qa_reviews WHERE verdict IN ('correct', 'misfiled');", cancellationToken, snapshot)
            .ConfigureAwait(false);
        long misfiled = await ScalarAsync(connection, "SELECT count(*) FROM qa_reviews WHERE verdict = 'misfiled';", cancellationToken, snapshot)
            .ConfigureAwait(false);
        await snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);

        return new DashboardSnapshot(nowInstant, files, pages, documents, queue, awaitingSecond, oldest, meanAgeHours, perDay, perHour, clerks, last7,
            qaShare, sampled, reviewed, misfiled);
    }

    public async Task<IReadOnlyList<BatchSummary>> GetBatchesAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbTransaction snapshot = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
        var batches = new List<BatchSummary>();
        using (DbCommand command = Command(connection, snapshot, """
            SELECT b.id, b.name, b.state, b.created_utc, b.updated_utc,
                   count(f.sha256),
                   COALESCE(sum(CASE WHEN f.status = 'complete' THEN 1 ELSE 0 END), 0),
                   COALESCE(sum(CASE WHEN f.status = 'quarantined' THEN 1 ELSE 0 END), 0),
                   COALESCE(sum(CASE WHEN f.status = 'pending' THEN 1 ELSE 0 END), 0),
                   COALESCE(sum(f.page_count), 0),
                   COALESCE(sum((SELECT count(*) FROM pages p WHERE p.sha256 = f.sha256)), 0),
                   COALESCE(sum((SELECT COALESCE(sum(d.last_page - d.first_page + 1), 0) FROM documents d
                                 WHERE d.sha256 = f.sha256 AND d.status NOT IN ('quarantined', 'superseded'))), 0)
            FROM batches b
            LEFT JOIN (SELECT DISTINCT batch_id, sha256 FROM batch_sources) bs ON bs.batch_id = b.id
            LEFT JOIN source_files f ON f.sha256 = bs.sha256
            GROUP BY b.id ORDER BY b.id DESC;
            """))
        {
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                batches.Add(new BatchSummary(Long(reader, 0), reader.GetString(1), reader.GetString(2), ParseInstant(reader.GetString(3)),
                    ParseInstant(reader.GetString(4)), Long(reader, 5), Long(reader, 6), Long(reader, 7), Long(reader, 8), Long(reader, 9),
                    Long(reader, 10), Long(reader, 11), new Dictionary<string, long>(StringComparer.Ordinal)));
            }
        }

        for (int i = 0; i < batches.Count; i++)
        {
            using DbCommand command = Command(connection, snapshot, """
                SELECT d.status, count(*) FROM documents d
                WHERE d.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = @batch) AND d.status <> 'superseded' GROUP BY d.status;
                """);
            command.AddParameter("@batch", batches[i].Id);
            var byStatus = (Dictionary<string, long>)batches[i].DocumentsByStatus;
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                byStatus[reader.GetString(0)] = Long(reader, 1);
            }
        }

        await snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);
        return batches;
    }

    public async Task<IReadOnlyList<QuarantinedFile>> GetQuarantinedAsync(long batchId, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbCommand command = Command(connection, null, """
            SELECT bs.path, f.sha256,
                   COALESCE(f.quarantine_reason, (SELECT d.reason FROM documents d WHERE d.sha256 = f.sha256 AND d.status = 'quarantined' LIMIT 1), ''),
                   f.status,
                   (SELECT max(r.at_utc) FROM retry_requests r WHERE r.sha256 = f.sha256 AND r.batch_id = bs.batch_id)
            FROM batch_sources bs JOIN source_files f ON f.sha256 = bs.sha256
            WHERE bs.batch_id = @batch
              AND (f.status = 'quarantined' OR f.quarantine_reason IS NOT NULL
                   OR EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = f.sha256 AND d.status = 'quarantined'))
            ORDER BY bs.path;
            """);
        command.AddParameter("@batch", batchId);
        var files = new List<QuarantinedFile>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            files.Add(new QuarantinedFile(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : ParseInstant(reader.GetString(4))));
        }

        return files;
    }

    public async Task<int> RequestRetryAsync(long batchId, string? sha256, string userName, CancellationToken cancellationToken)
    {
        return await WriteAsync(async (connection, transaction, now, ct) =>
        {
            List<string> targets;
            using (DbCommand select = Command(connection, transaction, """
                SELECT DISTINCT f.sha256 FROM batch_sources bs JOIN source_files f ON f.sha256 = bs.sha256
                WHERE bs.batch_id = @batch AND f.status = 'quarantined' AND (@sha IS NULL OR f.sha256 = @sha);
                """))
            {
                select.AddParameter("@batch", batchId);
                select.AddParameter("@sha", (object?)sha256 ?? DBNull.Value);
                targets = await ReadStringsAsync(select, ct).ConfigureAwait(false);
            }

            foreach (string target in targets)
            {
                using DbCommand reopen = Command(connection, transaction, """
                    UPDATE source_files SET status = 'pending', updated_utc = @now WHERE sha256 = @sha;
                    INSERT INTO retry_requests (batch_id, sha256, username, at_utc) VALUES (@batch, @sha, @user, @now);
                    """);
                reopen.AddParameter("@sha", target);
                reopen.AddParameter("@batch", batchId);
                reopen.AddParameter("@user", userName);
                reopen.AddParameter("@now", now);
                await reopen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await InsertAuditAsync(connection, transaction, now, userName, "retry_requested", null, null,
                    string.Create(CultureInfo.InvariantCulture, $"batch {batchId} file {target[..16]}"), ct).ConfigureAwait(false);
            }

            return targets.Count;
        }, cancellationToken).ConfigureAwait(false);
    }

    private const string PatientColumns = "patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth, sex, postcode, address";

    private static Patient ReadPatient(DbDataReader reader, int o) => new(
        reader.GetString(o),
        reader.IsDBNull(o + 1) ? null : reader.GetString(o + 1),
        reader.IsDBNull(o + 2) ? null : reader.GetString(o + 2),
        reader.GetString(o + 3),
        reader.GetString(o + 4),
        reader.IsDBNull(o + 5) ? null : SqliteColumns.ParseDate(reader.GetString(o + 5)),
        reader.IsDBNull(o + 6) ? null : reader.GetString(o + 6),
        reader.IsDBNull(o + 7) ? null : reader.GetString(o + 7),
        reader.IsDBNull(o + 8) ? null : reader.GetString(o + 8));

    private static async Task<int?> CandidateRankAsync(DbConnection connection, DbTransaction transaction, string documentId, string patientId, CancellationToken ct)
    {
        using DbCommand command = Command(connection, transaction, "SELECT min(rank) FROM candidates WHERE document_id = @id AND patient_id = @p;");
        command.AddParameter("@id", documentId);
        command.AddParameter("@p", patientId);
        object? rank = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return rank is null or DBNull ? null : Convert.ToInt32(rank, CultureInfo.InvariantCulture);
    }

    private static async Task<bool> WasSearchResultAsync(
        DbConnection connection, DbTransaction transaction, string documentId, string userName, string patientId, CancellationToken ct)
    {
        using DbCommand command = Command(connection, transaction,
            "SELECT 1 FROM lease_search_results WHERE document_id = @id AND username = @user AND patient_id = @p;");
        command.AddParameter("@id", documentId);
        command.AddParameter("@user", userName);
        command.AddParameter("@p", patientId);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null;
    }

    private static async Task ClearSearchResultsAsync(DbConnection connection, DbTransaction transaction, string documentId, CancellationToken ct)
    {
        using DbCommand command = Command(connection, transaction, "DELETE FROM lease_search_results WHERE document_id = @id;");
        command.AddParameter("@id", documentId);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task SetFirstConfirmationAsync(
        DbConnection connection, DbTransaction transaction, string documentId, string userName, string status, string? patientId, string now, CancellationToken ct)
    {
        using DbCommand command = Command(connection, transaction, """
            UPDATE work_items SET first_user = @user, first_status = @status, first_patient_id = @patient, first_utc = @now,
                                  lease_user = NULL, lease_expires_utc = NULL
            WHERE document_id = @id;
            """);
        command.AddParameter("@user", userName);
        command.AddParameter("@status", status);
        command.AddParameter("@patient", (object?)patientId ?? DBNull.Value);
        command.AddParameter("@now", now);
        command.AddParameter("@id", documentId);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<Dictionary<string, long>> GroupCountAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken ct)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        using DbCommand command = Command(connection, transaction, sql);
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result[reader.GetString(0)] = Long(reader, 1);
        }

        return result;
    }

    private static async Task<List<KeyValuePair<string, long>>> SeriesAsync(
        DbConnection connection, DbTransaction transaction, string sql, string since, CancellationToken ct)
    {
        var result = new List<KeyValuePair<string, long>>();
        using DbCommand command = Command(connection, transaction, sql);
        command.AddParameter("@since", since);
        await using DbDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result.Add(new(reader.GetString(0), Long(reader, 1)));
        }

        return result;
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken ct, DbTransaction? transaction = null)
    {
        using DbCommand command = Command(connection, transaction, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static List<Word> ParseWords(string json)
    {
        var words = new List<Word>();
        using JsonDocument document = JsonDocument.Parse(json);
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            words.Add(new Word(
                item.GetProperty("t").GetString() ?? string.Empty,
                ReadBox(item.GetProperty("b")),
                item.TryGetProperty("c", out JsonElement c) ? c.GetSingle() : 0f,
                item.TryGetProperty("l", out JsonElement l) ? l.GetInt32() : 0));
        }

        return words;
    }

    private static List<PixelBox> ParseBoxes(string json)
    {
        var boxes = new List<PixelBox>();
        using JsonDocument document = JsonDocument.Parse(json);
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            boxes.Add(ReadBox(item));
        }

        return boxes;
    }

    private static List<FieldComparison> ParseFields(string json)
    {
        var fields = new List<FieldComparison>();
        using JsonDocument document = JsonDocument.Parse(json);
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            fields.Add(new FieldComparison(item.GetProperty("f").GetString() ?? string.Empty, item.GetProperty("l").GetString() ?? string.Empty,
                item.TryGetProperty("w", out JsonElement w) ? w.GetDouble() : 0)
            {
                Source = item.TryGetProperty("s", out JsonElement source) ? source.GetString() : null,
            });
        }

        return fields;
    }

    private static PixelBox ReadBox(JsonElement box) =>
        new(box[0].GetInt32(), box[1].GetInt32(), box[2].GetInt32(), box[3].GetInt32());

    private static DateTimeOffset ParseInstant(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private string Now() => SqliteColumns.Instant(UtcNow);

    /// <summary>One write transaction (see <see cref="WriteTransactionAsync"/>); <paramref name="work"/> gets the time it runs at.</summary>
    private Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, string, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        WriteTransactionAsync((connection, transaction, ct) => work(connection, transaction, Now(), ct), cancellationToken);

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        DbCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>The first column of every row <paramref name="command"/> returns, as text.</summary>
    private static async Task<List<string>> ReadStringsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    // Integers and reals through Convert: SQLite returns 64-bit integers and reals everywhere, PostgreSQL the column's own
    // type (integer, bigint, numeric for a sum of bigints).
    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static int Int(DbDataReader reader, int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static double Real(DbDataReader reader, int ordinal) => Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}

/// <summary>Parameters on any provider's command (<see cref="DbParameterCollection"/> has no <c>AddWithValue</c>).</summary>
internal static class DbCommandExtensions
{
    /// <summary>Adds <c>@name</c>; null is sent as a database NULL whose type the server infers from where it is used.</summary>
    public static void AddParameter(this DbCommand command, string name, object? value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
