using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;
using Npgsql;

namespace Digitise.Data.Postgres;

/// <summary>
/// Documents' types on PostgreSQL (the <c>document_type*</c> columns of step 5): what the clerk screen shows and sets, the
/// dashboard counts, and the type models <c>digitise model train</c> learns from clerks' choices (<c>document_type_models</c>).
/// </summary>
public sealed class PostgresDocumentTypeStore(string connectionString) : IDocumentTypeStore, IAsyncDisposable
{
    private readonly PostgresDatabase _database = new(connectionString, timeProvider: null);

    public async Task<DocumentClassification?> GetTypeAsync(string documentId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT document_type, COALESCE(document_type_confidence, 0), COALESCE(document_type_source, 'classifier'), COALESCE(document_type_model, '')
            FROM documents WHERE document_id = $1 AND document_type IS NOT NULL;
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = documentId });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new DocumentClassification(reader.GetString(0), reader.GetDouble(1), DocumentClassification.ParseSource(reader.GetString(2)), reader.GetString(3))
            : null;
    }

    public async Task<bool> SetClerkTypeAsync(string documentId, string code, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            UPDATE documents SET document_type = $2, document_type_confidence = 1.0, document_type_source = 'clerk', document_type_model = 'clerk'
            WHERE document_id = $1 AND status NOT IN ('quarantined', 'superseded');
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = documentId });
        command.Parameters.Add(new NpgsqlParameter { Value = code });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyDictionary<string, int>> CountByTypeAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT COALESCE(document_type, ''), count(*) FROM documents WHERE status NOT IN ('quarantined', 'superseded') GROUP BY 1 ORDER BY 1;",
            connection);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<IReadOnlyList<TypeLabel>> ReadLabelsAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(SqliteDocumentTypeStore.LabelsSql, connection);
        return await SqliteDocumentTypeStore.ReadLabelsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<(string Version, string Json)?> GetLatestModelAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT version, model_json FROM document_type_models ORDER BY sequence DESC LIMIT 1;", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    public async Task<string> SaveModelAsync(Func<string, string> toJson, DateTimeOffset createdUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(toJson);
        await using NpgsqlConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Two trainers at once (several machines) must not both take the same next version: the table is locked for the transaction.
        await using (var command = new NpgsqlCommand("LOCK TABLE document_type_models IN EXCLUSIVE MODE;", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int sequence;
        await using (var next = new NpgsqlCommand("SELECT COALESCE(MAX(sequence), 0) + 1 FROM document_type_models;", connection, transaction))
        {
            sequence = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        string version = "dt-" + sequence.ToString(CultureInfo.InvariantCulture);
        await using (var insert = new NpgsqlCommand("INSERT INTO document_type_models (version, sequence, created_utc, model_json) VALUES ($1, $2, $3, $4);", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = version });
            insert.Parameters.Add(new NpgsqlParameter { Value = sequence });
            insert.Parameters.Add(new NpgsqlParameter { Value = SqliteColumns.Instant(createdUtc) });
            insert.Parameters.Add(new NpgsqlParameter { Value = toJson(version) });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
