using System.Data.Common;
using System.Globalization;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>Document types (columns of <c>documents</c>, migration 10) and the trained type models (<c>document_type_models</c>).</summary>
public sealed class SqliteDocumentTypeStore : IDocumentTypeStore
{
    private readonly SqliteDatabase _database;

    /// <param name="path">The Digitise database; open it once with <see cref="SqliteDigitiseStore.OpenAsync(string, CancellationToken)"/> first so it is migrated.</param>
    public SqliteDocumentTypeStore(string path)
    {
        _database = new SqliteDatabase(path, create: false, timeProvider: null);
    }

    public async Task<DocumentClassification?> GetTypeAsync(string documentId, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT document_type, COALESCE(document_type_confidence, 0), COALESCE(document_type_source, 'classifier'), COALESCE(document_type_model, '')
            FROM documents WHERE document_id = $id AND document_type IS NOT NULL;
            """;
        command.Parameters.AddWithValue("$id", documentId);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new DocumentClassification(reader.GetString(0), reader.GetDouble(1), DocumentClassification.ParseSource(reader.GetString(2)), reader.GetString(3))
            : null;
    }

    public async Task<bool> SetClerkTypeAsync(string documentId, string code, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            UPDATE documents SET document_type = $code, document_type_confidence = 1.0, document_type_source = 'clerk', document_type_model = 'clerk'
            WHERE document_id = $id AND status NOT IN ('quarantined', 'superseded');
            """;
        command.Parameters.AddWithValue("$id", documentId);
        command.Parameters.AddWithValue("$code", code);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyDictionary<string, int>> CountByTypeAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT COALESCE(document_type, ''), count(*) FROM documents
            WHERE status NOT IN ('quarantined', 'superseded') GROUP BY 1 ORDER BY 1;
            """;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    public async Task<IReadOnlyList<TypeLabel>> ReadLabelsAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = LabelsSql;
        return await ReadLabelsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The clerk-typed documents' non-blank pages, in the SQL SQLite and PostgreSQL share.</summary>
    public const string LabelsSql = """
        SELECT d.document_id, d.document_type, p.text FROM documents d
        JOIN pages p ON p.sha256 = d.sha256 AND p.page_number BETWEEN d.first_page AND d.last_page
        WHERE d.document_type_source = 'clerk' AND p.qa_flags NOT LIKE 'blank%'
        ORDER BY d.document_id, p.page_number;
        """;

    /// <summary>Runs <see cref="LabelsSql"/> and gathers each document's page texts into one label.</summary>
    public static async Task<IReadOnlyList<TypeLabel>> ReadLabelsAsync(DbCommand labelsCommand, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labelsCommand);
        var labels = new List<TypeLabel>();
        await using DbDataReader reader = await labelsCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (labels.Count == 0 || labels[^1].DocumentId != id)
            {
                labels.Add(new TypeLabel(id, new List<string>(), reader.GetString(1)));
            }

            ((List<string>)labels[^1].PageTexts).Add(reader.GetString(2));
        }

        return labels;
    }

    public async Task<(string Version, string Json)?> GetLatestModelAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT version, model_json FROM document_type_models ORDER BY sequence DESC LIMIT 1;";
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    public async Task<string> SaveModelAsync(Func<string, string> toJson, DateTimeOffset createdUtc, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand next = connection.CreateCommand();
        next.CommandText = "SELECT COALESCE(MAX(sequence), 0) + 1 FROM document_type_models;";
        int sequence = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        string version = "dt-" + sequence.ToString(CultureInfo.InvariantCulture);
        using SqliteCommand insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO document_type_models (version, sequence, created_utc, model_json) VALUES ($version, $sequence, $created, $json);";
        insert.Parameters.AddWithValue("$version", version);
        insert.Parameters.AddWithValue("$sequence", sequence);
        insert.Parameters.AddWithValue("$created", SqliteColumns.Instant(createdUtc));
        insert.Parameters.AddWithValue("$json", toJson(version));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }
}
