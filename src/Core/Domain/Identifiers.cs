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
}
