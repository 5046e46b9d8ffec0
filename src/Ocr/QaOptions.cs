namespace Digitise.Ocr;

/// <summary>Page QA settings under <c>Qa</c> in configuration.</summary>
public sealed class QaOptions
{
    /// <summary>Turn image QA (blank, skew, orientation, exposure, barcodes) off entirely.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>A page whose central area has less than this share of ink (after speckle removal) is blank: kept, counted, not OCRed.</summary>
    public double BlankInkThreshold { get; init; } = 0.002;

    /// <summary>Pages below this resolution are flagged <c>low_dpi</c>.</summary>
    public int MinDpi { get; init; } = 200;

    /// <summary>Pages whose mean grey is below this (0-255) are flagged <c>too_dark</c>.</summary>
    public double DarkMeanGrey { get; init; } = 150;

    /// <summary>Skew at or above this many degrees is corrected before OCR.</summary>
    public double MinSkewDegrees { get; init; } = 0.2;

    /// <summary>
    /// The same for bitonal (1 bpp) pages, whose rotation can only move whole pixels: under a degree Tesseract's own
    /// line finding copes better than a sheared page (tesseract-test's eurotext, skewed 0.8 degrees, read worse deskewed).
    /// </summary>
    public double MinSkewDegreesBitonal { get; init; } = 1.0;

    public bool DetectOrientation { get; init; } = true;

    /// <summary>Read barcodes (ZBar: Code 39, Code 128, Code 93, QR, Interleaved 2 of 5) and Kodak patch codes (reported as "PATCHT", "PATCH2", ...).</summary>
    public bool ReadBarcodes { get; init; } = true;

    /// <summary>
    /// OCR only the part of the page that holds marks (every dark pixel, padded by a tenth of an inch), not its blank
    /// margins: Tesseract's layout analysis works over the whole image (on the bench's text2image letters the margins
    /// cost about 7% of its CPU). Word boxes still refer to the whole page.
    /// </summary>
    public bool CropToContent { get; init; } = true;

    /// <exception cref="Hosting.ConfigurationException">A threshold is out of range; the message names it.</exception>
    public void Validate()
    {
        Hosting.ConfigurationException.ThrowIfNot(BlankInkThreshold is >= 0 and < 1, "Qa:BlankInkThreshold", BlankInkThreshold, "must be in [0, 1)");
        Hosting.ConfigurationException.ThrowIfNot(MinDpi is >= 0 and <= 2400, "Qa:MinDpi", MinDpi, "must be between 0 and 2400");
        Hosting.ConfigurationException.ThrowIfNot(DarkMeanGrey is >= 0 and <= 255, "Qa:DarkMeanGrey", DarkMeanGrey, "must be between 0 and 255");
        Hosting.ConfigurationException.ThrowIfNot(MinSkewDegrees is >= 0 and <= 45, "Qa:MinSkewDegrees", MinSkewDegrees, "must be between 0 and 45");
    }
}
