using Digitise.Domain;
using Digitise.Storage;

namespace Digitise.Output;

/// <summary>
/// Makes the searchable PDF of every filed document (auto-filed, or filed by a clerk since) that has none yet, keeps it
/// in the blob store under <see cref="BlobKeys.SearchablePdf"/>, and copies it to <c>OUT/documents/&lt;document_id&gt;.pdf</c>.
/// Page images are the full-resolution corrected images the OCR stage stored (<see cref="BlobKeys.PageImage"/>), so
/// the word boxes fit them exactly; a page without one (a PDF text-layer page) falls back to its preview.
/// </summary>
public sealed class SearchablePdfExporter(IDigitiseStore store, IBlobStore blobs, TimeProvider? time = null)
{
    /// <summary>The folder inside the output folder that holds the documents' PDFs.</summary>
    public const string Folder = "documents";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public static bool IsFiled(DocumentStatus status) => status is DocumentStatus.AutoFiled or DocumentStatus.Filed;

    /// <summary>Returns <paramref name="rows"/> with <see cref="ManifestRow.SearchablePdf"/> set for every filed document.</summary>
    public async Task<IReadOnlyList<ManifestRow>> ExportAsync(IReadOnlyList<ManifestRow> rows, string outDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        string folder = Path.Combine(outDirectory, Folder);
        var pagesBySource = new Dictionary<string, IReadOnlyList<PageText>>(StringComparer.Ordinal);
        var result = new List<ManifestRow>(rows.Count);
        foreach (ManifestRow row in rows)
        {
            if (!IsFiled(row.Status))
            {
                result.Add(row);
                continue;
            }

            string key = BlobKeys.SearchablePdf(row.DocumentId);
            if (!await blobs.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
            {
                if (!pagesBySource.TryGetValue(row.Sha256, out IReadOnlyList<PageText>? pages))
                {
                    pagesBySource.Clear(); // rows come ordered by source: keep one file's pages at a time
                    pages = await store.GetStoredPagesAsync(new SourceFile(string.Empty, row.SourceFile, row.Sha256, 0), cancellationToken).ConfigureAwait(false);
                    pagesBySource[row.Sha256] = pages;
                }

                await BuildAsync(key, row, pages.Where(p => p.PageNumber >= row.FirstPage && p.PageNumber <= row.LastPage).ToList(), cancellationToken)
                    .ConfigureAwait(false);
            }

            Directory.CreateDirectory(folder);
            string path = Path.Combine(folder, row.DocumentId + ".pdf");
            string temp = path + ".tmp";
            await using (Stream source = await blobs.OpenReadAsync(key, cancellationToken).ConfigureAwait(false))
            await using (var target = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
            result.Add(row with { SearchablePdf = Folder + "/" + row.DocumentId + ".pdf" });
        }

        return result;
    }

    /// <summary>Writes one document's PDF to a temporary file (one page image in memory at a time), then into the blob store.</summary>
    private async Task BuildAsync(string key, ManifestRow row, IReadOnlyList<PageText> pages, CancellationToken ct)
    {
        string temp = Path.Combine(Path.GetTempPath(), "digitise-" + Guid.NewGuid().ToString("N") + ".pdf");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose))
            {
                using (var writer = new SearchablePdfWriter(file, "Digitise document " + row.DocumentId, _time.GetUtcNow()))
                {
                    foreach (PageText page in pages)
                    {
                        byte[] image = await ReadImageAsync(page, ct).ConfigureAwait(false);
                        var searchable = new SearchablePage(page.WidthPx, page.HeightPx, page.Dpi, image, page.Words);
                        try
                        {
                            writer.AddPage(searchable);
                        }
                        catch (InvalidDataException)
                        {
                            // An image the writer cannot pass through: the page keeps its text, without the picture.
                            writer.AddPage(searchable with { Image = ReadOnlyMemory<byte>.Empty });
                        }
                    }

                    writer.Finish();
                }

                file.Position = 0;
                await blobs.PutAsync(key, file, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private async Task<byte[]> ReadImageAsync(PageText page, CancellationToken ct)
    {
        foreach (string key in (string[])[BlobKeys.PageImage(page.Source.Sha256, page.PageNumber), BlobKeys.Preview(page.Source.Sha256, page.PageNumber)])
        {
            if (await blobs.ExistsAsync(key, ct).ConfigureAwait(false))
            {
                await using Stream stream = await blobs.OpenReadAsync(key, ct).ConfigureAwait(false);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
                return copy.ToArray();
            }
        }

        return [];
    }
}
