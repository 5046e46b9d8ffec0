using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>One candidate with its comparison levels, total match weight and probability normalised across the document's candidates.</summary>
public sealed record ScoredCandidate(Patient Patient, ComparisonVector Comparison, IReadOnlyList<FieldComparison> Fields, double Weight, double Probability);

/// <summary>Every candidate of one document, best first, and the probability that the patient is not on the index.</summary>
public sealed record ScoredDocument(DocumentEvidence Evidence, IReadOnlyList<ScoredCandidate> Candidates, double NotOnIndexProbability, double PriorWeight);

/// <summary>
/// The probabilistic matcher (issue 3): Fellegi-Sunter comparison levels with m/u and log2 weights, term-frequency-adjusted
/// family names, blocking through <see cref="PatientIndex"/>, and a decision per document — each candidate's odds
/// normalised together with a "not on the index" state. A document is filed automatically only when the best candidate's
/// probability reaches <see cref="MatchingOptions.AutoFileProbability"/>, every rival trails by
/// <see cref="MatchingOptions.RivalMarginWeight"/>, and no safety rule of DOMAIN.md objects: a strong identifier (a clean
/// NHS/CHI number or a hospital number on the index; a corrected NHS reading only with date of birth and family name both
/// agreeing) corroborated by date of birth or family name and contradicted by nothing; one patient named; identifiers
/// pointing at one patient.
/// </summary>
public sealed class FellegiSunterMatcher : IMatcher
{
    /// <summary>Reason parts that only a threshold caused (eval's threshold curve re-decides these documents).</summary>
    public const string BelowThresholdReason = "probability below auto threshold";
    public const string RivalReason = "rival within margin";

    private readonly PatientIndex _index;
    private readonly MatchingOptions _options;

    public FellegiSunterMatcher(PatientIndex index, MatchModel? model = null, MatchingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
        Model = model ?? MatchModel.Default();
        _options = options ?? new MatchingOptions();
        _options.Validate();
    }

    public MatchModel Model { get; }

    public MatchDecision Match(IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        ScoredDocument scored = Score(identifiers);
        DocumentEvidence evidence = scored.Evidence;
        var reasons = new List<string>(evidence.Conflicts);
        List<ScoredCandidate> shown = [.. scored.Candidates.Where(c => c.Probability >= _options.ReviewProbability / 10).Take(_options.MaxCandidates)];
        MatchRisk risks = EvidenceRisks(evidence);
        List<string> objections = [];
        bool rival = false;
        if (shown.Count > 0)
        {
            objections = SafetyObjections(evidence, scored.Candidates, shown[0], ref risks);
            rival = scored.Candidates.Count > 1 && shown[0].Weight - scored.Candidates[1].Weight < _options.RivalMarginWeight;
            risks |= CandidateRisks(scored.Candidates, shown[0], rival);
        }

        if (shown.Count == 0 || shown[0].Probability < _options.ReviewProbability)
        {
            if (evidence.Conflicts.Count > 0 && shown.Count > 0)
            {
                return Decide(DocumentStatus.NeedsVerification, shown, reasons, risks);
            }

            reasons.Add(!evidence.HasPatientIdentifiers ? "no identifiers" : shown.Count == 0 ? "no candidate on index" : "no likely candidate on index");
            return Decide(DocumentStatus.Unmatched, shown, reasons, risks);
        }

        ScoredCandidate best = shown[0];
        reasons.AddRange(objections);
        if (best.Probability < _options.AutoFileProbability)
        {
            reasons.Add(BelowThresholdReason);
        }

        if (rival)
        {
            reasons.Add(RivalReason);
        }

        if (reasons.Count == 0)
        {
            string agreeing = string.Join('+', best.Fields.Where(f => f.Level == MatchFields.Exact).Select(f => f.Field));
            return Decide(DocumentStatus.AutoFiled, shown, [$"{agreeing} agree"], risks);
        }

        return Decide(DocumentStatus.NeedsVerification, shown, reasons, risks);
    }

    /// <summary>Risks the document carries whoever it is matched to: a repaired NHS/CHI reading, more than one patient named.</summary>
    private static MatchRisk EvidenceRisks(DocumentEvidence evidence) =>
        (evidence.NationalNumbers.Any(n => n.Corrected) ? MatchRisk.CorrectedNhsNumber : MatchRisk.None)
        | (evidence.Conflicts.Count > 0 ? MatchRisk.SeveralPatientsNamed : MatchRisk.None);

