using Digitise.Data.Sqlite;
using Npgsql;

namespace Digitise.Data.Postgres;

/// <summary>
/// One PostgreSQL database as the stores use it: a pooled <see cref="NpgsqlDataSource"/>, each write in one
/// transaction, and timestamps from a <see cref="TimeProvider"/> stored as ISO-8601 UTC text (the same values as the
/// SQLite provider writes, compared with the "C" collation so text order is time order).
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    public PostgresDatabase(string connectionString, TimeProvider? timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"--db is not a valid PostgreSQL connection string ({ex.Message}); expected e.g. 'Host=db;Database=digitise;Username=digitise'.", ex);
        }

        builder.ApplicationName ??= "digitise";
        Description = $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
        _dataSource = NpgsqlDataSource.Create(builder);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Host, port and database, never the password.</summary>
    public string Description { get; }

    public DateTimeOffset UtcNow => _timeProvider.GetUtcNow();

    public string Now() => SqliteColumns.Instant(UtcNow);

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            throw new InvalidOperationException($"Cannot connect to the {Description}: {ex.Message} (check --db / Storage:Database).", ex);
        }
    }

    /// <summary>An open connection, for synchronous callers (the data-protection key ring).</summary>
    public NpgsqlConnection Open()
    {
        try
        {
            return _dataSource.OpenConnection();
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            throw new InvalidOperationException($"Cannot connect to the {Description}: {ex.Message} (check --db / Storage:Database).", ex);
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns.</summary>
    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        T result = await work(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    /// <summary>The first column of every row <paramref name="command"/> returns, as text.</summary>
    public static async Task<List<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
