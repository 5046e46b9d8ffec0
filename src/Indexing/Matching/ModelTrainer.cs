using System.Globalization;
using Digitise.Domain;

namespace Digitise.Indexing.Matching;

/// <summary>What a clerk decided about a document, when one did.</summary>
public enum TrainingLabel
{
    Unlabelled = 0,

    /// <summary>A clerk confirmed (or chose) the patient: <see cref="TrainingDocument.PatientId"/>.</summary>
    Filed,

    /// <summary>A clerk marked the document as belonging to no indexed patient.</summary>
    NotOnIndex,
}

/// <summary>One document's identifier set for training, with the clerk's label when there is one.</summary>
public sealed record TrainingDocument(IReadOnlyList<ExtractedIdentifier> Identifiers, TrainingLabel Label = TrainingLabel.Unlabelled, string? PatientId = null);

/// <summary>Settings of <see cref="ModelTrainer.Train"/>.</summary>
public sealed class TrainingOptions
{
    /// <summary>Random patient pairs drawn to estimate u.</summary>
    public int RandomPairs { get; init; } = 200_000;

    public int Iterations { get; init; } = 20;

    /// <summary>How many documents' worth of belief the starting model's m carries (Dirichlet smoothing: no level ever reaches 0).</summary>
    public double PriorStrength { get; init; } = 20;

    /// <summary>How much a clerk's confirmed decision counts against an unlabelled document.</summary>
    public double LabelWeight { get; init; } = 5;

    public int Seed { get; init; } = 12345;
}

/// <summary>
/// Learns a <see cref="MatchModel"/>: u from the MPI (random pairs, and value frequencies for the identifying levels), m by
/// expectation-maximisation over unlabelled documents' candidate sets — the E-step normalises each document's candidates
/// together with the "not on the index" state, as the matcher decides — with clerks' confirmed decisions folded in as fixed
/// responsibilities (the confirmed patient 1, everyone else 0; "not on the index" 1 for that label).
/// </summary>
public static class ModelTrainer
{
    private const int MinimumCount = 20;
    private const double CorrectedPenalty = 64;

