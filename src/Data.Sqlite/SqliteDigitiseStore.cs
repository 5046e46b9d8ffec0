using System.Globalization;
using System.Runtime.CompilerServices;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>
/// <see cref="IDigitiseStore"/> on one SQLite file: WAL journal (readers in other processes never block the writer),
/// foreign keys on, a busy timeout, and migrations owned by this project (<see cref="SqliteMigrations"/>).
/// </summary>
/// <remarks>
/// Every call opens a pooled connection, so the store may be used from several threads; writes are serialised
/// in-process and each runs in one <c>BEGIN IMMEDIATE</c> transaction. Timestamps come from the
/// <see cref="TimeProvider"/> and are stored as ISO-8601 UTC text.
/// </remarks>
public sealed partial class SqliteDigitiseStore : IDigitiseStore
{
    /// <summary>Who records the decisions written by <see cref="SaveOutcomeAsync"/>.</summary>
    public const string PipelineActor = "pipeline";

    private readonly SqliteDatabase _database;
    private int _disposed;

    /// <summary>Creates a store on <paramref name="path"/> (and its folder). Call <see cref="MigrateAsync"/> before use, or use <see cref="OpenAsync(string, CancellationToken)"/>.</summary>
    public SqliteDigitiseStore(string path, TimeProvider? timeProvider = null)
    {
        _database = new SqliteDatabase(path, create: true, timeProvider);
        DatabasePath = _database.FullPath;
        string? folder = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }

    /// <summary>Absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> and migrates it to the current schema.</summary>
    public static Task<SqliteDigitiseStore> OpenAsync(string path, CancellationToken cancellationToken) =>
        OpenAsync(path, TimeProvider.System, cancellationToken);

