using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Digitise.Data.Postgres;

/// <summary>
/// <see cref="IDigitiseStore"/> on PostgreSQL, for many processes on many machines at once (workers, several web
/// servers). The same tables, values and behaviour as the SQLite provider: idempotent saves, append-only decisions,
/// one decision per document however often its file is redone. Migrations are this project's own
/// (<see cref="PostgresMigrations"/>).
/// </summary>
/// <remarks>
/// Where SQLite serialises every write in the file, PostgreSQL runs them concurrently: a document's save takes a
/// transaction-scoped advisory lock on its source file's hash, so two workers that redo the same file (a redelivered
/// queue message) never both insert its identifiers, candidates or decision.
/// </remarks>
public sealed class PostgresDigitiseStore : IDigitiseStore
{
    /// <summary>Who records the decisions written by <see cref="SaveOutcomeAsync"/>.</summary>
    public const string PipelineActor = "pipeline";

    private readonly PostgresDatabase _database;

    public PostgresDigitiseStore(string connectionString, TimeProvider? timeProvider = null)
    {
        _database = new PostgresDatabase(connectionString, timeProvider);
    }

    /// <summary>Host, port and database (never the password).</summary>
    public string Description => _database.Description;

    public static int LatestSchemaVersion => PostgresMigrations.LatestVersion;

    /// <summary>True when <paramref name="value"/> is a PostgreSQL connection string rather than a SQLite file path.</summary>
    public static bool IsConnectionString(string? value) =>
        value is not null
        && value.Contains('=', StringComparison.Ordinal)
        && (value.Contains("Host=", StringComparison.OrdinalIgnoreCase) || value.Contains("Server=", StringComparison.OrdinalIgnoreCase));

    /// <summary>Opens the database and migrates it to the current schema.</summary>
    public static async Task<PostgresDigitiseStore> OpenAsync(string connectionString, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        var store = new PostgresDigitiseStore(connectionString, timeProvider);
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

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand exists = Command(connection, null, "SELECT to_regclass('schema_version') IS NOT NULL;");
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            return 0;
        }

        return await PostgresMigrations.GetVersionAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(PostgresMigrations.All, cancellationToken);

    internal async Task<int> MigrateAsync(IReadOnlyList<PostgresMigration> migrations, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await PostgresMigrations.ApplyAsync(connection, migrations, Now(), cancellationToken).ConfigureAwait(false);
    }

