using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing;

/// <summary>
/// The first safe matcher: deterministic rules over per-field comparisons (DOMAIN.md "Safety rules").
/// Files a document only on a strong identifier (a valid NHS/CHI number or a hospital number found on the index)
/// corroborated by date of birth or family name and contradicted by nothing; sends anything plausible but less
/// certain to a clerk with ranked candidates; otherwise leaves it unmatched.
/// </summary>
/// <remarks>
/// Field weights are fixed log2 likelihood ratios in the Fellegi-Sunter style; <see cref="MatchCandidate.Score"/> is
/// 1 / (1 + 2^-(prior + sum of weights)). They rank candidates; the decision itself is made by the rules.
/// </remarks>
public sealed class RuleMatcher : IMatcher
{
    public const string ModelVersion = "rules-1";

    /// <summary>Weight units by which the best candidate must lead the next one to be filed automatically.</summary>
    public const double RivalMargin = 5;

    private const double Prior = -8;
    private const double NameSimilarity = 0.92;
    private const int MaxCandidates = 10;

    private readonly IPatientIndex _index;

    public RuleMatcher(IPatientIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
    }

    private enum Level
    {
        Absent,
        Exact,
        Close,
        Different,
    }

    public MatchDecision Match(IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        var evidence = new Evidence(identifiers);
        var reasons = new List<string>(evidence.Conflicts);
        bool unknownNumber = evidence.NationalNumbers.Any(n => n.Valid && _index.FindByNhsNumber(n.Value).Count == 0);
        if (unknownNumber)
        {
            reasons.Add("nhs_number not on index");
        }

        if (evidence.NationalNumbers.Count > 0 && evidence.NationalNumbers.All(n => !n.Valid))
        {
            reasons.Add("nhs_number fails check");
        }

        List<Scored> ranked = [.. FindCandidates(evidence)
            .Select(p => Compare(p, evidence))
            .Where(s => s.IsPlausible)
            .OrderByDescending(s => s.Weight)
            .ThenBy(s => s.Patient.PatientId, StringComparer.Ordinal)];

        if (ranked.Count == 0)
        {
            if (evidence.Conflicts.Count > 0)
            {
                return Decide(DocumentStatus.NeedsVerification, ranked, reasons);
            }

            if (reasons.Count == 0)
            {
                reasons.Add(evidence.HasPatientIdentifiers ? "no candidate on index" : "no identifiers");
            }

            return Decide(DocumentStatus.Unmatched, ranked, reasons);
        }

        Scored best = ranked[0];
        var strongHits = ranked.Where(s => s.IsStrong).Select(s => s.Patient.PatientId).ToHashSet(StringComparer.Ordinal);
        if (strongHits.Count > 1)
        {
            reasons.Add(evidence.NationalNumbers.Count(n => n.Valid) == 1 && evidence.HospitalNumbers.Count == 0
                ? "nhs_number on several index records"
                : "identifiers point at different patients");
        }

        if (!best.IsStrong)
        {
            reasons.Add("no strong identifier");
        }
        else if (!best.IsCorroborated)
        {
            reasons.Add("no corroborating demographic");
        }

        reasons.AddRange(best.Contradictions.Select(field => $"{field} contradicts"));
        if (ranked.Count > 1 && best.Weight - ranked[1].Weight < RivalMargin)
        {
            reasons.Add("rival candidate within margin");
        }

        if (reasons.Count == 0)
        {
            string agreeing = string.Join('+', best.Fields.Where(f => f.Level == "exact").Select(f => f.Field));
            return Decide(DocumentStatus.AutoFiled, ranked, [$"{agreeing} agree"]);
        }

        return Decide(DocumentStatus.NeedsVerification, ranked, reasons);
    }

    private static MatchDecision Decide(DocumentStatus status, List<Scored> ranked, List<string> reasons) =>
        new(
            status,
            [.. ranked.Take(MaxCandidates).Select(s => new MatchCandidate(s.Patient.PatientId, s.Score, s.Fields))],
            string.Join("; ", reasons.Distinct(StringComparer.Ordinal)),
            ModelVersion);

    /// <summary>Blocking: everyone sharing a national or hospital number, a date of birth (or its day-month swap), or a family name.</summary>
    private IEnumerable<Patient> FindCandidates(Evidence evidence)
    {
        var found = new Dictionary<string, Patient>(StringComparer.Ordinal);
        void AddAll(IEnumerable<Patient> patients)
        {
            foreach (Patient p in patients)
            {
                found.TryAdd(p.PatientId, p);
            }
        }

        foreach ((string number, _) in evidence.NationalNumbers)
        {
            AddAll(_index.FindByNhsNumber(number));
        }

        foreach (string hospital in evidence.HospitalNumbers)
        {
            AddAll(_index.FindByHospitalNumber(hospital));
        }

        foreach (DateOnly dob in evidence.DatesOfBirth)
        {
            AddAll(_index.FindByDateOfBirth(dob));
            if (dob.Day <= 12 && dob.Day != dob.Month)
            {
                AddAll(_index.FindByDateOfBirth(new DateOnly(dob.Year, dob.Day, Math.Min(dob.Month, DateTime.DaysInMonth(dob.Year, dob.Day)))));
            }
        }

        foreach (string family in evidence.FamilyNames)
        {
            AddAll(_index.FindByFamilyName(family));
        }

        return found.Values;
    }

