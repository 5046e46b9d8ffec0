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

    public MatchDecision Match(IReadOnlyList<ExtractedIdentifier> identifiers) => Decide(Score(identifiers));

    /// <summary>
    /// Decides with the pages at hand: tokens on the index become identifier readings wherever they sit, patients born on
    /// a date printed on the document whose family name is on it too become candidates, and every candidate's own
    /// demographics are searched for across the document. Returns the identifiers read plus those found, with their boxes.
    /// </summary>
    public DocumentMatch Match(Document document, IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(identifiers);
        (ScoredDocument scored, List<ExtractedIdentifier> found) = Score(document, identifiers);
        MatchDecision decision = Decide(scored);
        var shown = decision.Candidates.Take(SearchEvidenceKept).Select(c => c.PatientId).ToHashSet(StringComparer.Ordinal);
        List<ExtractedIdentifier> all = [.. identifiers, .. found.Where(f => f.SoughtFor is null || shown.Contains(f.SoughtFor))];
        return new DocumentMatch(decision, all);
    }

    /// <summary>Candidates whose searched evidence is kept with the document (for the clerk screen's highlights).</summary>
    private const int SearchEvidenceKept = 3;

    private MatchDecision Decide(ScoredDocument scored)
    {
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

            reasons.Add(!evidence.HasPatientIdentifiers && scored.Candidates.Count == 0 ? "no identifiers" : shown.Count == 0 ? "no candidate on index" : "no likely candidate on index");
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

    /// <summary>Scores with the pages: index lookups, date + name blocking and a search per candidate (see <see cref="Match(Document, IReadOnlyList{ExtractedIdentifier})"/>).</summary>
    internal (ScoredDocument Scored, List<ExtractedIdentifier> Found) Score(Document document, IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        var words = new DocumentWords(document);
        List<ExtractedIdentifier> found = IndexedIdentifierSearch.Find(words, _index);
        var evidence = new DocumentEvidence([.. identifiers, .. found]);
        List<DateMention> dates = CandidateSearch.FindDates(words);
        var candidates = new Dictionary<string, Patient>(StringComparer.Ordinal);
        foreach (Patient p in FindCandidates(evidence))
        {
            candidates.TryAdd(p.PatientId, p);
        }

        DateOnly today = DateOnly.FromDateTime(DateTime.UtcNow);
        foreach (Patient p in CandidateSearch.BlockByDates(words, dates, _index, today, _options.MaxBlockSize))
        {
            candidates.TryAdd(p.PatientId, p);
        }

        var findings = new Dictionary<string, CandidateFindings>(StringComparer.Ordinal);
        foreach (Patient p in candidates.Values)
        {
            // OCR-tolerant name search (one edit) only for candidates a strong identifier points at: few, and worth it.
            bool strong = evidence.NationalNumbers.Any(n => n.Value == InMemoryPatientIndex.NhsKey(p.NhsNumber))
                || evidence.HospitalNumbers.Concat(evidence.CorrectedHospitalNumbers).Contains(InMemoryPatientIndex.HospitalKey(p.HospitalNumber), StringComparer.Ordinal);
            CandidateFindings f = CandidateSearch.Find(words, dates, p, tolerant: strong);
            findings[p.PatientId] = f;
            found.AddRange(f.Identifiers);
        }

        return (Score(evidence, candidates.Values, findings), found);
    }

    /// <summary>Blocks, compares and normalises: every candidate's probability, best first, and P(not on the index).</summary>
    public ScoredDocument Score(IReadOnlyList<ExtractedIdentifier> identifiers)
    {
        var evidence = new DocumentEvidence(identifiers);
        return Score(evidence, FindCandidates(evidence));
    }

    internal ScoredDocument Score(DocumentEvidence evidence, IEnumerable<Patient> candidates, IReadOnlyDictionary<string, CandidateFindings>? findings = null)
    {
        double prior = Model.PriorWeight(_index.Count);
        var rows = new List<(Patient Patient, ComparisonVector Vector, FieldComparison[] Fields, double Weight)>();
        foreach (Patient patient in candidates)
        {
            ComparisonVector vector = FieldComparer.Compare(evidence, patient, findings?.GetValueOrDefault(patient.PatientId));
            FieldComparison[] fields = Explain(vector);
            double weight = prior + fields.Sum(f => f.Weight);
            if (vector.Findings?.Address == true)
            {
                // Shown to the clerk as evidence; the model has no address field, so it weighs nothing.
                fields = [.. fields, new FieldComparison("address", MatchFields.Exact, 0) { Source = EvidenceSource.Search.ToWire() }];
            }
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

            fields[i] = new FieldComparison(field, level, Round(weight)) { Source = vector.Sources[i]?.ToWire() };
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

        foreach (string hospital in evidence.HospitalNumbers.Concat(evidence.CorrectedHospitalNumbers))
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
        string hospital = v[MatchFields.Hospital];
        string dob = v[MatchFields.DateOfBirth];
        bool familyAgrees = FamilyAgrees(v);
        bool strong = nhs == MatchFields.Exact
            || hospital == MatchFields.Exact
            || ((nhs == MatchFields.Corrected || hospital == MatchFields.Corrected) && dob == MatchFields.Exact && familyAgrees);
        if (nhs == MatchFields.Corrected)
        {
            risks |= MatchRisk.CorrectedNhsNumber;
        }

        if (!strong)
        {
            objections.Add(nhs == MatchFields.Corrected ? "corrected nhs_number not corroborated by date_of_birth and family_name"
                : hospital == MatchFields.Corrected ? "corrected hospital_number not corroborated by date_of_birth and family_name"
                : "no strong identifier");
        }
        else if (dob != MatchFields.Exact && !familyAgrees && !(v[MatchFields.FamilyName] == MatchFields.JaroWinklerHigh && v.SourceOf(MatchFields.FamilyName) != EvidenceSource.Search))
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
            .Where(c => c == best || PointsAt(c))
            .Where(c => c == best || c.Comparison[MatchFields.Nhs] is MatchFields.Exact or MatchFields.Corrected || c.Comparison[MatchFields.Hospital] is MatchFields.Exact or MatchFields.Corrected)
            .Select(c => c.Patient.PatientId)
            .ToHashSet(StringComparer.Ordinal);
        if (strongHits.Count > 1)
        {
            objections.Add("identifiers point at different patients");
            risks |= MatchRisk.IdentifiersPointAtDifferentPatients;
        }

        if (all.Any(c => c != best && NamedWithDateOfBirth(c, best)))
        {
            objections.Add("another patient on the index named with date_of_birth");
            risks |= MatchRisk.SeveralPatientsNamed;
        }

        if (evidence.NationalNumbers.Any(n => n.Valid && !n.Corrected) && nhs != MatchFields.Exact)
        {
            objections.Add("nhs_number not on index");
            risks |= MatchRisk.StrongIdentifierContradicted;
        }

        return objections;
    }

    /// <summary>The family name agrees through a label, or a search found the whole name (family with given name or initial).</summary>
    private static bool FamilyAgrees(ComparisonVector v)
    {
        string family = v[MatchFields.FamilyName];
        if (family == MatchFields.NamesSwapped)
        {
            return true;
        }

        if (family is not (MatchFields.Exact or MatchFields.PreviousName))
        {
            return false;
        }

        return v.SourceOf(MatchFields.FamilyName) != EvidenceSource.Search || v.Findings?.FullName == true;
    }

    /// <summary>
    /// A rival's identifier on the page is a second identity: an NHS number (a check digit passed), a hospital number read
    /// through a label or with letters in it, or any hospital-number hit that the rival's own demographics corroborate. A
    /// bare run of digits that happens to be someone's hospital number, with nothing of theirs beside it, is not.
    /// </summary>
    private static bool PointsAt(ScoredCandidate candidate)
    {
        ComparisonVector c = candidate.Comparison;
        if (c[MatchFields.Nhs] is MatchFields.Exact or MatchFields.Corrected)
        {
            return true;
        }

        string hospital = c[MatchFields.Hospital];
        if (hospital is not (MatchFields.Exact or MatchFields.Corrected))
        {
            return false;
        }

        bool corroborated = c[MatchFields.DateOfBirth] == MatchFields.Exact || FamilyAgrees(c);
        bool readSurely = c.SourceOf(MatchFields.Hospital) != EvidenceSource.Index || candidate.Patient.HospitalNumber?.Any(char.IsLetter) == true;
        return (hospital == MatchFields.Exact && readSurely) || corroborated;
    }

    /// <summary>A rival whose full name and date of birth are both on the page, and are not just the best candidate's own words.</summary>
    private static bool NamedWithDateOfBirth(ScoredCandidate rival, ScoredCandidate best)
    {
        CandidateFindings? r = rival.Comparison.Findings;
        if (r is null || !r.FullName || !r.DateOfBirth || r.Given != MatchFields.Exact)
        {
            return false;
        }

        Patient a = rival.Patient;
        Patient b = best.Patient;
        bool sameDemographics = Names.Key(a.FamilyName) == Names.Key(b.FamilyName) && Names.Key(a.GivenName) == Names.Key(b.GivenName) && a.DateOfBirth == b.DateOfBirth;
        CandidateFindings? f = best.Comparison.Findings;
        bool sameWords = f is not null && r.NameWords.Overlaps(f.NameWords);
        return !sameDemographics && !sameWords;
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
