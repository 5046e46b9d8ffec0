using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>The comparison levels of one document against one patient, field by field in <see cref="MatchFields.Levels"/> order.</summary>
/// <param name="Levels">One level per field.</param>
/// <param name="FamilyKey">The family-name key that agreed exactly (current or previous name), for term-frequency adjustment; null otherwise.</param>
public sealed record ComparisonVector(string[] Levels, string? FamilyKey)
{
    public string this[string field] => Levels[FieldComparer.IndexOf(field)];

    /// <summary>Per field, where the value behind the level was found (<see cref="Domain.EvidenceSource"/>); null when absent.</summary>
    public EvidenceSource?[] Sources { get; init; } = new EvidenceSource?[MatchFields.FieldCount];

    /// <summary>What searching the document for this candidate found; null when the matcher had only the identifiers.</summary>
    internal CandidateFindings? Findings { get; init; }

    public EvidenceSource? SourceOf(string field) => Sources[FieldComparer.IndexOf(field)];
}

/// <summary>Per-field comparison functions of the Fellegi-Sunter model. A field with several readings on the document takes its best level.</summary>
public static class FieldComparer
{
    private const double HighSimilarity = 0.92;
    private const double MidSimilarity = 0.80;

    public static int IndexOf(string field) => field switch
    {
        MatchFields.Nhs => 0,
        MatchFields.Hospital => 1,
        MatchFields.DateOfBirth => 2,
        MatchFields.FamilyName => 3,
        MatchFields.GivenName => 4,
        MatchFields.Sex => 5,
        MatchFields.Postcode => 6,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown field."),
    };

    public static ComparisonVector Compare(DocumentEvidence evidence, Patient patient) => Compare(evidence, new PatientSide(patient), null);

    internal static ComparisonVector Compare(DocumentEvidence evidence, Patient patient, CandidateFindings? found) => Compare(evidence, new PatientSide(patient), found);

    /// <summary>
    /// The levels from what the extractor read, raised by what a search of the document for this patient found (a search
    /// only ever agrees). A name read from text that is not about the patient never makes a field "different".
    /// </summary>
    internal static ComparisonVector Compare(DocumentEvidence evidence, PatientSide patient, CandidateFindings? found)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(patient);
        var sources = new EvidenceSource?[MatchFields.FieldCount];
        string nhsKey = patient.NhsKey;
        string nhs = CompareNational(evidence.NationalNumbers, nhsKey);
        sources[0] = nhs == MatchFields.Absent ? null : nhs == MatchFields.Different ? EvidenceSource.Label : evidence.SourceOf(IdentifierKind.NhsNumber, nhsKey);

        string hospitalKey = patient.HospitalKey;
        string hospital = hospitalKey.Length == 0 ? MatchFields.Absent
            : evidence.HospitalNumbers.Contains(hospitalKey, StringComparer.Ordinal) ? MatchFields.Exact
            : evidence.CorrectedHospitalNumbers.Contains(hospitalKey, StringComparer.Ordinal) ? MatchFields.Corrected
            : evidence.LabelledHospitalNumbers.Count > 0 ? MatchFields.Different
            : MatchFields.Absent;
        sources[1] = hospital is MatchFields.Exact or MatchFields.Corrected ? evidence.SourceOf(IdentifierKind.HospitalNumber, hospitalKey)
            : hospital == MatchFields.Different ? EvidenceSource.Label : null;

        string dob = patient.DateOfBirth is DateOnly pd && evidence.DatesOfBirth.Count > 0
            ? BestOf(evidence.DatesOfBirth.Select(d => CompareDate(d, pd)), MatchFields.DateOfBirth)
            : MatchFields.Absent;
        sources[2] = dob == MatchFields.Absent ? null : EvidenceSource.Label;
        if (found?.DateOfBirth == true && dob != MatchFields.Exact)
        {
            (dob, sources[2]) = (MatchFields.Exact, EvidenceSource.Search);
        }

        string familyKey = patient.FamilyKey;
        string previousKey = patient.PreviousKey;
        string givenKey = patient.GivenKey;
        bool junkGiven = patient.JunkGiven;
        string family = MatchFields.Absent;
        if (familyKey.Length > 0)
        {
            family = NameLevel(evidence.FamilyNames, evidence.PatientFamilyNames,
                f => CompareFamily(f, familyKey, previousKey, () => evidence.PhoneticOf(f).SoundAlike(patient.FamilyPhonetic)), MatchFields.FamilyName);
        }

