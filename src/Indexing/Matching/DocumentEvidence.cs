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
    private readonly Dictionary<string, PhoneticKeys> _familyPhonetics;

    public DocumentEvidence(IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);

        // What a search for one candidate found is that candidate's evidence, not the document's: the matcher searches again.
        identifiers = [.. identifiers.Where(i => i.Source != EvidenceSource.Search)];
        List<string> Values(IdentifierKind kind, Func<ExtractedIdentifier, bool>? filter = null) =>
            [.. identifiers.Where(i => i.Kind == kind && (filter is null || filter(i))).Select(i => i.Value).Distinct(StringComparer.Ordinal)];

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

            Remember(IdentifierKind.NhsNumber, key, id.Source);
        }

        NationalNumbers = [.. national.Values];
        HospitalNumbers = [.. HospitalKeys(identifiers.Where(i => i.Kind == IdentifierKind.HospitalNumber && !i.IsCorrected))];
        CorrectedHospitalNumbers = [.. HospitalKeys(identifiers.Where(i => i.Kind == IdentifierKind.HospitalNumber && i.IsCorrected)).Except(HospitalNumbers)];
        LabelledHospitalNumbers = [.. HospitalKeys(identifiers.Where(i => i.Kind == IdentifierKind.HospitalNumber && i.Source != EvidenceSource.Index))];
        DatesOfBirth = [.. Values(IdentifierKind.DateOfBirth).Select(ParseDate).OfType<DateOnly>().Distinct()];
        FamilyNames = [.. Values(IdentifierKind.FamilyName).Select(Names.Key).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)];
        GivenNames = [.. Values(IdentifierKind.GivenName).Select(Names.Key).Where(k => !Names.IsJunkGivenName(k)).Distinct(StringComparer.Ordinal)];
        PatientFamilyNames = [.. Values(IdentifierKind.FamilyName, i => i.AboutPatient).Select(Names.Key).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)];
        _familyPhonetics = FamilyNames.ToDictionary(f => f, PhoneticKeys.Of, StringComparer.Ordinal); // PatientFamilyNames are among them
        PatientGivenNames = [.. Values(IdentifierKind.GivenName, i => i.AboutPatient).Select(Names.Key).Where(k => !Names.IsJunkGivenName(k)).Distinct(StringComparer.Ordinal)];
        Sexes = [.. Values(IdentifierKind.Sex).Where(s => s is "M" or "F")];
        Postcodes = [.. Values(IdentifierKind.Postcode).Select(PatientIndex.PostcodeKey).OfType<string>().Distinct(StringComparer.Ordinal)];
        HasPatientIdentifiers = identifiers.Any(i => i.Kind is not (IdentifierKind.DocumentDate or IdentifierKind.Postcode));
        foreach (ExtractedIdentifier id in identifiers)
        {
            string key = id.Kind switch
            {
                IdentifierKind.HospitalNumber => InMemoryPatientIndex.HospitalKey(id.Value),
                IdentifierKind.FamilyName or IdentifierKind.GivenName => Names.Key(id.Value),
                IdentifierKind.Postcode => PatientIndex.PostcodeKey(id.Value) ?? string.Empty,
                _ => id.Value,
            };
            Remember(id.Kind, key, id.Source);
        }

        if (NationalNumbers.Count(n => n.Valid && !n.Corrected) > 1)
        {
            Conflicts.Add("two nhs_numbers on document");
        }

        if (DatesOfBirth.Count > 1)
        {
            Conflicts.Add("two dates_of_birth on document");
        }

        // Only text about the patient can name a second patient: a "Name" column, the GP or a copy-to list cannot.
        if (AnyDifferentPair(PatientFamilyNames, FieldComparer.FamilyLevelBetweenDocumentValues)
            || AnyDifferentPair(PatientGivenNames, FieldComparer.GivenLevelBetweenDocumentValues)
            || Sexes.Count > 1)
        {
            Conflicts.Add("two patients named");
        }
    }

    public IReadOnlyList<NationalNumber> NationalNumbers { get; }

    /// <summary>Hospital numbers read cleanly: through a label, or a token equal to one on the index.</summary>
    public IReadOnlyList<string> HospitalNumbers { get; }

    /// <summary>Hospital numbers on the index one OCR confusion away from a token: corroborate, never key.</summary>
    public IReadOnlyList<string> CorrectedHospitalNumbers { get; }

    /// <summary>Hospital numbers read through a label or pattern (a different one contradicts a candidate).</summary>
    public IReadOnlyList<string> LabelledHospitalNumbers { get; }

    /// <summary>Family names read from text about the patient (those that may contradict a candidate).</summary>
    public IReadOnlyList<string> PatientFamilyNames { get; }

    /// <summary>Given names read from text about the patient.</summary>
    public IReadOnlyList<string> PatientGivenNames { get; }

    public IReadOnlyList<DateOnly> DatesOfBirth { get; }

    public IReadOnlyList<string> FamilyNames { get; }

    /// <summary>The phonetic keys of one of <see cref="FamilyNames"/>, worked out once for every candidate compared.</summary>
    internal PhoneticKeys PhoneticOf(string familyKey) =>
        _familyPhonetics.TryGetValue(familyKey, out PhoneticKeys keys) ? keys : PhoneticKeys.Of(familyKey);

    public IReadOnlyList<string> GivenNames { get; }

    public IReadOnlyList<string> Sexes { get; }

    public IReadOnlyList<string> Postcodes { get; }

    public bool HasPatientIdentifiers { get; }

    public List<string> Conflicts { get; } = [];

    /// <summary>How a value (by kind and comparison key) was found; a label beats the layout, the layout beats the index.</summary>
    public EvidenceSource SourceOf(IdentifierKind kind, string key) =>
        _sources.TryGetValue((kind, key), out EvidenceSource source) ? source : EvidenceSource.Label;

    private readonly Dictionary<(IdentifierKind, string), EvidenceSource> _sources = [];

    private void Remember(IdentifierKind kind, string key, EvidenceSource source)
    {
        if (!_sources.TryGetValue((kind, key), out EvidenceSource seen) || source < seen)
        {
            _sources[(kind, key)] = source;
        }
    }

    private static IEnumerable<string> HospitalKeys(IEnumerable<ExtractedIdentifier> ids) =>
        ids.Select(i => InMemoryPatientIndex.HospitalKey(i.Value)).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal);

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