    /// <inheritdoc cref="OpenAsync(string, CancellationToken)"/>
    public static async Task<SqliteDigitiseStore> OpenAsync(string path, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var store = new SqliteDigitiseStore(path, timeProvider);
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The schema version this build migrates to.</summary>
    public static int LatestSchemaVersion => SqliteMigrations.LatestVersion;

    /// <summary>The database's current schema version (0 before the first migration).</summary>
    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        return await SqliteMigrations.GetVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(SqliteMigrations.All, cancellationToken);

    internal Task<int> MigrateAsync(IReadOnlyList<SqliteMigration> migrations, CancellationToken cancellationToken) =>
        _database.ExclusiveAsync(
            async (connection, ct) =>
            {
                // WAL is a property of the file: set once here, outside any transaction, and every later connection uses it.
                using (SqliteCommand wal = connection.CreateCommand())
                {
                    wal.CommandText = "PRAGMA journal_mode = WAL;";
                    string? mode = Convert.ToString(await wal.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
                    if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidOperationException(
                            $"SQLite could not switch '{DatabasePath}' to WAL journal mode (got '{mode}'). " +
                            "Keep the database on a local disk: WAL does not work on network file systems.");
                    }
                }

                return await SqliteMigrations.ApplyAsync(connection, migrations, Now(), ct).ConfigureAwait(false);
            },
            cancellationToken);

    public async Task<long> OpenBatchAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return await WriteAsync(
            async (connection, transaction, ct) =>
            {
                using SqliteCommand command = Command(connection, transaction, """
                    INSERT INTO batches (name, created_utc, updated_utc, state) VALUES ($name, $now, $now, 'running')
                    ON CONFLICT (name) DO UPDATE SET updated_utc = excluded.updated_utc, state = 'running'
                    RETURNING id;
                    """);
                command.Parameters.AddWithValue("$name", name);
                command.Parameters.AddWithValue("$now", Now());
                return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordSourceAsync(long batchId, SourceFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        await WriteAsync(
            async (connection, transaction, ct) =>
            {
                string now = Now();
                await EnsureSourceAsync(connection, transaction, file, now, ct).ConfigureAwait(false);
                await LinkSourceAsync(connection, transaction, batchId, file, now, ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsSourceCompleteAsync(string sha256, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT status FROM source_files WHERE sha256 = $sha;");
        command.Parameters.AddWithValue("$sha", sha256);
        object? status = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return status is string s && (s == SourceStatus.Complete || s == SourceStatus.Quarantined);
    }

    public async Task SaveOutcomeAsync(long batchId, DocumentOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        await WriteAsync(
            async (connection, transaction, ct) =>
            {
                await SaveOutcomeCoreAsync(connection, transaction, batchId, outcome, Now(), ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ManifestRow>> GetManifestAsync(long batchId, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, """
            SELECT bs.path, d.sha256, d.document_id, d.first_page, d.last_page, d.status, d.patient_id, d.match_score, d.reason,
                   COALESCE((SELECT AVG(p.mean_confidence) FROM pages p
                             WHERE p.sha256 = d.sha256 AND p.page_number BETWEEN d.first_page AND d.last_page AND p.qa_flags NOT LIKE 'blank%'), 0.0),
                   COALESCE((SELECT group_concat(p.page_number || ':' || p.qa_flags, ' ') FROM pages p
                             WHERE p.sha256 = d.sha256 AND p.page_number BETWEEN d.first_page AND d.last_page AND p.qa_flags <> ''), ''),
                   COALESCE(d.document_type, '')
            FROM batch_sources bs
            JOIN documents d ON d.sha256 = bs.sha256
            WHERE bs.batch_id = $batch AND d.status <> 'superseded'
            ORDER BY bs.path, d.first_page;
            """);
        command.Parameters.AddWithValue("$batch", batchId);

        var rows = new List<ManifestRow>();
        await using (SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                int first = reader.GetInt32(3);
                int last = reader.GetInt32(4);
                rows.Add(new ManifestRow(
                    SourceFile: reader.GetString(0),
                    Sha256: reader.GetString(1),
                    DocumentId: reader.GetString(2),
                    FirstPage: first,
                    LastPage: last,
                    Status: DocumentStatusNames.Parse(reader.GetString(5)),
                    PatientId: reader.IsDBNull(6) ? null : reader.GetString(6),
                    MatchScore: reader.IsDBNull(7) ? null : reader.GetDouble(7),
                    Reason: reader.GetString(8),
                    Pages: last - first + 1,
                    MeanConfidence: reader.GetDouble(9))
                {
                    Qa = reader.GetString(10),
                    DocumentType = reader.GetString(11),
                });
            }
        }

        // SQLite's BINARY collation orders UTF-8 bytes, which differs from .NET ordinal (UTF-16) above the BMP; settle it here.
        // List.Sort is not stable, so the tie-break is explicit.
        rows.Sort(static (a, b) =>
        {
            int byPath = string.CompareOrdinal(a.SourceFile, b.SourceFile);
            return byPath != 0 ? byPath : a.FirstPage.CompareTo(b.FirstPage);
        });
        return rows;
    }

    public async Task<MpiImportResult> UpsertPatientsAsync(IEnumerable<Patient> patients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patients);
        return await WriteAsync(
            (connection, transaction, ct) => Task.FromResult(UpsertPatientsCore(connection, transaction, patients, ct)),
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<Patient> ReadPatientsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, """
            SELECT patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth, sex, postcode, address, previous_family_name
            FROM patients WHERE merged_into IS NULL ORDER BY patient_id;
            """);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new Patient(
                PatientId: reader.GetString(0),
                NhsNumber: NullableString(reader, 1),
                HospitalNumber: NullableString(reader, 2),
                FamilyName: reader.GetString(3),
                GivenName: reader.GetString(4),
                DateOfBirth: reader.IsDBNull(5) ? null : SqliteColumns.ParseDate(reader.GetString(5)),
                Sex: NullableString(reader, 6),
                Postcode: NullableString(reader, 7),
                Address: NullableString(reader, 8))
            {
                PreviousFamilyName = NullableString(reader, 9),
            };
        }
    }

    /// <summary>
    /// Records MPI merges: each retired patient points at its survivor (followed through earlier merges) and leaves the
    /// index (<see cref="ReadPatientsAsync"/>); documents filed to it and candidates naming it now name the survivor. A
    /// retired id not on the index is recorded all the same; a survivor not on the index is an error and that merge is skipped.
    /// One transaction, no reload.
    /// </summary>
    public async Task<MpiMergeResult> MergePatientsAsync(IEnumerable<(string Retired, string Survivor)> merges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(merges);
        return await WriteAsync(
            (connection, transaction, ct) => Task.FromResult(MergePatientsCore(connection, transaction, merges, Now(), ct)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Merges recorded so far: retired patient id -&gt; surviving patient id (as stored; chains are followed by the reader).</summary>
    public async Task<IReadOnlyList<(string Retired, string Survivor)>> ReadMergesAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT patient_id, merged_into FROM patients WHERE merged_into IS NOT NULL ORDER BY patient_id;");
        var merges = new List<(string, string)>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            merges.Add((reader.GetString(0), reader.GetString(1)));
        }

        return merges;
    }

    public async Task CompleteBatchAsync(long batchId, string state, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(state);
        await WriteAsync(
            async (connection, transaction, ct) =>
            {
                using SqliteCommand command = Command(connection, transaction, "UPDATE batches SET state = $state, updated_utc = $now WHERE id = $id;");
                command.Parameters.AddWithValue("$state", state);
                command.Parameters.AddWithValue("$now", Now());
                command.Parameters.AddWithValue("$id", batchId);
                if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
                {
                    throw new InvalidOperationException($"Batch {batchId} does not exist.");
                }

                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _database.ReleaseAsync().ConfigureAwait(false);
        }
    }

    private async Task SaveOutcomeCoreAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        long batchId,
        DocumentOutcome outcome,
        string now,
        CancellationToken cancellationToken)
    {
        SourceFile source = outcome.Source;
        await EnsureSourceAsync(connection, transaction, source, now, cancellationToken).ConfigureAwait(false);
        await LinkSourceAsync(connection, transaction, batchId, source, now, cancellationToken).ConfigureAwait(false);

        string documentId = outcome.Id.Value;
        bool replacing = false;
        using (SqliteCommand exists = Command(connection, transaction, """
            SELECT d.status = 'quarantined' AND EXISTS (SELECT 1 FROM retry_requests r WHERE r.sha256 = d.sha256 AND r.at_utc >= d.decided_at)
            FROM documents d WHERE d.document_id = $id;
            """))
        {
            exists.Parameters.AddWithValue("$id", documentId);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long retried)
            {
                // Already decided: a rerun replaces nothing (a human may have re-decided since). The one exception is a
                // document the pipeline quarantined whose file an operator has since asked to retry (after fixing what
                // was wrong): it is decided afresh, and the decisions history keeps the quarantine.
                if (retried == 0)
                {
                    return;
                }

                replacing = true;
            }
        }

        MatchDecision decision = outcome.Decision;
        IndexedDocument? indexed = outcome.Document;
        DocumentStatus status = indexed is null ? DocumentStatus.Quarantined : decision.Status;
        string statusWire = status.ToWire();
        MatchCandidate? best = decision.Best;

        if (indexed is not null)
        {
            await InsertPagesAsync(connection, transaction, indexed.Document.Pages, source.Sha256, cancellationToken).ConfigureAwait(false);
        }

        if (replacing)
        {
            using SqliteCommand clear = Command(connection, transaction, """
                DELETE FROM identifiers WHERE document_id = $id;
                DELETE FROM candidates WHERE document_id = $id;
                """);
            clear.Parameters.AddWithValue("$id", documentId);
            await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (SqliteCommand document = Command(connection, transaction, """
            INSERT INTO documents (document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at, risk_flags,
                                   document_type, document_type_confidence, document_type_source, document_type_model)
            VALUES ($id, $sha, $batch, $first, $last, $status, $patient, $score, $reason, $model, $now, $risks, $type, $typeConfidence, $typeSource, $typeModel)
            ON CONFLICT (document_id) DO UPDATE SET
                batch_id = excluded.batch_id, first_page = excluded.first_page, last_page = excluded.last_page, status = excluded.status,
                patient_id = excluded.patient_id, match_score = excluded.match_score, reason = excluded.reason,
                model_version = excluded.model_version, decided_at = excluded.decided_at, risk_flags = excluded.risk_flags,
                document_type = excluded.document_type, document_type_confidence = excluded.document_type_confidence,
                document_type_source = excluded.document_type_source, document_type_model = excluded.document_type_model;
            """))
        {
            DocumentClassification? type = status == DocumentStatus.Quarantined ? null : outcome.Type;
            document.Parameters.AddWithValue("$type", (object?)type?.Code ?? DBNull.Value);
            document.Parameters.AddWithValue("$typeConfidence", type is null ? DBNull.Value : (object)SqliteColumns.Finite(type.Confidence));
            document.Parameters.AddWithValue("$typeSource", type is null ? DBNull.Value : (object)DocumentClassification.SourceToWire(type.Source));
            document.Parameters.AddWithValue("$typeModel", (object?)type?.ModelVersion ?? DBNull.Value);
            document.Parameters.AddWithValue("$id", documentId);
            document.Parameters.AddWithValue("$sha", source.Sha256);
            document.Parameters.AddWithValue("$batch", batchId);
            document.Parameters.AddWithValue("$first", outcome.FirstPage);
            document.Parameters.AddWithValue("$last", outcome.LastPage);
            document.Parameters.AddWithValue("$status", statusWire);
            document.Parameters.AddWithValue("$patient", (object?)best?.PatientId ?? DBNull.Value);
            document.Parameters.AddWithValue("$score", best is null ? DBNull.Value : (object)SqliteColumns.Finite(best.Score));
            document.Parameters.AddWithValue("$reason", decision.Reason ?? string.Empty);
            document.Parameters.AddWithValue("$model", decision.ModelVersion ?? string.Empty);
            document.Parameters.AddWithValue("$now", now);
            document.Parameters.AddWithValue("$risks", decision.Risks.ToWire());
            await document.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await SupersedeRetriedQuarantinesAsync(connection, transaction, batchId, source.Sha256, documentId, outcome.FirstPage, outcome.LastPage, now, cancellationToken)
            .ConfigureAwait(false);

        if (indexed is not null && indexed.Identifiers.Count > 0)
        {
            using SqliteCommand identifier = Command(connection, transaction, """
                INSERT INTO identifiers (document_id, kind, value, raw, valid, confidence, page, boxes_json, source, sought_for)
                VALUES ($id, $kind, $value, $raw, $valid, $confidence, $page, $boxes, $source, $sought);
                """);
            SqliteParameter kind = identifier.Parameters.Add("$kind", SqliteType.Text);
            SqliteParameter value = identifier.Parameters.Add("$value", SqliteType.Text);
            SqliteParameter raw = identifier.Parameters.Add("$raw", SqliteType.Text);
            SqliteParameter valid = identifier.Parameters.Add("$valid", SqliteType.Integer);
            SqliteParameter confidence = identifier.Parameters.Add("$confidence", SqliteType.Real);
            SqliteParameter page = identifier.Parameters.Add("$page", SqliteType.Integer);
            SqliteParameter boxes = identifier.Parameters.Add("$boxes", SqliteType.Text);
            SqliteParameter evidenceSource = identifier.Parameters.Add("$source", SqliteType.Text);
            SqliteParameter sought = identifier.Parameters.Add("$sought", SqliteType.Text);
            identifier.Parameters.AddWithValue("$id", documentId);
            identifier.Prepare();
            foreach (ExtractedIdentifier item in indexed.Identifiers)
            {
                kind.Value = SqliteColumns.Kind(item.Kind);
                value.Value = item.Value ?? string.Empty;
                raw.Value = item.Raw ?? string.Empty;
                valid.Value = item.IsValid ? 1 : 0;
                confidence.Value = SqliteColumns.Finite(item.Confidence);
                page.Value = item.PageNumber;
                boxes.Value = SqliteColumns.Boxes(item.Boxes ?? []);
                evidenceSource.Value = item.Source.ToWire();
                sought.Value = (object?)item.SoughtFor ?? DBNull.Value;
                await identifier.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (decision.Candidates.Count > 0)
        {
            using SqliteCommand candidate = Command(connection, transaction, """
                INSERT INTO candidates (document_id, rank, patient_id, score, fields_json)
                VALUES ($id, $rank, $patient, $score, $fields)
                ON CONFLICT (document_id, rank) DO NOTHING;
                """);
            SqliteParameter rank = candidate.Parameters.Add("$rank", SqliteType.Integer);
            SqliteParameter patient = candidate.Parameters.Add("$patient", SqliteType.Text);
            SqliteParameter score = candidate.Parameters.Add("$score", SqliteType.Real);
            SqliteParameter fields = candidate.Parameters.Add("$fields", SqliteType.Text);
            candidate.Parameters.AddWithValue("$id", documentId);
            candidate.Prepare();
            for (int i = 0; i < decision.Candidates.Count; i++)
            {
                MatchCandidate item = decision.Candidates[i];
                rank.Value = i + 1;
                patient.Value = item.PatientId;
                score.Value = SqliteColumns.Finite(item.Score);
                fields.Value = SqliteColumns.Fields(item.Fields ?? []);
                await candidate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        using (SqliteCommand record = Command(connection, transaction, """
            INSERT INTO decisions (document_id, batch_id, status, patient_id, actor, model_version, reason, at_utc)
            VALUES ($id, $batch, $status, $patient, $actor, $model, $reason, $now);
            """))
        {
            record.Parameters.AddWithValue("$id", documentId);
            record.Parameters.AddWithValue("$batch", batchId);
            record.Parameters.AddWithValue("$status", statusWire);
            record.Parameters.AddWithValue("$patient", (object?)best?.PatientId ?? DBNull.Value);
            record.Parameters.AddWithValue("$actor", PipelineActor);
            record.Parameters.AddWithValue("$model", decision.ModelVersion ?? string.Empty);
            record.Parameters.AddWithValue("$reason", decision.Reason ?? string.Empty);
            record.Parameters.AddWithValue("$now", now);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await UpdateSourceStatusAsync(connection, transaction, source.Sha256, indexed, status, decision.Reason ?? string.Empty, now, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// When an operator retried a quarantined file, the documents the retry produces replace its old quarantine even
    /// where their ids differ (the file now splits after a cover sheet, say): a quarantined document of the same file,
    /// decided before the retry request, that the new document's pages overlap (or that stood for the whole file)
    /// becomes superseded, with a decision saying by what. Nothing is deleted.
    /// </summary>
    private static async Task SupersedeRetriedQuarantinesAsync(
        SqliteConnection connection, SqliteTransaction transaction, long batchId, string sha256, string documentId, int first, int last, string now, CancellationToken ct)
    {
        List<string> stale;
        using (SqliteCommand find = Command(connection, transaction, """
            SELECT d.document_id FROM documents d
            WHERE d.sha256 = $sha AND d.document_id <> $id AND d.status = 'quarantined'
              AND EXISTS (SELECT 1 FROM retry_requests r WHERE r.sha256 = d.sha256 AND r.at_utc >= d.decided_at)
              AND (d.first_page = 0 OR (d.first_page <= $last AND d.last_page >= $first));
            """))
        {
            find.Parameters.AddWithValue("$sha", sha256);
            find.Parameters.AddWithValue("$id", documentId);
            find.Parameters.AddWithValue("$first", first);
            find.Parameters.AddWithValue("$last", last);
            stale = await SqliteDatabase.ReadStringsAsync(find, ct).ConfigureAwait(false);
        }

        foreach (string old in stale)
        {
            using SqliteCommand supersede = Command(connection, transaction, """
                UPDATE documents SET status = 'superseded', decided_at = $now WHERE document_id = $old;
                INSERT INTO decisions (document_id, batch_id, status, patient_id, actor, model_version, reason, at_utc)
                VALUES ($old, $batch, 'superseded', NULL, $actor, '', $reason, $now);
                """);
            supersede.Parameters.AddWithValue("$old", old);
            supersede.Parameters.AddWithValue("$batch", batchId);
            supersede.Parameters.AddWithValue("$actor", PipelineActor);
            supersede.Parameters.AddWithValue("$reason", "retried: replaced by " + documentId);
            supersede.Parameters.AddWithValue("$now", now);
            await supersede.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task InsertPagesAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        IReadOnlyList<PageText> pages,
        string sha256,
        CancellationToken cancellationToken)
    {
        if (pages.Count == 0)
        {
            return;
        }

        using SqliteCommand command = Command(connection, transaction, """
            INSERT INTO pages (sha256, page_number, text, mean_confidence, words_json, width_px, height_px, dpi, origin, ocr_ms, qa_flags, qa_json, barcodes_json)
            VALUES ($sha, $page, $text, $confidence, $words, $width, $height, $dpi, $origin, $ms, $qaFlags, $qa, $barcodes)
            ON CONFLICT (sha256, page_number) DO NOTHING;
            """);
        command.Parameters.AddWithValue("$sha", sha256);
        SqliteParameter page = command.Parameters.Add("$page", SqliteType.Integer);
        SqliteParameter text = command.Parameters.Add("$text", SqliteType.Text);
        SqliteParameter confidence = command.Parameters.Add("$confidence", SqliteType.Real);
        SqliteParameter words = command.Parameters.Add("$words", SqliteType.Text);
        SqliteParameter width = command.Parameters.Add("$width", SqliteType.Integer);
        SqliteParameter height = command.Parameters.Add("$height", SqliteType.Integer);
        SqliteParameter dpi = command.Parameters.Add("$dpi", SqliteType.Integer);
        SqliteParameter origin = command.Parameters.Add("$origin", SqliteType.Text);
        SqliteParameter ms = command.Parameters.Add("$ms", SqliteType.Integer);
        SqliteParameter qaFlags = command.Parameters.Add("$qaFlags", SqliteType.Text);
        SqliteParameter qa = command.Parameters.Add("$qa", SqliteType.Text);
        SqliteParameter barcodes = command.Parameters.Add("$barcodes", SqliteType.Text);
        command.Prepare();
        foreach (PageText item in pages)
        {
            page.Value = item.PageNumber;
            text.Value = item.Text ?? string.Empty;
            confidence.Value = SqliteColumns.Finite(item.MeanConfidence);
            words.Value = SqliteColumns.Words(item.Words ?? []);
            width.Value = item.WidthPx;
            height.Value = item.HeightPx;
            dpi.Value = item.Dpi;
            origin.Value = SqliteColumns.Origin(item.Origin);
            ms.Value = (long)Math.Round(item.Elapsed.TotalMilliseconds, MidpointRounding.AwayFromZero);
            qaFlags.Value = item.Quality?.Flags() ?? string.Empty;
            qa.Value = item.Quality is null ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(item.Quality, PageJson.Default.PageQuality);
            barcodes.Value = System.Text.Json.JsonSerializer.Serialize(item.Barcodes, PageJson.Default.IReadOnlyListBarcode);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A whole-file quarantine (no document) closes the file at once. Otherwise the file closes when its stored documents
    /// cover every page: 'quarantined' if any of them was, else 'complete'. Until then it stays 'pending', so a rerun
    /// after a crash still processes the documents not yet saved. A quarantine reason is kept as soon as it is seen.
    /// </summary>
    private static async Task UpdateSourceStatusAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        string sha256,
        IndexedDocument? indexed,
        DocumentStatus status,
        string reason,
        string now,
        CancellationToken cancellationToken)
    {
        if (indexed is null)
        {
            using SqliteCommand quarantine = Command(connection, transaction, """
                UPDATE source_files SET status = 'quarantined', quarantine_reason = $reason, updated_utc = $now WHERE sha256 = $sha;
                """);
            quarantine.Parameters.AddWithValue("$reason", reason);
            quarantine.Parameters.AddWithValue("$now", now);
            quarantine.Parameters.AddWithValue("$sha", sha256);
            await quarantine.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        int pageCount = 0;
        foreach (PageText page in indexed.Document.Pages)
        {
            pageCount = Math.Max(pageCount, page.PageCount);
        }

        using SqliteCommand command = Command(connection, transaction, """
            UPDATE source_files
            SET page_count = COALESCE(page_count, NULLIF($pageCount, 0)),
                quarantine_reason = CASE WHEN $quarantined = 1 THEN COALESCE(quarantine_reason, $reason) ELSE quarantine_reason END,
                updated_utc = $now
            WHERE sha256 = $sha;

            UPDATE source_files
            SET status = CASE WHEN EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = $sha AND d.status = 'quarantined')
                              THEN 'quarantined' ELSE 'complete' END
            WHERE sha256 = $sha
              AND status = 'pending'
              AND page_count IS NOT NULL
              AND (SELECT COALESCE(SUM(d.last_page - d.first_page + 1), 0) FROM documents d
                   WHERE d.sha256 = $sha AND d.status <> 'superseded' AND d.first_page >= 1 AND d.last_page <= source_files.page_count) >= page_count;
            """);
        command.Parameters.AddWithValue("$pageCount", pageCount);
        command.Parameters.AddWithValue("$quarantined", status == DocumentStatus.Quarantined ? 1 : 0);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$sha", sha256);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static MpiImportResult UpsertPatientsCore(
        SqliteConnection connection,
        SqliteTransaction transaction,
        IEnumerable<Patient> patients,
        CancellationToken cancellationToken)
    {
        // Bulk import: a big page cache keeps the five B-trees' hot pages in memory instead of spilling them to the WAL
        // mid-transaction (a million new patients: 35 s with the default 2 MB cache, 24 s with this). Set back to the
        // default before the connection returns to the pool: kept, it let every later write on this connection cache the
        // whole database, and a 1,000-page run peaked at 352 MB instead of 295.
        using (SqliteCommand pragma = Command(connection, transaction, "PRAGMA cache_size = -262144;"))
        {
            pragma.ExecuteNonQuery();
        }

        try
        {
            return UpsertPatientsWithBigCache(connection, transaction, patients, cancellationToken);
        }
        finally
        {
            using SqliteCommand pragma = Command(connection, transaction, $"PRAGMA cache_size = {DefaultCacheSize};");
            pragma.ExecuteNonQuery();
        }
    }

    /// <summary>SQLite's default page cache (negative: KiB), what every connection but an MPI import's uses.</summary>
    internal const int DefaultCacheSize = -2000;

    private static MpiImportResult UpsertPatientsWithBigCache(
        SqliteConnection connection,
        SqliteTransaction transaction,
        IEnumerable<Patient> patients,
        CancellationToken cancellationToken)
    {
        // A changed row is rewritten (and revived if it had been merged away); an unchanged one is left alone; a new one is inserted.
        using SqliteCommand update = Command(connection, transaction, """
            UPDATE patients
            SET nhs_number = $nhs, hospital_number = $hospital, family_name = $family, given_name = $given,
                date_of_birth = $dob, sex = $sex, postcode = $postcode, address = $address, previous_family_name = $previous,
                merged_into = NULL, merged_utc = NULL
            WHERE patient_id = $id
              AND (nhs_number IS NOT $nhs OR hospital_number IS NOT $hospital OR family_name IS NOT $family OR given_name IS NOT $given
                   OR date_of_birth IS NOT $dob OR sex IS NOT $sex OR postcode IS NOT $postcode OR address IS NOT $address
                   OR previous_family_name IS NOT $previous OR merged_into IS NOT NULL);
            """);
        using SqliteCommand insert = Command(connection, transaction, """
            INSERT INTO patients (patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth, sex, postcode, address, previous_family_name)
            VALUES ($id, $nhs, $hospital, $family, $given, $dob, $sex, $postcode, $address, $previous)
            ON CONFLICT (patient_id) DO NOTHING;
            """);

        SqliteParameter[] updateParameters = AddPatientParameters(update);
        SqliteParameter[] insertParameters = AddPatientParameters(insert);
        update.Prepare();
        insert.Prepare();

        int imported = 0;
        int updated = 0;
        int unchanged = 0;
        int index = 0;
        var errors = new List<string>();
        foreach (Patient? patient in patients)
        {
            index++;
            if ((index & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            // Errors name the record's position only: no patient data leaves the store.
            if (patient is null || string.IsNullOrWhiteSpace(patient.PatientId))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"record {index}: patient_id is empty"));
                continue;
            }

            Bind(updateParameters, patient);
            if (update.ExecuteNonQuery() > 0)
            {
                updated++;
                continue;
            }

            Bind(insertParameters, patient);
            if (insert.ExecuteNonQuery() > 0)
            {
                imported++;
            }
            else
            {
                unchanged++;
            }
        }

        return new MpiImportResult(imported, updated, errors) { Unchanged = unchanged };

        static SqliteParameter[] AddPatientParameters(SqliteCommand command) =>
        [
            command.Parameters.Add("$id", SqliteType.Text),
            command.Parameters.Add("$nhs", SqliteType.Text),
            command.Parameters.Add("$hospital", SqliteType.Text),
            command.Parameters.Add("$family", SqliteType.Text),
            command.Parameters.Add("$given", SqliteType.Text),
            command.Parameters.Add("$dob", SqliteType.Text),
            command.Parameters.Add("$sex", SqliteType.Text),
            command.Parameters.Add("$postcode", SqliteType.Text),
            command.Parameters.Add("$address", SqliteType.Text),
            command.Parameters.Add("$previous", SqliteType.Text),
        ];

        static void Bind(SqliteParameter[] p, Patient patient)
        {
            p[0].Value = patient.PatientId;
            p[1].Value = (object?)patient.NhsNumber ?? DBNull.Value;
            p[2].Value = (object?)patient.HospitalNumber ?? DBNull.Value;
            p[3].Value = patient.FamilyName ?? string.Empty;
            p[4].Value = patient.GivenName ?? string.Empty;
            p[5].Value = patient.DateOfBirth is { } dob ? SqliteColumns.Date(dob) : (object)DBNull.Value;
            p[6].Value = (object?)patient.Sex ?? DBNull.Value;
            p[7].Value = (object?)patient.Postcode ?? DBNull.Value;
            p[8].Value = (object?)patient.Address ?? DBNull.Value;
            p[9].Value = (object?)patient.PreviousFamilyName ?? DBNull.Value;
        }
    }

    private static MpiMergeResult MergePatientsCore(
        SqliteConnection connection,
        SqliteTransaction transaction,
        IEnumerable<(string Retired, string Survivor)> merges,
        string now,
        CancellationToken cancellationToken)
    {
        using SqliteCommand lookup = Command(connection, transaction, "SELECT merged_into FROM patients WHERE patient_id = $id;");
        SqliteParameter lookupId = lookup.Parameters.Add("$id", SqliteType.Text);
        using SqliteCommand retire = Command(connection, transaction, """
            INSERT INTO patients (patient_id, family_name, given_name, merged_into, merged_utc) VALUES ($retired, '', '', $survivor, $now)
            ON CONFLICT (patient_id) DO UPDATE SET merged_into = excluded.merged_into, merged_utc = excluded.merged_utc
            WHERE patients.merged_into IS NOT excluded.merged_into;
            """);
        using SqliteCommand chains = Command(connection, transaction, "UPDATE patients SET merged_into = $survivor WHERE merged_into = $retired;");
        using SqliteCommand documents = Command(connection, transaction, "UPDATE documents SET patient_id = $survivor WHERE patient_id = $retired;");
        using SqliteCommand duplicateCandidates = Command(connection, transaction, """
            DELETE FROM candidates
            WHERE patient_id = $retired
              AND document_id IN (SELECT document_id FROM candidates WHERE patient_id = $survivor);
            """);
        using SqliteCommand candidates = Command(connection, transaction, "UPDATE candidates SET patient_id = $survivor WHERE patient_id = $retired;");
        SqliteCommand[] writes = [retire, chains, documents, duplicateCandidates, candidates];
        var retiredParameters = new SqliteParameter[writes.Length];
        var survivorParameters = new SqliteParameter[writes.Length];
        for (int i = 0; i < writes.Length; i++)
        {
            retiredParameters[i] = writes[i].Parameters.Add("$retired", SqliteType.Text);
            survivorParameters[i] = writes[i].Parameters.Add("$survivor", SqliteType.Text);
        }

        retire.Parameters.AddWithValue("$now", now);
        lookup.Prepare();
        foreach (SqliteCommand write in writes)
        {
            write.Prepare();
        }

        int merged = 0, documentsRepointed = 0, candidatesRepointed = 0, index = 0;
        var errors = new List<string>();
        foreach ((string retired, string survivor) in merges)
        {
            index++;
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(retired) || string.IsNullOrWhiteSpace(survivor))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"merge {index}: a patient id is empty"));
                continue;
            }

            // Follow the survivor through earlier merges so every retired record points at a live one.
            string target = survivor;
            bool found = false;
            for (int hops = 0; hops < 16; hops++)
            {
                lookupId.Value = target;
                object? next = lookup.ExecuteScalar();
                if (next is null)
                {
                    break;
                }

                if (next is DBNull)
                {
                    found = true;
                    break;
                }

                target = (string)next;
            }

            if (!found || target == retired)
            {
                errors.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"merge {index}: {(found ? "the surviving patient was merged into the retired one" : "surviving patient_id is not on the index")}"));
                continue;
            }

            for (int i = 0; i < writes.Length; i++)
            {
                retiredParameters[i].Value = retired;
                survivorParameters[i].Value = target;
            }

            // A merge already recorded (the same file imported again) counts for nothing; the repointing is idempotent.
            merged += retire.ExecuteNonQuery();
            chains.ExecuteNonQuery();
            documentsRepointed += documents.ExecuteNonQuery();
            candidatesRepointed += duplicateCandidates.ExecuteNonQuery() + candidates.ExecuteNonQuery();
        }

        return new MpiMergeResult(merged, documentsRepointed, candidatesRepointed, errors);
    }

    private static async Task EnsureSourceAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        SourceFile file,
        string now,
        CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction, """
            INSERT INTO source_files (sha256, length, status, created_utc, updated_utc) VALUES ($sha, $length, 'pending', $now, $now)
            ON CONFLICT (sha256) DO NOTHING;
            """);
        command.Parameters.AddWithValue("$sha", file.Sha256);
        command.Parameters.AddWithValue("$length", file.Length);
        command.Parameters.AddWithValue("$now", now);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One row per batch and path; if the file at that path changed within the batch, the path now points at the new content.</summary>
    private static async Task LinkSourceAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        long batchId,
        SourceFile file,
        string now,
        CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, transaction, """
            INSERT INTO batch_sources (batch_id, path, sha256, recorded_utc) VALUES ($batch, $path, $sha, $now)
            ON CONFLICT (batch_id, path) DO UPDATE SET sha256 = excluded.sha256, recorded_utc = excluded.recorded_utc
            WHERE batch_sources.sha256 <> excluded.sha256;
            """);
        command.Parameters.AddWithValue("$batch", batchId);
        command.Parameters.AddWithValue("$path", file.DisplayPath);
        command.Parameters.AddWithValue("$sha", file.Sha256);
        command.Parameters.AddWithValue("$now", now);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _database.WriteAsync(work, cancellationToken);
    }

    private Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql) =>
        SqliteDatabase.Command(connection, transaction, sql);

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private string Now() => _database.Now();

    private static class SourceStatus
    {
        public const string Complete = "complete";
        public const string Quarantined = "quarantined";
    }
}
