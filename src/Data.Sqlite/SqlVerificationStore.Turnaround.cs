using System.Data.Common;
using Digitise.Storage;

namespace Digitise.Data.Sqlite;

/// <summary>The dashboard's turnaround facts, in SQL both providers run.</summary>
public abstract partial class SqlVerificationStore
{
    /// <remarks>
    /// A page arrives when its source file is first recorded (<c>source_files.created_utc</c>: set once, at discovery or
    /// <c>submit</c>, and kept when the same bytes come again) and is filed at its document's first <c>auto_filed</c> or
    /// <c>filed</c> decision (the pipeline's at decision time, a clerk's at confirmation; a QA review later does not move
    /// it). Waiting documents (<c>needs_verification</c>, <c>unmatched</c>) and files not yet read into any document are
    /// unfiled; documents closed without filing (not on the index, rescan, quarantined) leave the turnaround.
    /// </remarks>
    public async Task<TurnaroundFacts> GetTurnaroundAsync(DateTimeOffset arrivedSinceUtc, CancellationToken cancellationToken)
    {
        DateTimeOffset now = UtcNow;
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using DbTransaction snapshot = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);

        var filed = new List<FiledPages>();
        using (DbCommand command = Command(connection, snapshot, """
            SELECT f.created_utc,
                   COALESCE((SELECT min(x.at_utc) FROM decisions x WHERE x.document_id = d.document_id AND x.status IN ('auto_filed', 'filed')), d.decided_at),
                   d.last_page - d.first_page + 1
            FROM source_files f JOIN documents d ON d.sha256 = f.sha256
            WHERE f.created_utc >= @since AND d.status IN ('auto_filed', 'filed');
            """))
        {
            command.AddParameter("@since", SqliteColumns.Instant(arrivedSinceUtc));
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                filed.Add(new FiledPages(ParseInstant(reader.GetString(0)), ParseInstant(reader.GetString(1)), Int(reader, 2)));
            }
        }

        var batchNames = new Dictionary<long, string>();
        using (DbCommand command = Command(connection, snapshot, "SELECT id, name FROM batches;"))
        {
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                batchNames[Long(reader, 0)] = reader.GetString(1);
            }
        }

        // The batch a file came in with first (the same bytes may come again in a later batch).
        var unfiled = new List<UnfiledPages>();
        using (DbCommand command = Command(connection, snapshot, """
            SELECT d.document_id, d.status, COALESCE((SELECT min(bs.batch_id) FROM batch_sources bs WHERE bs.sha256 = f.sha256), d.batch_id),
                   f.created_utc, d.last_page - d.first_page + 1
            FROM documents d JOIN source_files f ON f.sha256 = d.sha256
            WHERE d.status IN ('needs_verification', 'unmatched')
            UNION ALL
            SELECT substr(f.sha256, 1, 16), 'reading', (SELECT min(bs.batch_id) FROM batch_sources bs WHERE bs.sha256 = f.sha256),
                   f.created_utc, COALESCE(f.page_count, 1)
            FROM source_files f
            WHERE f.status = 'pending' AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = f.sha256);
            """))
        {
            await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                long? batch = reader.IsDBNull(2) ? null : Long(reader, 2);
                unfiled.Add(new UnfiledPages(reader.GetString(0), reader.GetString(1), batch, batch is long id ? batchNames.GetValueOrDefault(id) : null,
                    ParseInstant(reader.GetString(3)), Int(reader, 4)));
            }
        }

        await snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new TurnaroundFacts(now, arrivedSinceUtc, filed, unfiled);
    }
}
