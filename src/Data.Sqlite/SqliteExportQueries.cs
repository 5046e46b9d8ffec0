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

    /// <summary>What a batch certificate states beyond the reconciliation, read in one snapshot.</summary>
    /// <param name="qaShare">The QA sample share (<c>Verify:QaShare</c>): an auto-filed document is in the sample when its id's first three hex digits fall in the first share of 4096 buckets, as the verification app draws it.</param>
    public async Task<CertificateFacts> ReadCertificateFactsAsync(long batchId, double qaShare, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using SqliteTransaction snapshot = connection.BeginTransaction(deferred: true);
        const string InBatch = "d.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = $batch)";

        async Task<List<object?[]>> RowsAsync(string sql)
        {
            using SqliteCommand command = connection.CreateCommand();
            command.Transaction = snapshot;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$batch", batchId);
            var rows = new List<object?[]>();
            await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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

        object?[] batch = (await RowsAsync("SELECT created_utc, updated_utc FROM batches WHERE id = $batch;").ConfigureAwait(false)).Single();
        var sources = (await RowsAsync("""
            SELECT bs.path, f.sha256, f.page_count, f.status, f.quarantine_reason
            FROM batch_sources bs JOIN source_files f ON f.sha256 = bs.sha256
            WHERE bs.batch_id = $batch ORDER BY bs.path;
            """).ConfigureAwait(false))
            .Select(r => new CertificateSourceRow(Str(r[0]), Str(r[1]), r[2] is null ? null : Int(r[2]), Str(r[3]), r[4] is null ? null : Str(r[4])))
            .ToList();
        var exceptions = (await RowsAsync($"""
            SELECT d.document_id, (SELECT min(path) FROM batch_sources WHERE batch_id = $batch AND sha256 = d.sha256), d.first_page, d.last_page, d.status, d.reason,
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
            SELECT substr(x.actor, 6), sum(x.status = 'filed'), sum(x.status = 'not_on_index'), sum(x.status = 'rescan'), count(*)
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
}

public sealed record CertificateSourceRow(string Path, string Sha256, int? PageCount, string Status, string? QuarantineReason);

/// <param name="RescanBy">For a document a clerk sent back for rescanning, who did.</param>
public sealed record CertificateExceptionRow(string DocumentId, string SourcePath, int FirstPage, int LastPage, string Status, string Reason, string? RescanBy);

public sealed record CertificateClerkRow(string UserName, int Filed, int NotOnIndex, int Rescan, int Total);

/// <summary>A batch certificate's facts as stored (see <see cref="SqliteExportQueries.ReadCertificateFactsAsync"/>).</summary>
public sealed record CertificateFacts(
    DateTimeOffset CreatedUtc,
    DateTimeOffset UpdatedUtc,
    IReadOnlyList<CertificateSourceRow> Sources,
    IReadOnlyList<CertificateExceptionRow> Exceptions,
    int QueueOpen,
    int AutoFiled,
    int QaSampled,
    int QaReviewed,
    int QaMisfiled,
    int QaUnreviewed,
    IReadOnlyList<CertificateClerkRow> Clerks);