    private static Scored Compare(Patient patient, Evidence evidence)
    {
        string? patientNumber = NhsNumber.TryNormalize(patient.NhsNumber, out string? digits) ? digits : null;
        bool validNumberExact = patientNumber is not null && evidence.NationalNumbers.Contains((patientNumber, true));
        Level nhs = CompareAll([.. evidence.NationalNumbers.Select(n => n.Value)], patientNumber, CompareNumber);
        Level hospital = CompareAll(evidence.HospitalNumbers, InMemoryPatientIndex.HospitalKey(patient.HospitalNumber), (a, b) => a == b ? Level.Exact : Level.Different);
        Level dob = CompareAll(evidence.DatesOfBirth, patient.DateOfBirth, CompareDate);
        Level family = CompareAll(evidence.FamilyNames, Names.Key(patient.FamilyName), CompareFamily);
        string givenKey = Names.Key(patient.GivenName);
        Level given = CompareAll(evidence.GivenNames, Names.IsJunkGivenName(givenKey) ? null : givenKey, CompareGiven);
        Level sex = CompareAll(evidence.Sexes, patient.Sex is "M" or "F" ? patient.Sex : null, (a, b) => a == b ? Level.Exact : Level.Different);
        Level postcode = CompareAll(evidence.Postcodes, PostcodeKey(patient.Postcode), ComparePostcode);

        FieldComparison[] fields =
        [
            Field("nhs_number", nhs, validNumberExact ? 14 : 8, 2, -10),
            Field("hospital_number", hospital, 10, 0, -2),
            Field("date_of_birth", dob, 7, 2, -8),
            Field("family_name", family, 6, 3, -5),
            Field("given_name", given, 4, 2, -6),
            Field("postcode", postcode, 4, 1, -1),
            Field("sex", sex, 1, 0, -4),
        ];

        double weight = Prior + fields.Sum(f => f.Weight);
        bool strong = validNumberExact || hospital == Level.Exact;
        bool corroborated = dob == Level.Exact || family is Level.Exact or Level.Close;
        var contradictions = new List<string>();
        foreach ((string name, Level level) in new[] { ("nhs_number", nhs), ("hospital_number", hospital), ("date_of_birth", dob), ("family_name", family), ("given_name", given), ("sex", sex) })
        {
            bool contradicts = level == Level.Different || (level == Level.Close && name is "nhs_number" or "date_of_birth");
            if (contradicts)
            {
                contradictions.Add(name);
            }
        }

        bool namesAgree = family is Level.Exact or Level.Close || given is Level.Exact or Level.Close;
        bool plausible = nhs is Level.Exact or Level.Close
            || hospital == Level.Exact
            || (dob is Level.Exact or Level.Close && namesAgree)
            || (family == Level.Exact && given is Level.Exact or Level.Close && postcode == Level.Exact);

        return new Scored(patient, weight, 1 / (1 + Math.Pow(2, -weight)), fields, strong, corroborated, plausible, contradictions);
    }

    private static FieldComparison Field(string name, Level level, double exact, double close, double different) =>
        new(name, level.ToString().ToLowerInvariant(), level switch
        {
            Level.Exact => exact,
            Level.Close => close,
            Level.Different => different,
            _ => 0,
        });

    /// <summary>The best level any document value reaches against the patient's value; absent when either side has none.</summary>
    private static Level CompareAll<T>(IReadOnlyCollection<T> documentValues, T? patientValue, Func<T, T, Level> compare)
    {
        if (patientValue is null || documentValues.Count == 0 || patientValue is string { Length: 0 })
        {
            return Level.Absent;
        }

        return documentValues.Select(v => compare(v, patientValue)).Min();
    }

    private static Level CompareAll<T>(IReadOnlyCollection<T> documentValues, T? patientValue, Func<T, T, Level> compare)
        where T : struct =>
        patientValue is { } value && documentValues.Count > 0 ? documentValues.Select(v => compare(v, value)).Min() : Level.Absent;

    /// <summary>Exact; close when one digit differs or two adjacent digits are swapped (a misread or mistyping).</summary>
    private static Level CompareNumber(string a, string b)
    {
        if (a == b)
        {
            return Level.Exact;
        }

        var diffs = Enumerable.Range(0, Math.Min(a.Length, b.Length)).Where(i => a[i] != b[i]).ToList();
        bool transposed = diffs.Count == 2 && diffs[1] == diffs[0] + 1 && a[diffs[0]] == b[diffs[1]] && a[diffs[1]] == b[diffs[0]];
        return a.Length == b.Length && (diffs.Count == 1 || transposed) ? Level.Close : Level.Different;
    }

