using System.Data;
using System.Data.Common;
using Digitise.Data.Sqlite;

namespace Digitise.Data.Postgres;

/// <summary>The export facts (<see cref="SqlExportFacts"/>) of a PostgreSQL database: the same SQL, a repeatable-read snapshot.</summary>
public sealed class PostgresExportFacts(string connectionString) : SqlExportFacts, IAsyncDisposable
{
    private readonly PostgresDatabase _database = new(connectionString, timeProvider: null);

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _database.OpenAsync(cancellationToken).ConfigureAwait(false);

    protected override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
