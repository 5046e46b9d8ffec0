using System.Globalization;
using System.Text.Json;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.Data.Sqlite;

/// <summary>Page-by-page persistence (crash safety), source-file accounting and batch reconciliation.</summary>
public sealed partial class SqliteDigitiseStore
{
    public async Task SavePageAsync(PageText page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        await WriteAsync(
            async (connection, transaction, ct) =>
            {
                await EnsureSourceAsync(connection, transaction, page.Source, Now(), ct).ConfigureAwait(false);
                await InsertPagesAsync(connection, transaction, [page], page.Source.Sha256, ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PageText>> GetStoredPagesAsync(SourceFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, """
            SELECT page_number, text, mean_confidence, words_json, width_px, height_px, dpi, origin, ocr_ms, qa_json, barcodes_json,
                   (SELECT page_count FROM source_files s WHERE s.sha256 = pages.sha256)
            FROM pages WHERE sha256 = $sha ORDER BY page_number;
            """);
        command.Parameters.AddWithValue("$sha", file.Sha256);
        var pages = new List<PageText>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            int pageCount = reader.IsDBNull(11) ? 0 : reader.GetInt32(11);
            pages.Add(new PageText(
                file,
                reader.GetInt32(0),
                pageCount,
                reader.GetString(1),
                SqliteColumns.ParseWords(reader.GetString(3)),
                (float)reader.GetDouble(2),
                reader.GetInt32(4),
                reader.GetInt32(5),
                reader.GetInt32(6),
                reader.GetString(7) == "pdf_text_layer" ? TextOrigin.PdfTextLayer : TextOrigin.Ocr,
                TimeSpan.FromMilliseconds(reader.GetInt64(8)))
            {
                Quality = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize(reader.GetString(9), PageJson.Default.PageQuality),
                Barcodes = JsonSerializer.Deserialize(reader.GetString(10), PageJson.Default.ListBarcode) ?? [],
            });
        }

        return pages;
    }

    public async Task CompleteSourceAsync(SourceAccount account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        await WriteAsync(
            async (connection, transaction, ct) =>
            {
                string now = Now();
                await EnsureSourceAsync(connection, transaction, account.Source, now, ct).ConfigureAwait(false);
                using SqliteCommand command = Command(connection, transaction, """
                    UPDATE source_files
                    SET page_count = $pages, status = $status, quarantine_reason = COALESCE($reason, quarantine_reason),
                        pages_ocr = $ocr, pages_text_layer = $text, pages_blank = $blank, pages_separator = $separator,
                        pages_quarantined = $quarantined, documents_count = $documents, updated_utc = $now
                    WHERE sha256 = $sha;
                    """);
                command.Parameters.AddWithValue("$pages", account.PagesIn);
                command.Parameters.AddWithValue("$status", account.Status);
                command.Parameters.AddWithValue("$reason", (object?)account.Reason ?? DBNull.Value);
                command.Parameters.AddWithValue("$ocr", account.PagesOcr);
                command.Parameters.AddWithValue("$text", account.PagesTextLayer);
                command.Parameters.AddWithValue("$blank", account.PagesBlank);
                command.Parameters.AddWithValue("$separator", account.PagesSeparator);
                command.Parameters.AddWithValue("$quarantined", account.PagesQuarantined);
                command.Parameters.AddWithValue("$documents", account.Documents);
                command.Parameters.AddWithValue("$now", now);
                command.Parameters.AddWithValue("$sha", account.Source.Sha256);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<BatchReconciliation?> GetReconciliationAsync(long batchId, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        string name;
        string state;
        using (SqliteCommand batch = Command(connection, null, "SELECT name, state FROM batches WHERE id = $batch;"))
        {
            batch.Parameters.AddWithValue("$batch", batchId);
            await using SqliteDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (name, state) = (reader.GetString(0), reader.GetString(1));
        }

        // Each distinct file counts once per batch, however many paths found it.
        using SqliteCommand totals = Command(connection, null, """
            SELECT COUNT(*),
                   COALESCE(SUM(s.status = 'quarantined'), 0),
                   COALESCE(SUM(s.page_count IS NULL OR s.page_count = 0), 0),
                   COALESCE(SUM(s.page_count), 0), COALESCE(SUM(s.pages_ocr), 0), COALESCE(SUM(s.pages_text_layer), 0),
                   COALESCE(SUM(s.pages_blank), 0), COALESCE(SUM(s.pages_separator), 0), COALESCE(SUM(s.pages_quarantined), 0)
            FROM source_files s
            WHERE s.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = $batch);
            """);
        totals.Parameters.AddWithValue("$batch", batchId);
        int[] t = new int[9];
        await using (SqliteDataReader reader = await totals.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = Convert.ToInt32(reader.GetValue(i), CultureInfo.InvariantCulture);
            }
        }

        using SqliteCommand statuses = Command(connection, null, """
            SELECT d.status, COUNT(*) FROM documents d
            WHERE d.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = $batch) AND d.status <> 'superseded'
            GROUP BY d.status;
            """);
        statuses.Parameters.AddWithValue("$batch", batchId);
        var byStatus = new Dictionary<DocumentStatus, int>();
        int documents = 0;
        await using (SqliteDataReader reader = await statuses.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                int count = reader.GetInt32(1);
                documents += count;
                DocumentStatus status = DocumentStatusNames.Parse(reader.GetString(0));
                byStatus[status] = byStatus.GetValueOrDefault(status) + count;
            }
        }

        using SqliteCommand unreadable = Command(connection, null, """
            SELECT COUNT(*) FROM pages p
            WHERE p.sha256 IN (SELECT sha256 FROM batch_sources WHERE batch_id = $batch) AND (';' || p.qa_flags || ';') LIKE '%;unreadable;%';
            """);
        unreadable.Parameters.AddWithValue("$batch", batchId);
        int pagesUnreadable = Convert.ToInt32(await unreadable.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

        return new BatchReconciliation(batchId, name, state, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], documents, byStatus)
        {
            PagesUnreadable = pagesUnreadable,
        };
    }

    public async Task<long?> FindBatchAsync(string nameOrId, CancellationToken cancellationToken)
    {
        await using SqliteConnection connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using SqliteCommand command = Command(connection, null, "SELECT id FROM batches WHERE name = $name OR CAST(id AS TEXT) = $name ORDER BY id LIMIT 1;");
        command.Parameters.AddWithValue("$name", nameOrId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id ? id : null;
    }
}