        string given = junkGiven ? MatchFields.Absent
            : NameLevel(evidence.GivenNames, evidence.PatientGivenNames, g => CompareGiven(g, givenKey), MatchFields.GivenName);
        sources[3] = family == MatchFields.Absent ? null : EvidenceSource.Label;
        sources[4] = given == MatchFields.Absent ? null : EvidenceSource.Label;

        // Surname printed first without a comma ("SMITH JOHN"): read the wrong way round, not a contradiction.
        if (family is not (MatchFields.Exact or MatchFields.PreviousName) && given != MatchFields.Exact && !junkGiven
            && evidence.FamilyNames.Any(f => f == givenKey || Names.AreNicknames(f, givenKey))
            && evidence.GivenNames.Any(g => g == familyKey || (previousKey.Length > 0 && g == previousKey)))
        {
            family = MatchFields.NamesSwapped;
            given = MatchFields.NamesSwapped;
        }

        if (found is not null)
        {
            if (found.Family is { } searchedFamily && Rank(searchedFamily, MatchFields.FamilyName) < Rank(family, MatchFields.FamilyName))
            {
                (family, sources[3]) = (searchedFamily, EvidenceSource.Search);
            }

            if (!junkGiven && found.Given is { } searchedGiven && Rank(searchedGiven, MatchFields.GivenName) < Rank(given, MatchFields.GivenName))
            {
                (given, sources[4]) = (searchedGiven, EvidenceSource.Search);
            }
        }

        string? agreedFamily = family == MatchFields.Exact ? familyKey : family == MatchFields.PreviousName ? previousKey : null;
        string sex = Best(evidence.Sexes, patient.Sex, static (a, b) => a == b ? MatchFields.Exact : MatchFields.Different, MatchFields.Sex);
        sources[5] = sex == MatchFields.Absent ? null : EvidenceSource.Label;
        string postcodeKey = patient.PostcodeKey;
        string postcode = Best(evidence.Postcodes, postcodeKey, ComparePostcode, MatchFields.Postcode);
        sources[6] = postcode == MatchFields.Absent ? null : postcode == MatchFields.Exact ? evidence.SourceOf(IdentifierKind.Postcode, postcodeKey) : EvidenceSource.Layout;
        if (found?.Postcode == true && postcode != MatchFields.Exact)
        {
            (postcode, sources[6]) = (MatchFields.Exact, EvidenceSource.Search);
        }