    public static MatchModel Train(PatientIndex index, IEnumerable<TrainingDocument> documents, MatchModel start, string version, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(start);
        options ??= new TrainingOptions();
        MatchModel withU = EstimateU(index, start, options.RandomPairs, options.Seed);
        var matcher = new FellegiSunterMatcher(index, withU);

        var docs = new List<Doc>();
        int unlabelled = 0, filed = 0, notOnIndex = 0;
        foreach (TrainingDocument document in documents)
        {
            var evidence = new DocumentEvidence(document.Identifiers);
            var candidates = matcher.FindCandidates(evidence).ToDictionary(p => p.PatientId, StringComparer.Ordinal);
            int labelled = -1;
            if (document.Label == TrainingLabel.Filed)
            {
                if (document.PatientId is null || index.Get(document.PatientId) is not { } confirmed)
                {
                    continue;
                }

                candidates.TryAdd(confirmed.PatientId, confirmed);
                filed++;
            }
            else if (document.Label == TrainingLabel.NotOnIndex)
            {
                notOnIndex++;
            }
            else
            {
                unlabelled++;
            }

            var rows = new List<Row>(candidates.Count);
            foreach (Patient patient in candidates.Values)
            {
                ComparisonVector vector = FieldComparer.Compare(evidence, patient);
                double tfU = vector.FamilyKey is { } key ? Math.Max(index.FamilyNameFrequency(key), 1.0 / Math.Max(index.Count, 1)) : 0;
                if (document.Label == TrainingLabel.Filed && patient.PatientId == index.Get(document.PatientId!)!.PatientId)
                {
                    labelled = rows.Count;
                }

                rows.Add(new Row([.. vector.Levels.Select((l, i) => Array.IndexOf(MatchFields.Levels[i].Levels, l))], tfU));
            }

            docs.Add(new Doc(rows, document.Label, labelled));
        }

        double[][] m = [.. MatchFields.Levels.Select(f => f.Levels.Select(l => l == MatchFields.Absent ? 1 : withU.Get(f.Field, l).M).ToArray())];
        double[][] u = [.. MatchFields.Levels.Select(f => f.Levels.Select(l => l == MatchFields.Absent ? 1 : withU.Get(f.Field, l).U).ToArray())];
        double[][] m0 = [.. m.Select(a => (double[])a.Clone())];
        double notOnIndexRate = withU.NotOnIndexRate;
        double prior0 = notOnIndexRate;
        int familyField = FieldComparer.IndexOf(MatchFields.FamilyName);
        int exactFamily = Array.IndexOf(MatchFields.Levels[familyField].Levels, MatchFields.Exact);
        int previousFamily = Array.IndexOf(MatchFields.Levels[familyField].Levels, MatchFields.PreviousName);

        for (int iteration = 0; iteration < options.Iterations && docs.Count > 0; iteration++)
        {
            double priorWeight = Math.Log2((1 - notOnIndexRate) / (Math.Max(index.Count, 1) * notOnIndexRate));
            double[][] numerator = [.. m.Select(a => new double[a.Length])];
            double[] denominator = new double[m.Length];
            double nullMass = 0, documentMass = 0;
            foreach (Doc doc in docs)
            {
                double docWeight = doc.Label == TrainingLabel.Unlabelled ? 1 : options.LabelWeight;
                double[] responsibility = new double[doc.Rows.Count];
                double nullResponsibility;
                if (doc.Label == TrainingLabel.Filed)
                {
                    responsibility[doc.LabelledRow] = 1;
                    nullResponsibility = 0;
                }
                else if (doc.Label == TrainingLabel.NotOnIndex)
                {
                    nullResponsibility = 1;
                }
                else
                {
                    double[] weights = new double[doc.Rows.Count];
                    for (int c = 0; c < doc.Rows.Count; c++)
                    {
                        Row row = doc.Rows[c];
                        double w = priorWeight;
                        for (int f = 0; f < row.Levels.Length; f++)
                        {
                            int level = row.Levels[f];
                            if (MatchFields.Levels[f].Levels[level] == MatchFields.Absent)
                            {
                                continue;
                            }

                            double uf = f == familyField && (level == exactFamily || level == previousFamily) && row.FamilyU > 0 ? row.FamilyU : u[f][level];
                            w += Math.Log2(m[f][level] / uf);
                        }

                        weights[c] = w;
                    }

                    double max = weights.Length == 0 ? 0 : Math.Max(0, weights.Max());
                    double total = Math.Pow(2, -max) + weights.Sum(w => Math.Pow(2, w - max));
                    for (int c = 0; c < weights.Length; c++)
                    {
                        responsibility[c] = Math.Pow(2, weights[c] - max) / total;
                    }

                    nullResponsibility = Math.Pow(2, -max) / total;
                }

                nullMass += docWeight * nullResponsibility;
                documentMass += docWeight;
                for (int c = 0; c < doc.Rows.Count; c++)
                {
                    double r = responsibility[c] * docWeight;
                    if (r <= 0)
                    {
                        continue;
                    }

                    int[] levels = doc.Rows[c].Levels;
                    for (int f = 0; f < levels.Length; f++)
                    {
                        if (MatchFields.Levels[f].Levels[levels[f]] != MatchFields.Absent)
                        {
                            numerator[f][levels[f]] += r;
                            denominator[f] += r;
                        }
                    }
                }
            }

            for (int f = 0; f < m.Length; f++)
            {
                for (int l = 0; l < m[f].Length; l++)
                {
                    if (MatchFields.Levels[f].Levels[l] != MatchFields.Absent)
                    {
                        m[f][l] = (numerator[f][l] + (options.PriorStrength * m0[f][l])) / (denominator[f] + options.PriorStrength);
                    }
                }
            }

            notOnIndexRate = Math.Clamp((nullMass + (options.PriorStrength * prior0)) / (documentMass + options.PriorStrength), 0.001, 0.5);
        }

        var fields = new Dictionary<string, Dictionary<string, LevelParameters>>(StringComparer.Ordinal);
        for (int f = 0; f < m.Length; f++)
        {
            (string field, string[] levels) = MatchFields.Levels[f];
            fields[field] = levels.Select((l, i) => (l, i))
                .Where(x => x.l != MatchFields.Absent)
                .ToDictionary(x => x.l, x => new LevelParameters(m[f][x.i], u[f][x.i]), StringComparer.Ordinal);
        }

        return new MatchModel
        {
            Version = version,
            TrainedUtc = null,
            NotOnIndexRate = notOnIndexRate,
            Fields = fields,
            Training = new TrainingSummary(index.Count, options.RandomPairs, unlabelled, filed, notOnIndex, options.Iterations),
        };
    }

