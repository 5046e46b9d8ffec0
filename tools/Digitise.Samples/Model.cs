namespace Digitise.Samples;

/// <summary>One synthetic person. <see cref="IndexNhs"/> is what the index holds (differs only when mistyped).</summary>
internal sealed class SamplePatient
{
    public string Id { get; set; } = string.Empty;

    public required string Nhs { get; init; }

    public string? IndexNhs { get; set; }

    public required string HospitalNumber { get; set; }

    public required string Family { get; set; }

    public required string Given { get; set; }

    public required DateOnly Dob { get; init; }

    public required char Sex { get; init; }

    public required string Postcode { get; init; }

    /// <summary>Street and town lines joined with ", " (no postcode).</summary>
    public required string Address { get; init; }

    public bool OnIndex { get; set; } = true;
}

/// <summary>Everything decided for one document before it is rendered (drawn sequentially from the master seed).</summary>
internal sealed record DocumentPlan(
    SamplePatient Patient,
    string HardCase,
    string ShownGiven,
    string ShownFamily,
    bool ShowNhs)
{
    public int Number { get; set; }

    public string DocumentType { get; set; } = string.Empty;

    public string Format { get; set; } = string.Empty;

    public int Pages { get; set; }

    public int Dpi { get; set; }

    public string Quality { get; set; } = "clean";

    /// <summary>The layout family (<see cref="LayoutFamilies"/>); "classic" for the original four document types.</summary>
    public string Family { get; set; } = LayoutFamilies.Classic;

    public DateOnly DocumentDate { get; set; }

    public int RenderSeed { get; set; }

    public string FileName => $"doc-{Number:D4}{Extension}";

    private string Extension => Format switch
    {
        SampleFormats.Png => ".png",
        SampleFormats.Jpeg => ".jpg",
        SampleFormats.PdfImage or SampleFormats.PdfText => ".pdf",
        _ => ".tif",
    };
}

/// <summary>The <c>format</c> values of truth.csv.</summary>
internal static class SampleFormats
{
    public const string TiffG4 = "tiff_g4";
    public const string TiffLzw = "tiff_lzw";
    public const string TiffNone = "tiff_none";
    public const string Png = "png";
    public const string Jpeg = "jpeg";
    public const string PdfImage = "pdf_image";
    public const string PdfText = "pdf_text";

    public static readonly string[] All = [TiffG4, TiffLzw, TiffNone, Png, Jpeg, PdfImage, PdfText];
}

/// <summary>The <c>document_type</c> values of truth.csv.</summary>
internal static class DocumentTypes
{
    public const string ClinicLetter = "clinic_letter";
    public const string DischargeSummary = "discharge_summary";
    public const string LabReport = "lab_report";
    public const string ContinuationSheet = "continuation_sheet";
}
