using System.Data;
using System.Data.Common;
using System.Globalization;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>
/// Reads documents' decision times and dates for the exports (FHIR, NDR, certificate), in the SQL SQLite and PostgreSQL
/// share: <see cref="SqliteExportQueries"/> here, <c>PostgresExportFacts</c> in Data.Postgres.
/// </summary>
public abstract class SqlExportFacts : IExportFacts
{
    /// <summary>An open connection to the database.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A read transaction in which every query sees the same snapshot.</summary>
    protected abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    public async Task<IReadOnlyDictionary<string, DocumentFacts>> ReadFactsAsync(long batchId, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.document_id, d.decided_at, i.value
            FROM documents d
            LEFT JOIN identifiers i ON i.document_id = d.document_id AND i.kind = 'document_date'
            WHERE d.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = @batch)
            ORDER BY d.document_id;
            """;
        AddBatch(command, batchId);
        var facts = new Dictionary<string, (DateTimeOffset Decided, List<DateOnly> Dates)>(StringComparer.Ordinal);
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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

    public async Task<CertificateFacts> ReadCertificateFactsAsync(long batchId, double qaShare, CancellationToken cancellationToken)
    {
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbTransaction snapshot = await BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
        const string InBatch = "d.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = @batch)";

        async Task<List<object?[]>> RowsAsync(string sql)
        {
            await using DbCommand command = connection.CreateCommand();
            command.Transaction = snapshot;
            command.CommandText = sql;
            AddBatch(command, batchId);
            var rows = new List<object?[]>();
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                object?[] row = new object?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }

            return rows;
        }

        static string Str(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        static int Int(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);
        static DateTimeOffset Instant(object? value) => DateTimeOffset.Parse(Str(value), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        object?[] batch = (await RowsAsync("SELECT created_utc, updated_utc FROM batches WHERE id = @batch;").ConfigureAwait(false)).Single();
        var sources = (await RowsAsync("""
            SELECT bs.path, f.sha256, f.page_count, f.status, f.quarantine_reason
            FROM batch_sources bs JOIN source_files f ON f.sha256 = bs.sha256
            WHERE bs.batch_id = @batch ORDER BY bs.path;
            """).ConfigureAwait(false))
            .Select(r => new CertificateSourceRow(Str(r[0]), Str(r[1]), r[2] is null ? null : Int(r[2]), Str(r[3]), r[4] is null ? null : Str(r[4])))
            .ToList();
        var exceptions = (await RowsAsync($"""
            SELECT d.document_id, (SELECT min(path) FROM batch_sources WHERE batch_id = @batch AND sha256 = d.sha256), d.first_page, d.last_page, d.status, d.reason,
                   (SELECT substr(x.actor, 6) FROM decisions x WHERE x.document_id = d.document_id AND x.status = 'rescan' ORDER BY x.id DESC LIMIT 1)
            FROM documents d WHERE {InBatch} AND d.status IN ('quarantined', 'superseded', 'rescan')
            ORDER BY 2, d.first_page;
            """).ConfigureAwait(false))
            .Select(r => new CertificateExceptionRow(Str(r[0]), Str(r[1]), Int(r[2]), Int(r[3]), Str(r[4]), Str(r[5]), r[6] is null ? null : Str(r[6])))
            .ToList();
        int queue = Int((await RowsAsync($"SELECT count(*) FROM documents d WHERE {InBatch} AND d.status IN ('needs_verification', 'unmatched');").ConfigureAwait(false))[0][0]);

        // The QA population: documents the pipeline filed on its own (their status may since have changed through QA).
        var autoFiled = (await RowsAsync($"""
            SELECT d.document_id, r.verdict FROM documents d LEFT JOIN qa_reviews r ON r.document_id = d.document_id
            WHERE {InBatch} AND EXISTS (SELECT 1 FROM decisions x WHERE x.document_id = d.document_id AND x.actor = 'pipeline' AND x.status = 'auto_filed');
            """).ConfigureAwait(false)).Select(r => (Id: Str(r[0]), Verdict: r[1] is null ? null : Str(r[1]))).ToList();
        int buckets = (int)Math.Round(Math.Clamp(qaShare, 0, 1) * 4096, MidpointRounding.AwayFromZero);
        var sampled = autoFiled.Where(d => d.Id.Length >= 3 && int.TryParse(d.Id.AsSpan(0, 3), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int bucket) && bucket < buckets).ToList();
        int reviewed = autoFiled.Count(d => d.Verdict is "correct" or "misfiled");
        int misfiled = autoFiled.Count(d => d.Verdict == "misfiled");
        int unreviewed = sampled.Count(d => d.Verdict is null);

        var clerks = (await RowsAsync($"""
            SELECT substr(x.actor, 6), sum(CASE WHEN x.status = 'filed' THEN 1 ELSE 0 END), sum(CASE WHEN x.status = 'not_on_index' THEN 1 ELSE 0 END),
                   sum(CASE WHEN x.status = 'rescan' THEN 1 ELSE 0 END), count(*)
            FROM decisions x JOIN documents d ON d.document_id = x.document_id
            WHERE {InBatch} AND x.actor LIKE 'user:%' GROUP BY x.actor ORDER BY count(*) DESC, x.actor;
            """).ConfigureAwait(false))
            .Select(r => new CertificateClerkRow(Str(r[0]), Int(r[1]), Int(r[2]), Int(r[3]), Int(r[4])))
            .ToList();
        await snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);

        return new CertificateFacts(
            Instant(batch[0]), Instant(batch[1]), sources, exceptions, queue,
            autoFiled.Count, sampled.Count, reviewed, misfiled, unreviewed, clerks);
    }

    private static void AddBatch(DbCommand command, long batchId)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = "batch";
        parameter.DbType = DbType.Int64;
        parameter.Value = batchId;
        command.Parameters.Add(parameter);
    }
}

/// <summary>The export facts of a SQLite database.</summary>
public sealed class SqliteExportQueries(string path) : SqlExportFacts
{
    private readonly SqliteDatabase _database = new(path, create: false, timeProvider: null);

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _database.OpenAsync(cancellationToken).ConfigureAwait(false);

    protected override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));
}
