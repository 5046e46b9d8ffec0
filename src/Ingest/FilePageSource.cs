using System.Runtime.CompilerServices;
using Digitise.Domain;
using Digitise.Formats;
using Digitise.Ingest.Formats;

namespace Digitise.Ingest;

/// <summary>
/// Reads source files into pages: TIFF (every directory), PNG, JPEG and PDF. Images are handed on exactly as stored;
/// problems become <see cref="PageFailure"/>s with a reason, so one bad file never stops the batch.
/// </summary>
public sealed class FilePageSource : IPageSource
{
    private readonly IngestOptions _options;
    private readonly PdfPageReader _pdf;

    public FilePageSource(IngestOptions options)
    {
        _options = options;
        _pdf = new PdfPageReader(options);
    }

    public async IAsyncEnumerable<PageItem> ReadPagesAsync(SourceFile file, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (byte[]? data, string? failure) = await LoadAsync(file, cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            yield return new PageFailure(file, 0, 0, failure!);
            yield break;
        }

        SourceFormat format = FormatSniffer.Detect(data);
        if (format == SourceFormat.Pdf)
        {
            await foreach (PageItem page in _pdf.ReadAsync(file, data, cancellationToken).ConfigureAwait(false))
            {
                yield return page;
            }

            yield break;
        }

        (IReadOnlyList<FrameInfo>? frames, string? error) = ReadFrames(data, format);
        if (frames is null)
        {
            yield return new PageFailure(file, 0, 0, error!);
            yield break;
        }

        for (int i = 0; i < frames.Count; i++)
        {
            FrameInfo frame = frames[i];
            yield return (long)frame.Width * frame.Height > _options.MaxPixelsPerPage
                ? new PageFailure(file, i + 1, frames.Count, $"image_too_large: page is {frame.Width}x{frame.Height} pixels (Ingest:MaxPixelsPerPage is {_options.MaxPixelsPerPage})")
                : new PageImage(file, i + 1, frames.Count, new EncodedImage(data, format, i, frame.Dpi));
        }
    }

    private async Task<(byte[]? Data, string? Failure)> LoadAsync(SourceFile file, CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(file.FullPath);
            if (!info.Exists)
            {
                return (null, "not_found: the file disappeared before it was read");
            }

            if (info.Length == 0)
            {
                return (null, "empty_file: the file has zero bytes");
            }

            if (info.Length > _options.MaxFileBytes)
            {
                return (null, $"file_too_large: {info.Length} bytes (Ingest:MaxFileBytes is {_options.MaxFileBytes})");
            }

            return (await File.ReadAllBytesAsync(file.FullPath, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return (null, "unreadable_file: " + ex.GetType().Name);
        }
    }

    private (IReadOnlyList<FrameInfo>? Frames, string? Failure) ReadFrames(byte[] data, SourceFormat format)
    {
        try
        {
            return format switch
            {
                SourceFormat.Tiff => (TiffStructure.ReadPages(data, _options.MaxPagesPerFile).Select(p => new FrameInfo(p.Width, p.Height, p.Dpi)).ToList(), null),
                SourceFormat.Png => ImageHeaders.ReadPng(data) is { } png ? ([png], null) : (null, "corrupt_png: the header is unreadable"),
                SourceFormat.Jpeg => ImageHeaders.ReadJpeg(data) is { } jpeg ? ([jpeg], null) : (null, "corrupt_jpeg: no frame header found"),
                _ => (null, "unsupported_format: not a TIFF, PNG, JPEG or PDF file (recognised by content, not extension)"),
            };
        }
        catch (InvalidDataException ex)
        {
            return (null, ex.Message);
        }
        catch (ArgumentOutOfRangeException)
        {
            return (null, $"corrupt_{format.ToString().ToLowerInvariant()}: a header points outside the file");
        }
    }
}
