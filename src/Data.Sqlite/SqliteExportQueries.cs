using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>What an export needs of a document beyond its manifest row: when it was decided and the dates read from it.</summary>
/// <param name="DocumentDates">Dates of kind <c>document_date</c> read from its pages (letter, report, admission, discharge dates).</param>
public sealed record DocumentFacts(string DocumentId, DateTimeOffset DecidedUtc, IReadOnlyList<DateOnly> DocumentDates);

/// <summary>Reads documents' decision times and dates for the exports (FHIR, NDR, certificate).</summary>
public sealed class SqliteExportQueries(string path)
{
    private readonly SqliteDatabase _database = new(path, create: false, timeProvider: null);

    public async Task<IReadOnlyDictionary<string, DocumentFacts>> ReadFactsAsync(long batchId, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.document_id, d.decided_at, i.value
            FROM documents d
            LEFT JOIN identifiers i ON i.document_id = d.document_id AND i.kind = 'document_date'
            WHERE d.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = $batch)
            ORDER BY d.document_id;
            """;
        command.Parameters.AddWithValue("$batch", batchId);
        var facts = new Dictionary<string, (DateTimeOffset Decided, List<DateOnly> Dates)>(StringComparer.Ordinal);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string id = reader.GetString(0);
            if (!facts.TryGetValue(id, out var entry))
            {
                entry = (DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal), []);
                facts[id] = entry;
            }

            if (!reader.IsDBNull(2) && DateOnly.TryParseExact(reader.GetString(2), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
            {
                entry.Dates.Add(date);
            }
        }

        return facts.ToDictionary(kv => kv.Key, kv => new DocumentFacts(kv.Key, kv.Value.Decided, kv.Value.Dates.Distinct().Order().ToList()), StringComparer.Ordinal);
    }
}
