using System.Globalization;
using Digitise.Data.Sqlite.Tests;
using Digitise.Storage;
using Digitise.Testing;
using Npgsql;

namespace Digitise.Data.Postgres.Tests;

/// <summary>
/// The store contract (<see cref="DigitiseStoreContractTests"/>) on a real PostgreSQL: a fresh database per test in
/// the throwaway cluster that <c>scripts/with-services</c> starts; plus what only the server store must do (several
/// processes migrating at once).
/// </summary>
public sealed class PostgresDigitiseStoreTests : DigitiseStoreContractTests, IAsyncLifetime
{
    private readonly string _database = "digitise_test_" + Guid.NewGuid().ToString("N")[..16];
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        string server = TestServices.RequirePostgres();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {_database};", connection);
        await create.ExecuteNonQueryAsync();
        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = _database, Pooling = true }.ToString();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestServices.RequirePostgres());
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE);", connection);
        await drop.ExecuteNonQueryAsync();
    }

    protected override async Task<IDigitiseStore> OpenAsync() => await PostgresDigitiseStore.OpenAsync(_connectionString, Clock, Ct);

    protected override IDocumentTypeStore OpenDocumentTypeStore() => new PostgresDocumentTypeStore(_connectionString);

    protected override long Scalar(string sql) => Convert.ToInt64(Query(sql, c => c.ExecuteScalar()), CultureInfo.InvariantCulture);

    protected override string? Text(string sql) => Query(sql, c => c.ExecuteScalar()) as string;

    protected override IReadOnlyList<string> Strings(string sql) => Query(sql, c =>
    {
        using NpgsqlDataReader reader = c.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    });

    protected override string? TryExecute(string sql)
    {
        try
        {
            Query(sql, c => c.ExecuteNonQuery());
            return null;
        }
        catch (PostgresException ex)
        {
            return ex.MessageText;
        }
    }

    /// <summary>What the verification app's retry does (SqliteVerificationStore.RequestRetryAsync): reopen the file and record the request.</summary>
    protected override Task<int> RequestRetryAsync(IDigitiseStore store, long batchId, string sha256)
    {
        string now = "2099-01-01T00:00:00.000Z";
        Query($"""
            UPDATE source_files SET status = 'pending', updated_utc = '{now}' WHERE sha256 = '{sha256}' AND status = 'quarantined';
            INSERT INTO retry_requests (batch_id, sha256, username, at_utc) VALUES ({batchId}, '{sha256}', 'olive', '{Clock.GetUtcNow():yyyy-MM-dd'T'HH:mm:ss.fff'Z'}');
            """, c => c.ExecuteNonQuery());
        return Task.FromResult(1);
    }

    [Fact]
    public async Task MigrateAsync_SixProcessesAtOnce_AppliesEachStepOnce()
    {
        IDigitiseStore[] stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(OpenAsync)));
        foreach (IDigitiseStore store in stores)
        {
            await store.DisposeAsync();
        }

        Assert.Equal(PostgresDigitiseStore.LatestSchemaVersion, Scalar("SELECT count(*) FROM schema_version;"));
        await using var reopened = (PostgresDigitiseStore)await OpenAsync();
        Assert.Equal(PostgresDigitiseStore.LatestSchemaVersion, await reopened.GetSchemaVersionAsync(Ct));
        Assert.Equal(0, await reopened.MigrateAsync(PostgresMigrations.All, Ct));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseNewerThanBuild_Throws()
    {
        await using (var store = (PostgresDigitiseStore)await OpenAsync())
        {
            PostgresMigration[] next = [.. PostgresMigrations.All, new(PostgresMigrations.LatestVersion + 1, "future", "CREATE TABLE future (id integer);")];
            Assert.Equal(1, await store.MigrateAsync(next, Ct));
        }

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(OpenAsync);
        Assert.Contains("newer than this build", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NoServer_NamesTheSetting()
    {
        var dead = new NpgsqlConnectionStringBuilder(_connectionString) { Port = 9, Timeout = 2 }.ToString();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresDigitiseStore.OpenAsync(dead, null, Ct));
        Assert.Contains("--db", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Host=db;Database=digitise", true)]
    [InlineData("server=db.internal;database=digitise;username=app", true)]
    [InlineData("/var/lib/digitise/digitise.db", false)]
    [InlineData("out/digitise.db", false)]
    public void IsConnectionString_TellsPostgresFromSqliteFile(string value, bool expected) =>
        Assert.Equal(expected, PostgresDigitiseStore.IsConnectionString(value));

    private T Query<T>(string sql, Func<NpgsqlCommand, T> run)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return run(command);
    }
}
