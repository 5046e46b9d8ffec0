using System.Runtime.CompilerServices;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;
using Npgsql;

namespace Digitise.Data.Postgres;

/// <summary>
/// Matching models on PostgreSQL (table <c>match_models</c>): the newest one is what workers match with; <c>digitise
/// model train</c> learns the next from the documents and clerks' decisions stored here, as on SQLite.
/// </summary>
public sealed class PostgresModelStore(string connectionString) : IModelStore, IAsyncDisposable
{
    private readonly PostgresDatabase _database = new(connectionString, timeProvider: null);

    public async Task<StoredModel?> GetLatestAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT version, sequence, created_utc, model_json FROM match_models ORDER BY sequence DESC LIMIT 1;", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredModel(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    public async Task<int> NextSequenceAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(sequence), 0) + 1 FROM match_models;", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task SaveAsync(string version, int sequence, DateTimeOffset createdUtc, string json, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("INSERT INTO match_models (version, sequence, created_utc, model_json) VALUES ($1, $2, $3, $4);", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = sequence });
        command.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Instant(createdUtc) });
        command.Parameters.Add(new NpgsqlParameter { Value = json });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every stored document's identifiers, with the latest clerk label (the SQL shared with SQLite).</summary>
    public async IAsyncEnumerable<LabelledIdentifiers> ReadTrainingDocumentsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await foreach (LabelledIdentifiers document in SqliteModelStore.ReadTrainingDocumentsAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            yield return document;
        }
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