        return new ComparisonVector([nhs, hospital, dob, family, given, sex, postcode], agreedFamily) { Sources = sources, Findings = found };
    }

    /// <summary>The best level over every reading; a "different" only when a reading about the patient says so.</summary>
    private static string NameLevel(IReadOnlyList<string> all, IReadOnlyList<string> aboutPatient, Func<string, string> compare, string field)
    {
        if (all.Count == 0)
        {
            return MatchFields.Absent;
        }

        string best = BestOf(all.Select(compare), field);
        if (best != MatchFields.Different)
        {
            return best;
        }

        return aboutPatient.Count == 0 ? MatchFields.Absent : BestOf(aboutPatient.Select(compare), field);
    }

    private static int Rank(string level, string field) => Array.IndexOf(MatchFields.Levels[IndexOf(field)].Levels, level);

    /// <summary>Exact (clean reading), corrected (a repaired reading agrees), different (a valid reading disagrees); an invalid reading is no evidence.</summary>
    private static string CompareNational(IReadOnlyList<NationalNumber> numbers, string patientKey)
    {
        if (patientKey.Length == 0 || !numbers.Any(n => n.Valid))
        {
            return MatchFields.Absent;
        }

        if (numbers.Any(n => n.Valid && !n.Corrected && n.Value == patientKey))
        {
            return MatchFields.Exact;
        }

        return numbers.Any(n => n.Valid && n.Corrected && n.Value == patientKey) ? MatchFields.Corrected : MatchFields.Different;
    }

    public static string CompareDate(DateOnly document, DateOnly patient)
    {
        if (document == patient)
        {
            return MatchFields.Exact;
        }

        if (document.Year == patient.Year && document.Day == patient.Month && document.Month == patient.Day)
        {
            return MatchFields.Swapped;
        }

        Span<char> a = stackalloc char[8];
        Span<char> b = stackalloc char[8];
        if (document.TryFormat(a, out int aLength, "yyyyMMdd", CultureInfo.InvariantCulture)
            && patient.TryFormat(b, out int bLength, "yyyyMMdd", CultureInfo.InvariantCulture)
            && OneDigitApart(a[..aLength], b[..bLength]))
        {
            return MatchFields.OneDigit;
        }

        return document.Year == patient.Year ? MatchFields.YearOnly : MatchFields.Different;
    }

    /// <summary>One differing digit, or two adjacent digits swapped.</summary>
    internal static bool OneDigitApart(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        int first = -1, second = -1, count = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                count++;
                if (count == 1)
                {
                    first = i;
                }
                else if (count == 2)
                {
                    second = i;
                }
                else
                {
                    return false;
                }
            }
        }

        return count == 1 || (count == 2 && second == first + 1 && a[first] == b[second] && a[second] == b[first]);
    }

    public static string CompareFamily(string document, string patient, string previous) =>
        CompareFamily(document, patient, previous, () => PhoneticKeys.Of(document).SoundAlike(PhoneticKeys.Of(patient)));

    /// <param name="soundAlike">Whether the two names share a phonetic key; asked only when nothing closer agrees.</param>
    private static string CompareFamily(string document, string patient, string previous, Func<bool> soundAlike)
    {
        if (document == patient)
        {
            return MatchFields.Exact;
        }

        if (previous.Length > 0 && document == previous)
        {
            return MatchFields.PreviousName;
        }

        double similarity = JaroWinkler.Similarity(document, patient);
        if (similarity >= HighSimilarity || (Math.Min(document.Length, patient.Length) >= 4 && (document.Contains(patient, StringComparison.Ordinal) || patient.Contains(document, StringComparison.Ordinal))))
        {
            return MatchFields.JaroWinklerHigh;
        }

        if (soundAlike())
        {
            return MatchFields.Phonetic;
        }

        return similarity >= MidSimilarity ? MatchFields.JaroWinklerMid : MatchFields.Different;
    }

    public static string CompareGiven(string document, string patient)
    {
        if (document == patient)
        {
            return MatchFields.Exact;
        }

        if (Names.AreNicknames(document, patient))
        {
            return MatchFields.Nickname;
        }

        if (JaroWinkler.Similarity(document, patient) >= HighSimilarity)
        {
            return MatchFields.Close;
        }

        return Math.Min(document.Length, patient.Length) == 1 && document[0] == patient[0] ? MatchFields.Initial : MatchFields.Different;
    }

    public static string ComparePostcode(string document, string patient)
    {
        if (document == patient)
        {
            return MatchFields.Exact;
        }

        string? a = PatientIndex.OutwardKey(document);
        return a is not null && a == PatientIndex.OutwardKey(patient) ? MatchFields.Outward : MatchFields.Different;
    }

    /// <summary>Two family names read from one document that cannot be the same person's.</summary>
    internal static bool FamilyLevelBetweenDocumentValues(string a, string b) => CompareFamily(a, b, string.Empty) is MatchFields.Different or MatchFields.JaroWinklerMid;

    internal static bool GivenLevelBetweenDocumentValues(string a, string b) => CompareGiven(a, b) == MatchFields.Different;

    private static string Best(IReadOnlyList<string> documentValues, string patientValue, Func<string, string, string> compare, string field) =>
        documentValues.Count == 0 || patientValue.Length == 0 ? MatchFields.Absent : BestOf(documentValues.Select(v => compare(v, patientValue)), field);

    /// <summary>The best (earliest listed) level among several readings.</summary>
    private static string BestOf(IEnumerable<string> levels, string field)
    {
        string[] order = MatchFields.Levels[IndexOf(field)].Levels;
        int best = int.MaxValue;
        foreach (string level in levels)
        {
            best = Math.Min(best, Array.IndexOf(order, level));
        }

        return best == int.MaxValue ? MatchFields.Absent : order[best];
    }
}
