using System.Text.Json;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite.Tests;

/// <summary>The store contract on SQLite (<see cref="DigitiseStoreContractTests"/>), plus what only the SQLite file does (WAL, its migrations).</summary>
public sealed class SqliteDigitiseStoreTests : DigitiseStoreContractTests, IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override async Task<IDigitiseStore> OpenAsync() => await OpenSqliteAsync();

    protected override long Scalar(string sql) => _db.Scalar(sql);

    protected override string? Text(string sql) => _db.Text(sql);

    protected override IReadOnlyList<string> Strings(string sql)
    {
        using SqliteConnection connection = _db.OpenRaw();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    protected override string? TryExecute(string sql)
    {
        using SqliteConnection connection = _db.OpenRaw();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            command.ExecuteNonQuery();
            return null;
        }
        catch (SqliteException ex)
        {
            return ex.Message;
        }
    }

    protected override IDocumentTypeStore OpenDocumentTypeStore() => new SqliteDocumentTypeStore(_db.DatabasePath);

    protected override Task<int> RequestRetryAsync(IDigitiseStore store, long batchId, string sha256) =>
        new SqliteVerificationStore(((SqliteDigitiseStore)store).DatabasePath).RequestRetryAsync(batchId, sha256, "olive", Ct);

    private Task<SqliteDigitiseStore> OpenSqliteAsync() => SqliteDigitiseStore.OpenAsync(_db.DatabasePath, Clock, Ct);

    [Fact]
    public async Task OpenAsync_NewPath_CreatesFolderInWalModeAtLatestVersion()
    {
        await using SqliteDigitiseStore store = await OpenSqliteAsync();

        Assert.True(File.Exists(_db.DatabasePath));
        Assert.Equal("wal", _db.Text("PRAGMA journal_mode;"));
        Assert.Equal(SqliteDigitiseStore.LatestSchemaVersion, await store.GetSchemaVersionAsync(Ct));
        Assert.Equal(SqliteDigitiseStore.LatestSchemaVersion, _db.Scalar("PRAGMA user_version;"));
    }

    [Fact]
    public async Task MigrateAsync_Twice_IsNoOp()
    {
        await using (SqliteDigitiseStore store = await OpenSqliteAsync())
        {
            string? schema = _db.Text("SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master ORDER BY name);");
            await store.MigrateAsync(Ct);
            Assert.Equal(0, await store.MigrateAsync(SqliteMigrations.All, Ct));
            Assert.Equal(schema, _db.Text("SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master ORDER BY name);"));
        }

        await using (SqliteDigitiseStore reopened = await OpenSqliteAsync())
        {
            await reopened.MigrateAsync(Ct);
        }

        Assert.Equal(SqliteMigrations.All.Count, _db.Scalar("SELECT count(*) FROM schema_version;"));
    }

    [Fact]
    public async Task MigrateAsync_NewStep_AppliesOnlyThatStep()
    {
        await using SqliteDigitiseStore store = await OpenSqliteAsync();
        SqliteMigration[] next = [.. SqliteMigrations.All, new(SqliteMigrations.LatestVersion + 1, "next step", "CREATE TABLE next_step (id INTEGER PRIMARY KEY);")];

        Assert.Equal(1, await store.MigrateAsync(next, Ct));
        Assert.Equal(0, await store.MigrateAsync(next, Ct));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM next_step;"));
        Assert.Equal(SqliteMigrations.LatestVersion + 1, _db.Scalar("PRAGMA user_version;"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseNewerThanBuild_Throws()
    {
        await using (SqliteDigitiseStore store = await OpenSqliteAsync())
        {
            SqliteMigration[] next = [.. SqliteMigrations.All, new(SqliteMigrations.LatestVersion + 1, "future", "CREATE TABLE future (id INTEGER);")];
            await store.MigrateAsync(next, Ct);
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(OpenSqliteAsync);
        Assert.Contains("newer than this build", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertPatientsAsync_100kPatients_InsertsUpdatesAndStreamsBack()
    {
        // How fast is a benchmark figure (scripts/bench-mpi: CSV read + SQLite import of 1,000,000 patients), not a test.
        const int Count = 100_000;
        await using SqliteDigitiseStore store = await OpenSqliteAsync();

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
        await using SqliteDigitiseStore writer = await OpenSqliteAsync();
        await writer.UpsertPatientsAsync(Enumerable.Range(1, 10).Select(n => TestData.Patient(n)), Ct);
        await using SqliteDigitiseStore reader = new(_db.DatabasePath, Clock);

        await using IAsyncEnumerator<Patient> enumerator = reader.ReadPatientsAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await enumerator.MoveNextAsync());

        // The reader holds a WAL snapshot open; the writer is not blocked by it.
        MpiImportResult result = await writer.UpsertPatientsAsync([TestData.Patient(11)], Ct);
        Assert.Equal(1, result.Imported);
    }
}
