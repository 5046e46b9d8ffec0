using System.Text.Json;
using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Data.Sqlite.Tests;

/// <summary>
/// What every <see cref="IDigitiseStore"/> must do, run once per provider: <see cref="SqliteDigitiseStoreTests"/> here
/// and <c>PostgresDigitiseStoreTests</c> in Data.Postgres.Tests (one abstract base, one subclass per store). The
/// assertions that look at rows go through the provider's own SQL hooks, written in the SQL both engines share.
/// </summary>
public abstract class DigitiseStoreContractTests
{
    protected static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    protected static CancellationToken Ct => CancellationToken.None;

    internal ManualTimeProvider Clock { get; } = new(Start);

    /// <summary>Opens (creating and migrating) this test's database with <see cref="Clock"/>; every call opens the same database.</summary>
    protected abstract Task<IDigitiseStore> OpenAsync();

    /// <summary>The first column of the first row, as a number, read around the store.</summary>
    protected abstract long Scalar(string sql);

    /// <summary>The first column of the first row, as text (null when none), read around the store.</summary>
    protected abstract string? Text(string sql);

    /// <summary>The first column of every row, as text, read around the store.</summary>
    protected abstract IReadOnlyList<string> Strings(string sql);

    /// <summary>Runs <paramref name="sql"/> around the store; returns the database's error message, or null when it succeeded.</summary>
    protected abstract string? TryExecute(string sql);

    /// <summary>The provider's document-type store on this test's database (open the digitise store first: it migrates).</summary>
    protected abstract IDocumentTypeStore OpenDocumentTypeStore();

    /// <summary>An operator's retry of a quarantined file, as the verification app records it.</summary>
    protected abstract Task<int> RequestRetryAsync(IDigitiseStore store, long batchId, string sha256);

    protected IReadOnlyDictionary<string, long> RowCounts()
    {
        string[] tables = ["schema_version", "batches", "source_files", "batch_sources", "pages", "documents", "identifiers", "candidates", "decisions", "patients"];
        return tables.ToDictionary(t => t, t => Scalar($"SELECT count(*) FROM {t};"));
    }

    [Fact]
    public async Task OpenBatchAsync_SameName_ReturnsSameId()
    {
        await using IDigitiseStore store = await OpenAsync();
        long first = await store.OpenBatchAsync("2025-03 ward 7", Ct);
        long other = await store.OpenBatchAsync("2025-03 ward 8", Ct);
        long again = await store.OpenBatchAsync("2025-03 ward 7", Ct);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(2, Scalar("SELECT count(*) FROM batches;"));
    }

    [Fact]
    public async Task CompleteBatchAsync_SetsStateAndTimestamp()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        Clock.Now = Start.AddMinutes(5);

        await store.CompleteBatchAsync(batch, "complete", Ct);

