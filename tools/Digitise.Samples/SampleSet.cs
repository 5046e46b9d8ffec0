namespace Digitise.Samples;

/// <summary>The files written by one <see cref="SampleGenerator.Generate"/> call.</summary>
/// <param name="OutputDirectory">Absolute output directory.</param>
/// <param name="MpiCsv">Absolute path of <c>mpi.csv</c>.</param>
/// <param name="TruthCsv">Absolute path of <c>truth.csv</c>.</param>
/// <param name="Documents">One entry per document file, in file-name order.</param>
/// <param name="IndexRows">Rows written to <c>mpi.csv</c> (excluding the header).</param>
public sealed record SampleSet(
    string OutputDirectory,
    string MpiCsv,
    string TruthCsv,
    IReadOnlyList<SampleDocument> Documents,
    int IndexRows)
{
    /// <summary>Every file written, absolute paths: the two CSVs, then the documents.</summary>
    public IReadOnlyList<string> Files =>
        [MpiCsv, TruthCsv, .. Documents.Select(d => Path.Combine(OutputDirectory, d.SourceFile))];
}

/// <summary>One generated document: a row of <c>truth.csv</c>.</summary>
/// <param name="SourceFile">Path relative to the output directory, '/'-separated, e.g. <c>batch/doc-0001.tif</c>.</param>
/// <param name="DocumentType">clinic_letter, discharge_summary, lab_report or continuation_sheet.</param>
/// <param name="Pages">Pages in the file.</param>
/// <param name="PatientId">The true patient (also when not on the index).</param>
/// <param name="OnIndex">Whether the patient has a row in <c>mpi.csv</c>.</param>
/// <param name="HardCase">none, twin, same_name_dob, not_on_index, mpi_nhs_mistyped, nickname, mc_mac, hyphenated, apostrophe, name_change, no_nhs_number.</param>
/// <param name="Format">tiff_g4, tiff_lzw, tiff_none, png, jpeg, pdf_image or pdf_text.</param>
/// <param name="Dpi">Scan resolution of the page images (72 for a text PDF).</param>
/// <param name="Quality">clean, mild or hard (how much the scan was degraded).</param>
public sealed record SampleDocument(
    string SourceFile,
    string DocumentType,
    int Pages,
    string PatientId,
    bool OnIndex,
    string HardCase,
    string Format,
    int Dpi,
    string Quality)
{
    /// <summary>The layout family (<c>classic</c>, or one of <see cref="LayoutFamilies.All"/>).</summary>
    public string Family { get; init; } = LayoutFamilies.Classic;
}
