using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>One schema step. Versions are applied in order, each in its own transaction, and never edited once shipped.</summary>
internal sealed record SqliteMigration(int Version, string Name, string Sql);

/// <summary>
/// The SQLite provider's migrations. The applied versions are recorded in <c>schema_version</c>
/// (one row per step, with when it was applied) and mirrored in <c>PRAGMA user_version</c> for quick inspection.
/// To change the schema, append a new step; never edit an existing one.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<SqliteMigration> All { get; } =
    [
        new(1, "initial", """
            CREATE TABLE batches (
                id           INTEGER PRIMARY KEY,
                name         TEXT    NOT NULL UNIQUE,
                created_utc  TEXT    NOT NULL,
                updated_utc  TEXT    NOT NULL,
                state        TEXT    NOT NULL
            );

            CREATE TABLE source_files (
                sha256            TEXT    NOT NULL PRIMARY KEY,
                length            INTEGER NOT NULL,
                format            TEXT    NULL,
                page_count        INTEGER NULL,
                status            TEXT    NOT NULL DEFAULT 'pending'
                                  CHECK (status IN ('pending', 'complete', 'quarantined')),
                quarantine_reason TEXT    NULL,
                created_utc       TEXT    NOT NULL,
                updated_utc       TEXT    NOT NULL
            );

            CREATE TABLE batch_sources (
                batch_id     INTEGER NOT NULL REFERENCES batches (id),
                path         TEXT    NOT NULL,
                sha256       TEXT    NOT NULL REFERENCES source_files (sha256),
                recorded_utc TEXT    NOT NULL,
                PRIMARY KEY (batch_id, path)
            );
            CREATE INDEX ix_batch_sources_sha256 ON batch_sources (sha256);

            CREATE TABLE pages (
                sha256          TEXT    NOT NULL REFERENCES source_files (sha256),
                page_number     INTEGER NOT NULL,
                text            TEXT    NOT NULL,
                mean_confidence REAL    NOT NULL,
                words_json      TEXT    NOT NULL,
                width_px        INTEGER NOT NULL,
                height_px       INTEGER NOT NULL,
                dpi             INTEGER NOT NULL,
                origin          TEXT    NOT NULL,
                ocr_ms          INTEGER NOT NULL,
                PRIMARY KEY (sha256, page_number)
            );

            CREATE TABLE documents (
                document_id   TEXT    NOT NULL PRIMARY KEY,
                sha256        TEXT    NOT NULL REFERENCES source_files (sha256),
                batch_id      INTEGER NULL REFERENCES batches (id),
                first_page    INTEGER NOT NULL,
                last_page     INTEGER NOT NULL,
                status        TEXT    NOT NULL
                              CHECK (status IN ('auto_filed', 'needs_verification', 'unmatched', 'quarantined')),
                patient_id    TEXT    NULL,
                match_score   REAL    NULL,
                reason        TEXT    NOT NULL,
                model_version TEXT    NOT NULL,
                decided_at    TEXT    NOT NULL
            );
            CREATE INDEX ix_documents_sha256 ON documents (sha256, first_page);
            CREATE INDEX ix_documents_status ON documents (status);
            CREATE INDEX ix_documents_patient_id ON documents (patient_id);

            CREATE TABLE identifiers (
                id          INTEGER PRIMARY KEY,
                document_id TEXT    NOT NULL REFERENCES documents (document_id),
                kind        TEXT    NOT NULL,
                value       TEXT    NOT NULL,
                raw         TEXT    NOT NULL,
                valid       INTEGER NOT NULL,
                confidence  REAL    NOT NULL,
                page        INTEGER NOT NULL,
                boxes_json  TEXT    NOT NULL
            );
            CREATE INDEX ix_identifiers_document_id ON identifiers (document_id);
            CREATE INDEX ix_identifiers_kind_value ON identifiers (kind, value);

            CREATE TABLE candidates (
                document_id TEXT    NOT NULL REFERENCES documents (document_id),
                rank        INTEGER NOT NULL,
                patient_id  TEXT    NOT NULL,
                score       REAL    NOT NULL,
                fields_json TEXT    NOT NULL,
                PRIMARY KEY (document_id, rank)
            );

            CREATE TABLE decisions (
                id            INTEGER PRIMARY KEY,
                document_id   TEXT    NOT NULL REFERENCES documents (document_id),
                batch_id      INTEGER NULL REFERENCES batches (id),
                status        TEXT    NOT NULL,
                patient_id    TEXT    NULL,
                actor         TEXT    NOT NULL,
                model_version TEXT    NOT NULL,
                reason        TEXT    NOT NULL,
                at_utc        TEXT    NOT NULL
            );
            CREATE INDEX ix_decisions_document_id ON decisions (document_id, id);

            CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
            BEGIN
                SELECT RAISE(ABORT, 'decisions are append-only: UPDATE is not allowed');
            END;

            CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
            BEGIN
                SELECT RAISE(ABORT, 'decisions are append-only: DELETE is not allowed');
            END;

            CREATE TABLE patients (
                patient_id      TEXT NOT NULL PRIMARY KEY,
                nhs_number      TEXT NULL,
                hospital_number TEXT NULL,
                family_name     TEXT NOT NULL,
                given_name      TEXT NOT NULL,
                date_of_birth   TEXT NULL,
                sex             TEXT NULL,
                postcode        TEXT NULL,
                address         TEXT NULL
            );
            CREATE INDEX ix_patients_nhs_number ON patients (nhs_number);
            CREATE INDEX ix_patients_hospital_number ON patients (hospital_number);
            CREATE INDEX ix_patients_date_of_birth ON patients (date_of_birth);
            CREATE INDEX ix_patients_family_name ON patients (family_name);
            """),

        // Verification: clerk statuses on documents (rebuilt to widen the CHECK: identifiers, candidates and decisions
        // reference documents, so foreign keys are deferred to the commit, by when the rows are back), accounts, leases,
        // second confirmations, QA reviews, retry requests and the append-only audit trail.
        new(2, "verification", """
            PRAGMA defer_foreign_keys = ON;

            CREATE TEMP TABLE documents_v1 AS SELECT * FROM documents;
            DROP TABLE documents;
            CREATE TABLE documents (
                document_id   TEXT    NOT NULL PRIMARY KEY,
                sha256        TEXT    NOT NULL REFERENCES source_files (sha256),
                batch_id      INTEGER NULL REFERENCES batches (id),
                first_page    INTEGER NOT NULL,
                last_page     INTEGER NOT NULL,
                status        TEXT    NOT NULL
                              CHECK (status IN ('auto_filed', 'needs_verification', 'unmatched', 'quarantined',
                                                'filed', 'not_on_index', 'rescan')),
                patient_id    TEXT    NULL,
                match_score   REAL    NULL,
                reason        TEXT    NOT NULL,
                model_version TEXT    NOT NULL,
                decided_at    TEXT    NOT NULL
            );
            INSERT INTO documents (document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at)
            SELECT document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at
            FROM documents_v1;
            DROP TABLE documents_v1;
            CREATE INDEX ix_documents_sha256 ON documents (sha256, first_page);
            CREATE INDEX ix_documents_status ON documents (status, decided_at);
            CREATE INDEX ix_documents_patient_id ON documents (patient_id);
            CREATE INDEX ix_decisions_actor_at ON decisions (actor, at_utc);
            CREATE INDEX ix_decisions_at ON decisions (at_utc);

            CREATE TABLE users (
                username      TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
                password_hash TEXT    NOT NULL,
                role          TEXT    NOT NULL CHECK (role IN ('admin', 'clerk', 'operator', 'manager')),
                disabled      INTEGER NOT NULL DEFAULT 0,
                created_utc   TEXT    NOT NULL,
                updated_utc   TEXT    NOT NULL
            );

            -- One row per document a clerk has touched: the lease, the queue position after a skip, and a pending
            -- first confirmation of a high-risk document (who, what) awaiting an independent second one.
            CREATE TABLE work_items (
                document_id       TEXT    NOT NULL PRIMARY KEY REFERENCES documents (document_id),
                lease_user        TEXT    NULL,
                lease_expires_utc TEXT    NULL,
                requeued_utc      TEXT    NULL,
                skips             INTEGER NOT NULL DEFAULT 0,
                first_user        TEXT    NULL,
                first_status      TEXT    NULL,
                first_patient_id  TEXT    NULL,
                first_utc         TEXT    NULL
            );
            CREATE INDEX ix_work_items_lease_user ON work_items (lease_user);

            CREATE TABLE qa_reviews (
                document_id TEXT NOT NULL PRIMARY KEY REFERENCES documents (document_id),
                verdict     TEXT NOT NULL CHECK (verdict IN ('correct', 'misfiled', 'unreadable')),
                username    TEXT NOT NULL,
                at_utc      TEXT NOT NULL
            );

            CREATE TABLE retry_requests (
                id       INTEGER PRIMARY KEY,
                batch_id INTEGER NOT NULL REFERENCES batches (id),
                sha256   TEXT    NOT NULL REFERENCES source_files (sha256),
                username TEXT    NOT NULL,
                at_utc   TEXT    NOT NULL
            );
            CREATE INDEX ix_retry_requests_sha256 ON retry_requests (sha256, id);

            CREATE TABLE audit (
                id          INTEGER PRIMARY KEY,
                at_utc      TEXT    NOT NULL,
                username    TEXT    NOT NULL,
                action      TEXT    NOT NULL,
                document_id TEXT    NULL,
                patient_id  TEXT    NULL,
                detail      TEXT    NOT NULL DEFAULT ''
            );
            CREATE INDEX ix_audit_at ON audit (at_utc);
            CREATE INDEX ix_audit_document_id ON audit (document_id);

            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN
                SELECT RAISE(ABORT, 'audit is append-only: UPDATE is not allowed');
            END;

            CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN
                SELECT RAISE(ABORT, 'audit is append-only: DELETE is not allowed');
            END;
            """),
        new(3, "match_models", """
            CREATE TABLE match_models (
                version     TEXT    NOT NULL PRIMARY KEY,
                sequence    INTEGER NOT NULL UNIQUE,
                created_utc TEXT    NOT NULL,
                model_json  TEXT    NOT NULL
            );
            """),
        new(4, "page qa and reconciliation", """
            ALTER TABLE pages ADD COLUMN qa_flags TEXT NOT NULL DEFAULT '';
            ALTER TABLE pages ADD COLUMN qa_json TEXT NULL;
            ALTER TABLE pages ADD COLUMN barcodes_json TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE source_files ADD COLUMN pages_ocr INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE source_files ADD COLUMN pages_text_layer INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE source_files ADD COLUMN pages_blank INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE source_files ADD COLUMN pages_separator INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE source_files ADD COLUMN pages_quarantined INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE source_files ADD COLUMN documents_count INTEGER NOT NULL DEFAULT 0;
            """),

        // MPI at scale: previous family names, merged patients (the retired record stays, pointing at its survivor, and is
        // left out of the index), and candidates found by patient so a merge can repoint them without a scan.
        new(5, "mpi merges", """
            ALTER TABLE patients ADD COLUMN previous_family_name TEXT NULL;
            ALTER TABLE patients ADD COLUMN merged_into TEXT NULL;
            ALTER TABLE patients ADD COLUMN merged_utc TEXT NULL;
            CREATE INDEX ix_patients_merged_into ON patients (merged_into) WHERE merged_into IS NOT NULL;
            CREATE INDEX ix_candidates_patient_id ON candidates (patient_id);
            """),

        // Retries: a quarantined document replaced by what a retry of its file produced becomes 'superseded' (kept for its
        // history). The table is rebuilt to widen the CHECK, foreign keys deferred to the commit as in step 2.
        new(6, "superseded documents", """
            PRAGMA defer_foreign_keys = ON;

            CREATE TEMP TABLE documents_v5 AS SELECT * FROM documents;
            DROP TABLE documents;
            CREATE TABLE documents (
                document_id   TEXT    NOT NULL PRIMARY KEY,
                sha256        TEXT    NOT NULL REFERENCES source_files (sha256),
                batch_id      INTEGER NULL REFERENCES batches (id),
                first_page    INTEGER NOT NULL,
                last_page     INTEGER NOT NULL,
                status        TEXT    NOT NULL
                              CHECK (status IN ('auto_filed', 'needs_verification', 'unmatched', 'quarantined',
                                                'filed', 'not_on_index', 'rescan', 'superseded')),
                patient_id    TEXT    NULL,
                match_score   REAL    NULL,
                reason        TEXT    NOT NULL,
                model_version TEXT    NOT NULL,
                decided_at    TEXT    NOT NULL
            );
            INSERT INTO documents (document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at)
            SELECT document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at
            FROM documents_v5;
            DROP TABLE documents_v5;
            CREATE INDEX ix_documents_sha256 ON documents (sha256, first_page);
            CREATE INDEX ix_documents_status ON documents (status, decided_at);
            CREATE INDEX ix_documents_patient_id ON documents (patient_id);
            """),

        // Matching models: each trained Fellegi-Sunter model as versioned JSON; documents and decisions already record
        // model_version, which names a row here (or a built-in model such as fs-0 or rules-1).

        // Risk as typed data: the matcher's risk flags (MatchRisks wire names, comma-separated) in their own column, which the
        // second-confirmation rule reads. Documents decided before this step get flags derived from what was stored with
        // them — the reason (both matchers' wordings), the identifiers as read, the top candidates' field levels and
        // weights, and the candidates' patients — so nothing already waiting loses its second confirmation. Derivation
        // errs towards a flag: a spurious one costs a second look, a missing one a possible misfile.
        new(7, "risk flags", """
            ALTER TABLE documents ADD COLUMN risk_flags TEXT NOT NULL DEFAULT '';

            CREATE TEMP TABLE top_fields AS
            SELECT c.document_id, c.rank, json_extract(f.value, '$.f') AS field, json_extract(f.value, '$.l') AS level, json_extract(f.value, '$.w') AS weight
            FROM candidates c, json_each(c.fields_json) f
            WHERE c.rank <= 2 AND json_valid(c.fields_json);
            CREATE INDEX temp.ix_top_fields ON top_fields (document_id, rank, field);

            UPDATE documents SET risk_flags = trim(
                CASE WHEN reason LIKE '%corrected%'
                       OR EXISTS (SELECT 1 FROM identifiers i
                                  WHERE i.document_id = documents.document_id AND i.kind IN ('nhs_number', 'chi_number')
                                    AND upper(replace(replace(replace(replace(i.raw, ' ', ''), '-', ''), '.', ''), '/', '')) <> upper(replace(i.value, ' ', '')))
                       OR EXISTS (SELECT 1 FROM top_fields t
                                  WHERE t.document_id = documents.document_id AND t.rank = 1 AND t.field = 'nhs_number' AND t.level = 'corrected')
                     THEN ',corrected_nhs_number' ELSE '' END
                || CASE WHEN reason LIKE '%rival%'
                       OR (SELECT t1.weight - t2.weight FROM top_fields t1 JOIN top_fields t2 ON t2.document_id = t1.document_id AND t2.rank = 2 AND t2.field = 'total'
                           WHERE t1.document_id = documents.document_id AND t1.rank = 1 AND t1.field = 'total') < 5
                     THEN ',rival_within_margin' ELSE '' END
                || CASE WHEN reason LIKE '%two patients named%' OR reason LIKE '%two nhs_numbers%' OR reason LIKE '%two dates_of_birth%'
                       OR reason LIKE '%clash%'
                     THEN ',several_patients_named' ELSE '' END
                || CASE WHEN reason LIKE '%different patients%' OR reason LIKE '%several index records%'
                     THEN ',identifiers_point_at_different_patients' ELSE '' END
                || CASE WHEN reason LIKE '%nhs_number contradicts%' OR reason LIKE '%chi_number contradicts%' OR reason LIKE '%hospital_number contradicts%'
                       OR reason LIKE '%not on index%'
                       OR EXISTS (SELECT 1 FROM top_fields t
                                  WHERE t.document_id = documents.document_id AND t.rank = 1
                                    AND t.field IN ('nhs_number', 'hospital_number') AND t.level = 'different')
                     THEN ',strong_identifier_contradicted' ELSE '' END
                || CASE WHEN reason LIKE '%date_of_birth contradicts%' OR reason LIKE '%family_name contradicts%'
                       OR reason LIKE '%given_name contradicts%' OR reason LIKE '%sex contradicts%'
                       OR EXISTS (SELECT 1 FROM top_fields t
                                  WHERE t.document_id = documents.document_id AND t.rank = 1
                                    AND t.field IN ('date_of_birth', 'family_name', 'given_name', 'sex')
                                    AND (t.level = 'different' OR (t.field = 'date_of_birth' AND t.level = 'year_only')))
                     THEN ',demographic_contradicted' ELSE '' END
                || CASE WHEN EXISTS (SELECT 1 FROM candidates c1
                                     JOIN patients p1 ON p1.patient_id = c1.patient_id
                                     JOIN candidates c2 ON c2.document_id = c1.document_id AND c2.rank > 1
                                     JOIN patients p2 ON p2.patient_id = c2.patient_id
                                     WHERE c1.document_id = documents.document_id AND c1.rank = 1
                                       AND p1.date_of_birth IS NOT NULL AND p2.date_of_birth = p1.date_of_birth
                                       AND upper(p2.family_name) = upper(p1.family_name))
                     THEN ',same_name_and_date_of_birth' ELSE '' END,
                ',')
            WHERE status NOT IN ('quarantined', 'superseded');

            DROP TABLE top_fields;
            """),

        // Security: sessions live here (by the SHA-256 of their id) and are re-checked against the account's security stamp
        // on every request; failed sign-ins lock an account out; the data-protection key ring belongs to the database; the
        // patients a search showed a clerk during a lease are remembered (only those and the candidates may be chosen); and
        // the audit trail becomes a hash chain. Rows from before this step are sealed into the chain by the first append
        // after it: the update trigger allows exactly that (setting a missing hash, nothing else).
        new(8, "sessions and audit chain", """
            ALTER TABLE users ADD COLUMN security_stamp TEXT NOT NULL DEFAULT '';
            ALTER TABLE users ADD COLUMN failed_signins INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE users ADD COLUMN locked_until_utc TEXT NULL;

            CREATE TABLE sessions (
                id_hash              TEXT NOT NULL PRIMARY KEY,
                username             TEXT NOT NULL COLLATE NOCASE,
                role                 TEXT NOT NULL,
                security_stamp       TEXT NOT NULL,
                created_utc          TEXT NOT NULL,
                last_seen_utc        TEXT NOT NULL,
                absolute_expires_utc TEXT NOT NULL,
                revoked_utc          TEXT NULL,
                revoked_reason       TEXT NULL
            );
            CREATE INDEX ix_sessions_username ON sessions (username);

            CREATE TABLE data_protection_keys (
                id            INTEGER PRIMARY KEY,
                friendly_name TEXT NOT NULL UNIQUE,
                xml           TEXT NOT NULL,
                created_utc   TEXT NOT NULL
            );

            CREATE TABLE lease_search_results (
                document_id TEXT NOT NULL REFERENCES documents (document_id),
                username    TEXT NOT NULL COLLATE NOCASE,
                patient_id  TEXT NOT NULL,
                at_utc      TEXT NOT NULL,
                PRIMARY KEY (document_id, username, patient_id)
            );

            ALTER TABLE audit ADD COLUMN prev_hash TEXT NULL;
            ALTER TABLE audit ADD COLUMN hash TEXT NULL;
            CREATE INDEX ix_audit_unsealed ON audit (id) WHERE hash IS NULL;
            CREATE INDEX ix_audit_action_at ON audit (action, at_utc);

            DROP TRIGGER audit_no_update;
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            WHEN NOT (OLD.hash IS NULL AND OLD.prev_hash IS NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
                      AND NEW.id = OLD.id AND NEW.at_utc = OLD.at_utc AND NEW.username = OLD.username AND NEW.action = OLD.action
                      AND NEW.document_id IS OLD.document_id AND NEW.patient_id IS OLD.patient_id AND NEW.detail = OLD.detail)
            BEGIN
                SELECT RAISE(ABORT, 'audit is append-only: UPDATE is not allowed');
            END;
            """),

        // Evidence provenance (issue 11): how each identifier was found (a label, the page layout, a token on the index, or a
        // search of the document for one candidate's own demographics) and, for a search, whose demographics were sought.
        new(9, "identifier provenance", """
            ALTER TABLE identifiers ADD COLUMN source TEXT NOT NULL DEFAULT 'label';
            ALTER TABLE identifiers ADD COLUMN sought_for TEXT NULL;
            """),

        // Document types: each document's type code (a DocumentTypes:Types code, SNOMED-mapped in configuration), the
        // classifier's confidence and model, or 'clerk' when a clerk chose it (those are the classifier's training
        // labels); trained document-type models as versioned JSON. A table rebuild of documents must keep these columns.
        new(10, "document types", """
            ALTER TABLE documents ADD COLUMN document_type TEXT NULL;
            ALTER TABLE documents ADD COLUMN document_type_confidence REAL NULL;
            ALTER TABLE documents ADD COLUMN document_type_source TEXT NULL CHECK (document_type_source IN ('classifier', 'clerk'));
            ALTER TABLE documents ADD COLUMN document_type_model TEXT NULL;
            CREATE INDEX ix_documents_document_type ON documents (document_type);

            CREATE TABLE document_type_models (
                version     TEXT    NOT NULL PRIMARY KEY,
                sequence    INTEGER NOT NULL UNIQUE,
                created_utc TEXT    NOT NULL,
                model_json  TEXT    NOT NULL
            );
            """),

        // Turnaround on the dashboard (issue 14): a page arrives when its source file is first recorded
        // (source_files.created_utc, which already exists and is never moved) and is filed at its document's first
        // auto_filed/filed decision (decisions.at_utc, indexed by document). No new column is needed; the dashboard reads the
        // last days' arrivals, so arrivals get an index.
        new(11, "turnaround: arrivals by time", """
            CREATE INDEX ix_source_files_created_utc ON source_files (created_utc);
            """),
    ];

    public static int LatestVersion => All.Max(m => m.Version);

    /// <summary>Applies every step newer than the database's version. Safe to run concurrently from several processes.</summary>
    /// <returns>How many steps were applied.</returns>
    public static async Task<int> ApplyAsync(
        SqliteConnection connection,
        IReadOnlyList<SqliteMigration> migrations,
        string nowUtc,
        CancellationToken cancellationToken)
    {
        await ExecuteAsync(
            connection,
            null,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_utc TEXT NOT NULL);",
            cancellationToken).ConfigureAwait(false);

        int applied = 0;
        foreach (SqliteMigration migration in migrations.OrderBy(m => m.Version))
        {
            // BEGIN IMMEDIATE takes the write lock first, so a second process migrating at the same time waits, then sees the step done.
            // Steps are applied by set membership, not "newer than the highest", so a step merged late still runs.
            using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (await IsAppliedAsync(connection, transaction, migration.Version, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            using (SqliteCommand record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_version (version, name, applied_utc) VALUES ($version, $name, $now);";
                record.Parameters.AddWithValue("$version", migration.Version);
                record.Parameters.AddWithValue("$name", migration.Name);
                record.Parameters.AddWithValue("$now", nowUtc);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // PRAGMA does not take parameters; the value is an int we own.
            await ExecuteAsync(
                connection,
                transaction,
                string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {migration.Version};"),
                cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied++;
        }

        int final = await GetVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        int latest = migrations.Count == 0 ? 0 : migrations.Max(m => m.Version);
        if (final > latest)
        {
            throw new InvalidOperationException(
                $"The Digitise database is at schema version {final}, newer than this build supports ({latest}). " +
                "Upgrade the application, or open a different database file.");
        }

        return applied;
    }

    private static async Task<bool> IsAppliedAsync(SqliteConnection connection, SqliteTransaction transaction, int version, CancellationToken cancellationToken)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM schema_version WHERE version = $version;";
        command.Parameters.AddWithValue("$version", version);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public static async Task<int> GetVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        object? result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(result, CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
