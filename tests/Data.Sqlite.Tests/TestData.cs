using System.Globalization;
using Digitise.Domain;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite.Tests;

/// <summary>A temporary folder holding one database file, deleted afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "digitise-sqlite-tests", Guid.NewGuid().ToString("N"));
        DatabasePath = Path.Combine(Folder, "nested", "digitise.db");
    }

    public string Folder { get; }

    /// <summary>The database path; its parent folder does not exist yet.</summary>
    public string DatabasePath { get; }

    /// <summary>A raw, unpooled connection for assertions that go around the store.</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using SqliteConnection connection = OpenRaw();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public string? Text(string sql)
    {
        using SqliteConnection connection = OpenRaw();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    public IReadOnlyDictionary<string, long> RowCounts()
    {
        string[] tables = ["schema_version", "batches", "source_files", "batch_sources", "pages", "documents", "identifiers", "candidates", "decisions", "patients"];
        return tables.ToDictionary(t => t, t => Scalar($"SELECT count(*) FROM {t};"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Hand-built pipeline records.</summary>
internal static class TestData
{
    public const string Model = "test-matcher-1";

    public static SourceFile Source(string displayPath, char hashDigit = 'a') =>
        new($"/input/{displayPath}", displayPath, new string(hashDigit, 64), 12_345);

    public static PageText Page(SourceFile source, int pageNumber, int pageCount, float confidence) =>
        new(
            source,
            pageNumber,
            pageCount,
            "NHS No 943 476 5919\nSMITH John",
            [
                new Word("NHS", new PixelBox(10, 20, 30, 12), confidence, 0),
                new Word("Zoë", new PixelBox(50, 20, 40, 12), confidence, 0),
                new Word("SMITH", new PixelBox(10, 40, 60, 12), confidence, 1),
            ],
            confidence,
            2480,
            3508,
            300,
            TextOrigin.Ocr,
            TimeSpan.FromMilliseconds(1234.4));

    /// <summary>A filed document of pages <paramref name="first"/>..<paramref name="last"/> out of <paramref name="pageCount"/>.</summary>
    public static DocumentOutcome Outcome(
        SourceFile source,
        int first,
        int last,
        int pageCount,
        DocumentStatus status = DocumentStatus.AutoFiled,
        float confidence = 90f,
        string reason = "nhs_number exact")
    {
        var id = DocumentId.For(source.Sha256, first);
        var pages = Enumerable.Range(first, last - first + 1).Select(p => Page(source, p, pageCount, confidence)).ToList();
        var document = new Document(id, source, first, last, pages);
        ExtractedIdentifier[] identifiers =
        [
            new(IdentifierKind.NhsNumber, "9434765919", "943 476 5919", true, 0.95, first, [new PixelBox(10, 20, 30, 12)]),
            new(IdentifierKind.FamilyName, "SMITH", "SMITH", true, 0.9, first, [new PixelBox(10, 40, 60, 12)]),
        ];
        MatchCandidate[] candidates = status == DocumentStatus.Quarantined
            ? []
            :
            [
                new("P001", 0.97, [new FieldComparison("nhs_number", "exact", 0.8), new FieldComparison("family_name", "exact", 0.17)]),
                new("P002", 0.41, [new FieldComparison("family_name", "exact", 0.41)]),
            ];
        return new DocumentOutcome(
            source,
            id,
            first,
            last,
            new IndexedDocument(document, identifiers),
            new MatchDecision(status, candidates, reason, Model, MatchRisk.None));
    }

    /// <summary>A source file quarantined before any page was read.</summary>
    public static DocumentOutcome WholeFileQuarantine(SourceFile source, string reason) =>
        new(source, DocumentId.For(source.Sha256, 0), 0, 0, null, new MatchDecision(DocumentStatus.Quarantined, [], reason, Model, MatchRisk.None));

    public static Patient Patient(int n, string family = "SMITH") =>
        new(
            string.Create(CultureInfo.InvariantCulture, $"P{n:D6}"),
            string.Create(CultureInfo.InvariantCulture, $"{9_000_000_000L + n}"),
            n % 3 == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"H{n}"),
            family,
            "JOHN",
            n % 5 == 0 ? null : new DateOnly(1950, 1, 1).AddDays(n % 20_000),
            n % 2 == 0 ? "M" : "F",
            "LS1 4AP",
            n % 7 == 0 ? null : "1 Park Row, Leeds");
}
