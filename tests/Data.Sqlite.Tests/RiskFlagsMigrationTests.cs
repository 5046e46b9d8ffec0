using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite.Tests;

/// <summary>
/// Step 7 adds <c>documents.risk_flags</c> and derives flags for documents decided before it, from what was stored with
/// them, so nothing already waiting for a clerk loses its second confirmation when the database is upgraded.
/// </summary>
public sealed class RiskFlagsMigrationTests : IDisposable
{
    private const int RiskFlagsVersion = 7;

    private readonly TempDatabase _db = new();

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Migrate_DocumentsQueuedAtPreviousVersion_GetFlagsFromTheirStoredEvidence()
    {
        await using (var store = new SqliteDigitiseStore(_db.DatabasePath))
        {
            await store.MigrateAsync([.. SqliteMigrations.All.Where(m => m.Version < RiskFlagsVersion)], Ct);
        }

        Assert.Equal(RiskFlagsVersion - 1, _db.Scalar("SELECT max(version) FROM schema_version;"));
        const string Fields = """[{"f":"nhs_number","l":"{nhs}","w":1},{"f":"date_of_birth","l":"{dob}","w":1},{"f":"total","l":"match_weight","w":{total}}]""";
        Seed($"""
            INSERT INTO patients (patient_id, nhs_number, family_name, given_name, date_of_birth) VALUES
                ('P1', '9434765919', 'SMITH', 'JOHN', '1948-07-02'), ('P2', '4010232137', 'Smith', 'JAMES', '1948-07-02'),
                ('P3', NULL, 'BROWN', 'MARY', '1990-11-15');
            INSERT INTO source_files (sha256, length, status, created_utc, updated_utc) VALUES ('s', 1, 'complete', 'now', 'now');
            INSERT INTO documents (document_id, sha256, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at) VALUES
                ('live-rival', 's', 1, 1, 'needs_verification', 'P3', 0.5, 'probability below auto threshold; rival within margin', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('old-rival', 's', 2, 2, 'needs_verification', 'P3', 0.5, 'rival candidate within margin', 'rules-1', '2025-03-14T09:00:00.000Z'),
                ('weights-rival', 's', 3, 3, 'needs_verification', 'P3', 0.5, 'no strong identifier', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('two-named', 's', 4, 4, 'needs_verification', 'P3', 0.5, 'two patients named', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('raw-corrected', 's', 5, 5, 'needs_verification', 'P3', 0.5, 'no corroborating demographic', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('level-corrected', 's', 6, 6, 'needs_verification', 'P3', 0.5, 'probability below auto threshold', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('contradicted', 's', 7, 7, 'needs_verification', 'P3', 0.5, 'nhs_number contradicts; date_of_birth contradicts', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('twins', 's', 8, 8, 'auto_filed', 'P1', 0.99, 'nhs_number+date_of_birth agree', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('pointing', 's', 9, 9, 'needs_verification', 'P3', 0.5, 'identifiers point at different patients', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('not-on-index', 's', 10, 10, 'needs_verification', 'P3', 0.5, 'nhs_number not on index', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('clean', 's', 11, 11, 'needs_verification', 'P3', 0.5, 'no strong identifier', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('unmatched', 's', 12, 12, 'unmatched', NULL, NULL, 'no candidate on index', 'fs-0', '2025-03-14T09:00:00.000Z'),
                ('quarantined', 's', 13, 13, 'quarantined', NULL, NULL, 'corrupt_tiff: corrected nothing', 'ingest', '2025-03-14T09:00:00.000Z');
            INSERT INTO candidates (document_id, rank, patient_id, score, fields_json) VALUES
                ('weights-rival', 1, 'P3', 0.6, '{Fields.Replace("{nhs}", "absent").Replace("{dob}", "exact").Replace("{total}", "12.0")}'),
                ('weights-rival', 2, 'P1', 0.3, '{Fields.Replace("{nhs}", "absent").Replace("{dob}", "different").Replace("{total}", "9.5")}'),
                ('level-corrected', 1, 'P3', 0.6, '{Fields.Replace("{nhs}", "corrected").Replace("{dob}", "exact").Replace("{total}", "12.0")}'),
                ('twins', 1, 'P1', 0.99, '{Fields.Replace("{nhs}", "exact").Replace("{dob}", "exact").Replace("{total}", "30.0")}'),
                ('twins', 2, 'P2', 0.01, '{Fields.Replace("{nhs}", "different").Replace("{dob}", "exact").Replace("{total}", "-4.0")}'),
                ('clean', 1, 'P3', 0.6, '{Fields.Replace("{nhs}", "absent").Replace("{dob}", "exact").Replace("{total}", "12.0")}'),
                ('clean', 2, 'P1', 0.1, '{Fields.Replace("{nhs}", "absent").Replace("{dob}", "different").Replace("{total}", "1.0")}');
            INSERT INTO identifiers (document_id, kind, value, raw, valid, confidence, page, boxes_json) VALUES
                ('raw-corrected', 'nhs_number', '9434765919', '943 476 59l9', 1, 0.9, 5, '[]'),
                ('clean', 'nhs_number', '9434765919', '943-476 5919', 1, 0.9, 11, '[]'),
                ('clean', 'hospital_number', 'RXH1234567', 'RXH 1234567', 1, 0.9, 11, '[]');
            """);

        await using (var store = new SqliteDigitiseStore(_db.DatabasePath))
        {
            Assert.Equal(1, await store.MigrateAsync(SqliteMigrations.All.Where(m => m.Version <= RiskFlagsVersion).ToList(), Ct));
        }

        Assert.Equal(MatchRisk.RivalWithinMargin, Flags("live-rival"));
        Assert.Equal(MatchRisk.RivalWithinMargin, Flags("old-rival"));
        Assert.Equal(MatchRisk.RivalWithinMargin, Flags("weights-rival"));
        Assert.Equal(MatchRisk.SeveralPatientsNamed, Flags("two-named"));
        Assert.Equal(MatchRisk.CorrectedNhsNumber, Flags("raw-corrected"));
        Assert.Equal(MatchRisk.CorrectedNhsNumber, Flags("level-corrected"));
        Assert.Equal(MatchRisk.StrongIdentifierContradicted | MatchRisk.DemographicContradicted, Flags("contradicted"));
        Assert.Equal(MatchRisk.SameNameAndDateOfBirth, Flags("twins"));
        Assert.Equal(MatchRisk.IdentifiersPointAtDifferentPatients, Flags("pointing"));
        Assert.Equal(MatchRisk.StrongIdentifierContradicted, Flags("not-on-index"));
        Assert.Equal(MatchRisk.None, Flags("clean"));
        Assert.Equal(MatchRisk.None, Flags("unmatched"));
        Assert.Equal(MatchRisk.None, Flags("quarantined"));

        // The verification store hands the derived flags to the second-confirmation rule.
        VerificationDocument? waiting = await new SqliteVerificationStore(_db.DatabasePath).GetDocumentAsync("live-rival", Ct);
        Assert.Equal(MatchRisk.RivalWithinMargin, waiting?.Risks);
    }