    /// <summary>Risks from the other candidates: a rival within the margin, and twins (another candidate with the best one's family name and date of birth).</summary>
    private static MatchRisk CandidateRisks(IReadOnlyList<ScoredCandidate> all, ScoredCandidate best, bool rival)
    {
        MatchRisk risks = rival ? MatchRisk.RivalWithinMargin : MatchRisk.None;
        Patient patient = best.Patient;
        string family = Names.Key(patient.FamilyName);
        if (patient.DateOfBirth is { } dob && family.Length > 0
            && all.Any(c => c != best && c.Patient.DateOfBirth == dob && string.Equals(Names.Key(c.Patient.FamilyName), family, StringComparison.Ordinal)))
        {
            risks |= MatchRisk.SameNameAndDateOfBirth;
        }

        return risks;
    }

    /// <summary>Blocks, compares and normalises: every candidate's probability, best first, and P(not on the index).</summary>
    public ScoredDocument Score(IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        var evidence = new DocumentEvidence(identifiers);
        return Score(evidence, FindCandidates(evidence));
    }

    internal ScoredDocument Score(DocumentEvidence evidence, IEnumerable<Patient> candidates)
    {
        double prior = Model.PriorWeight(_index.Count);
        var rows = new List<(Patient Patient, ComparisonVector Vector, FieldComparison[] Fields, double Weight)>();
        foreach (Patient patient in candidates)
        {
            ComparisonVector vector = FieldComparer.Compare(evidence, patient);
            FieldComparison[] fields = Explain(vector);
            double weight = prior + fields.Sum(f => f.Weight);
            rows.Add((patient, vector, fields, weight));
        }

        // P(c) = 2^w_c / (1 + sum 2^w_j), computed stably around the largest weight.
        double max = rows.Count == 0 ? 0 : Math.Max(0, rows.Max(r => r.Weight));
        double denominator = Math.Pow(2, -max) + rows.Sum(r => Math.Pow(2, r.Weight - max));
        List<ScoredCandidate> ranked = [.. rows
            .Select(r => new ScoredCandidate(
                r.Patient,
                r.Vector,
                [.. r.Fields, new FieldComparison(MatchFields.PriorField, "log2_prior_odds", Round(prior)), new FieldComparison(MatchFields.TotalField, "match_weight", Round(r.Weight))],
                r.Weight,
                Math.Pow(2, r.Weight - max) / denominator))
            .OrderByDescending(c => c.Weight)
            .ThenBy(c => c.Patient.PatientId, StringComparer.Ordinal)];
        return new ScoredDocument(evidence, ranked, Math.Pow(2, -max) / denominator, prior);
    }

    /// <summary>Each field's level and weight (family names adjusted for how common the agreeing name is).</summary>
    internal FieldComparison[] Explain(ComparisonVector vector)
    {
        var fields = new FieldComparison[MatchFields.FieldCount];
        for (int i = 0; i < fields.Length; i++)
        {
            string field = MatchFields.Levels[i].Field;
            string level = vector.Levels[i];
            double weight = Model.Weight(field, level);
            if (field == MatchFields.FamilyName && vector.FamilyKey is { } key && level is MatchFields.Exact or MatchFields.PreviousName)
            {
                weight = TermFrequencyWeight(key, Model.Get(field, level));
            }

            fields[i] = new FieldComparison(field, level, Round(weight));
        }

        return fields;
    }

    /// <summary>log2(m / u) with u the name's share of the index (floored at one patient): SMITH says less than LLEWELLYN.</summary>
    internal double TermFrequencyWeight(string familyKey, LevelParameters parameters)
    {
        double frequency = _index.FamilyNameFrequency(familyKey);
        if (frequency <= 0)
        {
            return parameters.Weight;
        }

        double floor = 1.0 / Math.Max(_index.Count, 1);
        return Math.Log2(parameters.M / Math.Max(frequency, floor));
    }

