using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Digitise.Data.Postgres;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;
using Digitise.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Digitise.Verify.Ui.Tests;

/// <summary>The database a <see cref="TestCorpus"/> lives in: a SQLite file, or a fresh database in the throwaway PostgreSQL.</summary>
internal enum TestDatabase
{
    Sqlite = 0,
    Postgres,
}

/// <summary>A temporary database seeded through the real store with realistic flagged, unmatched and auto-filed documents.</summary>
internal sealed class TestCorpus : IAsyncDisposable
{
    public const string Model = "rules-test";
    public const string Password = "correct-horse-battery";

    private readonly string? _postgresName;

    private TestCorpus(string folder, string? postgresName)
    {
        Folder = folder;
        _postgresName = postgresName;
        DatabasePath = postgresName is null
            ? Path.Combine(folder, "digitise.db")
            : new NpgsqlConnectionStringBuilder(TestServices.RequirePostgres()) { Database = postgresName }.ToString();
    }

    public string Folder { get; }

    /// <summary>The <c>--db</c> value: the SQLite file's path, or the PostgreSQL connection string.</summary>
    public string DatabasePath { get; }

    public bool IsPostgres => _postgresName is not null;

    /// <summary>The verification store over this database, as one web instance would open it.</summary>
    public SqlVerificationStore OpenStore(TimeProvider? time = null) =>
        IsPostgres ? new PostgresVerificationStore(DatabasePath, time) : new SqliteVerificationStore(DatabasePath, time);

    public static readonly Patient[] Patients =
    [
        new("P000001", "9434765919", "RXH1234567", "MACKENZIE", "EDITH", new DateOnly(1940, 6, 13), "F", "LS6 2QJ", null),
        new("P000002", "4010232137", "RXH7654321", "MCKENZIE", "EDITH", new DateOnly(1940, 6, 13), "F", "LS6 3AB", null),
        new("P000003", "9876543210", "K123456", "O'NEILL", "PATRICK", new DateOnly(1952, 3, 2), "M", "BD7 1DP", null),
        new("P000004", "3262723444", "M0012345", "WILLIAMS", "MARGARET", new DateOnly(1948, 7, 2), "F", "HX1 2RS", null),
        new("P000005", null, "RXH5550001", "SMITH", "JOHN", new DateOnly(1961, 11, 30), "M", "WF1 1AA", null),
    ];

    /// <summary>Creates a corpus: <paramref name="flagged"/> needs_verification documents, 2 unmatched, <paramref name="autoFiled"/> auto-filed.</summary>
    public static async Task<TestCorpus> CreateAsync(
        int flagged = 6, int autoFiled = 20, bool highRiskFirst = false, TimeProvider? time = null, TestDatabase database = TestDatabase.Sqlite)
    {
        string folder = Path.Combine(Path.GetTempPath(), "digitise-verify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string? postgresName = null;
        if (database == TestDatabase.Postgres)
        {
            postgresName = "digitise_verify_" + Guid.NewGuid().ToString("N")[..16];
            await using var server = new NpgsqlConnection(TestServices.RequirePostgres());
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {postgresName};", server);
            await create.ExecuteNonQueryAsync();
        }

        var corpus = new TestCorpus(folder, postgresName);
        await using IDigitiseStore store = postgresName is null
            ? await SqliteDigitiseStore.OpenAsync(corpus.DatabasePath, time ?? TimeProvider.System, CancellationToken.None)
            : await PostgresDigitiseStore.OpenAsync(corpus.DatabasePath, time ?? TimeProvider.System, CancellationToken.None);
        await store.UpsertPatientsAsync(Patients, CancellationToken.None);
        long batch = await store.OpenBatchAsync("test-batch", CancellationToken.None);
        for (int i = 0; i < flagged; i++)
        {
            bool risky = highRiskFirst && i == 0;
            await store.SaveOutcomeAsync(batch, Outcome($"flagged-{i}", Patients[i % 4], DocumentStatus.NeedsVerification,
                risky ? "rival within margin" : "no corroborating demographic", rival: i % 4 == 0 ? Patients[1] : null,
                risks: risky ? MatchRisk.RivalWithinMargin : MatchRisk.None), CancellationToken.None);
        }

        for (int i = 0; i < 2; i++)
        {
            await store.SaveOutcomeAsync(batch, Outcome($"unmatched-{i}", null, DocumentStatus.Unmatched, "nhs_number not on index"), CancellationToken.None);
        }

        for (int i = 0; i < autoFiled; i++)
        {
            await store.SaveOutcomeAsync(batch, Outcome($"auto-{i}", Patients[i % 5], DocumentStatus.AutoFiled, "nhs_number+date_of_birth+family_name agree"),
                CancellationToken.None);
        }

        await store.CompleteBatchAsync(batch, "complete", CancellationToken.None);
        return corpus;
    }

    public async Task AddUserAsync(string name, string role)
    {
        // PBKDF2 is slow by design: hash the shared test password once (the hash does not depend on the user name).
        string hash = await PasswordHash.Value;
        await OpenStore().SaveUserAsync(name, hash, role, "test", CancellationToken.None);
    }

    private static readonly Lazy<Task<string>> PasswordHash = new(() => Task.Run(() =>
        new Microsoft.AspNetCore.Identity.PasswordHasher<string>().HashPassword("test", Password)));

    /// <summary>Runs SQL on the database directly, around the store (as someone with the file or a database login could).</summary>
    public void Execute(string sql)
    {
        using DbConnection connection = OpenRaw();
        using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public DbConnection OpenRaw()
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(DatabasePath) { Pooling = false }.ToString())
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using DbConnection connection = OpenRaw();
        using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The first column of every row, as text.</summary>
    public List<string> Strings(string sql)
    {
        using DbConnection connection = OpenRaw();
        using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using DbDataReader reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public string? Text(string sql)
    {
        using DbConnection connection = OpenRaw();
        using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = new NpgsqlConnection(TestServices.RequirePostgres());
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE);", server);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A one-page clinic letter with a Re: line, the words and boxes a scan would give, and the matcher's verdict.</summary>
    public static DocumentOutcome Outcome(string seed, Patient? patient, DocumentStatus status, string reason, Patient? rival = null, MatchRisk risks = MatchRisk.None)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));
        var source = new SourceFile("/scans/" + seed + ".tif", seed + ".tif", sha, 1000);
        Patient shown = patient ?? new Patient("X", "4505577104", null, "BLOGGS", "JOE", new DateOnly(1970, 1, 1), "M", "ZZ99 3VZ", null);
        var words = new List<Word>();
        var identifiers = new List<ExtractedIdentifier>();
        int line = 0;
        void Line(int y, params (string Text, float Conf, IdentifierKind? Kind, string? Value)[] items)
        {
            int x = 180;
            foreach ((string text, float conf, IdentifierKind? kind, string? value) in items)
            {
                var box = new PixelBox(x, y, Math.Max(30, text.Length * 30), 44);
                words.Add(new Word(text, box, conf, line));
                if (kind is { } k)
                {
                    identifiers.Add(new ExtractedIdentifier(k, value ?? text, text, true, conf / 100.0, 1, [box]));
                }

                x += box.Width + 24;
            }

            line++;
        }