    [Fact]
    public async Task SaveOutcome_Risks_RoundTripThroughTheColumn()
    {
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(_db.DatabasePath, Ct);
        long batch = await store.OpenBatchAsync("b", Ct);
        SourceFile source = TestData.Source("a.tif");
        await store.RecordSourceAsync(batch, source, Ct);
        DocumentOutcome outcome = TestData.Outcome(source, 1, 1, 1, DocumentStatus.NeedsVerification);
        MatchRisk risks = MatchRisk.CorrectedNhsNumber | MatchRisk.SameNameAndDateOfBirth;
        await store.SaveOutcomeAsync(batch, outcome with { Decision = outcome.Decision with { Risks = risks } }, Ct);

        Assert.Equal("corrected_nhs_number,same_name_and_date_of_birth", _db.Text("SELECT risk_flags FROM documents;"));
        Assert.Equal(risks, (await new SqliteVerificationStore(_db.DatabasePath).GetDocumentAsync(outcome.Id.ToString(), Ct))?.Risks);
    }

    [Fact]
    public void Parse_UnknownName_IsStillARisk()
    {
        Assert.Equal(MatchRisk.RivalWithinMargin | MatchRisk.Unrecognised, MatchRisks.Parse("rival_within_margin,written_by_a_newer_build"));
        Assert.Equal(MatchRisk.None, MatchRisks.Parse(""));
    }

    private MatchRisk Flags(string documentId) =>
        MatchRisks.Parse(_db.Text($"SELECT risk_flags FROM documents WHERE document_id = '{documentId}';"));

    private void Seed(string sql)
    {
        using SqliteConnection connection = _db.OpenRaw();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
