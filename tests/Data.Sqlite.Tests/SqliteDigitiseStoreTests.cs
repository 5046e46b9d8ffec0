using System.Text.Json;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite.Tests;

public sealed class SqliteDigitiseStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    private readonly TempDatabase _db = new();
    private readonly ManualTimeProvider _clock = new(Start);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _db.Dispose();

    private Task<SqliteDigitiseStore> OpenAsync() => SqliteDigitiseStore.OpenAsync(_db.DatabasePath, _clock, Ct);

    [Fact]
    public async Task OpenAsync_NewPath_CreatesFolderInWalModeAtLatestVersion()
    {
        await using SqliteDigitiseStore store = await OpenAsync();

        Assert.True(File.Exists(_db.DatabasePath));
        Assert.Equal("wal", _db.Text("PRAGMA journal_mode;"));
        Assert.Equal(SqliteDigitiseStore.LatestSchemaVersion, await store.GetSchemaVersionAsync(Ct));
        Assert.Equal(SqliteDigitiseStore.LatestSchemaVersion, _db.Scalar("PRAGMA user_version;"));
    }

    [Fact]
    public async Task MigrateAsync_Twice_IsNoOp()
    {
        await using (SqliteDigitiseStore store = await OpenAsync())
        {
            string? schema = _db.Text("SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master ORDER BY name);");
            await store.MigrateAsync(Ct);
            Assert.Equal(0, await store.MigrateAsync(SqliteMigrations.All, Ct));
            Assert.Equal(schema, _db.Text("SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master ORDER BY name);"));
        }

        await using (SqliteDigitiseStore reopened = await OpenAsync())
        {
            await reopened.MigrateAsync(Ct);
        }

        Assert.Equal(SqliteMigrations.All.Count, _db.Scalar("SELECT count(*) FROM schema_version;"));
    }

    [Fact]
    public async Task MigrateAsync_NewStep_AppliesOnlyThatStep()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        SqliteMigration[] next = [.. SqliteMigrations.All, new(SqliteMigrations.LatestVersion + 1, "next step", "CREATE TABLE next_step (id INTEGER PRIMARY KEY);")];

        Assert.Equal(1, await store.MigrateAsync(next, Ct));
        Assert.Equal(0, await store.MigrateAsync(next, Ct));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM next_step;"));
        Assert.Equal(SqliteMigrations.LatestVersion + 1, _db.Scalar("PRAGMA user_version;"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseNewerThanBuild_Throws()
    {
        await using (SqliteDigitiseStore store = await OpenAsync())
        {
            SqliteMigration[] next = [.. SqliteMigrations.All, new(SqliteMigrations.LatestVersion + 1, "future", "CREATE TABLE future (id INTEGER);")];
            await store.MigrateAsync(next, Ct);
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(OpenAsync);
        Assert.Contains("newer than this build", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenBatchAsync_SameName_ReturnsSameId()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long first = await store.OpenBatchAsync("2025-03 ward 7", Ct);
        long other = await store.OpenBatchAsync("2025-03 ward 8", Ct);
        long again = await store.OpenBatchAsync("2025-03 ward 7", Ct);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM batches;"));
    }

    [Fact]
    public async Task CompleteBatchAsync_SetsStateAndTimestamp()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        _clock.Now = Start.AddMinutes(5);

        await store.CompleteBatchAsync(batch, "complete", Ct);

        Assert.Equal("complete", _db.Text("SELECT state FROM batches;"));
        Assert.Equal("2025-03-14T09:26:53.000Z", _db.Text("SELECT created_utc FROM batches;"));
        Assert.Equal("2025-03-14T09:31:53.000Z", _db.Text("SELECT updated_utc FROM batches;"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CompleteBatchAsync(batch + 100, "complete", Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_ThenManifest_ReturnsDocumentRow()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("ward7/scan-001.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        DocumentOutcome outcome = TestData.Outcome(source, 1, 3, 3, confidence: 80f);

        await store.SaveOutcomeAsync(batch, outcome, Ct);

        ManifestRow row = Assert.Single(await store.GetManifestAsync(batch, Ct));
        Assert.Equal(
            new ManifestRow("ward7/scan-001.tif", source.Sha256, outcome.Id.Value, 1, 3, DocumentStatus.AutoFiled, "P001", 0.97, "nhs_number exact", 3, 80.0),
            row);
        Assert.Equal(3, _db.Scalar("SELECT count(*) FROM pages;"));
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM identifiers;"));
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM candidates;"));
        Assert.Equal(1, _db.Scalar("SELECT count(*) FROM decisions WHERE actor = 'pipeline' AND status = 'auto_filed' AND patient_id = 'P001';"));
        Assert.Equal("2025-03-14T09:26:53.000Z", _db.Text("SELECT decided_at FROM documents;"));
        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_StoresCompactJson()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("a.tif");

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1, confidence: 87.5f), Ct);

        string words = _db.Text("SELECT words_json FROM pages;")!;
        Assert.Equal("""{"t":"Zoë","b":[50,20,40,12],"c":87.5,"l":0}""", JsonDocument.Parse(words).RootElement[1].GetRawText());
        Assert.Equal("[[10,20,30,12]]", _db.Text("SELECT boxes_json FROM identifiers WHERE kind = 'nhs_number';"));
        Assert.Equal(
            """[{"f":"nhs_number","l":"exact","w":0.8},{"f":"family_name","l":"exact","w":0.17}]""",
            _db.Text("SELECT fields_json FROM candidates WHERE rank = 1;"));
        Assert.Equal(1234, _db.Scalar("SELECT ocr_ms FROM pages;"));
        Assert.Equal("ocr", _db.Text("SELECT origin FROM pages;"));
    }

    [Fact]
    public async Task SaveOutcomeAsync_SameOutcomeTwiceAndReopened_LeavesRowCountsUnchanged()
    {
        SourceFile source = TestData.Source("ward7/scan-001.tif");
        SourceFile quarantined = TestData.Source("ward7/broken.pdf", 'b');
        DocumentOutcome[] outcomes =
        [
            TestData.Outcome(source, 1, 2, 4),
            TestData.Outcome(source, 3, 4, 4, DocumentStatus.NeedsVerification, reason: "dob differs"),
            TestData.WholeFileQuarantine(quarantined, "corrupt_pdf: no xref"),
        ];
        await using (SqliteDigitiseStore store = await OpenAsync())
        {
            await store.UpsertPatientsAsync([TestData.Patient(1)], Ct);
            await RunAsync(store);
        }

        IReadOnlyDictionary<string, long> first = _db.RowCounts();
        Assert.All(first, pair => Assert.True(pair.Value > 0, pair.Key));

        await using (SqliteDigitiseStore store = await OpenAsync())
        {
            await RunAsync(store);
            Assert.Equal(first, _db.RowCounts());
            await RunAsync(store);
            Assert.Equal(3, (await store.GetManifestAsync(1, Ct)).Count);
        }

        Assert.Equal(first, _db.RowCounts());

        async Task RunAsync(SqliteDigitiseStore store)
        {
            long batch = await store.OpenBatchAsync("same batch", Ct);
            await store.RecordSourceAsync(batch, source, Ct);
            await store.RecordSourceAsync(batch, quarantined, Ct);
            foreach (DocumentOutcome outcome in outcomes)
            {
                await store.SaveOutcomeAsync(batch, outcome, Ct);
            }

            await store.CompleteBatchAsync(batch, "complete", Ct);
        }
    }

    [Fact]
    public async Task SaveOutcomeAsync_AlreadyDecided_KeepsFirstDecision()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("a.tif");
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1), Ct);

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1, DocumentStatus.Unmatched, reason: "changed"), Ct);

        ManifestRow row = Assert.Single(await store.GetManifestAsync(batch, Ct));
        Assert.Equal(DocumentStatus.AutoFiled, row.Status);
        Assert.Equal(1, _db.Scalar("SELECT count(*) FROM decisions;"));
    }

    [Fact]
    public async Task SaveOutcomeAsync_QuarantinedThenRetried_IsDecidedAfreshAndKeepsItsHistory()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("fixed-later.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        // As the pipeline quarantines a whole file: one document from page 1.
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1, DocumentStatus.Quarantined, reason: "truncated_tiff: page 2"), Ct);

        // Without a retry request a rerun changes nothing.
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1), Ct);
        Assert.Equal(DocumentStatus.Quarantined, Assert.Single(await store.GetManifestAsync(batch, Ct)).Status);

        // The operator asks for a retry (the file was rescanned or repaired); the next run reads it and files it.
        Assert.Equal(1, await new SqliteVerificationStore(store.DatabasePath).RequestRetryAsync(batch, source.Sha256, "olive", Ct));
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1), Ct);

        ManifestRow row = Assert.Single(await store.GetManifestAsync(batch, Ct));
        Assert.Equal(DocumentStatus.AutoFiled, row.Status);
        Assert.Equal("quarantined,auto_filed", _db.Text("SELECT group_concat(status, ',') FROM (SELECT status FROM decisions ORDER BY id);"));
        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_RetriedFileSplitsDifferently_OldQuarantineSupersededNotDuplicated()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("box-3.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 4, 4, DocumentStatus.Quarantined, reason: "image_too_large: page 3"), Ct);
        await new SqliteVerificationStore(store.DatabasePath).RequestRetryAsync(batch, source.Sha256, "olive", Ct);

        // The retry reads page 1 as a cover sheet: the documents now start on pages 2 and 4, not 1.
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 2, 3, 4), Ct);
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct)); // page 4 is not stored yet: not complete
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 4, 4, 4, DocumentStatus.NeedsVerification, reason: "dob differs"), Ct);

        IReadOnlyList<ManifestRow> rows = await store.GetManifestAsync(batch, Ct);
        Assert.Equal([(2, DocumentStatus.AutoFiled), (4, DocumentStatus.NeedsVerification)], rows.Select(r => (r.FirstPage, r.Status)));
        Assert.Equal("superseded", _db.Text($"SELECT status FROM documents WHERE document_id = '{TestData.Outcome(source, 1, 1, 4).Id.Value}';"));
        Assert.Equal("quarantined,superseded", _db.Text(
            $"SELECT group_concat(status, ',') FROM (SELECT status FROM decisions WHERE document_id = '{TestData.Outcome(source, 1, 1, 4).Id.Value}' ORDER BY id);"));
        BatchReconciliation account = (await store.GetReconciliationAsync(batch, Ct))!;
        Assert.Equal(2, account.Documents);
        Assert.False(account.DocumentsByStatus.ContainsKey(DocumentStatus.Quarantined));
    }

    [Fact]
    public async Task SaveOutcomeAsync_WholeFileQuarantine_AppearsInManifestWithReason()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("broken.pdf");
        await store.RecordSourceAsync(batch, source, Ct);
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));

        await store.SaveOutcomeAsync(batch, TestData.WholeFileQuarantine(source, "corrupt_pdf: no xref"), Ct);

        ManifestRow row = Assert.Single(await store.GetManifestAsync(batch, Ct));
        Assert.Equal(DocumentStatus.Quarantined, row.Status);
        Assert.Equal("corrupt_pdf: no xref", row.Reason);
        Assert.Null(row.PatientId);
        Assert.Null(row.MatchScore);
        Assert.Equal(0, row.MeanConfidence);
        Assert.Equal("quarantined", _db.Text("SELECT status FROM source_files;"));
        Assert.Equal("corrupt_pdf: no xref", _db.Text("SELECT quarantine_reason FROM source_files;"));
        Assert.Equal(1, _db.Scalar("SELECT count(*) FROM decisions WHERE status = 'quarantined';"));
        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_QuarantinedDocument_ClosesFileOnlyWhenAllPagesStored()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("mixed.tif");

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 3, DocumentStatus.Quarantined, reason: "blank_page"), Ct);
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        Assert.Equal("blank_page", _db.Text("SELECT quarantine_reason FROM source_files;"));

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 2, 3, 3), Ct);

        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        Assert.Equal("quarantined", _db.Text("SELECT status FROM source_files;"));
        IReadOnlyList<ManifestRow> rows = await store.GetManifestAsync(batch, Ct);
        Assert.Equal([DocumentStatus.Quarantined, DocumentStatus.AutoFiled], rows.Select(r => r.Status));
        Assert.Equal("blank_page", rows[0].Reason);
    }

    [Fact]
    public async Task IsSourceCompleteAsync_DocumentsSavedOutOfOrder_TrueOnlyWhenEveryPageCovered()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("a.tif");
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 4, 5, 5), Ct);
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 3, 5), Ct);

        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        Assert.Equal("complete", _db.Text("SELECT status FROM source_files;"));
        Assert.Equal(5, _db.Scalar("SELECT page_count FROM source_files;"));
    }

    [Fact]
    public async Task GetManifestAsync_OrdersByOrdinalPathThenFirstPage()
    {
        await using SqliteDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        long otherBatch = await store.OpenBatchAsync("other", Ct);
        SourceFile lower = TestData.Source("a/z.tif", '1');
        SourceFile upper = TestData.Source("B.pdf", '2');
        SourceFile copy = lower with { DisplayPath = "copy/z.tif" };
        SourceFile elsewhere = TestData.Source("0-other-batch.tif", '3');
        foreach (SourceFile file in new[] { lower, copy, upper })
        {
            await store.RecordSourceAsync(batch, file, Ct);
        }

        await store.RecordSourceAsync(otherBatch, elsewhere, Ct);
        await store.SaveOutcomeAsync(batch, TestData.Outcome(lower, 6, 6, 6), Ct);
        await store.SaveOutcomeAsync(batch, TestData.Outcome(lower, 1, 5, 6, confidence: 50f), Ct);
        await store.SaveOutcomeAsync(batch, TestData.Outcome(upper, 1, 1, 1), Ct);
        await store.SaveOutcomeAsync(otherBatch, TestData.Outcome(elsewhere, 1, 1, 1), Ct);

        IReadOnlyList<ManifestRow> rows = await store.GetManifestAsync(batch, Ct);

        Assert.Equal(
            ["B.pdf:1", "a/z.tif:1", "a/z.tif:6", "copy/z.tif:1", "copy/z.tif:6"],
            rows.Select(r => $"{r.SourceFile}:{r.FirstPage}"));
        Assert.Equal([1, 5, 1, 5, 1], rows.Select(r => r.Pages));
        Assert.Equal(50.0, rows[1].MeanConfidence);
        Assert.Single(await store.GetManifestAsync(otherBatch, Ct));
    }

    [Fact]
    public async Task Decisions_UpdateOrDelete_Raise()
    {
        await using (SqliteDigitiseStore store = await OpenAsync())
        {
            long batch = await store.OpenBatchAsync("b", Ct);
            await store.SaveOutcomeAsync(batch, TestData.Outcome(TestData.Source("a.tif"), 1, 1, 1), Ct);
        }

        using SqliteConnection connection = _db.OpenRaw();
        foreach (string sql in new[] { "UPDATE decisions SET status = 'unmatched';", "DELETE FROM decisions;" })
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            var ex = Assert.Throws<SqliteException>(() => command.ExecuteNonQuery());
            Assert.Contains("append-only", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, _db.Scalar("SELECT count(*) FROM decisions WHERE status = 'auto_filed';"));
    }

    [Fact]
    public async Task UpsertPatientsAsync_NewThenExisting_CountsInsertsAndUpdates()
    {
        await using SqliteDigitiseStore store = await OpenAsync();

        MpiImportResult first = await store.UpsertPatientsAsync([TestData.Patient(1), TestData.Patient(2), TestData.Patient(5)], Ct);
        MpiImportResult second = await store.UpsertPatientsAsync([TestData.Patient(2, "JONES"), TestData.Patient(3), TestData.Patient(5)], Ct);

        Assert.Equal((3, 0), (first.Imported, first.Updated));
        Assert.Equal((1, 1, 1), (second.Imported, second.Updated, second.Unchanged));
        Assert.Empty(second.Errors);
        List<Patient> patients = await ToListAsync(store.ReadPatientsAsync(Ct));
        Assert.Equal([TestData.Patient(1), TestData.Patient(2, "JONES"), TestData.Patient(3), TestData.Patient(5)], patients);
        Assert.Null(patients[3].DateOfBirth);
        Assert.Null(patients[2].HospitalNumber);
    }

    [Fact]
    public async Task UpsertPatientsAsync_EmptyPatientId_ReportedAndSkipped()
    {
        await using SqliteDigitiseStore store = await OpenAsync();

        MpiImportResult result = await store.UpsertPatientsAsync([TestData.Patient(1), TestData.Patient(2) with { PatientId = " " }], Ct);

        Assert.Equal(1, result.Imported);
        Assert.Equal("record 2: patient_id is empty", Assert.Single(result.Errors));
    }

    [Fact]
    public async Task UpsertPatientsAsync_100kPatients_InsertsUpdatesAndStreamsBack()
    {
        // How fast is a benchmark figure (scripts/bench-mpi: CSV read + SQLite import of 1,000,000 patients), not a test.
        const int Count = 100_000;
        await using SqliteDigitiseStore store = await OpenAsync();

        MpiImportResult inserted = await store.UpsertPatientsAsync(Enumerable.Range(1, Count).Select(n => TestData.Patient(n)), Ct);
        MpiImportResult updated = await store.UpsertPatientsAsync(Enumerable.Range(1, Count).Select(n => TestData.Patient(n, "JONES")), Ct);

        Assert.Equal((Count, 0), (inserted.Imported, inserted.Updated));
        Assert.Equal((0, Count), (updated.Imported, updated.Updated));
        int read = 0;
        await foreach (Patient patient in store.ReadPatientsAsync(Ct))
        {
            Assert.Equal("JONES", patient.FamilyName);
            read++;
        }

        Assert.Equal(Count, read);
    }

    [Fact]
    public async Task ReadPatientsAsync_WhileAnotherStoreWrites_SeesCommittedRows()
    {
        await using SqliteDigitiseStore writer = await OpenAsync();
        await writer.UpsertPatientsAsync(Enumerable.Range(1, 10).Select(n => TestData.Patient(n)), Ct);
        await using SqliteDigitiseStore reader = new(_db.DatabasePath, _clock);

        await using IAsyncEnumerator<Patient> enumerator = reader.ReadPatientsAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await enumerator.MoveNextAsync());

        // The reader holds a WAL snapshot open; the writer is not blocked by it.
        MpiImportResult result = await writer.UpsertPatientsAsync([TestData.Patient(11)], Ct);
        Assert.Equal(1, result.Imported);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (T item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
