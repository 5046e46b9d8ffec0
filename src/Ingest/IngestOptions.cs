using Digitise.Hosting;

namespace Digitise.Ingest;

/// <summary>Settings under <c>Ingest</c> in configuration.</summary>
public sealed class IngestOptions
{
    /// <summary>Largest source file read, in bytes; bigger files are quarantined as <c>file_too_large</c>.</summary>
    public long MaxFileBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest page accepted, in pixels (width x height); bigger pages are quarantined as decompression bombs.</summary>
    public long MaxPixelsPerPage { get; init; } = 200_000_000;

    /// <summary>Most pages read from one source file.</summary>
    public int MaxPagesPerFile { get; init; } = 5000;

    /// <summary>Resolution PDF pages are rasterised at when their image cannot be handed over as it is.</summary>
    public int PdfRenderDpi { get; init; } = 300;

    /// <summary>A PDF page with at least this many letters in its text layer uses that text instead of OCR.</summary>
    public int MinTextLayerLetters { get; init; } = 20;

    /// <summary>Draw a small preview of text-layer PDF pages (which have no scan) for the verification screen.</summary>
    public bool TextLayerPreviews { get; init; } = true;

    /// <summary>The poppler program used to rasterise PDF pages.</summary>
    public string PdftoppmPath { get; init; } = "pdftoppm";

    /// <exception cref="ConfigurationException">A limit is out of range; the message names it.</exception>
    public void Validate()
    {
        ConfigurationException.ThrowIfNot(MaxFileBytes > 0, "Ingest:MaxFileBytes", MaxFileBytes, "must be positive");
        ConfigurationException.ThrowIfNot(MaxPixelsPerPage > 0, "Ingest:MaxPixelsPerPage", MaxPixelsPerPage, "must be positive");
        ConfigurationException.ThrowIfNot(MaxPagesPerFile >= 1, "Ingest:MaxPagesPerFile", MaxPagesPerFile, "must be at least 1");
        ConfigurationException.ThrowIfNot(PdfRenderDpi is >= 50 and <= 1200, "Ingest:PdfRenderDpi", PdfRenderDpi, "must be between 50 and 1200");
        ConfigurationException.ThrowIfNot(MinTextLayerLetters >= 0, "Ingest:MinTextLayerLetters", MinTextLayerLetters, "must not be negative");
        ConfigurationException.ThrowIfNot(!string.IsNullOrWhiteSpace(PdftoppmPath), "Ingest:PdftoppmPath", PdftoppmPath, "must name the pdftoppm program");
    }
}
