using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>Matching models (table <c>match_models</c>, migration 3) and the training data the pipeline and the clerks left behind.</summary>
public sealed class SqliteModelStore : IModelStore
{
    private readonly SqliteDatabase _database;

    /// <param name="path">The Digitise database; open it once with <see cref="SqliteDigitiseStore.OpenAsync(string, CancellationToken)"/> first so it is migrated.</param>
    public SqliteModelStore(string path)
    {
        _database = new SqliteDatabase(path, create: false, timeProvider: null);
    }

    /// <summary>The newest model, or null when none was trained.</summary>
    public async Task<StoredModel?> GetLatestAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT version, sequence, created_utc, model_json FROM match_models ORDER BY sequence DESC LIMIT 1;";
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredModel(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    /// <summary>The sequence number the next model gets (1 for the first).</summary>
    public async Task<int> NextSequenceAsync(CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(sequence), 0) + 1 FROM match_models;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async Task SaveAsync(string version, int sequence, DateTimeOffset createdUtc, string json, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "INSERT INTO match_models (version, sequence, created_utc, model_json) VALUES ($version, $sequence, $created, $json);";
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$sequence", sequence);
        command.Parameters.AddWithValue("$created", SqliteColumns.Instant(createdUtc));
        command.Parameters.AddWithValue("$json", json);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every stored document's identifiers, with the latest clerk label (confirmed patient or not on the index).</summary>
    public async IAsyncEnumerable<LabelledIdentifiers> ReadTrainingDocumentsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await foreach (LabelledIdentifiers document in ReadTrainingDocumentsAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            yield return document;
        }
    }

    /// <summary>
    /// Every stored document's identifiers (with their provenance), each with the latest clerk label, in the SQL SQLite and
    /// PostgreSQL share: the PostgreSQL model store reads through this too.
    /// </summary>
    public static async IAsyncEnumerable<LabelledIdentifiers> ReadTrainingDocumentsAsync(DbConnection connection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var labels = new Dictionary<string, (string Status, string? Patient)>(StringComparer.Ordinal);
        await using (DbCommand command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT document_id, status, patient_id FROM decisions
                WHERE actor LIKE 'user:%' AND status IN ('filed', 'not_on_index')
                ORDER BY id;
                """;
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                labels[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }

        await using DbCommand identifiers = connection.CreateCommand();
        identifiers.CommandText = "SELECT document_id, kind, value, raw, valid, confidence, page, source, sought_for FROM identifiers ORDER BY document_id, id;";
        await using DbDataReader rows = await identifiers.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        string? current = null;
        var list = new List<ExtractedIdentifier>();
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string documentId = rows.GetString(0);
            if (current is not null && documentId != current)
            {
                yield return SqliteColumns.Labelled(current, list, labels);
                list = [];
            }

            current = documentId;
            if (SqliteColumns.ParseKind(rows.GetString(1)) is IdentifierKind kind)
            {
                list.Add(new ExtractedIdentifier(kind, rows.GetString(2), rows.GetString(3), Convert.ToInt64(rows.GetValue(4), CultureInfo.InvariantCulture) != 0, rows.GetDouble(5), Convert.ToInt32(rows.GetValue(6), CultureInfo.InvariantCulture), [])
                {
                    Source = EvidenceSourceNames.Parse(rows.GetString(7)),
                    SoughtFor = rows.IsDBNull(8) ? null : rows.GetString(8),
                });
            }
        }

        if (current is not null)
        {
            yield return SqliteColumns.Labelled(current, list, labels);
        }
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);
}
