using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>One national (NHS/CHI) number read from a document.</summary>
/// <param name="Valid">Passes the check digit.</param>
/// <param name="Corrected">Repaired from an OCR reading (weighs less; never a key on its own).</param>
public readonly record struct NationalNumber(string Value, bool Valid, bool Corrected);

/// <summary>A document's identifiers, de-duplicated and normalised for comparison, with its internal conflicts (two patients named).</summary>
public sealed class DocumentEvidence
{
    public DocumentEvidence(IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        List<string> Values(IdentifierKind kind) =>
            [.. identifiers.Where(i => i.Kind == kind).Select(i => i.Value).Distinct(StringComparer.Ordinal)];

        var national = new Dictionary<string, NationalNumber>(StringComparer.Ordinal);
        foreach (ExtractedIdentifier id in identifiers.Where(i => i.Kind is IdentifierKind.NhsNumber or IdentifierKind.ChiNumber))
        {
            string key = InMemoryPatientIndex.NhsKey(id.Value);
            if (key.Length == 0)
            {
                continue;
            }

            bool corrected = id.IsCorrected || IsRepairedReading(id);
            var number = new NationalNumber(key, id.IsValid, corrected && id.IsValid);
            // A clean reading of a number beats a corrected one of the same number.
            if (!national.TryGetValue(key, out NationalNumber seen) || (seen.Corrected && !number.Corrected) || (!seen.Valid && number.Valid))
            {
                national[key] = number;
            }
        }

        NationalNumbers = [.. national.Values];
        HospitalNumbers = [.. Values(IdentifierKind.HospitalNumber).Select(InMemoryPatientIndex.HospitalKey).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)];
        DatesOfBirth = [.. Values(IdentifierKind.DateOfBirth).Select(ParseDate).OfType<DateOnly>().Distinct()];
        FamilyNames = [.. Values(IdentifierKind.FamilyName).Select(Names.Key).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)];
        GivenNames = [.. Values(IdentifierKind.GivenName).Select(Names.Key).Where(k => !Names.IsJunkGivenName(k)).Distinct(StringComparer.Ordinal)];
        Sexes = [.. Values(IdentifierKind.Sex).Where(s => s is "M" or "F")];
        Postcodes = [.. Values(IdentifierKind.Postcode).Select(PatientIndex.PostcodeKey).OfType<string>().Distinct(StringComparer.Ordinal)];
        HasPatientIdentifiers = identifiers.Any(i => i.Kind is not (IdentifierKind.DocumentDate or IdentifierKind.Postcode));

        if (NationalNumbers.Count(n => n.Valid && !n.Corrected) > 1)
        {
            Conflicts.Add("two nhs_numbers on document");
        }

        if (DatesOfBirth.Count > 1)
        {
            Conflicts.Add("two dates_of_birth on document");
        }

        if (AnyDifferentPair(FamilyNames, FieldComparer.FamilyLevelBetweenDocumentValues)
            || AnyDifferentPair(GivenNames, FieldComparer.GivenLevelBetweenDocumentValues)
            || Sexes.Count > 1)
        {
            Conflicts.Add("two patients named");
        }
    }

    public IReadOnlyList<NationalNumber> NationalNumbers { get; }

    public IReadOnlyList<string> HospitalNumbers { get; }

    public IReadOnlyList<DateOnly> DatesOfBirth { get; }

    public IReadOnlyList<string> FamilyNames { get; }

    public IReadOnlyList<string> GivenNames { get; }

    public IReadOnlyList<string> Sexes { get; }

    public IReadOnlyList<string> Postcodes { get; }

    public bool HasPatientIdentifiers { get; }

    public List<string> Conflicts { get; } = [];

    /// <summary>
    /// A stored identifier lost its <see cref="ExtractedIdentifier.IsCorrected"/> flag; its raw text tells: a reading whose own
    /// digits are not the value was repaired.
    /// </summary>
    private static bool IsRepairedReading(ExtractedIdentifier id) =>
        id.Raw.Length > 0 && (!NhsNumber.TryNormalize(id.Raw, out string? raw) || raw != InMemoryPatientIndex.NhsKey(id.Value));

    private static DateOnly? ParseDate(string value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly d) ? d : null;

    private static bool AnyDifferentPair(IReadOnlyList<string> values, Func<string, string, bool> different)
    {
        for (int i = 0; i < values.Count; i++)
        {
            for (int j = i + 1; j < values.Count; j++)
            {
                if (different(values[i], values[j]))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
