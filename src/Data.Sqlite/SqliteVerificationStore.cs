using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>
/// The verification app's store (<see cref="SqlVerificationStore"/>) on the same SQLite file the pipeline writes (schema
/// version 2 and later). Every write runs in one <c>BEGIN IMMEDIATE</c> transaction, so taking a lease is atomic across
/// threads and processes.
/// </summary>
public sealed class SqliteVerificationStore : SqlVerificationStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Opens the store on a database already migrated by <see cref="SqliteDigitiseStore.MigrateAsync"/>.</summary>
    public SqliteVerificationStore(string path, TimeProvider? timeProvider = null)
        : base(timeProvider)
    {
        _database = new SqliteDatabase(path, create: false, timeProvider);
    }

    protected override string QaBucketSql =>
        "((instr('0123456789abcdef', substr(d.document_id, 1, 1)) - 1) * 256 + " +
        "(instr('0123456789abcdef', substr(d.document_id, 2, 1)) - 1) * 16 + " +
        "(instr('0123456789abcdef', substr(d.document_id, 3, 1)) - 1))";

    protected override string MeanAgeHoursSql => "avg(julianday(@now) - julianday(decided_at)) * 24.0";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _database.OpenAsync(cancellationToken).ConfigureAwait(false);

    protected override DbConnection Open() => _database.Open();

    protected override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    protected override Task<T> WriteTransactionAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        _database.WriteAsync((connection, transaction, ct) => work(connection, transaction, ct), cancellationToken);
}