        Line(160, ("Calder", 96, null, null), ("Royal", 96, null, null), ("Infirmary", 95, null, null));
        Line(230, ("Department", 94, null, null), ("of", 96, null, null), ("Cardiology", 93, null, null));
        Line(420, ("Re:", 95, null, null), (shown.GivenName[..1] + shown.GivenName[1..].ToLowerInvariant(), 91, IdentifierKind.GivenName, shown.GivenName),
            (shown.FamilyName, 92, IdentifierKind.FamilyName, shown.FamilyName));
        string dob = shown.DateOfBirth!.Value.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        Line(490, ("DOB:", 95, null, null), (dob, 88, IdentifierKind.DateOfBirth, shown.DateOfBirth.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        string nhs = shown.NhsNumber ?? "4505577104";

        // The OCR read one digit as a letter at low confidence: the screen must mark it.
        string read = nhs[..3] + " " + nhs[3..6] + " " + nhs[6..8] + (nhs[8] == '1' ? "l" : nhs[8].ToString()) + nhs[9..];
        Line(560, ("NHS", 95, null, null), ("No:", 94, null, null), (read, 61, IdentifierKind.NhsNumber, nhs));
        Line(700, ("Dear", 96, null, null), ("Dr", 96, null, null), ("Patel,", 95, null, null));
        Line(770, ("Thank", 96, null, null), ("you", 96, null, null), ("for", 96, null, null), ("referring", 95, null, null), ("this", 96, null, null), ("patient.", 95, null, null));
        Line(840, ("Echocardiogram", 90, null, null), ("showed", 94, null, null), ("mild", 95, null, null), ("mitral", 93, null, null), ("regurgitation.", 92, null, null));

        var page = new PageText(source, 1, 1, string.Join(' ', words.Select(w => w.Text)), words, 91.5f, 1654, 2339, 200, TextOrigin.Ocr, TimeSpan.FromMilliseconds(900));
        var document = new Document(DocumentId.For(sha, 1), source, 1, 1, [page]);
        var candidates = new List<MatchCandidate>();
        if (patient is not null)
        {
            candidates.Add(new MatchCandidate(patient.PatientId, 0.97,
            [
                new("nhs_number", status == DocumentStatus.AutoFiled ? "exact" : "absent", status == DocumentStatus.AutoFiled ? 14 : 0),
                new("date_of_birth", "exact", 7), new("family_name", "exact", 6), new("given_name", "exact", 4), new("postcode", "absent", 0),
            ]));
            if (rival is not null)
            {
                candidates.Add(new MatchCandidate(rival.PatientId, 0.81,
                    [new("nhs_number", "absent", 0), new("date_of_birth", "exact", 7), new("family_name", "close", 3), new("given_name", "exact", 4), new("postcode", "different", -2)]));
            }
        }

        return new DocumentOutcome(source, document.Id, 1, 1, new IndexedDocument(document, identifiers), new MatchDecision(status, candidates, reason, Model, risks));
    }
}
