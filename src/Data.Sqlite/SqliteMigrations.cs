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
    ];

    public static int LatestVersion => All[^1].Version;

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
        foreach (SqliteMigration migration in migrations)
        {
            // BEGIN IMMEDIATE takes the write lock first, so a second process migrating at the same time waits, then sees the step done.
            using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            int current = await GetVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (migration.Version <= current)
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
        int latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (final > latest)
        {
            throw new InvalidOperationException(
                $"The Digitise database is at schema version {final}, newer than this build supports ({latest}). " +
                "Upgrade the application, or open a different database file.");
        }

        return applied;
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