    /// <summary>Exact; close for a day-month swap or one differing digit.</summary>
    private static Level CompareDate(DateOnly a, DateOnly b)
    {
        if (a == b)
        {
            return Level.Exact;
        }

        bool swapped = a.Year == b.Year && a.Day == b.Month && a.Month == b.Day;
        string sa = a.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        string sb = b.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return swapped || CompareNumber(sa, sb) == Level.Close ? Level.Close : Level.Different;
    }

    private static Level CompareFamily(string a, string b) =>
        a == b ? Level.Exact
        : JaroWinkler.Similarity(a, b) >= NameSimilarity || (Math.Min(a.Length, b.Length) >= 4 && (a.Contains(b, StringComparison.Ordinal) || b.Contains(a, StringComparison.Ordinal))) ? Level.Close
        : Level.Different;

    /// <summary>Exact; close for a nickname, an initial, or a near spelling; otherwise clearly different (a twin, say).</summary>
    private static Level CompareGiven(string a, string b) =>
        a == b ? Level.Exact
        : Names.AreNicknames(a, b) || (Math.Min(a.Length, b.Length) == 1 && a[0] == b[0]) || JaroWinkler.Similarity(a, b) >= NameSimilarity ? Level.Close
        : Level.Different;

    private static Level ComparePostcode(string a, string b) =>
        a == b ? Level.Exact : a.Split(' ')[0] == b.Split(' ')[0] ? Level.Close : Level.Different;

    /// <summary>Upper case, one space, letter O unified with zero.</summary>
    private static string? PostcodeKey(string? postcode) =>
        Postcode.TryNormalize(postcode?.Replace('O', '0').Replace('o', '0'), out string? p) || Postcode.TryNormalize(postcode, out p)
            ? p.Replace('O', '0')
            : null;

    private sealed record Scored(
        Patient Patient,
        double Weight,
        double Score,
        IReadOnlyList<FieldComparison> Fields,
        bool IsStrong,
        bool IsCorroborated,
        bool IsPlausible,
        IReadOnlyList<string> Contradictions);

    /// <summary>The document's identifiers, de-duplicated and normalised for comparison, with its internal conflicts.</summary>
    private sealed class Evidence
    {
        public Evidence(IReadOnlyList<ExtractedIdentifier> identifiers)
        {
            List<string> Values(IdentifierKind kind) =>
                [.. identifiers.Where(i => i.Kind == kind).Select(i => i.Value).Distinct(StringComparer.Ordinal)];

            NationalNumbers = [.. identifiers
                .Where(i => i.Kind is IdentifierKind.NhsNumber or IdentifierKind.ChiNumber)
                .Select(i => (Value: InMemoryPatientIndex.NhsKey(i.Value), Valid: i.IsValid))
                .Where(n => n.Value.Length > 0)
                .Distinct()];
            HospitalNumbers = [.. Values(IdentifierKind.HospitalNumber).Select(InMemoryPatientIndex.HospitalKey).Distinct(StringComparer.Ordinal)];
            DatesOfBirth = [.. Values(IdentifierKind.DateOfBirth).Select(v => DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly d) ? d : (DateOnly?)null).OfType<DateOnly>().Distinct()];
            FamilyNames = [.. Values(IdentifierKind.FamilyName).Select(Names.Key).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)];
            GivenNames = [.. Values(IdentifierKind.GivenName).Select(Names.Key).Where(k => !Names.IsJunkGivenName(k)).Distinct(StringComparer.Ordinal)];
            Sexes = [.. Values(IdentifierKind.Sex).Where(s => s is "M" or "F")];
            Postcodes = [.. Values(IdentifierKind.Postcode).Select(PostcodeKey).OfType<string>().Distinct(StringComparer.Ordinal)];
            HasPatientIdentifiers = identifiers.Any(i => i.Kind is not (IdentifierKind.DocumentDate or IdentifierKind.Postcode));

            if (NationalNumbers.Count(n => n.Valid) > 1)
            {
                Conflicts.Add("two nhs_numbers on document");
            }

            if (DatesOfBirth.Count > 1)
            {
                Conflicts.Add("two dates_of_birth on document");
            }

            if (AnyPair(FamilyNames, CompareFamily) || AnyPair(GivenNames, CompareGiven) || Sexes.Count > 1)
            {
                Conflicts.Add("two patients named");
            }
        }

        public List<(string Value, bool Valid)> NationalNumbers { get; }

        public List<string> HospitalNumbers { get; }

        public List<DateOnly> DatesOfBirth { get; }

        public List<string> FamilyNames { get; }

        public List<string> GivenNames { get; }

        public List<string> Sexes { get; }

        public List<string> Postcodes { get; }

        public bool HasPatientIdentifiers { get; }

        public List<string> Conflicts { get; } = [];

        private static bool AnyPair(List<string> values, Func<string, string, Level> compare) =>
            values.SelectMany((a, i) => values.Skip(i + 1).Select(b => compare(a, b))).Any(level => level == Level.Different);
    }
}
