using Digitise.Domain;
using Digitise.Storage;
using Npgsql;

namespace Digitise.Data.Postgres;

/// <summary>Documents' types on PostgreSQL (the <c>document_type*</c> columns of step 5): what the clerk screen shows and sets, and the dashboard counts.</summary>
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

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