        Assert.Equal("complete", Text("SELECT state FROM batches;"));
        Assert.Equal("2025-03-14T09:26:53.000Z", Text("SELECT created_utc FROM batches;"));
        Assert.Equal("2025-03-14T09:31:53.000Z", Text("SELECT updated_utc FROM batches;"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CompleteBatchAsync(batch + 100, "complete", Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_ThenManifest_ReturnsDocumentRow()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("ward7/scan-001.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        DocumentOutcome outcome = TestData.Outcome(source, 1, 3, 3, confidence: 80f);

        await store.SaveOutcomeAsync(batch, outcome, Ct);

        ManifestRow row = Assert.Single(await store.GetManifestAsync(batch, Ct));
        Assert.Equal(
            new ManifestRow("ward7/scan-001.tif", source.Sha256, outcome.Id.Value, 1, 3, DocumentStatus.AutoFiled, "P001", 0.97, "nhs_number exact", 3, 80.0),
            row);
        Assert.Equal(3, Scalar("SELECT count(*) FROM pages;"));
        Assert.Equal(2, Scalar("SELECT count(*) FROM identifiers;"));
        Assert.Equal(2, Scalar("SELECT count(*) FROM candidates;"));
        Assert.Equal(1, Scalar("SELECT count(*) FROM decisions WHERE actor = 'pipeline' AND status = 'auto_filed' AND patient_id = 'P001';"));
        Assert.Equal("2025-03-14T09:26:53.000Z", Text("SELECT decided_at FROM documents;"));
        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_StoresCompactJson()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("a.tif");

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1, confidence: 87.5f), Ct);

        string words = Text("SELECT words_json FROM pages;")!;
        Assert.Equal("""{"t":"Zoë","b":[50,20,40,12],"c":87.5,"l":0}""", JsonDocument.Parse(words).RootElement[1].GetRawText());
        Assert.Equal("[[10,20,30,12]]", Text("SELECT boxes_json FROM identifiers WHERE kind = 'nhs_number';"));
        Assert.Equal(
            """[{"f":"nhs_number","l":"exact","w":0.8},{"f":"family_name","l":"exact","w":0.17}]""",
            Text("SELECT fields_json FROM candidates WHERE rank = 1;"));
        Assert.Equal(1234, Scalar("SELECT ocr_ms FROM pages;"));
        Assert.Equal("ocr", Text("SELECT origin FROM pages;"));
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
        await using (IDigitiseStore store = await OpenAsync())
        {
            await store.UpsertPatientsAsync([TestData.Patient(1)], Ct);
            await RunAsync(store);
        }

        IReadOnlyDictionary<string, long> first = RowCounts();
        Assert.All(first, pair => Assert.True(pair.Value > 0, pair.Key));

        await using (IDigitiseStore store = await OpenAsync())
        {
            await RunAsync(store);
            Assert.Equal(first, RowCounts());
            await RunAsync(store);
            Assert.Equal(3, (await store.GetManifestAsync(1, Ct)).Count);
        }

        Assert.Equal(first, RowCounts());

        async Task RunAsync(IDigitiseStore store)
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
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("a.tif");
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1), Ct);

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1, DocumentStatus.Unmatched, reason: "changed"), Ct);

        ManifestRow row = Assert.Single(await store.GetManifestAsync(batch, Ct));
        Assert.Equal(DocumentStatus.AutoFiled, row.Status);
        Assert.Equal(1, Scalar("SELECT count(*) FROM decisions;"));
    }

    [Fact]
    public async Task SaveOutcomeAsync_QuarantinedThenRetried_IsDecidedAfreshAndKeepsItsHistory()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("fixed-later.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        // As the pipeline quarantines a whole file: one document from page 1.
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1, DocumentStatus.Quarantined, reason: "truncated_tiff: page 2"), Ct);

        // Without a retry request a rerun changes nothing.
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1), Ct);
        Assert.Equal(DocumentStatus.Quarantined, Assert.Single(await store.GetManifestAsync(batch, Ct)).Status);

        // The operator asks for a retry (the file was rescanned or repaired); the next run reads it and files it.
        Assert.Equal(1, await RequestRetryAsync(store, batch, source.Sha256));
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 1), Ct);

        ManifestRow row = Assert.Single(await store.GetManifestAsync(batch, Ct));
        Assert.Equal(DocumentStatus.AutoFiled, row.Status);
        Assert.Equal(["quarantined", "auto_filed"], Strings("SELECT status FROM decisions ORDER BY id;"));
        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_RetriedFileSplitsDifferently_OldQuarantineSupersededNotDuplicated()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("box-3.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 4, 4, DocumentStatus.Quarantined, reason: "image_too_large: page 3"), Ct);
        await RequestRetryAsync(store, batch, source.Sha256);

        // The retry reads page 1 as a cover sheet: the documents now start on pages 2 and 4, not 1.
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 2, 3, 4), Ct);
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct)); // page 4 is not stored yet: not complete
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 4, 4, 4, DocumentStatus.NeedsVerification, reason: "dob differs"), Ct);

        IReadOnlyList<ManifestRow> rows = await store.GetManifestAsync(batch, Ct);
        Assert.Equal([(2, DocumentStatus.AutoFiled), (4, DocumentStatus.NeedsVerification)], rows.Select(r => (r.FirstPage, r.Status)));
        Assert.Equal("superseded", Text($"SELECT status FROM documents WHERE document_id = '{TestData.Outcome(source, 1, 1, 4).Id.Value}';"));
        Assert.Equal(["quarantined", "superseded"], Strings(
            $"SELECT status FROM decisions WHERE document_id = '{TestData.Outcome(source, 1, 1, 4).Id.Value}' ORDER BY id;"));
        BatchReconciliation account = (await store.GetReconciliationAsync(batch, Ct))!;
        Assert.Equal(2, account.Documents);
        Assert.False(account.DocumentsByStatus.ContainsKey(DocumentStatus.Quarantined));
    }

    [Fact]
    public async Task SaveOutcomeAsync_WholeFileQuarantine_AppearsInManifestWithReason()
    {
        await using IDigitiseStore store = await OpenAsync();
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
        Assert.Equal("quarantined", Text("SELECT status FROM source_files;"));
        Assert.Equal("corrupt_pdf: no xref", Text("SELECT quarantine_reason FROM source_files;"));
        Assert.Equal(1, Scalar("SELECT count(*) FROM decisions WHERE status = 'quarantined';"));
        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
    }

    [Fact]
    public async Task SaveOutcomeAsync_QuarantinedDocument_ClosesFileOnlyWhenAllPagesStored()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("mixed.tif");

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 1, 3, DocumentStatus.Quarantined, reason: "blank_page"), Ct);
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        Assert.Equal("blank_page", Text("SELECT quarantine_reason FROM source_files;"));

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 2, 3, 3), Ct);

        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        Assert.Equal("quarantined", Text("SELECT status FROM source_files;"));
        IReadOnlyList<ManifestRow> rows = await store.GetManifestAsync(batch, Ct);
        Assert.Equal([DocumentStatus.Quarantined, DocumentStatus.AutoFiled], rows.Select(r => r.Status));
        Assert.Equal("blank_page", rows[0].Reason);
    }

    [Fact]
    public async Task IsSourceCompleteAsync_DocumentsSavedOutOfOrder_TrueOnlyWhenEveryPageCovered()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("a.tif");
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));

        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 4, 5, 5), Ct);
        Assert.False(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        await store.SaveOutcomeAsync(batch, TestData.Outcome(source, 1, 3, 5), Ct);

        Assert.True(await store.IsSourceCompleteAsync(source.Sha256, Ct));
        Assert.Equal("complete", Text("SELECT status FROM source_files;"));
        Assert.Equal(5, Scalar("SELECT page_count FROM source_files;"));
    }

    [Fact]
    public async Task GetManifestAsync_OrdersByOrdinalPathThenFirstPage()
    {
        await using IDigitiseStore store = await OpenAsync();
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
    public async Task UpsertPatientsAsync_NewThenExisting_CountsInsertsAndUpdates()
    {
        await using IDigitiseStore store = await OpenAsync();

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
        await using IDigitiseStore store = await OpenAsync();

        MpiImportResult result = await store.UpsertPatientsAsync([TestData.Patient(1), TestData.Patient(2) with { PatientId = " " }], Ct);

        Assert.Equal(1, result.Imported);
        Assert.Equal("record 2: patient_id is empty", Assert.Single(result.Errors));
    }

    [Fact]
    public async Task Decisions_UpdateOrDelete_Raise()
    {
        await using (IDigitiseStore store = await OpenAsync())
        {
            long batch = await store.OpenBatchAsync("b", Ct);
            await store.SaveOutcomeAsync(batch, TestData.Outcome(TestData.Source("a.tif"), 1, 1, 1), Ct);
        }

        foreach (string sql in new[] { "UPDATE decisions SET status = 'unmatched';", "DELETE FROM decisions;" })
        {
            string? error = TryExecute(sql);
            Assert.NotNull(error);
            Assert.Contains("append-only", error, StringComparison.Ordinal);
        }

        Assert.Equal(1, Scalar("SELECT count(*) FROM decisions WHERE status = 'auto_filed';"));
    }

    [Fact]
    public async Task SaveOutcomeAsync_RiskFlags_StoredAsWireNames()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        DocumentOutcome outcome = TestData.Outcome(TestData.Source("risky.tif"), 1, 1, 1, DocumentStatus.NeedsVerification, reason: "rival within margin");
        MatchRisk risks = MatchRisk.RivalWithinMargin | MatchRisk.CorrectedNhsNumber;

        await store.SaveOutcomeAsync(batch, outcome with { Decision = outcome.Decision with { Risks = risks } }, Ct);

        Assert.Equal(risks.ToWire(), Text("SELECT risk_flags FROM documents;"));
        Assert.NotEqual(string.Empty, risks.ToWire());
    }

    [Fact]
    public async Task SaveOutcomeAsync_DocumentType_StoredAndInManifestButNotForAQuarantine()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("typed.tif");
        DocumentOutcome filed = TestData.Outcome(source, 1, 1, 2) with
        {
            Type = new DocumentClassification("lab_report", 0.83, DocumentTypeSource.Classifier, "dt-2"),
        };
        DocumentOutcome quarantined = TestData.Outcome(source, 2, 2, 2, DocumentStatus.Quarantined, reason: "unreadable") with
        {
            Type = new DocumentClassification("other", 0.2, DocumentTypeSource.Classifier, "dt-2"),
        };

        await store.SaveOutcomeAsync(batch, filed, Ct);
        await store.SaveOutcomeAsync(batch, quarantined, Ct);

        IReadOnlyList<ManifestRow> rows = await store.GetManifestAsync(batch, Ct);
        Assert.Equal(["lab_report", ""], rows.Select(r => r.DocumentType));
        Assert.Equal("classifier", Text($"SELECT document_type_source FROM documents WHERE document_id = '{filed.Id.Value}';"));
        Assert.Equal("dt-2", Text($"SELECT document_type_model FROM documents WHERE document_id = '{filed.Id.Value}';"));
        Assert.Equal(830, Scalar($"SELECT CAST(ROUND(document_type_confidence * 1000) AS INTEGER) FROM documents WHERE document_id = '{filed.Id.Value}';"));
        Assert.Null(Text($"SELECT document_type FROM documents WHERE document_id = '{quarantined.Id.Value}';"));
        Assert.NotNull(TryExecute($"UPDATE documents SET document_type_source = 'guess' WHERE document_id = '{filed.Id.Value}';"));
    }

    [Fact]
    public async Task SaveOutcomeAsync_IdentifierProvenance_StoredPerIdentifier()
    {
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        DocumentOutcome outcome = TestData.Outcome(TestData.Source("sought.tif"), 1, 1, 1);
        IndexedDocument indexed = outcome.Document!;
        ExtractedIdentifier[] identifiers = [indexed.Identifiers[0] with { Source = EvidenceSource.Index }, indexed.Identifiers[1] with { Source = EvidenceSource.Search, SoughtFor = "P001" }];

        await store.SaveOutcomeAsync(batch, outcome with { Document = indexed with { Identifiers = identifiers } }, Ct);

        Assert.Equal(["index:", "search:P001"], Strings("SELECT source || ':' || COALESCE(sought_for, '') FROM identifiers ORDER BY id;"));
    }

    [Fact]
    public async Task SaveOutcomeAsync_SameFileFromTwoStoresAtOnce_OneDecisionPerDocument()
    {
        // Two workers redoing the same file (a redelivered work item) at the same moment.
        SourceFile source = TestData.Source("ward7/redelivered.tif");
        DocumentOutcome[] outcomes = [TestData.Outcome(source, 1, 2, 3), TestData.Outcome(source, 3, 3, 3, DocumentStatus.NeedsVerification, reason: "dob differs")];
        await using IDigitiseStore first = await OpenAsync();
        await using IDigitiseStore second = await OpenAsync();
        long batch = await first.OpenBatchAsync("b", Ct);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            IDigitiseStore store = i % 2 == 0 ? first : second;
            foreach (DocumentOutcome outcome in i < 2 ? outcomes : outcomes.Reverse())
            {
                await store.SaveOutcomeAsync(batch, outcome, Ct);
            }
        })));

        Assert.Equal(2, Scalar("SELECT count(*) FROM decisions;"));
        Assert.Equal(2, Scalar("SELECT count(*) FROM documents;"));
        Assert.Equal(3, Scalar("SELECT count(*) FROM pages;"));
        Assert.Equal(4, Scalar("SELECT count(*) FROM identifiers;"));
        Assert.Equal(2, (await first.GetManifestAsync(batch, Ct)).Count);
        Assert.True(await second.IsSourceCompleteAsync(source.Sha256, Ct));
    }

    [Fact]
    public async Task DocumentTypes_ClerkChoiceIsALabel_ModelsAreVersionedInOrder()
    {
        // What `digitise model train` and `run` need from every store (the scale-out form learns from clerks as SQLite does).
        await using IDigitiseStore store = await OpenAsync();
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("ward7/scan-001.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        DocumentOutcome outcome = TestData.Outcome(source, 1, 2, 2);
        await store.SaveOutcomeAsync(batch, outcome, Ct);

        IDocumentTypeStore types = OpenDocumentTypeStore();
        try
        {
            Assert.Empty(await types.ReadLabelsAsync(Ct));
            Assert.Null(await types.GetLatestModelAsync(Ct));
            Assert.False(await types.SetClerkTypeAsync("no-such-document", "consent_form", Ct));
            Assert.True(await types.SetClerkTypeAsync(outcome.Id.Value, "consent_form", Ct));

            TypeLabel label = Assert.Single(await types.ReadLabelsAsync(Ct));
            Assert.Equal((outcome.Id.Value, "consent_form"), (label.DocumentId, label.Code));
            Assert.Equal(2, label.PageTexts.Count);
            Assert.All(label.PageTexts, text => Assert.Contains("SMITH", text, StringComparison.Ordinal));

            Assert.Equal("dt-1", await types.SaveModelAsync(version => $$"""{"version":"{{version}}"}""", Start, Ct));
            Assert.Equal("dt-2", await types.SaveModelAsync(version => $$"""{"version":"{{version}}"}""", Start.AddDays(1), Ct));
            Assert.Equal(("dt-2", """{"version":"dt-2"}"""), await types.GetLatestModelAsync(Ct));
        }
        finally
        {
            if (types is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (T item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