    public Task<long> OpenBatchAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using NpgsqlCommand command = Command(connection, transaction, """
                    INSERT INTO batches (name, created_utc, updated_utc, state) VALUES (@name, @now, @now, 'running')
                    ON CONFLICT (name) DO UPDATE SET updated_utc = excluded.updated_utc, state = 'running'
                    RETURNING id;
                    """);
                command.Parameters.AddWithValue("name", name);
                command.Parameters.AddWithValue("now", Now());
                return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    public Task RecordSourceAsync(long batchId, SourceFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                string now = Now();
                await EnsureSourceAsync(connection, transaction, file, now, ct).ConfigureAwait(false);
                await LinkSourceAsync(connection, transaction, batchId, file, now, ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    public async Task<bool> IsSourceCompleteAsync(string sha256, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, "SELECT status FROM source_files WHERE sha256 = @sha;");
        command.Parameters.AddWithValue("sha", sha256);
        object? status = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return status is string s && (s == SourceStatus.Complete || s == SourceStatus.Quarantined);
    }

    public Task SaveOutcomeAsync(long batchId, DocumentOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await LockSourceAsync(connection, transaction, outcome.Source.Sha256, ct).ConfigureAwait(false);
                await SaveOutcomeCoreAsync(connection, transaction, batchId, outcome, Now(), ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<ManifestRow>> GetManifestAsync(long batchId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, """
            SELECT bs.path, d.sha256, d.document_id, d.first_page, d.last_page, d.status, d.patient_id, d.match_score, d.reason,
                   COALESCE((SELECT AVG(p.mean_confidence) FROM pages p
                             WHERE p.sha256 = d.sha256 AND p.page_number BETWEEN d.first_page AND d.last_page AND p.qa_flags NOT LIKE 'blank%'), 0.0),
                   COALESCE((SELECT string_agg(p.page_number || ':' || p.qa_flags, ' ' ORDER BY p.page_number) FROM pages p
                             WHERE p.sha256 = d.sha256 AND p.page_number BETWEEN d.first_page AND d.last_page AND p.qa_flags <> ''), ''),
                   COALESCE(d.document_type, '')
            FROM batch_sources bs
            JOIN documents d ON d.sha256 = bs.sha256
            WHERE bs.batch_id = @batch AND d.status <> 'superseded'
            ORDER BY bs.path, d.first_page;
            """);
        command.Parameters.AddWithValue("batch", batchId);

        var rows = new List<ManifestRow>();
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
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
                    PatientId: NullableString(reader, 6),
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

        // The C collation orders UTF-8 bytes, which differs from .NET ordinal (UTF-16) above the BMP; settle it here as SQLite's store does.
        rows.Sort(static (a, b) =>
        {
            int byPath = string.CompareOrdinal(a.SourceFile, b.SourceFile);
            return byPath != 0 ? byPath : a.FirstPage.CompareTo(b.FirstPage);
        });
        return rows;
    }

    public Task<MpiImportResult> UpsertPatientsAsync(IEnumerable<Patient> patients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patients);
        return _database.WriteAsync((connection, transaction, ct) => UpsertPatientsCoreAsync(connection, transaction, patients, ct), cancellationToken);
    }

    public async IAsyncEnumerable<Patient> ReadPatientsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, """
            SELECT patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth, sex, postcode, address, previous_family_name
            FROM patients WHERE merged_into IS NULL ORDER BY patient_id COLLATE "C";
            """);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>Records MPI merges exactly as the SQLite store's <c>MergePatientsAsync</c> does.</summary>
    public Task<MpiMergeResult> MergePatientsAsync(IEnumerable<(string Retired, string Survivor)> merges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(merges);
        return _database.WriteAsync((connection, transaction, ct) => MergePatientsCoreAsync(connection, transaction, merges, Now(), ct), cancellationToken);
    }