    /// <summary>Blocking: NHS/CHI number, hospital number, date of birth (and its day-month swap), Soundex family name + birth year, family + given name, postcode.</summary>
    internal IReadOnlyCollection<Patient> FindCandidates(DocumentEvidence evidence)
    {
        var found = new Dictionary<string, Patient>(StringComparer.Ordinal);
        void AddAll(IReadOnlyList<Patient> patients)
        {
            if (patients.Count > _options.MaxBlockSize)
            {
                return;
            }

            foreach (Patient p in patients)
            {
                found.TryAdd(p.PatientId, p);
            }
        }

        foreach (NationalNumber number in evidence.NationalNumbers)
        {
            AddAll(_index.FindByNhsNumber(number.Value));
        }

        foreach (string hospital in evidence.HospitalNumbers)
        {
            AddAll(_index.FindByHospitalNumber(hospital));
        }

        var years = new HashSet<int>();
        foreach (DateOnly dob in evidence.DatesOfBirth)
        {
            years.Add(dob.Year);
            AddAll(_index.FindByDateOfBirth(dob));
            if (dob.Day <= 12 && dob.Day != dob.Month && dob.Month <= DateTime.DaysInMonth(dob.Year, dob.Day))
            {
                AddAll(_index.FindByDateOfBirth(new DateOnly(dob.Year, dob.Day, dob.Month)));
            }
        }

        foreach (string family in evidence.FamilyNames)
        {
            foreach (int year in years)
            {
                AddAll(_index.FindByPhoneticFamilyName(family, year));
            }

            foreach (string given in evidence.GivenNames)
            {
                AddAll(_index.FindByFamilyAndGivenName(family, given));
            }

            if (years.Count == 0 && evidence.GivenNames.Count == 0)
            {
                AddAll(_index.FindByFamilyName(family));
            }
        }

        foreach (string postcode in evidence.Postcodes)
        {
            AddAll(_index.FindByPostcode(postcode));
        }

        return found.Values;
    }

    /// <summary>DOMAIN.md's safety rules, applied to the best candidate whatever its probability; adds the risk each objection stands for.</summary>
    private static List<string> SafetyObjections(DocumentEvidence evidence, IReadOnlyList<ScoredCandidate> all, ScoredCandidate best, ref MatchRisk risks)
    {
        var objections = new List<string>();
        ComparisonVector v = best.Comparison;
        string nhs = v[MatchFields.Nhs];
        string dob = v[MatchFields.DateOfBirth];
        string family = v[MatchFields.FamilyName];
        bool familyAgrees = family is MatchFields.Exact or MatchFields.PreviousName;
        bool strong = nhs == MatchFields.Exact
            || v[MatchFields.Hospital] == MatchFields.Exact
            || (nhs == MatchFields.Corrected && dob == MatchFields.Exact && familyAgrees);
        if (nhs == MatchFields.Corrected)
        {
            risks |= MatchRisk.CorrectedNhsNumber;
        }

        if (!strong)
        {
            objections.Add(nhs == MatchFields.Corrected ? "corrected nhs_number not corroborated by date_of_birth and family_name" : "no strong identifier");
        }
        else if (dob != MatchFields.Exact && !familyAgrees && family != MatchFields.JaroWinklerHigh)
        {
            objections.Add("no corroborating demographic");
        }

        foreach (string field in new[] { MatchFields.Nhs, MatchFields.Hospital, MatchFields.DateOfBirth, MatchFields.FamilyName, MatchFields.GivenName, MatchFields.Sex })
        {
            string level = v[field];
            if (level == MatchFields.Different || (field == MatchFields.DateOfBirth && level == MatchFields.YearOnly))
            {
                objections.Add($"{field} contradicts");
                risks |= field is MatchFields.Nhs or MatchFields.Hospital ? MatchRisk.StrongIdentifierContradicted : MatchRisk.DemographicContradicted;
            }
        }

        var strongHits = all
            .Where(c => c.Comparison[MatchFields.Nhs] is MatchFields.Exact or MatchFields.Corrected || c.Comparison[MatchFields.Hospital] == MatchFields.Exact)
            .Select(c => c.Patient.PatientId)
            .ToHashSet(StringComparer.Ordinal);
        if (strongHits.Count > 1)
        {
            objections.Add("identifiers point at different patients");
            risks |= MatchRisk.IdentifiersPointAtDifferentPatients;
        }

        if (evidence.NationalNumbers.Any(n => n.Valid && !n.Corrected) && nhs != MatchFields.Exact)
        {
            objections.Add("nhs_number not on index");
            risks |= MatchRisk.StrongIdentifierContradicted;
        }

        return objections;
    }

    private MatchDecision Decide(DocumentStatus status, List<ScoredCandidate> shown, List<string> reasons, MatchRisk risks) =>
        new(
            status,
            [.. shown.Select(c => new MatchCandidate(c.Patient.PatientId, Math.Round(c.Probability, 6), c.Fields))],
            string.Join("; ", reasons.Distinct(StringComparer.Ordinal)),
            Model.Version,
            risks);

    private static double Round(double weight) => Math.Round(weight, 3);

    /// <summary>For logs and tests: a weight formatted invariantly.</summary>
    internal static string Format(double weight) => weight.ToString("0.00", CultureInfo.InvariantCulture);
}
