using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>The comparison levels of one document against one patient, field by field in <see cref="MatchFields.Levels"/> order.</summary>
/// <param name="Levels">One level per field.</param>
/// <param name="FamilyKey">The family-name key that agreed exactly (current or previous name), for term-frequency adjustment; null otherwise.</param>
public sealed record ComparisonVector(string[] Levels, string? FamilyKey)
{
    public string this[string field] => Levels[FieldComparer.IndexOf(field)];
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

    public static ComparisonVector Compare(DocumentEvidence evidence, Patient patient)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(patient);
        string nhsKey = InMemoryPatientIndex.NhsKey(patient.NhsNumber);
        string nhs = CompareNational(evidence.NationalNumbers, nhsKey);
        string hospitalKey = InMemoryPatientIndex.HospitalKey(patient.HospitalNumber);
        string hospital = Best(evidence.HospitalNumbers, hospitalKey, static (a, b) => a == b ? MatchFields.Exact : MatchFields.Different, MatchFields.Hospital);
        string dob = patient.DateOfBirth is DateOnly pd && evidence.DatesOfBirth.Count > 0
            ? BestOf(evidence.DatesOfBirth.Select(d => CompareDate(d, pd)), MatchFields.DateOfBirth)
            : MatchFields.Absent;

        string familyKey = Names.Key(patient.FamilyName);
        string previousKey = Names.Key(patient.PreviousFamilyName);
        string family = MatchFields.Absent;
        string? agreedFamily = null;
        if (evidence.FamilyNames.Count > 0 && familyKey.Length > 0)
        {
            family = BestOf(evidence.FamilyNames.Select(f => CompareFamily(f, familyKey, previousKey)), MatchFields.FamilyName);
            agreedFamily = family == MatchFields.Exact ? familyKey : family == MatchFields.PreviousName ? previousKey : null;
        }

        string givenKey = Names.Key(patient.GivenName);
        string given = Names.IsJunkGivenName(givenKey) ? MatchFields.Absent : Best(evidence.GivenNames, givenKey, CompareGiven, MatchFields.GivenName);
        string sex = Best(evidence.Sexes, patient.Sex is "M" or "F" ? patient.Sex : string.Empty, static (a, b) => a == b ? MatchFields.Exact : MatchFields.Different, MatchFields.Sex);
        string postcode = Best(evidence.Postcodes, PatientIndex.PostcodeKey(patient.Postcode) ?? string.Empty, ComparePostcode, MatchFields.Postcode);
        return new ComparisonVector([nhs, hospital, dob, family, given, sex, postcode], agreedFamily);
    }

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

        string a = document.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        string b = patient.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (OneDigitApart(a, b))
        {
            return MatchFields.OneDigit;
        }

        return document.Year == patient.Year ? MatchFields.YearOnly : MatchFields.Different;
    }

    /// <summary>One differing digit, or two adjacent digits swapped.</summary>
    internal static bool OneDigitApart(string a, string b)
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

    public static string CompareFamily(string document, string patient, string previous)
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

        if (Phonetic.Soundex(document) == Phonetic.Soundex(patient) || Phonetic.MetaphoneLite(document) == Phonetic.MetaphoneLite(patient))
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
