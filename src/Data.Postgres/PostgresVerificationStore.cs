using System.Data;
using System.Data.Common;
using Digitise.Data.Sqlite;
using Npgsql;

namespace Digitise.Data.Postgres;

/// <summary>
/// The verification app's store (<see cref="SqlVerificationStore"/>: accounts, sessions, the clerk queue with leases,
/// decisions, the audit chain, the data-protection key ring) on PostgreSQL, so several web instances share one queue,
/// one set of sessions and one key ring.
/// </summary>
/// <remarks>
/// SQLite serialises every write in the file; here each write transaction first takes one transaction-scoped advisory
/// lock, so the store's writes are serialised across every process on the database the same way: a lease is read and
/// taken atomically (two instances never hand out the same document) and audit rows chain in id order. Reads take no
/// lock; the dashboard reads one snapshot (repeatable read).
/// </remarks>
public sealed class PostgresVerificationStore : SqlVerificationStore, IAsyncDisposable
{
    /// <summary>The advisory lock every verification write takes ("verify" in ASCII); migrations use another key.</summary>
    private const long WriteLock = 0x766572696679;

    private readonly PostgresDatabase _database;

    /// <summary>Opens the store on a database already migrated by <see cref="PostgresDigitiseStore.MigrateAsync(CancellationToken)"/>.</summary>
    public PostgresVerificationStore(string connectionString, TimeProvider? timeProvider = null)
        : base(timeProvider)
    {
        _database = new PostgresDatabase(connectionString, timeProvider);
    }

    /// <summary>Host, port and database (never the password).</summary>
    public string Description => _database.Description;

    // The first three hex digits of the id read as one 12-bit number.
    protected override string QaBucketSql => "(('x' || substr(d.document_id, 1, 3))::bit(12)::integer)";

    protected override string MeanAgeHoursSql =>
        "avg(extract(epoch FROM (CAST(@now AS timestamptz) - CAST(decided_at AS timestamptz)))) / 3600.0";

    // From the identity's own sequence, so a row inserted without an id (by hand, around the store) does not collide with the
    // store's; verification then names that row as unsealed.
    protected override string NextAuditIdSql => "nextval(pg_get_serial_sequence('audit', 'id'))";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _database.OpenAsync(cancellationToken).ConfigureAwait(false);

    protected override DbConnection Open() => _database.Open();

    protected override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    protected override Task<T> WriteTransactionAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        _database.WriteAsync(
            async (connection, transaction, ct) =>
            {
                await using (NpgsqlCommand serialise = PostgresDatabase.Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key);"))
                {
                    serialise.Parameters.AddWithValue("key", WriteLock);
                    await serialise.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                return await work(connection, transaction, ct).ConfigureAwait(false);
            },
            cancellationToken);

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
