namespace Digitise.Domain;

/// <summary>
/// What image QA measured on one page, and what it corrected before OCR.
/// Word boxes of an OCRed page refer to the corrected (deskewed, rotated) image.
/// </summary>
/// <param name="InkCoverage">Share (0-1) of dark pixels in the page's central area, after speckle removal.</param>
/// <param name="SkewDegrees">Skew measured (positive: counter-clockwise); corrected when <paramref name="Deskewed"/>.</param>
/// <param name="RotationDegrees">Clockwise rotation applied to bring the text upright (0, 90, 180, 270).</param>
/// <param name="MeanGrey">Mean grey level, 0 (black) to 255 (white).</param>
public sealed record PageQuality(
    bool Blank,
    double InkCoverage,
    double SkewDegrees,
    bool Deskewed,
    int RotationDegrees,
    int Dpi,
    bool LowResolution,
    double MeanGrey,
    bool TooDark,
    bool TooLight)
{
    /// <summary>
    /// OCR could not read the page (handwriting, a very faint or very poor scan): its text is kept for people to see
    /// but is never identifier evidence (the pipeline does not hand the page to identifier extraction), and the page
    /// is counted in the reconciliation and flagged to clerks.
    /// </summary>
    public bool Unreadable { get; init; }

    /// <summary>Flags for the manifest, e.g. "blank;skew=1.2;rotated=180;low_dpi"; empty when the page is clean.</summary>
    public string Flags()
    {
        var flags = new List<string>();
        if (Blank)
        {
            flags.Add("blank");
        }

        if (Deskewed)
        {
            flags.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"deskewed={SkewDegrees:0.0}"));
        }

        if (RotationDegrees != 0)
        {
            flags.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"rotated={RotationDegrees}"));
        }

        if (LowResolution)
        {
            flags.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"low_dpi={Dpi}"));
        }

        if (TooDark)
        {
            flags.Add("too_dark");
        }

        if (TooLight)
        {
            flags.Add("too_light");
        }

        if (Unreadable)
        {
            flags.Add("unreadable");
        }

        return string.Join(';', flags);
    }
}

/// <summary>A barcode found on a page (separator and cover sheets).</summary>
/// <param name="Symbology">e.g. "CODE-128", "CODE-39", "QR-Code".</param>
public sealed record Barcode(string Symbology, string Value);