    /// <summary>
    /// u for every level: identifying levels (exact NHS, hospital number, date of birth, family name) from value frequencies
    /// (the chance two random patients share a value: the sum of squared shares), the rest from random pairs of patients.
    /// A corrected NHS reading gets a u that keeps it six bits under a clean reading: it corroborates, it never decides.
    /// </summary>
    public static MatchModel EstimateU(PatientIndex index, MatchModel start, int pairs, int seed)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(start);
        IReadOnlyList<Patient> patients = index.All().OrderBy(p => p.PatientId, StringComparer.Ordinal).ToList();
        if (patients.Count < 2)
        {
            return start;
        }

        var counts = MatchFields.Levels.Select(f => new double[f.Levels.Length]).ToArray();
        var random = new Random(seed);

        // Each patient's record as document evidence, built once (not once per pair it is drawn in): the same pairs and
        // levels, at a fraction of the cost every `digitise run` without a trained model pays before its first page.
        // So is each patient's side of a comparison (keys, phonetic codes).
        var evidence = new DocumentEvidence?[patients.Count];
        var sides = new PatientSide?[patients.Count];
        void Count(int first, int second)
        {
            ComparisonVector v = FieldComparer.Compare(
                evidence[first] ??= new DocumentEvidence(AsIdentifiers(patients[first])), sides[second] ??= new PatientSide(patients[second]), null);
            for (int f = 0; f < v.Levels.Length; f++)
            {
                counts[f][Array.IndexOf(MatchFields.Levels[f].Levels, v.Levels[f])]++;
            }
        }

        long population = (long)patients.Count * (patients.Count - 1) / 2;
        if (population <= pairs)
        {
            // An index with no more pairs than the sample would draw (up to about 300 patients for 50,000): every pair once,
            // an exact count instead of drawing the same pairs again and again (200 patients: 19,900 comparisons, not 50,000).
            for (int first = 0; first < patients.Count; first++)
            {
                for (int second = first + 1; second < patients.Count; second++)
                {
                    Count(first, second);
                }
            }

            pairs = (int)population;
        }
        else
        {
            for (int i = 0; i < pairs; i++)
            {
                int first = random.Next(patients.Count);
                int second = random.Next(patients.Count);
                if (first != second)
                {
                    Count(first, second);
                }
            }
        }