    /// <summary>Merges recorded so far: retired patient id -&gt; surviving patient id.</summary>
    public async Task<IReadOnlyList<(string Retired, string Survivor)>> ReadMergesAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null,
            "SELECT patient_id, merged_into FROM patients WHERE merged_into IS NOT NULL ORDER BY patient_id COLLATE \"C\";");
        var merges = new List<(string, string)>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            merges.Add((reader.GetString(0), reader.GetString(1)));
        }

        return merges;
    }

    public Task SavePageAsync(PageText page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        return _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await EnsureSourceAsync(connection, transaction, page.Source, Now(), ct).ConfigureAwait(false);
                await InsertPagesAsync(connection, transaction, [page], page.Source.Sha256, ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<PageText>> GetStoredPagesAsync(SourceFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, """
            SELECT page_number, text, mean_confidence, words_json, width_px, height_px, dpi, origin, ocr_ms, qa_json, barcodes_json,
                   (SELECT page_count FROM source_files s WHERE s.sha256 = pages.sha256)
            FROM pages WHERE sha256 = @sha ORDER BY page_number;
            """);
        command.Parameters.AddWithValue("sha", file.Sha256);
        var pages = new List<PageText>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            int pageCount = reader.IsDBNull(11) ? 0 : reader.GetInt32(11);
            pages.Add(new PageText(
                file,
                reader.GetInt32(0),
                pageCount,
                reader.GetString(1),
                SqliteColumns.ParseWords(reader.GetString(3)),
                (float)reader.GetDouble(2),
                reader.GetInt32(4),
                reader.GetInt32(5),
                reader.GetInt32(6),
                reader.GetString(7) == "pdf_text_layer" ? TextOrigin.PdfTextLayer : TextOrigin.Ocr,
                TimeSpan.FromMilliseconds(reader.GetInt64(8)))
            {
                Quality = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize(reader.GetString(9), PageJson.Default.PageQuality),
                Barcodes = JsonSerializer.Deserialize(reader.GetString(10), PageJson.Default.ListBarcode) ?? [],
            });
        }

        return pages;
    }

    public Task CompleteSourceAsync(SourceAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                string now = Now();
                await EnsureSourceAsync(connection, transaction, account.Source, now, ct).ConfigureAwait(false);
                await using NpgsqlCommand command = Command(connection, transaction, """
                    UPDATE source_files
                    SET page_count = @pages, status = @status, quarantine_reason = COALESCE(@reason, quarantine_reason),
                        pages_ocr = @ocr, pages_text_layer = @text, pages_blank = @blank, pages_separator = @separator,
                        pages_quarantined = @quarantined, documents_count = @documents, updated_utc = @now
                    WHERE sha256 = @sha;
                    """);
                command.Parameters.AddWithValue("pages", account.PagesIn);
                command.Parameters.AddWithValue("status", account.Status);
                command.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Text) { Value = (object?)account.Reason ?? DBNull.Value });
                command.Parameters.AddWithValue("ocr", account.PagesOcr);
                command.Parameters.AddWithValue("text", account.PagesTextLayer);
                command.Parameters.AddWithValue("blank", account.PagesBlank);
                command.Parameters.AddWithValue("separator", account.PagesSeparator);
                command.Parameters.AddWithValue("quarantined", account.PagesQuarantined);
                command.Parameters.AddWithValue("documents", account.Documents);
                command.Parameters.AddWithValue("now", now);
                command.Parameters.AddWithValue("sha", account.Source.Sha256);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    public async Task<BatchReconciliation?> GetReconciliationAsync(long batchId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for the three reads, so workers committing meanwhile never make the account disagree with itself.
        await using NpgsqlTransaction snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        string name;
        string state;
        await using (NpgsqlCommand batch = Command(connection, snapshot, "SELECT name, state FROM batches WHERE id = @batch;"))
        {
            batch.Parameters.AddWithValue("batch", batchId);
            await using NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (name, state) = (reader.GetString(0), reader.GetString(1));
        }

        await using NpgsqlCommand totals = Command(connection, snapshot, """
            SELECT COUNT(*),
                   COALESCE(SUM(CASE WHEN s.status = 'quarantined' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN s.page_count IS NULL OR s.page_count = 0 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(s.page_count), 0), COALESCE(SUM(s.pages_ocr), 0), COALESCE(SUM(s.pages_text_layer), 0),
                   COALESCE(SUM(s.pages_blank), 0), COALESCE(SUM(s.pages_separator), 0), COALESCE(SUM(s.pages_quarantined), 0)
            FROM source_files s
            WHERE s.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = @batch);
            """);
        totals.Parameters.AddWithValue("batch", batchId);
        int[] t = new int[9];
        await using (NpgsqlDataReader reader = await totals.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = Convert.ToInt32(reader.GetValue(i), CultureInfo.InvariantCulture);
            }
        }

        await using NpgsqlCommand statuses = Command(connection, snapshot, """
            SELECT d.status, COUNT(*) FROM documents d
            WHERE d.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = @batch) AND d.status <> 'superseded'
            GROUP BY d.status;
            """);
        statuses.Parameters.AddWithValue("batch", batchId);
        var byStatus = new Dictionary<DocumentStatus, int>();
        int documents = 0;
        await using (NpgsqlDataReader reader = await statuses.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                int count = Convert.ToInt32(reader.GetInt64(1));
                documents += count;
                DocumentStatus status = DocumentStatusNames.Parse(reader.GetString(0));
                byStatus[status] = byStatus.GetValueOrDefault(status) + count;
            }
        }

        return new BatchReconciliation(batchId, name, state, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], documents, byStatus);
    }

    public async Task<long?> FindBatchAsync(string nameOrId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlCommand command = Command(connection, null, "SELECT id FROM batches WHERE name = @name OR CAST(id AS text) = @name ORDER BY id LIMIT 1;");
        command.Parameters.AddWithValue("name", nameOrId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id ? id : null;
    }

    public Task CompleteBatchAsync(long batchId, string state, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(state);
        return _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using NpgsqlCommand command = Command(connection, transaction, "UPDATE batches SET state = @state, updated_utc = @now WHERE id = @id;");
                command.Parameters.AddWithValue("state", state);
                command.Parameters.AddWithValue("now", Now());
                command.Parameters.AddWithValue("id", batchId);
                if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
                {
                    throw new InvalidOperationException($"Batch {batchId} does not exist.");
                }

                return 0;
            },
            cancellationToken);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>Serialises saves of one source file's documents across processes until the transaction ends.</summary>
    private static async Task LockSourceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sha256, CancellationToken ct)
    {
        await using NpgsqlCommand command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended(@sha, 0));");
        command.Parameters.AddWithValue("sha", sha256);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task SaveOutcomeCoreAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, DocumentOutcome outcome, string now, CancellationToken ct)
    {
        SourceFile source = outcome.Source;
        await EnsureSourceAsync(connection, transaction, source, now, ct).ConfigureAwait(false);
        await LinkSourceAsync(connection, transaction, batchId, source, now, ct).ConfigureAwait(false);

        string documentId = outcome.Id.Value;
        bool replacing = false;
        await using (NpgsqlCommand exists = Command(connection, transaction, """
            SELECT d.status = 'quarantined' AND EXISTS (SELECT 1 FROM retry_requests r WHERE r.sha256 = d.sha256 AND r.at_utc >= d.decided_at)
            FROM documents d WHERE d.document_id = @id;
            """))
        {
            exists.Parameters.AddWithValue("id", documentId);
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is bool retried)
            {
                // Already decided: a rerun replaces nothing, except a quarantine whose file an operator asked to retry.
                if (!retried)
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
            await InsertPagesAsync(connection, transaction, indexed.Document.Pages, source.Sha256, ct).ConfigureAwait(false);
        }

        if (replacing)
        {
            await using NpgsqlCommand clear = Command(connection, transaction, """
                DELETE FROM identifiers WHERE document_id = @id;
                DELETE FROM candidates WHERE document_id = @id;
                """);
            clear.Parameters.AddWithValue("id", documentId);
            await clear.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using (NpgsqlCommand document = Command(connection, transaction, """
            INSERT INTO documents (document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at, risk_flags,
                                   document_type, document_type_confidence, document_type_source, document_type_model)
            VALUES (@id, @sha, @batch, @first, @last, @status, @patient, @score, @reason, @model, @now, @risks, @type, @typeConfidence, @typeSource, @typeModel)
            ON CONFLICT (document_id) DO UPDATE SET
                batch_id = excluded.batch_id, first_page = excluded.first_page, last_page = excluded.last_page, status = excluded.status,
                patient_id = excluded.patient_id, match_score = excluded.match_score, reason = excluded.reason,
                model_version = excluded.model_version, decided_at = excluded.decided_at, risk_flags = excluded.risk_flags,
                document_type = excluded.document_type, document_type_confidence = excluded.document_type_confidence,
                document_type_source = excluded.document_type_source, document_type_model = excluded.document_type_model;
            """))
        {
            DocumentClassification? type = status == DocumentStatus.Quarantined ? null : outcome.Type;
            document.Parameters.Add(Text("type", type?.Code));
            document.Parameters.Add(new NpgsqlParameter("typeConfidence", NpgsqlDbType.Double) { Value = type is null ? DBNull.Value : SqliteColumns.Finite(type.Confidence) });
            document.Parameters.Add(Text("typeSource", type is null ? null : DocumentClassification.SourceToWire(type.Source)));
            document.Parameters.Add(Text("typeModel", type?.ModelVersion));
            document.Parameters.AddWithValue("id", documentId);
            document.Parameters.AddWithValue("sha", source.Sha256);
            document.Parameters.AddWithValue("batch", batchId);
            document.Parameters.AddWithValue("first", outcome.FirstPage);
            document.Parameters.AddWithValue("last", outcome.LastPage);
            document.Parameters.AddWithValue("status", statusWire);
            document.Parameters.Add(Text("patient", best?.PatientId));
            document.Parameters.Add(new NpgsqlParameter("score", NpgsqlDbType.Double) { Value = best is null ? DBNull.Value : SqliteColumns.Finite(best.Score) });
            document.Parameters.AddWithValue("reason", decision.Reason ?? string.Empty);
            document.Parameters.AddWithValue("model", decision.ModelVersion ?? string.Empty);
            document.Parameters.AddWithValue("now", now);
            document.Parameters.AddWithValue("risks", decision.Risks.ToWire());
            await document.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await SupersedeRetriedQuarantinesAsync(connection, transaction, batchId, source.Sha256, documentId, outcome.FirstPage, outcome.LastPage, now, ct).ConfigureAwait(false);

        if (indexed is not null && indexed.Identifiers.Count > 0)
        {
            var batch = new NpgsqlBatch(connection, transaction);
            await using (batch.ConfigureAwait(false))
            {
                foreach (ExtractedIdentifier item in indexed.Identifiers)
                {
                    var command = new NpgsqlBatchCommand("""
                        INSERT INTO identifiers (document_id, kind, value, raw, valid, confidence, page, boxes_json, source, sought_for)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);
                        """);
                    command.Parameters.Add(new NpgsqlParameter { Value = documentId });
                    command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Kind(item.Kind) });
                    command.Parameters.Add(new NpgsqlParameter { Value = item.Value ?? string.Empty });
                    command.Parameters.Add(new NpgsqlParameter { Value = item.Raw ?? string.Empty });
                    command.Parameters.Add(new NpgsqlParameter { Value = item.IsValid ? 1 : 0 });
                    command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Finite(item.Confidence) });
                    command.Parameters.Add(new NpgsqlParameter { Value = item.PageNumber });
                    command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Boxes(item.Boxes ?? []) });
                    command.Parameters.Add(new NpgsqlParameter { Value = item.Source.ToWire() });
                    command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)item.SoughtFor ?? DBNull.Value });
                    batch.BatchCommands.Add(command);
                }

                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        if (decision.Candidates.Count > 0)
        {
            var batch = new NpgsqlBatch(connection, transaction);
            await using (batch.ConfigureAwait(false))
            {
                for (int i = 0; i < decision.Candidates.Count; i++)
                {
                    MatchCandidate item = decision.Candidates[i];
                    var command = new NpgsqlBatchCommand("""
                        INSERT INTO candidates (document_id, rank, patient_id, score, fields_json) VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT (document_id, rank) DO NOTHING;
                        """);
                    command.Parameters.Add(new NpgsqlParameter { Value = documentId });
                    command.Parameters.Add(new NpgsqlParameter { Value = i + 1 });
                    command.Parameters.Add(new NpgsqlParameter { Value = item.PatientId });
                    command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Finite(item.Score) });
                    command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Fields(item.Fields ?? []) });
                    batch.BatchCommands.Add(command);
                }

                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        await using (NpgsqlCommand record = Command(connection, transaction, """
            INSERT INTO decisions (document_id, batch_id, status, patient_id, actor, model_version, reason, at_utc)
            VALUES (@id, @batch, @status, @patient, @actor, @model, @reason, @now);
            """))
        {
            record.Parameters.AddWithValue("id", documentId);
            record.Parameters.AddWithValue("batch", batchId);
            record.Parameters.AddWithValue("status", statusWire);
            record.Parameters.Add(Text("patient", best?.PatientId));
            record.Parameters.AddWithValue("actor", PipelineActor);
            record.Parameters.AddWithValue("model", decision.ModelVersion ?? string.Empty);
            record.Parameters.AddWithValue("reason", decision.Reason ?? string.Empty);
            record.Parameters.AddWithValue("now", now);
            await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await UpdateSourceStatusAsync(connection, transaction, source.Sha256, indexed, status, decision.Reason ?? string.Empty, now, ct).ConfigureAwait(false);
    }

    private static async Task SupersedeRetriedQuarantinesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, string sha256, string documentId, int first, int last, string now, CancellationToken ct)
    {
        List<string> stale;
        await using (NpgsqlCommand find = Command(connection, transaction, """
            SELECT d.document_id FROM documents d
            WHERE d.sha256 = @sha AND d.document_id <> @id AND d.status = 'quarantined'
              AND EXISTS (SELECT 1 FROM retry_requests r WHERE r.sha256 = d.sha256 AND r.at_utc >= d.decided_at)
              AND (d.first_page = 0 OR (d.first_page <= @last AND d.last_page >= @first));
            """))
        {
            find.Parameters.AddWithValue("sha", sha256);
            find.Parameters.AddWithValue("id", documentId);
            find.Parameters.AddWithValue("first", first);
            find.Parameters.AddWithValue("last", last);
            stale = await PostgresDatabase.ReadStringsAsync(find, ct).ConfigureAwait(false);
        }

        foreach (string old in stale)
        {
            await using NpgsqlCommand supersede = Command(connection, transaction, """
                UPDATE documents SET status = 'superseded', decided_at = @now WHERE document_id = @old;
                INSERT INTO decisions (document_id, batch_id, status, patient_id, actor, model_version, reason, at_utc)
                VALUES (@old, @batch, 'superseded', NULL, @actor, '', @reason, @now);
                """);
            supersede.Parameters.AddWithValue("old", old);
            supersede.Parameters.AddWithValue("batch", batchId);
            supersede.Parameters.AddWithValue("actor", PipelineActor);
            supersede.Parameters.AddWithValue("reason", "retried: replaced by " + documentId);
            supersede.Parameters.AddWithValue("now", now);
            await supersede.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task InsertPagesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PageText> pages, string sha256, CancellationToken ct)
    {
        if (pages.Count == 0)
        {
            return;
        }

        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            foreach (PageText item in pages)
            {
                var command = new NpgsqlBatchCommand("""
                    INSERT INTO pages (sha256, page_number, text, mean_confidence, words_json, width_px, height_px, dpi, origin, ocr_ms, qa_flags, qa_json, barcodes_json)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                    ON CONFLICT (sha256, page_number) DO NOTHING;
                    """);
                command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
                command.Parameters.Add(new NpgsqlParameter { Value = item.PageNumber });
                command.Parameters.Add(new NpgsqlParameter { Value = (item.Text ?? string.Empty).Replace("\0", string.Empty, StringComparison.Ordinal) });
                command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Finite(item.MeanConfidence) });
                command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Words(item.Words ?? []) });
                command.Parameters.Add(new NpgsqlParameter { Value = item.WidthPx });
                command.Parameters.Add(new NpgsqlParameter { Value = item.HeightPx });
                command.Parameters.Add(new NpgsqlParameter { Value = item.Dpi });
                command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Origin(item.Origin) });
                command.Parameters.Add(new NpgsqlParameter { Value = (long)Math.Round(item.Elapsed.TotalMilliseconds, MidpointRounding.AwayFromZero) });
                command.Parameters.Add(new NpgsqlParameter { Value = item.Quality?.Flags() ?? string.Empty });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = item.Quality is null ? DBNull.Value : JsonSerializer.Serialize(item.Quality, PageJson.Default.PageQuality) });
                command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(item.Barcodes, PageJson.Default.IReadOnlyListBarcode) });
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>As the SQLite store: a whole-file quarantine closes the file at once; otherwise it closes once its documents cover every page.</summary>
    private static async Task UpdateSourceStatusAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sha256, IndexedDocument? indexed, DocumentStatus status, string reason, string now, CancellationToken ct)
    {
        if (indexed is null)
        {
            await using NpgsqlCommand quarantine = Command(connection, transaction,
                "UPDATE source_files SET status = 'quarantined', quarantine_reason = @reason, updated_utc = @now WHERE sha256 = @sha;");
            quarantine.Parameters.AddWithValue("reason", reason);
            quarantine.Parameters.AddWithValue("now", now);
            quarantine.Parameters.AddWithValue("sha", sha256);
            await quarantine.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return;
        }

        int pageCount = 0;
        foreach (PageText page in indexed.Document.Pages)
        {
            pageCount = Math.Max(pageCount, page.PageCount);
        }

        await using NpgsqlCommand command = Command(connection, transaction, """
            UPDATE source_files
            SET page_count = COALESCE(page_count, NULLIF(@pageCount, 0)),
                quarantine_reason = CASE WHEN @quarantined THEN COALESCE(quarantine_reason, @reason) ELSE quarantine_reason END,
                updated_utc = @now
            WHERE sha256 = @sha;

            UPDATE source_files
            SET status = CASE WHEN EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = @sha AND d.status = 'quarantined')
                              THEN 'quarantined' ELSE 'complete' END
            WHERE sha256 = @sha
              AND status = 'pending'
              AND page_count IS NOT NULL
              AND (SELECT COALESCE(SUM(d.last_page - d.first_page + 1), 0) FROM documents d
                   WHERE d.sha256 = @sha AND d.status <> 'superseded' AND d.first_page >= 1 AND d.last_page <= source_files.page_count) >= page_count;
            """);
        command.Parameters.AddWithValue("pageCount", pageCount);
        command.Parameters.AddWithValue("quarantined", status == DocumentStatus.Quarantined);
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("sha", sha256);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<MpiImportResult> UpsertPatientsCoreAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<Patient> patients, CancellationToken ct)
    {
        // Each chunk goes in one round trip: the changed rows are rewritten (and revived if merged away), new ones inserted,
        // unchanged ones left alone. Within a chunk the last row for an id wins, as it does row by row.
        int imported = 0, updated = 0, unchanged = 0, index = 0;
        var errors = new List<string>();
        var chunk = new Dictionary<string, Patient>(StringComparer.Ordinal);
        foreach (Patient? patient in patients)
        {
            index++;
            if (patient is null || string.IsNullOrWhiteSpace(patient.PatientId))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"record {index}: patient_id is empty"));
                continue;
            }

            if (chunk.ContainsKey(patient.PatientId))
            {
                // A second row for an id in the same chunk: write what came before, so the earlier row counts as SQLite's does.
                await FlushAsync().ConfigureAwait(false);
            }

            chunk[patient.PatientId] = patient;
            if (chunk.Count >= 2000)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        await FlushAsync().ConfigureAwait(false);
        return new MpiImportResult(imported, updated, errors) { Unchanged = unchanged };

        async Task FlushAsync()
        {
            if (chunk.Count == 0)
            {
                return;
            }

            ct.ThrowIfCancellationRequested();
            Patient[] rows = [.. chunk.Values];
            chunk.Clear();
            await using NpgsqlCommand command = Command(connection, transaction, """
                WITH input AS (
                    SELECT * FROM unnest(@id, @nhs, @hospital, @family, @given, @dob, @sex, @postcode, @address, @previous)
                        AS i (patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth, sex, postcode, address, previous_family_name)),
                changed AS (
                    UPDATE patients p
                    SET nhs_number = i.nhs_number, hospital_number = i.hospital_number, family_name = i.family_name, given_name = i.given_name,
                        date_of_birth = i.date_of_birth, sex = i.sex, postcode = i.postcode, address = i.address,
                        previous_family_name = i.previous_family_name, merged_into = NULL, merged_utc = NULL
                    FROM input i
                    WHERE p.patient_id = i.patient_id
                      AND (p.nhs_number IS DISTINCT FROM i.nhs_number OR p.hospital_number IS DISTINCT FROM i.hospital_number
                           OR p.family_name IS DISTINCT FROM i.family_name OR p.given_name IS DISTINCT FROM i.given_name
                           OR p.date_of_birth IS DISTINCT FROM i.date_of_birth OR p.sex IS DISTINCT FROM i.sex
                           OR p.postcode IS DISTINCT FROM i.postcode OR p.address IS DISTINCT FROM i.address
                           OR p.previous_family_name IS DISTINCT FROM i.previous_family_name OR p.merged_into IS NOT NULL)
                    RETURNING p.patient_id),
                added AS (
                    INSERT INTO patients (patient_id, nhs_number, hospital_number, family_name, given_name, date_of_birth, sex, postcode, address, previous_family_name)
                    SELECT * FROM input
                    ON CONFLICT (patient_id) DO NOTHING
                    RETURNING patient_id)
                SELECT (SELECT count(*) FROM changed), (SELECT count(*) FROM added);
                """);
            command.Parameters.Add(Array("id", rows, p => p.PatientId));
            command.Parameters.Add(Array("nhs", rows, p => p.NhsNumber));
            command.Parameters.Add(Array("hospital", rows, p => p.HospitalNumber));
            command.Parameters.Add(Array("family", rows, p => p.FamilyName ?? string.Empty));
            command.Parameters.Add(Array("given", rows, p => p.GivenName ?? string.Empty));
            command.Parameters.Add(Array("dob", rows, p => p.DateOfBirth is { } dob ? SqliteColumns.Date(dob) : null));
            command.Parameters.Add(Array("sex", rows, p => p.Sex));
            command.Parameters.Add(Array("postcode", rows, p => p.Postcode));
            command.Parameters.Add(Array("address", rows, p => p.Address));
            command.Parameters.Add(Array("previous", rows, p => p.PreviousFamilyName));
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            int changedCount = (int)reader.GetInt64(0);
            int addedCount = (int)reader.GetInt64(1);
            updated += changedCount;
            imported += addedCount;
            unchanged += rows.Length - changedCount - addedCount;
        }

        static NpgsqlParameter Array(string name, Patient[] rows, Func<Patient, string?> value) =>
            new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(value).ToArray() };
    }

    private static async Task<MpiMergeResult> MergePatientsCoreAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<(string Retired, string Survivor)> merges, string now, CancellationToken ct)
    {
        int merged = 0, documentsRepointed = 0, candidatesRepointed = 0, index = 0;
        var errors = new List<string>();
        foreach ((string retired, string survivor) in merges)
        {
            index++;
            ct.ThrowIfCancellationRequested();
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
                await using NpgsqlCommand lookup = Command(connection, transaction, "SELECT merged_into FROM patients WHERE patient_id = @id;");
                lookup.Parameters.AddWithValue("id", target);
                object? next = await lookup.ExecuteScalarAsync(ct).ConfigureAwait(false);
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

            merged += await ExecuteAsync("""
                INSERT INTO patients (patient_id, family_name, given_name, merged_into, merged_utc) VALUES (@retired, '', '', @survivor, @now)
                ON CONFLICT (patient_id) DO UPDATE SET merged_into = excluded.merged_into, merged_utc = excluded.merged_utc
                WHERE patients.merged_into IS DISTINCT FROM excluded.merged_into;
                """).ConfigureAwait(false);
            await ExecuteAsync("UPDATE patients SET merged_into = @survivor WHERE merged_into = @retired;").ConfigureAwait(false);
            documentsRepointed += await ExecuteAsync("UPDATE documents SET patient_id = @survivor WHERE patient_id = @retired;").ConfigureAwait(false);
            candidatesRepointed += await ExecuteAsync("""
                DELETE FROM candidates
                WHERE patient_id = @retired AND document_id IN (SELECT document_id FROM candidates WHERE patient_id = @survivor);
                """).ConfigureAwait(false);
            candidatesRepointed += await ExecuteAsync("UPDATE candidates SET patient_id = @survivor WHERE patient_id = @retired;").ConfigureAwait(false);

            async Task<int> ExecuteAsync(string sql)
            {
                await using NpgsqlCommand command = Command(connection, transaction, sql);
                command.Parameters.AddWithValue("retired", retired);
                command.Parameters.AddWithValue("survivor", target);
                command.Parameters.AddWithValue("now", now);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        return new MpiMergeResult(merged, documentsRepointed, candidatesRepointed, errors);
    }

    private static async Task EnsureSourceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SourceFile file, string now, CancellationToken ct)
    {
        await using NpgsqlCommand command = Command(connection, transaction, """
            INSERT INTO source_files (sha256, length, status, created_utc, updated_utc) VALUES (@sha, @length, 'pending', @now, @now)
            ON CONFLICT (sha256) DO NOTHING;
            """);
        command.Parameters.AddWithValue("sha", file.Sha256);
        command.Parameters.AddWithValue("length", file.Length);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task LinkSourceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long batchId, SourceFile file, string now, CancellationToken ct)
    {
        await using NpgsqlCommand command = Command(connection, transaction, """
            INSERT INTO batch_sources (batch_id, path, sha256, recorded_utc) VALUES (@batch, @path, @sha, @now)
            ON CONFLICT (batch_id, path) DO UPDATE SET sha256 = excluded.sha256, recorded_utc = excluded.recorded_utc
            WHERE batch_sources.sha256 <> excluded.sha256;
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("path", file.DisplayPath);
        command.Parameters.AddWithValue("sha", file.Sha256);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        PostgresDatabase.Command(connection, transaction, sql);

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private string Now() => _database.Now();

    private static class SourceStatus
    {
        public const string Complete = "complete";
        public const string Quarantined = "quarantined";
    }
}
