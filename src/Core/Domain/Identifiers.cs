namespace Digitise.Domain;

public enum IdentifierKind
{
    NhsNumber = 0,
    ChiNumber,
    HospitalNumber,
    DateOfBirth,
    FamilyName,
    GivenName,
    Postcode,
    DocumentDate,
    Sex,

    /// <summary>The first line of the patient's address, found by searching the document for a candidate's own address.</summary>
    Address,
}

/// <summary>How an identifier was found: the explanation a clerk sees per field, and what the safety rules may lean on.</summary>
public enum EvidenceSource
{
    /// <summary>Read from a labelled field ("NHS No:", "Surname:", "Re:").</summary>
    Label = 0,

    /// <summary>Found by its shape or place without a label (an unlabelled NHS number, a postcode, an addressograph name line).</summary>
    Layout,

    /// <summary>A token equal to an identifier on the index (or one OCR confusion away from one), wherever it sits.</summary>
    Index,

    /// <summary>Found by searching the whole document for one candidate's own demographics (<see cref="ExtractedIdentifier.SoughtFor"/>).</summary>
    Search,
}

/// <summary>
/// One identifier read from a document. <see cref="Value"/> is normalised (NHS/CHI: 10 digits; dates: ISO yyyy-MM-dd;
/// names: upper case; postcode: upper case with one space). <see cref="Raw"/> is the text as read.
/// </summary>
/// <param name="IsValid">For NHS/CHI numbers: whether the modulus-11 check digit passes. True for other kinds.</param>
/// <param name="Confidence">0-1: how sure the extractor is (OCR confidence of the words, label present, ...).</param>
/// <param name="PageNumber">One-based page (inside the source file) the identifier came from.</param>
/// <param name="Boxes">Boxes of the words the identifier was read from, on that page.</param>
public sealed record ExtractedIdentifier(
    IdentifierKind Kind,
    string Value,
    string Raw,
    bool IsValid,
    double Confidence,
    int PageNumber,
    IReadOnlyList<PixelBox> Boxes)
{
    /// <summary>
    /// For NHS/CHI numbers: the digits were repaired from an OCR reading through the known confusions (DOMAIN.md), and the
    /// repaired number was the only one to pass the check digit. Evidence to corroborate, never a key on its own.
    /// </summary>
    public bool IsCorrected { get; init; }

    /// <summary>How the identifier was found (labels, layout, the index, or a search for one candidate).</summary>
    public EvidenceSource Source { get; init; }

    /// <summary>
    /// For names: the text is about the patient (a patient field such as "Surname:" or "Re:", an addressograph or banner
    /// line, a name beside the patient's identifiers), so a name that disagrees with a candidate contradicts it. Other
    /// names on a page (a "Name:" column, the GP's, a copy-to list) only ever support.
    /// </summary>
    public bool AboutPatient { get; init; } = true;

    /// <summary>For <see cref="EvidenceSource.Search"/>: the patient whose demographics were sought.</summary>
    public string? SoughtFor { get; init; }
}