        double floor = 1.0 / (2.0 * pairs);
        var fields = new Dictionary<string, Dictionary<string, LevelParameters>>(StringComparer.Ordinal);
        for (int f = 0; f < counts.Length; f++)
        {
            (string field, string[] levels) = MatchFields.Levels[f];
            double present = levels.Select((l, i) => l == MatchFields.Absent ? 0 : counts[f][i]).Sum();
            var map = new Dictionary<string, LevelParameters>(StringComparer.Ordinal);
            foreach ((string level, int i) in levels.Select((l, i) => (l, i)).Where(x => x.l != MatchFields.Absent))
            {
                LevelParameters old = start.Get(field, level);
                // Levels that random pairs of index records almost never reach (an initial, a day-month swap: noise of documents,
                // not of the index) keep the starting u rather than a sampling accident.
                double u = present > 0 && counts[f][i] >= MinimumCount ? Math.Max(counts[f][i] / present, floor) : old.U;
                u = (field, level) switch
                {
                    (MatchFields.Nhs, MatchFields.Exact) => CollisionRate(patients, p => InMemoryPatientIndex.NhsKey(p.NhsNumber)),
                    (MatchFields.Nhs, MatchFields.Corrected) => old.U,
                    (MatchFields.Hospital, MatchFields.Exact) => CollisionRate(patients, p => InMemoryPatientIndex.HospitalKey(p.HospitalNumber)),
                    (MatchFields.DateOfBirth, MatchFields.Exact) => CollisionRate(patients, p => p.DateOfBirth?.ToString("yyyyMMdd", CultureInfo.InvariantCulture) ?? string.Empty),
                    (MatchFields.FamilyName, MatchFields.Exact) => CollisionRate(patients, p => Names.Key(p.FamilyName)),
                    _ => u,
                };
                map[level] = new LevelParameters(old.M, Math.Clamp(u, 1e-9, 1));
            }

            // A partial agreement is never rarer among different people than an exact one; a corrected NHS reading weighs
            // six bits (64 times) less than a clean one, however large the index.
            if (map.TryGetValue(MatchFields.Exact, out LevelParameters? exact))
            {
                if (map.TryGetValue(MatchFields.Corrected, out LevelParameters? corrected))
                {
                    map[MatchFields.Corrected] = corrected with { U = Math.Min(1, CorrectedPenalty * exact.U * corrected.M / exact.M) };
                }

                foreach (string level in map.Keys.Where(l => l is not (MatchFields.Exact or MatchFields.Different or MatchFields.Corrected)).ToList())
                {
                    map[level] = map[level] with { U = Math.Max(map[level].U, exact.U) };
                }
            }

            fields[field] = map;
        }

        return new MatchModel { Version = start.Version, NotOnIndexRate = start.NotOnIndexRate, Fields = fields, Training = start.Training };
    }

    /// <summary>A patient's own details as a document would carry them (for random-pair comparisons).</summary>
    internal static List<ExtractedIdentifier> AsIdentifiers(Patient p)
    {
        var ids = new List<ExtractedIdentifier>(8);
        void Add(IdentifierKind kind, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                ids.Add(new ExtractedIdentifier(kind, value, value, true, 1, 1, []));
            }
        }

        Add(IdentifierKind.NhsNumber, p.NhsNumber is { } n && NhsNumber.IsValid(n) ? n : null);
        Add(IdentifierKind.HospitalNumber, p.HospitalNumber);
        Add(IdentifierKind.DateOfBirth, p.DateOfBirth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add(IdentifierKind.FamilyName, p.FamilyName);
        Add(IdentifierKind.GivenName, p.GivenName);
        Add(IdentifierKind.Sex, p.Sex);
        Add(IdentifierKind.Postcode, p.Postcode);
        return ids;
    }

    /// <summary>P(two random patients with a value share it) = sum of squared shares, floored at 1/N (misreadings and MPI errors make unique values collide too).</summary>
    private static double CollisionRate(IReadOnlyList<Patient> patients, Func<Patient, string> key)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int total = 0;
        foreach (Patient p in patients)
        {
            string k = key(p);
            if (k.Length > 0)
            {
                counts[k] = counts.GetValueOrDefault(k) + 1;
                total++;
            }
        }

        if (total < 2)
        {
            return 1.0 / Math.Max(patients.Count, 2);
        }

        double sum = counts.Values.Sum(c => (double)c * (c - 1));
        return Math.Max(sum / ((double)total * (total - 1)), 1.0 / total);
    }

    private sealed record Row(int[] Levels, double FamilyU);

    private sealed record Doc(List<Row> Rows, TrainingLabel Label, int LabelledRow);
}
