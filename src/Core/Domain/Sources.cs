namespace Digitise.Domain;

/// <summary>Input formats recognised by their content (magic bytes), never by extension.</summary>
public enum SourceFormat
{
    Unknown = 0,
    Tiff,
    Png,
    Jpeg,
    Pdf,
}

/// <summary>A file found under one of the run's inputs.</summary>
/// <param name="FullPath">Absolute path on disk.</param>
/// <param name="DisplayPath">The path as found under the INPUT the operator gave (what the manifest shows).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
public sealed record SourceFile(string FullPath, string DisplayPath, string Sha256, long Length);

/// <summary>What the OCR stage receives for one page.</summary>
public abstract record PageContent;

/// <summary>
/// An encoded page image, handed on exactly as stored in the source (no lossy re-encoding).
/// <paramref name="Frame"/> selects the page inside a multi-page container (TIFF directory index); 0 otherwise.
/// </summary>
public sealed record EncodedImage(ReadOnlyMemory<byte> Data, SourceFormat Format, int Frame, int? DpiHint) : PageContent;

/// <summary>A page whose text came from a real PDF text layer; boxes are in pixels at <paramref name="Dpi"/>.</summary>
public sealed record TextLayer(IReadOnlyList<Word> Words, int WidthPx, int HeightPx, int Dpi) : PageContent
{
    /// <summary>A small rendering of the page for people to look at (PNG or JPEG); empty when none could be made.</summary>
    public ReadOnlyMemory<byte> Preview { get; init; }
}

/// <summary>Anything that flows between the page stages, tagged with where it came from.</summary>
/// <param name="PageNumber">One-based page number inside the source file (0 for a whole-file failure).</param>
/// <param name="PageCount">Pages in the source file (0 when the file could not be opened at all).</param>
public abstract record PageItem(SourceFile Source, int PageNumber, int PageCount);

/// <summary>One page of one source file, on its way to OCR.</summary>
public sealed record PageImage(SourceFile Source, int PageNumber, int PageCount, PageContent Content)
    : PageItem(Source, PageNumber, PageCount);

/// <summary>
/// A page (or, with <see cref="PageItem.PageNumber"/> 0, a whole file) that could not be read.
/// It is data, not an exception: it flows on and ends up quarantined with its reason.
/// </summary>
/// <param name="Reason">Short machine-friendly code first, then detail, e.g. "corrupt_tiff: directory 3 is truncated". Never patient data.</param>
public sealed record PageFailure(SourceFile Source, int PageNumber, int PageCount, string Reason)
    : PageItem(Source, PageNumber, PageCount);

/// <summary>How a page's text was obtained.</summary>
public enum TextOrigin
{
    Ocr = 0,
    PdfTextLayer,
}

/// <summary>The text of one page, with word boxes and confidences.</summary>
/// <param name="MeanConfidence">Mean word confidence (0-100); 100 for a text layer.</param>
/// <param name="Text">Words joined by single spaces, lines by '\n', in reading order.</param>
public sealed record PageText(
    SourceFile Source,
    int PageNumber,
    int PageCount,
    string Text,
    IReadOnlyList<Word> Words,
    float MeanConfidence,
    int WidthPx,
    int HeightPx,
    int Dpi,
    TextOrigin Origin,
    TimeSpan Elapsed) : PageItem(Source, PageNumber, PageCount)
{
    /// <summary>
    /// A small rendering of the page (JPEG or PNG, by its magic bytes) for the verification screen; word boxes scale by
    /// the preview's width over <see cref="WidthPx"/>. Empty when none could be made. Stored in the blob store, not the database.
    /// </summary>
    public ReadOnlyMemory<byte> Preview { get; init; }

    /// <summary>
    /// The page image the words were read from, at full resolution after QA's rotation and deskew (G4 TIFF for
    /// bitonal pages and PNG for grey pages, both lossless; JPEG for colour, and for grey pages whose source was already JPEG), for the searchable PDF. Word boxes are in its pixels. The pipeline
    /// moves it to the blob store (<c>BlobKeys.PageImage</c>) as soon as the page is saved and drops it from memory.
    /// Empty for text-layer pages and where page images are off.
    /// </summary>
    public ReadOnlyMemory<byte> Image { get; init; }

    /// <summary>Image QA of the page; null for text-layer pages and where QA is off.</summary>
    public PageQuality? Quality { get; init; }

    /// <summary>Barcodes read on the page (separator and cover sheets).</summary>
    public IReadOnlyList<Barcode> Barcodes { get; init; } = [];
}
